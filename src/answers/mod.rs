//! Where a login's answers come from on the command line: the username from flag or config (else a
//! prompt), the password from `PasswordSources` (--password-stdin, SAMLBRIDGE_PASSWORD, the keychain,
//! a prompt), the MFA code from
//! --mfa-code, the MFA command (--mfa-command / saml_mfa_command) or a prompt. Each is asked only
//! when the IdP's pages ask for it.
//!
//! Prompts go to the terminal (/dev/tty), never to stdout, so `$(samlbridge ...)` can still ask.

pub mod keychain;
mod mfa_command;
pub mod password;
pub mod prompt;

pub use mfa_command::MfaCommand;

use crate::answers::password::{PasswordError, PasswordSources};
use crate::answers::prompt::Prompt;
use crate::exit::ExitKind;
use crate::idp::{IdpError, LoginAnswers};
use crate::secret::Secret;
use std::time::{Duration, Instant};
use tracing::info;

/// How long to wait for the MFA command to give a code other than the one just used, when the IdP
/// asks for the next code (an RSA token changes every 60 s, a TOTP every 30 s).
pub const NEXT_CODE_WAIT: Duration = Duration::from_secs(90);

pub struct CliAnswers<'a> {
    /// The IdP host, for messages.
    pub host: String,
    pub profile: String,
    pub username: Option<String>,
    pub passwords: PasswordSources<'a>,
    pub mfa_code: Option<Secret>,
    /// `--mfa-command` / `saml_mfa_command`: run for each code when no --mfa-code is left.
    pub mfa_command: Option<String>,
    pub prompt: &'a dyn Prompt,
    /// A code is good for one page: a second MFA page means the first code was refused.
    mfa_code_used: bool,
    /// The last code sent, to tell a fresh code from the same one when the next code is asked.
    last_code: Option<Secret>,
    /// Pause between runs of the MFA command while waiting for a new code.
    next_code_poll: Duration,
    next_code_wait: Duration,
}

impl<'a> CliAnswers<'a> {
    pub fn new(host: String, profile: String, prompt: &'a dyn Prompt) -> Self {
        CliAnswers {
            host,
            profile,
            username: None,
            passwords: PasswordSources::new(String::new(), prompt),
            mfa_code: None,
            mfa_command: None,
            prompt,
            mfa_code_used: false,
            last_code: None,
            next_code_poll: Duration::from_secs(5),
            next_code_wait: NEXT_CODE_WAIT,
        }
    }

    fn needs_person(&self, what: &str, next: String) -> IdpError {
        IdpError::NeedsPerson {
            host: self.host.clone(),
            what: what.to_string(),
            next,
        }
    }

    fn command(&self) -> Option<MfaCommand> {
        self.mfa_command
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(MfaCommand::new)
    }

    fn run_command(&self, command: &MfaCommand) -> Result<Secret, IdpError> {
        info!(
            "running the MFA command ({}) for the one-time code",
            command.program()
        );
        command.run().map_err(|problem| IdpError::MfaCommand {
            host: self.host.clone(),
            program: command.program(),
            problem: problem.to_string(),
        })
    }

    /// Runs the command until it prints a code other than the last one sent.
    fn fresh_code_from(&self, command: &MfaCommand) -> Result<Secret, IdpError> {
        let started = Instant::now();
        let mut told = false;
        loop {
            let code = self.run_command(command)?;
            let same = self
                .last_code
                .as_ref()
                .is_some_and(|last| last.expose() == code.expose());
            if !same {
                return Ok(code);
            }
            if started.elapsed() >= self.next_code_wait {
                return Err(IdpError::MfaCommand {
                    host: self.host.clone(),
                    program: command.program(),
                    problem: format!(
                        "printed the code already used for {} s, while the IdP asks for the next one",
                        self.next_code_wait.as_secs()
                    ),
                });
            }
            if !told {
                tell!(
                    "{}: waiting for the next code from the MFA command",
                    self.host
                );
                told = true;
            }
            std::thread::sleep(self.next_code_poll);
        }
    }

    fn prompt_code(&self, question: &str) -> Result<Secret, IdpError> {
        self.prompt
            .secret(question)
            .map_err(|e| self.needs_person("a one-time code", format!("the terminal failed: {e}")))
    }

    fn remember(&mut self, code: Secret) -> Secret {
        self.last_code = Some(code.clone());
        code
    }
}

impl LoginAnswers for CliAnswers<'_> {
    fn username(&mut self) -> Result<String, IdpError> {
        if let Some(user) = &self.username {
            return Ok(user.clone());
        }
        if !self.prompt.is_interactive() {
            let next = format!(
                "pass --username or set saml_username in profile {}",
                self.profile
            );
            return Err(self.needs_person("a username", next));
        }
        let user = self
            .prompt
            .text(&format!("Username for {}", self.host))
            .map_err(|e| self.needs_person("a username", format!("the terminal failed: {e}")))?;
        self.username = Some(user.clone());
        Ok(user)
    }

    fn password(&mut self) -> Result<Secret, IdpError> {
        if self.passwords.account.is_empty() {
            let user = self.username.clone().unwrap_or_default();
            self.passwords.account = format!("{user} at {}", self.host);
        }
        self.passwords.password().map_err(|e| match e {
            PasswordError::PersonMustAct { .. } => self.needs_person("a password", e.to_string()),
            other if other.exit_kind() == ExitKind::Usage => IdpError::Setup(other.to_string()),
            other => IdpError::Local(other.to_string()),
        })
    }

    fn has_mfa_code(&self) -> bool {
        self.mfa_code.is_some() || self.command().is_some()
    }

    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        if let Some(code) = self.mfa_code.take() {
            self.mfa_code_used = true;
            return Ok(self.remember(code));
        }
        if let Some(command) = self.command() {
            let code = self.run_command(&command)?;
            return Ok(self.remember(code));
        }
        if !self.prompt.is_interactive() {
            let next = if self.mfa_code_used {
                "the code given was used already; pass a fresh one with --mfa-code, or use \
                 --mfa-command"
                    .to_string()
            } else {
                "pass it with --mfa-code or --mfa-command, or run in a terminal".to_string()
            };
            return Err(self.needs_person(&format!("a one-time code ({label})"), next));
        }
        let code = self.prompt_code(&format!("{label} for {}", self.host))?;
        Ok(self.remember(code))
    }

    /// The next code (RSA SecurID's next-tokencode mode): from the MFA command once it prints a new
    /// one, else from the terminal; a --mfa-code is good for one page only.
    fn next_mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        if let Some(command) = self.command() {
            let code = self.fresh_code_from(&command)?;
            return Ok(self.remember(code));
        }
        if !self.prompt.is_interactive() {
            let next = "a --mfa-code is good for one page; use --mfa-command (it is run again \
                        until the code changes), or run in a terminal"
                .to_string();
            return Err(self.needs_person(&format!("the next one-time code ({label})"), next));
        }
        let question = format!(
            "{label} for {}: wait for the code to change, then enter the NEXT code",
            self.host
        );
        let code = self.prompt_code(&question)?;
        Ok(self.remember(code))
    }
}

#[cfg(test)]
mod tests;
