use super::emulator::{OktaEmulator, OktaFactor, OktaUser, PushOutcome};
use super::*;
use crate::error::ExitKind;
use crate::idp::testidp::{Reply, TestIdp};
use std::sync::{Arc, Mutex};

/// An Okta-issued Response for the AWS app: one role, a session name.
const SAML_XML: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id1" Version="2.0" Destination="https://signin.aws.amazon.com/saml"><saml:Issuer>http://www.okta.com/exk1sb2aws3okta4emu</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="id2" Version="2.0"><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::111111111111:role/OktaAdmins,arn:aws:iam::111111111111:saml-provider/Okta</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>dana@corp.example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#;
const USER: &str = "dana@corp.example";
const PASSWORD: &str = "Okta-Pass-7!";

/// Answers from a script, recording what was asked and shown.
#[derive(Default)]
struct Scripted {
    password: String,
    codes: Vec<String>,
    asked: Vec<String>,
    notices: Vec<String>,
}

impl LoginAnswers for Scripted {
    fn username(&mut self) -> Result<String, IdpError> {
        self.asked.push("username".into());
        Ok(USER.into())
    }
    fn password(&mut self) -> Result<Secret, IdpError> {
        self.asked.push("password".into());
        Ok(Secret::new(self.password.clone()))
    }
    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        self.asked.push(format!("code: {label}"));
        if self.codes.is_empty() {
            return Err(IdpError::NeedsPerson {
                host: "test".into(),
                what: "a code".into(),
                next: "none left".into(),
            });
        }
        Ok(Secret::new(self.codes.remove(0)))
    }
    fn has_mfa_code(&self) -> bool {
        !self.codes.is_empty()
    }
    fn notice(&mut self, message: &str) {
        self.notices.push(message.to_string());
    }
}

fn answers(password: &str, codes: &[&str]) -> Scripted {
    Scripted {
        password: password.into(),
        codes: codes.iter().map(|c| c.to_string()).collect(),
        ..Scripted::default()
    }
}

fn org(factors: Vec<OktaFactor>) -> OktaEmulator {
    let mut user = OktaUser::new(USER, PASSWORD);
    user.factors = factors;
    OktaEmulator::start(vec![user], SAML_XML)
}

fn totp(code: &str) -> OktaFactor {
    OktaFactor::Totp {
        provider: "GOOGLE".into(),
        code: code.into(),
    }
}

fn push(polls: usize, outcome: PushOutcome, number: Option<u32>) -> OktaFactor {
    OktaFactor::Push {
        polls,
        outcome,
        number,
    }
}

const FAST: Timing = Timing {
    poll_interval: Duration::from_millis(10),
    push_timeout: Duration::from_secs(10),
};

async fn sign_in(
    okta: &OktaEmulator,
    a: &mut Scripted,
    factor: Option<&str>,
    timing: Timing,
) -> Result<SamlAssertion, IdpError> {
    let req = LoginRequest {
        url: okta.app_url(),
        provider: Some("okta".into()),
        mfa_factor: factor.map(str::to_string),
        ..LoginRequest::default()
    };
    let session = IdpSession::new(&req)?;
    login_with(&session, &req, a, timing).await
}

