//! `samlbridge exec --profile P -- CMD…`: CMD runs with the session in its environment and its exit
//! code becomes ours, so scripts see CMD's result.
//!
//! Exit codes of our own, as shells give them: 127 when CMD is not found, 126 when it cannot be run;
//! a CMD killed by a signal is 128 + the signal (bash's convention).

use super::{OTHER_SOURCES, REMOVED, SessionEnv};
use std::ffi::OsString;
use std::io;
use std::process::Command;
use std::process::ExitStatus;

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("no command given; write it after --, e.g. samlbridge exec --profile P -- aws s3 ls")]
    NoCommand,
    #[error("{program}: command not found; check its name and PATH")]
    NotFound { program: String },
    #[error("{program}: cannot run it: {reason}")]
    NotRunnable { program: String, reason: String },
}

impl ExecError {
    /// The exit code for this failure: 2 (usage), 127 (not found), 126 (found, cannot run).
    pub fn code(&self) -> u8 {
        match self {
            ExecError::NoCommand => 2,
            ExecError::NotFound { .. } => 127,
            ExecError::NotRunnable { .. } => 126,
        }
    }

    fn from_io(program: &str, err: io::Error) -> ExecError {
        let program = program.to_string();
        match err.kind() {
            io::ErrorKind::NotFound => ExecError::NotFound { program },
            _ => ExecError::NotRunnable {
                program,
                reason: err.to_string(),
            },
        }
    }
}

/// CMD (argv[0] looked up in PATH, the rest its arguments) with the session's variables set and
/// `REMOVED` (and the `OTHER_SOURCES` it does not set) taken out; stdin, stdout and stderr are
/// inherited.
pub fn command(argv: &[OsString], env: &SessionEnv) -> Result<Command, ExecError> {
    let (program, args) = argv.split_first().ok_or(ExecError::NoCommand)?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    for name in REMOVED {
        cmd.env_remove(name);
    }
    for name in OTHER_SOURCES.iter().filter(|n| !env.sets(n)) {
        cmd.env_remove(name);
    }
    for (name, value) in env.vars() {
        cmd.env(name, value);
    }
    Ok(cmd)
}

/// Runs CMD and returns its exit code. On Unix samlbridge *becomes* CMD (execvp): signals from the
/// terminal or a supervisor reach CMD directly and its status is the one the caller sees; this only
/// returns on failure. Elsewhere CMD is spawned and waited for.
pub fn run(mut cmd: Command) -> Result<i32, ExecError> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let program = cmd.get_program().to_string_lossy().into_owned();
        let err = cmd.exec();
        Err(ExecError::from_io(&program, err))
    }
    #[cfg(not(unix))]
    spawn_and_wait(&mut cmd)
}

/// Starts CMD (for a caller that keeps running beside it, as `exec --server` does).
pub fn spawn(cmd: &mut Command) -> Result<std::process::Child, ExecError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.spawn().map_err(|err| ExecError::from_io(&program, err))
}

/// Starts CMD, waits, and maps its status to an exit code.
#[cfg(any(test, not(unix)))]
pub fn spawn_and_wait(cmd: &mut Command) -> Result<i32, ExecError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let status = cmd
        .status()
        .map_err(|err| ExecError::from_io(&program, err))?;
    Ok(exit_code(status))
}

/// CMD's exit code, or 128 + the signal that ended it.
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::tests::session;
    use super::*;
    use std::process::Stdio;

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_command_sees_the_session_and_no_profile() {
        let script = "printf '%s|%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\" \
                      \"$AWS_REGION\" \"${AWS_PROFILE-gone}${AWS_DEFAULT_PROFILE-gone}\"";
        let mut cmd = command(&argv(&["sh", "-c", script]), &session(Some("eu-west-1"))).unwrap();
        // Removal is recorded on the Command, so a stale AWS_PROFILE of ours never reaches CMD.
        let removed: Vec<_> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            removed,
            [
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "AWS_DEFAULT_PROFILE",
                "AWS_PROFILE",
                "AWS_SECURITY_TOKEN"
            ]
        );
        let output = cmd.stdout(Stdio::piped()).output().unwrap();
        assert!(output.status.success());
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            "ASIAEXAMPLE|se'cr\"et$`\\x|eu-west-1|gonegone"
        );
    }

    #[test]
    fn secrets_are_not_in_the_arguments() {
        let cmd = command(&argv(&["true", "a"]), &session(None)).unwrap();
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(args, ["a"]);
    }

    #[test]
    fn the_exit_code_is_the_commands() {
        let mut cmd = command(&argv(&["sh", "-c", "exit 7"]), &session(None)).unwrap();
        assert_eq!(spawn_and_wait(&mut cmd).unwrap(), 7);
    }

    #[test]
    fn a_signal_is_128_plus_its_number() {
        let mut cmd = command(&argv(&["sh", "-c", "kill -TERM $$"]), &session(None)).unwrap();
        assert_eq!(spawn_and_wait(&mut cmd).unwrap(), 128 + 15);
    }

    #[test]
    fn a_missing_command_is_127_and_named() {
        let mut cmd = command(&argv(&["samlbridge-no-such-cmd"]), &session(None)).unwrap();
        let err = spawn_and_wait(&mut cmd).unwrap_err();
        assert_eq!(err.code(), 127);
        assert!(
            err.to_string()
                .starts_with("samlbridge-no-such-cmd: command not found")
        );
    }

    #[test]
    fn a_file_that_cannot_run_is_126() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("not-executable");
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        let mut cmd = command(&[path.into_os_string()], &session(None)).unwrap();
        assert_eq!(spawn_and_wait(&mut cmd).unwrap_err().code(), 126);
    }

    #[test]
    fn no_command_is_a_usage_error() {
        let err = command(&[], &session(None)).unwrap_err();
        assert_eq!(err.code(), 2);
    }
}
