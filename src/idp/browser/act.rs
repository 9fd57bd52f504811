//! What the headless driver does on a page the classifier understood: type the username, password
//! or code into the live page and press its button, accept a page, wait for a push, post a form the
//! page's script did not — and what it remembers to tell the page's answer from the page itself.

use super::session::{Session, Snapshot};
use super::watch::Watch;
use crate::idp::classify::Progress;
use crate::idp::form::Form;
use crate::idp::provider::Provider;
use crate::idp::{IdpError, LoginAnswers};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// How long a page may stay exactly as it was right after an action before it is read again as
/// it is (a script that answered at once leaves nothing more to wait for).
const CHANGE_WAIT: Duration = Duration::from_secs(5);
/// Longest IdP message repeated to the user.
const MAX_WORDS: usize = 200;

/// One thing to do on a page.
pub enum Step {
    Login {
        form: usize,
        username: Option<String>,
        password: Option<String>,
    },
    Code {
        form: usize,
        field: String,
        label: String,
        next: bool,
    },
    Push(Option<String>),
    Confirm {
        form: usize,
        rule: usize,
    },
    /// Post the form as it is (an auto-posting form whose script did not run).
    Post(usize),
    /// Open the URL (a refresh or script link the page did not follow).
    Go(url::Url),
}

/// The kind of question a step answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StepKind {
    Login,
    Code,
    Other,
}

impl Step {
    fn kind(&self) -> StepKind {
        match self {
            Step::Login { .. } => StepKind::Login,
            Step::Code { .. } => StepKind::Code,
            _ => StepKind::Other,
        }
    }
}

/// The page right after the last action, and what it read before.
struct Mark {
    key: String,
    /// The document acted on: a page of the same document that changed is the script's answer.
    doc: String,
    /// What was answered: the same question asked again on a new page is answered by its changes.
    step: StepKind,
    at: Instant,
    bound: Option<Duration>,
    text_before: String,
}

/// What the driver keeps between pages.
pub struct Run<'a> {
    answers: &'a mut dyn LoginAnswers,
    pub progress: Progress,
    username: Option<String>,
    password: Option<Secret>,
    pub actions: usize,
    last: Option<Mark>,
    /// What an alert box said since the last action.
    pub alert: Option<String>,
    push_started: Option<Instant>,
}

impl<'a> Run<'a> {
    pub fn new(answers: &'a mut dyn LoginAnswers) -> Run<'a> {
        Run {
            answers,
            progress: Progress::default(),
            username: None,
            password: None,
            actions: 0,
            last: None,
            alert: None,
            push_started: None,
        }
    }

    /// Whether the page is still exactly as the last action left it, and that is still worth
    /// waiting for (a push: until its time is up).
    pub fn waiting_for_change(&self, snap: &Snapshot) -> bool {
        self.last.as_ref().is_some_and(|mark| {
            mark.key == snap.key() && mark.at.elapsed() < mark.bound.unwrap_or(CHANGE_WAIT)
        })
    }

    /// Lines a person reads now that were not there before the last action — in the same document,
    /// or on a new page asking `again` what that action answered: where an IdP writes why it said
    /// no, when no error rule names the element.
    pub fn new_words(&self, snap: &Snapshot, again: Option<StepKind>) -> Option<String> {
        let mark = self
            .last
            .as_ref()
            .filter(|m| m.doc == snap.doc || again == Some(m.step))?;
        let before = &mark.text_before;
        let text = &snap.text;
        let old: std::collections::HashSet<&str> = before.lines().map(str::trim).collect();
        let fresh: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !old.contains(l))
            .collect();
        (!fresh.is_empty()).then(|| cap(&fresh.join(" ")))
    }

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

/// A page's words, short enough to repeat.
pub fn cap(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_WORDS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_WORDS).collect();
    short.push('…');
    short
}

/// What act.js is told: the form, what to type, which button.
#[derive(serde::Serialize)]
struct Typing<'v> {
    form: usize,
    gathered: bool,
    fills: Vec<(&'v str, &'v str)>,
    click: Option<&'v str>,
    submit: bool,
}

