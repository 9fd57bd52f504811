//! Where a login's answers come from on the command line: the username from flag or config (else a
//! prompt), the password from --password-stdin, SAMLBRIDGE_PASSWORD or a prompt, the MFA code from
//! --mfa-code or a prompt. Each is asked only when the IdP's pages ask for it.

use crate::idp::{IdpError, LoginAnswers};
use crate::prompt::Prompt;
use crate::secret::Secret;
use std::io::BufRead;

pub struct CliAnswers<'a> {
    /// The IdP host, for messages.
    pub host: String,
    pub profile: String,
    pub username: Option<String>,
    pub password_stdin: bool,
    pub env_password: Option<Secret>,
    pub mfa_code: Option<Secret>,
    pub prompt: &'a dyn Prompt,
    /// A code is good for one page: a second MFA page means the first code was refused.
    mfa_code_used: bool,
}

impl<'a> CliAnswers<'a> {
    pub fn new(host: String, profile: String, prompt: &'a dyn Prompt) -> Self {
        CliAnswers {
            host,
            profile,
            username: None,
            password_stdin: false,
            env_password: None,
            mfa_code: None,
            prompt,
            mfa_code_used: false,
        }
    }

    fn needs_person(&self, what: &str, next: String) -> IdpError {
        IdpError::NeedsPerson {
            host: self.host.clone(),
            what: what.to_string(),
            next,
        }
    }
}

fn read_stdin_line() -> std::io::Result<Secret> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = Secret::new(line.trim_end_matches(['\r', '\n']));
    line.clear();
    Ok(password)
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
        if self.password_stdin {
            self.password_stdin = false;
            let password = read_stdin_line().map_err(|e| {
                IdpError::Setup(format!("--password-stdin: could not read stdin: {e}"))
            })?;
            if password.is_empty() {
                return Err(IdpError::Setup(
                    "--password-stdin: stdin gave an empty password".into(),
                ));
            }
            return Ok(password);
        }
        if let Some(password) = self.env_password.take() {
            return Ok(password);
        }
        if !self.prompt.is_interactive() {
            let next = "pass it with --password-stdin or SAMLBRIDGE_PASSWORD, or run in a terminal"
                .to_string();
            return Err(self.needs_person("a password", next));
        }
        let user = self.username.clone().unwrap_or_default();
        self.prompt
            .secret(&format!("Password for {user} at {}", self.host))
            .map_err(|e| self.needs_person("a password", format!("the terminal failed: {e}")))
    }

    fn has_mfa_code(&self) -> bool {
        self.mfa_code.is_some()
    }

    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        if let Some(code) = self.mfa_code.take() {
            self.mfa_code_used = true;
            return Ok(code);
        }
        if !self.prompt.is_interactive() {
            let next = if self.mfa_code_used {
                "the code given was used already; pass a fresh one with --mfa-code".to_string()
            } else {
                "pass it with --mfa-code, or run in a terminal".to_string()
            };
            return Err(self.needs_person(&format!("a one-time code ({label})"), next));
        }
        self.prompt
            .secret(&format!("{label} for {}", self.host))
            .map_err(|e| self.needs_person("a one-time code", format!("the terminal failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::NoPrompt;

    #[test]
    fn without_a_terminal_a_missing_password_needs_a_person() {
        let mut a = CliAnswers::new("idp.example".into(), "corp".into(), &NoPrompt);
        let err = a.password().unwrap_err();
        assert!(matches!(err, IdpError::NeedsPerson { .. }));
        assert!(err.to_string().contains("SAMLBRIDGE_PASSWORD"), "{err}");
    }

    #[test]
    fn the_env_password_is_used_once() {
        let mut a = CliAnswers::new("idp.example".into(), "corp".into(), &NoPrompt);
        a.env_password = Some(Secret::new("pw"));
        assert_eq!(a.password().unwrap().expose(), "pw");
        assert!(a.password().is_err());
    }

    #[test]
    fn a_second_mfa_page_without_a_terminal_says_the_code_was_used() {
        let mut a = CliAnswers::new("idp.example".into(), "corp".into(), &NoPrompt);
        a.mfa_code = Some(Secret::new("123456"));
        assert_eq!(a.mfa_code("Code").unwrap().expose(), "123456");
        let err = a.mfa_code("Code").unwrap_err().to_string();
        assert!(err.contains("used already"), "{err}");
    }

    #[test]
    fn username_comes_from_config_or_flag_without_asking() {
        let mut a = CliAnswers::new("idp.example".into(), "corp".into(), &NoPrompt);
        assert!(a.username().is_err());
        a.username = Some("alice".into());
        assert_eq!(a.username().unwrap(), "alice");
    }
}
