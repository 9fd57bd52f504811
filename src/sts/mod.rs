//! AWS STS: AssumeRoleWithSAML into the gateway account, then AssumeRole hops into child accounts,
//! concurrently. A small `Sts` trait so the chain walker can be tested without a network.
//!
//! (skeleton: types fixed; the SDK implementation and the walker to be written.)

use crate::config::ChainHop;
use crate::error::ExitKind;
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use std::future::Future;
use time::OffsetDateTime;

/// Temporary AWS credentials as STS returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
}

/// AssumeRoleWithSAML's inputs.
#[derive(Debug, Clone)]
pub struct SamlRoleRequest<'a> {
    pub profile: &'a str,
    pub role_arn: &'a str,
    pub principal_arn: &'a str,
    pub assertion: &'a SamlAssertion,
    pub duration_seconds: Option<i32>,
}

/// AssumeRole's inputs for one chained hop.
#[derive(Debug, Clone)]
pub struct HopRequest<'a> {
    pub profile: &'a str,
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration_seconds: Option<i32>,
    pub source: &'a Credentials,
}

pub trait Sts: Send + Sync {
    fn assume_role_with_saml(
        &self,
        req: SamlRoleRequest<'_>,
    ) -> impl Future<Output = Result<Credentials, StsError>> + Send;
    fn assume_role(
        &self,
        req: HopRequest<'_>,
    ) -> impl Future<Output = Result<Credentials, StsError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum StsError {
    /// STS answered with an error document.
    #[error("profile {profile}: STS refused {action}: {code}: {message}")]
    Service {
        profile: String,
        action: &'static str,
        code: String,
        message: String,
    },
    /// No answer, or not one STS would give (network, TLS, timeout).
    #[error(
        "profile {profile}: could not reach STS at {endpoint}: {reason}; check your network or proxy and try again"
    )]
    Network {
        profile: String,
        endpoint: String,
        reason: String,
    },
    #[error("profile {profile}: STS gave an answer samlbridge cannot read: {reason}")]
    Unreadable { profile: String, reason: String },
}

impl StsError {
    pub fn exit_kind(&self) -> ExitKind {
        match self {
            StsError::Network { .. } => ExitKind::Network,
            _ => ExitKind::Unexpected,
        }
    }
}

/// The gateway step: AssumeRoleWithSAML; when STS says the duration exceeds the role's maximum, retry
/// once at 3600 and warn. Returns the credentials and the duration finally asked for.
pub async fn assume_gateway<S: Sts>(
    _sts: &S,
    _req: SamlRoleRequest<'_>,
) -> Result<Credentials, StsError> {
    todo!("sts::assume_gateway")
}

/// Every hop of the plan, each as soon as its source is ready, hops of one level concurrently;
/// never asking more than 3600 s (AWS's limit for chained sessions).
pub async fn walk_chain<S: Sts>(
    _sts: &S,
    _gateway_profile: &str,
    _gateway: &Credentials,
    _hops: &[ChainHop],
    _session_name: &str,
) -> Result<Vec<(String, Credentials)>, StsError> {
    todo!("sts::walk_chain")
}
