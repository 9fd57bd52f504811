//! Driving the browser's pages headless: the page's DOM, read after its scripts ran and once it is
//! still, is classified by the same provider rules as the form engine's pages, and the answer is
//! typed and pressed in the live page; every wait is bounded, and what needs a person ends in exit 3
//! naming the command that opens a window (`window`).

use super::act::{self, Step};
use super::session::{Session, Snapshot};
use super::watch::Watch;
use crate::idp::classify::{self, PageKind};
use crate::idp::page::Page;
use crate::idp::provider::{Provider, Providers};
use crate::idp::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use std::time::{Duration, Instant};
use tracing::debug;

/// How long a headless page may take to answer one step.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the DOM must stay unchanged before it is read as a page.
const SETTLE: Duration = Duration::from_millis(500);
/// How long a refusal without the IdP's words must stay before it is believed (a script may still
/// be writing them).
const REFUSAL_SETTLE: Duration = Duration::from_millis(1500);
/// How long a page the browser moves on from by itself (auto-post, refresh) is left to do so.
const SELF_MOVING: Duration = Duration::from_secs(3);
/// How long a page nobody recognises may stay still before the sign-in gives up on it (a page may
/// still be drawing itself after a pause).
const UNKNOWN_GRACE: Duration = Duration::from_secs(8);
/// How long in-flight requests keep a page from being read (a push page's long poll never ends).
const BUSY_CAP: Duration = Duration::from_secs(5);
/// How long a navigation begun (and not ended: a 204, a download) keeps a page from being read.
const LEAVING_CAP: Duration = Duration::from_secs(10);
/// Between two looks at the page.
const POLL: Duration = Duration::from_millis(150);
/// Actions on pages before the sign-in is declared stuck.
const MAX_ACTIONS: usize = 24;

/// The DOM as last seen and since when it has not changed.
struct Seen {
    key: String,
    since: Instant,
}

impl Seen {
    fn update(&mut self, snap: &Snapshot) {
        let key = snap.key();
        if key != self.key {
            self.key = key;
            self.since = Instant::now();
        }
    }
}

/// Signs in without a window.
pub async fn headless(
    session: &mut Session,
    watch: &mut Watch<'_>,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    let providers = Providers::load(req.user_providers.as_deref())?;
    // Okta's provider is its API client, not a file: in a browser its pages are read by the rules
    // that recognise them, as any other unnamed IdP's.
    let named = req
        .provider
        .as_deref()
        .filter(|n| !n.trim().eq_ignore_ascii_case(crate::idp::okta::NAME))
        .map(|n| providers.named(n))
        .transpose()?;
    let step = STEP_TIMEOUT.min(watch.timeout);
    // However the pages behave, a headless sign-in ends: at the latest after --browser-timeout.
    let deadline = Instant::now() + watch.timeout;
    let mut run = act::Run::new(answers);
    run.factor = req.mfa_factor.clone();
    run.decline_stay_signed_in = req
        .browser
        .as_ref()
        .is_some_and(|b| b.decline_stay_signed_in);
    let mut seen = Seen {
        key: String::new(),
        since: Instant::now(),
    };
    let mut sticky: Option<(String, String)> = None;
    // The step limit counts from the last page read or action, not from the last change: a page
    // that keeps changing and never asks anything ends the sign-in too.
    let mut progress = Instant::now();
    session.answer_dialogs().await;
    loop {
        if let Some(assertion) = session.taken_within(POLL).await {
            return Ok(assertion);
        }
        if let Some(gone) = watch.gone() {
            return Err(gone);
        }
        if Instant::now() >= deadline {
            return Err(watch.person(&format!(
                "the sign-in did not finish within {} s",
                watch.timeout.as_secs()
            )));
        }
        let Some(snap) = session.snapshot().await else {
            if progress.elapsed() > step.max(run.patience()) {
                return Err(watch.person("the page did not load within its time"));
            }
            continue;
        };
        if snap.url.starts_with("chrome-error:") {
            return Err(IdpError::Network {
                host: watch.host.clone(),
                reason: super::session::error_page_reason(&snap.text),
            });
        }
        if snap.webauthn {
            return Err(watch.person("the IdP asks for a security key or passkey"));
        }
        if let Some(said) = session.last_alert() {
            run.alert = Some(said);
        }
        seen.update(&snap);
        run.hear(&snap);
        let still = seen.since.elapsed();
        if !settled(&snap, still) {
            if progress.elapsed() > step.max(run.patience()) {
                return Err(stuck(watch, &snap, "the page kept changing"));
            }
            continue;
        }
        if run.waiting_for_change(&snap) {
            continue;
        }
        let read = read_page(&snap, &providers, named, &mut sticky, still, &run, watch);
        let read = read.map_err(|e| with_dump(e, &snap, req))?;
        let Some((step_now, forms, provider)) = read else {
            if progress.elapsed() > step.max(run.patience()) {
                return Err(stuck(
                    watch,
                    &snap,
                    "the page asked nothing samlbridge can answer",
                ));
            }
            continue;
        };
        if run.actions >= MAX_ACTIONS {
            return Err(stuck(
                watch,
                &snap,
                "the sign-in did not finish after many steps",
            ));
        }
        act::take(session, &mut run, step_now, provider, &forms, &snap, watch).await?;
        progress = Instant::now();
    }
}

