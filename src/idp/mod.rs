//! The IdP sign-in: signs in to an IdP the way a browser does (forms, redirects, cookies, MFA pages),
//! driven by provider files, until a page carries a SAMLResponse.
//!
//! The parts: `http` (the session: cookies, TLS roots, redirects), `page` and `form` (what a page
//! holds, as a browser reads it), `provider` (the provider files), `classify` (what a page is) and
//! `engine` (the loop that acts on each page). An IdP that signs in through an API rather than pages
//! (`okta`) has its own client, behind the same `sign_in` entry point; `fill` is what both
//! engines put into a page, `push` the wait for an approval all three share.

// The browser engine is a cargo feature (on by default); without it, `browser_off` stands in and
// says so when a sign-in would use it.
#[cfg(feature = "browser")]
mod browser;
#[cfg(not(feature = "browser"))]
#[path = "browser_off.rs"]
mod browser;
mod browser_options;
pub(crate) mod classify;
mod duo;
mod engine;
mod fill;
pub(crate) mod form;
pub(crate) mod http;
pub(crate) mod idx;
pub(crate) mod integrated;
pub(crate) mod okta;
pub(crate) mod page;
pub(crate) mod probe;
pub(crate) mod provider;
mod push;
mod urls;

pub use browser::{
    BrowserOptions, DEFAULT_WINDOW_TIMEOUT, forget as forget_browser, has_display,
    locate as locate_browser,
};
pub use http::IdpSession;
pub use integrated::{SignInAuth, TICKET_EXPIRED, parse_auth_hosts};
pub use provider::{ProviderInfo, ProviderOrigin};
pub use urls::host_of;

use crate::exit::ExitKind;
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use std::path::PathBuf;

/// What a login needs that is not a page: the start URL, the provider, and where answers come from.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    pub url: String,
    /// A provider name (`saml_provider` / `--provider`); None: detect from the pages.
    pub provider: Option<String>,
    /// PEM file of extra trusted roots (`saml_ca_bundle` / SAMLBRIDGE_CA_BUNDLE).
    pub ca_bundle: Option<PathBuf>,
    /// Directory of the user's own provider files, searched before the built-in ones.
    pub user_providers: Option<PathBuf>,
    /// The second factor to use when the IdP offers several (`saml_mfa_factor`: push, totp, sms,
    /// call, email, hotp, token, or Okta's factorType, optionally `/PROVIDER`, e.g. `totp/google`).
    /// None: a code factor when a code is at hand, else push, else the first the IdP lists. Used by
    /// the API providers (Okta) and by pages that offer a choice (AD FS's authentication methods,
    /// a method select on a code page), where its words may also name the method (`vip`). Duo's
    /// Universal Prompt takes `push` or `code`/`passcode` (idp/duo).
    pub mfa_factor: Option<String>,
    /// `saml_duo_device`: the phone Duo's prompt pushes to, by name or last digits; None: Duo's
    /// default push-capable phone.
    pub duo_device: Option<String>,
    /// Sign in through a real browser (`saml_browser`, `--browser`, `--headless`); None: the form
    /// engine (or the API provider).
    pub browser: Option<BrowserOptions>,
    /// `saml_auth` / `--auth`: forms, or Windows integrated sign-in (Kerberos, NTLM).
    pub auth: SignInAuth,
    /// `saml_username`, when the profile names one: the principal a Kerberos error tells to kinit.
    pub principal: Option<String>,
    /// `saml_auth_hosts`: hosts besides the `url`'s whose integrated sign-in challenge is answered.
    pub auth_hosts: Vec<String>,
    /// `saml_okta_api`: which of Okta's sign-in APIs the Okta provider speaks.
    pub okta_api: OktaApi,
}

/// Okta's two sign-in APIs (`saml_okta_api`): the Identity Engine's IDX, or the Classic
/// Authentication API; by default the AWS app's own sign-in page says which.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OktaApi {
    #[default]
    Auto,
    Idx,
    Classic,
}

