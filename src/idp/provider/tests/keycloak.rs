//! Keycloak: the login form, the OTP page (new `otp` and old `totp`), refusals in both themes, and
//! the setup page that needs a browser.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://sso.corp.example/realms/corp/protocol/saml/clients/amazon-aws";
const START: &str = "/realms/corp/protocol/saml/clients/amazon-aws";

fn page(name: &str) -> String {
    fixture(&format!("keycloak/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    assert_eq!(provider, "keycloak");
    assert_eq!(login_fields(&kind), (Some("username"), Some("password")));
    // Recognised by what it holds wherever it is served.
    let (provider, _) = classify_page(
        "https://login.corp.example/x",
        &page("login.html"),
        &Progress::default(),
    );
    assert_eq!(provider, "keycloak");

    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &after_password(None));
    assert_eq!(rejected(&kind), "Invalid username or password.");

    let (_, kind) = classify_page(PAGE, &page("otp.html"), &after_password(None));
    assert_eq!(mfa_field(&kind), ("otp", "One-time code", false));
    let (_, kind) = classify_page(PAGE, &page("otp-wrong.html"), &after_password(Some("otp")));
    assert_eq!(rejected(&kind), "Invalid authenticator code.");
    let (_, kind) = classify_page(
        PAGE,
        &page("totp-legacy-wrong.html"),
        &after_password(Some("totp")),
    );
    assert_eq!(rejected(&kind), "Invalid authenticator code.");
    let legacy_first = page("totp-legacy-wrong.html").replace("Invalid authenticator code.", "");
    let (_, kind) = classify_page(PAGE, &legacy_first, &after_password(None));
    assert_eq!(mfa_field(&kind).0, "totp");

    let (_, kind) = classify_page(PAGE, &page("post-response.html"), &after_password(None));
    assert!(matches!(kind, PageKind::Assertion(_)), "{kind:?}");
}

#[test]
fn the_authenticator_setup_page_needs_a_browser() {
    let (_, kind) = classify_page(PAGE, &page("configure-totp.html"), &after_password(None));
    let PageKind::Unsupported(message) = kind else {
        panic!("{kind:?}")
    };
    assert!(message.contains("set up an authenticator app"), "{message}");
}

/// A Keycloak-like IdP: login page at the IdP-initiated URL, OTP page, SAML POST page.
fn keycloak(otp: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let session = h.cookie.contains("AUTH_SESSION_ID=kc1");
        match (h.method.as_str(), h.path()) {
            ("GET", START) => Reply::page(&page("login.html"))
                .cookie("AUTH_SESSION_ID=kc1; Path=/realms/corp/; HttpOnly"),
            ("POST", "/realms/corp/login-actions/authenticate") if session => {
                if h.url.contains("session_code=QbVQ2vX1wY") {
                    login_answer(h, otp)
                } else if h.field("otp") == Some("246810") && h.field("login").is_some() {
                    Reply::page(&page("post-response.html"))
                } else {
                    Reply::page(&page("otp-wrong.html"))
                }
            }
            _ => Reply::page(
                "<title>We are sorry...</title><p id='kc-error-message'>Page not found</p>",
            ),
        }
    })
}

fn login_answer(h: &Hit, otp: bool) -> Reply {
    assert_eq!(h.names(), ["username", "password", "credentialId", "login"]);
    let right = h.field("username") == Some("alice") && h.field("password") == Some("pw-2");
    match (right, otp) {
        (false, _) => Reply::page(&page("wrong-password.html")),
        (true, true) => Reply::page(&page("otp.html")),
        (true, false) => Reply::page(&page("post-response.html")),
    }
}

