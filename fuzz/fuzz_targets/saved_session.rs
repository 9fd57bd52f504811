//! A saved IdP session (the cookie jar as JSON) as the sign-in restores it: saved in the state
//! directory, read back, loaded into the session's cookie jar. Input: any text, or a jar built from
//! cookie fields. The file reads back as saved, and no error shows a cookie's value.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, Secret};

/// Stands for a session cookie's value: what must never be shown.
const MARKER: &str = "SessCookieV4lue";

#[derive(Debug, Arbitrary)]
struct Cookie {
    name: Option<String>,
    raw_tail: String,
    path: Option<(String, bool)>,
    domain: u8,
    domain_text: String,
    expires: Option<Option<i64>>,
    bad_type: Option<u8>,
}

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

impl Cookie {
    /// As cookie_store saves it: `raw_cookie`, `path`, `domain`, `expires`.
    fn json(&self) -> String {
        let raw = match &self.name {
            Some(name) => format!("{name}={MARKER}{}", self.raw_tail),
            None => format!("{MARKER}{}", self.raw_tail),
        };
        let path = self
            .path
            .as_ref()
            .map_or("[\"/\",false]".to_string(), |(p, b)| {
                format!("[{},{b}]", json(p))
            });
        let domain = match self.domain % 4 {
            0 => format!("{{\"HostOnly\":{}}}", json(&self.domain_text)),
            1 => format!("{{\"Suffix\":{}}}", json(&self.domain_text)),
            2 => "\"NotPresent\"".to_string(),
            _ => "\"Empty\"".to_string(),
        };
        let expires = match self.expires {
            None => "\"SessionEnd\"".to_string(),
            Some(None) => format!("{{\"AtUtc\":{}}}", json(&self.raw_tail)),
            Some(Some(at)) => {
                let t = time::OffsetDateTime::from_unix_timestamp(at.rem_euclid(253_402_300_799))
                    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                let text = t
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                format!("{{\"AtUtc\":{}}}", json(&text))
            }
        };
        let raw_json = json(&raw);
        // A field of the wrong type, holding the cookie itself (a file from another version).
        let (path, domain, expires) = match self.bad_type.map(|b| b % 3) {
            Some(0) => (raw_json.clone(), domain, expires),
            Some(1) => (path, raw_json.clone(), expires),
            Some(_) => (path, domain, raw_json.clone()),
            None => (path, domain, expires),
        };
        format!(
            "{{\"raw_cookie\":{raw_json},\"path\":{path},\"domain\":{domain},\"expires\":{expires}}}"
        )
    }
}

#[derive(Debug, Arbitrary)]
enum Saved {
    Raw(String),
    Jar(Vec<Cookie>),
}

fuzz_target!(|data: &[u8]| {
    let Ok(saved) = Saved::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let (text, secret_inside) = match &saved {
        Saved::Raw(text) => (text.clone(), false),
        Saved::Jar(cookies) => {
            let list: Vec<String> = cookies.iter().map(Cookie::json).collect();
            (format!("[{}]", list.join(",")), !cookies.is_empty())
        }
    };
    let Ok((read, loaded)) = fuzzing::restore_session(
        samlbridge_fuzz::state_dir(),
        "idp.example.com",
        "alice",
        &Secret::new(text.clone()),
    ) else {
        return;
    };
    assert_eq!(
        read.as_ref().map(|s| s.expose()),
        Some(text.as_str()),
        "the saved session reads back changed"
    );
    if let Err(e) = loaded {
        let message = e.to_string();
        if secret_inside || text.contains(MARKER) {
            assert!(
                !message.contains(MARKER),
                "a cookie value is in an error: {message}"
            );
        }
    }
    let _ = fuzzing::built_in_providers;
});
