//! The emulators themselves, driven over HTTP the way a browser and an AWS client would: if they
//! drift from how AD FS and STS behave, every end-to-end test built on them is worthless.

use crate::support::adfs::{AdfsConfig, AdfsEmulator, AdfsUser, pages};
use crate::support::http::{HttpRequest, HttpResponse, TestServer};
use crate::support::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use crate::support::sts::sigv4::{self, SigningKeys};
use crate::support::sts::{StsConfig, StsEmulator, StsRole};
use crate::world::{self, ALICE, BOB, DANA, DANA_CODE, ERIN};
use base64::Engine as _;
use std::sync::Arc;
use std::time::Duration;

fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => panic!("reqwest client: {e}"),
    }
}

struct Page {
    status: u16,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn fetch(req: reqwest::RequestBuilder) -> Page {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    Page {
        status: resp.status().as_u16(),
        url: resp.url().to_string(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap_or_default(),
    }
}

/// `attr` of the first element matching `selector`, entities decoded.
fn attr(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(String::from)
}

fn count(html: &str, selector: &str) -> usize {
    let doc = scraper::Html::parse_document(html);
    match scraper::Selector::parse(selector) {
        Ok(sel) => doc.select(&sel).count(),
        Err(_) => 0,
    }
}

fn set_cookies(page: &Page) -> Vec<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect()
}

fn absolute(base: &str, location: &str) -> String {
    match url::Url::parse(base).and_then(|b| b.join(location)) {
        Ok(u) => u.to_string(),
        Err(e) => panic!("cannot resolve {location} against {base}: {e}"),
    }
}

/// Posts `fields` to the page's `form#loginForm` action, as a browser would.
async fn submit(client: &reqwest::Client, page: &Page, form: &str, fields: &[(&str, &str)]) -> Page {
    let action = attr(&page.body, &format!("form#{form}"), "action").unwrap_or_default();
    fetch(client.post(absolute(&page.url, &action)).form(fields)).await
}

#[tokio::test]
async fn adfs_signs_in_with_a_form_then_a_redirect_then_the_working_page() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices&amp;client-request-id="));
    assert_eq!(count(&login.body, "input[name=UserName]"), 2, "login form + hidden options form");
    assert_eq!(count(&login.body, "form#options input[name=UserName][type=hidden]"), 1);
    assert_eq!(count(&login.body, "span#submitButton"), 1);
    assert!(set_cookies(&login).iter().any(|c| c.starts_with("MSISContext=") && !c.contains("Secure")));

    let fields = [("UserName", ALICE.username), ("Password", ALICE.password), ("AuthMethod", "FormsAuthentication")];
    let redirect = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(redirect.status, 302, "{}", redirect.body);
    assert!(set_cookies(&redirect).iter().any(|c| c.starts_with("MSISAuth=")));
    let location = redirect.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(location.starts_with("/adfs/ls/IdpInitiatedSignOn.aspx?"), "relative Location: {location}");

    let working = fetch(c.get(absolute(&redirect.url, location))).await;
    assert!(working.body.contains("<title>Working...</title>"));
    assert_eq!(attr(&working.body, "form[name=hiddenform]", "action").as_deref(), Some("https://signin.aws.amazon.com:443/saml"));
    let value = attr(&working.body, "input[name=SAMLResponse]", "value").unwrap_or_default();
    assert!(value.contains("\r\n"), "the base64 is line-wrapped");
    let flat: String = value.split_whitespace().collect();
    assert_eq!(idp.issued_assertions(), vec![flat.clone()]);
    let xml = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&flat).unwrap_or_default()).unwrap_or_default();
    let parsed = saml::parse_response(&xml).unwrap_or_default();
    assert_eq!(parsed.role_pairs(), vec![(world::GATEWAY_ADMIN.to_string(), world::PROVIDER.to_string())]);
    assert_eq!(parsed.first(saml::SESSION_NAME_ATTR), Some(ALICE.username));
    assert_eq!(parsed.first(saml::SESSION_DURATION_ATTR), Some("28800"));
    assert_eq!(parsed.destination.as_deref(), Some(saml::AWS_SIGNIN));
    assert_eq!(parsed.recipient.as_deref(), Some(saml::AWS_SIGNIN));
    assert!(parsed.not_on_or_after.is_some_and(|t| t > time::OffsetDateTime::now_utc()));

    let again = fetch(c.get(idp.sign_in_url())).await;
    assert!(again.body.contains("name=\"SAMLResponse\""), "the session cookie skips the form");
    assert_eq!(idp.issued_assertions().len(), 2);
}

