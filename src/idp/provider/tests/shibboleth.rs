//! Shibboleth IdP: session-storage pages, the login form with several buttons, the TOTP plugin, the
//! attribute-release consent, and its refusals.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://idp.uni.example/idp/profile/SAML2/Unsolicited/SSO?execution=e1s2";
const START: &str = "/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices";

fn page(name: &str) -> String {
    fixture(&format!("shibboleth/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    assert_eq!(provider, "shibboleth");
    assert_eq!(
        login_fields(&kind),
        (Some("j_username"), Some("j_password"))
    );

    let (provider, kind) =
        classify_page(PAGE, &page("localstorage-read.html"), &Progress::default());
    assert_eq!(provider, "shibboleth");
    assert!(
        matches!(
            kind,
            PageKind::AutoPost {
                form: 0,
                press: false
            }
        ),
        "{kind:?}"
    );

    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &after_password(None));
    assert_eq!(rejected(&kind), "The password you entered was incorrect.");
    let (_, kind) = classify_page(PAGE, &page("login-v3-wrong.html"), &after_password(None));
    assert_eq!(
        rejected(&kind),
        "The username you entered cannot be identified."
    );

    let (_, kind) = classify_page(PAGE, &page("totp.html"), &after_password(None));
    assert_eq!(
        mfa_field(&kind),
        (
            "tokencode",
            "Enter the code from your authenticator app",
            false
        )
    );
    let (_, kind) = classify_page(
        PAGE,
        &page("totp-wrong.html"),
        &after_password(Some("tokencode")),
    );
    assert_eq!(rejected(&kind), "The token code you entered was incorrect.");

    let (provider, kind) = classify_page(PAGE, &page("consent.html"), &after_password(None));
    assert_eq!(provider, "shibboleth");
    assert!(
        matches!(kind, PageKind::Confirm { form: 0, rule: 0 }),
        "{kind:?}"
    );
    let (_, kind) = classify_page(PAGE, &page("post-response.html"), &after_password(None));
    assert!(matches!(kind, PageKind::Assertion(_)), "{kind:?}");
}

#[test]
fn a_consent_page_shown_again_and_again_stops_the_sign_in() {
    let mut progress = after_password(None);
    progress.confirmed = vec![0, 0];
    let (_, kind) = classify_page(PAGE, &page("consent.html"), &progress);
    let PageKind::Unknown(reason) = kind else {
        panic!("{kind:?}")
    };
    assert!(reason.contains("'Information Release' again"), "{reason}");
}

/// A Shibboleth-like IdP: session storage, login, optional TOTP, consent, response.
fn shibboleth(totp: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let step = h.url.split("execution=").nth(1).unwrap_or("");
        let session = h.cookie.contains("JSESSIONID=s1");
        match (h.method.as_str(), step) {
            ("GET", "") => Reply::redirect("/idp/profile/SAML2/Unsolicited/SSO?execution=e1s1")
                .cookie("JSESSIONID=s1; Path=/idp; HttpOnly"),
            ("GET", "e1s1") if session => Reply::page(&page("localstorage-read.html")),
            ("POST", "e1s1") if h.field("_eventId_proceed").is_some() => {
                Reply::page(&page("login.html"))
            }
            ("POST", "e1s2") => login_answer(h, totp),
            ("POST", "e1s3") => match h.field("tokencode") {
                Some("123456") if h.field("_eventId_proceed").is_some() => {
                    Reply::page(&page("consent.html"))
                }
                _ => Reply::page(&page("totp-wrong.html")),
            },
            ("POST", "e1s4") => consent_answer(h),
            _ => Reply::page(
                "<title>Stale Request</title><p>You may be seeing this page because you used the Back button.</p>",
            ),
        }
    })
}

fn login_answer(h: &Hit, totp: bool) -> Reply {
    // Only the pressed button is posted, and the unticked boxes are not.
    let pressed = h.field("_eventId_proceed").is_some()
        && h.field("_eventId_authn/SPNEGO").is_none()
        && h.field("donotcache").is_none()
        && h.field("_shib_idp_revokeConsent").is_none()
        && h.field("csrf_token") == Some("_7c3d9a41e8b04f2e9d1c5a6b7e8f9012");
    let right = h.field("j_username") == Some("alice") && h.field("j_password") == Some("pw-1");
    match (pressed && right, totp) {
        (false, _) => Reply::page(&page("wrong-password.html")),
        (true, true) => Reply::page(&page("totp.html")),
        (true, false) => Reply::page(&page("consent.html")),
    }
}

fn consent_answer(h: &Hit) -> Reply {
    let ids: Vec<&str> = h
        .form
        .iter()
        .filter(|(n, _)| n == "_shib_idp_consentIds")
        .map(|(_, v)| v.as_str())
        .collect();
    let accepted = ids == ["uid", "mail", "awsRoles"]
        && h.field("_shib_idp_consentOptions") == Some("_shib_idp_rememberConsent")
        && h.field("_eventId_proceed") == Some("Accept")
        && h.field("_eventId_AttributeReleaseRejected").is_none();
    if accepted {
        Reply::page(&page("post-response.html"))
    } else {
        Reply::page(&page("consent.html"))
    }
}

#[tokio::test]
async fn signs_in_through_storage_login_totp_and_consent() {
    let idp = shibboleth(true);
    let mut a = ScriptedAnswers::new("alice", "pw-1", &["123456"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(
        a.asked,
        [
            "username",
            "password",
            "code: Enter the code from your authenticator app"
        ]
    );
    assert_eq!(idp.posts().len(), 4);
}

#[tokio::test]
async fn a_wrong_password_or_code_is_refused_in_its_words() {
    let idp = shibboleth(true);
    let mut a = ScriptedAnswers::new("alice", "nope", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "The password you entered was incorrect."
    );
    let mut a = ScriptedAnswers::new("alice", "pw-1", &["000000"]);
    assert_eq!(
        refusal(sign_in(&idp, START, Some("shibboleth"), &mut a).await),
        "The token code you entered was incorrect."
    );
}

#[tokio::test]
async fn without_totp_the_consent_follows_the_password() {
    let idp = shibboleth(false);
    let mut a = ScriptedAnswers::new("alice", "pw-1", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password"]);
}
