//! PingFederate with PingID: the HTML Form adapter (`pf.ok` clicked, `pf.cancel` not), the hand-over
//! to PingID and back, PingID's passcode page, and its swipe page that stops the sign-in.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://sso.corp.example/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices";
const START: &str = "/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices";
const RESUME: &str = "/idp/FQ3Ba/resumeSAML20/idp/startSSO.ping";

fn page(name: &str) -> String {
    fixture(&format!("pingfederate/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("login.html"), &Progress::default());
    assert_eq!(provider, "pingfederate");
    assert_eq!(login_fields(&kind), (Some("pf.username"), Some("pf.pass")));

    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &after_password(None));
    assert_eq!(
        rejected(&kind),
        "We didn't recognize the username or password you entered. Please try again."
    );

    let pingid = "https://authenticator.pingone.com/pingid/ppm/auth";
    for hop in ["pingid-handover.html", "pingid-return.html"] {
        let (provider, kind) = classify_page(pingid, &page(hop), &after_password(None));
        assert_eq!(provider, "pingfederate");
        assert!(matches!(kind, PageKind::Confirm { .. }), "{hop}: {kind:?}");
    }
    let (provider, kind) = classify_page(pingid, &page("pingid-otp.html"), &after_password(None));
    assert_eq!(provider, "pingfederate");
    assert_eq!(mfa_field(&kind), ("otp", "Passcode", false));
    let (_, kind) = classify_page(
        pingid,
        &page("pingid-otp-wrong.html"),
        &after_password(Some("otp")),
    );
    assert_eq!(rejected(&kind), "Incorrect passcode. Please try again.");

    let (_, kind) = classify_page(pingid, &page("pingid-swipe.html"), &after_password(None));
    let PageKind::Unsupported(message) = kind else {
        panic!("{kind:?}")
    };
    assert!(message.contains("one-time passcode"), "{message}");
}

/// A PingFederate-like IdP with PingID as second factor (`swipe`: PingID's push page instead).
fn pingfederate(swipe: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", "/idp/startSSO.ping") => {
            Reply::page(&page("login.html")).cookie("PF=pf1; Path=/; HttpOnly")
        }
        ("POST", RESUME) if h.field("ppm_response").is_some() => {
            Reply::page(&page("post-response.html"))
        }
        ("POST", RESUME) => login_answer(h),
        ("POST", "/pingid/ppm/auth") if h.field("ppm_request").is_some() => {
            Reply::page(&page(if swipe {
                "pingid-swipe.html"
            } else {
                "pingid-otp.html"
            }))
        }
        ("POST", "/pingid/ppm/auth/otp") => {
            let csrf = h.field("csrfToken") == Some("5f0c1e7a-9b2d-4c3e-8f1a-2b3c4d5e6f70");
            if csrf && h.field("otp") == Some("135790") {
                Reply::page(&page("pingid-return.html"))
            } else {
                Reply::page(&page("pingid-otp-wrong.html"))
            }
        }
        _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
    })
}

fn login_answer(h: &Hit) -> Reply {
    // What the "Sign On" link's script posts: pf.ok clicked, pf.cancel left empty.
    let signed_on = h.field("pf.ok") == Some("clicked")
        && h.field("pf.cancel") == Some("")
        && h.field("pf.rememberUsername").is_none()
        && h.cookie.contains("PF=pf1");
    if signed_on && h.field("pf.username") == Some("alice") && h.field("pf.pass") == Some("pw-3") {
        Reply::page(&page("pingid-handover.html"))
    } else {
        Reply::page(&page("wrong-password.html"))
    }
}

