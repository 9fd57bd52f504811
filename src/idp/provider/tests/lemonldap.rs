//! LemonLDAP::NG: the login form with its one-time token, the TOTP page, and error codes said in
//! words.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "http://127.0.0.1:8080/saml/singleSignOn?IDPInitiated=1&spConfKey=aws";
const START: &str = "/saml/singleSignOn?IDPInitiated=1&spConfKey=aws";

fn page(name: &str) -> String {
    fixture(&format!("lemonldap-ng/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    assert_eq!(provider, "lemonldap-ng");
    assert_eq!(login_fields(&kind), (Some("user"), Some("password")));

    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &after_password(None));
    assert_eq!(rejected(&kind), "wrong username or password");

    let (_, kind) = classify_page(PAGE, &page("totp.html"), &after_password(None));
    assert_eq!(
        mfa_field(&kind),
        ("code", "TOTP code (authenticator app)", false)
    );
    let check = "http://127.0.0.1:8080/totp2fcheck";
    let (provider, kind) = classify_page(
        check,
        &page("wrong-code.html"),
        &after_password(Some("code")),
    );
    assert_eq!(provider, "lemonldap-ng");
    assert_eq!(
        rejected(&kind),
        "wrong verification code (the TOTP code was wrong or expired)"
    );
    let (_, kind) = classify_page(
        PAGE,
        &page("post-response.html"),
        &after_password(Some("code")),
    );
    assert!(matches!(kind, PageKind::Assertion(_)), "{kind:?}");
}

#[test]
fn unknown_codes_are_named_and_information_is_not_a_refusal() {
    let unknown = page("wrong-password.html").replace("trmsg=\"5\"", "trmsg=\"777\"");
    let (_, kind) = classify_page(PAGE, &unknown, &after_password(None));
    assert_eq!(rejected(&kind), "LemonLDAP::NG error code 777");
    // The first page's "authentication required" (9) is information: the form again is the refusal.
    let (_, kind) = classify_page(PAGE, &page("login.html"), &after_password(None));
    assert_eq!(rejected(&kind), "the IdP showed its sign-in form again");
}

/// A LemonLDAP::NG-like portal: login with a one-time token, TOTP, then the response page.
fn lemonldap() -> TestIdp {
    TestIdp::start(|h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", "/saml/singleSignOn") => {
            Reply::page(&page("login.html")).cookie("lemonldappdata=p1; path=/; HttpOnly=1")
        }
        ("POST", "/saml/singleSignOn") => {
            let form_ok = h.field("token") == Some("1795207610_8013")
                && h.field("skin") == Some("bootstrap")
                && h.field("checkLogins").is_none();
            if form_ok && h.field("user") == Some("dwho") && h.field("password") == Some("dwho") {
                Reply::page(&page("totp.html"))
            } else {
                Reply::page(&page("wrong-password.html"))
            }
        }
        ("POST", "/totp2fcheck") => {
            if h.field("token") == Some("1795207614_6812") && h.field("code") == Some("424242") {
                Reply::redirect("/saml").cookie("lemonldap=s1; domain=.127.0.0.1; path=/")
            } else {
                Reply::page(&page("wrong-code.html"))
            }
        }
        ("GET", "/saml") if h.cookie.contains("lemonldap=s1") => {
            Reply::page(&page("post-response.html"))
        }
        _ => Reply::page("<title>Error</title>"),
    })
}

#[tokio::test]
async fn signs_in_with_totp() {
    let idp = lemonldap();
    let mut a = ScriptedAnswers::new("dwho", "dwho", &["424242"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(
        a.asked,
        [
            "username",
            "password",
            "code: TOTP code (authenticator app)"
        ]
    );
}

#[tokio::test]
async fn a_wrong_password_or_code_is_refused_in_words_not_codes() {
    let idp = lemonldap();
    let mut a = ScriptedAnswers::new("dwho", "nope", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "wrong username or password"
    );
    let mut a = ScriptedAnswers::new("dwho", "dwho", &["000000"]);
    assert_eq!(
        refusal(sign_in(&idp, START, Some("lemonldap-ng"), &mut a).await),
        "wrong verification code (the TOTP code was wrong or expired)"
    );
}
