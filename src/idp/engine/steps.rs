//! What the engine does on each kind of page that asks something of it: fill the sign-in form, send
//! a one-time code (or pick a code page's push method and wait), wait for a push approval, pick one
//! of several ways to verify, accept a page as it is.

use super::SignInState;
use crate::idp::IdpError;
use crate::idp::classify::{Answer, Choice, pick};
use crate::idp::fill::{self, CodeAsk, CodeFill, Fill, SignInFill, code_step};
use crate::idp::form::{Click, Form, Submission};
use crate::idp::provider::Provider;
use crate::idp::push::{DEFAULT_PUSH_MESSAGE, DEFAULT_PUSH_SECONDS, PushWait};
use crate::saml::SamlAssertion;
use std::collections::BTreeMap;
use std::time::Duration;
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
pub fn fill_sign_in_form(
    state: &mut SignInState<'_>,
    provider: &Provider,
    form: &Form,
    fields: (Option<&str>, Option<&str>),
    host: &str,
) -> Result<Action, IdpError> {
    let answers = SignInFill::ask(form, fields, &provider.login, &mut state.asked)?;
    let mut fill = answers.fill();
    let code = fill::second_factor_on_sign_in(form, fields, provider);
    let push = code.as_ref().and_then(|c| c.push.as_ref());
    let has_code = state.asked.answers.has_mfa_code();
    let secret = match &code {
        Some(c) if has_code || push.is_none() => Some(state.asked.answers.mfa_code(&c.label)?),
        _ => None,
    };
    if let (Some(c), Some(secret)) = (&code, &secret) {
        fill.fields.push((c.field.as_str(), secret.expose()));
        state.progress.sent_code = Some(c.field.clone());
    } else if let Some((name, value)) = push {
        fill.fields.push((name.as_str(), value.as_str()));
    }
    let sub = submission(form, &fill);
    if secret.is_none() && push.is_some() {
        answers.tell(host, "sending");
        answers.record(&mut state.progress);
        return Ok(wait_for_approval(state, provider, sub, host));
    }
    debug!(
        "sign-in form #{} (id {:?}, name {:?})",
        form.index, form.id, form.name
    );
    answers.tell(host, "sending");
    debug!("fields sent: {}", sub.names().join(", "));
    answers.record(&mut state.progress);
    Ok(Action::Send(sub))
}

/// Sends a one-time code in `field` (a fresh one when the IdP asks for the next code), with the
/// username when the same form asks for it too. With a method chooser, the method is picked first:
/// a push method posts no code and waits for the approval.
pub fn send_code(
    state: &mut SignInState<'_>,
    provider: &Provider,
    form: &Form,
    ask: CodeAsk<'_>,
    host: &str,
) -> Result<Action, IdpError> {
    let method = ask.methods.and_then(|(select, choices)| {
        let has_code = state.asked.answers.has_mfa_code();
        let i = pick(choices, state.factor.as_deref(), has_code, &[])?;
        info!(
            "{host} offers several ways to verify: choosing '{}'",
            choices[i].shown_label()
        );
        Some((select.as_str(), &choices[i]))
    });
    if let Some((select, choice)) = method
        && choice.answer() == Answer::Push
    {
        let (set, click) = code_step(provider, ask.on_login_form);
        let fill = Fill::with_set(
            &[(select, choice.value.as_str()), (ask.field, "")],
            set,
            click,
        );
        return Ok(wait_for_approval(
            state,
            provider,
            submission(form, &fill),
            host,
        ));
    }
    let code = CodeFill::ask(form, &ask, method, provider, &mut state.asked, host)?;
    let sub = submission(form, &code.fill());
    code.tell(host, "sending");
    debug!("fields sent: {}", sub.names().join(", "));
    code.record(&mut state.progress);
    Ok(Action::Send(sub))
}

/// Posts `sub` once and waits for the IdP's answer as long as a push approval may take (the IdP
/// holds the request until the phone answers), telling the person once.
fn wait_for_approval(
    state: &mut SignInState<'_>,
    provider: &Provider,
    sub: Submission,
    host: &str,
) -> Action {
    let (message, timeout) = match &provider.push {
        Some(step) => (step.message.as_str(), step.timeout_seconds),
        None => (DEFAULT_PUSH_MESSAGE, DEFAULT_PUSH_SECONDS),
    };
    let limit = Duration::from_secs(timeout);
    state.push = Some(PushWait::begin(
        state.asked.answers,
        host,
        message,
        None,
        limit,
    ));
    state.progress.pushed = true;
    debug!(
        "waiting for the approval: posting {}",
        sub.names().join(", ")
    );
    Action::Poll(sub, Duration::ZERO)
}

/// Picks one of the ways to verify a page offers and posts it as the option's script would; None
/// when none can be used without a browser.
pub fn choose(
    state: &mut SignInState<'_>,
    provider: &Provider,
    form: &Form,
    (rule, field): (usize, &str),
    choices: &[Choice],
    host: &str,
) -> Option<Action> {
    let has_code = state.asked.answers.has_mfa_code();
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
    let fill = Fill::with_set(&fills, set, step.and_then(|s| s.click.as_deref()));
    let sub = form.submission(&fill.fields, fill.click.map_or(Click::Script, Click::Named));
    info!(
        "{host} offers several ways to verify: choosing '{}'",
        choice.shown_label()
    );
    debug!("fields sent: {}", sub.names().join(", "));
    state.progress.chosen.push(choice.value.clone());
    Some(Action::Send(sub))
}

/// Shows the push message once, then re-posts the page until the IdP moves on or time is up.
pub fn push(
    state: &mut SignInState<'_>,
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
    let wait = *state.push.get_or_insert_with(|| {
        PushWait::begin(
            state.asked.answers,
            host,
            &step.message,
            number.as_deref(),
            limit,
        )
    });
    if wait.is_over() {
        return Err(wait.expired(host));
    }
    let fill = Fill::with_set(&[], &step.set, step.click.as_deref());
    let sub = submission(form, &fill);
    debug!(
        "waiting for the approval: re-posting {}",
        sub.names().join(", ")
    );
    state.last_poll = Some(sub.clone());
    Ok(Action::Poll(
        sub,
        Duration::from_secs(step.interval_seconds.max(1)),
    ))
}

/// Accepts a page as the IdP shows it, pressing the provider's button.
pub fn confirm(
    state: &mut SignInState<'_>,
    provider: &Provider,
    form: &Form,
    rule: usize,
    host: &str,
) -> Result<Action, IdpError> {
    let Some(fill) = fill::confirm(provider, rule, host, &mut state.progress, false) else {
        return Err(IdpError::Setup(format!(
            "provider {} has no confirm rule {rule}",
            provider.name
        )));
    };
    let sub = submission(form, &fill);
    debug!("fields sent: {}", sub.names().join(", "));
    Ok(Action::Send(sub))
}

/// `form` with `fill`'s fields, pressing its button (else the form's default one).
fn submission(form: &Form, fill: &Fill<'_>) -> Submission {
    form.submission(
        &fill.fields,
        fill.click.map_or(Click::Default, Click::Named),
    )
}
