//! The IdP session: an HTTP client that behaves like a careful browser — a cookie jar that can be
//! saved and loaded between runs, the system's trusted roots plus the company's CA bundle, proxies
//! from the environment, timeouts, and redirects followed by hand so that each hop is checked
//! (plain `http://` only to this machine) and counted.

use super::form::{Method, Submission};
use super::integrated::{self as wia, AuthHosts, NtlmCredentials, SignInAuth};
use super::urls::{host_of, without_query};
use super::{IdpError, LoginRequest};
use crate::secret::Secret;
use reqwest::StatusCode;
use reqwest_cookie_store::CookieStoreMutex;
use std::sync::Arc;
use std::time::Duration;
use tracing::debug;
use url::Url;

/// Redirects followed for one request before giving up.
pub const MAX_REDIRECTS: usize = 10;
/// Largest page read: IdP pages are small; a bigger answer is not a sign-in page.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A desktop browser on Linux: IdPs serve their forms sign-in to it (AD FS offers Windows integrated
/// sign-in only to the Windows browsers it lists), and some refuse clients that do not look like one.
const USER_AGENT: &str = concat!(
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ",
    "Chrome/124.0.0.0 Safari/537.36 samlbridge/",
    env!("CARGO_PKG_VERSION")
);

/// An answer, after redirects.
pub struct Fetched {
    /// Where the last redirect led: relative links in the page resolve against it.
    pub url: Url,
    pub status: u16,
    pub body: String,
    /// The last answer's `Date` header, as sent (`doctor` compares it with the local clock).
    pub date: Option<String>,
    /// The integrated sign-in schemes a `401` offers (none for any other answer): what `doctor`
    /// reports, and what a session that does not answer them left unanswered.
    pub offered: wia::Offered,
}

/// A browser-like session with one IdP (or a chain of them): the client and its cookie jar.
pub struct IdpSession {
    client: reqwest::Client,
    cookies: Arc<CookieStoreMutex>,
    /// `saml_auth`: a `401 Negotiate`/`NTLM` is answered unless it is `form`.
    auth: SignInAuth,
    /// `saml_username`, named in the `kinit` hint of a Kerberos sign-in.
    principal: Option<String>,
    /// The account an NTLM sign-in answers with, set by `use_ntlm`.
    ntlm: std::sync::Mutex<Option<NtlmCredentials>>,
    /// The hosts whose `401 Negotiate`/`NTLM` is answered: the `saml_url`'s and `saml_auth_hosts`.
    auth_hosts: AuthHosts,
    /// False for `doctor`'s probe: it looks like the sign-in's client, and answers no challenge.
    answers_challenges: bool,
}