#[tokio::test]
async fn adfs_answers_a_wrong_password_with_its_own_words() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [("UserName", ALICE.username), ("Password", "nope"), ("AuthMethod", "FormsAuthentication")];
    let again = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains(pages::WRONG_PASSWORD));
    assert!(again.body.contains("id=\"errorText\""));
    assert!(!set_cookies(&again).iter().any(|c| c.starts_with("MSISAuth=")));
}

#[tokio::test]
async fn adfs_rejects_the_options_forms_username_and_a_missing_context_cookie() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let twice = [("UserName", ALICE.username), ("Password", ALICE.password), ("AuthMethod", "FormsAuthentication"), ("UserName", "")];
    let dup = submit(&c, &login, "loginForm", &twice).await;
    assert!(dup.body.contains(pages::ERROR_PAGE_TEXT) && dup.body.contains("Duplicate post parameter"));

    let cookieless = browser();
    let fields = [("UserName", ALICE.username), ("Password", ALICE.password), ("AuthMethod", "FormsAuthentication")];
    let lost = submit(&cookieless, &login, "loginForm", &fields).await;
    assert!(lost.body.contains(pages::ERROR_PAGE_TEXT), "{}", lost.body);
    assert!(idp.issued_assertions().is_empty());
}

#[tokio::test]
async fn adfs_asks_for_a_verification_code_bound_to_its_context() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [("UserName", DANA.username), ("Password", DANA.password), ("AuthMethod", "FormsAuthentication")];
    let mfa = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(count(&mfa.body, "input[name=VerificationCode]"), 1, "{}", mfa.body);
    let context = attr(&mfa.body, "input[name=Context]", "value").unwrap_or_default();
    let method = attr(&mfa.body, "form#loginForm input[name=AuthMethod]", "value").unwrap_or_default();
    assert_eq!(method, "AzureMfaAuthentication");

    let wrong = [("AuthMethod", method.as_str()), ("Context", context.as_str()), ("VerificationCode", "000000")];
    let retry = submit(&c, &mfa, "loginForm", &wrong).await;
    assert!(retry.body.contains(pages::WRONG_CODE));

    let no_context = [("AuthMethod", method.as_str()), ("VerificationCode", DANA_CODE)];
    let broken = submit(&c, &mfa, "loginForm", &no_context).await;
    assert!(broken.body.contains(pages::ERROR_PAGE_TEXT));

    let right = [("AuthMethod", method.as_str()), ("Context", context.as_str()), ("VerificationCode", DANA_CODE)];
    let done = submit(&c, &retry, "loginForm", &right).await;
    assert_eq!(done.status, 302, "{}", done.body);
}

#[tokio::test]
async fn adfs_2019_paginated_asks_the_username_then_the_password() {
    let idp = AdfsEmulator::start(world::users().paginated());
    let c = browser();
    let first = fetch(c.get(idp.sign_in_url())).await;
    assert_eq!(count(&first.body, "form#loginFormPaginated input[name=UserName]"), 1);
    assert_eq!(count(&first.body, "input[name=Password]"), 0);
    let bad = submit(&c, &first, "loginFormPaginated", &[("UserName", "alice"), ("AuthMethod", "FormsAuthentication")]).await;
    assert!(bad.body.contains("user@domain"));
    let second = submit(&c, &first, "loginFormPaginated", &[("UserName", ALICE.username), ("AuthMethod", "FormsAuthentication")]).await;
    assert_eq!(count(&second.body, "form#loginForm input[name=Password]"), 1, "{}", second.body);
    let carried = attr(&second.body, "form#loginForm input[name=UserName]", "value");
    assert_eq!(carried.as_deref(), Some(ALICE.username));
    let fields = [("UserName", ALICE.username), ("Password", ALICE.password), ("AuthMethod", "FormsAuthentication")];
    let done = submit(&c, &second, "loginForm", &fields).await;
    assert_eq!(done.status, 302, "{}", done.body);
}

