//! What an answer page is, told from the page and the provider file alone: the assertion, a
//! refusal, a code to enter, a sign-in form, a hop to post on, a refresh, or something unknown.
//!
//! Classification is pure (no requests, no prompts), so every fixture page can be checked in a test.

use super::IdpError;
use super::form::{Field, Form};
use super::page::Page;
use super::provider::{Css, ErrorText, LoginStep, MfaStep, Provider, Providers};
use crate::saml::SamlAssertion;

/// Longest IdP message repeated to the user; the rest of a long error block is noise.
const MAX_MESSAGE_CHARS: usize = 200;

/// What the engine has sent so far, which changes what a page means: the sign-in form shown again
/// after the password was sent is a refusal, not a question.
#[derive(Debug, Default, Clone)]
pub struct Progress {
    pub sent_username: bool,
    pub sent_password: bool,
    /// The name of the code field last posted.
    pub sent_code: Option<String>,
}

impl Progress {
    fn sent_anything(&self) -> bool {
        self.sent_username || self.sent_password || self.sent_code.is_some()
    }
}

/// One kind of page, with what the engine needs to act on it.
#[derive(Debug)]
pub enum PageKind {
    Assertion(SamlAssertion),
    /// The IdP said no, in these words.
    Rejected(String),
    /// A one-time code is asked in this field.
    Mfa {
        form: usize,
        field: String,
        label: String,
    },
    /// Approval on another device is awaited; `number` is the one to pick there.
    Push {
        form: usize,
        number: Option<String>,
    },
    /// A sign-in form: the names of its username and password fields (a paginated page has one).
    Login {
        form: usize,
        username: Option<String>,
        password: Option<String>,
    },
    /// A form a browser posts by itself.
    AutoPost {
        form: usize,
    },
    Refresh(url::Url),
    /// Nothing the engine knows; the reason, for the hint.
    Unknown(String),
}

impl PageKind {
    pub fn name(&self) -> &'static str {
        match self {
            PageKind::Assertion(_) => "SAMLResponse",
            PageKind::Rejected(_) => "refusal",
            PageKind::Mfa { .. } => "one-time code page",
            PageKind::Push { .. } => "push approval page",
            PageKind::Login {
                password: Some(_), ..
            } => "sign-in form",
            PageKind::Login { .. } => "sign-in form, username page",
            PageKind::AutoPost { .. } => "auto-posting form",
            PageKind::Refresh(_) => "meta refresh",
            PageKind::Unknown(_) => "unknown page",
        }
    }
}

/// The provider whose pages these are: the first that recognises it, else the fallback.
pub fn detect<'p>(providers: &'p Providers, page: &Page) -> Result<&'p Provider, IdpError> {
    let path = page.url.path().to_ascii_lowercase();
    let found = providers.detection_order().find(|p| {
        p.detect
            .url_paths
            .iter()
            .any(|u| path.contains(&u.to_ascii_lowercase()))
            || p.detect.selectors.iter().any(|s| page.has(s.selector()))
    });
    match found {
        Some(p) => Ok(p),
        None => providers.fallback(),
    }
}

/// What `page` is, for `provider`, given what was sent before it.
pub fn classify(page: &Page, forms: &[Form], provider: &Provider, progress: &Progress) -> PageKind {
    if let Some(value) = saml_response(forms) {
        return PageKind::Assertion(SamlAssertion::from_form_value(value));
    }
    if progress.sent_anything()
        && let Some(words) = error_words(page, &provider.errors)
    {
        return PageKind::Rejected(words);
    }
    let usable: Vec<&Form> = forms
        .iter()
        .filter(|f| {
            !provider
                .ignore_forms
                .iter()
                .any(|s| page.form_matches(f.index, s.selector()))
        })
        .collect();
    if let Some((form, field)) = find_mfa(page, &usable, &provider.mfa) {
        if progress.sent_code.as_deref() == Some(field.name.as_str()) {
            return PageKind::Rejected(
                "it asked for the code again: the code was not accepted".into(),
            );
        }
        let label = field
            .label
            .clone()
            .or_else(|| provider.mfa.label.clone())
            .unwrap_or_else(|| field.name.clone());
        return PageKind::Mfa {
            form: form.index,
            field: field.name.clone(),
            label,
        };
    }
    if let Some(kind) = find_push(page, &usable, provider) {
        return kind;
    }
    if let Some(kind) = find_login(page, &usable, &provider.login) {
        return login_again(kind, progress);
    }
    let auto = page.auto_submit_candidates(forms);
    if let Some(form) = usable.iter().find(|f| auto.contains(&f.index)) {
        return PageKind::AutoPost { form: form.index };
    }
    if let Some(url) = page.meta_refresh() {
        return PageKind::Refresh(url);
    }
    PageKind::Unknown(unknown_reason(page, &usable))
}

