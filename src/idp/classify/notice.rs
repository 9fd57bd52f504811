//! Notice pages a person reads and goes past: a form of hidden fields and script links (Continue,
//! Change password) whose scripts set a field and post (PingFederate's "Password Expiring"; issue
//! 22). The link whose words say go on (continue, later, skip) is followed as its script would:
//! its field assignments set, the form posted.

use super::PageKind;
use crate::idp::form::{Form, collapse};
use crate::idp::page::{Page, visible_text};
use scraper::{ElementRef, Selector};
use std::sync::LazyLock;

/// Words of a link that goes past a notice without doing what it offers.
const GO_ON_WORDS: [&str; 16] = [
    "continue",
    "later",
    "skip",
    "not now",
    "remind me",
    "proceed",
    "weiter",
    "später",
    "überspringen",
    "continuer",
    "plus tard",
    "ignorer",
    "continuar",
    "más tarde",
    "doorgaan",
    "fortsätt",
];

static LINKS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        "a[onclick], a[href^='javascript:'], button[onclick], input[type=button][onclick]",
    )
    .unwrap_or_else(|_| panic!("bad built-in selector"))
});

/// The notice page, if `page` is one: a form with nothing to type, and a script link that says
/// go on and whose script posts.
pub fn find_notice(page: &Page, usable: &[&Form]) -> Option<PageKind> {
    page.select(&LINKS).find_map(|link| {
        let words = link_words(link).to_lowercase();
        if !GO_ON_WORDS.iter().any(|w| words.contains(w)) {
            return None;
        }
        let script = link_script(page, link);
        if !script.contains("submit(") {
            return None;
        }
        let assigned = assignments(&script);
        let form = usable
            .iter()
            .find(|f| page.form_holds(f.index, link))
            .or_else(|| {
                usable
                    .iter()
                    .find(|f| assigned.iter().any(|(n, _)| field_of(f, n).is_some()))
            })
            .or(usable.first())?;
        if !form.is_all_hidden() {
            return None;
        }
        let set = assigned
            .iter()
            .filter_map(|(target, value)| Some((field_of(form, target)?, value.clone())))
            .collect();
        Some(PageKind::Notice {
            form: form.index,
            set,
            message: notice_words(page),
        })
    })
}

/// The name of the field `target` (a name, else an id) of `form`.
fn field_of(form: &Form, target: &str) -> Option<String> {
    form.fields
        .iter()
        .find(|f| f.name == target)
        .or_else(|| form.fields.iter().find(|f| f.id.as_deref() == Some(target)))
        .map(|f| f.name.clone())
}

/// What a person reads on the link: its text, else its `value` or `title`.
fn link_words(link: ElementRef<'_>) -> String {
    let text = visible_text(link);
    if !text.is_empty() {
        return text;
    }
    let v = link.value();
    collapse(v.attr("value").or(v.attr("title")).unwrap_or_default())
}

/// The link's own script and the bodies of the page's functions it calls.
fn link_script(page: &Page, link: ElementRef<'_>) -> String {
    let v = link.value();
    let own = v
        .attr("onclick")
        .map(str::to_string)
        .or_else(|| {
            v.attr("href")
                .map(|h| h.trim_start_matches("javascript:").to_string())
        })
        .unwrap_or_default();
    let mut script = own.clone();
    for name in called(&own) {
        if let Some(body) = page.script_function(&name) {
            script.push(';');
            script.push_str(&body);
        }
    }
    script
}

/// The names of the functions `script` calls (`postContinue()`, `doIt('x')`).
fn called(script: &str) -> Vec<String> {
    script
        .match_indices('(')
        .filter_map(|(at, _)| {
            let before = &script[..at];
            let start = name_start(before);
            let name = &before[start..];
            let member = before[..start].ends_with('.');
            (!name.is_empty() && !member).then(|| name.to_string())
        })
        .collect()
}

#[cfg(test)]
#[test]
fn a_call_after_a_wide_character_is_read_without_a_panic() {
    // Found by the idp_pages fuzz target: a non-ASCII character right before a name.
    assert_eq!(called("x\u{fffd}go()"), ["go"]);
    assert_eq!(called("\u{fffd}()"), Vec::<String>::new());
    assert_eq!(
        assignments("f.\u{e9}x.value = 'y'"),
        [("\u{e9}x".to_string(), "y".to_string())]
    );
}

/// The fields `script` sets to a literal: `forms[0]['pf.ok'].value = 'clicked'`,
/// `form.elements["x"].value="y"`, `getElementById('id').value = 'y'`, `form.cancel.value = "1"`.
pub fn assignments(script: &str) -> Vec<(String, String)> {
    script
        .match_indices(".value")
        .filter_map(|(at, _)| {
            let rest = script[at + ".value".len()..].trim_start();
            let rest = rest.strip_prefix('=')?;
            if rest.starts_with('=') {
                return None;
            }
            let value = literal(rest.trim_start())?;
            Some((target(&script[..at])?, value))
        })
        .collect()
}

/// The field named just before `.value`: a quoted name in brackets or parentheses, or a property.
fn target(before: &str) -> Option<String> {
    let before = before.trim_end();
    if let Some(inner) = before
        .strip_suffix(']')
        .or_else(|| before.strip_suffix(')'))
    {
        let open = inner.rfind(['[', '('])?;
        return literal(inner[open + 1..].trim());
    }
    Some(before[name_start(before)..].to_string()).filter(|n| !n.is_empty())
}

/// Where the script name that ends `before` starts: just after the last character that cannot be
/// in a name (which may be wider than a byte).
fn name_start(before: &str) -> usize {
    before
        .char_indices()
        .rfind(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// A quoted literal at the start of `text`, its content.
fn literal(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let end = text[1..].find(quote)?;
    Some(text[1..1 + end].to_string())
}

/// What the person is told when the page is passed: the password expires soon (with the IdP's
/// sentence when it has one), or the page's title.
fn notice_words(page: &Page) -> String {
    let words = page.words();
    let lower = words.to_lowercase();
    let password = [
        "password",
        "passwort",
        "mot de passe",
        "contraseña",
        "kennwort",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let expiring = ["expir", "abläuft", "läuft", "caduc", "vence", "verloopt"]
        .iter()
        .any(|w| lower.contains(w));
    let sentence = words
        .split_inclusive(['.', '!'])
        .map(str::trim)
        .find(|s| {
            let s = s.to_lowercase();
            ["expir", "abläuft", "läuft", "caduc", "vence", "verloopt"]
                .iter()
                .any(|w| s.contains(w))
        })
        .map(|s| format!(" (the IdP says: '{}')", super::cap(s)))
        .unwrap_or_default();
    if password && expiring {
        format!(
            "your password expires soon{sentence}; continuing past the notice — change it in a \
             browser"
        )
    } else {
        format!("continuing past '{}'", page.title())
    }
}

#[cfg(test)]
mod tests;
