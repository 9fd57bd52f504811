//! STS answers for the SDK client the binary builds: a canned HTTP client (the answer set per run),
//! and an answer built from the parts STS sends (credentials, an error document, a cut body).

use arbitrary::{Arbitrary, Result, Unstructured};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use std::sync::{Arc, Mutex};

/// What the next request is answered with.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP client that answers every request with the current `Answer`.
#[derive(Debug, Clone, Default)]
pub struct Canned(Arc<Mutex<Answer>>);

impl Canned {
    pub fn set(&self, answer: Answer) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = answer;
        }
    }

    pub fn client(&self) -> SharedHttpClient {
        SharedHttpClient::new(self.clone())
    }
}

impl HttpConnector for Canned {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.0.lock().map(|a| a.clone()).unwrap_or_default();
        let status = StatusCode::try_from(answer.status.clamp(100, 599))
            .unwrap_or_else(|_| StatusCode::try_from(200).expect("200 is a status code"));
        let mut response = HttpResponse::new(status, SdkBody::from(answer.body));
        for (name, value) in answer.headers {
            let _ = response.headers_mut().try_insert(name, value);
        }
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Canned {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// The secret parts of an answer, to look for in messages.
pub const SECRET_PREFIX: &str = "SeCrEt";
pub const TOKEN_PREFIX: &str = "ToKeN";

/// An STS answer.
#[derive(Debug)]
pub enum StsBody {
    /// Credentials (any element may be left out), maybe cut short.
    Credentials {
        key_id: Option<String>,
        secret: Option<String>,
        token: Option<String>,
        expiration: Option<String>,
        cut: Option<u16>,
    },
    /// An error document.
    Error {
        code: String,
        message: String,
        kind: &'static str,
    },
    Raw(Vec<u8>),
}

fn maybe_text(u: &mut Unstructured<'_>, prefix: &str) -> Result<Option<String>> {
    Ok(match u.int_in_range(0..=9)? {
        0 => None,
        1 => Some(String::arbitrary(u)?),
        _ => Some(format!(
            "{prefix}{}",
            crate::token(u, crate::KEY_ALPHABET, 40)?
        )),
    })
}

fn expiration(u: &mut Unstructured<'_>) -> Result<Option<String>> {
    Ok(match u.int_in_range(0..=5)? {
        0 => None,
        1 => Some(String::arbitrary(u)?),
        2 => Some(format!("{}", u.arbitrary::<i64>()?)),
        _ => {
            let at = u.int_in_range(-100_000_000_000i64..=300_000_000_000)?;
            let t = time::OffsetDateTime::from_unix_timestamp(at)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }
    })
}

impl<'a> Arbitrary<'a> for StsBody {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=5)? {
            0..=2 => StsBody::Credentials {
                key_id: maybe_text(u, "ASIA")?,
                secret: maybe_text(u, SECRET_PREFIX)?,
                token: maybe_text(u, TOKEN_PREFIX)?,
                expiration: expiration(u)?,
                cut: u.arbitrary()?,
            },
            3 | 4 => StsBody::Error {
                code: u
                    .choose(&[
                        "AccessDenied",
                        "ExpiredTokenException",
                        "ValidationError",
                        "Throttling",
                        "IDPRejectedClaim",
                        "InvalidIdentityToken",
                    ])?
                    .to_string(),
                message: String::arbitrary(u)?,
                kind: *u.choose(&["Sender", "Receiver"])?,
            },
            _ => StsBody::Raw(u.arbitrary()?),
        })
    }
}

fn element(out: &mut String, name: &str, text: &Option<String>) {
    if let Some(text) = text {
        out.push_str(&format!(
            "<{name}>{}</{name}>",
            crate::assertion::escape(text)
        ));
    }
}

impl StsBody {
    /// The body as STS would send it for `action` (`AssumeRoleWithSAML`, `AssumeRole`).
    pub fn bytes(&self, action: &str) -> Vec<u8> {
        match self {
            StsBody::Credentials { key_id, secret, token, expiration, cut } => {
                let mut x = format!(
                    "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials>"
                );
                element(&mut x, "AccessKeyId", key_id);
                element(&mut x, "SecretAccessKey", secret);
                element(&mut x, "SessionToken", token);
                element(&mut x, "Expiration", expiration);
                x.push_str(&format!(
                    "</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/fuzz/s</Arn>\
                     <AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></{action}Result>\
                     <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{action}Response>"
                ));
                let mut bytes = x.into_bytes();
                if let Some(cut) = cut {
                    bytes.truncate(usize::from(*cut));
                }
                bytes
            }
            StsBody::Error { code, message, kind } => format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{kind}</Type>\
                 <Code>{code}</Code><Message>{}</Message></Error><RequestId>r</RequestId></ErrorResponse>",
                crate::assertion::escape(message)
            )
            .into_bytes(),
            StsBody::Raw(bytes) => bytes.clone(),
        }
    }

    /// The secrets this answer carries.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            StsBody::Credentials { secret, token, .. } => [secret, token]
                .into_iter()
                .flatten()
                .filter(|s| s.starts_with(SECRET_PREFIX) || s.starts_with(TOKEN_PREFIX))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }
}
