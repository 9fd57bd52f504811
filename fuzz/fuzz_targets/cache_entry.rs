//! The credential cache's entry file as credential-process reads it: any bytes, or an entry built
//! from its fields. No panic; an entry served has more than the refresh window left and is exactly
//! what the file says; an entry the writer wrote reads back the same; logout removes it.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{CacheProbe, Credentials, Secret};
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, Arbitrary)]
enum Entry {
    Raw(Vec<u8>),
    Fields {
        version: u32,
        right_key: bool,
        right_profile: bool,
        role_arn: String,
        key_id: String,
        secret: String,
        token: String,
        expiration: Option<i64>,
        expiration_text: String,
        extra: Option<(String, String)>,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    profile: u8,
    now: i32,
    window: u16,
    entry: Entry,
}

const PROFILES: &[&str] = &["corp", "default", "prod-admin", "ünï code", "a b"];

fn json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn rfc3339(at: i64) -> Option<(OffsetDateTime, String)> {
    let t = OffsetDateTime::from_unix_timestamp(at.rem_euclid(253_402_300_799)).ok()?;
    let text = t
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((t, text))
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let profile = PROFILES[usize::from(input.profile) % PROFILES.len()];
    let probe = CacheProbe::new(samlbridge_fuzz::state_dir(), profile);
    let now = OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(i64::from(input.now).abs() * 64);
    let window = Duration::from_secs(u64::from(input.window));
    let Some(dir) = probe.entry_path.parent() else {
        return;
    };
    let _ = std::fs::create_dir_all(dir);
    let mut expected = None;
    let bytes = match &input.entry {
        Entry::Raw(bytes) => bytes.clone(),
        Entry::Fields {
            version,
            right_key,
            right_profile,
            role_arn,
            key_id,
            secret,
            token,
            expiration,
            expiration_text,
            extra,
        } => {
            let stamp = expiration.and_then(rfc3339);
            let exp_text = stamp
                .as_ref()
                .map_or(expiration_text.clone(), |(_, t)| t.clone());
            let key = if *right_key {
                probe.digest().to_string()
            } else {
                "0".repeat(64)
            };
            let owner = if *right_profile {
                profile
            } else {
                "someone-else"
            };
            // A second copy of a field is a malformed entry (serde refuses duplicates).
            const FIELDS: &[&str] = &[
                "Version",
                "Profile",
                "Key",
                "RoleArn",
                "Source",
                "AccessKeyId",
                "SecretAccessKey",
                "SessionToken",
                "Expiration",
            ];
            let duplicate = extra
                .as_ref()
                .is_some_and(|(k, _)| FIELDS.contains(&k.as_str()));
            let extra = extra
                .as_ref()
                .map(|(k, v)| format!(",{}:{}", json(k), json(v)))
                .unwrap_or_default();
            if *version == 1 && *right_key && *right_profile && !duplicate {
                if let Some((at, _)) = &stamp {
                    expected = Some((
                        role_arn.clone(),
                        key_id.clone(),
                        secret.clone(),
                        token.clone(),
                        *at,
                    ));
                }
            }
            format!(
                "{{\"Version\":{version},\"Profile\":{},\"Key\":{},\"RoleArn\":{},\"Source\":\"saml x as y\",\
                 \"AccessKeyId\":{},\"SecretAccessKey\":{},\"SessionToken\":{},\"Expiration\":{}{extra}}}",
                json(owner), json(&key), json(role_arn), json(key_id), json(secret), json(token), json(&exp_text)
            )
            .into_bytes()
        }
    };
    if std::fs::write(&probe.entry_path, &bytes).is_err() {
        return;
    }
    let found = probe.lookup(now, window);
    if let Some(session) = &found {
        let left = session.credentials.expiration - now;
        assert!(
            left > window,
            "an entry with {left} left was served within a {window:?} window"
        );
    }
    if let Some((role, key_id, secret, token, at)) = expected {
        let fresh = at - now > window;
        assert_eq!(
            found.is_some(),
            fresh,
            "a well-formed entry was not served as its expiry says"
        );
        if let Some(s) = found {
            assert_eq!(
                (s.role_arn.as_str(), s.credentials.access_key_id.as_str()),
                (role.as_str(), key_id.as_str())
            );
            assert_eq!(s.credentials.secret_access_key.expose(), secret);
            assert_eq!(s.credentials.session_token.expose(), token);
            assert_eq!(s.credentials.expiration, at);
        }
    }
    // The writer's entry reads back as written (whole seconds, as written), and logout removes it.
    let credentials = Credentials {
        access_key_id: "ASIAROUNDTRIP".into(),
        secret_access_key: Secret::new("secret/round+trip"),
        session_token: Secret::new("token//round=="),
        expiration: now + time::Duration::seconds(i64::from(input.window) + 3600),
    };
    if probe
        .put("arn:aws:iam::123456789012:role/r", &credentials)
        .is_ok()
    {
        let back = probe
            .lookup(now, window)
            .expect("the entry just written is not served");
        assert_eq!(
            back.credentials, credentials,
            "the cache changed the credentials"
        );
        assert!(
            probe.remove_profile(profile).is_ok_and(|n| n >= 1),
            "logout left the entry"
        );
        assert!(
            probe.lookup(now, window).is_none(),
            "a removed entry is served"
        );
    }
});
