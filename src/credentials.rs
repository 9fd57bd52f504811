//! Temporary AWS credentials: what STS returns and every sink writes (the credentials file, the
//! cache, credential_process JSON, the environment, the console's federation call).

use crate::secret::Secret;
use time::OffsetDateTime;

/// Temporary AWS credentials as STS returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: OffsetDateTime,
}

impl Credentials {
    /// The expiry as the AWS tools write it (see `rfc3339_utc`).
    pub fn expiration_text(&self) -> Option<String> {
        rfc3339_utc(self.expiration)
    }
}

/// RFC 3339 in UTC, whole seconds, `Z` (`2026-05-01T12:00:00Z`): how the credentials file's
/// `x_security_token_expires`, credential_process's `Expiration` and the cache spell a time. None
/// for a time RFC 3339 cannot spell (a year outside 0–9999).
pub fn rfc3339_utc(at: OffsetDateTime) -> Option<String> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let year = at.to_offset(time::UtcOffset::UTC).year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    at.to_offset(time::UtcOffset::UTC).format(&format).ok()
}

/// `rfc3339_utc` for a message: the one way samlbridge shows a time to a person too; a time RFC 3339
/// cannot spell is shown as `time` writes it.
pub fn shown_utc(at: OffsetDateTime) -> String {
    rfc3339_utc(at).unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn expiry_is_utc_whole_seconds_with_z() {
        let at = datetime!(2026-01-02 10:04:05.678 +02:00);
        assert_eq!(rfc3339_utc(at).as_deref(), Some("2026-01-02T08:04:05Z"));
    }

    #[test]
    fn a_year_rfc_3339_cannot_spell_gives_none() {
        assert_eq!(rfc3339_utc(datetime!(-0001-01-01 0:00 UTC)), None);
        assert!(shown_utc(datetime!(-0001-01-01 0:00 UTC)).contains("0001"));
    }
}