#[tokio::test]
async fn signs_in_with_a_pingid_passcode() {
    let idp = pingfederate(false);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &["135790"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Passcode"]);
    let paths: Vec<String> = idp.posts().iter().map(|h| h.path().to_string()).collect();
    assert_eq!(
        paths,
        [RESUME, "/pingid/ppm/auth", "/pingid/ppm/auth/otp", RESUME]
    );
}

#[tokio::test]
async fn a_wrong_password_or_passcode_is_refused_in_its_words() {
    let idp = pingfederate(false);
    let mut a = ScriptedAnswers::new("alice", "wrong", &[]);
    assert!(
        refusal(sign_in(&idp, START, None, &mut a).await)
            .starts_with("We didn't recognize the username or password")
    );
    let mut a = ScriptedAnswers::new("alice", "pw-3", &["000000"]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Incorrect passcode. Please try again."
    );
}

#[tokio::test]
async fn a_pingid_swipe_stops_with_a_clear_unexpected_page() {
    let idp = pingfederate(true);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    let err = sign_in(&idp, START, None, &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Unexpected);
    let IdpError::UnexpectedPage {
        title, url, hint, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(title, "PingID");
    assert_eq!(url, &idp.url("/pingid/ppm/auth"));
    assert!(hint.contains("PingID is waiting for a swipe"), "{hint}");
}

const IDENTIFIER_RESUME: &str = "/idp/RkW2x/resumeSAML20/idp/startSSO.ping";

/// Issue 7, section 5: the Identifier First adapter asks for the user name alone, in `subject`.
#[test]
fn the_identifier_first_page_asks_for_the_username_alone() {
    let (provider, kind) =
        classify_page(PAGE, &page("identifier-first.html"), &Progress::default());
    assert_eq!(provider, "pingfederate");
    assert_eq!(login_fields(&kind), (Some("subject"), None));
    // Recognised by its form wherever it is served, so that `pf.ok` is set.
    let elsewhere = "https://login.corp.example/authn/start";
    let (provider, kind) = classify_page(
        elsewhere,
        &page("identifier-first.html"),
        &Progress::default(),
    );
    assert_eq!(provider, "pingfederate");
    assert_eq!(login_fields(&kind), (Some("subject"), None));
    // Sent once and shown again: the IdP did not take it.
    let sent = Progress {
        sent_username: true,
        ..Progress::default()
    };
    let (_, kind) = classify_page(PAGE, &page("identifier-first.html"), &sent);
    assert!(matches!(kind, PageKind::Rejected(_)), "{kind:?}");
}

/// Issue 7, section 5: the password field asking for a token code once the password was sent is a
/// code page (not a refusal, not the password again), whatever language labels it.
#[test]
fn the_token_code_page_is_a_code_page() {
    let sent = after_password(None);
    let (_, kind) = classify_page(PAGE, &page("token-code.html"), &sent);
    let PageKind::Mfa {
        field,
        label,
        on_login_form: true,
        ..
    } = &kind
    else {
        panic!("{kind:?}")
    };
    assert_eq!((field.as_str(), label.as_str()), ("pf.pass", "Token code"));

    let variants = [
        // Another language.
        page("token-code.html").replace(">Token code<", ">Einmalcode<"),
        // No label at all: the locked username says the IdP wants something else.
        page("token-code.html").replace("<label for=\"password\">Token code</label>", ""),
        // Read-only rather than disabled, attributes in another order and case.
        page("token-code.html").replace(
            "<input id=\"username\" type=\"text\" size=\"36\" name=\"pf.username\" value=\"alice\" disabled=\"disabled\"/>",
            "<INPUT READONLY VALUE=\"alice\" NAME=\"pf.username\" TYPE=\"TEXT\">",
        ),
    ];
    for html in &variants {
        let (_, kind) = classify_page(PAGE, html, &sent);
        assert!(
            matches!(&kind, PageKind::Mfa { field, .. } if field == "pf.pass"),
            "{kind:?}"
        );
    }
    // A locked username with a message that does not speak of a code: the wrong password.
    let wrong = page("token-code.html")
        .replace("<label for=\"password\">Token code</label>", "Password")
        .replace(
            "<div class=\"ping-message\">Enter the code shown on your hardware token.</div>",
            "<span class=\"kc-feedback-text\">Falsches Passwort.</span>",
        );
    let (_, kind) = classify_page(PAGE, &wrong, &sent);
    assert_eq!(rejected(&kind), "Falsches Passwort.");
    // Sent and asked again: refused, in the IdP's words when it has them.
    let code_sent = after_password(Some("pf.pass"));
    let (_, kind) = classify_page(PAGE, &page("token-code-wrong.html"), &code_sent);
    assert_eq!(
        rejected(&kind),
        "Authentication failed: the token code was not accepted."
    );
    let (_, kind) = classify_page(PAGE, &page("token-code.html"), &code_sent);
    assert!(rejected(&kind).contains("not accepted"), "{kind:?}");
    // The sign-in form again with an editable username is the wrong password, as before, even
    // when its secret is a passcode (a SecurID adapter's first page).
    let (_, kind) = classify_page(PAGE, &page("wrong-password.html"), &sent);
    assert!(matches!(kind, PageKind::Rejected(_)), "{kind:?}");
    let passcode = page("wrong-password.html").replace(
        "<div class=\"ping-input-label\">Password</div>",
        "<div class=\"ping-input-label\"><label for=\"password\">Passcode</label></div>",
    );
    assert!(passcode.contains(">Passcode<"));
    let (_, kind) = classify_page(PAGE, &passcode, &sent);
    assert!(
        rejected(&kind).starts_with("We didn't recognize the username"),
        "{kind:?}"
    );
}

/// Identifier First, then the HTML Form adapter, then a token code asked in `pf.pass`.
fn pingfederate_with_token() -> TestIdp {
    TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", "/idp/startSSO.ping") => {
            Reply::page(&page("identifier-first.html")).cookie("PF=pf1; Path=/; HttpOnly")
        }
        ("POST", IDENTIFIER_RESUME) => {
            let clicked = h.field("pf.ok") == Some("clicked");
            if clicked && h.field("subject") == Some("alice") {
                Reply::page(&page("login.html"))
            } else {
                Reply::page(&page("identifier-first.html"))
            }
        }
        // The token page's username is disabled: a browser posts no pf.username.
        ("POST", RESUME) if h.field("pf.username").is_none() => {
            if h.field("pf.pass") == Some("864209") && h.field("pf.ok") == Some("clicked") {
                Reply::page(&page("post-response.html"))
            } else {
                Reply::page(&page("token-code-wrong.html"))
            }
        }
        ("POST", RESUME) => {
            if h.field("pf.username") == Some("alice") && h.field("pf.pass") == Some("pw-3") {
                Reply::page(&page("token-code.html"))
            } else {
                Reply::page(&page("wrong-password.html"))
            }
        }
        _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
    })
}

