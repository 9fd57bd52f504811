//! Stands in for the OS keychain (os.rs) in a samlbridge built without the `keychain` cargo
//! feature: every call fails, saying so.

use super::{Vault, VaultError};
use crate::secret::Secret;

pub(crate) struct OsVault;

fn left_out() -> VaultError {
    VaultError::Failed(
        "this samlbridge was built without the keychain (cargo feature `keychain`)".into(),
    )
}

impl Vault for OsVault {
    fn precheck(&self) -> Result<(), String> {
        Ok(())
    }

    fn get(&self, _service: &str, _user: &str) -> Result<Option<Secret>, VaultError> {
        Err(left_out())
    }

    fn set(&self, _service: &str, _user: &str, _password: &Secret) -> Result<(), VaultError> {
        Err(left_out())
    }

    fn delete(&self, _service: &str, _user: &str) -> Result<bool, VaultError> {
        Err(left_out())
    }
}
