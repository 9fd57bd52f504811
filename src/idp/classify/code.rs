//! Code pages: the provider's code form, a method `<select>` on it, and the sign-in form whose
//! password field asks for a one-time code once the password was sent (PingFederate's token code
//! page, a RADIUS challenge); a code asked again right after it was sent is a refusal.

use super::choose::method_select;
use super::find::find_login;
use super::{Choice, PageKind, Progress, cap, error_words, find_mfa, signals};
use crate::idp::form::Form;
use crate::idp::page::Page;
use crate::idp::provider::Provider;

/// The code page, if this is one; asked again right after its code was sent, it is a refusal unless
/// the page asks for the next code.
pub fn mfa_kind(
    page: &Page,
    usable: &[&Form],
    provider: &Provider,
    progress: &Progress,
    next_code: bool,
) -> Option<PageKind> {
    let (form, field) = find_mfa(page, usable, &provider.mfa)?;
    let methods = method_select(form).map(|(f, choices)| (f.name.clone(), choices));
    if methods.is_some() && progress.pushed {
        return Some(refusal(
            page,
            "the sign-in request was not approved in time",
        ));
    }
    let label = field
        .label
        .clone()
        .or_else(|| provider.mfa.label.clone())
        .unwrap_or_else(|| field.name.clone());
    Some(code_page(page, form, &field.name, label, next_code, progress).with_methods(methods))
}

/// The code page for `field` of `form`; asked again right after its code was sent, a refusal unless
/// the page asks for the next code.
fn code_page(
    page: &Page,
    form: &Form,
    field: &str,
    label: String,
    next: bool,
    progress: &Progress,
) -> PageKind {
    if progress.sent_code.as_deref() == Some(field) && !next {
        return refusal(
            page,
            "it asked for the code again: the code was not accepted",
        );
    }
    PageKind::Mfa {
        form: form.index,
        field: field.to_string(),
        label,
        next,
        on_login_form: false,
        methods: None,
    }
}

impl PageKind {
    fn with_methods(mut self, chooser: Option<(String, Vec<Choice>)>) -> PageKind {
        if let PageKind::Mfa { methods, .. } = &mut self {
            *methods = chooser;
        }
        self
    }
}

/// A refusal in the page's own words when it has a message, else in `fallback`.
fn refusal(page: &Page, fallback: &str) -> PageKind {
    let words = page.feedback().map(|(_, w)| w);
    PageKind::Rejected(cap(&words.unwrap_or_else(|| fallback.to_string())))
}

/// A sign-in form seen again after its fields were sent is the IdP's way of saying no, unless the
/// password field now asks for a one-time code (a token code page: the field is labelled as a
/// code, or the username is shown locked and the page says nothing went wrong).
pub fn login_again(kind: PageKind, page: &Page, forms: &[Form], progress: &Progress) -> PageKind {
    let PageKind::Login { form, password, .. } = &kind else {
        return kind;
    };
    if let Some(code) = password_as_code(page, &forms[*form], password.as_deref(), progress) {
        return code;
    }
    let again = match password {
        Some(_) => progress.sent_password,
        // The user name asked again after the password, with a message: the IdP went back to its
        // first page to say no (sending the password once more could lock the account). Without
        // one, it may be another IdP of a chain asking who signs in.
        None if progress.sent_password => page.feedback().is_some(),
        None => progress.sent_username,
    };
    if again {
        refusal(page, "the IdP showed its sign-in form again")
    } else {
        kind
    }
}

/// The sign-in form's password field asking for a code, once the password was sent.
fn password_as_code(
    page: &Page,
    form: &Form,
    password: Option<&str>,
    progress: &Progress,
) -> Option<PageKind> {
    let field = form.field(password?)?;
    if !progress.sent_password {
        return None;
    }
    // A locked username alone is not enough when the page has something to say (a wrong password
    // on a page that keeps the username): the message is then the refusal.
    let locked_quietly = signals::username_locked(form) && page.feedback().is_none();
    let labelled = signals::asks_for_code(field) && !signals::username_editable(form);
    if !labelled && !locked_quietly {
        return None;
    }
    Some(code_in_password_field(page, form, field, progress))
}

/// The sign-in form's password field `field` as a code page (with the form's method chooser).
fn code_in_password_field(
    page: &Page,
    form: &Form,
    field: &crate::idp::form::Field,
    progress: &Progress,
) -> PageKind {
    let label = field.label.clone().unwrap_or_else(|| "Token code".into());
    let methods = method_select(form).map(|(f, choices)| (f.name.clone(), choices));
    match code_page(page, form, &field.name, label, false, progress) {
        kind @ PageKind::Mfa { .. } => kind.on_login_form().with_methods(methods),
        other => other,
    }
}

/// Before the page's error text is read as a refusal: once the password was sent, the sign-in form
/// whose password field is labelled as a code (with no user name to type: a form asking for both
/// again is the sign-in form again), or which shows the username locked with words about
/// a code (a RADIUS challenge written where errors go), asks for the one-time code. Not when that
/// code was just sent: then the error text is the refusal.
pub fn challenge_in_password_field(
    page: &Page,
    usable: &[&Form],
    provider: &Provider,
    progress: &Progress,
) -> Option<PageKind> {
    if !progress.sent_password {
        return None;
    }
    let PageKind::Login {
        form,
        password: Some(password),
        ..
    } = find_login(page, usable, &provider.login)?
    else {
        return None;
    };
    let form = usable.iter().find(|f| f.index == form)?;
    let field = form.field(&password)?;
    if progress.sent_code.as_deref() == Some(field.name.as_str()) {
        return None;
    }
    // A field the provider names as its code field is its code page's, posted as that page is
    // (AD FS 2012 R2's RSA SecurID `Passcode`, a password input, with the adapter's own
    // `AuthMethod`), never as the sign-in form with the sign-in's fields set.
    if provider
        .mfa
        .fields
        .iter()
        .any(|n| field.name.eq_ignore_ascii_case(n))
    {
        return None;
    }
    let words =
        || error_words(page, &provider.errors).or_else(|| page.feedback().map(|(_, words)| words));
    let challenge = (signals::asks_for_code(field) && !signals::username_editable(form))
        || (signals::username_locked(form) && words().is_some_and(|w| signals::speaks_of_code(&w)));
    challenge.then(|| code_in_password_field(page, form, field, progress))
}

impl PageKind {
    fn on_login_form(mut self) -> PageKind {
        if let PageKind::Mfa { on_login_form, .. } = &mut self {
            *on_login_form = true;
        }
        self
    }
}
