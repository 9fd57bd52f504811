//! Writing profiles into the AWS credentials file without disturbing anything else in it: every byte
//! outside the keys samlbridge owns stays as it was; temp file + fsync + rename; an exclusive lock across
//! read-modify-write; 0600 (its directory made 0700 when samlbridge creates it; an existing ~/.aws is
//! the user's and left as it is); a symlink is written through to its target.
//!
//! `ini` sees the file line by line as the AWS tools do (config.rs reads ~/.aws/config with it too),
//! `edit` changes the text, `store` puts it on disk safely; `sink::config_file` writes ~/.aws/config
//! (`setup`) with the same two.

pub(crate) mod edit;
mod preflight;
pub(crate) mod store;
#[cfg(test)]
mod tests;

pub use preflight::{check_credentials_writable, check_writable};

use crate::credentials::Credentials;
use crate::secret::Secret;
use crate::state::private_file::{self, DirPolicy, Legacy};
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

/// The keys samlbridge owns in a profile's section, in the order it adds them.
pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
pub const SESSION_TOKEN: &str = "aws_session_token";
/// The expiry, as gimme-aws-creds and saml2aws write it, so other tools can read it.
pub const EXPIRES: &str = "x_security_token_expires";

/// The environment variable that moves the credentials file (named in messages).
pub(crate) const PATH_VARIABLE: &str = "AWS_SHARED_CREDENTIALS_FILE";

/// How long a run waits for another run's read-modify-write to finish.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {reason}; nothing was written")]
    Write { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Read { path: PathBuf, reason: String },
}

/// What the credentials file holds for one profile (any of the four keys may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredCredentials {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub session_token: Option<Secret>,
    /// `x_security_token_expires`; None when absent or not RFC 3339.
    pub expires: Option<OffsetDateTime>,
}

/// Writes (creates or updates) one section per profile: aws_access_key_id, aws_secret_access_key,
/// aws_session_token, x_security_token_expires (RFC 3339 UTC). Other keys in those sections stay.
///
/// All profiles go in one locked read-modify-write: either every one is written or none is.
pub fn write_credentials(path: &Path, profiles: &[(String, Credentials)]) -> Result<(), FileError> {
    if profiles.is_empty() {
        return Ok(());
    }
    let sections = profiles
        .iter()
        .map(|(profile, credentials)| section_entries(path, profile, credentials))
        .collect::<Result<Vec<_>, _>>()?;
    let target = store::resolve_target(path)?;
    private_file::ensure_dir(store::directory_of(&target), DirPolicy::Users)?;
    let _lock = store::lock_beside(&target, LOCK_WAIT)?;
    let mut text = store::read_existing(&target, PATH_VARIABLE)?;
    for (profile, entries) in &sections {
        let pairs: Vec<(&str, &str)> = entries.iter().map(|(k, v)| (*k, v.as_str())).collect();
        text = Zeroizing::new(edit::upsert_section(&text, profile, &pairs));
    }
    private_file::replace(&target, text.as_bytes())?;
    tracing::info!(
        "{}: wrote profile(s) {}",
        target.display(),
        profiles
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// Removes the temp copies of the credentials file that killed runs left beside it; returns how many.
pub fn sweep_temp_files(path: &Path) -> usize {
    private_file::sweep(&temp_dir_of(path), Legacy::No)
}

/// The same, at most once per run: a run that reads the file (to see whether it is current) tidies
/// it even when it then has nothing to write. Writing sweeps too (`private_file::replace`).
fn sweep_temp_files_once(path: &Path) {
    private_file::sweep_once(&temp_dir_of(path), Legacy::No);
}

/// Where temp copies of the file at `path` are made: beside the file a symlink there points to.
fn temp_dir_of(path: &Path) -> PathBuf {
    let target = store::resolve_target(path).unwrap_or_else(|_| path.to_path_buf());
    store::directory_of(&target).to_path_buf()
}

/// The four keys of `[profile]` in the credentials file; None when the file or the section is missing.
pub fn read_credentials(
    path: &Path,
    profile: &str,
) -> Result<Option<StoredCredentials>, FileError> {
    sweep_temp_files_once(path);
    let Some(text) = read_text(path)? else {
        return Ok(None);
    };
    let Some(values) = edit::read_section(&text, profile) else {
        return Ok(None);
    };
    let mut stored = StoredCredentials::default();
    for (key, value) in values {
        match key.as_str() {
            ACCESS_KEY_ID => stored.access_key_id = Some(value),
            SECRET_ACCESS_KEY => stored.secret_access_key = Some(Secret::new(value)),
            SESSION_TOKEN => stored.session_token = Some(Secret::new(value)),
            EXPIRES => stored.expires = OffsetDateTime::parse(&value, &Rfc3339).ok(),
            _ => {}
        }
    }
    Ok(Some(stored))
}

/// The file's text, None when it does not exist. Zeroed when dropped: it holds keys.
pub fn read_text(path: &Path) -> Result<Option<Zeroizing<String>>, FileError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(|text| Some(Zeroizing::new(text)))
            .map_err(|e| {
                zeroize::Zeroize::zeroize(&mut e.into_bytes());
                FileError::Read {
                    path: path.to_path_buf(),
                    reason: "is not UTF-8 text; fix or move it, or set AWS_SHARED_CREDENTIALS_FILE"
                        .into(),
                }
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FileError::Read {
            path: path.to_path_buf(),
            reason: format!("cannot read it: {e}; check its permissions"),
        }),
    }
}

/// The keys that make the AWS CLI and SDKs use a profile's section of the credentials file rather than
/// its `credential_process` (static keys win), with samlbridge's expiry line that goes with them.
pub const STATIC_KEYS: [&str; 4] = [ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, EXPIRES];

/// Which of `STATIC_KEYS` `[profile]` of `text` sets (lower-cased), in the file's order.
pub fn static_keys_in(text: &str, profile: &str) -> Vec<String> {
    edit::read_section(text, profile)
        .unwrap_or_default()
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| STATIC_KEYS.contains(&key.as_str()))
        .collect()
}

