//! RFC 6238 time-based one-time codes (HMAC-SHA-1, 6 digits, 30-second steps), as the Microsoft
//! Authenticator app shows them: the emulator checks them, tests compute them from the same secret.

use ring::hmac;

pub const STEP_SECONDS: u64 = 30;

/// The 6-digit code for the step holding `unix_seconds`.
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    hotp(secret, unix_seconds / STEP_SECONDS)
}

/// The code a person would read off the app right now.
pub fn code_now(secret: &[u8]) -> String {
    code_at(secret, now())
}

/// True when `code` is the code of this step or of the one before or after (clock drift, as
/// Entra allows).
pub fn accepts(secret: &[u8], code: &str, unix_seconds: u64) -> bool {
    let step = unix_seconds / STEP_SECONDS;
    let code = code.trim();
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|s| hotp(secret, *s) == code)
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// RFC 4226 HOTP: dynamic truncation of HMAC-SHA-1(secret, counter), 6 digits.
fn hotp(secret: &[u8], counter: u64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    format!("{:06}", bin % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits there; the last 6 here).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(code_at(secret, t), eight[2..], "t={t}");
        }
    }

    #[test]
    fn a_neighbouring_step_is_accepted_and_a_far_one_is_not() {
        let secret = b"12345678901234567890";
        assert!(accepts(secret, "287082", 59 + 30));
        assert!(!accepts(secret, "287082", 59 + 90));
        assert!(!accepts(secret, "000000", 59));
    }
}
