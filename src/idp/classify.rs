//! What an answer page is, told from the page and the provider file alone: the assertion, a
//! refusal, a code to enter, a sign-in form, a hop to post on, a refresh, or something unknown.
//!
//! Classification is pure (no requests, no prompts), so every fixture page can be checked in a test.

mod choose;
mod code;
mod find;
mod notice;
mod signals;

pub use choose::{Answer, Choice, pick, wants_code};
pub use signals::{asks_for_code, speaks_of_code};

use super::IdpError;
use super::form::Form;
use super::page::{Page, Tone};
use super::provider::{Css, ErrorText, Provider, Providers};
use crate::saml::SamlAssertion;
use choose::find_choose;
use code::{challenge_in_password_field, login_again, mfa_kind};
use find::{find_confirm, find_login, find_mfa, find_push, matches, script_link};

/// Longest IdP message repeated to the user; the rest of a long error block is noise.
const MAX_MESSAGE_CHARS: usize = 200;
/// Times one confirm page is accepted in a sign-in before the engine stops: an IdP that shows it
/// again wants something the defaults do not give.
pub const MAX_CONFIRMS: usize = 2;

/// What the engine has sent so far, which changes what a page means: the sign-in form shown again
/// after the password was sent is a refusal, not a question.
#[derive(Debug, Default, Clone)]
pub struct Progress {
    pub sent_username: bool,
    pub sent_password: bool,
    /// The name of the code field last posted.
    pub sent_code: Option<String>,
    /// The confirm rules applied so far (their index in the provider file), once per page accepted.
    pub confirmed: Vec<usize>,
    /// A next code was sent: a second "next code" page is an ordinary page (a refusal in words,
    /// or the code asked again), never an endless chain of next codes.
    pub sent_next_code: bool,
    /// The push method of a code page's method chooser was sent: the same page again means the
    /// approval did not come.
    pub pushed: bool,
    /// The choices taken on pages offering several ways to verify, by value: not taken again.
    pub chosen: Vec<String>,
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
    /// A one-time code is asked in this field; `next`: the code after the one just sent;
    /// `on_login_form`: the sign-in form asks it in its password field (posted as that form is);
    /// `methods`: a `<select>` of ways to verify on the same form (its name and options).
    Mfa {
        form: usize,
        field: String,
        label: String,
        next: bool,
        on_login_form: bool,
        methods: Option<(String, Vec<Choice>)>,
    },
    /// Approval on another device is awaited; `number` is the one to pick there.
    Push {
        /// None: a page that polls by itself, with no form (Entra's "Approve sign in request").
        form: Option<usize>,
        number: Option<String>,
    },
    /// A page to accept as it is, with the provider's confirm rule `rule`.
    Confirm {
        form: usize,
        rule: usize,
    },
    /// A page offering several ways to verify (the provider's choose rule `rule`): one is posted
    /// in `field` of `form`, or, on a page without a form (Entra's method list), pressed.
    Choose {
        form: Option<usize>,
        rule: usize,
        field: String,
        choices: Vec<Choice>,
    },
    /// A sign-in form: the names of its username and password fields (a paginated page has one).
    Login {
        form: usize,
        username: Option<String>,
        password: Option<String>,
    },
    /// A notice a person goes past by the link that says so (continue, later), whose script sets
    /// `set` in `form` and posts it; `message`: what to tell the person.
    Notice {
        form: usize,
        set: Vec<(String, String)>,
        message: String,
    },
    /// A form a browser posts by itself; `press`: by its one button (no script posts it).
    AutoPost {
        form: usize,
        press: bool,
    },
    Refresh(url::Url),
    /// A page whose script loads another (a `location.href` assignment, a provider's script link).
    ScriptLink(url::Url),
    /// A page the provider file says needs a browser; its message.
    Unsupported(String),
    /// Nothing the engine knows; the reason, for the hint.
    Unknown(String),
}

