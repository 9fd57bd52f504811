//! Issue 22: the fields a form posts are those a browser's parser gives it, not its subtree.

use crate::idp::page::Page;
use url::Url;

/// Each form's posted field names, in order.
fn names(html: &str) -> Vec<Vec<String>> {
    let page = Page::parse(Url::parse("https://idp.example/login").unwrap(), 200, html);
    page.forms()
        .iter()
        .map(|f| f.fields.iter().map(|x| x.name.clone()).collect())
        .collect()
}

#[test]
fn a_form_nested_by_an_early_close_owns_its_own_fields() {
    // `</form>` inside the div leaves the div open: the next form is parsed inside the first one's
    // subtree, but its fields are its own.
    let html = r#"<form id=a method=post><div><input name=user><input type=password name=pw>
        </form><form id=b method=post><input type=hidden name=lang value=en>
        <input type=hidden name=theme value=dark></form></div>"#;
    assert_eq!(names(html), [vec!["user", "pw"], vec!["lang", "theme"]]);
}

#[test]
fn fields_parsed_in_an_open_form_belong_to_it_outside_its_subtree() {
    // `</div>` closes the form element too, but the form stays open for the parser: a browser
    // posts what follows with it, up to `</form>`; nothing after.
    let html = r#"<div><form method=post><input name=user></div>
        <input type=password name=pw></form><input name=search>"#;
    assert_eq!(names(html), [vec!["user", "pw"]]);
    // A form in a table is empty in the tree; its cells' fields are still its own.
    let html = r#"<table><form method=post><tr><td><input name=user></td>
        <td><input type=password name=pw></td></tr></form></table>"#;
    assert_eq!(names(html), [vec!["user", "pw"]]);
}

#[test]
fn a_form_attribute_names_the_owner() {
    let html = r#"<form id=a><input name=one><input name=two form=b></form>
        <form id=b><input name=three></form><input name=four form=a><input name=five form=nope>"#;
    assert_eq!(names(html), [vec!["one", "four"], vec!["two", "three"]]);
}
