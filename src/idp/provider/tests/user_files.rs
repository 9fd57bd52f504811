//! A provider file the user drops in their provider directory is used like a built-in one, and a
//! broken one stops the sign-in before any request, naming its file and line.

use super::*;
use crate::testing::idp::{Hit, Reply};

const ACME: &str = r##"
description = "ACME Gatekeeper 7"

[detect]
selectors = ["form#gk-login"]

[login]
form = "form#gk-login"
username = ["acct"]
password = ["pin"]
click = "go"

[errors]
selectors = [".gk-oops"]
"##;

const LOGIN: &str = r#"<title>Gatekeeper</title>
<form id="gk-login" method="post" action="/gk/check">
  <input name="nick" placeholder="Display name">
  <input name="acct"><input name="pin" type="password">
  <button name="help" value="1">Help</button><button name="go" value="yes">Enter</button>
</form>"#;

fn acme() -> TestIdp {
    TestIdp::start(|h: &Hit| match h.method.as_str() {
        "GET" => Reply::page(LOGIN),
        _ if h.field("acct") == Some("alice") && h.field("pin") == Some("9999") => {
            Reply::page(&fixture("adfs/working.html"))
        }
        _ => Reply::page(&format!(
            "{LOGIN}<div class='gk-oops'>Gatekeeper says no (code {}).</div>",
            h.field("go").unwrap_or("?")
        )),
    })
}

fn request(idp: &TestIdp, dir: &std::path::Path) -> LoginRequest {
    LoginRequest {
        url: idp.url("/gk/start"),
        provider: None,
        user_providers: Some(dir.to_path_buf()),
        ..LoginRequest::default()
    }
}

#[tokio::test]
async fn a_user_provider_file_is_detected_and_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), ACME).unwrap();
    let idp = acme();
    let mut a = ScriptedAnswers::new("alice", "9999", &[]);
    assert_signed_in(crate::idp::sign_in_fresh(&request(&idp, dir.path()), &mut a).await);
    // Its field names, not the generic guess (the first text field), and its button.
    let post = &idp.posts()[0];
    assert_eq!(post.names(), ["nick", "acct", "pin", "go"]);
    let mut a = ScriptedAnswers::new("alice", "0000", &[]);
    assert_eq!(
        refusal(crate::idp::sign_in_fresh(&request(&idp, dir.path()), &mut a).await),
        "Gatekeeper says no (code yes)."
    );
    let listed = crate::idp::list_providers(Some(dir.path())).unwrap();
    let acme = listed.iter().find(|p| p.name == "acme").unwrap();
    assert_eq!(acme.description, "ACME Gatekeeper 7");
    assert_eq!(
        acme.origin,
        crate::idp::ProviderOrigin::User(dir.path().join("acme.toml"))
    );
}

#[tokio::test]
async fn a_broken_user_file_is_named_with_its_line_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let broken = ACME.replace("click = \"go\"", "click = \"go\"\nsubmit = \"go\"");
    std::fs::write(dir.path().join("acme.toml"), broken).unwrap();
    let idp = acme();
    let mut a = ScriptedAnswers::new("alice", "9999", &[]);
    let err = crate::idp::sign_in_fresh(&request(&idp, dir.path()), &mut a)
        .await
        .unwrap_err();
    let file = dir.path().join("acme.toml");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:12: ", file.display())),
        "{err}"
    );
    assert!(err.to_string().contains("submit"), "{err}");
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Usage);
    assert!(idp.hits().is_empty());
    assert!(crate::idp::list_providers(Some(dir.path())).is_err());
}
