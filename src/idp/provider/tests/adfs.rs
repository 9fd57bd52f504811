//! AD FS's MFA adapters: Symantec VIP, RSA SecurID (with its next-tokencode page), OATH, Azure MFA
//! Server (a post answered only once the phone is answered), a refused push, and Duo (needs a
//! browser).

use super::*;
use crate::testing::idp::{Hit, Reply};
use std::sync::Arc;

const PAGE: &str =
    "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const START: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";

fn page(name: &str) -> String {
    fixture(&format!("adfs/{name}"))
}

#[test]
fn every_adapter_page_is_classified() {
    let cases = [
        (
            "mfa-vip.html",
            "SecurityCode",
            "Enter the security code from your VIP Access app or credential",
        ),
        (
            "mfa-rsa.html",
            "Passcode",
            "Passcode (PIN followed by the tokencode)",
        ),
        (
            "mfa-oath.html",
            "OathCode",
            "Enter the 6-digit code from your authenticator app",
        ),
    ];
    for (file, field, label) in cases {
        let (provider, kind) = classify_page(PAGE, &page(file), &after_password(None));
        assert_eq!(provider, "adfs", "{file}");
        assert_eq!(mfa_field(&kind), (field, label, false), "{file}");
    }
    let (_, kind) = classify_page(
        PAGE,
        &page("mfa-vip-wrong.html"),
        &after_password(Some("SecurityCode")),
    );
    assert!(rejected(&kind).starts_with("The security code is not valid."));
    let (_, kind) = classify_page(
        PAGE,
        &page("mfa-rsa-wrong.html"),
        &after_password(Some("Passcode")),
    );
    assert!(rejected(&kind).starts_with("Authentication failed."));
    let (_, kind) = classify_page(PAGE, &page("mfa-server.html"), &after_password(None));
    assert!(
        matches!(kind, PageKind::Push { number: None, .. }),
        "{kind:?}"
    );
    let (_, kind) = classify_page(PAGE, &page("push-denied.html"), &after_password(None));
    assert_eq!(
        rejected(&kind),
        "The sign-in request was denied on your phone."
    );
}

/// RSA's next-tokencode page asks for the same field again: a question, not a refusal, even when
/// the adapter writes its instruction where errors go.
#[test]
fn the_rsa_next_tokencode_page_asks_for_the_next_code() {
    let progress = after_password(Some("Passcode"));
    let (_, kind) = classify_page(PAGE, &page("mfa-rsa-next.html"), &progress);
    assert_eq!(mfa_field(&kind), ("Passcode", "Next tokencode", true));
    let in_error_text = page("mfa-rsa.html").replace(
        "<span id=\"errorText\" for=\"\"></span>",
        "<span id=\"errorText\" for=\"\">Wait for the code to change, then enter the next tokencode.</span>",
    );
    let (_, kind) = classify_page(PAGE, &in_error_text, &progress);
    assert!(mfa_field(&kind).2, "{kind:?}");
    // The same page before any code was sent is a first code page.
    let (_, kind) = classify_page(PAGE, &page("mfa-rsa-next.html"), &after_password(None));
    assert!(!mfa_field(&kind).2);
    // Once a next code was sent, the page again is a refusal, not one more next code.
    let mut after_next = progress.clone();
    after_next.sent_next_code = true;
    let (_, kind) = classify_page(PAGE, &page("mfa-rsa-next.html"), &after_next);
    assert!(
        rejected(&kind).contains("code was not accepted"),
        "{kind:?}"
    );
}

/// A push page whose adapter names its form otherwise is still a push page, re-posting that form
/// (not the options form), with the number wherever the page shows it.
#[test]
fn a_push_page_without_login_form_still_waits() {
    let options = "<form id=\"options\" method=\"post\" action=\"/x\"><input id=\"optionSelection\" type=\"hidden\" name=\"AuthMethod\" /></form>";
    let html = page("push.html")
        .replace("id=\"loginForm\"", "id=\"azureMfaForm\"")
        .replace(
            "<span id=\"validEntropyNumber\">42</span>",
            "<div class=\"displaySign\">73</div>",
        )
        .replace(
            "<div id=\"workArea\">",
            &format!("<div id=\"workArea\">{options}"),
        );
    let (_, kind) = classify_page(PAGE, &html, &after_password(None));
    assert!(
        matches!(&kind, PageKind::Push { form: Some(1), number: Some(n) } if n == "73"),
        "{kind:?}"
    );
}

