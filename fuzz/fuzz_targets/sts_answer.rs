//! STS's answer to AssumeRoleWithSAML or AssumeRole, read through the binary's own SDK client (the
//! SDK parses the XML; samlbridge maps errors and converts the credentials): no panic, credentials
//! read as sent, and no secret key or session token from the answer in an error.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, Credentials, SamlAssertion, Secret, StsReplay};
use samlbridge_fuzz::sts::{Answer, Canned, StsBody};
use std::sync::LazyLock;

#[derive(Debug, Arbitrary)]
struct Input {
    hop: bool,
    status: u16,
    content_type: Option<bool>,
    date: Option<String>,
    body: StsBody,
}

static CANNED: LazyLock<Canned> = LazyLock::new(Canned::default);
static STS: LazyLock<StsReplay> = LazyLock::new(|| {
    StsReplay::new(CANNED.client()).unwrap_or_else(|e| panic!("no STS client: {e}"))
});

fuzz_target!(|input: Input| {
    let action = if input.hop {
        "AssumeRole"
    } else {
        "AssumeRoleWithSAML"
    };
    let mut headers = vec![("x-amzn-requestid".to_string(), "r".to_string())];
    if let Some(xml) = input.content_type {
        let kind = if xml { "text/xml" } else { "application/json" };
        headers.push(("content-type".into(), kind.into()));
    }
    if let Some(date) = &input.date {
        headers.push(("date".into(), date.clone()));
    }
    let status = if input.status % 4 == 0 {
        input.status
    } else {
        200
    };
    CANNED.set(Answer {
        status,
        headers,
        body: input.body.bytes(action),
    });
    let result = if input.hop {
        let source = Credentials {
            access_key_id: "ASIASOURCE".into(),
            secret_access_key: Secret::new("source-secret-key"),
            session_token: Secret::new("source-session-token"),
            expiration: time::OffsetDateTime::UNIX_EPOCH,
        };
        STS.assume(&source)
    } else {
        STS.with_saml(&SamlAssertion::from_form_value("PHNhbWw+"))
    };
    let secrets = input.body.secrets();
    match result {
        Err(e) => {
            let message = e.to_string();
            let debug = format!("{e:?}");
            let mut all: Vec<&str> = secrets.iter().map(String::as_str).collect();
            all.extend(["source-secret-key", "source-session-token", "PHNhbWw+"]);
            samlbridge_fuzz::assert_no_secret(&message, &all);
            samlbridge_fuzz::assert_no_secret(&debug, &all);
        }
        Ok(c) => {
            if let StsBody::Credentials {
                secret: Some(secret),
                token: Some(token),
                cut: None,
                ..
            } = &input.body
            {
                let plain = |s: &str| {
                    s.bytes()
                        .all(|b| samlbridge_fuzz::KEY_ALPHABET.contains(&b))
                };
                if (200..300).contains(&status) && plain(secret) && plain(token) {
                    assert_eq!(
                        c.secret_access_key.expose(),
                        secret.as_str(),
                        "the secret key changed"
                    );
                    assert_eq!(
                        c.session_token.expose(),
                        token.as_str(),
                        "the session token changed"
                    );
                }
            }
            // Debug shows the access key id: a secret that is part of it is not told apart.
            let shown = format!("{c:?}");
            let secrets: Vec<&str> = secrets
                .iter()
                .map(String::as_str)
                .filter(|s| !c.access_key_id.contains(s.trim()))
                .collect();
            samlbridge_fuzz::assert_no_secret(&shown, &secrets);
        }
    }
    let _ = fuzzing::STS_PROFILE;
});
