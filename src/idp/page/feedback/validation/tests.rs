//! Issue 18, section 7: what only the page's script shows is never the IdP's answer; each case was
//! read as a refusal before (a class part `alert`, or an error mark).

use crate::idp::page::{Page, Tone};
use url::Url;

fn feedback(body: &str) -> Option<(Tone, String)> {
    let html = format!("<html><head><title>t</title></head><body>{body}</body></html>");
    Page::parse(Url::parse("https://idp.example/login").unwrap(), 200, &html).feedback()
}

#[test]
fn tooltips_validators_and_validation_words_are_not_messages() {
    for body in [
        // PingFederate's HTML Form adapter, under every input.
        r#"<div class="ping-input-container"><input name="pf.pass" type="password">
           <div class="place-bottom type-alert tooltip-text"><div class="icon">!</div>Required value</div></div>"#,
        r#"<span role="tooltip" class="error">Ce champ est obligatoire</span>"#,
        r#"<div class="mb-3"><input class="form-control" name="otp" required>
           <div class="invalid-feedback">Enter the code from your app.</div></div>"#,
        r#"<span class="field-validation-valid text-danger" data-valmsg-for="Code">Wrong</span>"#,
        r#"<div class="alert alert-danger">Please fill out this field.</div>"#,
        r#"<p class="error">This field is required</p>"#,
    ] {
        assert_eq!(feedback(body), None, "{body}");
    }
}

#[test]
fn the_idps_answer_beside_them_is_still_read() {
    let tip = r#"<div class="type-alert tooltip-text">Please fill out this field.</div>"#;
    let cases = [
        format!(r#"<div class="ping-error">Authentication failed.</div><input name=a>{tip}"#),
        // A message holding a tooltip: the tooltip's words are left out.
        r#"<div role="alert">Authentication failed.<span class="tooltip">Required value</span></div>"#.to_string(),
        // Bootstrap feedback for a field the server marked invalid is the server's.
        r#"<div><input class="form-control is-invalid" name="otp"><div class="invalid-feedback">Authentication failed.</div></div>"#.to_string(),
        r#"<form class="was-validated"><input name="otp"><div class="invalid-feedback">Authentication failed.</div></form>"#.to_string(),
    ];
    for body in &cases {
        let words = feedback(body).map(|(_, w)| w);
        assert_eq!(words.as_deref(), Some("Authentication failed."), "{body}");
    }
}
