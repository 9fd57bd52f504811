//! Opt-in storage of the IdP password in the OS keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), keyed by IdP host and username.
//!
//! It must never hang: a missing D-Bus session bus is found before any call (bus.rs), and every call
//! runs on its own thread with a deadline, so a socket that never answers or a keyring daemon stuck
//! on an unlock prompt costs at most that deadline, then a one-line error saying what to do instead.

#[cfg(all(
    feature = "keychain",
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod bus;
// The OS stores are a cargo feature (on by default); without it, `os_off` stands in and every call
// fails saying the build left the keychain out.
#[cfg(feature = "keychain")]
mod os;
#[cfg(not(feature = "keychain"))]
#[path = "os_off.rs"]
mod os;

use crate::exit::ExitKind;
use crate::secret::Secret;
#[cfg(test)]
use std::collections::HashMap;
#[cfg(test)]
use std::sync::Mutex;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// A calm keychain answers in well under a second; this bounds the wait when it does not.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// For a run with a person at the terminal: time to answer an OS dialog the call may raise (a
/// desktop keyring's unlock prompt, macOS's "allow access to this item").
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the keychain's calls go: the OS store, or memory in tests. Any call may block: `Keychain`
/// runs them on a thread with a deadline.
pub(crate) trait Vault: Send + Sync + 'static {
    /// Fails quickly, with the reason in the user's words, when the store is plainly not there.
    fn precheck(&self) -> Result<(), String>;
    fn get(&self, service: &str, user: &str) -> Result<Option<Secret>, VaultError>;
    fn set(&self, service: &str, user: &str, password: &Secret) -> Result<(), VaultError>;
    /// True when something was removed.
    fn delete(&self, service: &str, user: &str) -> Result<bool, VaultError>;
}

/// What went wrong inside a store, before it is told in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VaultError {
    Unreachable(String),
    Locked(String),
    Failed(String),
}

/// The OS keychain, every call bounded by a deadline.
#[derive(Clone)]
pub struct Keychain {
    vault: Arc<dyn Vault>,
    timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "the keychain is not reachable ({reason}); run samlbridge from a desktop session, or use \
         --password-stdin / SAMLBRIDGE_PASSWORD"
    )]
    Unreachable { reason: String },
    #[error(
        "the keychain did not answer within {secs} s while {doing} for {account} (is it locked, or \
         its daemon stuck?); unlock it and retry, or use --password-stdin / SAMLBRIDGE_PASSWORD"
    )]
    Timeout {
        doing: &'static str,
        account: String,
        secs: String,
    },
    #[error("the keychain refused {doing} for {account} ({}); unlock it and retry", crate::shown::outside(.reason))]
    Locked {
        doing: &'static str,
        account: String,
        reason: String,
    },
    #[error("the keychain failed {doing} for {account}: {}", crate::shown::outside(.reason))]
    Failed {
        doing: &'static str,
        account: String,
        reason: String,
    },
}

impl KeychainError {
    /// Only `samlbridge forget` fails on a keychain error; elsewhere it is a warning.
    pub fn exit_kind(&self) -> ExitKind {
        ExitKind::Other
    }
}

impl Keychain {
    /// The OS keychain, with `DEFAULT_TIMEOUT`; use `with_timeout(INTERACTIVE_TIMEOUT)` when a
    /// person is there to answer an unlock dialog.
    pub fn system() -> Keychain {
        Keychain::with_vault(Arc::new(os::OsVault))
    }

    /// A keychain in memory, for tests of the commands that use one.
    #[cfg(test)]
    pub fn in_memory() -> Keychain {
        Keychain::with_vault(Arc::new(MemoryVault::default()))
    }

