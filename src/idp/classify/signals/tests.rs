//! Issue 7, section 5: a user name asked alone is recognised as a class (any name, any markup),
//! not one IdP's field; search boxes and code fields are not user names.

use super::*;
use crate::idp::page::Page;
use url::Url;

fn first_form(html: &str) -> Form {
    let page = Page::parse(Url::parse("https://idp.example/x").unwrap(), 200, html);
    page.forms().remove(0)
}

fn username_alone(html: &str) -> Option<String> {
    let form = first_form(html);
    form.fields
        .iter()
        .find(|f| f.is_typed() && asks_for_username_alone(&form, f))
        .map(|f| f.name.clone())
}

#[test]
fn a_user_name_asked_alone_is_recognised_by_what_it_is() {
    let pages = [
        (
            "<form method=post><input name=subject><a onclick='postOk()'>Next</a></form>",
            "subject",
        ),
        (
            r#"<FORM METHOD="POST" ACTION="/login"><DIV><INPUT CLASS="x" TYPE="EMAIL" NAME="loginfmt"></DIV><INPUT TYPE="SUBMIT" VALUE="Next"></FORM>"#,
            "loginfmt",
        ),
        (
            "<form method=post><label>Identifier <input name=identifier></label></form>",
            "identifier",
        ),
        (
            "<form method=post><input type=email name=email><input type=checkbox name=remember></form>",
            "email",
        ),
        (
            "<form method=post><input name=j_username><input type=password name=j_password style='display:none'></form>",
            "j_username",
        ),
        (
            "<form><input name=login placeholder='Login'></form>",
            "login",
        ),
        ("<form><input name=user></form>", "user"),
        ("<form><input name=userid></form>", "userid"),
        ("<form><input name=uid></form>", "uid"),
        ("<form><input name=pf.username></form>", "pf.username"),
        (
            "<form><label for=k>Benutzerkennung</label><input id=k name=k1></form>",
            "k1",
        ),
        ("<form><input name=x autocomplete=username></form>", "x"),
        (
            "<form method=post><input type=hidden name=state value=s><input name=acct_name></form>",
            "acct_name",
        ),
    ];
    for (html, name) in pages {
        assert_eq!(username_alone(html).as_deref(), Some(name), "{html}");
    }
}

#[test]
fn search_boxes_code_fields_and_busy_forms_are_not_user_names() {
    let pages = [
        "<form action=/search><input name=q></form>",
        "<form method=post><input name=q></form>",
        "<form><input name=otp autocomplete=one-time-code></form>",
        "<form method=post><input name=verification_code></form>",
        "<form method=post><input name=user><input name=domain></form>",
        "<form method=post><input name=user><input type=password name=pw></form>",
        "<form method=post><input type=number name=user></form>",
    ];
    for html in pages {
        assert_eq!(username_alone(html), None, "{html}");
    }
}

#[test]
fn a_locked_username_and_a_code_label_are_seen() {
    let disabled = first_form(
        "<form><input name=u value=alice disabled><label for=p>Passcode</label><input id=p type=password name=p></form>",
    );
    assert!(username_locked(&disabled));
    assert!(asks_for_code(&disabled.fields[0]));
    let readonly =
        first_form("<form><input name=u value=alice readonly><input type=password name=p></form>");
    assert!(username_locked(&readonly));
    assert!(!asks_for_code(&readonly.fields[1]));
    let open = first_form("<form><input name=u value=alice><input type=password name=p></form>");
    assert!(!username_locked(&open));
    let empty =
        first_form("<form><input name=u value='' disabled><input type=password name=p></form>");
    assert!(!username_locked(&empty));
    assert!(speaks_of_code("Introduzca el código de su token"));
    assert!(!speaks_of_code("Wrong password"));
}
