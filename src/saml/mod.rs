//! The SAML assertion: decoding the SAMLResponse and reading what AWS needs from it (roles, session
//! name and duration, expiry, and the partition it is addressed to). Signatures are STS's business:
//! samlbridge only reads the assertion to choose a role, it never trusts it for anything else.

mod arn;
mod xml;

pub use arn::{IamResource, account_id, check_iam_arn, is_iam_arn, partition_field, resource_name};

use crate::secret::Secret;
use base64::Engine as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::{debug, info};
use zeroize::Zeroizing;

/// The largest decoded XML accepted. Real responses are a few KiB to a few tens of KiB.
pub const MAX_XML_BYTES: usize = 1024 * 1024;
/// The largest base64 text accepted (4/3 of the XML limit, with room for line breaks).
pub const MAX_BASE64_BYTES: usize = MAX_XML_BYTES / 3 * 4 + 64 * 1024;

/// The SAMLResponse form value as the IdP sent it (base64). It is a bearer secret, so its Debug is
/// redacted and it carries nothing else.
#[derive(Debug, Clone)]
pub struct SamlAssertion {
    encoded: Secret,
}

impl SamlAssertion {
    /// Takes the form value as found in the page (already HTML-entity-decoded by the form parser).
    /// Line breaks and other whitespace that some IdPs wrap the base64 in are removed here, as are
    /// numeric character references left in by a double-escaping page, and missing padding is added.
    pub fn from_form_value(value: &str) -> Self {
        SamlAssertion {
            encoded: Secret::new(normalise_base64(value)),
        }
    }

    /// The base64 text STS wants as `SAMLAssertion`: no whitespace, padded.
    pub fn base64(&self) -> &Secret {
        &self.encoded
    }
}

/// Whitespace out, `&#NN;`/`&#xHH;` references decoded, `=` padding completed.
fn normalise_base64(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        let (decoded, used) = match c {
            '&' => char_reference(rest).unwrap_or(('&', 1)),
            c => (c, c.len_utf8()),
        };
        if !decoded.is_ascii_whitespace() {
            out.push(decoded);
        }
        rest = &rest[used..];
    }
    while !out.is_empty() && !out.len().is_multiple_of(4) && out.len() % 4 != 1 {
        out.push('=');
    }
    out
}

/// A numeric character reference at the start of `s`, and how many bytes it takes.
fn char_reference(s: &str) -> Option<(char, usize)> {
    let end = s.char_indices().take(12).find(|&(_, c)| c == ';')?.0;
    let body = s.strip_prefix("&#")?.get(..end - 2)?;
    let code = match body.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body.parse().ok()?,
    };
    Some((char::from_u32(code)?, end + 1))
}

/// An AWS partition, told apart by the sign-in endpoint the assertion is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partition {
    #[default]
    Aws,
    AwsUsGov,
    AwsCn,
}