#[tokio::test]
async fn identifier_first_then_password_then_token_code() {
    let idp = pingfederate_with_token();
    let mut a = ScriptedAnswers::new("alice", "pw-3", &["864209"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Token code"]);
    let posts = idp.posts();
    assert_eq!(posts[0].path(), IDENTIFIER_RESUME);
    assert_eq!(posts[2].field("pf.pass"), Some("864209"));

    let mut a = ScriptedAnswers::new("alice", "pw-3", &["000000"]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Authentication failed: the token code was not accepted."
    );
    // The password is not sent again in place of the code.
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    let err = sign_in(&idp, START, None, &mut a).await.unwrap_err();
    assert!(matches!(err, IdpError::NeedsPerson { .. }), "{err:?}");
    assert_eq!(a.asked, ["username", "password", "code: Token code"]);
}

/// Issue 18, section 7: the HTML Form adapter's template writes a tooltip ("Please fill out this
/// field.") under every input, shown only by its script when a field is empty. On a token-code
/// page (username locked, the password field asking again) it is not the IdP's refusal: the page
/// asks for the code; the refusal after a wrong code is the adapter's `.ping-error`.
#[test]
fn validation_tooltips_are_not_refusals() {
    let (_, kind) = classify_page(
        PAGE,
        &page("token-code-tooltips.html"),
        &after_password(None),
    );
    assert!(
        matches!(&kind, PageKind::Mfa { field, on_login_form: true, .. } if field == "pf.pass"),
        "{kind:?}"
    );
    let (_, kind) = classify_page(
        PAGE,
        &page("token-code-tooltips-wrong.html"),
        &after_password(Some("pf.pass")),
    );
    assert_eq!(
        rejected(&kind),
        "Authentication failed: the token code was not accepted."
    );
    // The same template asking for the password again (a wrong password): refused, never in the
    // tooltip's words.
    let unlocked = page("token-code-tooltips.html").replace(" disabled=\"disabled\"", "");
    let (_, kind) = classify_page(PAGE, &unlocked, &after_password(None));
    assert!(!rejected(&kind).contains("fill out"), "{kind:?}");
}

#[tokio::test]
async fn a_token_code_page_with_tooltips_takes_the_code() {
    let idp = TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", _) => Reply::page(&page("login.html")),
        ("POST", RESUME) if h.field("pf.username").is_none() => match h.field("pf.pass") {
            Some("864209") => Reply::page(&page("post-response.html")),
            _ => Reply::page(&page("token-code-tooltips-wrong.html")),
        },
        ("POST", RESUME) if h.field("pf.pass") == Some("pw-3") => {
            Reply::page(&page("token-code-tooltips.html"))
        }
        _ => Reply::page(&page("wrong-password.html")),
    });
    let mut a = ScriptedAnswers::new("alice", "pw-3", &["864209"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password", "code: Token code"]);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &["000000"]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Authentication failed: the token code was not accepted."
    );
}

/// Issue 22: the password box is a text box until a script makes it one, and the form is sent by a
/// script link. It is the sign-in form, by its name (`pf.pass`) with the provider named or
/// detected, and by its name, id or label on any other IdP.
#[test]
fn a_password_box_that_is_text_until_focused_is_the_password() {
    let html = page("login-text-password.html");
    let (provider, kind) = classify_page(PAGE, &html, &Progress::default());
    assert_eq!(provider, "pingfederate");
    assert_eq!(login_fields(&kind), (Some("pf.username"), Some("pf.pass")));
    // Any name, as long as the name, id or label says password; never a passcode.
    let renamed = [
        html.replace("pf.pass", "j_password").replace("pf.", "x."),
        html.replace("pf.pass", "secret")
            .replace("id=\"password\"", "id=\"pwd\"")
            .replace("for=\"password\"", "for=\"pwd\"")
            .replace("pf.", "x."),
        html.replace("pf.pass", "field2")
            .replace("id=\"password\"", "id=\"f2\"")
            .replace("for=\"password\"", "for=\"f2\"")
            .replace(">Password<", ">Kennwort<")
            .replace("pf.", "x."),
    ];
    for html in &renamed {
        let kind = classify_page(
            "https://login.corp.example/auth",
            html,
            &Progress::default(),
        )
        .1;
        let (_, password) = login_fields(&kind);
        assert!(password.is_some_and(|p| p != "x.username"), "{kind:?}");
    }
    let passcode = html
        .replace("pf.pass", "passcode")
        .replace(">Password<", ">Passcode<")
        .replace("pf.", "x.");
    let kind = classify_page(
        "https://login.corp.example/auth",
        &passcode,
        &Progress::default(),
    )
    .1;
    assert!(
        !matches!(
            kind,
            PageKind::Login {
                password: Some(_),
                ..
            }
        ),
        "{kind:?}"
    );
}

const TEXT_RESUME: &str = "/idp/TxR4q/resumeSAML20/idp/startSSO.ping";

#[tokio::test]
async fn signs_in_through_a_text_password_box_and_a_script_link() {
    let idp = TestIdp::start(|h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", _) => Reply::page(&page("login-text-password.html")),
        ("POST", TEXT_RESUME)
            if h.field("pf.ok") == Some("clicked")
                && h.field("pf.username") == Some("alice")
                && h.field("pf.pass") == Some("pw-3") =>
        {
            Reply::page(&page("post-response.html"))
        }
        _ => Reply::page(&page("wrong-password.html")),
    });
    for provider in [None, Some("pingfederate")] {
        let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
        assert_signed_in(sign_in(&idp, START, provider, &mut a).await);
        assert_eq!(a.asked, ["username", "password"]);
    }
}

