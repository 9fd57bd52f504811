//! The endpoint's bearer token: 32 random bytes from the OS (ring's `SystemRandom`), spelled in
//! base64url so that it fits an environment variable and a header as it is, and checked in constant
//! time so that the time an answer takes says nothing about how much of a guess was right.

use crate::secret::Secret;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};

/// Bytes of entropy in a token.
const TOKEN_BYTES: usize = 32;

/// The token every request must carry in its `Authorization` header. Debug prints it redacted.
#[derive(Debug, Clone)]
pub struct AuthToken(Secret);

impl AuthToken {
    /// A fresh token; `Err` only when the OS gives no randomness.
    pub fn generate() -> Result<AuthToken, ring::error::Unspecified> {
        let mut bytes = zeroize::Zeroizing::new([0u8; TOKEN_BYTES]);
        SystemRandom::new().fill(bytes.as_mut())?;
        let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref());
        Ok(AuthToken(Secret::new(text)))
    }

    /// The token as the child's environment and `serve`'s export line carry it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether `presented` (the header's value) is this token, in time that does not depend on
    /// where the two differ.
    pub fn matches(&self, presented: &[u8]) -> bool {
        constant_time_eq(self.0.expose().as_bytes(), presented)
    }
}

/// Equal slices, compared byte for byte without an early exit. Their lengths are not secret (every
/// token has the same), so a length mismatch may answer at once.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_has_32_bytes_of_entropy_in_header_safe_characters() {
        let token = AuthToken::generate().unwrap();
        let text = token.expose();
        assert_eq!(text.len(), 43, "32 bytes in unpadded base64url");
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{text}"
        );
        assert_ne!(
            text,
            AuthToken::generate().unwrap().expose(),
            "tokens are random"
        );
    }

    #[test]
    fn only_the_exact_token_matches() {
        let token = AuthToken::generate().unwrap();
        let text = token.expose().to_string();
        assert!(token.matches(text.as_bytes()));
        assert!(!token.matches(b""));
        assert!(!token.matches(&text.as_bytes()[..42]));
        assert!(!token.matches(format!("{text}x").as_bytes()));
        assert!(!token.matches(format!("Bearer {text}").as_bytes()));
        let mut flipped = text.clone().into_bytes();
        flipped[42] ^= 1;
        assert!(!token.matches(&flipped));
    }

    #[test]
    fn debug_hides_the_token() {
        let token = AuthToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
