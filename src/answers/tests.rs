use super::*;
use crate::answers::prompt::NoPrompt;

fn cli() -> CliAnswers<'static> {
    CliAnswers::new("idp.example".into(), "corp".into(), &NoPrompt)
}

#[test]
fn without_a_terminal_a_missing_password_needs_a_person() {
    let mut a = cli();
    let err = a.password().unwrap_err();
    assert!(matches!(err, IdpError::NeedsPerson { .. }));
    assert!(err.to_string().contains("SAMLBRIDGE_PASSWORD"), "{err}");
}

#[test]
fn the_env_password_is_found_once_and_kept() {
    let mut a = cli();
    a.passwords.env = Some(Secret::new("pw"));
    assert_eq!(a.password().unwrap().expose(), "pw");
    a.passwords.env = None;
    assert_eq!(a.password().unwrap().expose(), "pw");
}

#[test]
fn a_second_mfa_page_without_a_terminal_says_the_code_was_used() {
    let mut a = cli();
    a.mfa_code = Some(Secret::new("123456"));
    assert!(a.has_mfa_code());
    assert_eq!(a.mfa_code("Code").unwrap().expose(), "123456");
    assert!(!a.has_mfa_code());
    let err = a.mfa_code("Code").unwrap_err().to_string();
    assert!(err.contains("used already"), "{err}");
}

#[test]
fn username_comes_from_config_or_flag_without_asking() {
    let mut a = cli();
    assert!(a.username().is_err());
    a.username = Some("alice".into());
    assert_eq!(a.username().unwrap(), "alice");
}

#[cfg(unix)]
mod command {
    use super::*;

    #[test]
    fn the_mfa_command_gives_the_code_after_the_flag() {
        let mut a = cli();
        a.mfa_code = Some(Secret::new("111111"));
        a.mfa_command = Some("echo 222222".into());
        assert!(a.has_mfa_code());
        assert_eq!(a.mfa_code("Code").unwrap().expose(), "111111");
        assert_eq!(a.mfa_code("Code").unwrap().expose(), "222222");
        assert_eq!(a.mfa_code("Code").unwrap().expose(), "222222");
    }

    #[test]
    fn a_failing_command_is_an_auth_error_naming_the_program_only() {
        let mut a = cli();
        a.mfa_command = Some("ykman oath accounts code -s SECRET-NAME; exit 3".into());
        let err = a.mfa_code("Code").unwrap_err();
        assert_eq!(err.exit_kind(), crate::exit::ExitKind::AuthRejected);
        let text = err.to_string();
        assert!(text.contains("(ykman) failed (exit status: 3)"), "{text}");
        assert!(!text.contains("SECRET-NAME"), "{text}");
        assert!(
            text.starts_with("idp.example asks for a one-time code"),
            "{text}"
        );
    }

    /// The next code comes from the command once it prints another one than the code just sent.
    #[test]
    fn the_next_code_waits_for_the_command_to_change() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("n");
        let script = format!(
            "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; \
             if [ $n -lt 3 ]; then echo 111111; else echo 222222; fi",
            c = counter.display()
        );
        let mut a = cli();
        a.mfa_command = Some(script);
        a.next_code_poll = Duration::from_millis(20);
        assert_eq!(a.mfa_code("Passcode").unwrap().expose(), "111111");
        assert_eq!(a.next_mfa_code("Passcode").unwrap().expose(), "222222");
        assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "3");
    }

    #[test]
    fn a_command_that_never_changes_its_code_gives_up() {
        let mut a = cli();
        a.mfa_command = Some("echo 111111".into());
        a.next_code_poll = Duration::from_millis(10);
        a.next_code_wait = Duration::from_millis(50);
        a.mfa_code("Passcode").unwrap();
        let err = a.next_mfa_code("Passcode").unwrap_err().to_string();
        assert!(err.contains("printed the code already used"), "{err}");
    }
}

#[test]
fn the_next_code_without_a_command_or_terminal_needs_a_person() {
    let mut a = cli();
    a.mfa_code = Some(Secret::new("123456"));
    a.mfa_code("Passcode").unwrap();
    let err = a.next_mfa_code("Passcode").unwrap_err();
    assert!(matches!(err, IdpError::NeedsPerson { .. }), "{err:?}");
    assert!(err.to_string().contains("--mfa-command"), "{err}");
}