/// Issue 22: PingID's "Change Authenticating Device": a form of hidden fields with one button
/// beside a hidden-only form that a device's script posts. The button's form is pressed; the
/// script's form is never posted.
#[test]
fn the_change_device_page_presses_its_one_button() {
    let url = "https://authenticator.pingone.com/pingid/ppm/devices";
    let (provider, kind) = classify_page(
        url,
        &page("pingid-change-device.html"),
        &after_password(None),
    );
    assert_eq!(provider, "pingfederate");
    assert!(
        matches!(
            kind,
            PageKind::AutoPost {
                form: 1,
                press: true
            }
        ),
        "{kind:?}"
    );
    // The same with the forms the other way round and the script's form submitted by name.
    let swapped = page("pingid-change-device.html")
        .replace("id=\"selectDeviceForm\"", "id=\"tmp\"")
        .replace(
            "document.getElementById('selectDeviceForm').submit()",
            "document.forms['pick'].submit()",
        )
        .replace(
            "<form method=\"POST\" action=\"/pingid/ppm/devices/select\" id=\"tmp\">",
            "<form method=\"POST\" action=\"/pingid/ppm/devices/select\" name=\"pick\">",
        );
    let (_, kind) = classify_page(url, &swapped, &after_password(None));
    assert!(
        matches!(
            kind,
            PageKind::AutoPost {
                form: 1,
                press: true
            }
        ),
        "{kind:?}"
    );
}

/// Issue 22: PingFederate's "Password Expiring" notice is gone past by its Continue link (its
/// script sets `ChangePassword` to false and posts), the person told that the password expires.
#[test]
fn the_password_expiring_notice_is_continued() {
    let (provider, kind) =
        classify_page(PAGE, &page("password-expiring.html"), &after_password(None));
    assert_eq!(provider, "pingfederate");
    let PageKind::Notice { form, set, message } = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(form, 0);
    assert_eq!(set, [("ChangePassword".to_string(), "false".to_string())]);
    assert!(message.contains("password expires soon"), "{message}");
    assert!(message.contains("expire in 5 days"), "{message}");
}

