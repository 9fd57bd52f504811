//! The OS keychain behind `Vault`, through the keyring ecosystem: keyring-core's API with one store
//! crate per OS — Secret Service over zbus on Linux and the BSDs (pure Rust: no libdbus, no OpenSSL;
//! the password crosses the bus encrypted), the login Keychain on macOS, Credential Manager on Windows.

use super::{Vault, VaultError};
use crate::secret::Secret;
use keyring_core::{Entry, Error};

pub(crate) struct OsVault;

impl Vault for OsVault {
    fn precheck(&self) -> Result<(), String> {
        platform::precheck()
    }

    fn get(&self, service: &str, user: &str) -> Result<Option<Secret>, VaultError> {
        match entry(service, user)?.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, service: &str, user: &str, password: &Secret) -> Result<(), VaultError> {
        entry(service, user)?
            .set_password(password.expose())
            .map_err(classify)
    }

    fn delete(&self, service: &str, user: &str) -> Result<bool, VaultError> {
        match entry(service, user)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            // Several items for one account (another tool wrote one too): forget means all of them.
            Err(Error::Ambiguous(entries)) => {
                for entry in entries {
                    entry.delete_credential().map_err(classify)?;
                }
                Ok(true)
            }
            Err(e) => Err(classify(e)),
        }
    }
}

/// A store is made per call: on Linux that is one D-Bus connection, inside the caller's deadline.
fn entry(service: &str, user: &str) -> Result<Entry, VaultError> {
    let store = platform::store().map_err(classify)?;
    let label = format!("samlbridge password for {user} ({service})");
    let modifiers = platform::modifiers(&label);
    store
        .build(service, user, modifiers.as_ref())
        .map_err(classify)
}

/// keyring-core's errors in the user's words. Never the variants' data: `BadEncoding` and
/// `BadDataFormat` carry the stored bytes, i.e. the password.
fn classify(e: Error) -> VaultError {
    match e {
        Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            match platform::missing_service(&text) {
                Some(reason) => VaultError::Unreachable(reason),
                None => VaultError::Failed(text),
            }
        }
        Error::NoStorageAccess(inner) => VaultError::Locked(inner.to_string()),
        Error::BadEncoding(_) => VaultError::Failed("the stored password is not UTF-8 text".into()),
        Error::BadDataFormat(..) => VaultError::Failed("the stored item is malformed".into()),
        Error::Ambiguous(entries) => VaultError::Failed(format!(
            "{} keychain items match this account; remove them with `samlbridge forget`, then \
             sign in again with --remember-password",
            entries.len()
        )),
        other => VaultError::Failed(other.to_string()),
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
mod platform {
    use keyring_core::CredentialStore;
    use std::collections::HashMap;
    use std::sync::Arc;

    pub fn precheck() -> Result<(), String> {
        super::super::bus::check_session_bus(&|name| std::env::var(name).ok())
    }

    pub fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }

    /// The label a user sees in Seahorse or KeePassXC.
    pub fn modifiers(label: &str) -> Option<HashMap<&str, &str>> {
        Some(HashMap::from([("label", label)]))
    }

    /// A bus without a Secret Service answers `ServiceUnknown` for org.freedesktop.secrets.
    pub fn missing_service(error: &str) -> Option<String> {
        let missing = error.contains("ServiceUnknown")
            || error.contains("org.freedesktop.secrets")
            || error.contains("not provided by any .service files");
        missing.then(|| {
            "no Secret Service on the D-Bus session bus: nothing provides org.freedesktop.secrets; \
             start gnome-keyring-daemon, or KeePassXC with its Secret Service integration"
                .to_string()
        })
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use keyring_core::CredentialStore;
    use std::collections::HashMap;
    use std::sync::Arc;

    pub fn precheck() -> Result<(), String> {
        Ok(())
    }

    pub fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    pub fn modifiers(_label: &str) -> Option<HashMap<&str, &str>> {
        None
    }

    pub fn missing_service(_error: &str) -> Option<String> {
        None
    }
}

#[cfg(windows)]
mod platform {
    use keyring_core::CredentialStore;
    use std::collections::HashMap;
    use std::sync::Arc;

    pub fn precheck() -> Result<(), String> {
        Ok(())
    }

    pub fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    pub fn modifiers(_label: &str) -> Option<HashMap<&str, &str>> {
        None
    }

    pub fn missing_service(_error: &str) -> Option<String> {
        None
    }
}

#[cfg(not(any(
    all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ),
    target_os = "macos",
    windows
)))]
mod platform {
    use keyring_core::CredentialStore;
    use std::collections::HashMap;
    use std::sync::Arc;

    pub fn precheck() -> Result<(), String> {
        Err("samlbridge has no keychain support on this system".into())
    }

    pub fn store() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(keyring_core::Error::NotSupportedByStore(
            "no keychain on this system".into(),
        ))
    }

    pub fn modifiers(_label: &str) -> Option<HashMap<&str, &str>> {
        None
    }

    pub fn missing_service(_error: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carrying_the_stored_bytes_never_show_them() {
        let bytes = b"hunter2\xff".to_vec();
        let shown = format!("{:?}", classify(Error::BadEncoding(bytes.clone())));
        assert!(
            !shown.contains("hunter2") && !shown.contains("104, 117"),
            "{shown}"
        );
        let inner: keyring_core::error::PlatformError = "bad padding".into();
        let shown = format!("{:?}", classify(Error::BadDataFormat(bytes, inner)));
        assert!(
            !shown.contains("hunter2") && !shown.contains("104, 117"),
            "{shown}"
        );
    }

    #[test]
    fn a_locked_store_is_told_apart_from_a_failure() {
        let inner: keyring_core::error::PlatformError = "Cannot unlock: prompt dismissed".into();
        assert_eq!(
            classify(Error::NoStorageAccess(inner)),
            VaultError::Locked("Cannot unlock: prompt dismissed".into())
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_bus_without_a_secret_service_is_unreachable_not_a_failure() {
        let inner: keyring_core::error::PlatformError = "D-Bus error: org.freedesktop.DBus.Error.\
            ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files"
            .into();
        match classify(Error::PlatformFailure(inner)) {
            VaultError::Unreachable(reason) => assert!(reason.contains("org.freedesktop.secrets")),
            other => panic!("{other:?}"),
        }
    }
}