impl PageKind {
    pub fn name(&self) -> &'static str {
        match self {
            PageKind::Assertion(_) => "SAMLResponse",
            PageKind::Rejected(_) => "refusal",
            PageKind::Mfa { next: true, .. } => "one-time code page (next code)",
            PageKind::Mfa { .. } => "one-time code page",
            PageKind::Push { .. } => "push approval page",
            PageKind::Confirm { .. } => "page to accept",
            PageKind::Choose { .. } => "choice of ways to verify",
            PageKind::Login {
                password: Some(_), ..
            } => "sign-in form",
            PageKind::Login { .. } => "sign-in form, username page",
            PageKind::Notice { .. } => "notice to go past",
            PageKind::AutoPost { .. } => "auto-posting form",
            PageKind::Refresh(_) => "meta refresh",
            PageKind::ScriptLink(_) => "script redirect",
            PageKind::Unsupported(_) => "page that needs a browser",
            PageKind::Unknown(_) => "unknown page",
        }
    }
}

/// The provider whose pages these are: the first whose selectors match the page, else the first
/// whose URL paths match, else `sticky` (the provider that recognised this host's previous page),
/// else the fallback.
pub fn detect<'p>(
    providers: &'p Providers,
    page: &Page,
    sticky: Option<&str>,
) -> Result<&'p Provider, IdpError> {
    let path = page.url.path().to_ascii_lowercase();
    let by_content = providers.detection_order().find(|p| recognises(p, page));
    let by_path = || {
        providers.detection_order().find(|p| {
            p.detect
                .url_paths
                .iter()
                .any(|u| path.contains(&u.to_ascii_lowercase()))
        })
    };
    if let Some(p) = by_content.or_else(by_path) {
        return Ok(p);
    }
    match sticky {
        Some(name) => providers.named(name),
        None => providers.fallback(),
    }
}

/// The provider for `page`: the named one, else the one that recognises it; a specific provider
/// that recognised a page is kept in `sticky` for its host's next pages.
pub fn provider_for<'p>(
    page: &Page,
    providers: &'p Providers,
    named: Option<&'p Provider>,
    sticky: &mut Option<(String, String)>,
) -> Result<&'p Provider, IdpError> {
    if let Some(p) = named {
        // A browser provider's sign-in may hand over to a federated IdP (AD FS behind Entra):
        // a page another provider recognises by its content is that one's.
        return Ok(named_or_federated(p, page, providers));
    }
    let host = page.host();
    let kept = sticky
        .as_ref()
        .filter(|(h, _)| *h == host)
        .map(|(_, name)| name.as_str());
    let provider = detect(providers, page, kept)?;
    if is_specific(provider) {
        *sticky = Some((host, provider.name.clone()));
    }
    Ok(provider)
}

/// `named`, unless another provider recognises the page's content and it is a service the IdP
/// handed the user to (Duo's prompt), or `named` is a browser provider (a federated IdP).
fn named_or_federated<'p>(
    named: &'p Provider,
    page: &Page,
    providers: &'p Providers,
) -> &'p Provider {
    if recognises(named, page) {
        return named;
    }
    providers
        .detection_order()
        .filter(|p| p.name != named.name && is_specific(p) && (named.browser || p.service))
        .find(|p| recognises(p, page))
        .unwrap_or(named)
}

/// Whether `provider`'s content rules (selectors, script markers) match `page`.
fn recognises(provider: &Provider, page: &Page) -> bool {
    provider
        .detect
        .selectors
        .iter()
        .any(|s| page.has(s.selector()))
        || provider
            .detect
            .scripts
            .iter()
            .any(|m| page.scripts_contain(m))
}

/// Whether `provider` was found by its own rules (not as the fallback): such a provider is kept for
/// the host's next pages.
pub fn is_specific(provider: &Provider) -> bool {
    provider.name != super::provider::FALLBACK && provider.detect.is_set()
}

