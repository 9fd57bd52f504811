//! The keychain's contract with stores that misbehave: slow, absent, locked, panicking; and, on
//! Linux, with the real Secret Service (`daemon`).

#[cfg(target_os = "linux")]
mod daemon;

use super::*;
use std::time::Instant;

#[test]
fn store_lookup_forget_round_trip() {
    let keychain = Keychain::in_memory();
    assert_eq!(keychain.lookup("idp.example", "alice").unwrap(), None);
    keychain
        .store("idp.example", "alice", &Secret::new("pw1"))
        .unwrap();
    keychain
        .store("idp.example", "alice", &Secret::new("pw2"))
        .unwrap();
    let found = keychain.lookup("IDP.example ", "alice").unwrap();
    assert_eq!(
        found,
        Some(Secret::new("pw2")),
        "host case and spaces do not matter"
    );
    assert_eq!(keychain.lookup("idp.example", "bob").unwrap(), None);
    assert_eq!(keychain.lookup("other.example", "alice").unwrap(), None);
    assert!(keychain.forget("idp.example", "alice").unwrap());
    assert!(!keychain.forget("idp.example", "alice").unwrap());
    assert_eq!(keychain.lookup("idp.example", "alice").unwrap(), None);
}

#[test]
fn an_empty_host_or_username_is_refused_before_the_store_is_asked() {
    let keychain = Keychain::with_vault(Arc::new(Panicking));
    for (host, user) in [("", "alice"), ("idp.example", " ")] {
        let err = keychain.lookup(host, user).unwrap_err();
        assert!(
            err.to_string()
                .contains("an IdP host and a username are needed"),
            "{err}"
        );
    }
}

#[test]
fn each_idp_host_is_its_own_service() {
    assert_eq!(
        service_name(" ADFS.Corp.Example"),
        "samlbridge:adfs.corp.example"
    );
}

/// Blocks in `precheck` or in every call, or fails in a chosen way.
struct Misbehaving {
    precheck: Result<(), String>,
    hang_in_precheck: bool,
    call: Option<VaultError>,
    hang_in_call: bool,
}

impl Misbehaving {
    fn calm() -> Self {
        Misbehaving {
            precheck: Ok(()),
            hang_in_precheck: false,
            call: None,
            hang_in_call: false,
        }
    }

    fn answer<T>(&self, value: T) -> Result<T, VaultError> {
        if self.hang_in_call {
            std::thread::sleep(Duration::from_secs(600));
        }
        match &self.call {
            Some(e) => Err(e.clone()),
            None => Ok(value),
        }
    }
}

impl Vault for Misbehaving {
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

fn keychain(vault: Misbehaving) -> Keychain {
    Keychain::with_vault(Arc::new(vault)).with_timeout(Duration::from_millis(300))
}

#[test]
fn no_session_bus_gives_the_one_line_message() {
    let vault = Misbehaving {
        precheck: Err("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set".into()),
        ..Misbehaving::calm()
    };
    let err = keychain(vault).lookup("idp.example", "alice").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the keychain is not reachable (no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set); \
         run samlbridge from a desktop session, or use --password-stdin / SAMLBRIDGE_PASSWORD"
    );
}

#[test]
fn a_store_that_never_answers_costs_the_deadline_not_a_hang() {
    for vault in [
        Misbehaving {
            hang_in_call: true,
            ..Misbehaving::calm()
        },
        Misbehaving {
            hang_in_precheck: true,
            ..Misbehaving::calm()
        },
    ] {
        let started = Instant::now();
        let err = keychain(vault)
            .store("idp.example", "alice", &Secret::new("hunter2"))
            .unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "took {took:?}");
        assert!(matches!(err, KeychainError::Timeout { .. }), "{err:?}");
        let said = err.to_string();
        assert!(said.contains("within 0.3 s while storing the password for alice at idp.example"));
        assert!(!said.contains("hunter2"));
    }
}

#[test]
fn a_locked_store_and_a_failing_one_are_told_apart() {
    let locked = Misbehaving {
        call: Some(VaultError::Locked("prompt dismissed".into())),
        ..Misbehaving::calm()
    };
    let err = keychain(locked).forget("idp.example", "alice").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the keychain refused removing the password for alice at idp.example (prompt dismissed); \
         unlock it and retry"
    );
    let failing = Misbehaving {
        call: Some(VaultError::Failed("I/O error".into())),
        ..Misbehaving::calm()
    };
    let err = keychain(failing)
        .lookup("idp.example", "alice")
        .unwrap_err();
    assert!(matches!(err, KeychainError::Failed { .. }), "{err:?}");
    assert_eq!(err.exit_kind(), ExitKind::Other);
}

struct Panicking;

impl Vault for Panicking {
    fn precheck(&self) -> Result<(), String> {
        Ok(())
    }
    fn get(&self, _: &str, _: &str) -> Result<Option<Secret>, VaultError> {
        panic!("a store bug")
    }
    fn set(&self, _: &str, _: &str, _: &Secret) -> Result<(), VaultError> {
        panic!("a store bug")
    }
    fn delete(&self, _: &str, _: &str) -> Result<bool, VaultError> {
        panic!("a store bug")
    }
}

#[test]
fn a_panic_inside_a_store_is_an_error_not_a_crash() {
    let err = Keychain::with_vault(Arc::new(Panicking))
        .lookup("idp.example", "alice")
        .unwrap_err();
    assert!(err.to_string().contains("stopped unexpectedly"), "{err}");
}

#[test]
fn seconds_are_shown_plainly() {
    assert_eq!(seconds(Duration::from_secs(3)), "3");
    assert_eq!(seconds(Duration::from_millis(2500)), "2.5");
}
