use super::*;

fn page(url: &str, html: &str) -> Page {
    Page::parse(Url::parse(url).unwrap(), 200, html)
}

fn css(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn title_is_whitespace_collapsed() {
    let p = page("https://a.example/", "<title>\n  Sign\n In </title>");
    assert_eq!(p.title(), "Sign In");
    assert_eq!(page("https://a.example/", "<p>x</p>").title(), "");
}

#[test]
fn meta_refresh_targets_resolve_against_the_page() {
    let html = include_str!("../../../tests/fixtures/generic/refresh.html");
    let p = page("https://sso.example/a/b", html);
    assert_eq!(
        p.meta_refresh().unwrap().as_str(),
        "https://sso.example/idp/next?x=1&y=2"
    );
    let cases = [
        (r#"5;url=next"#, Some("https://sso.example/a/next")),
        (
            r#"0, URL = "https://x.example/y""#,
            Some("https://x.example/y"),
        ),
        (r#"0; /z"#, Some("https://sso.example/z")),
        (r#"30"#, None),
        (r#"0; url="#, None),
    ];
    for (content, want) in cases {
        let html = format!(r#"<meta http-equiv="refresh" content='{content}'>"#);
        let got = page("https://sso.example/a/b", &html).meta_refresh();
        assert_eq!(got.as_ref().map(Url::as_str), want, "for {content}");
    }
}

#[test]
fn visible_text_skips_scripts_and_hidden_elements() {
    let html = r#"<div id=e> Wrong <b>password</b><script>var x = 1;</script>
        <span style="display: none">hidden hint</span><span hidden>also</span>. </div>
        <div id=empty>   </div>"#;
    let p = page("https://a.example/", html);
    assert_eq!(p.texts(&css("#e")), ["Wrong password ."]);
    assert!(p.texts(&css("#empty")).is_empty());
    assert!(p.texts(&css("#nothing")).is_empty());
}

#[test]
fn error_codes_are_read_from_attributes() {
    let html = r#"<div id="errormsg"><div class="message message-negative alert"><span trmsg="5"></span></div></div>"#;
    let p = page("https://a.example/", html);
    assert_eq!(p.attrs(&css("#errormsg span[trmsg]"), "trmsg"), ["5"]);
}

#[test]
fn auto_submit_forms_are_found_by_script_noscript_or_binding_fields() {
    for (file, html) in [
        (
            "adfs/working",
            include_str!("../../../tests/fixtures/adfs/working.html"),
        ),
        (
            "simplesamlphp/post-response",
            include_str!("../../../tests/fixtures/simplesamlphp/post-response.html"),
        ),
        (
            "generic/saml-post-hop",
            include_str!("../../../tests/fixtures/generic/saml-post-hop.html"),
        ),
    ] {
        let p = page("https://a.example/", html);
        let forms = p.forms();
        assert_eq!(p.auto_submit_candidates(&forms), [0], "{file}");
    }
    // A form with a field for a person is never posted by itself.
    let p = page(
        "https://a.example/",
        "<body onload='document.forms[0].submit()'><form><input name=user></form>",
    );
    assert!(p.auto_submit_candidates(&p.forms()).is_empty());
    // Nor is a form of hidden fields with nothing that submits it.
    let p = page(
        "https://a.example/",
        "<form><input type=hidden name=a value=1></form>",
    );
    assert!(p.auto_submit_candidates(&p.forms()).is_empty());
}

#[test]
fn form_matches_tells_forms_apart_by_selector() {
    let html = include_str!("../../../tests/fixtures/adfs/login.html");
    let p = page("https://adfs.corp.example/adfs/ls/", html);
    let options = css("form#options");
    assert!(!p.form_matches(0, &options));
    assert!(p.form_matches(1, &options));
    assert!(!p.form_matches(7, &options));
}
