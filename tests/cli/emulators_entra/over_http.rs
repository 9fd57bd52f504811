//! The Entra emulator's JSON endpoints and form posts over plain HTTP, as its script makes them.

use super::{tenant, user};
use samlbridge_emulators::entra::{EntraEmulator, pages};
use samlbridge_emulators::saml;
use serde_json::{Value, json};
use std::time::Duration;

/// The `$Config` object embedded in a page.
fn config_of(html: &str) -> Value {
    let start = html.find("$Config=").expect("$Config") + "$Config=".len();
    let end = html[start..].find(";\n//]]>").expect("end of $Config") + start;
    serde_json::from_str(&html[start..end]).expect("$Config is JSON")
}

async fn first_page(client: &reqwest::Client, idp: &EntraEmulator) -> Value {
    let page = client.get(idp.sign_in_url()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("<form") && !html.contains("loginfmt"),
        "{html}"
    );
    assert!(html.contains("<title>Sign in to your account</title>"));
    config_of(&html)
}

/// A cookie jar that follows redirects, as a browser does.
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn post_json(c: &reqwest::Client, url: &str, body: &Value) -> Value {
    let answer = c
        .post(url)
        .header("Content-Type", "application/json; charset=UTF-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    serde_json::from_str(&answer.text().await.unwrap()).expect("a JSON answer")
}

#[tokio::test]
async fn entra_credential_type_knows_unknown_federated_and_passkey_accounts() {
    let idp = EntraEmulator::start(
        tenant().user(user("fed@fabrikam.example").federated("http://127.0.0.1:9/adfs/ls/")),
    );
    let c = client();
    let mut config = first_page(&c, &idp).await;
    assert_eq!(config["pgid"], "ConvergedSignIn");
    assert!(config["iMaxStackForKnockoutAsyncComponents"].is_number());
    let base = idp.server().base_url();
    let mut ask = async |name: &str| -> Value {
        let body = json!({"username": name, "originalRequest": config["sCtx"], "flowToken": config["sFT"]});
        let answer = post_json(
            &c,
            &format!("{base}/common/GetCredentialType?mkt=en-US"),
            &body,
        )
        .await;
        config["sFT"] = answer["FlowToken"].clone();
        answer
    };
    assert_eq!(ask("nobody@corp.example").await["IfExistsResult"], 1);
    let alice = ask("ALICE@corp.example").await;
    assert_eq!(
        (
            alice["IfExistsResult"].clone(),
            alice["Credentials"]["HasPassword"].clone()
        ),
        (json!(0), json!(true))
    );
    let kim = ask("kim@corp.example").await;
    assert_eq!(kim["Credentials"]["HasPassword"], false);
    assert!(kim["Credentials"]["FidoParams"]["Challenge"].is_string());
    let fed = ask("fed@fabrikam.example").await;
    let url = fed["Credentials"]["FederationRedirectUrl"]
        .as_str()
        .unwrap_or_default();
    assert!(
        url.starts_with(
            "http://127.0.0.1:9/adfs/ls/?username=fed%40fabrikam.example&wa=wsignin1.0"
        ),
        "{url}"
    );
    // an old flow token is refused
    let stale = json!({"username": "alice@corp.example", "originalRequest": config["sCtx"], "flowToken": "old"});
    let answer = post_json(&c, &format!("{base}/common/GetCredentialType"), &stale).await;
    assert!(
        answer["ErrorHTML"]
            .as_str()
            .unwrap_or_default()
            .contains("AADSTS90100")
    );
}

#[tokio::test]
async fn entra_unknown_app_and_tenant_are_aadsts_errors() {
    let idp = EntraEmulator::start(tenant());
    let c = client();
    let base = idp.server().base_url();
    let app = c
        .get(format!(
            "{base}/api/signin/00000000-0000-0000-0000-000000000000?tenantId=x"
        ))
        .send()
        .await
        .unwrap();
    assert!(app.text().await.unwrap().contains("AADSTS700016"));
    let tenant = c
        .get(format!("{base}/not-a-tenant/saml2"))
        .send()
        .await
        .unwrap();
    assert!(tenant.text().await.unwrap().contains("AADSTS90002"));
}

async fn post_form(
    c: &reqwest::Client,
    url: &str,
    pairs: &[(&str, &str)],
) -> (Vec<String>, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let answer = c
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let cookies = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    (cookies, answer.text().await.unwrap())
}

/// Username and password posted as the page's form would; the next page's HTML and cookies.
async fn password_post(
    c: &reqwest::Client,
    idp: &EntraEmulator,
    url: &str,
    password: &str,
) -> (Vec<String>, String) {
    let page = c.get(url).send().await.unwrap().text().await.unwrap();
    let config = config_of(&page);
    let login = format!(
        "{}{}",
        idp.server().base_url(),
        config["urlPost"].as_str().unwrap()
    );
    let (ctx, ft) = (
        config["sCtx"].as_str().unwrap(),
        config["sFT"].as_str().unwrap(),
    );
    let fields = [
        ("login", "alice@corp.example"),
        ("loginfmt", "alice@corp.example"),
        ("passwd", password),
        ("type", "11"),
        ("ctx", ctx),
        ("flowToken", ft),
        ("LoginOptions", "3"),
    ];
    post_form(c, &login, &fields).await
}

#[tokio::test]
async fn entra_dont_show_again_skips_the_question_and_only_yes_sets_a_persistent_cookie() {
    let idp = EntraEmulator::start(tenant());
    let c = client();
    let (_, kmsi) = password_post(&c, &idp, &idp.sign_in_url(), "Corr3ct-horse").await;
    let config = config_of(&kmsi);
    assert_eq!(config["pgid"], "KmsiInterrupt");
    let fields = [
        ("LoginOptions", "1"),
        ("type", "28"),
        ("DontShowAgain", "true"),
        ("ctx", config["sCtx"].as_str().unwrap()),
        ("flowToken", config["sFT"].as_str().unwrap()),
    ];
    let (cookies, done) =
        post_form(&c, &format!("{}/kmsi", idp.server().base_url()), &fields).await;
    assert!(
        done.contains(&format!("action=\"{}\"", saml::AWS_SIGNIN)),
        "{done}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("ESTSAUTH=") && !c.contains("expires")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("ESTSAUTHPERSISTENT=") && c.contains("expires=")),
        "{cookies:?}"
    );

    // a stale flow token is Entra's AADSTS90100, not a sign-in
    let (_, stale) = post_form(&c, &format!("{}/kmsi", idp.server().base_url()), &fields).await;
    assert!(stale.contains("AADSTS90100"), "{stale}");

    // the next sign-in, asked with prompt=login, skips "Stay signed in?" as answered before
    let again = format!("{}&prompt=login", idp.sign_in_url());
    let (cookies, done) = password_post(&c, &idp, &again, "Corr3ct-horse").await;
    assert!(done.contains("SAMLResponse"), "{done}");
    assert!(
        cookies.iter().any(|c| c.starts_with("ESTSAUTHPERSISTENT=")),
        "{cookies:?}"
    );
    assert_eq!(idp.kmsi_answers().len(), 1);
    assert_eq!(idp.sign_ins().len(), 2);

    // and a wrong password earns 50126 in $Config, with no cookie
    let (cookies, refused) = password_post(&c, &idp, &again, "wrong").await;
    let config = config_of(&refused);
    assert_eq!(
        (config["sErrorCode"].as_str(), config["sErrTxt"].as_str()),
        (Some("50126"), Some(pages::WRONG_PASSWORD))
    );
    assert!(cookies.is_empty(), "{cookies:?}");
}

/// "Stay signed in?" answered `answer`; then whether the session still signs in silently right
/// away and after the session cookie's lifetime.
async fn silent_before_and_after_the_session_lifetime(answer: &str) -> (bool, bool) {
    let idp = EntraEmulator::start(tenant().session_cookie_lifetime(Duration::from_millis(400)));
    let c = client();
    let (_, kmsi) = password_post(&c, &idp, &idp.sign_in_url(), "Corr3ct-horse").await;
    let config = config_of(&kmsi);
    let fields = [
        ("LoginOptions", answer),
        ("type", "28"),
        ("ctx", config["sCtx"].as_str().unwrap()),
        ("flowToken", config["sFT"].as_str().unwrap()),
    ];
    let (_, done) = post_form(&c, &format!("{}/kmsi", idp.server().base_url()), &fields).await;
    assert!(done.contains("SAMLResponse"), "{done}");
    let silent = async || {
        let page = c.get(idp.sign_in_url()).send().await.unwrap();
        page.text().await.unwrap().contains("SAMLResponse")
    };
    let before = silent().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    (before, silent().await)
}

#[tokio::test]
async fn entra_a_session_cookie_ends_with_its_lifetime_and_a_persistent_one_does_not() {
    assert_eq!(
        silent_before_and_after_the_session_lifetime("3").await,
        (true, false)
    );
    assert_eq!(
        silent_before_and_after_the_session_lifetime("1").await,
        (true, true)
    );
}
