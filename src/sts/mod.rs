//! AWS STS: AssumeRoleWithSAML into the gateway account, then AssumeRole hops into child accounts,
//! concurrently. A small `Sts` trait so the gateway step and the chain walker can be tested without
//! a network; `SdkSts` is the aws-sdk-sts implementation.

mod answer;
mod budget;
mod chain;
mod response_facts;
mod sdk;

pub(crate) use answer::parse_http_date;
pub use budget::{STS_BUDGET, StsBudget};
pub use chain::{session_name, walk_chain};
pub use sdk::{SdkSts, partition_of_region};

pub use crate::credentials::Credentials;
use crate::exit::ExitKind;
use crate::saml::SamlAssertion;
use std::future::Future;
use tracing::info;

/// What a gateway session is fitted to when the role's MaxSessionDuration is lower than asked.
pub const FITTED_SECONDS: i32 = 3600;

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
    #[error("profile {profile}: STS refused {action}: {}: {}", crate::shown::outside(.code), crate::shown::outside(.message))]
    Service {
        profile: String,
        action: &'static str,
        code: String,
        message: String,
    },
    /// No answer, or not one STS would give (network, TLS, timeout).
    #[error(
        "profile {profile}: could not reach STS at {endpoint}: {reason}; check your network or proxy and try again",
        reason = crate::shown::outside(.reason)
    )]
    Network {
        profile: String,
        endpoint: String,
        reason: String,
    },
    #[error("profile {profile}: STS gave an answer samlbridge cannot read: {}", crate::shown::outside(.reason))]
    Unreadable { profile: String, reason: String },
    /// STS answered, but the credentials in it cannot be used (empty, truncated, expired).
    #[error(
        "profile {profile}: STS's {action} answer holds no usable credentials: {problems}; nothing was cached or written; {next}"
    )]
    Unusable {
        profile: String,
        action: &'static str,
        problems: String,
        /// What to do: fix the local clock, or look at the endpoint and proxies.
        next: String,
    },
    /// The STS client cannot be set up as configured (a bad CA bundle, a bad endpoint URL).
    #[error("{0}")]
    Setup(String),
    /// A chained profile's source is neither the gateway nor another hop of this login.
    #[error(
        "profile {profile}: its saml_source {source_profile} is not part of this login; check saml_source in your config"
    )]
    UnknownSource {
        profile: String,
        source_profile: String,
    },
}

impl StsError {
    pub fn exit_kind(&self) -> ExitKind {
        match self {
            StsError::Network { .. } => ExitKind::Network,
            StsError::Setup(_) | StsError::UnknownSource { .. } => ExitKind::Usage,
            StsError::Service { .. } | StsError::Unreadable { .. } | StsError::Unusable { .. } => {
                ExitKind::Unexpected
            }
        }
    }

    /// STS's answer when the asked DurationSeconds is above what the role allows: "The requested
    /// DurationSeconds exceeds the MaxSessionDuration set for this role.", or the API's own bound
    /// ("Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less
    /// than or equal to 43200").
    pub fn is_duration_too_long(&self) -> bool {
        let StsError::Service { code, message, .. } = self else {
            return false;
        };
        let message = message.to_ascii_lowercase();
        code == "ValidationError"
            && (message.contains("maxsessionduration")
                || (message.contains("durationseconds") && message.contains("less than or equal")))
    }
}

/// AssumeRoleWithSAML's outcome, after fitting the duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlSession {
    pub credentials: Credentials,
    /// The DurationSeconds of the call that succeeded (None: not sent, STS's default of 1 h).
    pub duration_seconds: Option<i32>,
    /// The duration asked for was above the role's maximum, and the session was fitted to
    /// `FITTED_SECONDS`: the caller should say so on stderr.
    pub fitted: bool,
}

/// The gateway step: AssumeRoleWithSAML; when STS says the duration exceeds the role's maximum, retry
/// once at 3600 and warn.
pub async fn assume_with_saml_fitted<S: Sts>(
    sts: &S,
    req: SamlRoleRequest<'_>,
) -> Result<SamlSession, StsError> {
    info!(profile = req.profile, role = req.role_arn, duration = ?req.duration_seconds,
        "AssumeRoleWithSAML into the gateway role");
    let asked = req.duration_seconds;
    match sts.assume_role_with_saml(req.clone()).await {
        Ok(credentials) => Ok(SamlSession {
            credentials,
            duration_seconds: asked,
            fitted: false,
        }),
        Err(e) if e.is_duration_too_long() && asked.is_some_and(|d| d > FITTED_SECONDS) => {
            info!(
                profile = req.profile,
                "profile {}: {} s exceeds the maximum session duration of role {}; asking for {} s instead",
                req.profile,
                asked.unwrap_or_default(),
                req.role_arn,
                FITTED_SECONDS
            );
            let credentials = sts
                .assume_role_with_saml(SamlRoleRequest {
                    duration_seconds: Some(FITTED_SECONDS),
                    ..req
                })
                .await?;
            Ok(SamlSession {
                credentials,
                duration_seconds: Some(FITTED_SECONDS),
                fitted: true,
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
