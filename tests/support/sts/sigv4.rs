//! AWS Signature Version 4, both ways: the STS emulator checks every signed call with the secret it
//! issued (so a hop signed with the wrong session's keys is refused, as AWS refuses it), and tests
//! sign their own calls to the emulator with the same rules.

use crate::http::HttpRequest;
use ring::{digest, hmac};
use time::OffsetDateTime;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// SigV4's URI encoding: everything but unreserved characters as upper-case %XX.
pub fn uri_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The canonical query: pairs decoded, re-encoded, sorted by name then value.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical path of a request line's (already once-encoded) path: encoded once more, as
/// every service but S3 wants.
pub fn canonical_path(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".into();
    }
    raw_path
        .split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

fn canonical_header_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical request for the headers named in `signed` (lower-case, in the given order).
pub fn canonical_request(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &[(String, String)],
    signed: &[String],
    payload_hash: &str,
) -> String {
    let mut lines = String::new();
    for name in signed {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| canonical_header_value(v))
            .collect();
        lines += &format!("{name}:{}\n", values.join(","));
    }
    format!(
        "{method}\n{}\n{}\n{lines}\n{}\n{payload_hash}",
        canonical_path(raw_path),
        canonical_query(raw_query),
        signed.join(";")
    )
}

pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// The hex signature of a canonical request.
pub fn signature(
    secret: &str,
    amz_date: &str,
    region: &str,
    service: &str,
    canonical: &str,
) -> String {
    let date = &amz_date[..amz_date.len().min(8)];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    hex(&hmac_sha256(
        &signing_key(secret, date, region, service),
        to_sign.as_bytes(),
    ))
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(header: &str) -> Result<Authorization, String> {
    let rest = header
        .strip_prefix(ALGORITHM)
        .ok_or_else(|| format!("Authorization does not start with {ALGORITHM}"))?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k {
            "Credential" => credential = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.to_string()),
            "Signature" => signature = Some(v.to_string()),
            _ => {}
        }
    }
    let credential = credential.ok_or("Authorization has no Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" {
        return Err(format!(
            "Credential '{credential}' is not KEY/DATE/REGION/SERVICE/aws4_request"
        ));
    }
    Ok(Authorization {
        key_id: scope[0].into(),
        date: scope[1].into(),
        region: scope[2].into(),
        service: scope[3].into(),
        signed_headers: signed
            .ok_or("Authorization has no SignedHeaders")?
            .split(';')
            .map(String::from)
            .collect(),
        signature: signature.ok_or("Authorization has no Signature")?,
    })
}

/// Checks a request's signature against `secret`. Err says what does not match, for the log.
pub fn verify(req: &HttpRequest, auth: &Authorization, secret: &str) -> Result<(), String> {
    let amz_date = req.header("x-amz-date").ok_or("no X-Amz-Date header")?;
    if !amz_date.starts_with(&auth.date) {
        return Err(format!(
            "X-Amz-Date {amz_date} is not the Credential's date {}",
            auth.date
        ));
    }
    for required in ["host", "x-amz-date"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(format!("the '{required}' header is not signed"));
        }
    }
    let body_hash = sha256_hex(&req.body);
    if let Some(claimed) = req.header("x-amz-content-sha256")
        && claimed != body_hash
    {
        return Err("X-Amz-Content-Sha256 does not match the body".into());
    }
    let canonical = canonical_request(
        &req.method,
        &req.path,
        &req.query,
        &req.headers,
        &auth.signed_headers,
        &body_hash,
    );
    let expected = signature(secret, amz_date, &auth.region, &auth.service, &canonical);
    if expected == auth.signature {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request was:\n{canonical}"
        ))
    }
}

/// `20150830T123600Z`
pub fn amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Keys to sign with, as STS issued them.
#[derive(Debug, Clone)]
pub struct SigningKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// The headers a client adds to sign a POST of `body` to `host` `path` (tests' own signer).
pub fn sign_post(
    keys: &SigningKeys,
    host: &str,
    path: &str,
    body: &[u8],
    region: &str,
    now: OffsetDateTime,
) -> Vec<(String, String)> {
    let date = amz_date(now);
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
        ("host".to_string(), host.to_string()),
        ("x-amz-date".to_string(), date.clone()),
    ];
    if let Some(token) = &keys.session_token {
        headers.push(("x-amz-security-token".into(), token.clone()));
    }
    let signed: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let canonical = canonical_request("POST", path, "", &headers, &signed, &sha256_hex(body));
    let sig = signature(&keys.secret_access_key, &date, region, "sts", &canonical);
    headers.push((
        "authorization".into(),
        format!(
            "{ALGORITHM} Credential={}/{}/{region}/sts/aws4_request, SignedHeaders={}, Signature={sig}",
            keys.access_key_id,
            &date[..8],
            signed.join(";")
        ),
    ));
    headers
}
