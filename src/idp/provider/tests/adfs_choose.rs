//! AD FS's "choose a verification method" page (issue 7, section 5): the adapter is picked per
//! `saml_mfa_factor`, else a code adapter when a code is at hand, else one the phone answers, and
//! its page is driven as any other; both the `AuthMethod` (2016+) and the ASP.NET `__doPostBack`
//! (`__EVENTTARGET`) styles of options.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str =
    "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const START: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const CHOOSER_CONTEXTS: [&str; 2] = [
    "eyJtZmEiOiJjaG9vc2UifQ++/CH==",
    "eyJtZmEiOiJwb3N0YmFjayJ9/PB==",
];

fn page(name: &str) -> String {
    fixture(&format!("adfs/{name}"))
}

fn choices(kind: &PageKind) -> (&str, Vec<(&str, &str)>) {
    match kind {
        PageKind::Choose { field, choices, .. } => (
            field.as_str(),
            choices
                .iter()
                .map(|c| (c.value.as_str(), c.label.as_str()))
                .collect(),
        ),
        other => panic!("not a choice page: {other:?}"),
    }
}

#[test]
fn the_choice_pages_list_each_adapter() {
    let (provider, kind) = classify_page(PAGE, &page("choose-method.html"), &after_password(None));
    assert_eq!(provider, "adfs");
    let (field, listed) = choices(&kind);
    assert_eq!(field, "AuthMethod");
    assert_eq!(
        listed,
        [
            ("DuoAdfsAdapter", "Duo Security"),
            (
                "AzureMfaAuthentication",
                "Approve a request on my Microsoft Authenticator app"
            ),
            ("SymantecVipAdapter", "Symantec VIP security code"),
            (
                "CertificateAuthentication",
                "Sign in using an X.509 certificate"
            ),
        ]
    );

    let (_, kind) = classify_page(
        PAGE,
        &page("choose-method-postback.html"),
        &after_password(None),
    );
    let PageKind::Choose { choices, field, .. } = &kind else {
        panic!("{kind:?}")
    };
    assert_eq!(field, "__EVENTTARGET");
    assert_eq!(choices[1].value, "SecurIDAuthentication");
    assert_eq!(choices[1].field.as_deref(), Some("__EVENTTARGET"));
    assert_eq!(choices[1].argument.as_deref(), Some("passcode"));
    assert_eq!(choices[0].label, "Call my phone");

    // The sign-in page's own list of other methods is not a choice page: its form comes first.
    let (_, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    assert!(matches!(kind, PageKind::Login { .. }), "{kind:?}");
}

/// The adapter a post chose: `AuthMethod`, else `__EVENTTARGET`.
fn method(h: &Hit) -> &str {
    [h.field("AuthMethod"), h.field("__EVENTTARGET")]
        .into_iter()
        .flatten()
        .find(|m| !m.is_empty())
        .unwrap_or("")
}

/// An AD FS-like IdP: the password, then `chooser`, then the page of the adapter chosen.
fn adfs(chooser: &'static str) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let authed = h.cookie.contains("MSISAuth=ok");
        match (h.method.as_str(), method(h)) {
            ("GET", _) if h.path() == "/adfs/ls/mfa" && authed => Reply::page(&page(chooser)),
            ("GET", _) => Reply::page(&page("login.html")),
            ("POST", "FormsAuthentication") if h.field("Password") == Some("pw-6") => {
                Reply::redirect("/adfs/ls/mfa").cookie("MSISAuth=ok; path=/adfs")
            }
            ("POST", "FormsAuthentication") => Reply::page(&page("wrong-password.html")),
            ("POST", chosen) if authed => adapter(h, chosen),
            _ => Reply::page("<title>Error</title>"),
        }
    })
}

/// The adapters: a post from the choice page (its Context) starts one, a post from its own page
/// answers it.
fn adapter(h: &Hit, chosen: &str) -> Reply {
    let from_chooser = h
        .field("Context")
        .is_some_and(|c| CHOOSER_CONTEXTS.contains(&c));
    match chosen {
        "SymantecVipAdapter" if from_chooser => Reply::page(&page("mfa-vip.html")),
        "SymantecVipAdapter" if h.field("SecurityCode") == Some("778899") => {
            Reply::page(&page("working.html"))
        }
        "SymantecVipAdapter" => Reply::page(&page("mfa-vip-wrong.html")),
        "AzureMfaAuthentication" if from_chooser => Reply::page(&page("push.html")),
        "AzureMfaAuthentication" => Reply::page(&page("working.html")),
        "SecurIDAuthentication" if from_chooser => {
            assert_eq!(h.field("__EVENTARGUMENT"), Some("passcode"));
            Reply::page(&page("mfa-rsa.html"))
        }
        "SecurIDAuthentication" if h.field("Passcode") == Some("1234000111") => {
            Reply::page(&page("working.html"))
        }
        "DuoAdfsAdapter" => Reply::page(&page("duo.html")),
        _ => Reply::page("<title>Error</title><p>Unexpected method</p>"),
    }
}

