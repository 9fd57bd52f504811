//! Okta, signed in through its Authentication API: Okta's sign-in page is a script, not a form, so
//! this provider is code. The password goes to `/api/v1/authn`, a second factor (a code, a push to
//! Okta Verify, a code sent by SMS, call or e-mail) is verified through the factor's links, and the
//! session token Okta answers with is swapped for Okta's session cookie on the way to the AWS app,
//! whose page carries the SAMLResponse.
//!
//! On an Identity Engine org (its app page bootstraps the Sign-In Widget with a `stateToken`), or
//! with `saml_okta_api = idx`, the sign-in is IDX instead (`idp::idx`), decided before the password
//! is sent; its success link leads to the same app page.
//!
//! Used when `saml_provider = okta`, or when saml_url is on an Okta host (`*.okta.com`,
//! `*.oktapreview.com`, `*.okta-emea.com`) or is an Okta AWS app link on a custom domain.

pub(crate) mod api;
mod exchange;
pub(crate) mod factors;

#[cfg(test)]
mod tests;

use super::http::IdpSession;
use super::idx::{self, IdxSignIn, PushTiming};
use super::urls::without_query;
use super::{IdpError, LoginAnswers, LoginRequest, OktaApi as OktaApiChoice};
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use api::{AuthnOptions, OktaApi, PrimaryBody, Transaction};
use std::time::Duration;
use tracing::{debug, info};
use url::Url;

/// The provider name (`saml_provider = okta`).
pub const NAME: &str = "okta";
pub const DESCRIPTION: &str = "Okta (Authentication API: password, TOTP, Okta Verify push, SMS, \
                               call and e-mail codes; Identity Engine IDX: password, TOTP, Okta \
                               Verify push, e-mail, SMS and voice codes), through the AWS app's \
                               embed link";

/// Hosts of Okta orgs; a custom domain is named with `saml_provider = okta`.
const HOST_SUFFIXES: [&str; 3] = [".okta.com", ".oktapreview.com", ".okta-emea.com"];
/// Calls made before the sign-in is declared stuck (push polls are not counted).
const MAX_STEPS: usize = 8;

/// How long a push is waited for, and how often Okta is asked about it.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub poll_interval: Duration,
    pub push_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            poll_interval: Duration::from_secs(2),
            push_timeout: Duration::from_secs(120),
        }
    }
}

/// Whether `req` signs in through Okta's API: named so, or its URL is an Okta org's.
pub fn applies(req: &LoginRequest) -> bool {
    match req.provider.as_deref() {
        Some(name) => name.trim().eq_ignore_ascii_case(NAME),
        None => Url::parse(req.url.trim()).is_ok_and(|u| is_okta_url(&u)),
    }
}

/// An Okta host, or an Okta AWS app link (`/home/amazon_aws/APP/272`, `/app/amazon_aws/ID/sso/saml`).
fn is_okta_url(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let path = url.path();
    HOST_SUFFIXES.iter().any(|s| host.ends_with(s))
        || path.starts_with("/home/amazon_aws/")
        || (path.starts_with("/app/amazon_aws/") && path.ends_with("/sso/saml"))
}

/// Signs in to the Okta org of `req.url` and opens that app link for its SAMLResponse.
pub async fn sign_in(
    session: &IdpSession,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    sign_in_with(session, req, answers, Timing::default()).await
}

