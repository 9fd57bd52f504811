//! Fetching the account aliases from AWS's own sign-in page.
//!
//! Security: this posts the SAML assertion (a bearer token) to the AWS sign-in endpoint the assertion
//! is addressed to — its Destination (else its Recipient), accepted only when it is an `https://` URL
//! on one of the three AWS sign-in hosts (`signin.aws.amazon.com`, `signin.amazonaws-us-gov.com`,
//! `signin.amazonaws.cn`, or a regional `REGION.` name under them) — and never anywhere else. That is
//! exactly where a browser would post it. Without a Destination, the partition's sign-in endpoint is
//! used. Only `SAMLBRIDGE_AWS_SIGNIN_URL` (for tests: `https://…`, or `http://` to this machine)
//! replaces that endpoint. Redirects are not followed, nothing of the answer is logged (the page
//! echoes the assertion back), and no cookie is kept.
//!
//! It is never fatal: no answer within `FETCH_TIMEOUT`, an error, a redirect (AWS signs a single-role
//! assertion straight into the console), or a page that changed all give no aliases and a note at -v.

use super::{AccountAliases, page};
use crate::saml::{Partition, SamlAssertion, SamlClaims};
use crate::urls::is_loopback;
use std::path::Path;
use std::time::Duration;
use tracing::{debug, info};
use url::{Host, Url};

/// Replaces the sign-in endpoint: any `https://` URL, or `http://` to a loopback address.
pub const SIGNIN_URL_OVERRIDE: &str = "SAMLBRIDGE_AWS_SIGNIN_URL";
/// The whole exchange (connect, send, read the page): aliases are a nicety, never worth a wait.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The role picker page is a few tens of KiB.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

/// The aliases AWS's sign-in page shows for the accounts the assertion offers; empty when they
/// cannot be had (the reason is logged at -v). `ca_bundle`: extra PEM roots, as for the IdP.
pub async fn fetch_from_signin(
    assertion: &SamlAssertion,
    claims: &SamlClaims,
    ca_bundle: Option<&Path>,
) -> AccountAliases {
    match signin_url(claims, |name| std::env::var(name).ok()) {
        Ok(url) => fetch_at(&url, assertion, claims, ca_bundle, FETCH_TIMEOUT).await,
        Err(why) => {
            info!("not reading account aliases from AWS: {why}");
            AccountAliases::default()
        }
    }
}

/// Where the assertion may be posted: the override, else its Destination when that is an AWS
/// sign-in endpoint, else the partition's.
pub(super) fn signin_url(
    claims: &SamlClaims,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Url, String> {
    if let Some(value) = var(SIGNIN_URL_OVERRIDE).filter(|v| !v.trim().is_empty()) {
        let url = Url::parse(value.trim())
            .map_err(|e| format!("{SIGNIN_URL_OVERRIDE} is not a URL ({e})"))?;
        return match url.scheme() {
            "https" => Ok(url),
            "http" if is_loopback(&url) => Ok(url),
            _ => Err(format!(
                "{SIGNIN_URL_OVERRIDE} must be an https:// URL (http:// only to a loopback address)"
            )),
        };
    }
    let Some(destination) = claims.destination.as_deref() else {
        return default_url(claims.partition);
    };
    let url = Url::parse(destination.trim())
        .map_err(|_| "the assertion's Destination is not a URL".to_string())?;
    if is_aws_signin_endpoint(&url) {
        Ok(url)
    } else {
        Err(format!(
            "the assertion is addressed to {}, which is not an AWS sign-in endpoint; it is sent nowhere else",
            url.host_str().unwrap_or("(no host)")
        ))
    }
}

fn default_url(partition: Partition) -> Result<Url, String> {
    Url::parse(&format!("https://{}/saml", partition.signin_host())).map_err(|e| {
        format!(
            "the sign-in URL of {} is not valid ({e})",
            partition.arn_partition()
        )
    })
}

/// `https://` (default port, no user info), a path under `/saml`, and an AWS sign-in host or a
/// regional one (`us-east-1.signin.aws.amazon.com`).
fn is_aws_signin_endpoint(url: &Url) -> bool {
    let Some(Host::Domain(host)) = url.host() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let on_signin_host = [Partition::Aws, Partition::AwsUsGov, Partition::AwsCn]
        .iter()
        .any(|p| {
            let signin = p.signin_host();
            host == signin
                || host
                    .strip_suffix(signin)
                    .and_then(|h| h.strip_suffix('.'))
                    .is_some_and(|label| {
                        !label.is_empty()
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
        });
    url.scheme() == "https"
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path().starts_with("/saml")
        && on_signin_host
}

/// Posts the assertion to `url` and reads the aliases off the answer; never fails.
pub(super) async fn fetch_at(
    url: &Url,
    assertion: &SamlAssertion,
    claims: &SamlClaims,
    ca_bundle: Option<&Path>,
    timeout: Duration,
) -> AccountAliases {
    let host = url
        .host_str()
        .unwrap_or("the AWS sign-in endpoint")
        .to_string();
    if claims.roles.len() < 2 {
        debug!("one role offered: AWS shows no role picker, so there are no aliases to read");
        return AccountAliases::default();
    }
    let outcome =
        match tokio::time::timeout(timeout, post(url, assertion, ca_bundle, timeout)).await {
            Ok(Ok(page)) => page::aliases(&page, &claims.roles),
            Ok(Err(why)) => Err(why),
            Err(_) => Err(format!("no answer within {} s", timeout.as_secs_f32())),
        };
    match outcome {
        Ok(aliases) => {
            info!("{host}: read {} account alias(es)", aliases.len());
            aliases
        }
        Err(why) => {
            info!("{host}: no account aliases ({why}); going on without them");
            AccountAliases::default()
        }
    }
}

/// The role picker page's HTML, or why there is none.
async fn post(
    url: &Url,
    assertion: &SamlAssertion,
    ca_bundle: Option<&Path>,
    timeout: Duration,
) -> Result<String, String> {
    let client = client(ca_bundle, timeout)?;
    let form = [("SAMLResponse", assertion.base64().expose())];
    let mut response = client
        .post(url.clone())
        .form(&form)
        .send()
        .await
        .map_err(|e| reason(&e))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(format!(
            "it answered with a redirect (HTTP {}), not the role picker",
            status.as_u16()
        ));
    }
    if !status.is_success() {
        return Err(format!("it answered HTTP {}", status.as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| reason(&e))? {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err("its page is larger than any role picker".into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A client for one request: no redirects, no cookies kept, the system roots plus `ca_bundle`.
fn client(ca_bundle: Option<&Path>, timeout: Duration) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("samlbridge/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout)
        .timeout(timeout);
    if let Some(path) = ca_bundle {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the CA bundle {} ({e})", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| format!("no PEM certificate in the CA bundle {}", path.display()))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| format!("cannot set up HTTPS ({e})"))
}

/// A one-line reason without the URL (reqwest's own message names it).
fn reason(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "no answer in time".into();
    }
    let mut innermost = None;
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        innermost = Some(e.to_string());
        source = e.source();
    }
    match (err.is_connect(), innermost) {
        (true, Some(inner)) => format!("cannot connect ({inner})"),
        (true, None) => "cannot connect".into(),
        (false, Some(inner)) => inner,
        (false, None) => "the request failed".into(),
    }
}
