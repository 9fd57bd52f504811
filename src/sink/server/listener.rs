//! The endpoint's listener: accepts connections on loopback, reads one request each, checks the
//! token before anything else, routes `/profile/<name>` to its `Route`, and answers the
//! container-credentials JSON or an error JSON the SDKs show (never with key material but in a 200).

use super::http::{self, ReadError, Request};
use super::renewal::{Route, SourceError};
use super::token::AuthToken;
use crate::credentials::Credentials;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use zeroize::Zeroize;

/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The path a profile is served at: `/profile/<name>`, the name percent-encoded but for letters,
/// digits and `._-` (so that the URL is safe in an `export` line as it is).
pub fn route_path(profile: &str) -> String {
    let mut path = String::from("/profile/");
    for b in profile.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            path.push(b as char);
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    path
}

/// The URL an SDK is given for `profile` on the endpoint bound at `addr`.
pub fn route_url(addr: SocketAddr, profile: &str) -> String {
    format!("http://{addr}{}", route_path(profile))
}

/// What the endpoint serves: the token and each route by its path.
#[derive(Clone)]
pub struct Routes {
    token: Arc<AuthToken>,
    by_path: Arc<BTreeMap<String, Route>>,
}

impl Routes {
    /// `routes`: (profile, its route).
    pub fn new(token: AuthToken, routes: Vec<(String, Route)>) -> Routes {
        let by_path = routes
            .into_iter()
            .map(|(profile, route)| (route_path(&profile), route))
            .collect();
        Routes {
            token: Arc::new(token),
            by_path: Arc::new(by_path),
        }
    }
}

/// Binds 127.0.0.1 on a port the OS picks.
pub async fn bind_loopback() -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Serves connections until the task is dropped; each on a task of its own.
pub async fn serve(listener: TcpListener, routes: Routes) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait a little rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let routes = routes.clone();
        tokio::spawn(async move { answer_connection(stream, &routes).await });
    }
}

async fn answer_connection(mut stream: TcpStream, routes: &Routes) {
    let _ = stream.set_nodelay(true);
    let read = tokio::time::timeout(READ_TIMEOUT, http::read_request(&mut stream)).await;
    let (status, mut body) = match read {
        Ok(Ok(request)) => answer(&request, routes).await,
        Ok(Err(ReadError::TooLarge)) => error(431, "RequestTooLarge", "the request is too large"),
        Ok(Err(ReadError::Malformed)) => error(400, "BadRequest", "not an HTTP/1.1 GET request"),
        Ok(Err(ReadError::Closed)) | Err(_) => return,
    };
    let mut bytes = http::response(status, &body);
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
    body.zeroize();
    bytes.zeroize();
}

/// The status and body for one request: the token first (401 without one, 403 for a wrong one),
/// then the method and the route, then the credentials.
pub async fn answer(request: &Request, routes: &Routes) -> (u16, Vec<u8>) {
    match &request.authorization {
        None => {
            return error(
                401,
                "Unauthorized",
                "this endpoint needs its token in the Authorization header (AWS_CONTAINER_AUTHORIZATION_TOKEN)",
            );
        }
        Some(presented) if !routes.token.matches(presented) => {
            return error(403, "Forbidden", "wrong authorization token");
        }
        Some(_) => {}
    }
    if request.method != "GET" {
        return error(405, "MethodNotAllowed", "only GET is served");
    }
    let Some(route) = routes.by_path.get(&request.path) else {
        let known: Vec<&str> = routes.by_path.keys().map(String::as_str).collect();
        let message = format!(
            "no profile is served at this path; served: {}",
            known.join(", ")
        );
        return error(404, "NotFound", &message);
    };
    match route.credentials().await {
        Ok(credentials) => (200, credentials_json(&credentials)),
        Err(SourceError::PersonMustAct(message)) => error(503, "SignInRequired", &message),
        Err(SourceError::Failed(message)) => error(502, "RenewalFailed", &message),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    expiration: String,
}

/// The body the SDKs' container-credentials provider reads.
fn credentials_json(credentials: &Credentials) -> Vec<u8> {
    let answer = ContainerCredentials {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        token: credentials.session_token.expose(),
        expiration: credentials.expiration_text().unwrap_or_default(),
    };
    serde_json::to_vec(&answer).unwrap_or_default()
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

fn error(status: u16, code: &str, message: &str) -> (u16, Vec<u8>) {
    let body = serde_json::to_vec(&ErrorBody { code, message }).unwrap_or_default();
    (status, body)
}

#[cfg(test)]
mod tests;
