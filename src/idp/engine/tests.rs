use super::*;
use crate::secret::Secret;
use crate::testing::answers::ScriptedAnswers;
use crate::testing::idp::{Hit, Reply, TestIdp};
use std::sync::{Arc, Mutex};

const LOGIN: &str = include_str!("../../../tests/fixtures/adfs/login.html");
const WRONG: &str = include_str!("../../../tests/fixtures/adfs/wrong-password.html");
const MFA: &str = include_str!("../../../tests/fixtures/adfs/mfa-code.html");
const MFA_WRONG: &str = include_str!("../../../tests/fixtures/adfs/mfa-wrong-code.html");
const USER_PAGE: &str = include_str!("../../../tests/fixtures/adfs/paginated-username.html");
const PASS_PAGE: &str = include_str!("../../../tests/fixtures/adfs/paginated-password.html");
const WORKING: &str = include_str!("../../../tests/fixtures/adfs/working.html");
const PUSH: &str = include_str!("../../../tests/fixtures/adfs/push.html");
const PORTAL: &str = include_str!("../../../tests/fixtures/generic/portal.html");
const START: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";

/// Alice at the terminal, typing `password` and then `codes` when asked.
fn answers(password: &str, codes: &[&str]) -> ScriptedAnswers {
    ScriptedAnswers::new("alice@corp.example", password, codes)
}

fn request(idp: &TestIdp, provider: Option<&str>) -> LoginRequest {
    LoginRequest {
        url: idp.url(START),
        provider: provider.map(str::to_string),
        ca_bundle: None,
        user_providers: None,
        mfa_factor: None,
        duo_device: None,
        browser: None,
        auth: Default::default(),
        principal: None,
        auth_hosts: Vec::new(),
        okta_api: Default::default(),
    }
}

/// An AD FS-like IdP: login (optionally paginated), MFA code page, session cookies, the Working page.
fn adfs(paginated: bool, mfa: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let has_session = h.cookie.contains("MSISAuth=ok");
        match (h.method.as_str(), h.field("AuthMethod")) {
            ("GET", _) => match h.path() {
                "/adfs/ls/IdpInitiatedSignOn.aspx" => {
                    Reply::redirect("/adfs/ls/?SAMLRequest=abc&RelayState=x")
                        .cookie("MSISSamlRequest=req1; path=/adfs; HttpOnly")
                }
                "/adfs/ls/" => Reply::page(if paginated { USER_PAGE } else { LOGIN }),
                "/adfs/ls/mfa" if has_session => Reply::page(MFA),
                _ => Reply::page(PORTAL),
            },
            ("POST", Some("FormsAuthentication")) => login_answer(h, paginated, mfa),
            ("POST", Some("AzureMfaAuthentication")) if has_session => {
                match h.field("VerificationCode") {
                    Some("123456") => Reply::page(WORKING),
                    _ => Reply::page(MFA_WRONG),
                }
            }
            _ => Reply::page(PORTAL),
        }
    })
}

fn login_answer(h: &Hit, paginated: bool, mfa: bool) -> Reply {
    if !h.cookie.contains("MSISSamlRequest=req1") {
        return Reply::page(PORTAL);
    }
    // A browser posts the hidden password field of the username page too, empty.
    if paginated && h.field("Password").unwrap_or("").is_empty() {
        return Reply::page(PASS_PAGE);
    }
    let right = h.field("UserName") == Some("alice@corp.example")
        && h.field("Password") == Some("Correct-Horse-1");
    match (right, mfa) {
        (false, _) => Reply::page(WRONG),
        (true, false) => Reply::page(WORKING),
        (true, true) => Reply::redirect("/adfs/ls/mfa").cookie("MSISAuth=ok; path=/adfs"),
    }
}

