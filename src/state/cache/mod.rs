//! The credential cache: one JSON file per session under `<state>/cache/`, so `credential-process`
//! answers from a plain file read while a session has more than the refresh window left.
//!
//! Reading never creates anything, never builds a client and never fails: a missing, unreadable,
//! corrupt, foreign or expiring entry is a miss (logged at debug, without its content). The first
//! read of a run removes the temp files killed runs left (one directory listing).

mod key;
mod provider;

pub use key::CacheKey;
pub use provider::{CachedSessionProvider, CachingSts, Freshness, RoleSession, SessionProvider};

use crate::credentials::Credentials;
use crate::secret::Secret;
use crate::state::private_file::{self, FileLock};
use crate::state::{self, StateDir, StateError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroize;

/// The layout of an entry file; bumped when it changes, and older entries are then misses.
const ENTRY_VERSION: u32 = 1;

/// A cached session and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedSession {
    pub role_arn: String,
    /// `saml <url> as <user>` or `profile <source>`.
    pub source: String,
    pub credentials: Credentials,
}

#[derive(Debug, Clone)]
pub struct CredentialCache {
    state: StateDir,
}

/// An entry as written. Borrowed, so secrets are not copied into more heap buffers than needed.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EntryOut<'a> {
    version: u32,
    profile: &'a str,
    key: &'a str,
    role_arn: &'a str,
    source: &'a str,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    expiration: String,
}

/// An entry as read; unknown fields are ignored so a newer samlbridge's additions do not hurt.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntryIn {
    version: u32,
    profile: String,
    key: String,
    role_arn: String,
    source: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

/// Only the owner of an entry, for `remove_profile`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntryOwner {
    profile: String,
}

impl CredentialCache {
    pub fn new(state: &StateDir) -> CredentialCache {
        CredentialCache {
            state: state.clone(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.state.join("cache")
    }

    /// Waits (up to `wait`) to be the only samlbridge renewing sessions. The SDKs call a
    /// credential_process from several threads at once: the first renews, the others wait here and
    /// then find its entry with `get` instead of signing in again (and prompting for MFA again).
    /// The lock is released on drop, or by the OS when the process dies.
    pub fn lock_for_refresh(&self, wait: Duration) -> Result<FileLock, StateError> {
        let dir = self.state.ensure_subdir("cache")?;
        let holder = "another samlbridge renewing credentials";
        Ok(FileLock::acquire(&dir.join(".refresh.lock"), wait, holder)?)
    }

    /// The session for `key` if it has more than `window` left at `now`.
    pub fn get(
        &self,
        key: &CacheKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Option<Credentials> {
        self.lookup(key, now, window).map(|s| s.credentials)
    }

    /// Like `get`, with the role ARN (its partition decides the console's host) and the source.
    pub fn lookup(
        &self,
        key: &CacheKey,
        now: OffsetDateTime,
        window: Duration,
    ) -> Option<CachedSession> {
        self.state.sweep_subdir_once("cache");
        let path = self.dir().join(key.file_name());
        let mut bytes = match state::read_private(&path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                tracing::debug!(profile = key.profile(), "cache miss: no entry");
                return None;
            }
            Err(err) => {
                tracing::debug!(profile = key.profile(), "cache entry unreadable: {err}");
                return None;
            }
        };
        let parsed = serde_json::from_slice::<EntryIn>(&bytes);
        bytes.zeroize();
        let session = match parsed {
            // The serde message could quote a secret: say only where it broke.
            Err(err) => {
                let (line, column) = (err.line(), err.column());
                tracing::debug!(path = %path.display(), "corrupt cache entry ignored (line {line}, column {column})");
                return None;
            }
            Ok(entry) => entry.into_session(key)?,
        };
        let left = session.credentials.expiration - now;
        if left <= window {
            tracing::debug!(
                profile = key.profile(),
                "cache entry expires within the refresh window"
            );
            return None;
        }
        Some(session)
    }

    /// Stores a fresh session for `key`; the cache directory is created 0700, the file 0600.
    pub fn put(
        &self,
        key: &CacheKey,
        role_arn: &str,
        credentials: &Credentials,
    ) -> Result<(), StateError> {
        let dir = self.state.ensure_subdir("cache")?;
        let entry = EntryOut {
            version: ENTRY_VERSION,
            profile: key.profile(),
            key: key.digest(),
            role_arn,
            source: key.source(),
            access_key_id: &credentials.access_key_id,
            secret_access_key: credentials.secret_access_key.expose(),
            session_token: credentials.session_token.expose(),
            expiration: credentials.expiration_text().unwrap_or_default(),
        };
        let mut bytes = serde_json::to_vec_pretty(&entry).map_err(|e| StateError::Io {
            path: dir.join(key.file_name()),
            reason: format!("cannot encode the entry ({:?})", e.classify()),
        })?;
        let written = private_file::replace(&dir.join(key.file_name()), &bytes);
        bytes.zeroize();
        Ok(written?)
    }

    /// Forgets every cached session of `profile`, whatever role or source it had. Returns how many.
    pub fn remove_profile(&self, profile: &str) -> Result<usize, StateError> {
        let prefix = format!("{}-", key::file_prefix(profile));
        state::remove_files(&self.dir(), |path| belongs_to(path, profile, &prefix))
    }
}

/// Whether the entry at `path` is `profile`'s: by its content, or, when it is corrupt, by its name.
fn belongs_to(path: &std::path::Path, profile: &str, prefix: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.ends_with(".json") {
        return false;
    }
    let Ok(Some(mut bytes)) = state::read_private(path) else {
        return false;
    };
    let owner = serde_json::from_slice::<EntryOwner>(&bytes);
    bytes.zeroize();
    match owner {
        Ok(owner) => owner.profile == profile,
        Err(_) => name.starts_with(prefix),
    }
}

impl EntryIn {
    /// The session, if this entry is really `key`'s and in a layout this version reads.
    fn into_session(self, key: &CacheKey) -> Option<CachedSession> {
        if self.version != ENTRY_VERSION
            || self.key != key.digest()
            || self.profile != key.profile()
        {
            tracing::debug!(
                profile = key.profile(),
                "cache entry of another version or identity"
            );
            return None;
        }
        let Ok(expiration) = OffsetDateTime::parse(&self.expiration, &Rfc3339) else {
            tracing::debug!(
                profile = key.profile(),
                "cache entry with an unreadable Expiration"
            );
            return None;
        };
        Some(CachedSession {
            role_arn: self.role_arn,
            source: self.source,
            credentials: Credentials {
                access_key_id: self.access_key_id,
                secret_access_key: Secret::from(self.secret_access_key),
                session_token: Secret::from(self.session_token),
                expiration,
            },
        })
    }
}

#[cfg(test)]
mod tests;
