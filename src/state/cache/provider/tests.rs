use super::*;
use crate::secret::Secret;
use crate::state::StateDir;
use crate::testing::sts::FakeSts;
use std::cell::Cell;
use time::macros::datetime;

const ROLE: &str = "arn:aws:iam::111111111111:role/Admin";
const NOW: OffsetDateTime = datetime!(2026-05-01 12:00:00 UTC);

/// Hands out a new session per call, each expiring an hour from NOW, and counts the calls.
#[derive(Default)]
struct Counting {
    calls: Cell<u32>,
}

impl SessionProvider for Counting {
    type Error = String;
    async fn get(&self) -> Result<RoleSession, String> {
        self.calls.set(self.calls.get() + 1);
        Ok(RoleSession {
            role_arn: ROLE.into(),
            credentials: Credentials {
                access_key_id: format!("ASIA{}", self.calls.get()),
                secret_access_key: Secret::new("secret"),
                session_token: Secret::new("token"),
                expiration: NOW + time::Duration::hours(1),
            },
        })
    }
}

fn wrapper<'a>(
    cache: &'a CredentialCache,
    key: &'a CacheKey,
    window: Duration,
    force: bool,
) -> CachedSessionProvider<'a, Counting> {
    CachedSessionProvider {
        provider: Counting::default(),
        cache,
        key,
        freshness: Freshness {
            now: NOW,
            window,
            force,
        },
    }
}

fn block<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(work)
}

#[test]
fn a_fresh_session_is_served_without_asking_the_provider_and_force_asks_anyway() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = CredentialCache::new(&StateDir::at(tmp.path()));
    let key = CacheKey::gateway("corp", "https://idp.example/sso", Some("alice"), None);
    let five_minutes = Duration::from_secs(300);

    let first = wrapper(&cache, &key, five_minutes, false);
    let (session, cached) = block(first.get()).unwrap();
    assert!(!cached);
    assert_eq!(first.provider.calls.get(), 1, "a miss asks the provider");

    let second = wrapper(&cache, &key, five_minutes, false);
    let (again, cached) = block(second.get()).unwrap();
    assert!(cached);
    assert_eq!(again, session, "what the provider gave was kept");
    assert_eq!(second.provider.calls.get(), 0);

    let wide = wrapper(&cache, &key, Duration::from_secs(2 * 3600), false);
    assert!(
        !block(wide.get()).unwrap().1,
        "1 h left is within a 2 h window"
    );
    let forced = wrapper(&cache, &key, five_minutes, true);
    assert!(!block(forced.get()).unwrap().1);
    assert_eq!(forced.provider.calls.get(), 1);
}

#[test]
fn caching_sts_keeps_every_chained_session_under_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = CredentialCache::new(&StateDir::at(tmp.path()));
    let gateway = CacheKey::gateway("corp", "https://idp.example/sso", None, None);
    let prod = CacheKey::hop("prod", "arn:aws:iam::2:role/A", &gateway, None);
    let keys = BTreeMap::from([("prod".to_string(), prod.clone())]);
    let fake = FakeSts::default();
    let sts = CachingSts {
        inner: &fake,
        cache: &cache,
        keys: &keys,
    };
    let source = Credentials {
        access_key_id: "ASIAGW".into(),
        secret_access_key: Secret::new("s"),
        session_token: Secret::new("t"),
        expiration: NOW,
    };
    let request = |profile: &'static str| HopRequest {
        profile,
        role_arn: "arn:aws:iam::2:role/A",
        session_name: "alice",
        external_id: None,
        duration_seconds: Some(3600),
        source: &source,
    };
    let got = block(sts.assume_role(request("prod"))).unwrap();
    let epoch = OffsetDateTime::UNIX_EPOCH;
    assert_eq!(cache.get(&prod, epoch, Duration::ZERO), Some(got));
    assert!(
        block(sts.assume_role(request("other"))).is_ok(),
        "no key: not kept"
    );
    assert_eq!(fake.calls().len(), 2);
}