async fn sign_in_with(
    session: &IdpSession,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
    timing: Timing,
) -> Result<SamlAssertion, IdpError> {
    let app = IdpSession::start_url(&req.url)?;
    let mut sign_in = OktaSignIn {
        api: OktaApi::new(session, &app),
        answers,
        preferred: req.mfa_factor.clone().filter(|f| !f.trim().is_empty()),
        timing,
    };
    let host = sign_in.api.host.clone();
    if let Some(assertion) = exchange::with_saved_session(&sign_in.api, session, &app).await? {
        info!(
            "{}: the saved Okta session is still valid",
            sign_in.api.host
        );
        return Ok(assertion);
    }
    if req.okta_api != OktaApiChoice::Classic {
        // Decided before any password is sent: the password goes to one API only, once.
        let page = session.get(app.clone()).await?;
        match idx::bootstrap_state_token(&page.body) {
            Some(state_token) => {
                let timing = PushTiming {
                    default_refresh: timing.poll_interval,
                    timeout: timing.push_timeout,
                };
                let run = IdxSignIn::new(session, &app, sign_in.answers, sign_in.preferred, timing);
                let success = run.run(state_token).await?;
                info!("{host}: opening the AWS app with the new session");
                let fetched = session.get(success).await?;
                return exchange::read_app_page(&OktaApi::new(session, &app), session, fetched)
                    .await;
            }
            None if req.okta_api == OktaApiChoice::Idx => {
                return Err(IdpError::UnexpectedPage {
                    host,
                    url: without_query(&page.url),
                    title: "Okta sign-in page".into(),
                    hint: "saml_okta_api = idx, but the app's sign-in page bootstraps no \
                           stateToken (an Identity Engine org's does); check saml_url, or set \
                           saml_okta_api = classic"
                        .into(),
                });
            }
            None => debug!("{host}: no stateToken on the app's page: a Classic org"),
        }
    }
    info!("{host}: signing in through Okta's authentication API");
    let token = sign_in.session_token().await?;
    exchange::saml_assertion(&sign_in.api, session, &app, token).await
}

/// One sign-in in progress.
struct OktaSignIn<'a> {
    api: OktaApi<'a>,
    answers: &'a mut dyn LoginAnswers,
    /// `saml_mfa_factor`.
    preferred: Option<String>,
    timing: Timing,
}

impl OktaSignIn<'_> {
    /// Drives the transaction from the password to a session token.
    async fn session_token(&mut self) -> Result<Secret, IdpError> {
        let mut tx = self.primary().await?;
        for _ in 0..MAX_STEPS {
            tx = match tx.status.as_str() {
                "SUCCESS" => return self.token_of(tx),
                "MFA_REQUIRED" => self.second_factor(&tx).await?,
                "MFA_CHALLENGE" => self.wait_for_push(tx).await?,
                _ => return Err(self.dead_end(&tx)),
            };
        }
        Err(self.api.unexpected(
            &self.authn_url()?,
            "no end",
            &format!("the sign-in did not finish after {MAX_STEPS} steps"),
        ))
    }

    fn authn_url(&self) -> Result<Url, IdpError> {
        self.api.url("/api/v1/authn")
    }

    /// Username and password, as Okta's primary authentication.
    async fn primary(&mut self) -> Result<Transaction, IdpError> {
        let username = self.answers.username()?;
        let password = self.answers.password()?;
        info!("{}: sending the username and password", self.api.host);
        let body = PrimaryBody {
            username: &username,
            password: password.expose(),
            options: AuthnOptions::default(),
        };
        self.api.post(&self.authn_url()?, &body).await
    }

    fn token_of(&self, tx: Transaction) -> Result<Secret, IdpError> {
        match &tx.session_token {
            Some(token) if !token.is_empty() => {
                info!("{}: signed in", self.api.host);
                Ok(token.clone())
            }
            _ => Err(self
                .api
                .unexpected_status(&tx, "Okta said SUCCESS without a sessionToken")),
        }
    }

    /// The transaction's stateToken, which every call after the password carries.
    fn state<'t>(&self, tx: &'t Transaction) -> Result<&'t Secret, IdpError> {
        match &tx.state_token {
            Some(token) => Ok(token),
            None => Err(self
                .api
                .unexpected_status(tx, "the transaction has no stateToken")),
        }
    }

    /// A status that ends the sign-in: in Okta's words where a person must act, else unexpected.
    fn dead_end(&self, tx: &Transaction) -> IdpError {
        let org = self.api.org.as_str().trim_end_matches('/');
        let message = match tx.status.as_str() {
            "LOCKED_OUT" => format!("the account is locked out (LOCKED_OUT); unlock it at {org}"),
            "PASSWORD_EXPIRED" => {
                format!("the password has expired (PASSWORD_EXPIRED); change it at {org}")
            }
            "MFA_ENROLL" | "MFA_ENROLL_ACTIVATE" => format!(
                "a second factor must be set up first ({}); sign in at {org} to enroll one",
                tx.status
            ),
            _ => {
                return self
                    .api
                    .unexpected_status(tx, "samlbridge does not know this step of Okta's sign-in");
            }
        };
        IdpError::Rejected {
            host: self.api.host.clone(),
            message,
        }
    }
}
