//! The order of the password sources, and what happens when none has one.

use super::*;
use crate::testing::log::LogCapture;
use crate::testing::prompt::ScriptedPrompt;
use crate::testing::vault::ScriptedVault;
use std::sync::Arc;

const ACCOUNT: &str = "alice@corp.example at idp.example";

fn account(keychain: &Keychain) -> KeychainAccount<'_> {
    KeychainAccount {
        keychain,
        host: "idp.example".into(),
        username: "alice@corp.example".into(),
    }
}

fn stored(password: &str) -> Keychain {
    let keychain = Keychain::in_memory();
    keychain
        .store("idp.example", "alice@corp.example", &Secret::new(password))
        .unwrap();
    keychain
}

#[test]
fn stdin_comes_first_read_once_without_its_newline() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let keychain = stored("from keychain");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt)
        .with_stdin_reader(&b"pass word \r\nsecond line\n"[..])
        .with_env_value(Some("from env".into()));
    sources.stdin = true;
    sources.keychain = Some(account(&keychain));
    assert_eq!(sources.password().unwrap().expose(), "pass word ");
    assert_eq!(
        sources.password().unwrap().expose(),
        "pass word ",
        "asked once"
    );
    assert_eq!(sources.source(), Some(PasswordSource::Stdin));
    assert!(prompt.asked().is_empty());
}

#[test]
fn empty_stdin_is_a_usage_error_not_a_fall_through() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt)
        .with_stdin_reader(&b"\n"[..])
        .with_env_value(Some("from env".into()));
    sources.stdin = true;
    let err = sources.password().unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Usage);
    assert!(err.to_string().contains("--password-stdin"), "{err}");
}

#[test]
fn the_environment_comes_before_the_keychain_and_the_prompt() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let keychain = stored("from keychain");
    let mut sources =
        PasswordSources::new(ACCOUNT, &prompt).with_env_value(Some("from env".into()));
    sources.keychain = Some(account(&keychain));
    assert_eq!(sources.password().unwrap().expose(), "from env");
    assert_eq!(sources.source(), Some(PasswordSource::Env));
}

#[test]
fn an_empty_environment_value_counts_as_unset() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt).with_env_value(Some(String::new()));
    assert_eq!(sources.password().unwrap().expose(), "from prompt");
}

#[test]
fn the_keychain_comes_before_the_prompt() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let keychain = stored("from keychain");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&keychain));
    assert_eq!(sources.password().unwrap().expose(), "from keychain");
    assert_eq!(sources.source(), Some(PasswordSource::Keychain));
    assert!(prompt.asked().is_empty());
}

#[test]
fn an_unreachable_keychain_is_a_warning_and_the_prompt_still_asks() {
    let prompt = ScriptedPrompt::typing("from prompt");
    let broken = Keychain::with_vault(Arc::new(no_bus()));
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&broken));
    assert_eq!(sources.password().unwrap().expose(), "from prompt");
    assert_eq!(prompt.asked(), [format!("Password for {ACCOUNT}")]);
}

#[test]
fn with_no_source_and_no_terminal_a_person_must_act() {
    let prompt = ScriptedPrompt::nobody();
    let keychain = Keychain::in_memory();
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&keychain));
    let err = sources.password().unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    let said = err.to_string();
    assert!(
        said.contains(ACCOUNT) && said.contains("none in the keychain"),
        "{said}"
    );
    assert!(said.contains("samlbridge login"), "{said}");
    assert!(prompt.asked().is_empty(), "nobody to ask");
}

#[test]
fn a_disabled_keychain_is_not_looked_in_and_the_error_says_how_to_enable_it() {
    let prompt = ScriptedPrompt::nobody();
    let err = PasswordSources::new(ACCOUNT, &prompt)
        .password()
        .unwrap_err();
    assert!(err.to_string().contains("--remember-password"), "{err}");
}

#[test]
fn remember_stores_a_prompted_password_only_when_asked_to() {
    let keychain = Keychain::in_memory();
    let prompt = ScriptedPrompt::typing("typed");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&keychain));
    assert_eq!(
        sources.remember_after_login(),
        Ok(Remembered::NothingToDo),
        "no password yet"
    );
    sources.password().unwrap();
    assert_eq!(
        sources.remember_after_login(),
        Ok(Remembered::NothingToDo),
        "not opted in"
    );
    assert_eq!(
        keychain.lookup("idp.example", "alice@corp.example"),
        Ok(None)
    );
    sources.remember = true;
    assert_eq!(sources.remember_after_login(), Ok(Remembered::Stored));
    let kept = keychain
        .lookup("idp.example", "alice@corp.example")
        .unwrap();
    assert_eq!(kept, Some(Secret::new("typed")));
}

#[test]
fn a_password_from_the_keychain_is_not_stored_again() {
    let keychain = stored("kept");
    let prompt = ScriptedPrompt::nobody();
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&keychain));
    sources.remember = true;
    sources.password().unwrap();
    assert_eq!(sources.remember_after_login(), Ok(Remembered::NothingToDo));
}

#[test]
fn a_failed_prompt_is_an_error_naming_the_account() {
    let prompt = ScriptedPrompt::failing(io::Error::new(io::ErrorKind::UnexpectedEof, "EOF"));
    let err = PasswordSources::new(ACCOUNT, &prompt)
        .password()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("asking for the password of {ACCOUNT} failed: EOF")
    );
}

/// Run alone in a child process: tracing caches per call site whether anyone listens, and tests
/// running beside this one on other threads (with no subscriber) race with that cache.
#[test]
fn no_secret_reaches_the_logs_even_at_trace() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &format!(
                "{}::logs_child",
                module_path!().trim_start_matches("samlbridge::")
            ),
            "--ignored",
            "--nocapture",
        ])
        .env("SAMLBRIDGE_LOGS_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("LOGS-CHECKED"),
        "the child did not run: {stdout}"
    );
}

#[test]
#[ignore]
fn logs_child() {
    if std::env::var("SAMLBRIDGE_LOGS_CHILD").is_err() {
        return;
    }
    let capture = LogCapture::start();
    sign_in_every_way();
    let logs = capture.text();
    assert!(
        logs.contains("password found") && logs.contains("DBUS_SESSION_BUS_ADDRESS"),
        "{logs}"
    );
    assert!(logs.contains("keychain: storing the password"), "{logs}");
    assert!(
        !logs.contains("typed-secret") && !logs.contains("env-secret"),
        "{logs}"
    );
    println!("LOGS-CHECKED");
}

/// A prompted password with a keychain that is down; an env password remembered and read back.
fn sign_in_every_way() {
    let broken = Keychain::with_vault(Arc::new(no_bus()));
    let prompt = ScriptedPrompt::typing("typed-secret");
    let mut sources = PasswordSources::new(ACCOUNT, &prompt);
    sources.keychain = Some(account(&broken));
    sources.password().unwrap();
    let keychain = Keychain::in_memory();
    let mut sources =
        PasswordSources::new(ACCOUNT, &prompt).with_env_value(Some("env-secret".into()));
    sources.keychain = Some(account(&keychain));
    sources.remember = true;
    sources.password().unwrap();
    sources.remember_after_login().unwrap();
    keychain
        .lookup("idp.example", "alice@corp.example")
        .unwrap();
}

/// A keychain whose store is never there.
fn no_bus() -> ScriptedVault {
    ScriptedVault::absent("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")
}