#[tokio::test]
async fn adfs_login_with_cookies_and_redirects() {
    let idp = adfs(false, false);
    let mut a = answers("Correct-Horse-1", &[]);
    let assertion = crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
        .await
        .unwrap();
    assert!(assertion.base64().expose().starts_with("PHNhbWxw"));
    let posts = idp.posts();
    assert_eq!(posts.len(), 1);
    // The options form's fields are not in the post; AuthMethod is the login form's own.
    assert_eq!(posts[0].names(), ["UserName", "Password", "AuthMethod"]);
    assert_eq!(posts[0].path(), "/adfs/ls/IdpInitiatedSignOn.aspx");
    assert!(
        posts[0].url.contains("client-request-id="),
        "{}",
        posts[0].url
    );
    assert_eq!(a.asked, ["username", "password"]);
}

#[tokio::test]
async fn adfs_wrong_password_is_rejected_with_the_idps_words() {
    let idp = adfs(false, false);
    let mut a = answers("wrong", &[]);
    let err = crate::idp::sign_in_fresh(&request(&idp, Some("adfs")), &mut a)
        .await
        .unwrap_err();
    let IdpError::Rejected { host, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(host, "127.0.0.1");
    assert!(
        message.starts_with("Incorrect user ID or password"),
        "{message}"
    );
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
}

#[tokio::test]
async fn adfs_mfa_code_comes_from_the_answers() {
    let idp = adfs(false, true);
    let mut a = answers("Correct-Horse-1", &["123456"]);
    crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
        .await
        .unwrap();
    assert_eq!(
        a.asked,
        [
            "username",
            "password",
            "code: Enter the verification code sent to your mobile device"
        ]
    );
    let posts = idp.posts();
    assert_eq!(
        posts[1].names(),
        ["AuthMethod", "Context", "VerificationCode", "SignIn"]
    );
    assert_eq!(
        posts[1].field("Context"),
        Some("eyJyZXF1ZXN0IjoiNzdkM2MyYTU4In0++/MFA==")
    );
}

#[tokio::test]
async fn a_wrong_mfa_code_is_rejected_and_a_missing_one_needs_a_person() {
    let idp = adfs(false, true);
    let mut a = answers("Correct-Horse-1", &["000000"]);
    let err = crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, IdpError::Rejected { message, .. } if message.contains("verification code you entered is incorrect")),
        "{err:?}"
    );
    let mut none = answers("Correct-Horse-1", &[]);
    let err = crate::idp::sign_in_fresh(&request(&idp, None), &mut none)
        .await
        .unwrap_err();
    assert!(matches!(err, IdpError::NeedsPerson { .. }), "{err:?}");
}

#[tokio::test]
async fn adfs_paginated_sign_in_sends_the_username_then_the_password() {
    let idp = adfs(true, false);
    let mut a = answers("Correct-Horse-1", &[]);
    let result = crate::idp::sign_in_fresh(&request(&idp, None), &mut a).await;
    let posts = idp.posts();
    assert!(result.is_ok(), "{result:?} {posts:?}");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].names(), ["UserName", "Password", "AuthMethod"]);
    assert_eq!(posts[0].field("Password"), Some(""));
    assert_eq!(posts[1].names(), ["UserName", "Password", "AuthMethod"]);
    assert_eq!(posts[1].field("UserName"), Some("alice@corp.example"));
    assert_eq!(a.asked, ["username", "password"]);
}

#[tokio::test]
async fn an_unknown_page_is_an_unexpected_answer_with_its_title() {
    let idp = TestIdp::start(|_| Reply::page(PORTAL));
    let mut a = answers("x", &[]);
    let err = crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
        .await
        .unwrap_err();
    let IdpError::UnexpectedPage {
        url, title, hint, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(title, "Example Corp Portal");
    assert_eq!(url, &idp.url("/adfs/ls/IdpInitiatedSignOn.aspx"));
    assert!(
        hint.contains("adfs, adfs2, entra, f5apm, generic, keycloak"),
        "{hint}"
    );
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Unexpected);
    assert!(a.asked.is_empty());
}

