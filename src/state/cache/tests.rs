use super::*;
use crate::config::DEFAULT_REFRESH_WINDOW;
use std::fs;
use time::macros::datetime;

const ROLE: &str = "arn:aws:iam::111111111111:role/Admin";
const NOW: OffsetDateTime = datetime!(2026-05-01 12:00:00 UTC);

fn creds(expiration: OffsetDateTime) -> Credentials {
    Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("secret/key+value"),
        session_token: Secret::new("token\"with\\quotes"),
        expiration,
    }
}

fn key() -> CacheKey {
    CacheKey::gateway("corp", "https://idp.example/sso", Some("alice"), None)
}

fn cache() -> (tempfile::TempDir, CredentialCache) {
    let tmp = tempfile::tempdir().unwrap();
    let cache = CredentialCache::new(&StateDir::at(tmp.path().join("state")));
    (tmp, cache)
}

#[test]
fn a_stored_session_comes_back_whole() {
    let (_tmp, cache) = cache();
    let stored = creds(datetime!(2026-05-01 13:00:00 UTC));
    cache.put(&key(), ROLE, &stored).unwrap();
    let got = cache.lookup(&key(), NOW, DEFAULT_REFRESH_WINDOW).unwrap();
    assert_eq!(got.credentials, stored);
    assert_eq!(got.role_arn, ROLE);
    assert_eq!(got.source, "saml https://idp.example/sso as alice");
}

#[test]
fn nothing_is_served_within_the_refresh_window() {
    let (_tmp, cache) = cache();
    cache
        .put(&key(), ROLE, &creds(datetime!(2026-05-01 12:05:00 UTC)))
        .unwrap();
    assert_eq!(cache.get(&key(), NOW, Duration::from_secs(300)), None);
    assert!(cache.get(&key(), NOW, Duration::from_secs(299)).is_some());
    let later = datetime!(2026-05-01 12:06:00 UTC);
    assert_eq!(cache.get(&key(), later, Duration::ZERO), None);
}

#[test]
fn another_identity_of_the_same_profile_is_a_miss() {
    let (_tmp, cache) = cache();
    cache
        .put(&key(), ROLE, &creds(datetime!(2026-05-01 13:00:00 UTC)))
        .unwrap();
    let other_role = CacheKey::gateway(
        "corp",
        "https://idp.example/sso",
        Some("alice"),
        Some("Dev"),
    );
    assert_eq!(cache.get(&other_role, NOW, DEFAULT_REFRESH_WINDOW), None);
}

#[test]
fn a_file_holding_another_key_is_not_trusted() {
    let (_tmp, cache) = cache();
    let other = CacheKey::gateway("corp", "https://idp.example/sso", Some("bob"), None);
    cache
        .put(&other, ROLE, &creds(datetime!(2026-05-01 13:00:00 UTC)))
        .unwrap();
    let dir = cache.dir();
    fs::rename(dir.join(other.file_name()), dir.join(key().file_name())).unwrap();
    assert_eq!(cache.get(&key(), NOW, DEFAULT_REFRESH_WINDOW), None);
}

#[test]
fn corrupt_entries_are_misses_not_errors() {
    let (_tmp, cache) = cache();
    cache
        .put(&key(), ROLE, &creds(datetime!(2026-05-01 13:00:00 UTC)))
        .unwrap();
    let path = cache.dir().join(key().file_name());
    let good = fs::read_to_string(&path).unwrap();
    let broken = [
        "".to_string(),
        "{not json".to_string(),
        good.replace("\"Version\": 1", "\"Version\": 99"),
        good.replace("2026-05-01T13:00:00Z", "tomorrow"),
        good.replace("\"SessionToken\"", "\"Token\""),
    ];
    for text in broken {
        fs::write(&path, &text).unwrap();
        assert_eq!(
            cache.get(&key(), NOW, DEFAULT_REFRESH_WINDOW),
            None,
            "{text}"
        );
    }
}

#[test]
fn the_entry_file_says_what_it_is() {
    let (_tmp, cache) = cache();
    cache
        .put(&key(), ROLE, &creds(datetime!(2026-05-01 13:00:00 UTC)))
        .unwrap();
    let text = fs::read_to_string(cache.dir().join(key().file_name())).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["Profile"], "corp");
    assert_eq!(json["RoleArn"], ROLE);
    assert_eq!(json["AccessKeyId"], "ASIAEXAMPLE");
    assert_eq!(json["SessionToken"], "token\"with\\quotes");
    assert_eq!(json["Expiration"], "2026-05-01T13:00:00Z");
    assert_eq!(json["Key"], key().digest());
}

#[cfg(unix)]
#[test]
fn entries_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, cache) = cache();
    cache
        .put(&key(), ROLE, &creds(datetime!(2026-05-01 13:00:00 UTC)))
        .unwrap();
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache.dir()), 0o700);
    assert_eq!(mode(&cache.dir().join(key().file_name())), 0o600);
}

#[test]
fn reading_an_empty_cache_creates_nothing() {
    let (tmp, cache) = cache();
    assert_eq!(cache.get(&key(), NOW, DEFAULT_REFRESH_WINDOW), None);
    assert!(!tmp.path().join("state").exists());
}

#[test]
fn remove_profile_forgets_every_identity_of_that_profile_only() {
    let (_tmp, cache) = cache();
    let exp = datetime!(2026-05-01 13:00:00 UTC);
    let dev = CacheKey::gateway(
        "corp",
        "https://idp.example/sso",
        Some("alice"),
        Some("Dev"),
    );
    let prod = CacheKey::hop("prod", ROLE, &key(), None);
    cache.put(&key(), ROLE, &creds(exp)).unwrap();
    cache.put(&dev, ROLE, &creds(exp)).unwrap();
    cache.put(&prod, ROLE, &creds(exp)).unwrap();
    fs::write(cache.dir().join("corp-broken.json"), "{").unwrap();
    assert_eq!(cache.remove_profile("corp").unwrap(), 3);
    assert_eq!(cache.get(&key(), NOW, DEFAULT_REFRESH_WINDOW), None);
    assert!(cache.get(&prod, NOW, DEFAULT_REFRESH_WINDOW).is_some());
    assert_eq!(cache.remove_profile("corp").unwrap(), 0);
}

#[test]
fn remove_profile_on_no_cache_is_zero() {
    let (_tmp, cache) = cache();
    assert_eq!(cache.remove_profile("corp").unwrap(), 0);
}

#[test]
fn the_refresh_lock_lives_in_the_private_cache_dir() {
    let (_tmp, cache) = cache();
    let lock = cache.lock_for_refresh(Duration::ZERO).unwrap();
    assert!(cache.dir().join(".refresh.lock").exists());
    assert!(cache.lock_for_refresh(Duration::ZERO).is_err());
    drop(lock);
    // Not ZERO: a fork elsewhere in this test process may hold the lock's file until it execs.
    assert!(cache.lock_for_refresh(Duration::from_secs(5)).is_ok());
}
