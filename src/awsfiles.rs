//! Writing profiles into the AWS credentials file without disturbing anything else in it: every byte
//! outside the keys samlbridge owns stays as it was; temp file + fsync + rename; an exclusive lock across
//! read-modify-write; 0600 in a 0700 directory; a symlink is written through to its target.
//!
//! (skeleton: to be written on ini-roundtrip.)

use crate::sts::Credentials;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {reason}; nothing was written")]
    Write { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Read { path: PathBuf, reason: String },
}

/// Writes (creates or updates) one section per profile: aws_access_key_id, aws_secret_access_key,
/// aws_session_token, x_security_token_expires (RFC 3339 UTC). Other keys in those sections stay.
pub fn write_credentials(
    _path: &Path,
    _profiles: &[(String, Credentials)],
) -> Result<(), FileError> {
    todo!("awsfiles::write_credentials")
}