#[tokio::test]
async fn a_flow_that_never_ends_stops_after_the_step_limit() {
    let idp = TestIdp::start(|h| {
        let n = h.url.len();
        Reply::page(&format!(
            "<title>Please wait</title><meta http-equiv=refresh content='0; url=/wait/{n}'>"
        ))
    });
    let mut a = answers("x", &[]);
    let err = crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("did not finish after {MAX_STEPS} steps")),
        "{err}"
    );
    assert_eq!(idp.hits().len(), MAX_STEPS);
}

#[tokio::test]
async fn push_approval_is_polled_and_the_number_shown() {
    let polls = Arc::new(Mutex::new(0));
    let seen = polls.clone();
    let idp = TestIdp::start(move |h| match h.method.as_str() {
        "GET" => Reply::page(PUSH),
        _ => {
            let mut n = seen.lock().unwrap();
            *n += 1;
            Reply::page(if *n < 2 { PUSH } else { WORKING })
        }
    });
    // The built-in adfs file, polling every second instead of three.
    let dir = tempfile::tempdir().unwrap();
    let adfs = include_str!("../../../providers/adfs.toml")
        .replace("interval_seconds = 3", "interval_seconds = 1");
    std::fs::write(dir.path().join("adfs.toml"), adfs).unwrap();
    let mut req = request(&idp, Some("adfs"));
    req.user_providers = Some(dir.path().to_path_buf());
    let mut a = answers("x", &[]);
    crate::idp::sign_in_fresh(&req, &mut a).await.unwrap();
    assert_eq!(*polls.lock().unwrap(), 2);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(
        a.notices[0].contains("pick the number 42"),
        "{:?}",
        a.notices
    );
    assert_eq!(idp.posts()[0].names(), ["AuthMethod", "Context"]);
}

/// Logs at the most verbose level name pages and fields, never the password, the code, the
/// assertion or a cookie value.
#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let capture = crate::testing::log::LogCapture::start();
    let idp = adfs(false, true);
    // A scoped subscriber can miss events while other tests register the same call sites at the
    // same moment (tracing's interest cache): sign in again until the steps were seen, at most 3 times.
    let mut logs = String::new();
    for _ in 0..3 {
        tracing::callsite::rebuild_interest_cache();
        let mut a = answers("Correct-Horse-1", &["123456"]);
        crate::idp::sign_in_fresh(&request(&idp, None), &mut a)
            .await
            .unwrap();
        logs = capture.text();
        if logs.contains("sign-in form") {
            break;
        }
    }
    assert!(logs.contains("sign-in form"), "{logs}");
    assert!(logs.contains("UserName, Password, AuthMethod"), "{logs}");
    for secret in [
        "Correct-Horse-1",
        "123456",
        "PHNhbWxw",
        "req1",
        "SAMLRequest=abc",
    ] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}

#[test]
fn the_login_future_can_move_between_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let req = LoginRequest {
        url: "https://idp.example/".into(),
        provider: None,
        ca_bundle: None,
        user_providers: None,
        mfa_factor: None,
        duo_device: None,
        browser: None,
        auth: Default::default(),
        principal: None,
        auth_hosts: Vec::new(),
        okta_api: Default::default(),
    };
    let mut a = answers("x", &[]);
    let future = crate::idp::sign_in_fresh(&req, &mut a);
    assert_send(&future);
}

