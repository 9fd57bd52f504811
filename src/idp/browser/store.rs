//! What the browser keeps between sign-ins, per (IdP host, username), in the private state
//! directory: its own profile directory (persistent cookies, which Chrome insists on for remote
//! debugging anyway) and the IdP's cookies saved at the end of a sign-in, session cookies included,
//! since Chromium drops those when it closes. `logout` removes both.

use crate::state::private_file::{self, DirPolicy, FileLock};
use crate::state::{self, StateDir, StateError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Duration;

/// The subdirectory of the state directory holding one directory per (host, user).
const SUBDIR: &str = "browser";
const COOKIES: &str = "cookies.json";
const PROFILE: &str = "profile";
/// The browser's private HOME, where its NSS database trusts saml_ca_bundle (see `trust`).
const HOME: &str = "home";
/// Held by the samlbridge whose browser uses the profile (Chromium cannot share one).
const IN_USE: &str = "in-use.lock";

/// One cookie as saved: what the browser needs to set it again. No Debug: the value is a secret.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct SavedCookie {
    pub name: String,
    pub value: String,
    pub domain: String,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    #[serde(default)]
    pub same_site: Option<String>,
    /// Seconds since the epoch; None: a session cookie.
    #[serde(default)]
    pub expires: Option<f64>,
}

pub struct BrowserStore {
    state: StateDir,
}

impl BrowserStore {
    pub fn new(state: &StateDir) -> BrowserStore {
        BrowserStore {
            state: state.clone(),
        }
    }

    /// `browser/HOST-USER`, both hashed, so the names say nothing and a host's directories can be
    /// found without knowing the user.
    fn dir(&self, host: &str, username: &str) -> PathBuf {
        self.state.join(SUBDIR).join(format!(
            "{}-{}",
            short_hash(&host.to_ascii_lowercase()),
            short_hash(username)
        ))
    }

    /// The browser's user-data-dir for (host, user), created 0700 (its parents too).
    pub fn profile_dir(&self, host: &str, username: &str) -> Result<PathBuf, StateError> {
        self.state.ensure_subdir(SUBDIR)?;
        let dir = self.dir(host, username);
        private_file::ensure_dir(&dir, DirPolicy::Own)?;
        let profile = dir.join(PROFILE);
        private_file::ensure_dir(&profile, DirPolicy::Own)?;
        Ok(profile)
    }

    /// The browser's private HOME for (host, user), created 0700.
    pub fn home_dir(&self, host: &str, username: &str) -> Result<PathBuf, StateError> {
        let home = self.dir(host, username).join(HOME);
        private_file::ensure_dir(&home, DirPolicy::Own)?;
        Ok(home)
    }

    /// Waits up to `wait` to be the only samlbridge using the browser profile of (host, user): a
    /// timer's refresh and a person's login at once take turns instead of failing on Chromium's
    /// own profile lock. Released on drop, or by the OS when samlbridge dies.
    pub fn hold_profile(
        &self,
        host: &str,
        username: &str,
        wait: Duration,
    ) -> Result<FileLock, StateError> {
        self.profile_dir(host, username)?;
        let path = self.dir(host, username).join(IN_USE);
        let started = crate::credentials::rfc3339_utc(time::OffsetDateTime::now_utc());
        let note = format!(
            "samlbridge pid {}, signing in since {}",
            std::process::id(),
            started.as_deref().unwrap_or("now")
        );
        let holder = format!("another samlbridge signing in to {host} in the browser");
        Ok(FileLock::acquire_noted(&path, wait, &holder, Some(&note))?)
    }

    /// The cookies saved at the end of the last sign-in; none when there are none or they cannot
    /// be read (signing in again is the worst that happens).
    pub fn load_cookies(&self, host: &str, username: &str) -> Vec<SavedCookie> {
        let path = self.dir(host, username).join(COOKIES);
        match state::read_private(&path) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::debug!("{}: unreadable saved cookies: {e}", path.display());
                Vec::new()
            }),
            Ok(None) => Vec::new(),
            Err(e) => {
                tracing::debug!("no saved browser cookies for {host}: {e}");
                Vec::new()
            }
        }
    }

    /// Saves `cookies` (0600) for the next launch.
    pub fn save_cookies(
        &self,
        host: &str,
        username: &str,
        cookies: &[SavedCookie],
    ) -> Result<(), StateError> {
        let dir = self.dir(host, username);
        self.state.ensure_subdir(SUBDIR)?;
        private_file::ensure_dir(&dir, DirPolicy::Own)?;
        let path = dir.join(COOKIES);
        let json = serde_json::to_vec(cookies).map_err(|e| StateError::Io {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(private_file::replace(&path, &json)?)
    }

    /// Removes the profile and saved cookies of (host, user), or of every user at `host` when
    /// `username` is None; how many were removed.
    pub fn forget(&self, host: &str, username: Option<&str>) -> Result<usize, StateError> {
        let root = self.state.join(SUBDIR);
        let doomed: Vec<PathBuf> = match username {
            Some(user) => vec![self.dir(host, user)],
            None => {
                let prefix = format!("{}-", short_hash(&host.to_ascii_lowercase()));
                match std::fs::read_dir(&root) {
                    Ok(entries) => entries
                        .filter_map(|e| e.ok())
                        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                        .map(|e| e.path())
                        .collect(),
                    Err(_) => Vec::new(),
                }
            }
        };
        let mut removed = 0;
        for dir in doomed {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StateError::Io {
                        path: dir,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(removed)
    }
}

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
