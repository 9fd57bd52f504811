//! Saved IdP sessions: the IdP's cookies per (IdP host, username), so that the next sign-in can skip
//! the password and MFA while the IdP still honours its session. Stored 0600 in the private state
//! directory; a different username never sees another user's cookies.

use crate::secret::Secret;
use crate::state::private_file;
use crate::state::{self, StateDir, StateError};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub struct SavedSessions {
    state: StateDir,
}

impl SavedSessions {
    pub fn new(state: &StateDir) -> SavedSessions {
        SavedSessions {
            state: state.clone(),
        }
    }

    /// `sessions/HOST-USER.json`, both hashed: the names say nothing, and a host's files can be
    /// found without knowing the user.
    fn path(&self, host: &str, username: &str) -> PathBuf {
        let name = format!(
            "{}-{}.json",
            short_hash(&host.to_ascii_lowercase()),
            short_hash(username)
        );
        self.state.join("sessions").join(name)
    }

    /// The saved cookies, if any. A read error is treated as no session: signing in again is the
    /// worst that happens.
    pub fn load(&self, host: &str, username: &str) -> Option<Secret> {
        self.state.sweep_subdir_once("sessions");
        match state::read_private(&self.path(host, username)) {
            Ok(Some(bytes)) => String::from_utf8(bytes).ok().map(Secret::new),
            Ok(None) => None,
            Err(e) => {
                tracing::debug!("no saved IdP session for {host}: {e}");
                None
            }
        }
    }

    pub fn save(&self, host: &str, username: &str, cookies: &Secret) -> Result<(), StateError> {
        self.state.ensure_subdir("sessions")?;
        Ok(private_file::replace(
            &self.path(host, username),
            cookies.expose().as_bytes(),
        )?)
    }

    /// Forgets the session; true when there was one.
    pub fn forget(&self, host: &str, username: &str) -> Result<bool, StateError> {
        let path = self.path(host, username);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StateError::Io {
                path,
                reason: e.to_string(),
            }),
        }
    }

    /// Forgets every user's session at `host`; returns how many there were.
    pub fn forget_host(&self, host: &str) -> Result<usize, StateError> {
        let prefix = format!("{}-", short_hash(&host.to_ascii_lowercase()));
        state::remove_files(&self.state.join("sessions"), |path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
    }
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_kept_per_host_and_user_in_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = SavedSessions::new(&StateDir::at(dir.path()));
        store
            .save("idp.example", "alice", &Secret::new("[cookies-a]"))
            .unwrap();
        assert_eq!(
            store.load("IDP.example", "alice").unwrap().expose(),
            "[cookies-a]"
        );
        assert!(store.load("idp.example", "bob").is_none());
        assert!(store.load("other.example", "alice").is_none());
        let path = store.path("idp.example", "alice");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(store.forget("idp.example", "alice").unwrap());
        assert!(!store.forget("idp.example", "alice").unwrap());
        assert!(store.load("idp.example", "alice").is_none());
    }

    #[test]
    fn forgetting_a_host_leaves_other_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let store = SavedSessions::new(&StateDir::at(dir.path()));
        store
            .save("idp.example", "alice", &Secret::new("a"))
            .unwrap();
        store.save("idp.example", "bob", &Secret::new("b")).unwrap();
        store
            .save("other.example", "alice", &Secret::new("c"))
            .unwrap();
        assert_eq!(store.forget_host("idp.example").unwrap(), 2);
        assert!(store.load("other.example", "alice").is_some());
    }
}
