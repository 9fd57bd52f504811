//! Keycloak: the login form, the OTP page (new `otp` and old `totp`), refusals in both themes, and
//! the setup page that needs a browser.

use super::*;
use crate::idp::testidp::{Hit, Reply};

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
    let mut a = answers("alice", "pw-2", &["246810"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: One-time code"]);
}

#[tokio::test]
async fn a_wrong_password_or_code_is_refused_in_its_words() {
    let idp = keycloak(true);
    let mut a = answers("alice", "pw-x", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Invalid username or password."
    );
    let mut a = answers("alice", "pw-2", &["111111"]);
    assert_eq!(
        refusal(sign_in(&idp, START, Some("keycloak"), &mut a).await),
        "Invalid authenticator code."
    );
}

#[tokio::test]
async fn without_otp_the_password_is_enough() {
    let idp = keycloak(false);
    let mut a = answers("alice", "pw-2", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
}
