//! The legs of an integrated sign-in, each a repeat of the request that was answered `401`, with
//! an `Authorization` header, until the IdP answers with something else. Every answer's body is
//! read to its end before the next leg, so the connection goes back to the pool and the next leg
//! takes it: NTLM authenticates the connection, not the request (IIS requires one connection).

use super::IdpSession;
use crate::idp::IdpError;
use crate::idp::form::Method;
use crate::idp::integrated::gssapi::{self, Context};
use crate::idp::integrated::ntlm::{self, NtlmCredentials};
use crate::idp::integrated::{Offered, SignInAuth, encode, kerberos_error};
use crate::idp::page::Page;
use crate::idp::urls::{host_of, without_query};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use std::time::Duration;
use tracing::debug;
use url::Url;

/// Legs sent before the IdP is declared to be going round in circles (NTLM needs two).
const MAX_LEGS: usize = 4;

/// The client side of one handshake.
enum Mechanism<'a> {
    Kerberos(Context),
    Ntlm(&'a NtlmCredentials),
}

/// One request to repeat with credentials: what `IdpSession::fetch` was sending.
pub(crate) struct Repeat<'a> {
    pub method: Method,
    pub url: &'a Url,
    pub form: &'a [(String, String)],
    pub timeout: Duration,
}

/// The schemes a `401` offers.
pub(crate) fn offered(response: &reqwest::Response) -> Offered {
    Offered::read(
        response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

impl IdpSession {
    /// The account to answer NTLM challenges with.
    pub fn use_ntlm(&self, creds: NtlmCredentials) {
        if let Ok(mut slot) = self.ntlm.lock() {
            *slot = Some(creds);
        }
    }

    pub(crate) fn auth(&self) -> SignInAuth {
        self.auth
    }

    pub(crate) fn principal(&self) -> Option<&str> {
        self.principal.as_deref()
    }

    /// A `401` offering Negotiate or NTLM, answered when the sign-in is integrated; any other
    /// answer as it is.
    pub(super) async fn answer_challenge(
        &self,
        repeat: Repeat<'_>,
        response: reqwest::Response,
    ) -> Result<reqwest::Response, IdpError> {
        if !self.answers_challenges
            || !self.auth.is_integrated()
            || response.status() != StatusCode::UNAUTHORIZED
            || !offered(&response).any()
        {
            return Ok(response);
        }
        if !self.auth_hosts.allows(repeat.url) {
            return Err(self.not_named(repeat.url));
        }
        // Taken out of the lock for the handshake: the lock is not held across an await.
        let creds = self.ntlm.lock().ok().and_then(|mut slot| slot.take());
        let answered = self.integrated(repeat, response, creds.as_ref()).await;
        if let (Some(creds), Ok(mut slot)) = (creds, self.ntlm.lock()) {
            *slot = Some(creds);
        }
        answered
    }

    /// Answers a `401` that offers Negotiate or NTLM; returns the IdP's first answer that is not
    /// a challenge (checked for mutual authentication), or the error that says why not.
    pub(crate) async fn integrated(
        &self,
        repeat: Repeat<'_>,
        first: reqwest::Response,
        ntlm_creds: Option<&NtlmCredentials>,
    ) -> Result<reqwest::Response, IdpError> {
        let url = repeat.url;
        let host = url.host_str().unwrap_or_default().to_string();
        let offer = offered(&first);
        self.drain(url, first, repeat.timeout).await?;
        let (scheme, mut mechanism) = self.mechanism(&host, &offer, ntlm_creds)?;
        let mut token = match &mut mechanism {
            Mechanism::Kerberos(context) => context
                .step(None)
                .map_err(|f| kerberos_error(&host, self.principal(), &f))?
                .unwrap_or_default(),
            Mechanism::Ntlm(_) => ntlm::negotiate().map_err(|m| broken(url, m))?,
        };
        for leg in 1..=MAX_LEGS {
            debug!("{scheme} leg {leg} to {}", without_query(url));
            let response = self
                .request(repeat.method, url, repeat.form)
                .header(AUTHORIZATION, format!("{scheme} {}", encode(&token)))
                .timeout(repeat.timeout)
                .send()
                .await
                .map_err(|e| self.network(url, &e, repeat.timeout))?;
            let offer = offered(&response);
            let server = if scheme == "NTLM" {
                offer.ntlm
            } else {
                offer.negotiate
            };
            if response.status() != StatusCode::UNAUTHORIZED {
                if let Mechanism::Kerberos(context) = &mut mechanism {
                    mutual(context, server.as_deref(), url)?;
                }
                return Ok(response);
            }
            let next = match (&mut mechanism, server) {
                (Mechanism::Ntlm(creds), Some(challenge)) if leg == 1 => {
                    Some(ntlm::authenticate(&challenge, creds).map_err(|m| broken(url, m))?)
                }
                _ => None,
            };
            let Some(next) = next else {
                return Err(self.refused(url, response, repeat.timeout).await);
            };
            self.drain(url, response, repeat.timeout).await?;
            token = next;
        }
        Err(broken(
            url,
            format!("it asked for more than {MAX_LEGS} legs of {scheme}"),
        ))
    }

    fn mechanism<'a>(
        &self,
        host: &str,
        offer: &Offered,
        ntlm_creds: Option<&'a NtlmCredentials>,
    ) -> Result<(&'static str, Mechanism<'a>), IdpError> {
        match self.auth() {
            SignInAuth::Kerberos if offer.negotiate_offered => {
                let gss = gssapi::system().map_err(IdpError::Setup)?;
                let context = gss
                    .context(host)
                    .map_err(|f| kerberos_error(host, self.principal(), &f))?;
                Ok(("Negotiate", Mechanism::Kerberos(context)))
            }
            SignInAuth::Kerberos => Err(IdpError::Setup(format!(
                "{host} offers only NTLM integrated sign-in, not Kerberos (Negotiate); set \
                 saml_auth = ntlm (or --auth ntlm)"
            ))),
            SignInAuth::Ntlm => {
                let creds = ntlm_creds.ok_or_else(|| {
                    IdpError::Local(format!(
                        "{host} asks for NTLM, and no username and password were given to the \
                         sign-in"
                    ))
                })?;
                let scheme = if offer.ntlm_offered {
                    "NTLM"
                } else {
                    "Negotiate"
                };
                Ok((scheme, Mechanism::Ntlm(creds)))
            }
            SignInAuth::Form => Err(IdpError::Local(
                "integrated sign-in was started for a forms profile".into(),
            )),
        }
    }

    /// A challenge from a host the user did not name: nothing is sent to it (no NTLM message, no
    /// Kerberos ticket is even asked for), and the person is told how to name it.
    fn not_named(&self, url: &Url) -> IdpError {
        IdpError::Integrated {
            host: host_of(url),
            message: format!(
                "asks for Windows integrated sign-in ({}), which samlbridge answers only for the \
                 saml_url's host and those in saml_auth_hosts ({}), over https (http only to this \
                 machine); nothing was sent to it: add it to saml_auth_hosts if it is your IdP",
                self.auth,
                self.auth_hosts.shown()
            ),
            person: true,
        }
    }

    /// Reads an answer to its end (bounded), so that its connection can carry the next leg.
    async fn drain(
        &self,
        url: &Url,
        response: reqwest::Response,
        timeout: Duration,
    ) -> Result<String, IdpError> {
        super::read_body_within(url, response, timeout).await
    }

    /// The IdP's refusal, in its own words (the page's title, else its text).
    async fn refused(&self, url: &Url, response: reqwest::Response, timeout: Duration) -> IdpError {
        let status = response.status().as_u16();
        let body = match self.drain(url, response, timeout).await {
            Ok(body) => body,
            Err(e) => return e,
        };
        let page = Page::parse(url.clone(), status, &body);
        let mut said = page.title();
        if said.trim().is_empty() && !body.contains('<') {
            said = crate::idp::form::collapse(&body)
                .chars()
                .take(200)
                .collect();
        }
        if said.trim().is_empty() {
            said = format!("HTTP {status} to the {} credentials", self.auth());
        }
        IdpError::Rejected {
            host: host_of(url),
            message: said,
        }
    }
}

/// Checks the server's last token, when it sent one: it must complete the context.
fn mutual(context: &mut Context, server: Option<&[u8]>, url: &Url) -> Result<(), IdpError> {
    let Some(token) = server else {
        return Ok(());
    };
    if context.is_complete() {
        return Ok(());
    }
    match context.step(Some(token)) {
        Ok(_) if context.is_complete() => Ok(()),
        Ok(_) => Err(broken(
            url,
            "its Kerberos answer did not complete mutual authentication".into(),
        )),
        Err(f) => Err(broken(
            url,
            format!(
                "mutual authentication failed: the server's Kerberos answer does not prove it \
                 is {} ({})",
                host_of(url),
                crate::shown::outside(&f.message)
            ),
        )),
    }
}

/// An answer integrated sign-in cannot go on with (exit 4).
fn broken(url: &Url, message: String) -> IdpError {
    IdpError::Integrated {
        host: host_of(url),
        message: format!("{message}; run with -vv to see the legs, or set saml_auth = form"),
        person: false,
    }
}