/// Whether the page is worth reading: unchanged for a moment, loaded, not leaving, and its scripts
/// not waiting for an answer (a request that never ends stops counting after a while).
fn settled(snap: &Snapshot, still: Duration) -> bool {
    still >= SETTLE
        && snap.ready == "complete"
        && (!snap.leaving || still >= LEAVING_CAP)
        && (snap.busy == 0 || still >= BUSY_CAP)
}

/// A page read: the step to take, its forms, and the provider that read it.
type ReadPage<'p> = (Step, Vec<crate::idp::form::Form>, &'p Provider);

/// Reads a still page with the provider rules and decides what to do on it: a step (with the
/// page's forms and the provider), nothing yet, or an error. The parsed page stays in here.
fn read_page<'p>(
    snap: &Snapshot,
    providers: &'p Providers,
    named: Option<&'p Provider>,
    sticky: &mut Option<(String, String)>,
    still: Duration,
    run: &act::Run<'_>,
    watch: &Watch<'_>,
) -> Result<Option<ReadPage<'p>>, IdpError> {
    let page = Page::parse(parse_url(&snap.url, &watch.host)?, 200, &snap.html);
    let provider = classify::provider_for(&page, providers, named, sticky)?;
    let forms = page.forms();
    let kind = classify::classify(&page, &forms, provider, &run.progress);
    debug!(
        "page {} ('{}'): {} [provider {}]",
        crate::idp::urls::without_query(&page.url),
        page.title(),
        kind.name(),
        provider.name
    );
    let step = decide(kind, &page, provider, still, snap, run, watch)?;
    Ok(step.map(|step| (step, forms, provider)))
}

/// What to do on a still page: a step, nothing yet (None), or an error.
fn decide(
    kind: PageKind,
    page: &Page,
    provider: &Provider,
    still: Duration,
    snap: &Snapshot,
    run: &act::Run<'_>,
    watch: &Watch<'_>,
) -> Result<Option<Step>, IdpError> {
    let host = watch.host.clone();
    match refused_beside_password(&kind, still, snap, run) {
        Some(Some(message)) => return Err(IdpError::Rejected { host, message }),
        Some(None) => return Ok(None),
        None => {}
    }
    Ok(match kind {
        PageKind::Assertion(_) | PageKind::AutoPost { .. } if still < SELF_MOVING => None,
        PageKind::Refresh(_) | PageKind::ScriptLink(_) if still < SELF_MOVING => None,
        PageKind::Assertion(_) => Some(Step::Post(saml_form(page))),
        PageKind::AutoPost { form, .. } | PageKind::Notice { form, .. } => Some(Step::Post(form)),
        PageKind::Refresh(url) | PageKind::ScriptLink(url) => Some(Step::Go(url)),
        PageKind::Rejected(words) => {
            if let Some(said) = classify::error_words(page, &provider.errors) {
                return Err(IdpError::Rejected {
                    host,
                    message: said,
                });
            }
            if still < REFUSAL_SETTLE {
                return Ok(None);
            }
            // The sign-in form or the code field shown again: compare with the page answered.
            let again = if page
                .forms()
                .iter()
                .any(|f| f.fields.iter().any(|x| x.is_password()))
            {
                Some(act::StepKind::Login)
            } else {
                Some(act::StepKind::Code)
            };
            let message = run
                .alert
                .clone()
                .or_else(|| run.new_words(snap, again))
                .unwrap_or(words);
            return Err(IdpError::Rejected { host, message });
        }
        PageKind::Mfa {
            form,
            field,
            label,
            next,
            on_login_form,
            ..
        } => Some(Step::Code {
            form,
            field,
            label,
            next,
            on_login_form,
        }),
        PageKind::Push { number, .. } => Some(match other_ways(page, provider, run) {
            Some(css) => Step::Press(css),
            None => Step::Push(number),
        }),
        PageKind::Confirm { form, rule } => Some(Step::Confirm { form, rule }),
        PageKind::Login {
            form,
            username,
            password,
        } => Some(Step::Login {
            form,
            username,
            password,
        }),
        PageKind::Unsupported(message) => return Err(watch.person(&message)),
        PageKind::Choose { rule, choices, .. } => Some(Step::Choose { rule, choices }),
        PageKind::Unknown(_)
            if still < UNKNOWN_GRACE && !asks_for_security_key(page.body_text_lowercase()) =>
        {
            None
        }
        PageKind::Unknown(reason) => {
            let what = if asks_for_security_key(page.body_text_lowercase()) {
                format!(
                    "the IdP asks for a security key or passkey ('{}')",
                    page.title()
                )
            } else {
                // The page's own words say most about it (a refusal on a page of its own, a choice).
                // Words from the parsed page, never the raw text of what the browser did not
                // render (a body hidden until its scripts run reads as their source).
                let words = run
                    .new_words(snap, None)
                    .or_else(|| Some(classify::cap(&page.words())).filter(|w| !w.is_empty()))
                    .unwrap_or(reason);
                format!("the IdP shows {UNKNOWN_PAGE} ('{}': {words})", page.title())
            };
            return Err(watch.person(&what));
        }
    })
}