/// Against a real SimpleSAMLphp (../shared/real-idp/simplesamlphp/start.sh DIR 18080):
/// `cargo test --lib idp::engine::tests::real_simplesamlphp -- --ignored`.
#[tokio::test]
#[ignore = "needs a real SimpleSAMLphp on 127.0.0.1:18080"]
async fn real_simplesamlphp() {
    let url = std::env::var("SAMLBRIDGE_TEST_SSP_URL").unwrap_or_else(|_| {
        "http://127.0.0.1:18080/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices".into()
    });
    let req = LoginRequest {
        url,
        provider: None,
        ca_bundle: None,
        user_providers: None,
        mfa_factor: None,
        duo_device: None,
        browser: None,
        auth: Default::default(),
        principal: None,
        auth_hosts: Vec::new(),
        okta_api: Default::default(),
    };
    // SimpleSAMLphp's example user is "alice", not an e-mail address.
    let mut alice = ScriptedAnswers::new("alice", "alice-Pass-1", &[]);
    let session = IdpSession::new(&req).unwrap();
    let assertion = crate::idp::sign_in(&session, &req, &mut alice)
        .await
        .unwrap();
    assert!(assertion.base64().expose().len() > 1000);

    // The IdP's session, saved and loaded into a new one, signs in without the password.
    let saved = session.save_cookies().unwrap();
    let again = IdpSession::new(&req).unwrap();
    again.load_cookies(&saved).unwrap();
    let mut nobody = ScriptedAnswers::new("alice", "", &[]);
    crate::idp::sign_in(&again, &req, &mut nobody)
        .await
        .unwrap();
    assert!(nobody.asked.is_empty(), "{:?}", nobody.asked);

    let mut wrong = ScriptedAnswers::new("alice", "not-her-password", &[]);
    let err = crate::idp::sign_in_fresh(&req, &mut wrong)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, IdpError::Rejected { message, .. } if message == "Incorrect username or password"),
        "{err:?}"
    );
}

/// Against a real LemonLDAP::NG (../shared/real-idp/lemonldap-ng/start.sh DIR PORT), its pages
/// recognised without naming the provider:
/// SAMLBRIDGE_TEST_LLNG_URL=http://127.0.0.1:PORT/saml/singleSignOn?IDPInitiated=1&spConfKey=aws
/// and, for dwho's TOTP, SAMLBRIDGE_TEST_TOTP_COMMAND (default: `python3` on
/// ../shared/real-idp/lemonldap-ng/totp.py next to the project) run as an MFA command.
/// `cargo test --lib idp::engine::tests::real_lemonldap_ng -- --ignored --nocapture`
#[tokio::test]
#[ignore = "needs a real LemonLDAP::NG"]
async fn real_lemonldap_ng() {
    let Ok(url) = std::env::var("SAMLBRIDGE_TEST_LLNG_URL") else {
        panic!("set SAMLBRIDGE_TEST_LLNG_URL");
    };
    let totp = std::env::var("SAMLBRIDGE_TEST_TOTP_COMMAND").unwrap_or_else(|_| {
        format!(
            "python3 {}/../shared/real-idp/lemonldap-ng/totp.py",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let req = LoginRequest {
        url,
        ..LoginRequest::default()
    };
    let sign_in = |user: &str, password: &str, command: &str| {
        let mut a = crate::answers::CliAnswers::new(
            "llng".into(),
            "test".into(),
            &crate::answers::prompt::NoPrompt,
        );
        a.username = Some(user.into());
        a.passwords.env = Some(Secret::new(password));
        a.mfa_command = Some(command.into());
        a
    };
    let mut rtyler = sign_in("rtyler", "rtyler", "false");
    let assertion = crate::idp::sign_in_fresh(&req, &mut rtyler).await.unwrap();
    assert!(assertion.base64().expose().len() > 1000);

    let mut wrong = sign_in("rtyler", "nope", "false");
    let err = crate::idp::sign_in_fresh(&req, &mut wrong)
        .await
        .unwrap_err();
    eprintln!("wrong password: {err}");
    assert!(
        matches!(&err, IdpError::Rejected { message, .. } if message == "wrong username or password"),
        "{err:?}"
    );

    let mut dwho = sign_in("dwho", "dwho", &totp);
    let assertion = crate::idp::sign_in_fresh(&req, &mut dwho).await.unwrap();
    assert!(assertion.base64().expose().len() > 1000);

    let mut bad_code = sign_in("dwho", "dwho", "echo 000000");
    let err = crate::idp::sign_in_fresh(&req, &mut bad_code)
        .await
        .unwrap_err();
    eprintln!("wrong code: {err}");
    assert!(
        matches!(&err, IdpError::Rejected { message, .. } if message.starts_with("wrong verification code")),
        "{err:?}"
    );
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
}