/// What `page` is, for `provider`, given what was sent before it.
pub fn classify(page: &Page, forms: &[Form], provider: &Provider, progress: &Progress) -> PageKind {
    if let Some(value) = saml_response(forms) {
        return PageKind::Assertion(SamlAssertion::from_form_value(value));
    }
    if let Some(rule) = provider
        .unsupported
        .iter()
        .find(|u| matches(page, &u.selectors, &u.texts))
    {
        return PageKind::Unsupported(rule.message.clone());
    }
    let next_code = progress.sent_code.is_some()
        && !progress.sent_next_code
        && matches(
            page,
            &provider.mfa.next_code.selectors,
            &provider.mfa.next_code.texts,
        );
    let usable: Vec<&Form> = forms
        .iter()
        .filter(|f| {
            !provider
                .ignore_forms
                .iter()
                .any(|s| page.form_matches(f.index, s.selector()))
        })
        .collect();
    if let Some(kind) = challenge_in_password_field(page, &usable, provider, progress) {
        return kind;
    }
    if progress.sent_anything()
        && !next_code
        && let Some(words) = error_words(page, &provider.errors)
    {
        return PageKind::Rejected(words);
    }
    if let Some(kind) = mfa_kind(page, &usable, provider, progress, next_code) {
        return kind;
    }
    if let Some(kind) = find_push(page, &usable, provider) {
        return kind;
    }
    if let Some(kind) = find_login(page, &usable, &provider.login) {
        return login_again(kind, page, forms, progress);
    }
    if let Some(kind) = find_choose(page, forms, &provider.choose) {
        return kind;
    }
    if let Some(kind) = find_confirm(page, &usable, provider) {
        return confirm_again(kind, page, progress);
    }
    if let Some(kind) = notice::find_notice(page, &usable) {
        return kind;
    }
    let auto = page.auto_submit_candidates(forms);
    let pressable = lone_button_form(&usable);
    // A form only a script posts is not posted in place of one a person can press: the script
    // runs on another action (PingID's "Change Authenticating Device": issue 22).
    let posts_itself =
        |f: &Form| pressable.is_none() || !f.buttons.is_empty() || Page::carries_binding(f);
    if let Some(form) = usable
        .iter()
        .find(|f| auto.contains(&f.index) && posts_itself(f))
    {
        return PageKind::AutoPost {
            form: form.index,
            press: pressable == Some(form.index),
        };
    }
    if let Some(url) = page.meta_refresh() {
        return PageKind::Refresh(url);
    }
    if let Some(url) = script_link(page, provider, !usable.is_empty()) {
        return PageKind::ScriptLink(url);
    }
    dead_end(page, &usable, progress)
}

/// A page with nothing the engine knows to act on: after something was sent, a message on it is
/// the IdP's refusal; a lone form of hidden fields and one button is pressed, as a person would.
fn dead_end(page: &Page, usable: &[&Form], progress: &Progress) -> PageKind {
    let message = progress.sent_anything().then(|| page.feedback()).flatten();
    if let Some((Tone::Error, words)) = &message {
        return PageKind::Rejected(cap(words));
    }
    if let Some(form) = lone_button_form(usable) {
        return PageKind::AutoPost { form, press: true };
    }
    if let Some((_, words)) = message {
        return PageKind::Rejected(cap(&words));
    }
    PageKind::Unknown(unknown_reason(page, usable))
}

/// The one usable form made of hidden fields and one button that is not a way out (sign out,
/// cancel), when every other usable form is hidden fields only, with nothing to press (posted by
/// a script on some other action): what a person presses to go on.
fn lone_button_form(usable: &[&Form]) -> Option<usize> {
    let pressable = |form: &Form| {
        let action = form.action.path().to_ascii_lowercase();
        let way_out = ["logout", "signout", "logoff", "cancel"]
            .iter()
            .any(|w| action.contains(w));
        form.is_all_hidden() && form.buttons.len() == 1 && !way_out
    };
    let mut candidates = usable.iter().filter(|f| pressable(f));
    let form = candidates.next()?;
    let script_only =
        |f: &&&Form| f.index == form.index || (f.is_all_hidden() && f.buttons.is_empty());
    (candidates.next().is_none() && usable.iter().all(|f| script_only(&f))).then_some(form.index)
}

/// A confirm page shown more often than `MAX_CONFIRMS` is not going away by accepting it.
fn confirm_again(kind: PageKind, page: &Page, progress: &Progress) -> PageKind {
    let PageKind::Confirm { rule, .. } = &kind else {
        return kind;
    };
    let seen = progress.confirmed.iter().filter(|r| *r == rule).count();
    if seen < MAX_CONFIRMS {
        return kind;
    }
    PageKind::Unknown(format!(
        "the IdP showed '{}' again after samlbridge accepted it {seen} times as it was; accept it \
         once in a browser",
        page.title()
    ))
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
            .map(|code| cap(&codes.words(&code)))
    })
}

/// An IdP's words, on one line and short enough to repeat (the form engine's pages and the
/// browser's alike).
pub fn cap(text: &str) -> String {
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
