//! What the headless driver does on a page the classifier understood: type the username, password
//! or code into the live page and press its button, accept a page, wait for a push, post a form the
//! page's script did not — and what it remembers to tell the page's answer from the page itself.

use super::session::{Session, Snapshot};
use super::watch::Watch;
use crate::idp::classify::{Answer, Choice, Progress, cap, pick};
use crate::idp::fill::{self, Asked, CodeAsk, CodeFill, Fill, SignInFill};
use crate::idp::form::Form;
use crate::idp::provider::{Provider, PushStep};
use crate::idp::push::PushWait;
use crate::idp::{IdpError, LoginAnswers};
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// How long a page may stay exactly as it was right after an action before it is read again as
/// it is (a script that answered at once leaves nothing more to wait for).
const CHANGE_WAIT: Duration = Duration::from_secs(5);

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
        on_login_form: bool,
    },
    Push(Option<String>),
    Confirm {
        form: usize,
        rule: usize,
    },
    /// Pick one of the ways to verify the provider's choose rule `rule` found, and press it.
    Choose {
        rule: usize,
        choices: Vec<Choice>,
    },
    /// Press the element these CSS selectors find (a push page's link to its other ways to
    /// verify, `[push] other`).
    Press(String),
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
    asked: Asked<'a>,
    pub progress: Progress,
    pub actions: usize,
    last: Option<Mark>,
    /// What an alert box said since the last action.
    pub alert: Option<String>,
    /// Lines that appeared since the last action on a page not waiting for an answer, in order,
    /// even if gone again (a toast shows a refusal for a moment).
    heard: Vec<String>,
    push: Option<PushWait>,
    /// `saml_mfa_factor`: the way to verify to choose where a page offers several.
    pub factor: Option<String>,
    /// `saml_entra_stay_signed_in = false`: confirm pages that can be declined are.
    pub decline_stay_signed_in: bool,
    /// A push page's other ways to verify were pressed: the push page seen again is waited on.
    pub left_push: bool,
}