#[tokio::test]
async fn adfs_can_answer_with_a_page_nobody_expects() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [("UserName", ERIN.username), ("Password", ERIN.password), ("AuthMethod", "FormsAuthentication")];
    let page = submit(&c, &login, "loginForm", &fields).await;
    assert!(page.body.contains("<title>Scheduled maintenance</title>"));
    assert_eq!(count(&page.body, "form"), 0);
}

fn assertion_for(roles: Vec<SamlRole>, style: XmlStyle) -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "http://adfs.corp.example/adfs/services/trust".into(),
        name_id: "CORP\\bob".into(),
        session_name: Some(BOB.username.into()),
        roles,
        session_duration: Some(28800),
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style,
    });
    saml::encode(&xml, None)
}

/// The text of the first `<tag>` in an XML answer.
pub fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].to_string())
}

async fn sts_post(endpoint: &str, form: &[(&str, &str)], signed_by: Option<&SigningKeys>) -> Page {
    let c = browser();
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut req = c.post(format!("{endpoint}/")).body(body.clone());
    let host = endpoint.trim_start_matches("http://");
    match signed_by {
        Some(keys) => {
            for (k, v) in sigv4::sign_post(keys, host, "/", body.as_bytes(), "eu-west-1", time::OffsetDateTime::now_utc()) {
                req = req.header(k, v);
            }
        }
        None => req = req.header("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
    }
    fetch(req).await
}

fn keys_of(body: &str) -> SigningKeys {
    SigningKeys {
        access_key_id: xml_text(body, "AccessKeyId").unwrap_or_default(),
        secret_access_key: xml_text(body, "SecretAccessKey").unwrap_or_default(),
        session_token: xml_text(body, "SessionToken"),
    }
}

async fn gateway_session(sts: &StsEmulator) -> SigningKeys {
    let assertion = assertion_for(vec![SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)], XmlStyle::SamlPrefix);
    let form = [
        ("Action", "AssumeRoleWithSAML"), ("Version", "2011-06-15"), ("RoleArn", world::GATEWAY_ADMIN),
        ("PrincipalArn", world::PROVIDER), ("SAMLAssertion", assertion.as_str()), ("DurationSeconds", "28800"),
    ];
    let page = sts_post(&sts.endpoint(), &form, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    keys_of(&page.body)
}

#[tokio::test]
async fn sts_assumes_a_saml_role_only_within_the_assertion_and_the_roles_maximum() {
    let sts = StsEmulator::start(world::roles());
    let bob_roles = vec![
        SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER),
        SamlRole::new(world::GATEWAY_READONLY, world::PROVIDER).provider_first(),
    ];
    let assertion = assertion_for(bob_roles, XmlStyle::AdfsDefaultNamespace);
    let ask = |role: &'static str, duration: &'static str| {
        let a = assertion.clone();
        let endpoint = sts.endpoint();
        async move {
            let form = [("Action", "AssumeRoleWithSAML"), ("Version", "2011-06-15"), ("RoleArn", role),
                ("PrincipalArn", world::PROVIDER), ("SAMLAssertion", a.as_str()), ("DurationSeconds", duration)];
            sts_post(&endpoint, &form, None).await
        }
    };
    let ok = ask(world::GATEWAY_READONLY, "3600").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.starts_with("<AssumeRoleWithSAMLResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
    assert!(ok.body.contains("<RequestId>") && ok.body.contains("<AssumedRoleUser>"));
    let issued = sts.session(&keys_of(&ok.body).access_key_id);
    assert!(issued.as_ref().is_some_and(|s| s.session_name == BOB.username && s.duration_seconds == 3600));

    let too_long = ask(world::GATEWAY_READONLY, "28800").await;
    assert_eq!(too_long.status, 400);
    assert_eq!(xml_text(&too_long.body, "Code").as_deref(), Some("ValidationError"));
    assert_eq!(xml_text(&too_long.body, "Message").as_deref(), Some("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
    assert!(too_long.body.contains("<ErrorResponse") && too_long.body.contains("<Type>Sender</Type>"));

    let not_offered = ask(world::PROD_ADMINS, "3600").await;
    assert_eq!((not_offered.status, xml_text(&not_offered.body, "Code").as_deref()), (403, Some("AccessDenied")));

    let wrapped = saml::encode(&String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(&assertion).unwrap_or_default()), Some(76));
    let form = [("Action", "AssumeRoleWithSAML"), ("RoleArn", world::GATEWAY_ADMIN), ("PrincipalArn", world::PROVIDER), ("SAMLAssertion", wrapped.as_str())];
    let spaced = sts_post(&sts.endpoint(), &form, None).await;
    assert_eq!(xml_text(&spaced.body, "Code").as_deref(), Some("InvalidIdentityToken"));
}

#[tokio::test]
async fn sts_chains_only_signed_calls_from_trusted_sessions_for_an_hour_at_most() {
    let sts = StsEmulator::start(world::roles());
    let gateway = gateway_session(&sts).await;
    let endpoint = sts.endpoint();
    let hop = |role: &'static str, duration: &'static str, external: Option<&'static str>| {
        let mut form = vec![("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", role),
            ("RoleSessionName", "bob@corp.example"), ("DurationSeconds", duration)];
        if let Some(id) = external {
            form.push(("ExternalId", id));
        }
        form
    };
    let code = |p: &Page| (p.status, xml_text(&p.body, "Code").unwrap_or_default());

    let unsigned = sts_post(&endpoint, &hop(world::PROD_ADMINS, "3600", None), None).await;
    assert_eq!(code(&unsigned), (403, "MissingAuthenticationToken".into()));
    let stranger = SigningKeys { access_key_id: "ASIAUNKNOWNUNKNOWN00".into(), ..gateway.clone() };
    let unknown = sts_post(&endpoint, &hop(world::PROD_ADMINS, "3600", None), Some(&stranger)).await;
    assert_eq!(code(&unknown), (403, "InvalidClientTokenId".into()));
    let forged = SigningKeys { secret_access_key: "not-the-secret".into(), ..gateway.clone() };
    let bad_sig = sts_post(&endpoint, &hop(world::PROD_ADMINS, "3600", None), Some(&forged)).await;
    assert_eq!(code(&bad_sig), (403, "SignatureDoesNotMatch".into()));

    let too_long = sts_post(&endpoint, &hop(world::STAGING_DEPLOYER, "7200", None), Some(&gateway)).await;
    assert_eq!(code(&too_long), (400, "ValidationError".into()));
    assert_eq!(xml_text(&too_long.body, "Message").as_deref(), Some("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."));

    let no_external = sts_post(&endpoint, &hop(world::AUDITOR, "3600", None), Some(&gateway)).await;
    assert_eq!(code(&no_external), (403, "AccessDenied".into()));
    let audited = sts_post(&endpoint, &hop(world::AUDITOR, "3600", Some(world::AUDIT_EXTERNAL_ID)), Some(&gateway)).await;
    assert_eq!(audited.status, 200, "{}", audited.body);

    let untrusted = sts_post(&endpoint, &hop(world::PROD_READONLY, "3600", None), Some(&gateway)).await;
    assert_eq!(code(&untrusted), (403, "AccessDenied".into()));
    let prod = sts_post(&endpoint, &hop(world::PROD_ADMINS, "3600", None), Some(&gateway)).await;
    assert_eq!(prod.status, 200, "{}", prod.body);
    let deeper = sts_post(&endpoint, &hop(world::PROD_READONLY, "900", None), Some(&keys_of(&prod.body))).await;
    assert_eq!(deeper.status, 200, "{}", deeper.body);

    let last = sts.calls().pop().unwrap_or_default();
    assert_eq!(last.source_key_id, Some(keys_of(&prod.body).access_key_id));
    assert_eq!(last.duration_seconds, Some(900));
}

#[tokio::test]
async fn sts_throttles_the_first_calls_and_counts_calls_in_flight() {
    let config = StsConfig::default()
        .role(StsRole::new(world::GATEWAY_ADMIN))
        .latency(Duration::from_millis(300))
        .throttle_first(1);
    let sts = StsEmulator::start(config);
    let form = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
    let endpoint = sts.endpoint();
    let (a, b, c) = tokio::join!(
        sts_post(&endpoint, &form, None),
        sts_post(&endpoint, &form, None),
        sts_post(&endpoint, &form, None)
    );
    let mut codes: Vec<String> = [a, b, c].iter().filter_map(|p| xml_text(&p.body, "Code")).collect();
    codes.sort();
    assert_eq!(codes, ["MissingAuthenticationToken", "MissingAuthenticationToken", "Throttling"]);
    assert_eq!(sts.max_in_flight(), 3);
}

#[test]
fn sigv4_reproduces_the_example_in_aws_documentation() {
    let headers = vec![
        ("Content-Type".to_string(), "application/x-www-form-urlencoded; charset=utf-8".to_string()),
        ("Host".to_string(), "iam.amazonaws.com".to_string()),
        ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
    ];
    let signed: Vec<String> = ["content-type", "host", "x-amz-date"].map(String::from).to_vec();
    let canonical = sigv4::canonical_request("GET", "/", "Action=ListUsers&Version=2010-05-08", &headers, &signed, &sigv4::sha256_hex(b""));
    assert_eq!(sigv4::sha256_hex(canonical.as_bytes()), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    let signature = sigv4::signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", "us-east-1", "iam", &canonical);
    assert_eq!(signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

#[test]
fn saml_reader_is_namespace_aware_and_refuses_doctypes() {
    let roles = vec![SamlRole::new(world::OTHER_READONLY, world::PROVIDER).spaced().provider_first()];
    for style in [XmlStyle::AdfsDefaultNamespace, XmlStyle::SamlPrefix] {
        let xml = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(assertion_for(roles.clone(), style)).unwrap_or_default()).unwrap_or_default();
        let parsed = saml::parse_response(&xml).unwrap_or_default();
        assert_eq!(parsed.role_pairs(), vec![(world::OTHER_READONLY.to_string(), world::PROVIDER.to_string())], "{style:?}");
        assert_eq!(parsed.name_id.as_deref(), Some("CORP\\bob"));
    }
    let evil = "<!DOCTYPE r [<!ENTITY x \"y\">]><r/>";
    assert!(saml::parse_response(evil).is_err());
}

#[test]
#[should_panic(expected = "was never hit")]
fn a_server_nobody_called_fails_its_test() {
    let handler = Arc::new(|_: &HttpRequest| HttpResponse::html(200, ""));
    let _server = TestServer::start("idle server", handler);
}

#[test]
#[should_panic(expected = "must not have been hit")]
fn a_server_that_must_stay_unused_fails_its_test_when_called() {
    let idp = AdfsEmulator::start(AdfsConfig::default().user(AdfsUser::new("x@y", "z")));
    idp.expect_unused();
    let _ = std::net::TcpStream::connect(idp.server().addr()).and_then(|mut s| {
        use std::io::{Read, Write};
        s.write_all(b"GET /adfs/ls/IdpInitiatedSignOn.aspx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf)
    });
}
