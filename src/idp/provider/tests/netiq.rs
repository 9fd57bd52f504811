//! NetIQ Access Manager: the portal that loads its form by script, the name/password and token
//! contracts, and the script redirect after the sign-in.

use super::*;
use crate::testing::idp::{Hit, Reply};

const PAGE: &str = "https://idp.corp.example/nidp/saml2/idpsend?PID=AWS";
const START: &str = "/nidp/saml2/idpsend?PID=AWS";

fn page(name: &str) -> String {
    fixture(&format!("netiq/{name}"))
}

#[test]
fn each_page_is_recognised_and_classified() {
    let (provider, kind) = classify_page(PAGE, &page("portal.html"), &Progress::default());
    assert_eq!(provider, "netiq");
    let PageKind::ScriptLink(url) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(
        url.as_str(),
        "https://idp.corp.example/nidp/app/login?id=Corp_Name_Password&sid=0&option=credential&sid=0&uiDestination=contentDiv"
    );

    let login = "https://idp.corp.example/nidp/app/login?sid=0";
    let (provider, kind) = classify_page(login, &page("login-fragment.html"), &Progress::default());
    assert_eq!(provider, "netiq");
    assert_eq!(
        login_fields(&kind),
        (Some("Ecom_User_ID"), Some("Ecom_Password"))
    );
    let (_, kind) = classify_page(login, &page("wrong-password.html"), &after_password(None));
    assert_eq!(rejected(&kind), "Login failed, please try again.");

    let (_, kind) = classify_page(login, &page("token-fragment.html"), &after_password(None));
    assert_eq!(mfa_field(&kind), ("Ecom_Token", "PIN + Token", false));
    let (_, kind) = classify_page(
        login,
        &page("token-wrong.html"),
        &after_password(Some("Ecom_Token")),
    );
    assert_eq!(
        rejected(&kind),
        "Authentication failed: the token code was not accepted."
    );

    let (_, kind) = classify_page(login, &page("redirect.html"), &after_password(None));
    let PageKind::ScriptLink(url) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(url.as_str(), PAGE);
}

/// A NetIQ-like IdP: portal → form by script → password → (token) → script redirect → response.
fn netiq(token: bool) -> TestIdp {
    TestIdp::start(move |h: &Hit| {
        let signed_in = h.cookie.contains("IPCZQX=done");
        match (h.method.as_str(), h.path()) {
            ("GET", "/nidp/saml2/idpsend") if signed_in => Reply::page(&page("post-response.html")),
            ("GET", "/nidp/saml2/idpsend") => {
                Reply::page(&page("portal.html")).cookie("JSESSIONID=n1; Path=/nidp")
            }
            ("GET", "/nidp/app/login") if h.url.contains("uiDestination=contentDiv") => {
                Reply::page(&page("login-fragment.html"))
            }
            ("POST", "/nidp/app/login") if h.url.contains("sid=0") => password_answer(h, token),
            ("POST", "/nidp/app/login") => {
                let right = h.field("Ecom_User_ID") == Some("alice")
                    && h.field("Ecom_Token") == Some("4321987654");
                if right {
                    Reply::page(&page("redirect.html")).cookie("IPCZQX=done; Path=/")
                } else {
                    Reply::page(&page("token-wrong.html"))
                }
            }
            _ => Reply::page("<title>Error</title>"),
        }
    })
}

fn password_answer(h: &Hit, token: bool) -> Reply {
    let right = h.field("Ecom_User_ID") == Some("alice")
        && h.field("Ecom_Password") == Some("pw-4")
        && h.field("option") == Some("credential")
        && h.cookie.contains("JSESSIONID=n1");
    match (right, token) {
        (false, _) => Reply::page(&page("wrong-password.html")),
        (true, true) => Reply::page(&page("token-fragment.html")),
        (true, false) => Reply::page(&page("redirect.html")).cookie("IPCZQX=done; Path=/"),
    }
}

#[tokio::test]
async fn signs_in_with_password_then_token() {
    let idp = netiq(true);
    let mut a = ScriptedAnswers::new("alice", "pw-4", &["4321987654"]);
    assert_signed_in(sign_in(&idp, START, None, &mut a).await);
    // The token form asks for the user ID again: it is sent with the code.
    assert_eq!(a.asked, ["username", "password", "code: PIN + Token"]);
    let token_post = idp.posts().pop().unwrap();
    assert_eq!(token_post.field("Ecom_User_ID"), Some("alice"));
}

#[tokio::test]
async fn a_wrong_password_or_token_is_refused_in_its_words() {
    let idp = netiq(true);
    let mut a = ScriptedAnswers::new("alice", "nope", &[]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Login failed, please try again."
    );
    let mut a = ScriptedAnswers::new("alice", "pw-4", &["1"]);
    assert_eq!(
        refusal(sign_in(&idp, START, None, &mut a).await),
        "Authentication failed: the token code was not accepted."
    );
}

#[tokio::test]
async fn without_a_token_contract_the_password_is_enough() {
    let idp = netiq(false);
    let mut a = ScriptedAnswers::new("alice", "pw-4", &[]);
    assert_signed_in(sign_in(&idp, START, Some("netiq"), &mut a).await);
}