fn rejected(result: Result<SamlAssertion, IdpError>) -> String {
    match result {
        Err(IdpError::Rejected { host, message }) => {
            assert_eq!(host, "127.0.0.1");
            message
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn password_only_posts_json_and_reads_the_saml_response_off_the_app_page() {
    let okta = org(Vec::new());
    let mut a = answers(PASSWORD, &[]);
    let req = LoginRequest {
        url: okta.app_url(),
        provider: Some("okta".into()),
        ..LoginRequest::default()
    };
    // Through the public entry point: the provider name sends it to this module.
    let assertion = crate::idp::login(&req, &mut a).await.unwrap();
    assert_eq!(assertion.base64().expose(), okta.saml_response());
    let claims = crate::saml::parse(&assertion, "127.0.0.1").unwrap();
    assert_eq!(claims.roles[0].role_name(), "OktaAdmins");
    assert_eq!(a.asked, ["username", "password"]);

    let hits = okta.hits();
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/authn",
            "/login/sessionCookieRedirect",
            emulator::APP_PATH,
            emulator::APP_SSO_PATH
        ]
    );
    let authn = &hits[0];
    assert_eq!(authn.content_type, "application/json");
    assert_eq!(authn.accept, "application/json");
    let body = authn.json();
    assert_eq!(body["username"], USER);
    assert_eq!(body["password"], PASSWORD);
    assert_eq!(body["options"]["warnBeforePasswordExpired"], false);
    assert!(hits[1].query.contains("redirectUrl="), "{}", hits[1].query);
    assert!(
        hits[3].cookie.contains("sid="),
        "the session cookie was not kept"
    );
}

#[tokio::test]
async fn a_wrong_password_is_rejected_in_oktas_words() {
    let okta = org(vec![totp("123456")]);
    let mut a = answers("not-it", &["123456"]);
    let result = sign_in(&okta, &mut a, None, FAST).await;
    let err_kind = result.as_ref().map_err(IdpError::exit_kind).err();
    assert_eq!(rejected(result), "Authentication failed");
    assert_eq!(err_kind, Some(ExitKind::AuthRejected));
    assert_eq!(okta.hits().len(), 1);
    assert_eq!(a.asked, ["username", "password"]);
}

#[tokio::test]
async fn a_totp_code_at_hand_is_preferred_to_push_and_posted_with_the_state_token() {
    let okta = org(vec![push(1, PushOutcome::Approve, None), totp("123456")]);
    let mut a = answers(PASSWORD, &["123456"]);
    sign_in(&okta, &mut a, None, FAST).await.unwrap();
    assert_eq!(
        a.asked,
        ["username", "password", "code: Google Authenticator code"]
    );
    let api = okta.api_hits();
    assert_eq!(api.len(), 2);
    assert!(api[1].path.ends_with("/verify"), "{}", api[1].path);
    assert!(
        api[1].path.contains("/ost"),
        "not the TOTP factor: {}",
        api[1].path
    );
    let body = api[1].json();
    assert_eq!(body["passCode"], "123456");
    assert!(
        okta.issued_tokens()
            .iter()
            .any(|t| body["stateToken"] == *t)
    );
    assert!(a.notices.is_empty(), "{:?}", a.notices);
}

#[tokio::test]
async fn a_wrong_totp_code_is_rejected_in_oktas_words() {
    let okta = org(vec![totp("123456")]);
    let mut a = answers(PASSWORD, &["000000"]);
    let message = rejected(sign_in(&okta, &mut a, None, FAST).await);
    assert!(message.starts_with("Invalid Passcode/Answer"), "{message}");
    assert!(message.contains("doesn't match our records"), "{message}");
}

#[tokio::test]
async fn push_is_polled_until_approved_and_the_number_is_shown() {
    let okta = org(vec![
        totp("123456"),
        push(2, PushOutcome::Approve, Some(42)),
    ]);
    let mut a = answers(PASSWORD, &[]);
    let assertion = sign_in(&okta, &mut a, None, FAST).await.unwrap();
    assert_eq!(assertion.base64().expose(), okta.saml_response());
    let verify: Vec<_> = okta
        .api_hits()
        .into_iter()
        .filter(|h| h.path.ends_with("/verify"))
        .collect();
    // The verify call, then two polls of the `next` link.
    assert_eq!(verify.len(), 3);
    assert!(verify.iter().all(|h| h.path.contains("/opf")));
    assert!(verify.iter().all(|h| h.json().get("passCode").is_none()));
    assert_eq!(a.notices.len(), 2, "{:?}", a.notices);
    assert!(a.notices[0].contains("approve the sign-in request in Okta Verify on Pixel 8"));
    assert!(a.notices[1].contains("pick 42"), "{:?}", a.notices);
    assert_eq!(a.asked, ["username", "password"]);
}

#[tokio::test]
async fn a_rejected_or_timed_out_push_is_a_refusal() {
    let okta = org(vec![push(1, PushOutcome::Reject, None)]);
    let mut a = answers(PASSWORD, &[]);
    let message = rejected(sign_in(&okta, &mut a, None, FAST).await);
    assert_eq!(message, "the push was rejected");

    let okta = org(vec![push(1, PushOutcome::Timeout, None)]);
    let mut a = answers(PASSWORD, &[]);
    let message = rejected(sign_in(&okta, &mut a, None, FAST).await);
    assert!(message.contains("not answered in time"), "{message}");
}

#[tokio::test]
async fn waiting_for_a_push_is_bounded() {
    let okta = org(vec![push(usize::MAX, PushOutcome::Approve, None)]);
    let mut a = answers(PASSWORD, &[]);
    let timing = Timing {
        poll_interval: Duration::from_millis(20),
        push_timeout: Duration::from_millis(150),
    };
    let message = rejected(sign_in(&okta, &mut a, None, timing).await);
    assert!(message.contains("not approved within"), "{message}");
    let polls = okta.api_hits().len();
    assert!((3..=12).contains(&polls), "{polls} calls");
}

#[tokio::test]
async fn sms_sends_the_code_then_posts_what_the_person_received() {
    let sms = OktaFactor::Sms {
        phone: "+1 XXX-XXX-1337".into(),
        code: "654321".into(),
    };
    let okta = org(vec![push(1, PushOutcome::Approve, None), sms]);
    let mut a = answers(PASSWORD, &["654321"]);
    sign_in(&okta, &mut a, Some("sms"), FAST).await.unwrap();
    let label = "SMS code sent to +1 XXX-XXX-1337";
    assert_eq!(a.asked[2], format!("code: {label}"));
    assert!(a.notices[0].contains(label), "{:?}", a.notices);
    let api = okta.api_hits();
    assert_eq!(api.len(), 3);
    assert!(api[1].json().get("passCode").is_none(), "the send call");
    assert_eq!(api[2].json()["passCode"], "654321");
    assert!(api[2].path.contains("/sms"), "{}", api[2].path);
}

#[tokio::test]
async fn only_factors_a_terminal_cannot_answer_is_a_setup_error_listing_them() {
    let webauthn = OktaFactor::Other {
        factor_type: "webauthn".into(),
        provider: "FIDO".into(),
    };
    let okta = org(vec![webauthn]);
    let mut a = answers(PASSWORD, &["123456"]);
    let err = sign_in(&okta, &mut a, None, FAST).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Usage);
    assert!(err.to_string().contains("webauthn (FIDO)"), "{err}");
}

