//! What the engine does on each kind of page that asks something of it: fill the sign-in form, send
//! a one-time code (or pick a code page's push method and wait), wait for a push approval, pick one
//! of several ways to verify, accept a page as it is.

use super::LoginState;
use crate::idp::IdpError;
use crate::idp::classify::{Answer, Choice, pick};
use crate::idp::form::{Click, Form, Submission};
use crate::idp::provider::Provider;
use crate::saml::SamlAssertion;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// What to do after a page.
pub enum Action {
    Done(SamlAssertion),
    Send(Submission),
    Follow(url::Url),
    /// Re-post a push page after a pause.
    Poll(Submission, Duration),
}

/// Fills the sign-in form with what it asks (a paginated page asks one of the two).
pub fn login(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &Form,
    username: Option<String>,
    password: Option<String>,
    host: &str,
) -> Result<Action, IdpError> {
    let user_value = match username.as_deref().and_then(|n| form.field(n)) {
        // The IdP already knows who (the second page of a paginated sign-in).
        Some(f) if !f.visible && !f.value.is_empty() => None,
        Some(_) => Some(state.username()?),
        None => None,
    };
    let pass_value = match password {
        Some(_) => Some(state.password()?),
        None => None,
    };
    let mut fills: Vec<(&str, &str)> = Vec::new();
    if let (Some(name), Some(value)) = (username.as_deref(), user_value.as_deref()) {
        fills.push((name, value));
    }
    if let (Some(name), Some(value)) = (password.as_deref(), pass_value.as_ref()) {
        fills.push((name, value.expose()));
    }
    let sub = fill(
        form,
        &fills,
        &provider.login.set,
        provider.login.click.as_deref(),
    );
    debug!(
        "sign-in form #{} (id {:?}, name {:?})",
        form.index, form.id, form.name
    );
    info!(
        "{host} shows its sign-in form: sending {}",
        match (user_value.is_some(), pass_value.is_some()) {
            (true, true) => "the username and password",
            (true, false) => "the username",
            (false, true) => "the password",
            (false, false) => "it as it is",
        }
    );
    debug!("fields sent: {}", sub.names().join(", "));
    state.progress.sent_username |= user_value.is_some();
    state.progress.sent_password |= pass_value.is_some();
    Ok(Action::Send(sub))
}

/// What a code page asks: the field, what the page calls it, whether it is the next code, whether
/// it is the sign-in form's own password field, and the page's method `<select>` when it has one.
pub struct CodeAsk<'a> {
    pub field: &'a str,
    pub label: &'a str,
    pub next: bool,
    pub on_login_form: bool,
    pub methods: Option<&'a (String, Vec<Choice>)>,
}

/// Sends a one-time code in `field` (a fresh one when the IdP asks for the next code), with the
/// username when the same form asks for it too. With a method chooser, the method is picked first:
/// a push method posts no code and waits for the approval.
pub fn mfa(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &Form,
    ask: CodeAsk<'_>,
    host: &str,
) -> Result<Action, IdpError> {
    let (set, click) = if ask.on_login_form {
        (&provider.login.set, provider.login.click.as_deref())
    } else {
        (&provider.mfa.set, provider.mfa.click.as_deref())
    };
    let method = ask.methods.and_then(|(select, choices)| {
        let has_code = state.answers.has_mfa_code();
        let i = pick(choices, state.factor.as_deref(), has_code, &[])?;
        info!(
            "{host} offers several ways to verify: choosing '{}'",
            shown_label(&choices[i])
        );
        Some((select.as_str(), &choices[i]))
    });
    if let Some((select, choice)) = method
        && choice.answer() == Answer::Push
    {
        let fills = [(select, choice.value.as_str()), (ask.field, "")];
        let sub = fill(form, &fills, set, click);
        return Ok(wait_for_approval(state, provider, sub, host));
    }
    let code = if ask.next {
        info!("{host} asks for the next one-time code");
        state.answers.next_mfa_code(ask.label)?
    } else {
        state.answers.mfa_code(ask.label)?
    };
    let user = username_with_code(state, provider, form, ask.field)?;
    let mut fills = vec![(ask.field, code.expose())];
    if let Some((name, value)) = &user {
        fills.push((name, value));
    }
    if let Some((select, choice)) = method {
        fills.push((select, choice.value.as_str()));
    }
    let sub = fill(form, &fills, set, click);
    info!("{host} asks for a one-time code: sending it");
    debug!("fields sent: {}", sub.names().join(", "));
    state.progress.sent_code = Some(ask.field.to_string());
    state.progress.sent_next_code |= ask.next;
    Ok(Action::Send(sub))
}

/// The username field of a code form that also asks who signs in (NetIQ's token form: an empty,
/// visible field named as in `[login]`), with the username for it.
fn username_with_code<'f>(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &'f Form,
    code_field: &str,
) -> Result<Option<(&'f str, String)>, IdpError> {
    let field = form.fields.iter().find(|f| {
        f.name != code_field
            && f.is_typed()
            && !f.is_password()
            && f.value.is_empty()
            && provider
                .login
                .username
                .iter()
                .any(|n| f.name.eq_ignore_ascii_case(n))
    });
    match field {
        Some(f) => Ok(Some((f.name.as_str(), state.username()?))),
        None => Ok(None),
    }
}

