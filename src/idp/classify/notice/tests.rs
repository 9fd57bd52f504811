//! Issue 22: a notice with script links is gone past by its continue link, with what its script
//! sets.

use super::*;
use url::Url;

fn notice(html: &str) -> Option<PageKind> {
    let page = Page::parse(Url::parse("https://idp.example/n").unwrap(), 200, html);
    let forms = page.forms();
    let usable: Vec<&Form> = forms.iter().collect();
    find_notice(&page, &usable)
}

#[test]
fn script_assignments_are_read_in_their_usual_forms() {
    let script = r#"document.forms[0]['pf.ok'].value = 'clicked'; f.elements["a"].value="1";
        document.getElementById('later').value='yes'; form.skip.value = "2"; if (x.value == 'n') {}"#;
    assert_eq!(
        assignments(script),
        [
            ("pf.ok", "clicked"),
            ("a", "1"),
            ("later", "yes"),
            ("skip", "2")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn the_continue_link_is_followed_with_its_fields() {
    let page = r#"<title>Notice</title><p>Your password expires in 3 days.</p>
        <form method=post action=/resume><div hidden><input name=choice id=c></div>
        <a onclick="go('change')">Change now</a><a href="javascript:later()">Remind me later</a></form>
        <script>function later() { document.getElementById('c').value = 'later'; document.forms[0].submit(); }
        function go(x) { document.forms[0].choice.value = x; document.forms[0].submit(); }</script>"#;
    let Some(PageKind::Notice { form, set, message }) = notice(page) else {
        panic!("{:?}", notice(page))
    };
    assert_eq!((form, set), (0, vec![("choice".into(), "later".into())]));
    assert!(
        message.starts_with("your password expires soon"),
        "{message}"
    );
    assert!(message.contains("expires in 3 days"), "{message}");
    // No link that goes on, or a link whose script does not post: not a notice.
    assert!(notice(&page.replace("Remind me later", "Change it")).is_none());
    assert!(notice(&page.replace("document.forms[0].submit(); }\n", "}\n")).is_none());
    // A form with something to type is not a notice.
    assert!(notice(&page.replace("<div hidden>", "<div>")).is_none());
}
