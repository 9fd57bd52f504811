//! AD FS 2.0: the ASP.NET form, its state fields carried over and its submit button pressed.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://adfs.corp.example/adfs/ls/FormsSignIn.aspx?ReturnUrl=%2fadfs%2fls%2f";
const START: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const VIEWSTATE: &str = "/wEPDwUKLTU4NDI5OTg2Ng9kFgJmD2QWAgIDD2QWAgIBD2QWAgIBDw8WAh4EVGV4dGVkZGQ=";

fn page(name: &str) -> String {
    fixture(&format!("adfs2/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    // Not adfs, although both live under /adfs/ls/: the fields say which.
    assert_eq!(provider, "adfs2");
    assert_eq!(
        login_fields(&kind),
        (
            Some("ctl00$ContentPlaceHolder1$UsernameTextBox"),
            Some("ctl00$ContentPlaceHolder1$PasswordTextBox")
        )
    );
    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &after_password(None));
    assert_eq!(rejected(&kind), "The user name or password is incorrect");
    let (_, kind) = classify_page(PAGE, &page("working.html"), &after_password(None));
    assert!(matches!(kind, PageKind::Assertion(_)), "{kind:?}");
}

/// An AD FS 2.0-like IdP: redirect to FormsSignIn.aspx, ASP.NET post-back, then the Working page.
fn adfs2() -> TestIdp {
    TestIdp::start(|h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", "/adfs/ls/IdpInitiatedSignOn.aspx") => Reply::redirect(
            "/adfs/ls/FormsSignIn.aspx?ReturnUrl=%2fadfs%2fls%2f%3fSAMLRequest%3dfZFBT4N",
        )
        .cookie("MSISSignOut=x; path=/adfs"),
        ("GET", "/adfs/ls/FormsSignIn.aspx") => Reply::page(&page("login.html")),
        ("POST", "/adfs/ls/FormsSignIn.aspx") => login_answer(h),
        ("GET", "/adfs/ls/") if h.cookie.contains("MSISAuthenticated=y") => {
            Reply::page(&page("working.html"))
        }
        _ => Reply::page("<title>Error</title>"),
    })
}

fn login_answer(h: &Hit) -> Reply {
    // ASP.NET checks its state came back and which button was pressed.
    assert_eq!(
        h.names(),
        [
            "__EVENTTARGET",
            "__EVENTARGUMENT",
            "__VIEWSTATE",
            "__VIEWSTATEGENERATOR",
            "__EVENTVALIDATION",
            "ctl00$ContentPlaceHolder1$UsernameTextBox",
            "ctl00$ContentPlaceHolder1$PasswordTextBox",
            "ctl00$ContentPlaceHolder1$SubmitButton",
        ]
    );
    let state = h.field("__VIEWSTATE") == Some(VIEWSTATE)
        && h.field("__EVENTVALIDATION") == Some("/wEWBALr9p3fDgKr4LuvCQLh5u3cBgLCi9reAw==")
        && h.field("ctl00$ContentPlaceHolder1$SubmitButton") == Some("Sign In");
    let right = h.field("ctl00$ContentPlaceHolder1$UsernameTextBox") == Some("CORP\\alice")
        && h.field("ctl00$ContentPlaceHolder1$PasswordTextBox") == Some("pw-5");
    if state && right {
        Reply::redirect("/adfs/ls/?SAMLRequest=fZFBT4N").cookie("MSISAuthenticated=y; path=/adfs")
    } else {
        Reply::page(&page("wrong-password.html"))
    }
}

#[tokio::test]
async fn signs_in_through_the_aspnet_form() {
    let idp = adfs2();
    let mut a = ScriptedAnswers::new("CORP\\alice", "pw-5", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(idp.posts()[0].path(), "/adfs/ls/FormsSignIn.aspx");
    assert!(idp.posts()[0].url.contains("ReturnUrl="));
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_its_words() {
    let idp = adfs2();
    let mut a = ScriptedAnswers::new("CORP\\alice", "nope", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "The user name or password is incorrect"
    );
}