/// Posts `sub` once and waits for the IdP's answer as long as a push approval may take (the IdP
/// holds the request until the phone answers), telling the person once.
fn wait_for_approval(
    state: &mut LoginState<'_>,
    provider: &Provider,
    sub: Submission,
    host: &str,
) -> Action {
    let (message, timeout) = match &provider.push {
        Some(step) => (step.message.clone(), step.timeout_seconds),
        None => (DEFAULT_PUSH_MESSAGE.to_string(), DEFAULT_PUSH_SECONDS),
    };
    state.answers.notice(&format!("{host}: {message}"));
    state.push = Some((Instant::now(), Duration::from_secs(timeout)));
    state.progress.pushed = true;
    debug!(
        "waiting for the approval: posting {}",
        sub.names().join(", ")
    );
    Action::Poll(sub, Duration::ZERO)
}

/// A choice's label as it may be shown: it is the page's text.
pub fn shown_label(choice: &Choice) -> String {
    crate::shown::capped(&choice.label, 80)
}

/// What the person is told while a push method waits, when the provider file has no `[push]`.
const DEFAULT_PUSH_MESSAGE: &str = "approve the sign-in request on your phone";
/// How long a push method may take, when the provider file has no `[push]`.
const DEFAULT_PUSH_SECONDS: u64 = 120;

/// Picks one of the ways to verify a page offers and posts it as the option's script would; None
/// when none can be used without a browser.
pub fn choose(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &Form,
    (rule, field): (usize, &str),
    choices: &[Choice],
    host: &str,
) -> Option<Action> {
    let has_code = state.answers.has_mfa_code();
    let i = pick(
        choices,
        state.factor.as_deref(),
        has_code,
        &state.progress.chosen,
    )?;
    let choice = &choices[i];
    if choice.answer() == Answer::Browser && state.factor.is_none() {
        return None;
    }
    let step = provider.choose.get(rule);
    let target = choice.field.as_deref().unwrap_or(field);
    let mut fills = vec![(target, choice.value.as_str())];
    if let Some(argument) = &choice.argument {
        fills.push(("__EVENTARGUMENT", argument.as_str()));
    }
    let empty = BTreeMap::new();
    let set = step.map_or(&empty, |s| &s.set);
    let sub = form.submission(
        &with_set(&fills, set),
        step.and_then(|s| s.click.as_deref())
            .map_or(Click::Script, Click::Named),
    );
    info!(
        "{host} offers several ways to verify: choosing '{}'",
        shown_label(choice)
    );
    debug!("fields sent: {}", sub.names().join(", "));
    state.progress.chosen.push(choice.value.clone());
    Some(Action::Send(sub))
}

fn with_set<'a>(
    fills: &[(&'a str, &'a str)],
    set: &'a BTreeMap<String, String>,
) -> Vec<(&'a str, &'a str)> {
    let mut all = fills.to_vec();
    all.extend(set.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    all
}

/// Shows the push message once, then re-posts the page until the IdP moves on or time is up.
pub fn push(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &Form,
    number: Option<String>,
    host: &str,
) -> Result<Action, IdpError> {
    let Some(step) = provider.push.as_ref() else {
        return Err(IdpError::Setup(format!(
            "provider {} has no [push]",
            provider.name
        )));
    };
    let limit = Duration::from_secs(step.timeout_seconds);
    let (started, _) = *state.push.get_or_insert_with(|| {
        let mut message = format!("{host}: {}", step.message);
        if let Some(n) = &number {
            message.push_str(&format!(" (pick the number {n})"));
        }
        state.answers.notice(&message);
        (Instant::now(), limit)
    });
    if started.elapsed() >= limit {
        return Err(push_expired(host, limit));
    }
    let sub = fill(form, &[], &step.set, step.click.as_deref());
    debug!(
        "waiting for the approval: re-posting {}",
        sub.names().join(", ")
    );
    Ok(Action::Poll(
        sub,
        Duration::from_secs(step.interval_seconds.max(1)),
    ))
}

/// The refusal when nobody approved in time.
pub fn push_expired(host: &str, limit: Duration) -> IdpError {
    IdpError::Rejected {
        host: host.to_string(),
        message: format!(
            "the sign-in request was not approved within {} s",
            limit.as_secs()
        ),
    }
}

/// Accepts a page as the IdP shows it, pressing the provider's button.
pub fn confirm(
    state: &mut LoginState<'_>,
    provider: &Provider,
    form: &Form,
    rule: usize,
    host: &str,
) -> Result<Action, IdpError> {
    let Some(step) = provider.confirm.get(rule) else {
        return Err(IdpError::Setup(format!(
            "provider {} has no confirm rule {rule}",
            provider.name
        )));
    };
    let sub = fill(form, &[], &step.set, step.click.as_deref());
    info!("{host}: {}", step.message);
    debug!("fields sent: {}", sub.names().join(", "));
    state.progress.confirmed.push(rule);
    Ok(Action::Send(sub))
}

/// `form` with `fills`, then the provider's fixed fields, and the button to press.
pub fn fill(
    form: &Form,
    fills: &[(&str, &str)],
    set: &BTreeMap<String, String>,
    click: Option<&str>,
) -> Submission {
    let click = click.map_or(Click::Default, Click::Named);
    form.submission(&with_set(fills, set), click)
}
