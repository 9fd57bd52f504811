//! STS's answer checked before it becomes `Credentials`: a truncated body, a missing element or an
//! Expiration already past must never be cached, written or printed as a session. This is the only
//! way `SdkSts` turns an answer into credentials, so no caller can hold unchecked ones.
//!
//! The local clock is compared with STS's `Date` header: when they are far apart, the error says the
//! clock looks wrong, since that is then the likelier cause and the user's next step.

use super::{Credentials, StsError};
use crate::credentials::shown_utc;
use crate::secret::Secret;
use std::time::Duration;
use time::OffsetDateTime;

/// The longest session STS hands out (a role's MaxSessionDuration at most).
pub const MAX_SESSION: Duration = Duration::from_secs(12 * 3600);
/// Room above `MAX_SESSION` for a local clock somewhat behind STS's.
const EXPIRY_SLACK: Duration = Duration::from_secs(3600);
/// How far STS's Date and the local clock may differ before the clock is said to look wrong.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// AWS's limits on an AccessKeyId: `[\w]{16,128}`.
const KEY_ID_LEN: std::ops::RangeInclusive<usize> = 16..=128;

/// What one STS answer said, as the SDK read it, and when STS says it answered.
pub(crate) struct StsAnswer<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: &'a str,
    /// None when the answer had no Expiration (the SDK then reads the epoch).
    pub expiration: Option<OffsetDateTime>,
    /// The HTTP `Date` header, when STS sent a readable one.
    pub server_date: Option<OffsetDateTime>,
    /// The body ended before its closing root tag: whatever the SDK read from it is not the answer.
    pub cut: bool,
}

impl Credentials {
    /// Credentials from an STS answer, or the reasons it cannot be used, naming STS and `profile`.
    pub(crate) fn from_sts(
        answer: &StsAnswer<'_>,
        now: OffsetDateTime,
        profile: &str,
        action: &'static str,
    ) -> Result<Credentials, StsError> {
        let problems = problems(answer, now, action);
        let expiration = match (problems.is_empty(), answer.expiration) {
            (true, Some(expiration)) => expiration,
            _ => {
                return Err(StsError::Unusable {
                    profile: profile.to_owned(),
                    action,
                    problems: problems.join(", "),
                    next: next_step(answer.server_date, now),
                });
            }
        };
        if let Some(note) = clock_note(answer.server_date, now) {
            tracing::warn!("profile {profile}: {note}");
        }
        Ok(Credentials {
            access_key_id: answer.access_key_id.to_owned(),
            secret_access_key: Secret::new(answer.secret_access_key),
            session_token: Secret::new(answer.session_token),
            expiration,
        })
    }
}

/// A successful answer whose body stopped before its end and that the SDK could not even read.
pub(crate) fn cut_short(
    profile: &str,
    action: &'static str,
    server_date: Option<OffsetDateTime>,
) -> StsError {
    StsError::Unusable {
        profile: profile.to_owned(),
        action,
        problems: cut_short_words(action),
        next: next_step(server_date, OffsetDateTime::now_utc()),
    }
}

/// A body that does not end as the action's answer ends: cut by a proxy, or not STS's at all.
fn cut_short_words(action: &str) -> String {
    format!("the answer is cut short or is not STS's (it does not end with </{action}Response>)")
}

/// Everything wrong with the answer, in words that never repeat a secret.
fn problems(answer: &StsAnswer<'_>, now: OffsetDateTime, action: &str) -> Vec<String> {
    let mut found = Vec::new();
    if answer.cut {
        found.push(cut_short_words(action));
    }
    let key_id = answer.access_key_id;
    if key_id.is_empty() {
        found.push("the AccessKeyId is empty".to_owned());
    } else if !KEY_ID_LEN.contains(&key_id.len())
        || !key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        found.push(format!(
            "the AccessKeyId is not 16 to 128 letters and digits ({} bytes)",
            key_id.len()
        ));
    }
    for (name, value) in [
        ("SecretAccessKey", answer.secret_access_key),
        ("SessionToken", answer.session_token),
    ] {
        if value.is_empty() {
            found.push(format!("the {name} is empty"));
        } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
            found.push(format!(
                "the {name} holds spaces, control or non-ASCII characters"
            ));
        }
    }
    match answer.expiration {
        None => found.push("it has no Expiration".to_owned()),
        Some(at) if at <= now => found.push(format!(
            "its Expiration {} is already past (this machine's clock says {})",
            shown_utc(at),
            shown_utc(now)
        )),
        Some(at) if at > now + MAX_SESSION + EXPIRY_SLACK => found.push(format!(
            "its Expiration {} is further away than any STS session lasts (12 h)",
            shown_utc(at)
        )),
        Some(_) => {}
    }
    found
}

/// What to do next: fix the clock when it disagrees with STS's, else look at what is in between.
fn next_step(server_date: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    match clock_note(server_date, now) {
        Some(note) => format!("{note}: set the clock right (e.g. enable NTP) and try again"),
        None => "try again; if it persists, check AWS_ENDPOINT_URL_STS and any proxy between you and STS"
            .to_owned(),
    }
}

/// "the local clock looks wrong: …" when STS's Date is more than `CLOCK_TOLERANCE` away from `now`.
pub(crate) fn clock_note(
    server_date: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<String> {
    let server = server_date?;
    let apart = (server - now).abs();
    if apart <= CLOCK_TOLERANCE {
        return None;
    }
    let (ahead, minutes) = (now > server, apart.whole_minutes());
    Some(format!(
        "the local clock looks wrong: it says {}, STS's Date header says {} ({minutes} min {})",
        shown_utc(now),
        shown_utc(server),
        if ahead { "ahead" } else { "behind" }
    ))
}

/// STS's message, and what the Date header says of the local clock when it looks wrong (a signature
/// STS calls expired, an assertion it calls not yet valid).
pub(crate) fn with_clock_note(message: &str, server_date: Option<OffsetDateTime>) -> String {
    match clock_note(server_date, OffsetDateTime::now_utc()) {
        Some(note) => format!("{message} ({note})"),
        None => message.to_owned(),
    }
}

/// An HTTP `Date` header (IMF-fixdate, or the obsolete forms HTTP still allows).
pub(crate) fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    use aws_smithy_types::date_time::{DateTime, Format};
    let parsed = DateTime::from_str(text.trim(), Format::HttpDate).ok()?;
    OffsetDateTime::from_unix_timestamp(parsed.secs()).ok()
}

#[cfg(test)]
mod tests;