/// Issue 20: Duo's adapter page (Universal Prompt) is posted to Duo's authorize URL as its script
/// does; Duo's prompt itself is the Duo client's (idp/duo).
#[test]
fn duo_adapter_page_goes_to_duos_authorize_url() {
    let html = page("duo.html");
    let (provider, kind) = classify_page(PAGE, &html, &after_password(None));
    assert_eq!(provider, "adfs");
    let PageKind::Confirm { form, .. } = kind else {
        panic!("{kind:?}")
    };
    let parsed = crate::idp::page::Page::parse(url::Url::parse(PAGE).unwrap(), 200, &html);
    let forms = parsed.forms();
    assert_eq!(forms[form].id.as_deref(), Some("adfs_form"));
    assert_eq!(forms[form].action.path(), "/oauth/v1/authorize");
}

type Adapter = dyn Fn(&Hit) -> Reply + Send + Sync;

/// An AD FS-like IdP whose additional authentication is `adapter` (which answers the MFA posts).
fn adfs_with(first: &'static str, adapter: Arc<Adapter>) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let authed = h.cookie.contains("MSISAuth=ok");
        match (h.method.as_str(), h.field("AuthMethod")) {
            ("GET", _) if h.path() == "/adfs/ls/mfa" && authed => Reply::page(&page(first)),
            ("GET", _) => Reply::page(&page("login.html")),
            ("POST", Some("FormsAuthentication")) => {
                if h.field("Password") == Some("pw-6") {
                    Reply::redirect("/adfs/ls/mfa").cookie("MSISAuth=ok; path=/adfs")
                } else {
                    Reply::page(&page("wrong-password.html"))
                }
            }
            ("POST", Some(_)) if authed => adapter(h),
            _ => Reply::page("<title>Error</title>"),
        }
    })
}

#[tokio::test]
async fn symantec_vip_code() {
    let vip: Arc<Adapter> = Arc::new(|h| match h.field("SecurityCode") {
        Some("778899") if h.field("AuthMethod") == Some("SymantecVipAdapter") => {
            Reply::page(&page("working.html"))
        }
        _ => Reply::page(&page("mfa-vip-wrong.html")),
    });
    let idp = adfs_with("mfa-vip.html", vip);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["778899"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["000000"]);
    assert!(
        refusal(sign_in(&idp, START, None, &mut a).await)
            .starts_with("The security code is not valid.")
    );
}

#[tokio::test]
async fn rsa_securid_with_the_next_tokencode() {
    let rsa: Arc<Adapter> = Arc::new(|h| match h.field("Passcode") {
        Some("1234000111") => Reply::page(&page("mfa-rsa-next.html")),
        Some("000222") => Reply::page(&page("working.html")),
        _ => Reply::page(&page("mfa-rsa-wrong.html")),
    });
    let idp = adfs_with("mfa-rsa.html", rsa);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["1234000111", "000222"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(
        a.asked[2..],
        [
            "code: Passcode (PIN followed by the tokencode)",
            "next code: Next tokencode"
        ]
    );
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["9"]);
    assert!(
        refusal(sign_in(&idp, START, None, &mut a).await).starts_with("Authentication failed.")
    );
}

#[tokio::test]
async fn oath_code() {
    let oath: Arc<Adapter> = Arc::new(|h| match h.field("OathCode") {
        Some("135246") => Reply::page(&page("working.html")),
        _ => Reply::page(&page("mfa-oath.html")),
    });
    let idp = adfs_with("mfa-oath.html", oath);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["135246"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["1"]);
    assert!(refusal(sign_in(&idp, START, None, &mut a).await).contains("code was not accepted"));
}

