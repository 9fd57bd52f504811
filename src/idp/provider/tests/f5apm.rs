//! F5 BIG-IP APM: the logon page, then an MFA page whose method `<select>` offers push or token
//! (issue 7, section 5): with a code at hand the token method is chosen and the code sent; without
//! one, push is chosen and the post waited on; a refusal after either is the IdP's words.

use super::*;
use crate::idp::classify::{Answer, Choice};
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://access.corp.example/my.policy";
const START: &str = "/saml/idp/res?id=/Common/aws";

fn page(name: &str) -> String {
    fixture(&format!("f5apm/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("logon.html"), &Progress::default());
    assert_eq!(provider, "f5apm");
    assert_eq!(login_fields(&kind), (Some("username"), Some("password")));
    let (_, kind) = classify_page(PAGE, &page("logon-failed.html"), &after_password(None));
    assert_eq!(
        rejected(&kind),
        "The username or password is not correct. Please try again."
    );
    let (_, kind) = classify_page(PAGE, &page("mfa-method.html"), &after_password(None));
    let PageKind::Mfa {
        field,
        methods: Some((select, choices)),
        ..
    } = &kind
    else {
        panic!("{kind:?}")
    };
    assert_eq!((field.as_str(), select.as_str()), ("mfatoken", "mfamethod"));
    let answers: Vec<Answer> = choices.iter().map(Choice::answer).collect();
    assert_eq!(answers, [Answer::Push, Answer::Code]);
    // The same page, once more after a push or a code, is a refusal in its words.
    let mut pushed = after_password(None);
    pushed.pushed = true;
    let retry = page("mfa-method-retry.html");
    for progress in [pushed, after_password(Some("mfatoken"))] {
        let (_, kind) = classify_page(PAGE, &retry, &progress);
        assert_eq!(
            rejected(&kind),
            "The passcode or approval was not accepted. Try again."
        );
    }
}

/// An APM-like IdP; `approve`: whether a push is approved (after holding the post a while).
fn apm(approve: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let cookie = |c: &str| h.cookie.contains(c);
        match (h.method.as_str(), h.path()) {
            ("GET", "/saml/idp/res") if cookie("MRHSession=done") => {
                Reply::page(&page("done.html"))
            }
            ("GET", "/saml/idp/res") => {
                Reply::page(&page("logon.html")).cookie("MRHSession=new; path=/")
            }
            ("POST", "/my.policy") if cookie("MRHSession=mfa") => mfa_answer(h, approve),
            ("POST", "/my.policy") if cookie("MRHSession=new") => {
                let right = h.field("username") == Some("alice")
                    && h.field("password") == Some("pw-5")
                    && h.field("vhost") == Some("standard");
                if right {
                    Reply::page(&page("mfa-method.html")).cookie("MRHSession=mfa; path=/")
                } else {
                    Reply::page(&page("logon-failed.html"))
                }
            }
            _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
        }
    })
}

fn mfa_answer(h: &Hit, approve: bool) -> Reply {
    // The username is disabled on the page: a browser does not post it.
    assert_eq!(h.field("username"), None);
    let done = || Reply::redirect(START).cookie("MRHSession=done; path=/");
    match (h.field("mfamethod"), h.field("mfatoken")) {
        (Some("token"), Some("246810")) => done(),
        (Some("push"), Some("")) => {
            // APM holds the post until the phone answers.
            std::thread::sleep(std::time::Duration::from_millis(1200));
            if approve {
                done()
            } else {
                Reply::page(&page("mfa-method-retry.html"))
            }
        }
        _ => Reply::page(&page("mfa-method-retry.html")),
    }
}

#[tokio::test]
async fn a_code_at_hand_is_sent_with_the_token_method() {
    let idp = apm(true);
    let mut a = ScriptedAnswers::new("alice", "pw-5", &["246810"]);
    a.code_at_hand = true;
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Passcode"]);
    assert!(a.notices.is_empty(), "{:?}", a.notices);
}

#[tokio::test]
async fn without_a_code_push_is_chosen_and_waited_for() {
    let idp = apm(true);
    let mut a = ScriptedAnswers::new("alice", "pw-5", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password"]);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(a.notices[0].contains("approve"), "{:?}", a.notices);
    let push = idp.posts().into_iter().last().unwrap();
    assert_eq!(push.field("mfamethod"), Some("push"));
}

#[tokio::test]
async fn a_refused_push_or_code_is_refused_in_the_idps_words() {
    let idp = apm(false);
    let mut a = ScriptedAnswers::new("alice", "pw-5", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "The passcode or approval was not accepted. Try again."
    );
    let mut a = ScriptedAnswers::new("alice", "pw-5", &["111111"]);
    a.code_at_hand = true;
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "The passcode or approval was not accepted. Try again."
    );
    // saml_mfa_factor picks the method even when the code must be asked for.
    let idp = apm(false);
    let mut a = ScriptedAnswers::new("alice", "pw-5", &["246810"]);
    assert_signed_in(sign_in_with_factor(&idp, START, "token", &mut a).await);
}

/// Issue 22: a logon page asking for the password and a Duo code on one form, with push and SMS
/// boxes. An APM that checks both: the code when one is sent, else the push box.
fn apm_with_code() -> TestIdp {
    TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", _) => Reply::page(&page("logon-with-code.html")),
        ("POST", "/my.policy") => {
            let password =
                h.field("username") == Some("alice") && h.field("password") == Some("pw-5");
            let code = h.field("duo_passcode") == Some("246810") && h.field("duo_push").is_none();
            let push = h.field("duo_passcode") == Some("") && h.field("duo_push") == Some("push");
            if password && (code || push) && h.field("duo_sms").is_none() {
                Reply::page(&page("done.html"))
            } else {
                Reply::page(&page("logon-failed.html"))
            }
        }
        _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
    })
}

#[tokio::test]
async fn a_code_field_on_the_logon_form_is_filled_or_push_is_ticked() {
    let idp = apm_with_code();
    // A code at hand (--mfa-code, --mfa-command) goes in the code field.
    let mut a = ScriptedAnswers::new("alice", "pw-5", &["246810"]);
    a.code_at_hand = true;
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Duo passcode"]);
    // None at hand: the push box is ticked and the approval waited for.
    let mut a = ScriptedAnswers::new("alice", "pw-5", &[]);
    assert_signed_in(sign_in(&idp, START, Some("f5apm"), &mut a).await);
    assert_eq!(a.asked, ["username", "password"]);
    assert!(
        a.notices.iter().any(|n| n.contains("approve")),
        "{:?}",
        a.notices
    );
    // No push box: the code is asked for.
    let no_push = page("logon-with-code.html").replace(
        "name=\"duo_push\" value=\"push\"> Send me a Duo Push",
        "name=\"duo_call\" value=\"phone1\"> Call me",
    );
    let idp = TestIdp::start(move |h: &Hit| match h.method.as_str() {
        "GET" => Reply::page(&no_push),
        _ if h.field("duo_passcode") == Some("246810") => Reply::page(&page("done.html")),
        _ => Reply::page(&page("logon-failed.html")),
    });
    let mut a = ScriptedAnswers::new("alice", "pw-5", &["246810"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Duo passcode"]);
}