/// Does `step` on the page.
pub async fn take(
    session: &Session,
    run: &mut Run<'_>,
    step: Step,
    provider: &Provider,
    forms: &[Form],
    snap: &Snapshot,
    watch: &Watch<'_>,
) -> Result<(), IdpError> {
    let host = watch.host.as_str();
    let gathered = snap.html.contains("data-samlbridge-gathered");
    let mut bound = None;
    let kind = step.kind();
    match step {
        Step::Login {
            form,
            username,
            password,
        } => {
            let Some(f) = forms.get(form) else {
                return Err(lost(watch, "its sign-in form"));
            };
            login(
                session, run, provider, f, username, password, gathered, host,
            )
            .await?;
        }
        Step::Code {
            form,
            field,
            label,
            next,
        } => {
            let code = if next {
                run.answers.next_mfa_code(&label)?
            } else {
                run.answers.mfa_code(&label)?
            };
            let mut fills = vec![(field.as_str(), code.expose())];
            fills.extend(
                provider
                    .mfa
                    .set
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            );
            info!("{host} asks for a one-time code: typing it");
            press(
                session,
                form,
                gathered,
                fills,
                provider.mfa.click.as_deref(),
            )
            .await;
            run.progress.sent_code = Some(field);
            run.progress.sent_next_code |= next;
        }
        Step::Push(number) => {
            let Some(push) = provider.push.as_ref() else {
                return Err(watch.person("the IdP waits for an approval samlbridge cannot follow"));
            };
            let limit = Duration::from_secs(push.timeout_seconds);
            let started = *run.push_started.get_or_insert_with(|| {
                let mut message = format!("{host}: {}", push.message);
                if let Some(n) = &number {
                    message.push_str(&format!(" (pick the number {n})"));
                }
                run.answers.notice(&message);
                Instant::now()
            });
            if started.elapsed() >= limit {
                return Err(IdpError::Rejected {
                    host: host.to_string(),
                    message: format!(
                        "the sign-in request was not approved within {} s",
                        limit.as_secs()
                    ),
                });
            }
            bound = Some(limit.saturating_sub(started.elapsed()));
        }
        Step::Confirm { form, rule } => {
            let Some(confirm) = provider.confirm.get(rule) else {
                return Err(lost(watch, "the provider's rule for this page"));
            };
            info!("{host}: {}", confirm.message);
            let fills = set_fields(&confirm.set);
            press(session, form, gathered, fills, confirm.click.as_deref()).await;
            run.progress.confirmed.push(rule);
        }
        Step::Post(form) => {
            debug!("posting the page's own form #{form}");
            press(session, form, gathered, Vec::new(), None).await;
        }
        Step::Go(url) => {
            debug!("opening {}", crate::idp::urls::without_query(&url));
            session.navigate(url.as_str(), host).await?;
        }
    }
    run.actions += 1;
    run.alert = None;
    let after = session.snapshot().await;
    run.last = Some(Mark {
        key: after.as_ref().unwrap_or(snap).key(),
        doc: snap.doc.clone(),
        step: kind,
        at: Instant::now(),
        bound,
        text_before: snap.text.clone(),
    });
    Ok(())
}

/// A step whose page or rule went missing between reading and acting.
fn lost(watch: &Watch<'_>, what: &str) -> IdpError {
    IdpError::Browser {
        host: watch.host.clone(),
        message: format!(
            "samlbridge lost {what} while acting on it; run with -vv, or sign in with \
             `samlbridge login --browser --profile {}`",
            watch.profile
        ),
        person: false,
    }
}

#[allow(clippy::too_many_arguments)]
async fn login(
    session: &Session,
    run: &mut Run<'_>,
    provider: &Provider,
    form: &Form,
    username: Option<String>,
    password: Option<String>,
    gathered: bool,
    host: &str,
) -> Result<(), IdpError> {
    let user_value = match username.as_deref().and_then(|n| form.field(n)) {
        // The IdP already knows who (the second page of a paginated sign-in).
        Some(f) if !f.visible && !f.value.is_empty() => None,
        Some(_) => Some(run.username()?),
        None => None,
    };
    let pass_value = match password {
        Some(_) => Some(run.password()?),
        None => None,
    };
    let mut fills: Vec<(&str, &str)> = Vec::new();
    if let (Some(name), Some(value)) = (username.as_deref(), user_value.as_deref()) {
        fills.push((name, value));
    }
    if let (Some(name), Some(value)) = (password.as_deref(), pass_value.as_ref()) {
        fills.push((name, value.expose()));
    }
    fills.extend(set_fields(&provider.login.set));
    info!(
        "{host} shows its sign-in form: typing {}",
        match (user_value.is_some(), pass_value.is_some()) {
            (true, true) => "the username and password",
            (true, false) => "the username",
            (false, true) => "the password",
            (false, false) => "nothing",
        }
    );
    press(
        session,
        form.index,
        gathered,
        fills,
        provider.login.click.as_deref(),
    )
    .await;
    run.progress.sent_username |= user_value.is_some();
    run.progress.sent_password |= pass_value.is_some();
    Ok(())
}

fn set_fields(set: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    set.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

/// Types `fills` into form `form` and presses its button (the named one, else its submit).
async fn press(
    session: &Session,
    form: usize,
    gathered: bool,
    fills: Vec<(&str, &str)>,
    click: Option<&str>,
) {
    let typing = Typing {
        form,
        gathered,
        fills,
        click,
        submit: true,
    };
    run_act(session, &typing).await;
}

async fn run_act(session: &Session, typing: &Typing<'_>) {
    let Ok(args) = serde_json::to_string(typing) else {
        return;
    };
    let script = concat!(include_str!("deep.js"), include_str!("act.js"))
        .replace("__SAMLBRIDGE_ARGS__", &args);
    let done = session.run(&script).await;
    debug!(
        "the page's form: {}",
        done.as_deref().unwrap_or("(navigated)")
    );
}

/// In a window: types the known username into field `field` of form `form` (the person does the
/// rest).
pub async fn type_username(
    session: &Session,
    form: usize,
    field: &str,
    gathered: bool,
    user: &str,
) {
    let typing = Typing {
        form,
        gathered,
        fills: vec![(field, user)],
        click: None,
        submit: false,
    };
    run_act(session, &typing).await;
}