/// Removes `STATIC_KEYS` from the sections of `profiles` in one locked read-modify-write (every other
/// byte kept, atomic replace, 0600); returns how many lines went. Nothing is written when none did.
pub fn remove_static_keys(path: &Path, profiles: &[String]) -> Result<usize, FileError> {
    let target = store::resolve_target(path)?;
    let _lock = store::lock_beside(&target, LOCK_WAIT)?;
    let mut text = store::read_existing(&target, PATH_VARIABLE)?;
    let mut removed = 0;
    for profile in profiles {
        let (edited, count) = edit::remove_keys(&text, profile, &STATIC_KEYS);
        text = Zeroizing::new(edited);
        removed += count;
    }
    if removed > 0 {
        private_file::replace(&target, text.as_bytes())?;
        tracing::info!(
            "{}: removed {removed} static key line(s) of {}",
            target.display(),
            profiles.join(", ")
        );
    }
    Ok(removed)
}

pub(crate) type Entries = Vec<(&'static str, Zeroizing<String>)>;

/// The four lines for one profile, checked so that nothing can break the file's structure.
pub(crate) fn section_entries<'a>(
    path: &Path,
    profile: &'a str,
    credentials: &Credentials,
) -> Result<(&'a str, Entries), FileError> {
    let refuse = |reason: String| FileError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let bad_name = profile.is_empty()
        || profile.trim() != profile
        || profile.contains(|c: char| c == '[' || c == ']' || c.is_control());
    if bad_name {
        return Err(refuse(format!(
            "profile name '{}' cannot be a section name; rename the profile",
            profile.escape_debug()
        )));
    }
    let expires = credentials.expiration_text().ok_or_else(|| {
        refuse(format!(
            "profile {profile}: the expiry STS returned cannot be written as RFC 3339"
        ))
    })?;
    let entries: Entries = vec![
        (
            ACCESS_KEY_ID,
            Zeroizing::new(credentials.access_key_id.clone()),
        ),
        (
            SECRET_ACCESS_KEY,
            Zeroizing::new(credentials.secret_access_key.expose().to_string()),
        ),
        (
            SESSION_TOKEN,
            Zeroizing::new(credentials.session_token.expose().to_string()),
        ),
        (EXPIRES, Zeroizing::new(expires)),
    ];
    // Keys and tokens are single words; anything else would change the file's lines when written.
    for (key, value) in &entries {
        if value.is_empty() || value.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(refuse(format!(
                "profile {profile}: the {key} STS returned is empty or contains whitespace; not writing it"
            )));
        }
    }
    Ok((profile, entries))
}
