//! Issue 18, section 4: the page dump holds no value, whatever comes before the form. Each page
//! below defeated the text scanner this replaced (it tracked quotes from any `<`).

use super::*;

/// Every secret of `html` is gone from its scrubbed copy.
fn assert_no_secret(html: &str, secrets: &[&str]) -> String {
    let out = scrubbed(html);
    for secret in secrets {
        assert!(!out.contains(secret), "{secret} survived in {out}");
    }
    out
}

/// The fields every hostile page below ends with: a hidden value, a typed code, a textarea.
const FORM: &str = "<form action=\"/login?state=st4te\"><input type=hidden name=Context value=\"ctx-s3cret\">\
    <input name=otc value=123456><textarea name=t>typed words</textarea>\
    <input type='password' name='passwd' value='hunter2'/></form>";
const SECRETS: [&str; 5] = ["ctx-s3cret", "123456", "typed words", "hunter2", "st4te"];

#[test]
fn a_comment_with_an_apostrophe_before_the_form() {
    // Before: the scanner took the apostrophe for an open quote and copied the form verbatim.
    let out = assert_no_secret(&format!("<!-- don't edit -->{FORM}"), &SECRETS);
    assert!(!out.contains("don't"), "{out}");
    assert!(out.contains("name=\"passwd\""), "{out}");
}

#[test]
fn a_script_with_a_less_than_and_quotes_before_the_form() {
    let html = format!(
        "<html><head><script>if (a<b) {{ var s = \"it's\"; var t = 'tok-9f8e'; }}</script></head>\
         <body>{FORM}</body></html>"
    );
    let out = assert_no_secret(&html, &[&SECRETS[..], &["tok-9f8e", "it's"]].concat());
    assert!(!out.contains("<script"), "{out}");
}

#[test]
fn cdata_unclosed_tags_and_unquoted_attributes() {
    let html = "<p><![CDATA[ don't ]]></p><div title='x><input value=cdata-s3cret>\
        <svg><![CDATA[<input value=svg-s3cret>]]></svg>\
        <input name=a value=unq-s3cret data-value=dv-s3cret onclick=\"go('click-s3cret')\"\
        <input value=\"unclosed-s3cret";
    assert_no_secret(
        html,
        &[
            "cdata-s3cret",
            "unq-s3cret",
            "dv-s3cret",
            "click-s3cret",
            "unclosed-s3cret",
        ],
    );
}

#[test]
fn raw_text_and_templates_carry_no_value() {
    let html = "<noscript><input value=ns-s3cret></noscript>\
        <template><input value=tpl-s3cret></template>\
        <iframe srcdoc=\"<input value=srcdoc-s3cret>\">fallback-s3cret</iframe>\
        <meta name=csrf-token content=csrf-s3cret>\
        <select name=s><option value=opt-s3cret selected>Label</option></select>\
        <button name=b value=btn-s3cret>Go</button>\
        <input value\"=attr-s3cret>\
        <a href=\"javascript:post('js-s3cret')\">x</a><a href=\"/next?code=q-s3cret#f\">y</a>";
    let out = assert_no_secret(
        html,
        &[
            "ns-s3cret",
            "tpl-s3cret",
            "srcdoc-s3cret",
            "fallback-s3cret",
            "csrf-s3cret",
            "opt-s3cret",
            "btn-s3cret",
            "attr-s3cret",
            "js-s3cret",
            "q-s3cret",
        ],
    );
    for kept in ["Label</option>", ">Go</button>", "href=\"/next?…\""] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

#[test]
fn what_tells_the_page_apart_is_kept() {
    // The parser keeps attributes in name order.
    let html = "<html><head><title>Odd &amp; new</title><style>.x > p { display: none }</style></head>\
        <body><div id=errorText class=\"error small\" style=\"color:red\">Wrong code</div>\
        <form id=loginForm method=post><label for=p>Passcode</label>\
        <input id=p type=tel name=Passcode autocomplete=one-time-code hidden></form></body></html>";
    let out = scrubbed(html);
    for kept in [
        "<title>Odd &amp; new</title>",
        "<div class=\"error small\" id=\"errorText\" style=\"color:red\">Wrong code</div>",
        "<form id=\"loginForm\" method=\"post\">",
        "<input autocomplete=\"one-time-code\" hidden=\"\" id=\"p\" name=\"Passcode\" type=\"tel\">",
        "display: none",
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

#[test]
fn broken_markup_does_not_panic() {
    for html in [
        "",
        "<",
        "<input value=",
        "<textarea>x",
        "<input value=é>ü",
        "a<b",
        "<!--",
        "<![CDATA[",
    ] {
        scrubbed(html);
    }
    assert!(!scrubbed("<input value=é>ü").contains('é'));
}