    pub(crate) fn with_vault(vault: Arc<dyn Vault>) -> Keychain {
        Keychain {
            vault,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A longer deadline is right when a person is at the desktop to answer an unlock dialog.
    pub fn with_timeout(mut self, timeout: Duration) -> Keychain {
        self.timeout = timeout;
        self
    }

    pub fn store(&self, host: &str, user: &str, password: &Secret) -> Result<(), KeychainError> {
        let password = password.clone();
        self.bounded("storing the password", host, user, move |v, s, u| {
            v.set(s, u, &password)
        })
    }

    pub fn lookup(&self, host: &str, user: &str) -> Result<Option<Secret>, KeychainError> {
        self.bounded("reading the password", host, user, |v, s, u| v.get(s, u))
    }

    /// Removes the password; `Ok(false)` when there was none.
    pub fn forget(&self, host: &str, user: &str) -> Result<bool, KeychainError> {
        self.bounded("removing the password", host, user, |v, s, u| {
            v.delete(s, u)
        })
    }

    /// Runs the precheck and `op` on their own thread and waits at most `timeout`. On a timeout the
    /// thread is left behind, blocked; it ends with the process.
    fn bounded<T: Send + 'static>(
        &self,
        doing: &'static str,
        host: &str,
        user: &str,
        op: impl FnOnce(&dyn Vault, &str, &str) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let account = format!("{user} at {host}");
        if host.trim().is_empty() || user.trim().is_empty() {
            let reason = "an IdP host and a username are needed".to_string();
            return Err(KeychainError::Failed {
                doing,
                account,
                reason,
            });
        }
        let (service, user) = (service_name(host), user.trim().to_string());
        tracing::debug!(%service, %user, "keychain: {doing}");
        let vault = Arc::clone(&self.vault);
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let result = match vault.precheck() {
                    Err(reason) => Err(VaultError::Unreachable(reason)),
                    Ok(()) => op(vault.as_ref(), &service, &user),
                };
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            let reason = format!("could not start a thread: {e}");
            return Err(KeychainError::Failed {
                doing,
                account,
                reason,
            });
        }
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result.map_err(|e| explain(e, doing, account)),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(KeychainError::Timeout {
                doing,
                account,
                secs: seconds(self.timeout),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(KeychainError::Failed {
                doing,
                account,
                reason: "the keychain call stopped unexpectedly".into(),
            }),
        }
    }
}

/// The keychain's "service" for an IdP: one name per host, so that each IdP account is its own item
/// and a user browsing their keyring sees whose it is.
fn service_name(host: &str) -> String {
    format!("samlbridge:{}", host.trim().to_ascii_lowercase())
}

fn explain(e: VaultError, doing: &'static str, account: String) -> KeychainError {
    match e {
        VaultError::Unreachable(reason) => KeychainError::Unreachable { reason },
        VaultError::Locked(reason) => KeychainError::Locked {
            doing,
            account,
            reason,
        },
        VaultError::Failed(reason) => KeychainError::Failed {
            doing,
            account,
            reason,
        },
    }
}

fn seconds(d: Duration) -> String {
    let text = format!("{:.1}", d.as_secs_f64());
    text.strip_suffix(".0").unwrap_or(&text).to_string()
}

/// Passwords in a map: for tests, here and in the commands that use a keychain.
#[cfg(test)]
#[derive(Default)]
struct MemoryVault {
    items: Mutex<HashMap<(String, String), Secret>>,
}

#[cfg(test)]
impl Vault for MemoryVault {
    fn precheck(&self) -> Result<(), String> {
        Ok(())
    }

    fn get(&self, service: &str, user: &str) -> Result<Option<Secret>, VaultError> {
        let items = self.items.lock().map_err(|_| poisoned())?;
        Ok(items.get(&(service.into(), user.into())).cloned())
    }

    fn set(&self, service: &str, user: &str, password: &Secret) -> Result<(), VaultError> {
        let mut items = self.items.lock().map_err(|_| poisoned())?;
        items.insert((service.into(), user.into()), password.clone());
        Ok(())
    }

    fn delete(&self, service: &str, user: &str) -> Result<bool, VaultError> {
        let mut items = self.items.lock().map_err(|_| poisoned())?;
        Ok(items.remove(&(service.into(), user.into())).is_some())
    }
}

#[cfg(test)]
fn poisoned() -> VaultError {
    VaultError::Failed("the in-memory keychain was poisoned by a panic".into())
}

#[cfg(test)]
mod tests;
