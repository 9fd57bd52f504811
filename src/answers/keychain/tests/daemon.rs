//! The real OS keychain on Linux. The round trip needs a Secret Service (gnome-keyring in a private D-Bus
//! session: .ci/keychain-tests.sh sets SAMLBRIDGE_KEYCHAIN_TEST=1); without it those tests return
//! early, saying so on stderr. The no-hang checks need nothing: each runs `Keychain::system()` in a
//! child process (this test binary again) whose environment points at a bus that is missing or mute.

use super::*;
use std::process::Command;
use std::time::Instant;

fn daemon_available(test: &str, mode: &str) -> bool {
    if std::env::var("SAMLBRIDGE_KEYCHAIN_TEST").as_deref() == Ok(mode) {
        return true;
    }
    eprintln!(
        "{test}: skipped: needs SAMLBRIDGE_KEYCHAIN_TEST={mode} and a D-Bus session set up by \
         .ci/keychain-tests.sh"
    );
    false
}

/// An account no other run uses, so a leftover item cannot make a test pass.
fn unique_host() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("idp-{}-{nanos}.test.example", std::process::id())
}

/// Asks `secret-tool` (libsecret, another client of the same daemon) for the item, when installed:
/// proof the password really is in the Secret Service, under the attributes we say.
fn secret_tool_lookup(host: &str, user: &str) -> Option<String> {
    let service = service_name(host);
    let out = Command::new("secret-tool")
        .args(["lookup", "service", &service, "username", user])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn round_trip_against_a_real_secret_service() {
    if !daemon_available("round_trip_against_a_real_secret_service", "1") {
        return;
    }
    let keychain = Keychain::system().with_timeout(Duration::from_secs(10));
    let host = unique_host();
    let started = Instant::now();
    assert_eq!(keychain.lookup(&host, "alice").unwrap(), None);
    keychain
        .store(&host, "alice", &Secret::new("pw one"))
        .unwrap();
    assert_eq!(
        keychain.lookup(&host, "alice").unwrap(),
        Some(Secret::new("pw one"))
    );
    if let Some(seen) = secret_tool_lookup(&host, "alice") {
        assert_eq!(seen, "pw one", "secret-tool sees another value");
        eprintln!("secret-tool (libsecret) reads the same item");
    }
    keychain
        .store(&host, "alice", &Secret::new("pw two ü"))
        .unwrap();
    assert_eq!(
        keychain.lookup(&host, "alice").unwrap(),
        Some(Secret::new("pw two ü"))
    );
    assert_eq!(
        keychain.lookup(&host, "bob").unwrap(),
        None,
        "another user's item"
    );
    assert!(keychain.forget(&host, "alice").unwrap());
    assert_eq!(keychain.lookup(&host, "alice").unwrap(), None);
    assert!(!keychain.forget(&host, "alice").unwrap());
    if let Some(seen) = secret_tool_lookup(&host, "alice") {
        assert_eq!(seen, "", "secret-tool still sees the item");
    }
    eprintln!(
        "secret service round trip (7 calls) took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_bus_without_a_secret_service_is_named() {
    if !daemon_available("a_bus_without_a_secret_service_is_named", "no-daemon") {
        return;
    }
    let started = Instant::now();
    let err = Keychain::system()
        .lookup("idp.example", "alice")
        .unwrap_err();
    eprintln!("no secret service: {:?}: {err}", started.elapsed());
    assert!(matches!(err, KeychainError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("org.freedesktop.secrets"), "{err}");
}

/// gnome-keyring with no unlocked keyring and no display for its unlock prompt: the call must end
/// (refused, or at the deadline), never wait for a dialog nobody can see.
#[test]
fn a_locked_keyring_with_no_one_to_unlock_it_does_not_hang() {
    if !daemon_available(
        "a_locked_keyring_with_no_one_to_unlock_it_does_not_hang",
        "locked",
    ) {
        return;
    }
    let started = Instant::now();
    let err = Keychain::system()
        .store(&unique_host(), "alice", &Secret::new("pw"))
        .unwrap_err();
    eprintln!("locked keyring: {:?}: {err}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        matches!(
            err,
            KeychainError::Locked { .. } | KeychainError::Timeout { .. }
        ),
        "{err:?}"
    );
}

const CHILD: &str = "SAMLBRIDGE_KEYCHAIN_CHILD";

/// Not a test of its own: the body of the child processes below.
#[test]
#[ignore]
fn child_lookup() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let started = Instant::now();
    let result = Keychain::system().lookup("idp.example", "alice");
    println!("CHILD-ELAPSED-MS {}", started.elapsed().as_millis());
    match result {
        Ok(found) => println!("CHILD-OK {}", found.is_some()),
        Err(e) => println!("CHILD-ERR {e}"),
    }
}

/// Runs `child_lookup` with `env` (None removes a variable); returns its error line and the wall time.
fn child(env: &[(&str, Option<&str>)]) -> (String, Duration) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        &format!(
            "{}::child_lookup",
            module_path!().trim_start_matches("samlbridge::")
        ),
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    command.env(CHILD, "1");
    for (name, value) in env {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let (stdout, took) = run_bounded(command);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CHILD-ERR "))
        .unwrap_or_else(|| panic!("the child gave no error: {stdout}"));
    (line.to_string(), took)
}

/// Waits at most 20 s for the child, so that a keychain call that hangs fails this test instead of
/// hanging it.
fn run_bounded(mut command: Command) -> (String, Duration) {
    let started = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the keychain call hung: the child was still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stdout).unwrap();
    }
    (stdout, took)
}

#[test]
fn with_no_session_bus_the_keychain_fails_fast_with_the_message() {
    let runtime = tempfile::tempdir().unwrap();
    let (said, took) = child(&[
        ("DBUS_SESSION_BUS_ADDRESS", None),
        ("XDG_RUNTIME_DIR", runtime.path().to_str()),
    ]);
    eprintln!("no bus: failed after {took:?} (whole child process)");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(
        said,
        "the keychain is not reachable (no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not \
         set); run samlbridge from a desktop session, or use --password-stdin / SAMLBRIDGE_PASSWORD"
    );
}

#[test]
fn a_bus_address_pointing_nowhere_fails_fast() {
    let (said, took) = child(&[(
        "DBUS_SESSION_BUS_ADDRESS",
        Some("unix:path=/nonexistent/bus"),
    )]);
    eprintln!("bus pointing nowhere: failed after {took:?} (whole child process)");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        said.contains("/nonexistent/bus, which does not exist"),
        "{said}"
    );
}

/// A socket that accepts connections (the kernel's backlog does) and never says a word: the D-Bus
/// client waits for the bus's greeting; the deadline must end that wait.
#[test]
fn a_bus_that_never_answers_costs_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mute-bus");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let address = format!("unix:path={}", path.display());
    let (said, took) = child(&[("DBUS_SESSION_BUS_ADDRESS", Some(&address))]);
    eprintln!("mute bus: failed after {took:?} (whole child process)");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(said.contains("did not answer within 3 s"), "{said}");
}
