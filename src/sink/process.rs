//! The `credential_process` answer: the one JSON object the AWS CLI and SDKs read from a credential
//! process's stdout, and the cache-hit path that must cost about as much as starting a small process
//! (no async runtime, no HTTP or STS client, no provider files: a file read and serde_json).
//!
//! Format (AWS CLI "Sourcing credentials with an external process"): `Version` 1, `AccessKeyId`,
//! `SecretAccessKey`, `SessionToken`, `Expiration` in RFC 3339. Nothing else goes to stdout.

use crate::credentials::Credentials;
use crate::state::cache::{CacheKey, CredentialCache};
use serde::Serialize;
use std::io::{self, Write};
use std::time::Duration;
use time::OffsetDateTime;
use zeroize::Zeroize;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessCredentials<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    expiration: String,
}

/// Writes the JSON object and a newline to `out`, then flushes (the caller exits right after).
pub fn write_credentials(out: &mut dyn Write, credentials: &Credentials) -> io::Result<()> {
    let answer = ProcessCredentials {
        version: 1,
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.expose(),
        expiration: credentials.expiration_text().unwrap_or_default(),
    };
    let mut bytes = serde_json::to_vec(&answer).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let written = out.write_all(&bytes).and_then(|()| out.flush());
    bytes.zeroize();
    written
}

/// The hit path: when the cache holds `key` with more than `window` left, answers on `out` and
/// returns true; otherwise writes nothing and returns false (the caller then signs in).
pub fn answer_from_cache(
    cache: &CredentialCache,
    key: &CacheKey,
    now: OffsetDateTime,
    window: Duration,
    out: &mut dyn Write,
) -> io::Result<bool> {
    match cache.get(key, now, window) {
        Some(credentials) => write_credentials(out, &credentials).map(|()| true),
        None => Ok(false),
    }
}

/// The one line for stderr when renewing needs a person (exit 3): what to run, for which profile.
pub fn person_must_act(profile: &str, gateway: &str, why: &str) -> String {
    if profile == gateway {
        format!(
            "profile {profile}: {why}; run `samlbridge login --profile {gateway}` in a terminal"
        )
    } else {
        format!(
            "profile {profile}: {why}; run `samlbridge login --profile {gateway}` in a terminal (it renews {profile} too)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::state::StateDir;
    use time::format_description::well_known::Rfc3339;
    use time::macros::datetime;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalr/K7MDENG+bPxRfiCY"),
            session_token: Secret::new("IQoJb3JpZ2luX2Vj\"quoted\""),
            expiration: datetime!(2026-05-01 14:30:00.5 +02:00),
        }
    }

    fn answer(credentials: &Credentials) -> String {
        let mut out = Vec::new();
        write_credentials(&mut out, credentials).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_answer_is_what_the_aws_cli_reads() {
        let text = answer(&creds());
        assert!(
            text.ends_with("}\n") && text.matches('\n').count() == 1,
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let object = json.as_object().unwrap();
        let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "AccessKeyId",
                "Expiration",
                "SecretAccessKey",
                "SessionToken",
                "Version"
            ]
        );
        assert_eq!(json["Version"], 1);
        assert_eq!(json["AccessKeyId"], "ASIAEXAMPLE");
        assert_eq!(json["SecretAccessKey"], "wJalr/K7MDENG+bPxRfiCY");
        assert_eq!(json["SessionToken"], "IQoJb3JpZ2luX2Vj\"quoted\"");
        assert_eq!(json["Expiration"], "2026-05-01T12:30:00Z");
    }

    #[test]
    fn the_expiration_reads_back_as_the_same_instant() {
        let text = answer(&creds());
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let exp = OffsetDateTime::parse(json["Expiration"].as_str().unwrap(), &Rfc3339).unwrap();
        assert_eq!(exp, datetime!(2026-05-01 12:30:00 UTC));
    }

    #[test]
    fn a_hit_answers_and_a_miss_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = CredentialCache::new(&StateDir::at(tmp.path()));
        let key = CacheKey::gateway("corp", "https://idp.example/sso", Some("alice"), None);
        let now = datetime!(2026-05-01 12:00:00 UTC);
        let window = Duration::from_secs(300);
        let mut out = Vec::new();
        assert!(!answer_from_cache(&cache, &key, now, window, &mut out).unwrap());
        assert!(out.is_empty());
        cache.put(&key, "arn:aws:iam::1:role/A", &creds()).unwrap();
        assert!(answer_from_cache(&cache, &key, now, window, &mut out).unwrap());
        assert_eq!(String::from_utf8(out).unwrap(), answer(&creds()));
    }

    #[test]
    fn the_person_message_names_the_command() {
        let line = person_must_act("prod", "corp", "the IdP session has expired");
        assert!(line.contains("samlbridge login --profile corp"), "{line}");
        assert!(line.starts_with("profile prod: the IdP session has expired"));
        assert!(!line.contains('\n'));
    }
}
