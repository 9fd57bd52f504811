//! The login engine: signs in to an IdP the way a browser does (forms, redirects, cookies, MFA pages),
//! driven by provider files, until a page carries a SAMLResponse.
//!
//! (skeleton: types fixed; the engine, the HTTP session and the provider files to be written.)

use crate::error::ExitKind;
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use std::path::PathBuf;

/// What a login needs that is not a page: the start URL, the provider, and where answers come from.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub url: String,
    /// A provider name (`saml_provider` / `--provider`); None: detect from the pages.
    pub provider: Option<String>,
    /// PEM file of extra trusted roots (`saml_ca_bundle` / SAMLBRIDGE_CA_BUNDLE).
    pub ca_bundle: Option<PathBuf>,
    /// Directory of the user's own provider files, searched before the built-in ones.
    pub user_providers: Option<PathBuf>,
}

/// Where the engine gets what only the user knows, asked lazily: a login that reuses a session may
/// never need the password.
pub trait LoginAnswers: Send {
    fn username(&mut self) -> Result<String, IdpError>;
    fn password(&mut self) -> Result<Secret, IdpError>;
    /// `label` is what the IdP's page calls the code ("Verification code", "Passcode"...).
    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError>;
}

#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    /// The IdP said no: wrong password, wrong or expired code, locked account (exit 3).
    #[error("{host} rejected the sign-in: the IdP said: '{message}'")]
    Rejected { host: String, message: String },
    /// An answer only a person can give, and none can be had (exit 3).
    #[error("{host} asks for {what}, and there is no terminal to ask; {next}")]
    NeedsPerson {
        host: String,
        what: String,
        next: String,
    },
    /// A page the engine cannot classify, or a flow that does not end (exit 4).
    #[error("{host}: unexpected page '{title}' at {url}; {hint}")]
    UnexpectedPage {
        host: String,
        url: String,
        title: String,
        hint: String,
    },
    /// Network, TLS, timeout (exit 5).
    #[error(
        "could not reach {host}: {reason}; check the URL, your network or proxy, and try again"
    )]
    Network { host: String, reason: String },
    /// A bad provider file or name, an insecure URL (exit 2).
    #[error("{0}")]
    Setup(String),
    #[error("{file}:{line}: {message}")]
    ProviderFile {
        file: PathBuf,
        line: usize,
        message: String,
    },
}

impl IdpError {
    pub fn exit_kind(&self) -> ExitKind {
        match self {
            IdpError::Rejected { .. } | IdpError::NeedsPerson { .. } => ExitKind::AuthRejected,
            IdpError::UnexpectedPage { .. } => ExitKind::Unexpected,
            IdpError::Network { .. } => ExitKind::Network,
            IdpError::Setup(_) | IdpError::ProviderFile { .. } => ExitKind::Usage,
        }
    }
}

/// Signs in and returns the assertion the IdP posts to AWS.
pub async fn login(
    _req: &LoginRequest,
    _answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    todo!("idp::login")
}
