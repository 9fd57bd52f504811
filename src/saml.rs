//! The SAML assertion: decoding the SAMLResponse and reading what AWS needs from it.
//!
//! (skeleton: types fixed; parsing to be written — quick-xml, no DTD/entity expansion, size limits.)

use crate::secret::Secret;
use time::OffsetDateTime;

/// The SAMLResponse form value exactly as the IdP sent it (base64). It is a bearer secret.
#[derive(Debug, Clone)]
pub struct SamlAssertion {
    encoded: Secret,
}

impl SamlAssertion {
    /// Takes the form value as found in the page (already HTML-entity-decoded by the form parser).
    pub fn from_form_value(value: &str) -> Self {
        SamlAssertion {
            encoded: Secret::new(value),
        }
    }

    /// The base64 text STS wants as `SAMLAssertion`, without whitespace.
    pub fn base64(&self) -> &Secret {
        &self.encoded
    }
}

/// An AWS partition, told apart by the sign-in endpoint the assertion is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partition {
    #[default]
    Aws,
    AwsUsGov,
    AwsCn,
}

/// One role the assertion offers: the role to assume and the SAML provider that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleOption {
    pub role_arn: String,
    pub principal_arn: String,
}

impl RoleOption {
    /// The 12-digit account id in the role ARN (`arn:aws:iam::ACCOUNT:role/...`).
    pub fn account_id(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or("")
    }

    /// The role name: the last path segment of the ARN's resource.
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or("")
    }
}

/// What samlbridge reads from an assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlClaims {
    pub roles: Vec<RoleOption>,
    /// `https://aws.amazon.com/SAML/Attributes/RoleSessionName`
    pub session_name: Option<String>,
    /// `https://aws.amazon.com/SAML/Attributes/SessionDuration`, seconds.
    pub session_duration: Option<i32>,
    pub not_on_or_after: Option<OffsetDateTime>,
    /// Response `Destination`, else SubjectConfirmationData `Recipient`.
    pub destination: Option<String>,
    pub partition: Partition,
}

#[derive(Debug, thiserror::Error)]
pub enum SamlError {
    #[error(
        "the SAMLResponse from {host} is not valid base64; run with -vv to see the page it came from"
    )]
    Base64 { host: String },
    #[error("the SAMLResponse from {host} is not readable XML ({reason})")]
    Xml { host: String, reason: String },
    #[error(
        "the SAML assertion from {host} offers no AWS role; ask your IdP admin to map you to a role"
    )]
    NoRoles { host: String },
}

/// Decodes and parses an assertion. `host` names the IdP in error messages.
pub fn parse(_assertion: &SamlAssertion, _host: &str) -> Result<SamlClaims, SamlError> {
    todo!("saml::parse")
}
