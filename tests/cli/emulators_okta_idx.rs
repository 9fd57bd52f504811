//! The Okta Identity Engine emulator itself, driven over HTTP as the Sign-In Widget drives a real
//! org: the app's page bootstraps a stateToken, IDX documents carry their forms, Okta's refusals are
//! IDX documents with messages. If it drifts from Okta's shapes, the IDX tests prove nothing.

use crate::browser::{browser, fetch, set_cookies};
use samlbridge_emulators::okta::{OieOrg, OktaEmulator, OktaFactor, OktaUser, PushOutcome};
use serde_json::{Value, json};

const ION: &str = "application/ion+json; okta-version=1.0.0";

fn org(factor: OktaFactor) -> OktaEmulator {
    let user = OktaUser::new("ida@corp.example", "pw").with(factor);
    OktaEmulator::start_oie(vec![user], "<samlp:Response/>", OieOrg::default())
}

async fn idx(c: &reqwest::Client, org: &OktaEmulator, path: &str, body: Value) -> (u16, Value) {
    let page = fetch(
        c.post(format!("{}{path}", org.base))
            .header("Content-Type", ION)
            .header("Accept", ION)
            .body(body.to_string()),
    )
    .await;
    let content_type = page
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/ion+json"),
        "{content_type}"
    );
    (
        page.status,
        serde_json::from_str(&page.body).unwrap_or(Value::Null),
    )
}

fn form<'d>(doc: &'d Value, name: &str) -> &'d Value {
    doc["remediation"]["value"]
        .as_array()
        .and_then(|v| v.iter().find(|r| r["name"] == name))
        .unwrap_or(&Value::Null)
}

/// The stateToken in the page script, with Okta's `\x2D` escapes undone.
fn state_token(page: &str) -> String {
    let start = page.find("var stateToken = '").map(|i| i + 18).unwrap_or(0);
    let end = page[start..].find('\'').map_or(start, |i| start + i);
    page[start..end].replace("\\x2D", "-")
}

#[tokio::test]
async fn okta_idx_emulator_signs_in_as_the_widget_does() {
    let org = org(OktaFactor::Totp {
        provider: "OKTA".into(),
        code: "123456".into(),
    });
    let c = browser();
    let app = fetch(c.get(org.app_url())).await;
    assert_eq!(app.status, 302);
    let page = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    assert!(
        page.body.contains("\\x2D"),
        "the token is escaped as Okta writes it"
    );
    let token = state_token(&page.body);
    assert!(token.starts_with("02.id."), "{token}");

    let (status, doc) = idx(
        &c,
        &org,
        "/idp/idx/introspect",
        json!({ "stateToken": token }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(doc["version"], "1.0.0");
    assert_eq!(doc["stateHandle"], token.as_str());
    let identify = form(&doc, "identify");
    assert!(
        identify["href"]
            .as_str()
            .unwrap_or("")
            .ends_with("/idp/idx/identify")
    );
    let names: Vec<&str> = identify["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["identifier", "credentials", "rememberMe", "stateHandle"]
    );

    // A wrong password: HTTP 401, an IDX document with Okta's message, the form again.
    let wrong = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "no" }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/identify", wrong).await;
    assert_eq!(status, 401);
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "Password is incorrect"
    );
    assert_eq!(doc["messages"]["value"][0]["class"], "ERROR");
    assert!(!form(&doc, "identify").is_null());

    let right = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "pw" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/identify", right).await;
    let select = form(&doc, "select-authenticator-authenticate");
    let option = &select["value"][0]["options"][0];
    let related = option["relatesTo"].as_str().unwrap_or("");
    assert_eq!(related, "$.authenticatorEnrollments.value[0]");
    assert_eq!(
        doc["authenticatorEnrollments"]["value"][0]["key"],
        "okta_verify"
    );
    let id = option["value"]["form"]["value"][0]["value"].clone();

    let pick = json!({ "authenticator": { "id": id, "methodType": "totp" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    assert!(!form(&doc, "challenge-authenticator").is_null());
    assert_eq!(
        doc["currentAuthenticatorEnrollment"]["value"]["key"],
        "okta_verify"
    );

    let bad = json!({ "credentials": { "passcode": "000000" }, "stateHandle": token });
    let (status, doc) = idx(&c, &org, "/idp/idx/challenge/answer", bad).await;
    assert_eq!(status, 400);
    let field = &form(&doc, "challenge-authenticator")["value"][0]["form"]["value"][0];
    assert_eq!(
        field["messages"]["value"][0]["message"],
        "Invalid code. Try again."
    );

    let good = json!({ "credentials": { "passcode": "123456" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge/answer", good).await;
    let href = doc["success"]["href"].as_str().unwrap_or("").to_string();
    assert!(href.contains("/login/token/redirect?stateToken="), "{doc}");

    let redirect = fetch(c.get(&href)).await;
    assert_eq!(redirect.status, 302);
    assert!(set_cookies(&redirect).iter().any(|c| c.starts_with("sid=")));
    let app = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    assert!(app.body.contains("name=\"SAMLResponse\""), "{}", app.body);
    // The success link is good once.
    assert_eq!(fetch(c.get(&href)).await.status, 403);
}

#[tokio::test]
async fn okta_idx_emulator_polls_a_push_at_its_pace_and_tells_a_rejection() {
    let org = org(OktaFactor::Push {
        polls: 2,
        outcome: PushOutcome::Reject,
        number: Some(17),
    });
    let c = browser();
    let page = fetch(c.get(format!(
        "{}{}",
        org.base, "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml"
    )))
    .await;
    let token = state_token(&page.body);
    let right = json!({ "identifier": "ida@corp.example", "credentials": { "passcode": "pw" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/identify", right).await;
    let id =
        form(&doc, "select-authenticator-authenticate")["value"][0]["options"][0]["value"]["form"]
            ["value"][0]["value"]
            .clone();
    let pick = json!({ "authenticator": { "id": id, "methodType": "push" }, "stateHandle": token });
    let (_, doc) = idx(&c, &org, "/idp/idx/challenge", pick).await;
    let poll = form(&doc, "challenge-poll");
    assert_eq!(poll["refresh"], 4000);
    assert_eq!(
        doc["currentAuthenticator"]["value"]["contextualData"]["correctAnswer"],
        17
    );
    let (_, doc) = idx(
        &c,
        &org,
        "/idp/idx/authenticators/poll",
        json!({ "stateHandle": token }),
    )
    .await;
    assert!(!form(&doc, "challenge-poll").is_null());
    let (_, doc) = idx(
        &c,
        &org,
        "/idp/idx/authenticators/poll",
        json!({ "stateHandle": token }),
    )
    .await;
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "You have chosen to reject this login."
    );
    assert!(form(&doc, "challenge-poll").is_null());

    // An unknown state handle: 401, Okta's words.
    let (status, doc) = idx(
        &c,
        &org,
        "/idp/idx/introspect",
        json!({ "stateToken": "02.nope" }),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        doc["messages"]["value"][0]["message"],
        "The session has expired."
    );
}
