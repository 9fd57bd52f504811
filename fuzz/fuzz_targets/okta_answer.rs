//! Okta's JSON answers (transactions and error documents), as the sign-in reads them and chooses a
//! factor: any text, or a transaction built from its fields. No panic; tokens never in an error or
//! in Debug; every link followed stays on the org's host.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing;

const STATE: &str = "StAtEtOkEn";
const SESSION: &str = "SeSsIoNtOkEn";
const TYPES: &[&str] = &[
    "token:software:totp",
    "push",
    "sms",
    "call",
    "email",
    "token:hotp",
    "token",
    "token:hardware",
    "webauthn",
    "question",
];
const PROVIDERS: &[&str] = &["OKTA", "GOOGLE", "RSA", "SYMANTEC", "DUO", ""];
const STATUSES: &[&str] = &[
    "SUCCESS",
    "MFA_REQUIRED",
    "MFA_CHALLENGE",
    "LOCKED_OUT",
    "PASSWORD_EXPIRED",
    "MFA_ENROLL",
];
const PREFERRED: &[&str] = &[
    "push",
    "totp",
    "totp/google",
    "sms",
    "token:software:totp/OKTA",
    "webauthn",
    " call ",
];
const HREFS: &[&str] = &[
    "https://corp.okta.com/api/v1/authn/factors/f1/verify",
    "/api/v1/authn/factors/f1/verify",
    "https://evil.example/steal",
    "//evil.example/x",
    "javascript:alert(1)",
    "https://corp.okta.com:444/x",
    "http://corp.okta.com/x",
    "",
];

#[derive(Debug, Arbitrary)]
struct Factor {
    kind: u8,
    provider: u8,
    href: u8,
    profile: Option<String>,
    answer: Option<Result<u32, String>>,
}

#[derive(Debug, Arbitrary)]
enum Body {
    Raw(String),
    Transaction {
        status: u8,
        state_token: Option<u8>,
        session_token: Option<u8>,
        factor_result: Option<String>,
        factors: Vec<Factor>,
        one_factor: bool,
        next: Option<u8>,
    },
    Error {
        code: String,
        summary: String,
        causes: Vec<String>,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    status: u16,
    preferred: Option<u8>,
    code_at_hand: bool,
    body: Body,
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

/// A token as Okta sends it, or in a shape it should not have.
fn token(shape: u8, value: &str) -> String {
    match shape % 4 {
        0 | 1 => json(value),
        2 => format!("[{}]", json(value)),
        _ => format!("{{\"value\":{}}}", json(value)),
    }
}

fn factor(f: &Factor) -> String {
    let answer = match &f.answer {
        None => String::new(),
        Some(Ok(n)) => format!(",\"_embedded\":{{\"challenge\":{{\"correctAnswer\":{n}}}}}"),
        Some(Err(s)) => format!(
            ",\"_embedded\":{{\"challenge\":{{\"correctAnswer\":{}}}}}",
            json(s)
        ),
    };
    format!(
        "{{\"id\":\"f1\",\"factorType\":{},\"provider\":{},\"profile\":{{\"name\":{}}},\"_links\":{{\"verify\":{{\"href\":{}}}}}{answer}}}",
        json(TYPES[usize::from(f.kind) % TYPES.len()]),
        json(PROVIDERS[usize::from(f.provider) % PROVIDERS.len()]),
        json(f.profile.as_deref().unwrap_or("")),
        json(HREFS[usize::from(f.href) % HREFS.len()]),
    )
}

fn body(b: &Body) -> String {
    match b {
        Body::Raw(text) => text.clone(),
        Body::Transaction {
            status,
            state_token,
            session_token,
            factor_result,
            factors,
            one_factor,
            next,
        } => {
            let mut fields = vec![format!(
                "\"status\":{}",
                json(STATUSES[usize::from(*status) % STATUSES.len()])
            )];
            if let Some(shape) = state_token {
                fields.push(format!("\"stateToken\":{}", token(*shape, STATE)));
            }
            if let Some(shape) = session_token {
                fields.push(format!("\"sessionToken\":{}", token(*shape, SESSION)));
            }
            if let Some(r) = factor_result {
                fields.push(format!("\"factorResult\":{}", json(r)));
            }
            let list: Vec<String> = factors.iter().map(factor).collect();
            if *one_factor && !list.is_empty() {
                fields.push(format!("\"_embedded\":{{\"factor\":{}}}", list[0]));
            } else {
                fields.push(format!(
                    "\"_embedded\":{{\"factors\":[{}]}}",
                    list.join(",")
                ));
            }
            if let Some(n) = next {
                fields.push(format!(
                    "\"_links\":{{\"next\":{{\"href\":{}}}}}",
                    json(HREFS[usize::from(*n) % HREFS.len()])
                ));
            }
            format!("{{{}}}", fields.join(","))
        }
        Body::Error {
            code,
            summary,
            causes,
        } => {
            let causes: Vec<String> = causes
                .iter()
                .map(|c| format!("{{\"errorSummary\":{}}}", json(c)))
                .collect();
            format!(
                "{{\"errorCode\":{},\"errorSummary\":{},\"errorCauses\":[{}],\"stateToken\":{}}}",
                json(code),
                json(summary),
                causes.join(","),
                json(STATE)
            )
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let status = [200u16, 200, 401, 403, 429, 400, 500][usize::from(input.status % 7)];
    let start = url::Url::parse("https://corp.okta.com/home/amazon_aws/0oa1/272").expect("a URL");
    let text = body(&input.body);
    let preferred = input
        .preferred
        .map(|p| PREFERRED[usize::from(p) % PREFERRED.len()]);
    let secrets = [STATE, SESSION];
    match fuzzing::read_okta_answer(&start, status, &text, preferred, input.code_at_hand) {
        Err(e) => {
            samlbridge_fuzz::assert_no_secret(&e.to_string(), &secrets);
        }
        Ok(reading) => {
            samlbridge_fuzz::assert_no_secret(&reading.debug, &secrets);
            if let Some(Ok(url)) = &reading.next {
                assert_eq!(
                    url.origin(),
                    start.origin(),
                    "a link leads off the org: {url}"
                );
            }
            match &reading.chosen {
                Some(Ok(chosen)) => {
                    let link = chosen.rsplit(' ').next().unwrap_or("");
                    let url = url::Url::parse(link).expect("the chosen factor's link is a URL");
                    assert_eq!(
                        url.origin(),
                        start.origin(),
                        "a factor link leads off the org: {url}"
                    );
                }
                Some(Err(e)) => samlbridge_fuzz::assert_no_secret(&e.to_string(), &secrets),
                None => {}
            }
        }
    }
});