impl<'a> Run<'a> {
    pub fn new(answers: &'a mut dyn LoginAnswers) -> Run<'a> {
        Run {
            asked: Asked::new(answers),
            progress: Progress::default(),
            actions: 0,
            last: None,
            alert: None,
            heard: Vec::new(),
            push: None,
            factor: None,
            decline_stay_signed_in: false,
            left_push: false,
        }
    }

    /// Whether a one-time code is wanted rather than a push (`saml_mfa_factor`, or a code at hand).
    pub fn wants_code(&self) -> bool {
        crate::idp::classify::wants_code(self.factor.as_deref(), self.asked.answers.has_mfa_code())
    }

    /// What the last action answered.
    pub fn last_step(&self) -> Option<StepKind> {
        self.last.as_ref().map(|m| m.step)
    }

    /// Notes the lines of `snap` that were not there before the last action (and are not a
    /// spinner's: the page is not waiting for an answer), so that words shown only for a moment
    /// can still be the IdP's answer.
    pub fn hear(&mut self, snap: &Snapshot) {
        if snap.busy > 0 {
            return;
        }
        let Some(fresh) = self.fresh_lines(snap, None) else {
            return;
        };
        for line in fresh {
            if !self.heard.contains(&line) {
                self.heard.push(line);
            }
        }
    }

    /// Whether the page is still exactly as the last action left it, and that is still worth
    /// waiting for (a push: until its time is up).
    /// How long the last action may take to be answered beyond the usual step (a push waits for
    /// the person's phone).
    pub fn patience(&self) -> Duration {
        self.last.as_ref().and_then(|m| m.bound).unwrap_or_default()
    }

    pub fn waiting_for_change(&self, snap: &Snapshot) -> bool {
        self.last.as_ref().is_some_and(|mark| {
            mark.key == snap.key() && mark.at.elapsed() < mark.bound.unwrap_or(CHANGE_WAIT)
        })
    }

    /// Lines a person reads now that were not there before the last action — in the same document,
    /// or on a new page asking `again` what that action answered: where an IdP writes why it said
    /// no, when no error rule names the element.
    /// Lines shown since, and gone again, count when nothing new is shown now.
    pub fn new_words(&self, snap: &Snapshot, again: Option<StepKind>) -> Option<String> {
        let fresh = self.fresh_lines(snap, again)?;
        let said = if fresh.is_empty() {
            &self.heard
        } else {
            &fresh
        };
        (!said.is_empty()).then(|| cap(&said.join(" ")))
    }

    /// The lines of `snap` not there before the last action, when it is comparable (see
    /// `new_words`); None when it is not.
    fn fresh_lines(&self, snap: &Snapshot, again: Option<StepKind>) -> Option<Vec<String>> {
        let mark = self
            .last
            .as_ref()
            .filter(|m| m.doc == snap.doc || again == Some(m.step))?;
        let old: std::collections::HashSet<&str> =
            mark.text_before.lines().map(str::trim).collect();
        Some(
            snap.text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !old.contains(l))
                .map(str::to_string)
                .collect(),
        )
    }
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
    // A push is waited for on the page as it was read: it may change (Duo writes its refusal in
    // the same document) before a snapshot taken now, and that change is the answer to wait for.
    let acts_on_page = !matches!(step, Step::Push(_));
    match step {
        Step::Login {
            form,
            username,
            password,
        } => {
            let Some(f) = forms.get(form) else {
                return Err(lost(watch, "its sign-in form"));
            };
            super::guard::may_type_secret(&snap.url, Some(&f.action))?;
            let fields = (username.as_deref(), password.as_deref());
            type_sign_in_form(session, run, provider, f, fields, gathered, host).await?;
        }
        Step::Code {
            form,
            field,
            label,
            next,
            on_login_form,
        } => {
            let Some(f) = forms.get(form) else {
                return Err(lost(watch, "its code form"));
            };
            super::guard::may_type_secret(&snap.url, Some(&f.action))?;
            let ask = CodeAsk {
                field: &field,
                label: &label,
                next,
                on_login_form,
                methods: None,
            };
            type_code(session, run, provider, f, &ask, gathered, host).await?;
        }
        Step::Push(number) => bound = Some(wait_for_push(run, provider, number, watch)?),
        Step::Confirm { form, rule } => {
            let Some(fill) = fill::confirm(
                provider,
                rule,
                host,
                &mut run.progress,
                run.decline_stay_signed_in,
            ) else {
                return Err(lost(watch, "the provider's rule for this page"));
            };
            press(session, form, gathered, &fill).await;
        }
        Step::Choose { rule, choices } => {
            choose(session, run, provider, rule, &choices, watch).await?;
        }
        Step::Press(css) => {
            run.left_push = true;
            info!("{host}: a one-time code is wanted: choosing the page's other ways to verify");
            press_element(session, vec![css.as_str()], "", watch).await?;
        }
        Step::Post(form) => {
            debug!("posting the page's own form #{form}");
            press(session, form, gathered, &Fill::default()).await;
        }
        Step::Go(url) => {
            debug!("opening {}", crate::idp::urls::without_query(&url));
            session.navigate(url.as_str(), host).await?;
        }
    }
    run.actions += 1;
    run.alert = None;
    run.heard.clear();
    let after = if acts_on_page {
        session.snapshot().await
    } else {
        None
    };
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

/// Types the username and password the sign-in form asks for and presses its button.
async fn type_sign_in_form(
    session: &Session,
    run: &mut Run<'_>,
    provider: &Provider,
    form: &Form,
    fields: (Option<&str>, Option<&str>),
    gathered: bool,
    host: &str,
) -> Result<(), IdpError> {
    let answers = SignInFill::ask(form, fields, &provider.login, &mut run.asked)?;
    answers.tell(host, "typing");
    press(session, form.index, gathered, &answers.fill()).await;
    answers.record(&mut run.progress);
    Ok(())
}

/// Types the one-time code a code form asks for (with the username when it asks who signs in) and
/// presses its button.
async fn type_code(
    session: &Session,
    run: &mut Run<'_>,
    provider: &Provider,
    form: &Form,
    ask: &CodeAsk<'_>,
    gathered: bool,
    host: &str,
) -> Result<(), IdpError> {
    let code = CodeFill::ask(form, ask, None, provider, &mut run.asked, host)?;
    code.tell(host, "typing");
    press(session, form.index, gathered, &code.fill()).await;
    code.record(&mut run.progress);
    Ok(())
}

/// Makes the choice the form engine makes among the page's ways to verify (`pick`), and presses
/// that option in the live page; a choice only a browser can answer needs a person.
async fn choose(
    session: &Session,
    run: &mut Run<'_>,
    provider: &Provider,
    rule: usize,
    choices: &[Choice],
    watch: &Watch<'_>,
) -> Result<(), IdpError> {
    let has_code = run.asked.answers.has_mfa_code();
    let factor = run.factor.as_deref();
    let picked = pick(choices, factor, has_code, &run.progress.chosen)
        .filter(|i| factor.is_some() || choices[*i].answer() != Answer::Browser);
    let (Some(i), Some(step)) = (picked, provider.choose.get(rule)) else {
        let offered: Vec<String> = choices.iter().map(Choice::shown_label).collect();
        return Err(watch.person(&format!(
            "the IdP offers ways to verify that samlbridge cannot use headless ({})",
            offered.join(", ")
        )));
    };
    let choice = &choices[i];
    info!(
        "{} offers several ways to verify: choosing '{}'",
        watch.host,
        choice.shown_label()
    );
    run.progress.chosen.push(choice.value.clone());
    let options: Vec<&str> = step.options.iter().map(|css| css.source()).collect();
    press_element(session, options, &choice.value, watch).await
}

/// Presses, as a person would, the first element one of `options` (CSS) finds whose identity is
/// `value` (any, when `value` is empty): choose.js.
async fn press_element(
    session: &Session,
    options: Vec<&str>,
    value: &str,
    watch: &Watch<'_>,
) -> Result<(), IdpError> {
    let pressing = Pressing { options, value };
    let Ok(args) = serde_json::to_string(&pressing) else {
        return Err(lost(watch, "the option it chose"));
    };
    let script = concat!(include_str!("deep.js"), include_str!("choose.js"))
        .replace("__SAMLBRIDGE_ARGS__", &args);
    match session.run(&script).await.as_deref() {
        Some("not-found") => Err(lost(watch, "the option it chose")),
        done => {
            debug!("the chosen option: {}", done.unwrap_or("(navigated)"));
            Ok(())
        }
    }
}

/// What choose.js is told: where the options are, and which one to press (any: empty).
#[derive(serde::Serialize)]
struct Pressing<'v> {
    options: Vec<&'v str>,
    value: &'v str,
}

