//! An IdP no provider file knows (issue 7, section 5): an identifier-first page whose field is not
//! called "username", the password on the next page, a page of hidden fields and one button, and
//! a refusal in the page's own words — all by the engine's general rules.

use super::*;
use crate::testing::idp::{Hit, Reply};

const START: &str = "/authn/start";

fn page(name: &str) -> String {
    fixture(&format!("generic/{name}"))
}

fn idp() -> TestIdp {
    TestIdp::start(|h: &Hit| {
        let flow = h.field("flow") == Some("f-81c2");
        match (h.method.as_str(), h.path()) {
            ("GET", START) => Reply::page(&page("identifier.html")),
            ("POST", "/authn/identify") if flow => {
                assert_eq!(h.field("remember"), None);
                match h.field("identifier") {
                    Some("alice@corp.example") => Reply::page(&page("password.html")),
                    _ => Reply::page(&page("identifier.html")),
                }
            }
            ("POST", "/authn/password") if flow && h.field("identifier").is_some() => {
                match h.field("passwd") {
                    Some("pw-9") => Reply::page(&page("interstitial.html")),
                    // Some IdPs go back to their first page to say no.
                    Some("expired") => Reply::page(&page("identifier.html").replace(
                        "<h1>Inloggen</h1>",
                        "<h1>Inloggen</h1><p class=\"form-error\">Wachtwoord verlopen.</p>",
                    )),
                    _ => Reply::page(&page("password-wrong.html")),
                }
            }
            ("POST", "/authn/resume") if flow && h.field("continue") == Some("Doorgaan") => {
                Reply::page(&fixture("adfs/working.html"))
            }
            _ => Reply::page("<title>Error</title><p>Unexpected request</p>"),
        }
    })
}

#[tokio::test]
async fn identifier_first_then_password_then_a_button_page() {
    let idp = idp();
    let mut a = ScriptedAnswers::new("alice@corp.example", "pw-9", &[]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    assert_eq!(a.asked, ["username", "password"]);
    let paths: Vec<String> = idp.posts().iter().map(|h| h.path().to_string()).collect();
    assert_eq!(
        paths,
        ["/authn/identify", "/authn/password", "/authn/resume"]
    );
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_refused() {
    let idp = idp();
    let mut a = ScriptedAnswers::new("alice@corp.example", "nope", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Onjuist wachtwoord. Probeer het opnieuw."
    );
    let mut a = ScriptedAnswers::new("alice@corp.example", "expired", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Wachtwoord verlopen."
    );
    assert_eq!(
        idp.posts()
            .iter()
            .filter(|h| h.field("passwd").is_some())
            .count(),
        2
    );
    let mut a = ScriptedAnswers::new("mallory@corp.example", "pw-9", &[]);
    let words = refusal(sign_in(&idp, START, None, &mut a).await);
    assert!(words.contains("sign-in form again"), "{words}");
    assert_eq!(a.asked, ["username"]);
}
