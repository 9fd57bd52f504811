//! The three STS actions samlbridge and the AWS CLI use, with AWS's checks in AWS's order and words.

use super::sigv4;
use super::xml::{self, StsFault};
use super::{IssuedSession, SessionSource, Sts, StsCall};
use crate::http::{HttpRequest, field};
use crate::saml;
use crate::{random_bytes, random_from};
use base64::Engine as _;
use std::time::Duration;
use time::OffsetDateTime;

pub const CHAINING_LIMIT: &str = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.";
pub const OVER_MAX_SESSION: &str =
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";
const BAD_SIGNATURE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn required<'a>(
    params: &'a [(String, String)],
    name: &str,
    member: &str,
) -> Result<&'a str, StsFault> {
    field(params, name).ok_or_else(|| {
        StsFault::validation(&format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// DurationSeconds as asked (AWS's default 3600), within the API's own 900..=43200.
fn requested_duration(params: &[(String, String)]) -> Result<i32, StsFault> {
    let Some(raw) = field(params, "DurationSeconds") else {
        return Ok(3600);
    };
    let constraint = |what: &str| {
        StsFault::validation(&format!(
            "1 validation error detected: Value '{raw}' at 'durationSeconds' failed to satisfy constraint: {what}"
        ))
    };
    let seconds: i32 = raw
        .parse()
        .map_err(|_| constraint("Member must be a number"))?;
    if seconds < 900 {
        return Err(constraint(
            "Member must have value greater than or equal to 900",
        ));
    }
    if seconds > 43200 {
        return Err(constraint(
            "Member must have value less than or equal to 43200",
        ));
    }
    Ok(seconds)
}

fn check_session_name(name: &str) -> Result<(), StsFault> {
    let fail = |what: &str| {
        StsFault::validation(&format!(
            "1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: {what}"
        ))
    };
    if name.len() < 2 {
        return Err(fail("Member must have length greater than or equal to 2"));
    }
    if name.len() > 64 {
        return Err(fail("Member must have length less than or equal to 64"));
    }
    let ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !ok {
        return Err(fail(
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    Ok(())
}

/// A new session for `role_arn`, remembered so its keys can sign later calls.
fn issue(
    sts: &Sts,
    role_arn: &str,
    session_name: &str,
    duration: i32,
    not_after: Option<OffsetDateTime>,
    source: SessionSource,
) -> IssuedSession {
    let now = sts
        .now()
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut expiration = now + Duration::from_secs(duration.max(0) as u64);
    if let Some(limit) = not_after {
        expiration = expiration.min(limit.replace_nanosecond(0).unwrap_or(limit));
    }
    if let Some(lifetime) = sts.config.lifetime {
        expiration = expiration.min(now + lifetime);
    }
    let session = IssuedSession {
        access_key_id: format!(
            "ASIA{}",
            random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ),
        secret_access_key: random_from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            40,
        ),
        session_token: format!(
            "IQoJb3JpZ2luX2VjE{}",
            base64::engine::general_purpose::STANDARD.encode(random_bytes(300))
        ),
        expiration,
        role_arn: role_arn.into(),
        session_name: session_name.into(),
        duration_seconds: duration,
        source,
    };
    sts.remember(session.clone());
    session
}

/// `AROA…` + `:session`: a stable id per role, as AWS's RoleId.
fn assumed_role_id(session: &IssuedSession) -> String {
    let digest = sigv4::sha256_hex(session.role_arn.as_bytes()).to_ascii_uppercase();
    format!("AROA{}:{}", &digest[..17], session.session_name)
}

fn result_xml(session: &IssuedSession, extra: &str) -> String {
    format!(
        "{}\n    {}{extra}",
        xml::credentials(
            &session.access_key_id,
            &session.secret_access_key,
            &session.session_token,
            session.expiration
        ),
        xml::assumed_role_user(&session.assumed_role_arn(), &assumed_role_id(session)),
    )
}

fn invalid_token(message: &str) -> StsFault {
    StsFault::new(400, "InvalidIdentityToken", message)
}

/// Decodes and reads the assertion as AWS does: strict base64, addressed to AWS, not expired.
fn read_assertion(encoded: &str) -> Result<saml::ParsedResponse, StsFault> {
    if encoded.chars().any(char::is_whitespace) {
        return Err(invalid_token(
            "Invalid base64 SAMLResponse (contains whitespace)",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid_token("Invalid base64 SAMLResponse"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| invalid_token("Invalid SAML response: not UTF-8"))?;
    let parsed = saml::parse_response(&text)
        .map_err(|e| invalid_token(&format!("Invalid SAML response: {e}")))?;
    let addressed = parsed
        .recipient
        .as_deref()
        .or(parsed.destination.as_deref())
        .is_some_and(|r| r.starts_with(saml::AWS_SIGNIN));
    if !addressed {
        return Err(invalid_token(
            "The SAML assertion is not addressed to https://signin.aws.amazon.com/saml",
        ));
    }
    if parsed
        .not_on_or_after
        .is_some_and(|t| t < OffsetDateTime::now_utc())
    {
        return Err(StsFault::new(
            400,
            "ExpiredTokenException",
            "Token must be redeemed within 5 minutes of issuance",
        ));
    }
    Ok(parsed)
}

pub(super) fn assume_role_with_saml(
    sts: &Sts,
    params: &[(String, String)],
    call: &mut StsCall,
) -> Result<String, StsFault> {
    let role_arn = required(params, "RoleArn", "roleArn")?;
    let principal_arn = required(params, "PrincipalArn", "principalArn")?;
    let encoded = required(params, "SAMLAssertion", "SAMLAssertion")?;
    let duration = requested_duration(params)?;
    let assertion = read_assertion(encoded)?;
    let offered = assertion
        .role_pairs()
        .iter()
        .any(|(r, p)| r == role_arn && p == principal_arn);
    let not_authorized =
        || StsFault::access_denied("Not authorized to perform sts:AssumeRoleWithSAML");
    if !offered {
        call.detail = Some(format!(
            "pair not in assertion: {:?}",
            assertion.role_pairs()
        ));
        return Err(not_authorized());
    }
    let role = sts.role(role_arn).ok_or_else(not_authorized)?;
    let session_name = assertion
        .first(saml::SESSION_NAME_ATTR)
        .ok_or_else(|| invalid_token("The SAML assertion has no https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute"))?
        .to_string();
    check_session_name(&session_name)?;
    if duration > role.max_session_duration {
        return Err(StsFault::validation(OVER_MAX_SESSION));
    }
    let source = SessionSource::Saml {
        principal_arn: principal_arn.into(),
    };
    let session = issue(
        sts,
        role_arn,
        &session_name,
        duration,
        assertion.session_not_on_or_after,
        source,
    );
    call.outcome = Ok(session.access_key_id.clone());
    let extra = format!(
        "\n    <Subject>{}</Subject>\n    <SubjectType>persistent</SubjectType>\n    <Issuer>{}</Issuer>\n    <Audience>{}</Audience>\n    <NameQualifier>{}</NameQualifier>",
        saml::escape(assertion.name_id.as_deref().unwrap_or("")),
        saml::escape(assertion.issuer.as_deref().unwrap_or("")),
        saml::AWS_SIGNIN,
        &sigv4::sha256_hex(principal_arn.as_bytes())[..28],
    );
    Ok(result_xml(&session, &extra))
}

/// The session whose keys signed this request, checked like AWS checks them.
fn authenticate(
    sts: &Sts,
    req: &HttpRequest,
    call: &mut StsCall,
) -> Result<IssuedSession, StsFault> {
    let Some(header) = req.header("authorization") else {
        return Err(StsFault::new(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let auth = sigv4::parse_authorization(header)
        .map_err(|e| StsFault::new(400, "IncompleteSignature", &e))?;
    call.source_key_id = Some(auth.key_id.clone());
    if auth.service != "sts" {
        return Err(StsFault::new(
            403,
            "SignatureDoesNotMatch",
            "Credential should be scoped to correct service: 'sts'. ",
        ));
    }
    let session = sts
        .issued(&auth.key_id)
        .ok_or_else(|| StsFault::new(403, "InvalidClientTokenId", INVALID_TOKEN))?;
    if req.header("x-amz-security-token") != Some(session.session_token.as_str()) {
        call.detail = Some("X-Amz-Security-Token missing or not this key's".into());
        return Err(StsFault::new(403, "InvalidClientTokenId", INVALID_TOKEN));
    }
    if let Err(why) = sigv4::verify(req, &auth, &session.secret_access_key) {
        call.detail = Some(why);
        return Err(StsFault::new(403, "SignatureDoesNotMatch", BAD_SIGNATURE));
    }
    if session.expiration < sts.now() {
        return Err(StsFault::new(
            403,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(session)
}

pub(super) fn assume_role(
    sts: &Sts,
    req: &HttpRequest,
    params: &[(String, String)],
    call: &mut StsCall,
) -> Result<String, StsFault> {
    let source = authenticate(sts, req, call)?;
    let role_arn = required(params, "RoleArn", "roleArn")?;
    let session_name = required(params, "RoleSessionName", "roleSessionName")?;
    check_session_name(session_name)?;
    let duration = requested_duration(params)?;
    let denied = || {
        StsFault::access_denied(&format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            source.assumed_role_arn()
        ))
    };
    let role = sts.role(role_arn).ok_or_else(denied)?;
    if !role.trusted_roles.is_empty() && !role.trusted_roles.contains(&source.role_arn) {
        call.detail = Some(format!("{} is not trusted by {role_arn}", source.role_arn));
        return Err(denied());
    }
    if let Some(expected) = &role.external_id
        && field(params, "ExternalId") != Some(expected.as_str())
    {
        call.detail = Some("ExternalId missing or wrong".into());
        return Err(denied());
    }
    // Every session this STS issues is a role session, so every AssumeRole here is role chaining.
    if duration > 3600 {
        return Err(StsFault::validation(CHAINING_LIMIT));
    }
    if duration > role.max_session_duration {
        return Err(StsFault::validation(OVER_MAX_SESSION));
    }
    let chained = SessionSource::Chained {
        source_key_id: source.access_key_id.clone(),
    };
    let session = issue(sts, role_arn, session_name, duration, None, chained);
    call.outcome = Ok(session.access_key_id.clone());
    Ok(result_xml(
        &session,
        "\n    <PackedPolicySize>6</PackedPolicySize>",
    ))
}

pub(super) fn get_caller_identity(
    sts: &Sts,
    req: &HttpRequest,
    call: &mut StsCall,
) -> Result<String, StsFault> {
    let session = authenticate(sts, req, call)?;
    call.outcome = Ok(session.access_key_id.clone());
    Ok(format!(
        "<Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>",
        saml::escape(&session.assumed_role_arn()),
        saml::escape(&assumed_role_id(&session)),
        session.account()
    ))
}
