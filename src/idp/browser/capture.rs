//! Taking the assertion from the browser: the POST to AWS's SAML sign-in endpoint (any partition,
//! any region) is paused before it leaves, its SAMLResponse read, and the browser answered with a
//! small local page; the request never reaches AWS.
//!
//! An IdP on loopback (the emulators in tests) may post to a loopback stand-in for AWS instead:
//! such a POST is taken when it carries a SAMLResponse. Loopback is never accepted otherwise.

use crate::saml::SamlAssertion;
use base64::Engine;
use url::{Host, Url};

/// The Fetch domain's URL patterns (coarse; `is_aws_saml_endpoint` decides).
pub fn patterns(idp_on_loopback: bool) -> Vec<String> {
    let mut all: Vec<String> = AWS_SIGNIN_DOMAINS
        .iter()
        .flat_map(|d| [format!("https://{d}/saml*"), format!("https://*.{d}/saml*")])
        .collect();
    if idp_on_loopback {
        all.extend(
            ["http://127.0.0.1*", "http://localhost*", "http://[::1]*"]
                .iter()
                .map(|p| p.to_string()),
        );
    }
    all
}

/// The sign-in domains of AWS's partitions: commercial, GovCloud, China.
const AWS_SIGNIN_DOMAINS: &[&str] = &[
    "signin.aws.amazon.com",
    "signin.amazonaws-us-gov.com",
    "signin.amazonaws.cn",
];

/// Whether `url` is AWS's SAML endpoint: `https://signin.aws.amazon.com/saml`, a regional
/// `https://<region>.signin.aws.amazon.com/saml`, or the GovCloud and China ones.
pub fn is_aws_saml_endpoint(url: &Url) -> bool {
    let Some(Host::Domain(host)) = url.host() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain_ok = AWS_SIGNIN_DOMAINS.iter().any(|d| {
        host == *d
            || host
                .strip_suffix(d)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(is_region_label)
    });
    url.scheme() == "https"
        && url.port().is_none()
        && domain_ok
        && url.path().trim_end_matches('/') == "/saml"
}

/// A region name as AWS spells it in a host: `eu-west-1`, `us-gov-west-1`, `cn-north-1`.
fn is_region_label(label: &str) -> bool {
    !label.is_empty()
        && !label.contains('.')
        && label.contains('-')
        && label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub use crate::urls::is_loopback;

/// What a paused request is to samlbridge.
#[derive(Debug)]
pub enum Paused {
    /// The assertion, taken: answer the browser locally.
    Taken(SamlAssertion),
    /// A POST to AWS without a SAMLResponse: answered locally too, never sent.
    Stopped,
    /// Not ours: let it go on.
    Continue,
}

/// Decides about one paused request: its URL, method and body (the decoded post data).
pub fn decide(url: &str, method: &str, body: Option<&[u8]>, idp_on_loopback: bool) -> Paused {
    let Ok(url) = Url::parse(url) else {
        return Paused::Continue;
    };
    let to_aws = is_aws_saml_endpoint(&url);
    let stand_in = idp_on_loopback && is_loopback(&url);
    if !(to_aws || stand_in) {
        return Paused::Continue;
    }
    let response = if method.eq_ignore_ascii_case("POST") {
        body.and_then(saml_response)
    } else {
        None
    };
    match response {
        Some(value) => Paused::Taken(SamlAssertion::from_form_value(&value)),
        None if to_aws => Paused::Stopped,
        None => Paused::Continue,
    }
}

/// SAMLResponse from a POST body: form-encoded as a browser posts a form, else JSON or multipart as
/// a script may send it (RelayState, when present, is not needed by AWS's API).
pub fn saml_response(body: &[u8]) -> Option<String> {
    let found = form_field(body)
        .or_else(|| json_field(body))
        .or_else(|| multipart_field(body))?;
    let value = found.trim().to_string();
    (!value.is_empty()).then_some(value)
}

fn form_field(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(name, _)| name == "SAMLResponse")
        .map(|(_, value)| value.into_owned())
}

fn json_field(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("SAMLResponse")?.as_str().map(str::to_string)
}

/// The SAMLResponse part of a multipart/form-data body (what `fetch` sends for a FormData).
fn multipart_field(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let boundary = text.lines().next()?.trim();
    if !boundary.starts_with("--") {
        return None;
    }
    text.split(boundary).find_map(|part| {
        let (head, value) = part.split_once("\r\n\r\n")?;
        head.contains("name=\"SAMLResponse\"")
            .then(|| value.trim_end_matches("\r\n").to_string())
    })
}

/// The request body from the Fetch domain's postDataEntries (each base64).
pub fn join_entries<'a>(entries: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut body = Vec::new();
    for entry in entries {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(entry) {
            body.extend_from_slice(&bytes);
        }
    }
    body
}

/// The page the browser shows instead of AWS's: it says where the sign-in went on.
pub const TAKEN_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<title>samlbridge: signed in</title></head><body><h1>Signed in</h1>\
<p>samlbridge has the sign-in; this window closes by itself.</p></body></html>";

/// The answer to a POST to AWS that carried no assertion.
pub const STOPPED_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<title>samlbridge: no assertion</title></head><body><h1>No assertion</h1>\
<p>This page posted to AWS without a SAMLResponse; samlbridge did not send it.</p></body></html>";
