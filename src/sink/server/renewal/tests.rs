use super::*;
use crate::secret::Secret;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::macros::datetime;

/// A source that counts its calls, takes `delay`, and issues credentials living `lifetime` unless
/// told to fail.
#[derive(Clone)]
struct FakeSource {
    calls: Arc<AtomicUsize>,
    delay: Duration,
    lifetime: Duration,
    failing: Arc<Mutex<Option<SourceError>>>,
}

impl FakeSource {
    fn new(delay: Duration, lifetime: Duration) -> FakeSource {
        FakeSource {
            calls: Arc::new(AtomicUsize::new(0)),
            delay,
            lifetime,
            failing: Arc::new(Mutex::new(None)),
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn fail_with(&self, error: Option<SourceError>) {
        *self.failing.lock().unwrap() = error;
    }
}

fn credentials(n: usize, lifetime: Duration) -> Credentials {
    Credentials {
        access_key_id: format!("ASIAFAKE{n}"),
        secret_access_key: Secret::new("secret"),
        session_token: Secret::new("token"),
        expiration: OffsetDateTime::now_utc() + lifetime,
    }
}

impl CredentialSource for FakeSource {
    async fn fetch(&self) -> Result<Credentials, SourceError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        let failing = self.failing.lock().unwrap().clone();
        match failing {
            Some(e) => Err(e),
            None => Ok(credentials(n, self.lifetime)),
        }
    }
}

#[test]
fn renewal_is_a_window_ahead_or_half_way_when_sessions_are_short() {
    let now = datetime!(2026-05-01 12:00:00 UTC);
    let window = Duration::from_secs(300);
    let hour = datetime!(2026-05-01 13:00:00 UTC);
    assert_eq!(
        renew_at(hour, now, window),
        datetime!(2026-05-01 12:55:00 UTC)
    );
    let short = datetime!(2026-05-01 12:00:40 UTC);
    assert_eq!(
        renew_at(short, now, window),
        datetime!(2026-05-01 12:00:20 UTC)
    );
    let tiny_window = Duration::from_secs(1);
    assert_eq!(
        renew_at(short, now, tiny_window),
        datetime!(2026-05-01 12:00:34 UTC),
        "renewed before the keys stop being served"
    );
    let almost_gone = datetime!(2026-05-01 12:00:01 UTC);
    assert_eq!(
        renew_at(almost_gone, now, window),
        datetime!(2026-05-01 12:00:01 UTC),
        "never sooner than a second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_at_once_cause_one_renewal() {
    let source = FakeSource::new(Duration::from_millis(300), Duration::from_secs(3600));
    let (renewer, route) = Renewer::new("prod", source.clone(), Duration::from_secs(300), None);
    let running = tokio::spawn(renewer.run());
    let asks: Vec<_> = (0..50)
        .map(|_| {
            let route = route.clone();
            tokio::spawn(async move { route.credentials().await })
        })
        .collect();
    for ask in asks {
        let got = ask.await.unwrap().unwrap();
        assert_eq!(got.access_key_id, "ASIAFAKE1");
    }
    assert_eq!(source.calls(), 1, "one renewal for fifty requests");
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_in_progress_never_holds_up_a_request_while_keys_are_good() {
    // Sessions of 9 s: renewed half-way, after ~4.5 s, by a source that takes a second.
    let lifetime = Duration::from_secs(9);
    let source = FakeSource::new(Duration::from_secs(1), lifetime);
    let first = credentials(0, lifetime);
    let (renewer, route) = Renewer::new(
        "prod",
        source.clone(),
        Duration::from_secs(300),
        Some(first),
    );
    let running = tokio::spawn(renewer.run());
    let started = Instant::now();
    let mut seen = Vec::new();
    while started.elapsed() < Duration::from_millis(7000) {
        let asked = Instant::now();
        let got = route.credentials().await.unwrap();
        assert!(
            asked.elapsed() < Duration::from_millis(200),
            "a request waited {:?}",
            asked.elapsed()
        );
        if seen.last() != Some(&got.access_key_id) {
            seen.push(got.access_key_id.clone());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        seen,
        ["ASIAFAKE0", "ASIAFAKE1"],
        "renewed once, ahead of expiry"
    );
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_a_person_must_act_requests_get_the_reason_and_later_succeed() {
    let source = FakeSource::new(Duration::from_millis(10), Duration::from_secs(3600));
    let message = "profile prod needs a new sign-in: run samlbridge login --profile corp";
    source.fail_with(Some(SourceError::PersonMustAct(message.into())));
    let (renewer, route) = Renewer::new("prod", source.clone(), Duration::from_secs(300), None);
    let running = tokio::spawn(renewer.run());
    let err = route.credentials().await.unwrap_err();
    assert_eq!(err, SourceError::PersonMustAct(message.into()));
    // Within the pause, the same reason at once, and no new attempt.
    let again = route.credentials().await.unwrap_err();
    assert_eq!(again.message(), message);
    assert_eq!(source.calls(), 1);
    // The person signs in elsewhere; the next request after the pause succeeds.
    source.fail_with(None);
    tokio::time::sleep(RETRY_PAUSE + Duration::from_millis(100)).await;
    let got = route.credentials().await.unwrap();
    assert_eq!(got.access_key_id, "ASIAFAKE2");
    running.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_keeps_the_good_keys_served() {
    let source = FakeSource::new(Duration::from_millis(10), Duration::from_secs(3600));
    source.fail_with(Some(SourceError::Failed("STS is unreachable".into())));
    let first = credentials(0, Duration::from_secs(8));
    let (renewer, route) = Renewer::new(
        "prod",
        source.clone(),
        Duration::from_secs(300),
        Some(first),
    );
    let running = tokio::spawn(renewer.run());
    // Half-way (~4 s) the renewal fails; the keys are served all along.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    assert!(source.calls() >= 1, "a renewal was tried");
    assert_eq!(
        route.credentials().await.unwrap().access_key_id,
        "ASIAFAKE0"
    );
    running.abort();
}