fn expiring_idp(goes_on: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", _) => Reply::page(&page("login.html")),
        ("POST", RESUME) if h.field("pf.pass") == Some("pw-3") => {
            Reply::page(&page("password-expiring.html"))
        }
        ("POST", RESUME) if goes_on && h.field("ChangePassword") == Some("false") => {
            Reply::page(&page("post-response.html"))
        }
        ("POST", RESUME) if h.field("pf.notificationUsername").is_some() => {
            Reply::page(&page("password-expiring.html"))
        }
        _ => Reply::page(&page("wrong-password.html")),
    })
}

#[tokio::test]
async fn signs_in_past_the_password_expiring_notice() {
    let idp = expiring_idp(true);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(
        a.notices[0].contains("password expires soon"),
        "{:?}",
        a.notices
    );
    let posts = idp.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].field("ChangePassword"), Some("false"));
}

/// Issue 22: a page posted twice with the same fields that comes back the same is stuck: a clear
/// error after two posts, not the step limit.
#[tokio::test]
async fn a_page_that_keeps_coming_back_the_same_is_stuck() {
    let idp = expiring_idp(false);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    let err = sign_in(&idp, START, None, &mut a).await.unwrap_err();
    let IdpError::UnexpectedPage { title, hint, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(title, "Password Expiring");
    assert!(hint.contains("same page"), "{hint}");
    assert_eq!(idp.posts().len(), 3, "the sign-in, then the notice twice");
}

/// Issue 22: PingID's push page with only its status-poll form (its button in <noscript>) is a
/// push page, not a form to post once.
#[test]
fn a_push_page_with_only_its_poll_form_is_a_push_page() {
    let url = "https://authenticator.pingone.com/pingid/ppm/auth";
    let (provider, kind) =
        classify_page(url, &page("pingid-push-poll.html"), &after_password(None));
    assert_eq!(provider, "pingfederate");
    assert!(
        matches!(kind, PageKind::Push { form: Some(0), .. }),
        "{kind:?}"
    );
    // With its response form too, it stays the page samlbridge cannot follow.
    let (_, kind) = classify_page(url, &page("pingid-swipe.html"), &after_password(None));
    assert!(matches!(kind, PageKind::Unsupported(_)), "{kind:?}");
}

/// The built-in pingfederate file with a one-second poll and a short wait.
fn fast_pingfederate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = include_str!("../../../../providers/pingfederate.toml")
        .replace("interval_seconds = 3", "interval_seconds = 1")
        .replace("timeout_seconds = 90", "timeout_seconds = 3");
    std::fs::write(dir.path().join("pingfederate.toml"), file).unwrap();
    dir
}

/// A PingID that answers its poll with a JSON status; approved after `pending` polls (never when
/// None).
fn pingid_push(pending: Option<usize>) -> TestIdp {
    let polls = std::sync::atomic::AtomicUsize::new(0);
    TestIdp::start(move |h: &Hit| match (h.method.as_str(), h.path()) {
        ("GET", _) => Reply::page(&page("pingid-push-poll.html")),
        ("POST", "/pingid/ppm/auth/poll") => {
            let n = polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match pending {
                Some(p) if n >= p => Reply::page(&page("post-response.html")),
                _ => Reply::page(r#"{"status":"ASYNC_AUTH_WAIT"}"#),
            }
        }
        _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
    })
}

async fn sign_in_fast(idp: &TestIdp, a: &mut ScriptedAnswers) -> Result<SamlAssertion, IdpError> {
    let dir = fast_pingfederate();
    let req = LoginRequest {
        url: idp.url("/pingid/ppm/auth"),
        user_providers: Some(dir.path().to_path_buf()),
        ..LoginRequest::default()
    };
    crate::idp::sign_in_fresh(&req, a).await
}

#[tokio::test]
async fn a_pingid_push_is_polled_until_approved() {
    let idp = pingid_push(Some(1));
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    assert_signed_in(sign_in_fast(&idp, &mut a).await);
    assert_eq!(a.notices.len(), 1, "{:?}", a.notices);
    assert!(a.notices[0].contains("PingID app"), "{:?}", a.notices);
    assert!(idp.posts().iter().all(|h| h.field("csrfToken").is_some()));
}

#[tokio::test]
async fn a_pingid_push_never_approved_says_an_approval_was_expected() {
    let idp = pingid_push(None);
    let mut a = ScriptedAnswers::new("alice", "pw-3", &[]);
    let err = sign_in_fast(&idp, &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
    let message = refusal(Err(err));
    assert!(message.contains("phone approval was expected"), "{message}");
    assert!(idp.posts().len() >= 2, "polled more than once");
}