impl IdpSession {
    /// A session with an empty cookie jar, trusting the system's roots and `req.ca_bundle`.
    pub fn new(req: &LoginRequest) -> Result<IdpSession, IdpError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cookies = Arc::new(CookieStoreMutex::default());
        let mut builder = reqwest::Client::builder()
            .user_agent(if req.auth.is_integrated() {
                wia::USER_AGENT
            } else {
                USER_AGENT
            })
            .cookie_provider(cookies.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT);
        if let Some(path) = &req.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| {
                IdpError::Setup(format!(
                    "CA bundle {}: cannot read it ({e}); fix saml_ca_bundle or SAMLBRIDGE_CA_BUNDLE",
                    path.display()
                ))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    IdpError::Setup(format!(
                        "CA bundle {}: no PEM certificate in it; it must hold one or more \
                         '-----BEGIN CERTIFICATE-----' blocks",
                        path.display()
                    ))
                })?;
            builder = builder.tls_certs_merge(certs);
        }
        if req.auth.is_integrated() {
            // NTLM authenticates a connection, and IIS offers Windows authentication over HTTP/1.1
            // only: one kept-alive HTTP/1.1 connection carries the legs.
            builder = builder.http1_only().pool_max_idle_per_host(1);
        }
        let client = builder
            .build()
            .map_err(|e| IdpError::Setup(format!("cannot set up HTTPS: {}", error_chain(&e))))?;
        Ok(IdpSession {
            client,
            cookies,
            auth: req.auth,
            principal: req.principal.clone(),
            ntlm: std::sync::Mutex::new(None),
            auth_hosts: AuthHosts::new(&req.url, &req.auth_hosts),
            answers_challenges: true,
        })
    }

    /// A session that presents itself as `new`'s would (the integrated sign-in's User-Agent, so the
    /// IdP shows what the sign-in will meet) but never answers a challenge: `doctor` never signs in.
    pub fn probing(req: &LoginRequest) -> Result<IdpSession, IdpError> {
        let mut session = IdpSession::new(req)?;
        session.answers_challenges = false;
        Ok(session)
    }

    /// A request as `fetch` sends it.
    pub(crate) fn request(
        &self,
        method: Method,
        url: &Url,
        form: &[(String, String)],
    ) -> reqwest::RequestBuilder {
        match method {
            Method::Get => self.client.get(url.clone()),
            Method::Post => self.client.post(url.clone()).form(form),
        }
    }

    pub(crate) fn network(&self, url: &Url, err: &reqwest::Error, timeout: Duration) -> IdpError {
        network_error_within(url, err, timeout)
    }

    /// The cookies worth keeping (unexpired, session cookies included) as JSON, to sign in again
    /// later without a password while the IdP's session lasts.
    pub fn save_cookies(&self) -> Result<Secret, IdpError> {
        let store = self.lock_cookies()?;
        let cookies: Vec<_> = store.iter_unexpired().collect();
        serde_json::to_string(&cookies)
            .map(Secret::new)
            .map_err(|e| IdpError::Setup(format!("cannot save the IdP cookies: {e}")))
    }

    /// Replaces the jar with cookies saved by `save_cookies`; the expired ones are dropped.
    pub fn load_cookies(&self, json: &Secret) -> Result<(), IdpError> {
        // serde's message can quote a value of the file (a cookie): say only where it broke.
        let cookies: Vec<cookie_store::Cookie<'static>> = serde_json::from_str(json.expose())
            .map_err(|e| {
                IdpError::Setup(format!(
                    "the saved IdP session is not readable (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?;
        let loaded =
            cookie_store::CookieStore::from_cookies(cookies.into_iter().map(Ok::<_, ()>), false)
                .map_err(|()| IdpError::Setup("the saved IdP session is not readable".into()))?;
        *self.lock_cookies()? = loaded;
        Ok(())
    }

    /// When the last of the jar's unexpired cookies expires; None when there is none, or when one
    /// lasts as long as the browser session (no date of its own).
    pub fn cookies_expire(&self) -> Option<time::OffsetDateTime> {
        let store = self.lock_cookies().ok()?;
        let mut latest = None;
        for cookie in store.iter_unexpired() {
            // `expires` holds Max-Age turned into a date, as well as Expires.
            let cookie_store::CookieExpiration::AtUtc(at) = cookie.expires else {
                return None;
            };
            latest = latest.max(Some(at));
        }
        latest
    }

    /// Whether the jar holds a cookie worth sending (a saved session was loaded into it).
    pub fn has_cookies(&self) -> bool {
        self.lock_cookies()
            .is_ok_and(|store| store.iter_unexpired().next().is_some())
    }

    fn lock_cookies(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, cookie_store::CookieStore>, IdpError> {
        self.cookies
            .lock()
            .map_err(|_| IdpError::Setup("the cookie jar is unusable after a crash".into()))
    }

    /// The start URL, checked like every URL the session visits.
    pub fn start_url(url: &str) -> Result<Url, IdpError> {
        let parsed = Url::parse(url.trim()).map_err(|e| {
            IdpError::Setup(format!(
                "the sign-in URL '{url}' is not a valid URL ({e}); set saml_url or --url to the \
                 IdP's sign-in address"
            ))
        })?;
        check_scheme(&parsed)?;
        Ok(parsed)
    }

    pub async fn get(&self, url: Url) -> Result<Fetched, IdpError> {
        self.fetch(Method::Get, url, Vec::new(), REQUEST_TIMEOUT)
            .await
    }

    /// A GET (and its redirects) that must end within `timeout` (`doctor`'s probe).
    pub async fn get_within(&self, url: Url, timeout: Duration) -> Result<Fetched, IdpError> {
        self.fetch(Method::Get, url, Vec::new(), timeout).await
    }

    /// Sends a form; a GET form's fields go in the query.
    pub async fn send(&self, sub: &Submission) -> Result<Fetched, IdpError> {
        self.send_within(sub, REQUEST_TIMEOUT).await
    }

    /// Sends a form whose answer may take up to `timeout` (a push approval the IdP holds the
    /// request for).
    pub async fn send_within(
        &self,
        sub: &Submission,
        timeout: Duration,
    ) -> Result<Fetched, IdpError> {
        let mut url = sub.url.clone();
        if sub.method == Method::Get {
            // A block, not drop(): the serializer is not Send and must end before the await.
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in &sub.pairs {
                    query.append_pair(name, value);
                }
            }
            return self.fetch(Method::Get, url, Vec::new(), timeout).await;
        }
        self.fetch(Method::Post, url, sub.pairs.clone(), timeout)
            .await
    }

    /// One request and its redirects, each hop checked.
    async fn fetch(
        &self,
        mut method: Method,
        mut url: Url,
        mut form: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<Fetched, IdpError> {
        for hop in 0..=MAX_REDIRECTS {
            check_scheme(&url)?;
            let response = self
                .request(method, &url, &form)
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| network_error_within(&url, &e, timeout))?;
            let repeat = integrated::Repeat {
                method,
                url: &url,
                form: &form,
                timeout,
            };
            let response = self.answer_challenge(repeat, response).await?;
            let status = response.status();
            let location = redirect_target(&url, &response)?;
            let Some(next) = location else {
                let date = date_of(&response);
                let offered = integrated::offered(&response);
                let body = read_body_within(&url, response, timeout).await?;
                return Ok(Fetched {
                    url,
                    status: status.as_u16(),
                    body,
                    date,
                    offered,
                });
            };
            if hop == MAX_REDIRECTS {
                break;
            }
            debug!(
                "HTTP {} from {}: redirected to {}",
                status.as_u16(),
                without_query(&url),
                without_query(&next)
            );
            if !matches!(
                status,
                StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
            ) {
                method = Method::Get;
                form.clear();
            }
            url = next;
        }
        Err(IdpError::UnexpectedPage {
            host: host_of(&url),
            url: without_query(&url),
            title: String::new(),
            hint: format!(
                "it redirected more than {MAX_REDIRECTS} times in a row; check saml_url, or run \
                 with -vv to see the redirects"
            ),
        })
    }

    /// Posts a JSON document to an IdP's API (Okta's authentication API) with this session's
    /// cookies. API answers are not redirected, so none is followed; the status and body are
    /// returned as they are. `json` may hold the password or a token, hence a Secret.
    pub async fn post_json(&self, url: Url, json: &Secret) -> Result<Fetched, IdpError> {
        self.post_typed(url, json, "application/json").await
    }

    /// Posts a JSON document of `media_type` (Okta's IDX API wants
    /// `application/ion+json; okta-version=1.0.0` both ways), as `post_json` does.
    pub async fn post_typed(
        &self,
        url: Url,
        json: &Secret,
        media_type: &str,
    ) -> Result<Fetched, IdpError> {
        check_scheme(&url)?;
        let response = self
            .client
            .post(url.clone())
            .header(reqwest::header::ACCEPT, media_type)
            .header(reqwest::header::CONTENT_TYPE, media_type)
            .body(json.expose().to_string())
            .send()
            .await
            .map_err(|e| network_error(&url, &e))?;
        let status = response.status().as_u16();
        let date = date_of(&response);
        let body = read_body(&url, response).await?;
        Ok(Fetched {
            url,
            status,
            body,
            date,
            offered: wia::Offered::default(),
        })
    }
}

fn date_of(response: &reqwest::Response) -> Option<String> {
    let date = response.headers().get(reqwest::header::DATE)?;
    date.to_str().ok().map(str::to_owned)
}

/// The Location of a redirect answer, resolved against the request URL.
fn redirect_target(url: &Url, response: &reqwest::Response) -> Result<Option<Url>, IdpError> {
    if !response.status().is_redirection() {
        return Ok(None);
    }
    let Some(location) = response.headers().get(reqwest::header::LOCATION) else {
        return Ok(None);
    };
    let location = location.to_str().ok().map(str::trim).unwrap_or("");
    let mut next = url.join(location).map_err(|_| IdpError::UnexpectedPage {
        host: host_of(url),
        url: without_query(url),
        title: String::new(),
        hint: "it redirected to an address that is not a valid URL".into(),
    })?;
    next.set_fragment(None);
    Ok(Some(next))
}

async fn read_body(url: &Url, response: reqwest::Response) -> Result<String, IdpError> {
    read_body_within(url, response, REQUEST_TIMEOUT).await
}

/// The body of an answer that was allowed `timeout`, for the error message.
pub(crate) async fn read_body_within(
    url: &Url,
    mut response: reqwest::Response,
    timeout: Duration,
) -> Result<String, IdpError> {
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| network_error_within(url, &e, timeout))?
    {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err(IdpError::UnexpectedPage {
                host: host_of(url),
                url: without_query(url),
                title: String::new(),
                hint: format!(
                    "the page is larger than {} MiB, which no sign-in page is",
                    MAX_PAGE_BYTES >> 20
                ),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// `https://` anywhere; `http://` only to this machine, where nothing crosses a network.
pub(crate) fn check_scheme(url: &Url) -> Result<(), IdpError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(IdpError::Setup(format!(
            "refusing to send sign-in data over plain http to {}; use an https:// URL (http:// is \
             allowed only to 127.0.0.1, ::1 or localhost)",
            without_query(url)
        ))),
        other => Err(IdpError::Setup(format!(
            "cannot sign in at {}: the '{other}' scheme is not supported; use an https:// URL",
            without_query(url)
        ))),
    }
}

/// The one test of "this machine" (`crate::urls`), where the browser engine looks for it.
pub use crate::urls::is_loopback;

/// A transport failure as a one-line reason naming the host only: reqwest's own message holds the
/// whole URL, query included.
fn network_error(url: &Url, err: &reqwest::Error) -> IdpError {
    network_error_within(url, err, REQUEST_TIMEOUT)
}

/// As `network_error`, for a request that was allowed `timeout`.
fn network_error_within(url: &Url, err: &reqwest::Error, timeout: Duration) -> IdpError {
    let detail = error_chain(err);
    let reason = if err.is_timeout() {
        format!("no answer within {} s", timeout.as_secs())
    } else if detail.contains("certificate") || detail.contains("Certificate") {
        format!(
            "its TLS certificate is not trusted ({detail}); if your company uses its own CA, set \
             saml_ca_bundle or SAMLBRIDGE_CA_BUNDLE to its PEM file"
        )
    } else if err.is_connect() {
        format!("cannot connect ({detail})")
    } else {
        detail
    };
    IdpError::Network {
        host: host_of(url),
        reason,
    }
}

/// The innermost causes of an error, which say what happened; reqwest's outer layers say only that a
/// request failed (and name the URL).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(e) = source {
        causes.push(e.to_string());
        source = e.source();
    }
    let inner: Vec<String> = causes.into_iter().rev().take(2).collect();
    if inner.is_empty() {
        "the request failed".to_string()
    } else {
        inner.into_iter().rev().collect::<Vec<_>>().join(": ")
    }
}

mod integrated;

#[cfg(test)]
mod tests;
