use super::*;
use crate::idp::page::Page;
use crate::idp::provider::Providers;
use crate::testing::answers::ScriptedAnswers;

fn form(html: &str) -> Form {
    let url = url::Url::parse("https://idp.example/sso").unwrap();
    Page::parse(url, 200, html).forms().remove(0)
}

fn provider(name: &str) -> Provider {
    Providers::load(None).unwrap().named(name).unwrap().clone()
}

fn fields<'a>(fill: &'a Fill<'a>) -> Vec<(&'a str, &'a str)> {
    fill.fields.clone()
}

#[test]
fn the_sign_in_form_gets_both_answers_and_the_providers_fixed_fields() {
    let adfs = provider("adfs");
    let page = form(
        r#"<form id="loginForm" method="post"><input name="UserName">
           <input type="password" name="Password"></form>"#,
    );
    let mut person = ScriptedAnswers::new("alice", "hunter2", &[]);
    let mut asked = Asked::new(&mut person);
    let answers = SignInFill::ask(
        &page,
        (Some("UserName"), Some("Password")),
        &adfs.login,
        &mut asked,
    )
    .unwrap();
    assert_eq!(
        fields(&answers.fill()),
        [
            ("UserName", "alice"),
            ("Password", "hunter2"),
            ("AuthMethod", "FormsAuthentication")
        ]
    );
    let mut progress = Progress::default();
    answers.record(&mut progress);
    assert!(progress.sent_username && progress.sent_password);
    // Asked once in a sign-in, however often a page asks.
    asked.username().unwrap();
    asked.password().unwrap();
    assert_eq!(person.asked, ["username", "password"]);
}

#[test]
fn a_username_the_idp_already_knows_is_not_asked_again() {
    let generic = provider("generic");
    let page = form(
        r#"<form method="post"><input type="hidden" name="user" value="alice">
           <input type="password" name="pass"></form>"#,
    );
    let mut person = ScriptedAnswers::new("alice", "hunter2", &[]);
    let mut asked = Asked::new(&mut person);
    let answers = SignInFill::ask(
        &page,
        (Some("user"), Some("pass")),
        &generic.login,
        &mut asked,
    )
    .unwrap();
    assert_eq!(fields(&answers.fill()), [("pass", "hunter2")]);
    let mut progress = Progress::default();
    answers.record(&mut progress);
    assert!(!progress.sent_username && progress.sent_password);
    assert_eq!(person.asked, ["password"]);
}

#[test]
fn a_code_form_that_asks_who_gets_the_username_and_the_next_code_is_fresh() {
    let netiq = provider("netiq");
    let page = form(
        r#"<form method="post"><input name="Ecom_User_ID">
           <input name="Ecom_Token"></form>"#,
    );
    let mut person = ScriptedAnswers::new("alice", "hunter2", &["123456"]);
    let mut asked = Asked::new(&mut person);
    let ask = CodeAsk {
        field: "Ecom_Token",
        label: "Token",
        next: true,
        on_login_form: false,
        methods: None,
    };
    let code = CodeFill::ask(&page, &ask, None, &netiq, &mut asked, "idp.example").unwrap();
    assert_eq!(
        fields(&code.fill()),
        [("Ecom_Token", "123456"), ("Ecom_User_ID", "alice")]
    );
    let mut progress = Progress::default();
    code.record(&mut progress);
    assert_eq!(progress.sent_code.as_deref(), Some("Ecom_Token"));
    assert!(progress.sent_next_code);
    assert_eq!(person.asked, ["next code: Token", "username"]);
}

#[test]
fn a_code_in_the_sign_in_forms_password_field_is_posted_as_that_form_is() {
    let adfs = provider("adfs");
    let page = form(r#"<form method="post"><input type="password" name="Password"></form>"#);
    let mut person = ScriptedAnswers::new("alice", "hunter2", &["654321"]);
    let mut asked = Asked::new(&mut person);
    let ask = CodeAsk {
        field: "Password",
        label: "Passcode",
        next: false,
        on_login_form: true,
        methods: None,
    };
    let code = CodeFill::ask(&page, &ask, None, &adfs, &mut asked, "idp.example").unwrap();
    assert_eq!(
        fields(&code.fill()),
        [
            ("Password", "654321"),
            ("AuthMethod", "FormsAuthentication")
        ]
    );
}

#[test]
fn a_confirm_rule_is_noted_and_a_missing_one_is_none() {
    let shibboleth = provider("shibboleth");
    let mut progress = Progress::default();
    assert!(confirm(&shibboleth, usize::MAX, "idp.example", &mut progress, false).is_none());
    assert!(progress.confirmed.is_empty());
    let fill = confirm(&shibboleth, 0, "idp.example", &mut progress, false).unwrap();
    let rule = &shibboleth.confirm[0];
    assert_eq!(fill.click, rule.click.as_deref());
    assert_eq!(fill.fields.len(), rule.set.len());
    assert_eq!(progress.confirmed, [0]);
}