#[tokio::test]
async fn a_locked_account_is_a_refusal() {
    let mut user = OktaUser::new(USER, PASSWORD);
    user.locked = true;
    let okta = OktaEmulator::start(vec![user], SAML_XML);
    let mut a = answers(PASSWORD, &[]);
    let message = rejected(sign_in(&okta, &mut a, None, FAST).await);
    assert!(message.contains("locked out"), "{message}");
}

#[tokio::test]
async fn an_app_page_without_the_response_is_unexpected_and_named() {
    let okta = org(Vec::new());
    let req = LoginRequest {
        url: okta.app_url(),
        ..LoginRequest::default()
    };
    let session = IdpSession::new(&req).unwrap();
    let app = Url::parse(&okta.app_url()).unwrap();
    let api = OktaApi::new(&session, &app);
    // A token Okta never issued: no cookie, so the app sends the browser to Okta's sign-in page.
    let err = exchange::saml_assertion(&api, &session, &app, Secret::new("bogus"))
        .await
        .unwrap_err();
    let IdpError::UnexpectedPage { title, hint, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(title, "Example Org - Sign In");
    assert!(hint.contains("embed link"), "{hint}");
}

/// What an answer that is not a usable Okta transaction becomes, from an org scripted per test.
async fn odd_answer(status: u16, body: &'static str) -> IdpError {
    let idp = TestIdp::start(move |_| Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    });
    let req = LoginRequest {
        url: idp.url(emulator::APP_PATH),
        provider: Some("okta".into()),
        ..LoginRequest::default()
    };
    let mut a = answers(PASSWORD, &[]);
    let err = crate::idp::login(&req, &mut a).await.unwrap_err();
    assert_eq!(idp.hits().len(), 1);
    err
}

