//! A keychain store that misbehaves as told: absent (its precheck fails), slow (it hangs in the
//! precheck or in every call), locked or failing (every call answers an error), or broken (every
//! call panics). Calm unless told: every call succeeds, and nothing is stored.

use crate::answers::keychain::{Vault, VaultError};
use crate::secret::Secret;
use std::time::Duration;

pub(crate) struct ScriptedVault {
    pub precheck: Result<(), String>,
    pub hang_in_precheck: bool,
    /// What every call answers instead of succeeding.
    pub call: Option<VaultError>,
    pub hang_in_call: bool,
    pub panic_in_call: bool,
}

impl ScriptedVault {
    pub fn calm() -> Self {
        ScriptedVault {
            precheck: Ok(()),
            hang_in_precheck: false,
            call: None,
            hang_in_call: false,
            panic_in_call: false,
        }
    }

    /// A store that is not there, for `reason`: the precheck says so, and a call made anyway panics.
    pub fn absent(reason: &str) -> Self {
        ScriptedVault {
            precheck: Err(reason.into()),
            panic_in_call: true,
            ..Self::calm()
        }
    }

    /// A store with a bug: every call panics.
    pub fn panicking() -> Self {
        ScriptedVault {
            panic_in_call: true,
            ..Self::calm()
        }
    }

    fn answer<T>(&self, value: T) -> Result<T, VaultError> {
        if self.panic_in_call {
            panic!("a store bug");
        }
        if self.hang_in_call {
            std::thread::sleep(Duration::from_secs(600));
        }
        match &self.call {
            Some(e) => Err(e.clone()),
            None => Ok(value),
        }
    }
}

impl Vault for ScriptedVault {
    fn precheck(&self) -> Result<(), String> {
        if self.hang_in_precheck {
            std::thread::sleep(Duration::from_secs(600));
        }
        self.precheck.clone()
    }
    fn get(&self, _: &str, _: &str) -> Result<Option<Secret>, VaultError> {
        self.answer(None)
    }
    fn set(&self, _: &str, _: &str, _: &Secret) -> Result<(), VaultError> {
        self.answer(())
    }
    fn delete(&self, _: &str, _: &str) -> Result<bool, VaultError> {
        self.answer(false)
    }
}
