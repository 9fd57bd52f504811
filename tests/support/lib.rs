//! Test peers shared by the integration tests, the unit tests and the demo: an AD FS-like IdP, an
//! STS that answers like AWS's, the SAML they exchange, and the loopback HTTP server under both;
//! for integrated sign-in (`krb`), a real MIT KDC and a real GSSAPI/NTLM acceptor behind them.
//!
//! A crate of its own (`samlbridge-emulators`, a dev-dependency of samlbridge), so that tests/cli/,
//! src/'s unit tests and examples/demo.rs use it by name.

pub mod adfs;
pub mod duo;
pub mod entra;
pub mod federation;
pub mod http;
pub mod jsidp;
pub mod krb;
pub mod okta;
pub mod saml;
pub mod sts;
pub mod tls;

use ring::rand::{SecureRandom, SystemRandom};

/// `n` random bytes from the system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if SystemRandom::new().fill(&mut buf).is_err() {
        panic!("the system random generator failed");
    }
    buf
}

/// `n` characters drawn from `alphabet` (uniform enough for identifiers).
pub fn random_from(alphabet: &[u8], n: usize) -> String {
    random_bytes(n)
        .into_iter()
        .map(|b| alphabet[b as usize % alphabet.len()] as char)
        .collect()
}

pub fn random_hex(bytes: usize) -> String {
    random_bytes(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A version-4-looking UUID, as AD FS and STS print request ids.
pub fn uuid() -> String {
    let h = random_hex(16);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}