#[tokio::test]
async fn signs_in_with_an_otp() {
    let idp = keycloak(true);
    let mut a = ScriptedAnswers::new("alice", "pw-2", &["246810"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: One-time code"]);
}

#[tokio::test]
async fn a_wrong_password_or_code_is_refused_in_its_words() {
    let idp = keycloak(true);
    let mut a = ScriptedAnswers::new("alice", "pw-x", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Invalid username or password."
    );
    let mut a = ScriptedAnswers::new("alice", "pw-2", &["111111"]);
    assert_eq!(
        refusal(sign_in(&idp, START, Some("keycloak"), &mut a).await),
        "Invalid authenticator code."
    );
}

#[tokio::test]
async fn without_otp_the_password_is_enough() {
    let idp = keycloak(false);
    let mut a = ScriptedAnswers::new("alice", "pw-2", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
}

/// Issue 7, section 5: with Kerberos enabled on the realm, Keycloak first answers 401 with a page
/// whose empty form the browser posts on load ("Kerberos Unsupported"); a customised theme writes
/// its messages in a bare `span.kc-feedback-text` (or a `role="alert"`), in the realm's language.
#[test]
fn kerberos_fallback_and_custom_theme_pages() {
    let (provider, kind) = classify_page(
        PAGE,
        &page("kerberos-unsupported.html"),
        &Progress::default(),
    );
    assert_eq!(provider, "keycloak");
    assert!(
        matches!(kind, PageKind::AutoPost { press: false, .. }),
        "{kind:?}"
    );

    let (_, kind) = classify_page(PAGE, &page("custom-login.html"), &Progress::default());
    assert_eq!(login_fields(&kind), (Some("username"), Some("password")));
    let (_, kind) = classify_page(
        PAGE,
        &page("custom-wrong-password.html"),
        &after_password(None),
    );
    assert_eq!(rejected(&kind), "Ungültiger Benutzername oder Passwort.");
    let (_, kind) = classify_page(PAGE, &page("custom-otp.html"), &after_password(None));
    assert_eq!(mfa_field(&kind), ("otp", "Code à usage unique", false));
    let (_, kind) = classify_page(
        PAGE,
        &page("custom-otp-wrong.html"),
        &after_password(Some("otp")),
    );
    assert_eq!(rejected(&kind), "Code d'authentification invalide.");
    let (_, kind) = classify_page(
        PAGE,
        &page("custom-account-disabled.html"),
        &after_password(None),
    );
    assert_eq!(
        rejected(&kind),
        "La cuenta está deshabilitada. Contacte con el administrador."
    );
    // Before anything was sent, a message is not a refusal of it.
    let (_, kind) = classify_page(
        PAGE,
        &page("custom-account-disabled.html"),
        &Progress::default(),
    );
    assert!(matches!(kind, PageKind::Unknown(_)), "{kind:?}");
}

/// A Keycloak realm with Kerberos enabled and a customised theme; `disabled`: the account is.
fn keycloak_kerberos(disabled: bool) -> TestIdp {
    const ACTION: &str = "/realms/corp/login-actions/authenticate";
    TestIdp::start(move |h: &Hit| {
        let session = h.cookie.contains("AUTH_SESSION_ID=kc2");
        let query = |part: &str| h.url.contains(part);
        match (h.method.as_str(), h.path()) {
            ("GET", START) => Reply {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), "Negotiate".into())],
                body: page("kerberos-unsupported.html"),
            }
            .cookie("AUTH_SESSION_ID=kc2; Path=/realms/corp/; HttpOnly"),
            // The browser's post of the empty form: no field at all.
            ("POST", ACTION) if session && query("session_code=Kq7Zr1") => {
                assert!(h.form.is_empty(), "{:?}", h.names());
                Reply::page(&page("custom-login.html"))
            }
            ("POST", ACTION) if session && query("session_code=Rt5Vb2") => {
                let right =
                    h.field("username") == Some("alice") && h.field("password") == Some("pw-2");
                match (right, disabled) {
                    (false, _) => Reply::page(&page("custom-wrong-password.html")),
                    (true, true) => Reply::page(&page("custom-account-disabled.html")),
                    (true, false) => Reply::page(&page("custom-otp.html")),
                }
            }
            ("POST", ACTION) if session && query("session_code=Mq3Nc6") => {
                if h.field("otp") == Some("246810") {
                    Reply::page(&page("post-response.html"))
                } else {
                    Reply::page(&page("custom-otp-wrong.html"))
                }
            }
            _ => Reply::page("<title>We are sorry...</title><p>Page not found</p>"),
        }
    })
}

#[tokio::test]
async fn signs_in_past_the_kerberos_fallback_page() {
    let idp = keycloak_kerberos(false);
    let mut a = ScriptedAnswers::new("alice", "pw-2", &["246810"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(idp.posts().len(), 3);
    assert_eq!(
        a.asked,
        ["username", "password", "code: Code à usage unique"]
    );
}

#[tokio::test]
async fn a_custom_theme_refuses_in_its_own_words() {
    let idp = keycloak_kerberos(false);
    let cases = [
        ("pw-x", "111111", "Ungültiger Benutzername oder Passwort."),
        ("pw-2", "111111", "Code d'authentification invalide."),
    ];
    for (password, code, words) in cases {
        let mut a = ScriptedAnswers::new("alice", password, &[code]);
        let err = sign_in(&idp, START, None, &mut a).await.unwrap_err();
        assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
        assert_eq!(refusal(Err(err)), words);
    }
    let idp = keycloak_kerberos(true);
    let mut a = ScriptedAnswers::new("alice", "pw-2", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "La cuenta está deshabilitada. Contacte con el administrador."
    );
}
