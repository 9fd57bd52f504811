//! The user's MFA command (`--mfa-command` / `saml_mfa_command`, e.g. `ykman oath accounts code -s
//! corp`): run through the shell, bounded in time, and its output read as the one-time code.
//!
//! stdin is closed (the command cannot steal the password or the terminal's input), stdout is read
//! and is the code, stderr goes to the user's terminal (a YubiKey's "touch your key" shows there).
//! The code is the last word of the last non-empty line, so `ykman oath accounts code corp`
//! ("Corp:alice  123456") works as well as a command printing the code alone. Only the program's
//! name appears in messages: the rest of the command may hold a secret (an `oathtool` seed).

use crate::child::{self, Capture, ChildError};
use crate::secret::Secret;
use std::process::{Command, Stdio};
use std::time::Duration;
use zeroize::Zeroize;

/// How long the command may run before it is stopped.
pub const MFA_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// More output than a code needs is not read.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024;

/// Why the command gave no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandProblem {
    CannotStart(String),
    TimedOut(Duration),
    Failed(String),
    NoCode,
}

impl std::fmt::Display for CommandProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandProblem::CannotStart(e) => write!(f, "could not be started ({e})"),
            CommandProblem::TimedOut(t) => {
                write!(f, "did not finish within {} s and was stopped", t.as_secs())
            }
            CommandProblem::Failed(status) => write!(f, "failed ({status})"),
            CommandProblem::NoCode => write!(f, "printed no code on its standard output"),
        }
    }
}

/// A command line to run for each code.
#[derive(Clone)]
pub struct MfaCommand {
    command: String,
    timeout: Duration,
}

impl std::fmt::Debug for MfaCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaCommand")
            .field("program", &self.program())
            .finish_non_exhaustive()
    }
}

impl MfaCommand {
    pub fn new(command: impl Into<String>) -> MfaCommand {
        MfaCommand {
            command: command.into(),
            timeout: MFA_COMMAND_TIMEOUT,
        }
    }

    #[cfg(test)]
    pub fn with_timeout(mut self, timeout: Duration) -> MfaCommand {
        self.timeout = timeout;
        self
    }

    /// The command's first word, which is safe to show.
    pub fn program(&self) -> String {
        self.command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    }

    /// Runs the command once and returns the code it printed.
    pub fn run(&self) -> Result<Secret, CommandProblem> {
        let mut command = shell(&self.command);
        command.stdin(Stdio::null()).stderr(Stdio::inherit());
        let done = child::run(
            &mut command,
            Capture::Stdout,
            MAX_OUTPUT_BYTES,
            self.timeout,
        )
        .map_err(|e| match e {
            ChildError::Start(e) => CommandProblem::CannotStart(e.to_string()),
            ChildError::TimedOut => CommandProblem::TimedOut(self.timeout),
            ChildError::Wait(e) => CommandProblem::Failed(format!("not waited for: {e}")),
            ChildError::Read(e) => CommandProblem::Failed(format!("unreadable output: {e}")),
        })?;
        if !done.status.success() {
            return Err(CommandProblem::Failed(done.status.to_string()));
        }
        code_in(&done.output).ok_or(CommandProblem::NoCode)
    }
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", command]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    }
}

/// The last word of the last non-empty line (the output is wiped by its owner).
fn code_in(out: &[u8]) -> Option<Secret> {
    let mut text = String::from_utf8_lossy(out);
    let code = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| l.split_whitespace().last())
        .map(Secret::new);
    if let std::borrow::Cow::Owned(copy) = &mut text {
        copy.zeroize();
    }
    code
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_code_is_the_last_word_of_the_last_line() {
        let run = |cmd: &str| MfaCommand::new(cmd).run().map(|s| s.expose().to_string());
        assert_eq!(run("echo 123456").unwrap(), "123456");
        assert_eq!(
            run("printf 'Touch your YubiKey...\\nCorp:alice  654321\\n\\n'").unwrap(),
            "654321"
        );
        assert_eq!(run("true"), Err(CommandProblem::NoCode));
    }

    #[test]
    fn stdin_is_closed_and_stderr_is_not_the_code() {
        let code = MfaCommand::new("read x || echo 111222; echo noise >&2")
            .run()
            .unwrap();
        assert_eq!(code.expose(), "111222");
    }

    #[test]
    fn a_failing_command_says_its_exit_status() {
        let err = MfaCommand::new("echo 1; exit 7").run().unwrap_err();
        assert_eq!(err.to_string(), "failed (exit status: 7)");
        let err = MfaCommand::new("/nonexistent/ykman").run().unwrap_err();
        assert!(matches!(err, CommandProblem::Failed(_)), "{err:?}");
    }

    #[test]
    fn a_command_that_hangs_is_stopped() {
        let started = Instant::now();
        let err = MfaCommand::new("sleep 30")
            .with_timeout(Duration::from_millis(300))
            .run()
            .unwrap_err();
        assert_eq!(err, CommandProblem::TimedOut(Duration::from_millis(300)));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn only_the_program_is_shown() {
        let c = MfaCommand::new("oathtool --totp -b GEZDGNBVGY3TQOJQ");
        assert_eq!(c.program(), "oathtool");
        assert!(!format!("{c:?}").contains("GEZDG"));
    }
}