#[tokio::test]
async fn answers_that_are_not_usable_transactions_are_unexpected_and_name_the_endpoint() {
    let cases = [
        (
            200,
            r#"{"status":"UNAUTHENTICATED","stateToken":"00x"}"#,
            "status UNAUTHENTICATED",
        ),
        (200, "<html><title>Maintenance</title></html>", "HTTP 200"),
        (502, "<html>Bad gateway</html>", "HTTP 502"),
        (
            500,
            r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error"}"#,
            "HTTP 500",
        ),
    ];
    for (status, body, title_part) in cases {
        let err = odd_answer(status, body).await;
        assert_eq!(err.exit_kind(), ExitKind::Unexpected, "{err:?}");
        let IdpError::UnexpectedPage { url, title, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(url.ends_with("/api/v1/authn"), "{url}");
        assert!(title.contains(title_part), "{title}");
    }
    let err = odd_answer(
        500,
        r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error"}"#,
    )
    .await;
    assert!(
        err.to_string().contains("E0000009 'Internal Server Error'"),
        "{err}"
    );
}

#[test]
fn links_to_another_host_are_refused() {
    let session = IdpSession::new(&LoginRequest::default()).unwrap();
    let app = Url::parse("https://corp.okta.com/home/amazon_aws/0oa1/272").unwrap();
    let api = OktaApi::new(&session, &app);
    assert_eq!(
        api.url("/api/v1/authn").unwrap().as_str(),
        "https://corp.okta.com/api/v1/authn"
    );
    let err = api.url("https://evil.example/api/v1/authn").unwrap_err();
    assert!(matches!(err, IdpError::UnexpectedPage { .. }), "{err:?}");
}

#[test]
fn okta_is_recognised_by_name_host_or_app_link() {
    let req = |url: &str, provider: Option<&str>| LoginRequest {
        url: url.into(),
        provider: provider.map(str::to_string),
        ..LoginRequest::default()
    };
    for url in [
        "https://corp.okta.com/home/amazon_aws/0oa1/272",
        "https://corp.oktapreview.com/app/amazon_aws/exk1/sso/saml",
        "https://CORP.okta-emea.com/",
        "https://login.corp.example/home/amazon_aws/0oa1/272",
        "https://login.corp.example/app/amazon_aws/exk1/sso/saml",
    ] {
        assert!(applies(&req(url, None)), "{url}");
    }
    for url in [
        "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx",
        "https://notokta.com/home/other/1",
        "https://okta.com.evil.example/",
    ] {
        assert!(!applies(&req(url, None)), "{url}");
    }
    assert!(applies(&req("http://127.0.0.1:9/x", Some("okta"))));
    assert!(!applies(&req("https://corp.okta.com/", Some("generic"))));
    assert!(crate::idp::provider_names().contains(&"okta"));
    let listed = crate::idp::available_providers(None).unwrap();
    assert!(
        listed
            .iter()
            .any(|(n, d)| n == "okta" && d.contains("Okta"))
    );
}

/// At TRACE, the logs follow the steps and never hold the password, the code, Okta's tokens, the
/// session cookie or the assertion.
#[tokio::test]
async fn no_secret_reaches_the_logs() {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let okta = org(vec![totp("246810"), push(2, PushOutcome::Approve, Some(7))]);
    // A scoped subscriber can miss events while other tests register the same call sites (tracing's
    // interest cache): sign in again until the steps were seen, at most 3 times.
    let mut logs = String::new();
    for factor in ["totp", "push", "totp"] {
        tracing::callsite::rebuild_interest_cache();
        let mut a = answers(PASSWORD, &["246810"]);
        sign_in(&okta, &mut a, Some(factor), FAST).await.unwrap();
        logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        if logs.contains("sent the SAMLResponse") && logs.contains("factorResult WAITING") {
            break;
        }
    }
    assert!(
        logs.contains("/api/v1/authn: HTTP 200, status MFA_REQUIRED"),
        "{logs}"
    );
    assert!(logs.contains("sent the SAMLResponse"), "{logs}");
    let mut secrets = okta.issued_tokens();
    assert!(secrets.len() >= 3, "{secrets:?}");
    secrets.extend([PASSWORD.into(), "246810".into()]);
    secrets.push(okta.saml_response()[..24].to_string());
    for secret in secrets {
        assert!(!logs.contains(&secret), "{secret} in logs:\n{logs}");
    }
}

#[test]
fn an_emulator_never_asked_anything_fails_its_test() {
    let unused = std::panic::catch_unwind(|| drop(org(Vec::new())));
    assert!(unused.is_err());
}

/// tests/support/okta.rs (with okta/) is this emulator for the integration tests: the same files.
#[test]
fn the_integration_copy_of_the_emulator_is_identical() {
    let copies = [
        (
            include_str!("emulator.rs"),
            include_str!("../../../tests/support/okta.rs"),
        ),
        (
            include_str!("emulator/org.rs"),
            include_str!("../../../tests/support/okta/org.rs"),
        ),
        (
            include_str!("emulator/browser.rs"),
            include_str!("../../../tests/support/okta/browser.rs"),
        ),
    ];
    for (i, (here, there)) in copies.iter().enumerate() {
        assert!(
            here == there,
            "copy {i} of src/idp/okta/emulator* differs under tests/support/okta*: copy them over again"
        );
    }
}
