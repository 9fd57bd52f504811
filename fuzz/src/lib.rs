//! What the fuzz targets share: structured inputs built with `arbitrary` (an INI document, a SAML
//! assertion, an STS answer), the canned HTTP client the STS target answers the SDK with, and the
//! properties several targets check (no secret in a message, one-line messages).

pub mod assertion;
pub mod ini;
pub mod pages;
pub mod sts;

/// Fails the run when `message` (an error's Display, a log line) shows any of `secrets`. Secrets
/// shorter than 6 characters are skipped: they occur in ordinary words by chance.
pub fn assert_no_secret(message: &str, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| s.trim().chars().count() >= 6) {
        assert!(
            !message.contains(secret.trim()),
            "a secret from the input appears in a message: {message:?}"
        );
    }
}

/// Fails the run when an error message is not one line (every message samlbridge prints is).
pub fn assert_one_line(message: &str) {
    assert!(
        !message.contains('\n'),
        "an error message spans several lines: {message:?}"
    );
}

/// A short token from fuzz data, drawn from `alphabet`, at most `max` characters.
pub fn token(
    u: &mut arbitrary::Unstructured<'_>,
    alphabet: &[u8],
    max: usize,
) -> arbitrary::Result<String> {
    let len = u.int_in_range(0..=max)?;
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(*u.choose(alphabet)? as char);
    }
    Ok(out)
}

/// Letters, digits and the characters AWS keys and tokens use.
pub const KEY_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/// A private directory for the state files of one fuzzing process: in memory where there is
/// /dev/shm (the writers fsync), removed when the process ends normally.
pub fn state_dir() -> &'static std::path::Path {
    static DIR: std::sync::LazyLock<tempfile::TempDir> = std::sync::LazyLock::new(|| {
        let shm = std::path::Path::new("/dev/shm");
        let builder = tempfile::Builder::new()
            .prefix("samlbridge-fuzz-")
            .tempdir_in(shm);
        builder
            .or_else(|_| tempfile::tempdir())
            .unwrap_or_else(|e| panic!("no temporary directory for the state files: {e}"))
    });
    DIR.path()
}