/// The engine reading the built-in adfs file with a one-second poll.
fn fast_adfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let adfs = include_str!("../../../../providers/adfs.toml")
        .replace("interval_seconds = 3", "interval_seconds = 1");
    std::fs::write(dir.path().join("adfs.toml"), adfs).unwrap();
    dir
}

#[tokio::test]
async fn azure_mfa_server_holds_the_post_until_the_phone_is_answered() {
    // Longer than no wait, and the engine must not give up on it.
    let server: Arc<Adapter> = Arc::new(|h| {
        assert_eq!(h.field("AuthMethod"), Some("AzureMfaServerAuthentication"));
        std::thread::sleep(std::time::Duration::from_millis(1500));
        Reply::page(&page("working.html"))
    });
    let idp = adfs_with("mfa-server.html", server);
    let dir = fast_adfs();
    let req = LoginRequest {
        url: idp.url(START),
        provider: None,
        user_providers: Some(dir.path().to_path_buf()),
        ..LoginRequest::default()
    };
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &[]);
    assert_signed_in(crate::idp::sign_in_fresh(&req, &mut a).await);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(a.notices[0].contains("phone call"), "{:?}", a.notices);
}

#[tokio::test]
async fn a_denied_push_is_refused_in_its_words() {
    let push: Arc<Adapter> = Arc::new(|_| Reply::page(&page("push-denied.html")));
    let idp = adfs_with("push.html", push);
    let dir = fast_adfs();
    let req = LoginRequest {
        url: idp.url(START),
        provider: Some("adfs".into()),
        user_providers: Some(dir.path().to_path_buf()),
        ..LoginRequest::default()
    };
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &[]);
    assert_eq!(
        refusal(crate::idp::sign_in_fresh(&req, &mut a).await),
        "The sign-in request was denied on your phone."
    );
    assert!(
        a.notices[0].contains("pick the number 42"),
        "{:?}",
        a.notices
    );
}

/// Issue 18, section 7: an AD FS 2012 R2 adapter page (RSA SecurID's `form#passcodeForm`, posted to
/// its own URL) beside an options form holding only its hidden `AuthMethod` is a code page, not a
/// choice of methods; the adapter's own words after a wrong passcode are the refusal.
#[test]
fn an_adapter_page_with_an_empty_method_list_asks_for_its_code() {
    let (provider, kind) = classify_page(PAGE, &page("mfa-rsa-2012r2.html"), &after_password(None));
    assert_eq!(provider, "adfs");
    // Its own form, posted as it is: not the sign-in form's password field asking for a code.
    assert!(
        matches!(&kind, PageKind::Mfa { field, on_login_form: false, .. } if field == "Passcode"),
        "{kind:?}"
    );
    let (_, kind) = classify_page(
        PAGE,
        &page("mfa-rsa-2012r2-wrong.html"),
        &after_password(Some("Passcode")),
    );
    assert_eq!(
        rejected(&kind),
        "The passcode you entered is not valid. Please try again."
    );
}

/// Issue 18, section 7: the 2012 R2 RSA SecurID page is answered by posting `passcodeForm` (to its
/// own address, with the adapter's `AuthMethod`), never the empty options form; a wrong passcode is
/// refused in the adapter's words.
#[tokio::test]
async fn rsa_securid_on_2012_r2_posts_its_own_form() {
    let rsa: Arc<Adapter> = Arc::new(|h| {
        assert_eq!(h.field("AuthMethod"), Some("SecurIDAuthentication"));
        assert_eq!(h.path(), "/adfs/ls/mfa");
        match h.field("Passcode") {
            Some("1234000111") => Reply::page(&page("working.html")),
            _ => Reply::page(&page("mfa-rsa-2012r2-wrong.html")),
        }
    });
    let idp = adfs_with("mfa-rsa-2012r2.html", rsa);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["1234000111"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-6", &["9"]);
    let err = sign_in(&idp, START, None, &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
    assert_eq!(
        refusal(Err(err)),
        "The passcode you entered is not valid. Please try again."
    );
}