impl OktaApi {
    pub const NAMES: [&str; 3] = ["auto", "idx", "classic"];

    pub fn parse(text: &str) -> Option<OktaApi> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(OktaApi::Auto),
            "idx" | "oie" => Some(OktaApi::Idx),
            "classic" | "authn" => Some(OktaApi::Classic),
            _ => None,
        }
    }
}

/// Where the engine gets what only the user knows, asked lazily: a login that reuses a session may
/// never need the password.
pub trait LoginAnswers: Send {
    fn username(&mut self) -> Result<String, IdpError>;
    fn password(&mut self) -> Result<Secret, IdpError>;
    /// `label` is what the IdP's page calls the code ("Verification code", "Passcode"...).
    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError>;
    /// Whether a one-time code is at hand without asking anyone (--mfa-code, an MFA command): an
    /// IdP offering several factors is then answered with one that takes a code, not a push.
    fn has_mfa_code(&self) -> bool {
        false
    }
    /// Something the person must see while the engine waits (a push to approve, a number to pick).
    fn notice(&mut self, message: &str) {
        tell!("{}", crate::shown::message(message));
    }
    /// The code that follows the one just sent, which the IdP asks for by design (RSA SecurID's
    /// next-tokencode mode): a fresh code, never the one already used.
    fn next_mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        self.mfa_code(&format!("{label} (the next code: wait for it to change)"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    /// The IdP said no: wrong password, wrong or expired code, locked account (exit 3).
    #[error("{host} rejected the sign-in: the IdP said: '{}'", crate::shown::outside(.message))]
    Rejected { host: String, message: String },
    /// An answer only a person can give, and none can be had (exit 3).
    #[error("{host} asks for {}, and there is no terminal to ask; {next}", crate::shown::outside(.what))]
    NeedsPerson {
        host: String,
        what: String,
        next: String,
    },
    /// A page the engine cannot classify, or a flow that does not end (exit 4).
    #[error("{host}: unexpected page '{}' at {}; {hint}", crate::shown::outside(.title), crate::shown::outside(.url))]
    UnexpectedPage {
        host: String,
        url: String,
        title: String,
        hint: String,
    },
    /// The user's own MFA command gave no code (exit 3: a person must fix it or type the code).
    #[error(
        "{host} asks for a one-time code, and the MFA command ({program}) {problem}; fix \
         saml_mfa_command or --mfa-command, or leave it out to be asked for the code",
        problem = crate::shown::outside(.problem)
    )]
    MfaCommand {
        host: String,
        program: String,
        problem: String,
    },
    /// The browser engine could not finish: a step only a person can take (`person`, exit 3), or
    /// a page or browser that did not behave (exit 4). The message names the next step.
    #[error("{host}: {message}")]
    Browser {
        host: String,
        message: String,
        person: bool,
    },
    /// Windows integrated sign-in could not go on: no Kerberos ticket, an unknown service
    /// (`person`, exit 3), or an answer that breaks the handshake (exit 4).
    #[error("{host}: {message}")]
    Integrated {
        host: String,
        message: String,
        person: bool,
    },
    /// No Kerberos ticket, or an expired one, for a Kerberos sign-in: a person must run kinit
    /// (exit 3).
    #[error("{host}: {message}")]
    NoTicket {
        host: String,
        message: String,
        expired: bool,
    },
    /// Duo's prompt offers no factor samlbridge can use, or not the one asked for: the message
    /// names what it offers (exit 3).
    #[error("{host}: {}", crate::shown::outside(.message))]
    Duo { host: String, message: String },
    /// Network, TLS, timeout (exit 5).
    #[error(
        "could not reach {host}: {reason}; check the URL, your network or proxy, and try again",
        reason = crate::shown::outside(.reason)
    )]
    Network { host: String, reason: String },
    /// The browser cannot be made to trust exactly what samlbridge trusts (saml_ca_bundle without
    /// a way to give it to the browser): it is not started (exit 5, as a certificate problem).
    #[error("{host}: {message}")]
    Trust { host: String, message: String },
    /// A bad provider file or name, an insecure URL (exit 2).
    #[error("{0}")]
    Setup(String),
    /// This machine failed the sign-in: stdin or the terminal could not be read (exit 1).
    #[error("{0}")]
    Local(String),
    /// The IdP's pages are drawn by script (Entra ID's converged sign-in): only the browser engine
    /// signs in. The caller starts it; at the top, no browser could be used (exit 2).
    #[error(
        "{host}: the sign-in pages are {provider}'s, drawn by script: they need the browser engine \
         (saml_provider = {provider}, or saml_browser = true)"
    )]
    NeedsBrowser { host: String, provider: String },
    #[error("{}:{line}: {}", .file.display(), crate::shown::outside(.message))]
    ProviderFile {
        file: PathBuf,
        line: usize,
        message: String,
    },
}