/// The built-in adfs file with a one-second push poll.
fn fast_adfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let adfs = include_str!("../../../../providers/adfs.toml")
        .replace("interval_seconds = 3", "interval_seconds = 1");
    std::fs::write(dir.path().join("adfs.toml"), adfs).unwrap();
    dir
}

fn chosen_methods(idp: &TestIdp) -> Vec<String> {
    idp.posts()
        .iter()
        .filter(|h| {
            h.field("Context")
                .is_some_and(|c| CHOOSER_CONTEXTS.contains(&c))
        })
        .map(|h| method(h).to_string())
        .collect()
}

#[tokio::test]
async fn with_a_code_at_hand_the_code_adapter_is_chosen() {
    let idp = adfs("choose-method.html");
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["778899"]);
    a.code_at_hand = true;
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(chosen_methods(&idp), ["SymantecVipAdapter"]);
    assert_eq!(
        a.asked[2..],
        ["code: Enter the security code from your VIP Access app or credential"]
    );
}

#[tokio::test]
async fn without_a_code_the_phone_adapter_is_chosen_and_awaited() {
    let idp = adfs("choose-method.html");
    let dir = fast_adfs();
    let req = LoginRequest {
        url: idp.url(START),
        user_providers: Some(dir.path().to_path_buf()),
        ..LoginRequest::default()
    };
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &[]);
    assert_signed_in(crate::idp::sign_in_fresh(&req, &mut a).await);
    assert_eq!(chosen_methods(&idp), ["AzureMfaAuthentication"]);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(
        a.notices[0].contains("pick the number 42"),
        "{:?}",
        a.notices
    );
}

#[tokio::test]
async fn saml_mfa_factor_names_the_adapter() {
    let idp = adfs("choose-method.html");
    // Named by its words, though no code is at hand: the code is asked for.
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["778899"]);
    assert_signed_in(sign_in_with_factor(&idp, START, "vip", &mut a).await);
    assert_eq!(chosen_methods(&idp), ["SymantecVipAdapter"]);
    // Named by its kind.
    let idp = adfs("choose-method.html");
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["778899"]);
    assert_signed_in(sign_in_with_factor(&idp, START, "token", &mut a).await);
    assert_eq!(chosen_methods(&idp), ["SymantecVipAdapter"]);
    // A wrong code on the chosen adapter is refused in its words.
    let idp = adfs("choose-method.html");
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["000000"]);
    a.code_at_hand = true;
    assert!(
        refusal(sign_in(&idp, START, None, &mut a).await)
            .starts_with("The security code is not valid.")
    );
}

#[tokio::test]
async fn postback_options_set_the_event_target() {
    let idp = adfs("choose-method-postback.html");
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["1234000111"]);
    a.code_at_hand = true;
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(chosen_methods(&idp), ["SecurIDAuthentication"]);
    let chooser_post = idp
        .posts()
        .into_iter()
        .find(|h| h.field("__EVENTTARGET").is_some_and(|t| !t.is_empty()))
        .unwrap();
    assert!(chooser_post.field("AuthMethod").is_none());
    assert!(chooser_post.field("__VIEWSTATE").is_some());
}

#[tokio::test]
async fn only_browser_methods_stop_with_the_list() {
    let only_browser = page("choose-method.html")
        .replace(
            "SelectOption('AzureMfaAuthentication')",
            "SelectOption('DuoPush')",
        )
        .replace(
            "Approve a request on my Microsoft Authenticator app",
            "Duo Push",
        )
        .replace(
            "SelectOption('SymantecVipAdapter')",
            "SelectOption('FidoKey')",
        )
        .replace("Symantec VIP security code", "Security key (FIDO2)");
    let html: &'static str = Box::leak(only_browser.into_boxed_str());
    let idp = TestIdp::start(move |h: &Hit| match h.method.as_str() {
        "GET" => Reply::page(html),
        _ => Reply::page("<title>Error</title>"),
    });
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &[]);
    let err = sign_in(&idp, START, Some("adfs"), &mut a)
        .await
        .unwrap_err();
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Unexpected);
    let text = err.to_string();
    assert!(text.contains("Duo Push, Security key (FIDO2)"), "{text}");
    assert!(text.contains("saml_mfa_factor"), "{text}");
    assert!(idp.posts().is_empty());
}