impl Partition {
    /// The partition as ARNs spell it: `aws`, `aws-us-gov`, `aws-cn`.
    pub fn arn_partition(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
        }
    }

    /// The region STS is called in when neither the profile nor the environment names one.
    pub fn sts_region_default(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsUsGov => "us-gov-west-1",
            Partition::AwsCn => "cn-north-1",
        }
    }

    /// The AWS sign-in host of the partition (where assertions are posted, and the console).
    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
            Partition::AwsCn => "signin.amazonaws.cn",
        }
    }

    const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsUsGov, Partition::AwsCn];

    /// From a Destination/Recipient URL: the sign-in host, or a regional one (`REGION.signin...`).
    fn from_signin_url(url: &str) -> Option<Partition> {
        let parsed = url::Url::parse(url.trim()).ok()?;
        let host = parsed.host_str()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|p| {
            let signin = p.signin_host();
            host == signin || host.strip_suffix(signin).is_some_and(|h| h.ends_with('.'))
        })
    }

    /// From an Audience: `urn:amazon:webservices`, `…:govcloud`, `…:cn`.
    fn from_audience(urn: &str) -> Option<Partition> {
        match urn.trim() {
            "urn:amazon:webservices" => Some(Partition::Aws),
            "urn:amazon:webservices:govcloud" => Some(Partition::AwsUsGov),
            "urn:amazon:webservices:cn" => Some(Partition::AwsCn),
            _ => None,
        }
    }

    /// From an ARN's partition field (`arn:aws-us-gov:iam::…`); None for an unknown partition.
    pub fn from_arn(arn: &str) -> Option<Partition> {
        let partition = partition_field(arn)?;
        Self::ALL
            .into_iter()
            .find(|p| p.arn_partition() == partition)
    }
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
        account_id(&self.role_arn)
    }

    /// The role name: the last path segment of the ARN's resource.
    pub fn role_name(&self) -> &str {
        resource_name(&self.role_arn)
    }

    /// A Role attribute value: "roleArn,principalArn" in either order, spaces around the comma; None
    /// unless both are well-formed IAM ARNs (see `arn`).
    fn from_attribute_value(value: &str) -> Option<RoleOption> {
        let (first, second) = value.trim().split_once(',')?;
        let (first, second) = (first.trim(), second.trim());
        let is_role = |arn: &str| is_iam_arn(arn, IamResource::Role);
        let is_provider = |arn: &str| is_iam_arn(arn, IamResource::SamlProvider);
        let (role, provider) = if is_role(first) && is_provider(second) {
            (first, second)
        } else if is_role(second) && is_provider(first) {
            (second, first)
        } else {
            return None;
        };
        Some(RoleOption {
            role_arn: role.to_owned(),
            principal_arn: provider.to_owned(),
        })
    }
}

/// What samlbridge reads from an assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlClaims {
    /// Every role offered, in the assertion's order, without duplicates.
    pub roles: Vec<RoleOption>,
    /// `https://aws.amazon.com/SAML/Attributes/RoleSessionName`
    pub session_name: Option<String>,
    /// `https://aws.amazon.com/SAML/Attributes/SessionDuration`, seconds.
    pub session_duration: Option<i32>,
    /// Conditions `NotOnOrAfter`, else SubjectConfirmationData `NotOnOrAfter`.
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
    #[error("the SAMLResponse from {host} is not readable XML ({})", crate::shown::outside(.reason))]
    Xml { host: String, reason: String },
    #[error(
        "the SAML assertion from {host} offers no AWS role{skipped}; ask your IdP admin to map you to a role"
    )]
    NoRoles {
        host: String,
        /// ` (N malformed Role values skipped)`, or empty.
        skipped: String,
    },
    /// The IdP answered with a SAML status other than Success (and no assertion to use).
    #[error(
        "{host} answered with SAML status {status}{message}; ask your IdP admin whether you may sign in to AWS",
        status = crate::shown::outside(.status),
        message = crate::shown::outside(.message)
    )]
    Status {
        host: String,
        /// The status codes' last parts, outer first: `Responder/RequestDenied`.
        status: String,
        /// `: 'the IdP's StatusMessage'`, or empty.
        message: String,
    },
}

/// Decodes and parses an assertion. `host` names the IdP in error messages.
pub fn parse(assertion: &SamlAssertion, host: &str) -> Result<SamlClaims, SamlError> {
    let xml = decode(assertion, host)?;
    let raw = xml::walk(&xml).map_err(|reason| SamlError::Xml {
        host: host.to_owned(),
        reason,
    })?;
    claims(raw, host)
}

