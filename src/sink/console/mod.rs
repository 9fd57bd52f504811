//! `samlbridge console`: a sign-in URL for the AWS Management Console made from a profile's session
//! through the federation endpoint (AWS IAM guide, "Enable custom identity broker access to the AWS
//! console"): `getSigninToken` with the session, then an `Action=login` URL carrying the token.
//!
//! The URL is a bearer credential for the console: it goes to the browser or, with `--print`, to
//! stdout — never to a log or an error message.

mod browser;
mod endpoints;

pub use browser::open_in_browser;
pub use endpoints::FederationEndpoints;

use crate::credentials::Credentials;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// The console session length AWS accepts in `SessionDuration`, seconds.
pub const SESSION_DURATION_RANGE: std::ops::RangeInclusive<u32> = 900..=43_200;

/// What the sign-in URL is made from.
#[derive(Debug, Clone)]
pub struct ConsoleRequest<'a> {
    pub profile: &'a str,
    pub credentials: &'a Credentials,
    /// True for a chained profile (AssumeRole with a session's credentials): the federation
    /// endpoint refuses `SessionDuration` for those (HTTP 400), so it is never sent for them.
    pub chained: bool,
    /// Console session length for a gateway session; None leaves it to AWS.
    pub session_duration: Option<u32>,
    /// Opens the console in this region when set.
    pub region: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "SAMLBRIDGE_FEDERATION_ENDPOINT = '{value}' is not usable: {why}; give an https:// URL, or http:// to 127.0.0.1 or localhost"
    )]
    BadEndpoint { value: String, why: String },
    #[error("profile {profile}: console session duration {seconds} s is outside 900–43200 s")]
    BadDuration { profile: String, seconds: u32 },
    #[error(
        "profile {profile}: the AWS federation endpoint {host} refused the session (HTTP {status}); the credentials may have expired: run `samlbridge login --profile {profile}` and try again"
    )]
    Refused {
        profile: String,
        host: String,
        status: u16,
    },
    #[error("profile {profile}: the AWS federation endpoint {host} gave no sign-in token ({})", crate::shown::outside(.why))]
    Unreadable {
        profile: String,
        host: String,
        why: String,
    },
    #[error(
        "profile {profile}: could not reach the AWS federation endpoint {host}: {reason}; check your network or proxy and try again",
        reason = crate::shown::outside(.reason)
    )]
    Network {
        profile: String,
        host: String,
        reason: String,
    },
}

impl ConsoleError {
    pub fn exit_kind(&self) -> crate::exit::ExitKind {
        use crate::exit::ExitKind;
        match self {
            ConsoleError::BadEndpoint { .. } | ConsoleError::BadDuration { .. } => ExitKind::Usage,
            ConsoleError::Refused { .. } | ConsoleError::Unreadable { .. } => ExitKind::Unexpected,
            ConsoleError::Network { .. } => ExitKind::Network,
        }
    }
}

/// The `Session` parameter: the session as the federation endpoint wants it.
#[derive(Serialize)]
struct SessionJson<'a> {
    #[serde(rename = "sessionId")]
    session_id: &'a str,
    #[serde(rename = "sessionKey")]
    session_key: &'a str,
    #[serde(rename = "sessionToken")]
    session_token: &'a str,
}

#[derive(Deserialize)]
struct SigninTokenAnswer {
    #[serde(rename = "SigninToken")]
    signin_token: String,
}

/// An HTTP client for the federation endpoint: rustls on ring with the system's roots, the proxy
/// variables, and timeouts so a dead network fails in seconds.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
}

/// Asks for a sign-in token and returns the console sign-in URL.
pub async fn signin_url(
    client: &reqwest::Client,
    endpoints: &FederationEndpoints,
    req: &ConsoleRequest<'_>,
) -> Result<Secret, ConsoleError> {
    let token = signin_token(client, endpoints, req).await?;
    Ok(login_url(endpoints, req.region, &token))
}

async fn signin_token(
    client: &reqwest::Client,
    endpoints: &FederationEndpoints,
    req: &ConsoleRequest<'_>,
) -> Result<Secret, ConsoleError> {
    let url = token_request_url(endpoints, req)?;
    let host = endpoints.host();
    let network = |err: reqwest::Error| ConsoleError::Network {
        profile: req.profile.to_string(),
        host: host.clone(),
        reason: error_chain(err),
    };
    let response = client.get(url.expose()).send().await.map_err(network)?;
    let status = response.status();
    if !status.is_success() {
        return Err(ConsoleError::Refused {
            profile: req.profile.to_string(),
            host,
            status: status.as_u16(),
        });
    }
    let body = response.bytes().await.map_err(network)?;
    let unreadable = |why: &str| ConsoleError::Unreadable {
        profile: req.profile.to_string(),
        host: host.clone(),
        why: why.to_string(),
    };
    let answer: SigninTokenAnswer = serde_json::from_slice(&body)
        .map_err(|_| unreadable("the answer is not the expected JSON"))?;
    if answer.signin_token.is_empty() {
        return Err(unreadable("the SigninToken is empty"));
    }
    Ok(Secret::from(answer.signin_token))
}

/// `…/federation?Action=getSigninToken[&SessionDuration=N]&Session={json}`. Holds the secret key.
fn token_request_url(
    endpoints: &FederationEndpoints,
    req: &ConsoleRequest<'_>,
) -> Result<Secret, ConsoleError> {
    let duration = session_duration(req)?;
    let session = SessionJson {
        session_id: &req.credentials.access_key_id,
        session_key: req.credentials.secret_access_key.expose(),
        session_token: req.credentials.session_token.expose(),
    };
    // Serialising borrowed strings into a String cannot fail.
    let session = Secret::from(serde_json::to_string(&session).unwrap_or_default());
    let mut url = endpoints.federation.clone();
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("Action", "getSigninToken");
        if let Some(seconds) = duration {
            query.append_pair("SessionDuration", &seconds.to_string());
        }
        query.append_pair("Session", session.expose());
    }
    Ok(Secret::from(String::from(url)))
}

fn session_duration(req: &ConsoleRequest<'_>) -> Result<Option<u32>, ConsoleError> {
    match req.session_duration {
        Some(seconds) if !SESSION_DURATION_RANGE.contains(&seconds) => {
            Err(ConsoleError::BadDuration {
                profile: req.profile.to_string(),
                seconds,
            })
        }
        Some(_) if req.chained => {
            tracing::info!(
                profile = req.profile,
                "a chained session cannot choose its console session length; AWS decides it"
            );
            Ok(None)
        }
        other => Ok(other),
    }
}

/// `…/federation?Action=login&Issuer=samlbridge&Destination=<console>&SigninToken=<token>`.
fn login_url(endpoints: &FederationEndpoints, region: Option<&str>, token: &Secret) -> Secret {
    let destination = endpoints.destination(region);
    let mut url: Url = endpoints.federation.clone();
    url.query_pairs_mut()
        .append_pair("Action", "login")
        .append_pair("Issuer", "samlbridge")
        .append_pair("Destination", destination.as_str())
        .append_pair("SigninToken", token.expose());
    Secret::from(String::from(url))
}

/// The error and its causes without the request URL, which carries the session's secret key.
fn error_chain(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests;
