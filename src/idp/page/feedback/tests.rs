//! Issue 7, section 5: the IdP's message is found by what the element is (class, id, role), not by
//! one theme's markup, in any language; information, success and hidden elements are not messages.

use super::*;
use url::Url;

fn feedback(body: &str) -> Option<(Tone, String)> {
    let html = format!("<html><head><title>t</title></head><body>{body}</body></html>");
    Page::parse(Url::parse("https://idp.example/login").unwrap(), 200, &html).feedback()
}

fn words(body: &str) -> Option<String> {
    feedback(body).map(|(_, w)| w)
}

#[test]
fn message_elements_of_every_kind_are_read() {
    let cases = [
        (
            r#"<span class="kc-feedback-text">Ungültiger Benutzername oder Passwort.</span>"#,
            Tone::Neutral,
            "Ungültiger Benutzername oder Passwort.",
        ),
        (
            "<p id='input-error' class='pf-m-error'>\n   Invalid   username\n or password. </p>",
            Tone::Error,
            "Invalid username or password.",
        ),
        (
            r#"<div class="alert-error"><span class="kc-feedback-text">Mot de passe incorrect</span></div>"#,
            Tone::Error,
            "Mot de passe incorrect",
        ),
        (
            r#"<DIV ROLE="ALERT">Contraseña incorrecta</DIV>"#,
            Tone::Error,
            "Contraseña incorrecta",
        ),
        (
            r#"<div aria-live="assertive"><p>コードが正しくありません</p></div>"#,
            Tone::Neutral,
            "コードが正しくありません",
        ),
        (
            r#"<div class="alert alert-danger"><button type="button" class="close"><span aria-hidden="true">&times;</span></button><strong>Fout:</strong> onjuist wachtwoord</div>"#,
            Tone::Error,
            "Fout: onjuist wachtwoord",
        ),
        (
            r#"<div id="ErrorMessage"><i class="icon" aria-hidden="true">!</i>Account locked</div>"#,
            Tone::Error,
            "Account locked",
        ),
    ];
    for (body, tone, text) in cases {
        assert_eq!(feedback(body), Some((tone, text.to_string())), "{body}");
    }
}

#[test]
fn an_error_is_preferred_and_the_innermost_element_holds_the_words() {
    let body = r#"<div aria-live="polite">Checking…</div>
        <div class="login-alerts"><div class="alert alert-error"><span class="error-text">Wrong code</span></div></div>"#;
    assert_eq!(feedback(body), Some((Tone::Error, "Wrong code".into())));
    // An empty error element (AD FS's #errorText before anything went wrong) is not a message.
    let body = r#"<div id="error" class="error"><span id="errorText"></span></div>
        <span class="kc-feedback-text">Code invalide</span>"#;
    assert_eq!(words(body).as_deref(), Some("Code invalide"));
}

#[test]
fn good_news_hidden_elements_and_wrappers_are_not_messages() {
    let none = [
        r#"<div class="alert alert-info" role="alert">Please sign in to continue</div>"#,
        r#"<div class="alert-success pf-m-success"><span class="kc-feedback-text">Your account was updated</span></div>"#,
        r#"<div class="error hidden">Wrong password</div>"#,
        r#"<div class="error d-none">Wrong password</div>"#,
        r#"<div class="error" style="display: none">Wrong password</div>"#,
        r#"<div class="error" hidden>Wrong password</div>"#,
        r#"<div class="form-group has-error"><label>User</label><input name="u"></div>"#,
        r#"<main class="error-page"><form><input name="u"></form></main>"#,
        r#"<div class="message">Sign in with your organizational account</div>"#,
    ];
    for body in none {
        assert_eq!(feedback(body), None, "{body}");
    }
    // A panel whose name only mentions information still holds a message.
    assert_eq!(
        words(r#"<div class="login-information-panel"><span class="kc-feedback-text">Falsch</span></div>"#)
            .as_deref(),
        Some("Falsch")
    );
    assert_eq!(
        words(
            r#"<div class="pf-v5-c-alert pf-m-info"><h4 class="pf-v5-c-alert__title kc-feedback-text">Please sign in again</h4></div>"#
        ),
        None
    );
    // A page-sized block is not a message either.
    let long = format!("<div class='error'>{}</div>", "word ".repeat(200));
    assert_eq!(feedback(&long), None);
}