/// Tells the person once what to approve; how long the page may still wait, or the refusal when
/// the time is up.
fn wait_for_push(
    run: &mut Run<'_>,
    provider: &Provider,
    number: Option<String>,
    watch: &Watch<'_>,
) -> Result<Duration, IdpError> {
    let Some(step) = provider.push.as_ref() else {
        return Err(watch.person("the IdP waits for an approval samlbridge cannot follow"));
    };
    let (message, number) = push_notice(step, number);
    let wait = *run.push.get_or_insert_with(|| {
        PushWait::begin(
            run.asked.answers,
            &watch.host,
            &message,
            number.as_deref(),
            Duration::from_secs(step.timeout_seconds),
        )
    });
    if wait.is_over() {
        return Err(wait.expired(&watch.host));
    }
    Ok(wait.left())
}

/// What the person is told of a push, and the number left for `PushWait` to tell as a number to
/// pick: a number the provider tells in its own words (`number_words`: Duo's Verified Push, a code
/// to type) is told in the message.
pub(super) fn push_notice(step: &PushStep, number: Option<String>) -> (String, Option<String>) {
    match (&step.number_words, number) {
        (Some(words), Some(n)) => (
            format!("{} ({})", step.message, words.replace("{number}", &n)),
            None,
        ),
        (_, number) => (step.message.clone(), number),
    }
}

/// Types `fill` into form `form` and presses its button (the named one, else its submit).
async fn press(session: &Session, form: usize, gathered: bool, fill: &Fill<'_>) {
    let typing = Typing {
        form,
        gathered,
        fills: fill.fields.clone(),
        click: fill.click,
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
