//! The login loop: fetch a page, classify it, act (fill and post a form, follow a refresh, wait for a
//! push approval), until a page carries the SAMLResponse — or a bounded number of steps has passed.

use super::classify::{self, PageKind, Progress};
use super::form::{Click, Form, Submission};
use super::http::{Fetched, IdpSession, without_query};
use super::page::Page;
use super::provider::{Provider, Providers};
use super::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// Pages fetched before the sign-in is declared stuck (push polls are not counted).
pub const MAX_STEPS: usize = 16;

/// What to do after a page.
enum Action {
    Done(SamlAssertion),
    Send(Submission),
    Follow(url::Url),
    /// Re-post a push page after a pause.
    Poll(Submission, Duration),
}

/// What the engine keeps between pages.
struct LoginState<'a> {
    answers: &'a mut dyn LoginAnswers,
    progress: Progress,
    username: Option<String>,
    password: Option<Secret>,
    push_started: Option<Instant>,
}

/// Signs in through `session` and returns the assertion.
pub async fn run(
    session: &IdpSession,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    let providers = Providers::load(req.user_providers.as_deref())?;
    let named = match req.provider.as_deref() {
        Some(name) => Some(providers.named(name)?),
        None => None,
    };
    let mut state = LoginState {
        answers,
        progress: Progress::default(),
        username: None,
        password: None,
        push_started: None,
    };
    let mut fetched = session.get(IdpSession::start_url(&req.url)?).await?;
    let mut pages = 1;
    loop {
        match next_action(&fetched, &providers, named, &mut state)? {
            Action::Done(assertion) => return Ok(assertion),
            Action::Poll(sub, pause) => {
                // Bounded by the push step's own timeout, not by the page count.
                tokio::time::sleep(pause).await;
                fetched = session.send(&sub).await?;
                continue;
            }
            Action::Send(_) | Action::Follow(_) if pages >= MAX_STEPS => {
                return Err(stuck(&fetched));
            }
            Action::Send(sub) => fetched = session.send(&sub).await?,
            Action::Follow(url) => fetched = session.get(url).await?,
        }
        pages += 1;
    }
}

fn stuck(fetched: &Fetched) -> IdpError {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: format!(
            "the sign-in did not finish after {MAX_STEPS} steps (the IdP keeps sending new pages); \
             run with -vv to see them"
        ),
    }
}

/// Reads one page and decides what to do; the parsed page does not outlive this call.
fn next_action(
    fetched: &Fetched,
    providers: &Providers,
    named: Option<&Provider>,
    state: &mut LoginState<'_>,
) -> Result<Action, IdpError> {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let provider = match named {
        Some(p) => p,
        None => classify::detect(providers, &page)?,
    };
    let forms = page.forms();
    let kind = classify::classify(&page, &forms, provider, &state.progress);
    debug!(
        "page {} (HTTP {}, '{}'): {} [provider {}]",
        without_query(&page.url),
        page.status,
        page.title(),
        kind.name(),
        provider.name
    );
    let host = page.host();
    match kind {
        PageKind::Assertion(assertion) => {
            info!("{host} sent the SAMLResponse");
            Ok(Action::Done(assertion))
        }
        PageKind::Rejected(message) => Err(IdpError::Rejected { host, message }),
        PageKind::Mfa { form, field, label } => {
            let code = state.answers.mfa_code(&label)?;
            let fills = [(field.as_str(), code.expose())];
            let sub = fill(
                &forms[form],
                &fills,
                &provider.mfa.set,
                provider.mfa.click.as_deref(),
            );
            info!("{host} asks for a one-time code: sending it");
            debug!("fields sent: {}", sub.names().join(", "));
            state.progress.sent_code = Some(field);
            Ok(Action::Send(sub))
        }
        PageKind::Push { form, number } => push(state, provider, &forms[form], number, &host),
        PageKind::Login {
            form,
            username,
            password,
        } => login(state, provider, &forms[form], username, password, &host),
        PageKind::AutoPost { form } => {
            let sub = forms[form].submission(&[], Click::Script);
            debug!(
                "posting the page's own form to {} (fields: {})",
                without_query(&sub.url),
                sub.names().join(", ")
            );
            Ok(Action::Send(sub))
        }
        PageKind::Refresh(url) => Ok(Action::Follow(url)),
        PageKind::Unknown(reason) => Err(IdpError::UnexpectedPage {
            host,
            url: without_query(&page.url),
            title: page.title(),
            hint: format!(
                "{reason}; run with -vv to see each step, or name the IdP's provider with \
                 --provider or saml_provider (one of: {})",
                providers.names().join(", ")
            ),
        }),
    }
}

/// Fills the sign-in form with what it asks (a paginated page asks one of the two).
fn login(
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

/// Shows the push message once, then re-posts the page until the IdP moves on or time is up.
fn push(
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
    let started = *state.push_started.get_or_insert_with(|| {
        let mut message = format!("{host}: {}", step.message);
        if let Some(n) = &number {
            message.push_str(&format!(" (pick the number {n})"));
        }
        state.answers.notice(&message);
        Instant::now()
    });
    if started.elapsed() >= Duration::from_secs(step.timeout_seconds) {
        return Err(IdpError::Rejected {
            host: host.to_string(),
            message: format!(
                "the sign-in request was not approved within {} s",
                step.timeout_seconds
            ),
        });
    }
    let sub = fill(form, &[], &step.set, step.click.as_deref());
    Ok(Action::Poll(
        sub,
        Duration::from_secs(step.interval_seconds.max(1)),
    ))
}

/// `form` with `fills`, then the provider's fixed fields, and the button to press.
fn fill(
    form: &Form,
    fills: &[(&str, &str)],
    set: &BTreeMap<String, String>,
    click: Option<&str>,
) -> Submission {
    let mut all: Vec<(&str, &str)> = fills.to_vec();
    all.extend(set.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let click = click.map_or(Click::Default, Click::Named);
    form.submission(&all, click)
}

impl LoginState<'_> {
    fn username(&mut self) -> Result<String, IdpError> {
        if self.username.is_none() {
            self.username = Some(self.answers.username()?);
        }
        Ok(self.username.clone().unwrap_or_default())
    }

    fn password(&mut self) -> Result<Secret, IdpError> {
        if self.password.is_none() {
            self.password = Some(self.answers.password()?);
        }
        Ok(self.password.clone().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests;