/// A code asked for in the password field right after the password was typed, on a page whose new
/// words (and field) say nothing of a code: the IdP said no beside its form, as pages that write
/// the refusal under the field do. Some(words): refused; Some(None): the words may still come;
/// None: a code page indeed (NetIQ-style pages ask the code in the password field).
fn refused_beside_password(
    kind: &PageKind,
    still: Duration,
    snap: &Snapshot,
    run: &act::Run<'_>,
) -> Option<Option<String>> {
    let PageKind::Mfa {
        on_login_form: true,
        label,
        ..
    } = kind
    else {
        return None;
    };
    let after_password =
        run.progress.sent_password && run.last_step() == Some(act::StepKind::Login);
    if !after_password || classify::speaks_of_code(label) {
        return None;
    }
    match run.new_words(snap, Some(act::StepKind::Login)) {
        Some(words) if !classify::speaks_of_code(&words) => Some(Some(words)),
        Some(_) => None,
        None if still < REFUSAL_SETTLE => Some(None),
        None => None,
    }
}

/// A push page's link to its other ways to verify (`[push] other`), when a one-time code is wanted
/// and the link was not pressed yet.
fn other_ways(page: &Page, provider: &Provider, run: &act::Run<'_>) -> Option<String> {
    let css = provider.push.as_ref()?.other.as_ref()?;
    (run.wants_code() && !run.left_push && page.has(css.selector()))
        .then(|| css.source().to_string())
}

/// At -vv, an unknown page is saved (scrubbed, private) and the error says where.
fn with_dump(err: IdpError, snap: &Snapshot, req: &LoginRequest) -> IdpError {
    let IdpError::Browser {
        host,
        message,
        person,
    } = err
    else {
        return err;
    };
    let state = req.browser.as_ref().map(|b| &b.state);
    let saved = (message.contains(UNKNOWN_PAGE) && tracing::enabled!(tracing::Level::DEBUG))
        .then_some(state)
        .flatten()
        .and_then(|state| super::dump::write(state, &snap.html));
    let message = match saved {
        Some(path) => format!(
            "{message} (the page, without field values: {})",
            path.display()
        ),
        None => message,
    };
    IdpError::Browser {
        host,
        message,
        person,
    }
}

/// The words of the error for a page nobody recognises.
const UNKNOWN_PAGE: &str = "a page samlbridge cannot answer headless";

/// Whether a page's words ask for a security key, passkey or platform authenticator.
pub fn asks_for_security_key(text: &str) -> bool {
    [
        "security key",
        "passkey",
        "fido",
        "webauthn",
        "windows hello",
        "touch id",
        "face id",
        "biometric",
        "yubikey",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// The form carrying the SAMLResponse, to post it when the page's script does not.
fn saml_form(page: &Page) -> usize {
    page.forms()
        .iter()
        .find(|f| {
            f.field("SAMLResponse")
                .is_some_and(|v| !v.value.trim().is_empty())
        })
        .map_or(0, |f| f.index)
}

fn parse_url(url: &str, host: &str) -> Result<url::Url, IdpError> {
    url::Url::parse(url).map_err(|_| IdpError::Browser {
        host: host.to_string(),
        message: format!(
            "the browser shows an address samlbridge cannot read ('{}')",
            crate::shown::outside(url)
        ),
        person: false,
    })
}

fn stuck(watch: &Watch<'_>, snap: &Snapshot, why: &str) -> IdpError {
    let (title, at) = match url::Url::parse(&snap.url) {
        Ok(url) => (
            Page::parse(url.clone(), 200, &snap.html).title(),
            crate::idp::urls::without_query(&url),
        ),
        Err(_) => (String::new(), String::new()),
    };
    watch.person(&format!("{why} within its time (at '{title}', {at})"))
}
