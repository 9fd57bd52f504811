//! The keychain's contract with stores that misbehave: slow, absent, locked, panicking; and, on
//! Linux, with the real Secret Service (`daemon`).

#[cfg(target_os = "linux")]
mod daemon;

use super::*;
use crate::testing::vault::ScriptedVault;
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
    let keychain = Keychain::with_vault(Arc::new(ScriptedVault::panicking()));
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

fn keychain(vault: ScriptedVault) -> Keychain {
    Keychain::with_vault(Arc::new(vault)).with_timeout(Duration::from_millis(300))
}

#[test]
fn no_session_bus_gives_the_one_line_message() {
    let vault = ScriptedVault::absent("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set");
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
        ScriptedVault {
            hang_in_call: true,
            ..ScriptedVault::calm()
        },
        ScriptedVault {
            hang_in_precheck: true,
            ..ScriptedVault::calm()
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
    let locked = ScriptedVault {
        call: Some(VaultError::Locked("prompt dismissed".into())),
        ..ScriptedVault::calm()
    };
    let err = keychain(locked).forget("idp.example", "alice").unwrap_err();
    assert_eq!(
        err.to_string(),
        "the keychain refused removing the password for alice at idp.example (prompt dismissed); \
         unlock it and retry"
    );
    let failing = ScriptedVault {
        call: Some(VaultError::Failed("I/O error".into())),
        ..ScriptedVault::calm()
    };
    let err = keychain(failing)
        .lookup("idp.example", "alice")
        .unwrap_err();
    assert!(matches!(err, KeychainError::Failed { .. }), "{err:?}");
    assert_eq!(err.exit_kind(), ExitKind::Other);
}

#[test]
fn a_panic_inside_a_store_is_an_error_not_a_crash() {
    let err = Keychain::with_vault(Arc::new(ScriptedVault::panicking()))
        .lookup("idp.example", "alice")
        .unwrap_err();
    assert!(err.to_string().contains("stopped unexpectedly"), "{err}");
}

#[test]
fn seconds_are_shown_plainly() {
    assert_eq!(seconds(Duration::from_secs(3)), "3");
    assert_eq!(seconds(Duration::from_millis(2500)), "2.5");
}
