//! A person answering the IdP's questions from a script: the engine's and the providers' tests ask
//! it what `CliAnswers` would ask the terminal, the keychain or an MFA command.

use crate::idp::{IdpError, LoginAnswers};
use crate::secret::Secret;

/// Answers from a script, recording what was asked (never the answers) and what was shown.
#[derive(Default)]
pub(crate) struct ScriptedAnswers {
    pub username: String,
    pub password: String,
    /// One-time codes, used in order; when none is left a code is an error only a person could fix.
    pub codes: Vec<String>,
    /// Whether the codes are at hand without asking (as --mfa-code or an MFA command are): the
    /// engine then prefers a factor that takes a code to a push.
    pub code_at_hand: bool,
    /// "username", "password", "code: LABEL", "next code: LABEL", in the order asked.
    pub asked: Vec<String>,
    /// What the engine showed while it waited (a push to approve, a number to pick).
    pub notices: Vec<String>,
}

impl ScriptedAnswers {
    /// Someone who types `codes` when asked for one (the codes are not at hand beforehand).
    pub fn new(username: &str, password: &str, codes: &[&str]) -> Self {
        ScriptedAnswers {
            username: username.into(),
            password: password.into(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            ..ScriptedAnswers::default()
        }
    }

    /// The codes are known before the IdP asks (--mfa-code, an MFA command).
    pub fn with_codes_at_hand(mut self) -> Self {
        self.code_at_hand = true;
        self
    }

    fn next_code(&mut self) -> Result<Secret, IdpError> {
        if self.codes.is_empty() {
            return Err(IdpError::NeedsPerson {
                host: "test".into(),
                what: "a code".into(),
                next: "none left".into(),
            });
        }
        Ok(Secret::new(self.codes.remove(0)))
    }
}

impl LoginAnswers for ScriptedAnswers {
    fn username(&mut self) -> Result<String, IdpError> {
        self.asked.push("username".into());
        Ok(self.username.clone())
    }
    fn password(&mut self) -> Result<Secret, IdpError> {
        self.asked.push("password".into());
        Ok(Secret::new(self.password.clone()))
    }
    fn mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        self.asked.push(format!("code: {label}"));
        self.next_code()
    }
    fn next_mfa_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        self.asked.push(format!("next code: {label}"));
        self.next_code()
    }
    fn notice(&mut self, message: &str) {
        self.notices.push(message.to_string());
    }
    fn has_mfa_code(&self) -> bool {
        self.code_at_hand && !self.codes.is_empty()
    }
}