impl IdpError {
    /// The sign-in failed because the Kerberos ticket has expired (`refresh` says so).
    pub fn is_ticket_expired(&self) -> bool {
        matches!(self, IdpError::NoTicket { expired: true, .. })
    }

    pub fn exit_kind(&self) -> ExitKind {
        match self {
            IdpError::Rejected { .. }
            | IdpError::NeedsPerson { .. }
            | IdpError::MfaCommand { .. }
            | IdpError::Duo { .. }
            | IdpError::NoTicket { .. } => ExitKind::AuthRejected,
            IdpError::Browser { person: true, .. } | IdpError::Integrated { person: true, .. } => {
                ExitKind::AuthRejected
            }
            IdpError::UnexpectedPage { .. }
            | IdpError::Browser { .. }
            | IdpError::Integrated { .. } => ExitKind::Unexpected,
            IdpError::Network { .. } | IdpError::Trust { .. } => ExitKind::Network,
            IdpError::Setup(_) | IdpError::ProviderFile { .. } | IdpError::NeedsBrowser { .. } => {
                ExitKind::Usage
            }
            IdpError::Local(_) => ExitKind::Other,
        }
    }
}

/// Signs in and returns the assertion the IdP posts to AWS, with a fresh session.
#[cfg(test)]
pub async fn sign_in_fresh(
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    let session = IdpSession::new(req)?;
    sign_in(&session, req, answers).await
}

/// Signs in through `session`, whose cookies the caller may have loaded (a session the IdP still
/// knows skips the password) and may save afterwards.
pub async fn sign_in(
    session: &IdpSession,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    if let Some(options) = &req.browser {
        return browser::sign_in(req, options, answers).await;
    }
    if okta::applies(req) {
        return okta::sign_in(session, req, answers).await;
    }
    if req.auth == SignInAuth::Ntlm {
        // Asked before the first page: the challenge comes in the middle of a request.
        let username = answers.username()?;
        session.use_ntlm(integrated::NtlmCredentials::new(
            &username,
            answers.password()?,
        ));
    }
    engine::run(session, req, answers).await
}

/// The built-in providers' names (tests of messages that list them).
#[cfg(test)]
pub fn provider_names() -> Vec<&'static str> {
    let mut names = provider::built_in_names();
    names.push(okta::NAME);
    names.sort_unstable();
    names
}

/// Every provider a login with `user_dir` can use, by name, with where each comes from (for
/// `samlbridge providers`); a user file with a built-in's name is listed once, as the user's. A bad
/// provider file is an error naming its file and line.
pub fn list_providers(user_dir: Option<&std::path::Path>) -> Result<Vec<ProviderInfo>, IdpError> {
    let mut listed = provider::Providers::load(user_dir)?.infos();
    // Okta is code, not a file: its name always means the API client.
    listed.retain(|info| info.name != okta::NAME);
    listed.push(ProviderInfo {
        name: okta::NAME.to_string(),
        description: okta::DESCRIPTION.to_string(),
        origin: ProviderOrigin::BuiltIn,
    });
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(listed)
}
