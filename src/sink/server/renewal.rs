//! Keeping one route's session fresh for as long as the endpoint runs: a `Renewer` (one per route)
//! renews ahead of expiry by the profile's refresh window, one renewal at a time, and publishes each
//! outcome; a `Route` is what a request sees of it. A request is answered at once from credentials
//! that are still good (a renewal in progress changes nothing for it); only when there are none does
//! it wake the renewer and wait, for an outcome newer than its own arrival, at most `WAIT_FOR_RENEWAL`.

use crate::credentials::Credentials;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};

/// Credentials with less than this left are not handed out: a caller could not sign a request with
/// them before they expire.
pub const SERVE_MARGIN: Duration = Duration::from_secs(3);
/// How long a request waits for a renewal before it is answered with the reason (the SDKs wait
/// about as long for `credential_process`).
pub const WAIT_FOR_RENEWAL: Duration = Duration::from_secs(30);
/// After a failed renewal, requests are answered with its reason for this long before one of them
/// may start another attempt: a job's retries do not hammer the IdP.
pub const RETRY_PAUSE: Duration = Duration::from_secs(2);
/// After a failure a person cannot help with (the network, STS), the renewer tries again by itself
/// after this long.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// Why a renewal gave no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// Only a person can help (a password, a code, a sign-in): the message says what to run.
    PersonMustAct(String),
    /// Anything else (network, STS); worth trying again.
    Failed(String),
}

impl SourceError {
    pub fn message(&self) -> &str {
        match self {
            SourceError::PersonMustAct(m) | SourceError::Failed(m) => m,
        }
    }
}

/// Where a route's credentials come from (for samlbridge: the cache and STS, through `obtain`).
pub trait CredentialSource {
    /// Credentials that are fresh by the source's own measure, never asking a person.
    fn fetch(&self) -> impl Future<Output = Result<Credentials, SourceError>>;
}

/// What the renewer last published.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    credentials: Option<Arc<Credentials>>,
    /// The last attempt's failure, cleared by a success.
    failure: Option<(SourceError, Instant)>,
    /// Attempts finished so far, so a waiting request knows an outcome is newer than its arrival.
    attempts: u64,
}

impl Snapshot {
    /// The credentials, if they may be handed out now.
    fn servable_now(&self) -> Option<Arc<Credentials>> {
        let now = OffsetDateTime::now_utc();
        self.credentials.clone().filter(|c| servable(c, now))
    }
}

/// A route's view of its renewer: cheap to clone, shared by every connection.
#[derive(Debug, Clone)]
pub struct Route {
    state: watch::Receiver<Snapshot>,
    wake: Arc<Notify>,
}

/// Renews one route's credentials; `run` it for as long as the endpoint serves.
pub struct Renewer<S> {
    name: String,
    source: S,
    window: Duration,
    state: watch::Sender<Snapshot>,
    wake: Arc<Notify>,
}

/// When to renew credentials expiring at `expiration`: `window` before, as every command does (and
/// at least twice `SERVE_MARGIN` before, so that they are never out of service meanwhile); but when
/// they live less than that, half-way through what is left, so a job with short sessions is not
/// renewing without pause. Never earlier than a second from `now`.
pub fn renew_at(
    expiration: OffsetDateTime,
    now: OffsetDateTime,
    window: Duration,
) -> OffsetDateTime {
    let ahead = (expiration - window).min(expiration - SERVE_MARGIN * 2);
    let half_way = now + (expiration - now) / 2;
    ahead.max(half_way).max(now + Duration::from_secs(1))
}

fn servable(credentials: &Credentials, now: OffsetDateTime) -> bool {
    credentials.expiration - now > SERVE_MARGIN
}

impl<S: CredentialSource> Renewer<S> {
    /// A renewer for the route `name` (said in messages), starting from `first` if the caller has
    /// already obtained credentials.
    pub fn new(
        name: &str,
        source: S,
        window: Duration,
        first: Option<Credentials>,
    ) -> (Renewer<S>, Route) {
        let snapshot = Snapshot {
            credentials: first.map(Arc::new),
            ..Snapshot::default()
        };
        let (state, receiver) = watch::channel(snapshot);
        let wake = Arc::new(Notify::new());
        let route = Route {
            state: receiver,
            wake: wake.clone(),
        };
        let renewer = Renewer {
            name: name.to_string(),
            source,
            window,
            state,
            wake,
        };
        (renewer, route)
    }

