//! The searches behind classification: which form is the code form, the push form, the form to
//! accept, the sign-in form, and which script loads the next page.

use super::{PageKind, preferred};
use crate::idp::form::{Field, Form};
use crate::idp::page::Page;
use crate::idp::provider::{Css, LoginStep, MfaStep, Provider};

/// Whether one of `selectors` matches an element of `page`, or its visible text contains one of
/// `texts` (without case).
pub fn matches(page: &Page, selectors: &[Css], texts: &[String]) -> bool {
    if selectors.iter().any(|s| page.has(s.selector())) {
        return true;
    }
    if texts.is_empty() {
        return false;
    }
    let body = page.body_text_lowercase();
    texts.iter().any(|t| body.contains(&t.to_lowercase()))
}

pub fn find_mfa<'f>(
    page: &Page,
    forms: &[&'f Form],
    mfa: &MfaStep,
) -> Option<(&'f Form, &'f Field)> {
    preferred(page, forms, mfa.form.as_ref())
        .into_iter()
        .find_map(|form| {
            let named = |f: &&Field| mfa.fields.iter().any(|n| f.name.eq_ignore_ascii_case(n));
            let marked = |f: &&Field| {
                f.autocomplete.as_deref().is_some_and(|a| {
                    a.split_whitespace()
                        .any(|t| mfa.autocomplete.iter().any(|m| m.eq_ignore_ascii_case(t)))
                })
            };
            let no_password = !form.fields.iter().any(|f| f.is_typed() && f.is_password());
            let like = |f: &&Field| {
                no_password && {
                    let name = f.name.to_ascii_lowercase();
                    mfa.name_contains
                        .iter()
                        .any(|part| name.contains(&part.to_ascii_lowercase()))
                }
            };
            let typed = || form.fields.iter().filter(|f| f.is_typed());
            let field = typed()
                .find(|f| named(f) || marked(f))
                .or_else(|| typed().find(like))?;
            Some((form, field))
        })
}

pub fn find_push(page: &Page, forms: &[&Form], provider: &Provider) -> Option<PageKind> {
    let push = provider.push.as_ref()?;
    if !push.selectors.iter().any(|s| page.has(s.selector())) {
        return None;
    }
    let form = form_for(page, forms, push.form.as_ref(), &push.selectors);
    let number = push
        .number
        .as_ref()
        .and_then(|n| page.texts(n.selector()).into_iter().next());
    Some(PageKind::Push {
        form: form.map(|f| f.index),
        number,
    })
}

/// The first confirm rule that matches, and its form: the one `form` picks, else the one holding a
/// match of its selectors, else the first usable form.
pub fn find_confirm(page: &Page, forms: &[&Form], provider: &Provider) -> Option<PageKind> {
    let (rule, step) = provider
        .confirm
        .iter()
        .enumerate()
        .find(|(_, c)| matches(page, &c.selectors, &c.texts))?;
    let form = form_for(page, forms, step.form.as_ref(), &step.selectors)?;
    Some(PageKind::Confirm {
        form: form.index,
        rule,
    })
}

/// The form a rule acts on: the one `form` picks, else the one holding a match of `selectors`, else
/// the first usable form.
fn form_for<'f>(
    page: &Page,
    forms: &[&'f Form],
    form: Option<&Css>,
    selectors: &[Css],
) -> Option<&'f Form> {
    let picked = form.and_then(|sel| {
        forms
            .iter()
            .find(|f| page.form_matches(f.index, sel.selector()))
    });
    let holding = || {
        forms.iter().find(|f| {
            selectors
                .iter()
                .any(|s| page.form_contains(f.index, s.selector()))
        })
    };
    picked.or_else(holding).or(forms.first()).copied()
}

pub fn find_login(page: &Page, forms: &[&Form], login: &LoginStep) -> Option<PageKind> {
    let candidates = preferred(page, forms, login.form.as_ref());
    let with_password = candidates.iter().find_map(|form| {
        let password = visible_named(form, &login.password, |f| f.is_password())
            .or_else(|| form.fields.iter().find(|f| f.is_typed() && f.is_password()))
            .or_else(|| password_by_name(form, &login.password))?;
        let username = form.field_named(&login.username).or_else(|| {
            form.fields
                .iter()
                .take_while(|f| f.name != password.name)
                .find(|f| f.is_typed() && !f.is_password())
        });
        Some(PageKind::Login {
            form: form.index,
            username: username.map(|f| f.name.clone()),
            password: Some(password.name.clone()),
        })
    });
    if with_password.is_some() {
        return with_password;
    }
    let by_selector = login.form.as_ref().is_some_and(|s| {
        candidates
            .iter()
            .any(|f| page.form_matches(f.index, s.selector()))
    });
    candidates.iter().find_map(|form| {
        // An identifier-first page: the user name alone, in a field named as the file says or in
        // the form's only field, which says it is for a user (`subject`, `identifier`, `loginfmt`).
        let username =
            visible_named(form, &login.username, |f| !f.is_password()).or_else(|| {
                form.fields
                    .iter()
                    .find(|f| f.is_typed() && super::signals::asks_for_username_alone(form, f))
            })?;
        let typed = form.fields.iter().filter(|f| f.is_typed()).count();
        (by_selector || typed == 1).then(|| PageKind::Login {
            form: form.index,
            username: Some(username.name.clone()),
            password: None,
        })
    })
}

/// On a form without a password box, the text box a script turns into one when it gets the focus
/// (a PingFederate template: issue 22): named as the provider file says, else a field whose name,
/// id or label says it holds a password.
fn password_by_name<'f>(form: &'f Form, names: &[String]) -> Option<&'f Field> {
    if form.fields.iter().any(|f| f.visible && f.is_password()) {
        return None;
    }
    visible_named(form, names, |_| true).or_else(|| {
        form.fields
            .iter()
            .find(|f| f.is_typed() && super::signals::says_password(f))
    })
}

/// A visible typed field named in `names` (compared without case) that passes `also`.
pub fn visible_named<'f>(
    form: &'f Form,
    names: &[String],
    also: impl Fn(&Field) -> bool,
) -> Option<&'f Field> {
    names.iter().find_map(|n| {
        form.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(n) && f.is_typed() && also(f))
    })
}

/// The page a script would load: one of the provider's script calls, else, on a page without a
/// form, a plain assignment to `location` (`window.location.href = '…'`, `location.replace("…")`).
pub fn script_link(page: &Page, provider: &Provider, has_forms: bool) -> Option<url::Url> {
    provider
        .script_links
        .iter()
        .find_map(|link| {
            let mut url = page.script_call_target(&format!("{}(", link.call))?;
            if let Some(extra) = &link.append_query {
                let query = match url.query() {
                    Some(q) if !q.is_empty() => format!("{q}&{extra}"),
                    _ => extra.clone(),
                };
                url.set_query(Some(&query));
            }
            Some(url)
        })
        .or_else(|| {
            if has_forms {
                None
            } else {
                page.script_redirect()
            }
        })
}
