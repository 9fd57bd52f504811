use super::*;
use crate::exit::ExitKind;
use crate::testing::answers::ScriptedAnswers;
use samlbridge_emulators::okta::{
    APP_PATH, APP_SSO_PATH, OktaEmulator, OktaFactor, OktaUser, PushOutcome,
};

/// An Okta-issued Response for the AWS app: one role, a session name.
const SAML_XML: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id1" Version="2.0" Destination="https://signin.aws.amazon.com/saml"><saml:Issuer>http://www.okta.com/exk1sb2aws3okta4emu</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="id2" Version="2.0"><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::111111111111:role/OktaAdmins,arn:aws:iam::111111111111:saml-provider/Okta</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>dana@corp.example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#;
const USER: &str = "dana@corp.example";
const PASSWORD: &str = "Okta-Pass-7!";

/// Dana, typing `password`; `codes` are at hand before Okta asks (as --mfa-code's is).
fn answers(password: &str, codes: &[&str]) -> ScriptedAnswers {
    ScriptedAnswers::new(USER, password, codes).with_codes_at_hand()
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
    a: &mut ScriptedAnswers,
    factor: Option<&str>,
    timing: Timing,
) -> Result<SamlAssertion, IdpError> {
    let req = LoginRequest {
        url: okta.app_url(),
        provider: Some("okta".into()),
        mfa_factor: factor.map(str::to_string),
        // These tests are about the Classic API; tests/cli/okta_idx.rs decides between the two.
        okta_api: crate::idp::OktaApi::Classic,
        ..LoginRequest::default()
    };
    let session = IdpSession::new(&req)?;
    sign_in_with(&session, &req, a, timing).await
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
    let assertion = crate::idp::sign_in_fresh(&req, &mut a).await.unwrap();
    assert_eq!(assertion.base64().expose(), okta.saml_response());
    let claims = crate::saml::parse(&assertion, "127.0.0.1").unwrap();
    assert_eq!(claims.roles[0].role_name(), "OktaAdmins");
    assert_eq!(a.asked, ["username", "password"]);

    let hits = okta.hits();
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    // The app's page is read first (issue 21): a Classic org's sign-in page has no stateToken,
    // so the password goes to the Classic API, and only there.
    assert_eq!(
        paths,
        [
            APP_PATH,
            "/login/login.htm",
            "/api/v1/authn",
            "/login/sessionCookieRedirect",
            APP_PATH,
            APP_SSO_PATH
        ]
    );
    let hits = &hits[2..];
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

mod edges;
