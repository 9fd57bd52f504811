use super::*;
use crate::idp::page::Page;

fn forms_of(url: &str, html: &str) -> Vec<Form> {
    Page::parse(Url::parse(url).unwrap(), 200, html).forms()
}

fn one_form(url: &str, html: &str) -> Form {
    let mut forms = forms_of(url, html);
    assert_eq!(forms.len(), 1, "{forms:?}");
    forms.remove(0)
}

fn pairs(sub: &Submission) -> Vec<(&str, &str)> {
    sub.pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

const PAGE: &str = "https://idp.example/sso/login.php?AuthState=abc&x=1#frag";

#[test]
fn actions_resolve_against_the_page_like_a_browser() {
    let cases = [
        (r#"action="?""#, "https://idp.example/sso/login.php?"),
        (
            r##"action="#""##,
            "https://idp.example/sso/login.php?AuthState=abc&x=1",
        ),
        (
            r#"action="""#,
            "https://idp.example/sso/login.php?AuthState=abc&x=1",
        ),
        ("", "https://idp.example/sso/login.php?AuthState=abc&x=1"),
        (r#"action="/path/post""#, "https://idp.example/path/post"),
        (
            r#"action="next?a=1&amp;b=2""#,
            "https://idp.example/sso/next?a=1&b=2",
        ),
        (
            r#"action="https://other.example/acs""#,
            "https://other.example/acs",
        ),
        (r#"action="  /trimmed  ""#, "https://idp.example/trimmed"),
    ];
    for (attr, want) in cases {
        let form = one_form(PAGE, &format!("<form {attr} method=post></form>"));
        assert_eq!(form.action.as_str(), want, "for {attr}");
    }
}

#[test]
fn base_href_changes_where_actions_point() {
    let html = include_str!("../../../tests/fixtures/generic/login.html");
    let forms = forms_of("https://sso.example/start", html);
    assert_eq!(
        forms[1].action.as_str(),
        "https://sso.example/idp/login?flow=aws&step=1"
    );
    assert_eq!(forms[0].action.as_str(), "https://sso.example/search");
}

#[test]
fn method_defaults_to_get_and_any_other_value_posts() {
    assert_eq!(one_form(PAGE, "<form></form>").method, Method::Get);
    assert_eq!(
        one_form(PAGE, "<form method=GET></form>").method,
        Method::Get
    );
    assert_eq!(
        one_form(PAGE, "<form method=Post></form>").method,
        Method::Post
    );
}

#[test]
fn entities_in_values_are_decoded_and_unnamed_inputs_never_posted() {
    let html = include_str!("../../../tests/fixtures/simplesamlphp/login.html");
    let form = one_form(PAGE, html);
    let state = form.field("AuthState").unwrap();
    assert!(
        state
            .value
            .ends_with("urn%3Aamazon%3Awebservices&cookieTime=1795278610")
    );
    assert!(!state.visible);
    // The hidden input without a name and the button without a name are not in the post.
    let sub = form.submission(&[("username", "alice"), ("password", "pw")], Click::Default);
    let names = sub.names();
    assert_eq!(names, ["username", "password", "AuthState"]);
}

#[test]
fn checkboxes_radios_selects_textareas_and_disabled_controls() {
    let html = include_str!("../../../tests/fixtures/generic/login.html");
    let form = forms_of(PAGE, html).remove(1);
    let sub = form.submission(&[], Click::Script);
    assert_eq!(
        pairs(&sub),
        [
            ("csrf_token", "c7f1b2a0-1111-4c2e-9f00-5e5e5e5e5e5e"),
            ("login", ""),
            ("secret", ""),
            ("terms", "accepted"),
            ("domain", "lab"),
            ("realm", "EMEA"),
            ("note", "hello & welcome"),
            ("factor", "totp"),
        ]
    );
}

#[test]
fn a_named_submit_button_is_posted_only_when_clicked() {
    let html = include_str!("../../../tests/fixtures/generic/login.html");
    let form = forms_of(PAGE, html).remove(1);
    let last = |c: Click<'_>| {
        let sub = form.submission(&[], c);
        sub.pairs.last().map(|(n, v)| format!("{n}={v}"))
    };
    assert_eq!(last(Click::Script).as_deref(), Some("factor=totp"));
    assert_eq!(last(Click::Default).as_deref(), Some("action=login"));
    assert_eq!(
        last(Click::Named("action")).as_deref(),
        Some("action=login")
    );
    assert_eq!(last(Click::Named("nosuch")).as_deref(), Some("factor=totp"));
    // type=button is not a submit button.
    assert!(form.buttons.iter().all(|b| b.value != "1"));
}

#[test]
fn fills_replace_the_first_field_of_a_name_or_are_added() {
    let form = one_form(
        PAGE,
        r#"<form method=post><input name=a value=1><input name=a value=2>
           <input type=checkbox name=c value=on></form>"#,
    );
    let sub = form.submission(&[("a", "x"), ("c", "yes"), ("extra", "e")], Click::Script);
    assert_eq!(pairs(&sub), [("a", "x"), ("c", "yes"), ("extra", "e")]);
}

#[test]
fn a_get_form_replaces_the_action_query() {
    let form = one_form(
        PAGE,
        r#"<form action="/find?old=1"><input name=q value=v></form>"#,
    );
    let sub = form.submission(&[], Click::Script);
    assert_eq!(sub.url.as_str(), "https://idp.example/find");
    assert_eq!(sub.method, Method::Get);
}

#[test]
fn fields_hidden_by_style_or_attribute_are_not_visible() {
    let html = include_str!("../../../tests/fixtures/adfs/paginated-username.html");
    let forms = forms_of("https://adfs.corp.example/adfs/ls/", html);
    let login = &forms[1];
    assert_eq!(login.id.as_deref(), Some("loginForm"));
    assert!(login.field("UserName").unwrap().visible);
    assert!(!login.field("Password").unwrap().visible);
    let kmsi = one_form(
        PAGE,
        r#"<form><div hidden><input name=a></div><input name=b style="VISIBILITY: hidden"><input name=c></form>"#,
    );
    let visible: Vec<bool> = kmsi.fields.iter().map(|f| f.visible).collect();
    assert_eq!(visible, [false, false, true]);
}

#[test]
fn labels_come_from_label_for_enclosing_label_or_placeholder() {
    let html = include_str!("../../../tests/fixtures/adfs/mfa-code.html");
    let form = one_form("https://adfs.corp.example/adfs/ls/", html);
    assert_eq!(
        form.field("VerificationCode").unwrap().label.as_deref(),
        Some("Enter the verification code sent to your mobile device")
    );
    let generic = include_str!("../../../tests/fixtures/generic/login.html");
    let form = forms_of(PAGE, generic).remove(1);
    assert_eq!(form.field("login").unwrap().label.as_deref(), Some("Email"));
    assert_eq!(
        form.field("secret").unwrap().label.as_deref(),
        Some("Password")
    );
    let search = forms_of(PAGE, generic).remove(0);
    assert_eq!(
        search.field("q").unwrap().label.as_deref(),
        Some("Search help")
    );
}

#[test]
fn debug_never_shows_values() {
    let html = include_str!("../../../tests/fixtures/adfs/working.html");
    let form = one_form("https://adfs.corp.example/adfs/ls/", html);
    let shown = format!("{form:?}");
    assert!(shown.contains("SAMLResponse"), "{shown}");
    assert!(!shown.contains("PHNhbWxw"), "{shown}");
    let sub = form.submission(&[("Password", "hunter2")], Click::Script);
    let shown = format!("{sub:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("PHNhbWxw"),
        "{shown}"
    );
}