    /// Renews forever: ahead of expiry, when a request finds nothing to serve, and again after a
    /// failure (by itself after a network failure; when asked after one a person must mend). Each
    /// failure's message is said once on stderr, until a renewal succeeds.
    pub async fn run(self) {
        let mut said: Option<String> = None;
        loop {
            self.until_due().await;
            let outcome = self.source.fetch().await;
            let now = Instant::now();
            match &outcome {
                Ok(credentials) => {
                    if said.take().is_some() {
                        tell!("samlbridge: profile {}: renewed; serving again", self.name);
                    }
                    tracing::info!(
                        "profile {}: renewed, expires {}",
                        self.name,
                        crate::credentials::shown_utc(credentials.expiration)
                    );
                }
                Err(e) if said.as_deref() != Some(e.message()) => {
                    tell!("samlbridge: {}", crate::shown::message(e.message()));
                    said = Some(e.message().to_string());
                }
                Err(_) => {}
            }
            self.state.send_modify(|snapshot| {
                snapshot.attempts += 1;
                match outcome {
                    Ok(credentials) => {
                        snapshot.credentials = Some(Arc::new(credentials));
                        snapshot.failure = None;
                    }
                    Err(e) => snapshot.failure = Some((e, now)),
                }
            });
        }
    }

    /// Waits until the next renewal is due: `renew_at` while the credentials are good; after a
    /// network or STS failure with none left, `RETRY_AFTER_FAILURE`; after a failure a person must
    /// mend, when a request asks (past `RETRY_PAUSE`); at once when there is nothing at all yet.
    async fn until_due(&self) {
        loop {
            let (credentials, failure) = {
                let snapshot = self.state.borrow();
                (snapshot.credentials.clone(), snapshot.failure.clone())
            };
            let now = OffsetDateTime::now_utc();
            let good = credentials.filter(|c| servable(c, now));
            let timer: Option<Duration> = match (&failure, &good) {
                (_, Some(c)) => {
                    Some((renew_at(c.expiration, now, self.window) - now).unsigned_abs())
                }
                (Some((SourceError::Failed(_), at)), None) => {
                    Some((*at + RETRY_AFTER_FAILURE).saturating_duration_since(Instant::now()))
                }
                (Some((SourceError::PersonMustAct(_), _)), None) => None,
                (None, None) => return,
            };
            if let Some((_, at)) = &failure {
                tokio::time::sleep_until((*at + RETRY_PAUSE).into()).await;
            }
            let timer = async {
                match timer {
                    Some(after) => tokio::time::sleep(after).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = timer => return,
                // A request found nothing to serve; a stale wake-up while all is well is ignored.
                () = self.wake.notified() => {
                    if self.state.borrow().servable_now().is_none() {
                        return;
                    }
                }
            }
        }
    }
}

impl Route {
    /// Credentials to hand out now, or why there are none: at once when there are good ones (or a
    /// failure just reported), else after waking the renewer and waiting for its next outcome.
    pub async fn credentials(&self) -> Result<Arc<Credentials>, SourceError> {
        let mut state = self.state.clone();
        let arrived = {
            let snapshot = state.borrow_and_update();
            if let Some(c) = snapshot.servable_now() {
                return Ok(c);
            }
            if let Some((e, at)) = &snapshot.failure
                && at.elapsed() < RETRY_PAUSE
            {
                return Err(e.clone());
            }
            snapshot.attempts
        };
        self.wake.notify_one();
        let waited = tokio::time::timeout(WAIT_FOR_RENEWAL, async {
            loop {
                if state.changed().await.is_err() {
                    return Err(SourceError::Failed("the endpoint is shutting down".into()));
                }
                let snapshot = state.borrow_and_update();
                if let Some(c) = snapshot.servable_now() {
                    return Ok(c);
                }
                if let Some((e, _)) = &snapshot.failure
                    && snapshot.attempts > arrived
                {
                    return Err(e.clone());
                }
            }
        })
        .await;
        waited.unwrap_or_else(|_| {
            Err(SourceError::Failed(format!(
                "still renewing after {} s; try again",
                WAIT_FOR_RENEWAL.as_secs()
            )))
        })
    }
}

#[cfg(test)]
mod tests;