/// A sign-in form seen again after its fields were sent is the IdP's way of saying no.
fn login_again(kind: PageKind, progress: &Progress) -> PageKind {
    let again = match &kind {
        PageKind::Login {
            password: Some(_), ..
        } => progress.sent_password,
        PageKind::Login { password: None, .. } => progress.sent_username && !progress.sent_password,
        _ => false,
    };
    if again {
        PageKind::Rejected("the IdP showed its sign-in form again".into())
    } else {
        kind
    }
}

fn saml_response(forms: &[Form]) -> Option<&str> {
    forms
        .iter()
        .filter_map(|f| f.field("SAMLResponse"))
        .map(|f| f.value.trim())
        .find(|v| !v.is_empty())
}

/// The IdP's words for a refusal: the first error element with text, else a known error code.
pub fn error_words(page: &Page, errors: &ErrorText) -> Option<String> {
    let text = errors
        .selectors
        .iter()
        .find_map(|s| page.texts(s.selector()).into_iter().next());
    if let Some(text) = text {
        return Some(cap(&text));
    }
    errors.codes.iter().find_map(|codes| {
        page.attrs(codes.selector.selector(), &codes.attribute)
            .into_iter()
            .find(|code| !codes.ignore.contains(code))
            .map(|code| match codes.messages.get(&code) {
                Some(words) => cap(words),
                None => format!("error code {code}"),
            })
    })
}

fn cap(text: &str) -> String {
    let text = super::form::collapse(text);
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    short.push('…');
    short
}

/// Forms to search: those `sel` picks when it picks any, else all of them.
fn preferred<'f>(page: &Page, forms: &[&'f Form], sel: Option<&Css>) -> Vec<&'f Form> {
    if let Some(sel) = sel {
        let picked: Vec<&Form> = forms
            .iter()
            .copied()
            .filter(|f| page.form_matches(f.index, sel.selector()))
            .collect();
        if !picked.is_empty() {
            return picked;
        }
    }
    forms.to_vec()
}

fn find_mfa<'f>(page: &Page, forms: &[&'f Form], mfa: &MfaStep) -> Option<(&'f Form, &'f Field)> {
    preferred(page, forms, mfa.form.as_ref())
        .into_iter()
        .find_map(|form| {
            let field = form.fields.iter().find(|f| {
                f.is_typed()
                    && (mfa.fields.iter().any(|n| f.name.eq_ignore_ascii_case(n))
                        || f.autocomplete.as_deref().is_some_and(|a| {
                            a.split_whitespace()
                                .any(|t| mfa.autocomplete.iter().any(|m| m.eq_ignore_ascii_case(t)))
                        }))
            })?;
            Some((form, field))
        })
}

fn find_push(page: &Page, forms: &[&Form], provider: &Provider) -> Option<PageKind> {
    let push = provider.push.as_ref()?;
    if !push.selectors.iter().any(|s| page.has(s.selector())) {
        return None;
    }
    let form = preferred(page, forms, push.form.as_ref())
        .into_iter()
        .next()?;
    let number = push
        .number
        .as_ref()
        .and_then(|n| page.texts(n.selector()).into_iter().next());
    Some(PageKind::Push {
        form: form.index,
        number,
    })
}

fn find_login(page: &Page, forms: &[&Form], login: &LoginStep) -> Option<PageKind> {
    let candidates = preferred(page, forms, login.form.as_ref());
    let with_password = candidates.iter().find_map(|form| {
        let password = visible_named(form, &login.password, |f| f.is_password())
            .or_else(|| form.fields.iter().find(|f| f.is_typed() && f.is_password()))?;
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
        let username = visible_named(form, &login.username, |f| !f.is_password())?;
        let typed = form.fields.iter().filter(|f| f.is_typed()).count();
        (by_selector || typed == 1).then(|| PageKind::Login {
            form: form.index,
            username: Some(username.name.clone()),
            password: None,
        })
    })
}

/// A visible typed field named in `names` (compared without case) that passes `also`.
fn visible_named<'f>(
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

fn unknown_reason(page: &Page, forms: &[&Form]) -> String {
    let status = if page.is_error_status() {
        format!("it answered HTTP {}, ", page.status)
    } else {
        String::new()
    };
    let what = if forms.is_empty() {
        "the page has no form, no SAMLResponse and no refresh"
    } else {
        "the page has no sign-in form, code field or SAMLResponse that samlbridge recognises"
    };
    format!("{status}{what}")
}

#[cfg(test)]
mod tests;