/// The XML text, held in memory that is zeroed when dropped: it is the assertion itself.
fn decode(assertion: &SamlAssertion, host: &str) -> Result<Zeroizing<String>, SamlError> {
    let too_big = |what: &str, size: usize, limit: usize| SamlError::Xml {
        host: host.to_owned(),
        reason: format!("the {what} is {size} bytes, more than the limit of {limit}"),
    };
    let encoded = assertion.base64().expose();
    if encoded.len() > MAX_BASE64_BYTES {
        return Err(too_big("SAMLResponse", encoded.len(), MAX_BASE64_BYTES));
    }
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT
            .decode(encoded)
            .map_err(|_| SamlError::Base64 {
                host: host.to_owned(),
            })?,
    );
    if bytes.len() > MAX_XML_BYTES {
        return Err(too_big("decoded XML", bytes.len(), MAX_XML_BYTES));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| SamlError::Xml {
        host: host.to_owned(),
        reason: format!("it is not UTF-8 text: {e}"),
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

fn claims(raw: xml::RawClaims, host: &str) -> Result<SamlClaims, SamlError> {
    let (roles, skipped) = roles(&raw.role_values, host);
    if roles.is_empty() {
        if let Some(err) = status_error(&raw, host) {
            return Err(err);
        }
        if raw.encrypted {
            return Err(SamlError::Xml {
                host: host.to_owned(),
                reason:
                    "its assertion is encrypted; ask your IdP admin to send AWS an unencrypted \
                         assertion, which samlbridge can read"
                        .into(),
            });
        }
        return Err(SamlError::NoRoles {
            host: host.to_owned(),
            skipped: match skipped {
                0 => String::new(),
                n => format!(" ({n} malformed Role value(s) skipped)"),
            },
        });
    }
    let destination = [&raw.destination, &raw.recipient]
        .into_iter()
        .flatten()
        .map(|d| d.trim())
        .find(|d| !d.is_empty())
        .map(str::to_owned);
    let partition = destination
        .as_deref()
        .and_then(Partition::from_signin_url)
        .or_else(|| {
            raw.audiences
                .iter()
                .find_map(|a| Partition::from_audience(a))
        })
        .or_else(|| Partition::from_arn(&roles[0].role_arn))
        .unwrap_or_default();
    Ok(SamlClaims {
        session_name: first_value(&raw.session_names),
        session_duration: first_value(&raw.session_durations).and_then(|d| {
            d.parse()
                .inspect_err(|_| debug!(value = %d, "SessionDuration is not a number; ignored"))
                .ok()
        }),
        not_on_or_after: not_on_or_after(&raw),
        destination,
        partition,
        roles,
    })
}

/// A Response whose status is not Success, as an error naming the status and the IdP's message.
fn status_error(raw: &xml::RawClaims, host: &str) -> Option<SamlError> {
    let outer = raw.status_codes.first()?;
    if outer.ends_with(":Success") {
        return None;
    }
    let status = raw
        .status_codes
        .iter()
        .map(|code| code.rsplit(':').next().unwrap_or(code))
        .collect::<Vec<_>>()
        .join("/");
    let message = raw
        .status_message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| format!(": '{m}'"))
        .unwrap_or_default();
    Some(SamlError::Status {
        host: host.to_owned(),
        status,
        message,
    })
}

/// The well-formed roles, first occurrence kept, and how many values were skipped as malformed.
fn roles(values: &[String], host: &str) -> (Vec<RoleOption>, usize) {
    let mut roles: Vec<RoleOption> = Vec::new();
    let mut skipped = 0;
    for value in values {
        match RoleOption::from_attribute_value(value) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => {
                skipped += 1;
                debug!(
                    value = %crate::shown::outside(value),
                    "skipping a Role attribute value that is not 'role ARN,SAML provider ARN'"
                );
            }
        }
    }
    if skipped > 0 {
        info!(
            "{}: skipped {skipped} Role value(s) of the assertion that are not a well-formed 'role ARN,SAML provider ARN' pair",
            crate::shown::outside(host)
        );
    }
    (roles, skipped)
}

fn first_value(values: &[String]) -> Option<String> {
    values
        .iter()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

fn not_on_or_after(raw: &xml::RawClaims) -> Option<OffsetDateTime> {
    let text = raw
        .conditions_not_on_or_after
        .as_deref()
        .or(raw.confirmation_not_on_or_after.as_deref())?
        .trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .inspect_err(
            |e| debug!(value = %text, "NotOnOrAfter is not an RFC 3339 time ({e}); ignored"),
        )
        .ok()
}

#[cfg(test)]
mod tests;
