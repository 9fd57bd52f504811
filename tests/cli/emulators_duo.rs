//! The Duo emulator itself, driven over HTTP as Duo's public clients (aws-adfs, gimme-aws-creds)
//! drive the real Universal Prompt: if it drifts from them, the Duo tests prove nothing.

use crate::browser::{absolute, attr, browser, fetch};
use samlbridge_emulators::duo::{self, DuoConfig, DuoDevice, DuoEmulator, DuoUser, PushAnswer};
use std::time::Duration;

const REDIRECT: &str = "https://idp.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=x";

fn emulator() -> DuoEmulator {
    DuoEmulator::start(
        DuoConfig::default().user(
            DuoUser::new("sam@corp.example")
                .device(DuoDevice::phone("Landline", "1111").without_push())
                .device(DuoDevice::phone("iPhone", "2222"))
                .passcode("112233")
                .push_answer(PushAnswer::Approve(Duration::from_millis(300))),
        ),
    )
}

fn location(page: &crate::browser::Page) -> String {
    page.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Authorize → frameless plugin form → prompt page: (sid, xsrf, base URL).
async fn open(c: &reqwest::Client, duo: &DuoEmulator) -> (String, String, String) {
    let url = duo
        .service()
        .authorize_url("sam@corp.example", REDIRECT, "st4te");
    let authorize = fetch(c.post(&url).form(&[
        ("adfs_context", "c"),
        ("adfs_auth_method", "DuoAdfsAdapter"),
    ]))
    .await;
    assert_eq!(authorize.status, 303);
    let frameless = absolute(&authorize.url, &location(&authorize));
    assert!(
        frameless.contains("/frame/frameless/v4/auth?sid=frameless-"),
        "{frameless}"
    );
    let plugin = fetch(c.get(&frameless)).await;
    let tx = attr(&plugin.body, "form#plugin_form input[name=tx]", "value").unwrap_or_default();
    let xsrf =
        attr(&plugin.body, "form#plugin_form input[name=_xsrf]", "value").unwrap_or_default();
    let bad = fetch(c.post(&frameless).form(&[
        ("tx", tx.as_str()),
        ("_xsrf", "forged"),
        ("parent", "None"),
    ]))
    .await;
    assert_eq!(bad.status, 400, "a forged _xsrf is refused");
    let posted = fetch(c.post(&frameless).form(&[
        ("tx", tx.as_str()),
        ("_xsrf", xsrf.as_str()),
        ("parent", "None"),
    ]))
    .await;
    assert_eq!(posted.status, 302);
    let prompt_url = absolute(&posted.url, &location(&posted));
    let prompt = fetch(c.get(&prompt_url)).await;
    assert_eq!(
        attr(&prompt.body, "input[name=preferred_factor]", "value").as_deref(),
        Some("Duo Push")
    );
    assert_eq!(
        attr(&prompt.body, "input[name=preferred_device]", "value").as_deref(),
        Some("phone2"),
        "the first phone that takes pushes"
    );
    let sid = attr(&prompt.body, "form#login-form input[name=sid]", "value").unwrap_or_default();
    assert_eq!(
        attr(&prompt.body, "input[name=_xsrf]", "value"),
        Some(xsrf.clone())
    );
    (sid, xsrf, duo.server().base_url())
}

async fn json(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let page = fetch(c.post(url).form(form)).await;
    serde_json::from_str(&page.body).unwrap_or_default()
}

#[tokio::test]
async fn duo_push_runs_authorize_prompt_status_and_exit_as_duos_service_does() {
    let duo = emulator();
    let c = browser();
    let (sid, xsrf, base) = open(&c, &duo).await;
    let data = fetch(c.get(format!(
        "{base}{}?post_auth_action=OIDC_EXIT&sid={sid}",
        duo::PROMPT_DATA_PATH
    )))
    .await;
    let data: serde_json::Value = serde_json::from_str(&data.body).unwrap_or_default();
    assert_eq!(data["stat"], "OK");
    assert_eq!(data["response"]["phones"][1]["name"], "iPhone");
    assert_eq!(data["response"]["phones"][1]["end_of_number"], "2222");
    let key = data["response"]["phones"][1]["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        data["response"]["auth_method_order"][0]["deviceKey"],
        key.as_str()
    );
    // Pushes first, then text messages and calls to each phone with a number, then passcodes.
    let order: Vec<&str> = data["response"]["auth_method_order"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["factor"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        order,
        [
            "Duo Push",
            "SMS Passcode",
            "SMS Passcode",
            "Phone Call",
            "Phone Call",
            "Passcode"
        ]
    );

    let prompt = format!("{base}{}", duo::PROMPT_PATH);
    let refused = json(
        &c,
        &prompt,
        &[("sid", &sid), ("factor", "Duo Push"), ("device", "phone1")],
    )
    .await;
    assert_eq!(refused["stat"], "FAIL", "the landline takes no push");
    let started = json(
        &c,
        &prompt,
        &[("sid", &sid), ("factor", "Duo Push"), ("device", "phone2")],
    )
    .await;
    let txid = started["response"]["txid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let status = format!("{base}{}", duo::STATUS_PATH);
    let first = json(&c, &status, &[("sid", &sid), ("txid", &txid)]).await;
    assert_eq!(first["response"]["status_code"], "pushed");
    assert_eq!(first["response"]["status"], duo::PUSHED);
    let held = json(&c, &status, &[("sid", &sid), ("txid", &txid)]).await;
    assert_eq!(
        held["response"]["status_code"], "allow",
        "the long poll waits for the answer"
    );
    assert_eq!(held["response"]["result"], "SUCCESS");
    assert_eq!(duo.pushes(), ["iPhone"]);

    let exit = format!("{base}{}", duo::EXIT_PATH);
    let back = fetch(c.post(&exit).form(&[
        ("sid", sid.as_str()),
        ("txid", txid.as_str()),
        ("factor", "Duo Push"),
        ("device_key", key.as_str()),
        ("_xsrf", xsrf.as_str()),
        ("dampen_choice", "false"),
    ]))
    .await;
    assert_eq!(back.status, 303);
    let to = location(&back);
    assert!(
        to.starts_with(&format!("{REDIRECT}&state=st4te&duo_code=")),
        "{to}"
    );
    let code = to.rsplit("duo_code=").next().unwrap_or_default();
    assert_eq!(
        duo.service().exchange(code, REDIRECT).as_deref(),
        Ok("sam@corp.example")
    );
    assert!(
        duo.service().exchange(code, REDIRECT).is_err(),
        "a code is redeemed once"
    );
}

#[tokio::test]
async fn a_passcode_is_checked_once_and_a_wrong_one_denied_in_duos_words() {
    let duo = emulator();
    let c = browser();
    let (sid, xsrf, base) = open(&c, &duo).await;
    let prompt = format!("{base}{}", duo::PROMPT_PATH);
    let status = format!("{base}{}", duo::STATUS_PATH);
    let wrong = json(
        &c,
        &prompt,
        &[
            ("sid", &sid),
            ("factor", "Passcode"),
            ("device", "None"),
            ("passcode", "999999"),
        ],
    )
    .await;
    let txid = wrong["response"]["txid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let denied = json(&c, &status, &[("sid", &sid), ("txid", &txid)]).await;
    assert_eq!(denied["response"]["status_code"], "deny");
    assert_eq!(denied["response"]["status"], duo::WRONG_PASSCODE);
    let exit = format!("{base}{}", duo::EXIT_PATH);
    let no_exit = fetch(c.post(&exit).form(&[
        ("sid", sid.as_str()),
        ("txid", txid.as_str()),
        ("_xsrf", xsrf.as_str()),
    ]))
    .await;
    assert_eq!(no_exit.status, 400, "a denied transaction has no exit");
    let right = json(
        &c,
        &prompt,
        &[
            ("sid", &sid),
            ("factor", "Passcode"),
            ("device", "None"),
            ("passcode", "112233"),
        ],
    )
    .await;
    let txid = right["response"]["txid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let allowed = json(&c, &status, &[("sid", &sid), ("txid", &txid)]).await;
    assert_eq!(allowed["response"]["status_code"], "allow");
    assert_eq!(duo.passcodes_tried(), ["999999", "112233"]);
}

/// Duo's single-page prompt, driven as aws-adfs's "pwl" flow and gimme-aws-creds' "JS bundle" flow
/// drive it: the plugin form's post answers the page with `data-akey`/`data-authkey`, the factors
/// come from the evaluation, a push is started and polled (its status nested under `result`), a
/// wrong passcode is a FAIL in Duo's words, and `finalize_auth` gives the IdP's URL with a code
/// the IdP can redeem once.
#[tokio::test]
async fn the_single_page_prompt_runs_as_the_public_clients_drive_it() {
    let duo = DuoEmulator::start(
        DuoConfig::default().single_page_after_plugin_form().user(
            DuoUser::new("sam@corp.example")
                .device(DuoDevice::phone("iPhone", "2222"))
                .verified_push("551")
                .push_answer(PushAnswer::Approve(Duration::from_millis(300))),
        ),
    );
    let c = browser();
    let url = duo
        .service()
        .authorize_url("sam@corp.example", REDIRECT, "st4te");
    let authorize = fetch(c.get(&url)).await;
    let frameless = absolute(&authorize.url, &location(&authorize));
    let plugin = fetch(c.get(&frameless)).await;
    let form: Vec<(String, String)> = ["tx", "_xsrf"]
        .iter()
        .map(|n| {
            let sel = format!("form#plugin_form input[name={n}]");
            (
                n.to_string(),
                attr(&plugin.body, &sel, "value").unwrap_or_default(),
            )
        })
        .collect();
    let page = fetch(c.post(&frameless).form(&form)).await;
    assert_eq!(page.status, 200);
    let akey = attr(&page.body, "#pwl-prompt-root", "data-akey").unwrap_or_default();
    let authkey = attr(&page.body, "#pwl-prompt-root", "data-authkey").unwrap_or_default();
    assert!(!akey.is_empty() && !authkey.is_empty(), "{}", page.body);
    let base = format!("{}/prompt/{akey}", duo.server().base_url());
    let get = |path: &str, query: Vec<(&str, String)>| {
        let mut query = query;
        query.push(("authkey", authkey.clone()));
        let c = c.clone();
        let mut url = url::Url::parse(&format!("{base}/{path}")).expect("a URL");
        url.query_pairs_mut().extend_pairs(query);
        async move {
            let page = fetch(c.get(url.as_str())).await;
            serde_json::from_str::<serde_json::Value>(&page.body).unwrap_or_default()
        }
    };
    let post = |path: &str, body: serde_json::Value| {
        let mut body = body;
        body["authkey"] = authkey.clone().into();
        let c = c.clone();
        let url = format!("{base}/{path}");
        async move {
            let page = fetch(
                c.post(&url)
                    .header("content-type", "application/json")
                    .body(body.to_string()),
            )
            .await;
            serde_json::from_str::<serde_json::Value>(&page.body).unwrap_or_default()
        }
    };
    assert_eq!(
        get(
            "pre_authn/initialization",
            vec![("is_ipad", "false".into())]
        )
        .await["stat"],
        "OK"
    );
    let evaluation = get("pre_authn/evaluation", vec![]).await;
    let factors = &evaluation["response"]["available_unified_auth_factors"]["factors"];
    assert_eq!(factors[0]["factor_type"], "push");
    assert_eq!(factors[0]["device_info"]["name"], "iPhone");
    assert_eq!(factors[1]["factor_type"], "phone_call");
    let payload = get("auth/payload", vec![]).await;
    assert_eq!(
        payload["response"]["auth_factors_context"]["available_unified_auth_factors"],
        evaluation["response"]["available_unified_auth_factors"]
    );
    let wrong = post(
        "auth/factors/mobile_otp",
        serde_json::json!({"mobile_otp": "000000"}),
    )
    .await;
    assert_eq!(wrong["stat"], "FAIL");
    assert_eq!(wrong["message"], duo::WRONG_PASSCODE);
    let early = get("auth/finalize_auth", vec![]).await;
    assert_eq!(early["stat"], "FAIL", "nothing allowed yet");
    let pkey = factors[0]["device_info"]["pkey"].clone();
    let started = post("auth/factors/push/auth", serde_json::json!({"pkey": pkey})).await;
    assert_eq!(started["response"]["step_up_code"], "551");
    let txid = started["response"]["push_txid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut results = Vec::new();
    for _ in 0..10 {
        let status = get(
            "auth/factors/push/status",
            vec![
                ("push_txid", txid.clone()),
                ("saw_good_news", "false".into()),
            ],
        )
        .await;
        let result = status["response"]["result"]["result"]
            .as_str()
            .unwrap_or("")
            .to_string();
        results.push(status["response"]["result"]["status_code"].to_string());
        if result == "SUCCESS" {
            break;
        }
    }
    assert_eq!(
        results.first().map(String::as_str),
        Some("\"pushed\""),
        "{results:?}"
    );
    assert_eq!(
        results.last().map(String::as_str),
        Some("\"allow\""),
        "{results:?}"
    );
    let done = get("auth/finalize_auth", vec![]).await;
    let back = done["response"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        back.starts_with(REDIRECT) && back.contains("state=st4te"),
        "{back}"
    );
    let code = back.split("duo_code=").nth(1).unwrap_or_default();
    assert_eq!(
        duo.service().exchange(code, REDIRECT).as_deref(),
        Ok("sam@corp.example")
    );
    assert!(duo.service().exchange(code, REDIRECT).is_err(), "once");
}
