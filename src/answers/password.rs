//! Where a password comes from, the same for every command that may have to sign in: `--password-stdin`,
//! then `SAMLBRIDGE_PASSWORD`, then the keychain (when opted in), then a prompt — only when a person is
//! at a terminal to answer it. Otherwise a person must act (exit 3), never a hang.
//!
//! (The saved IdP session is tried before any of these, by the login engine: it needs no password.)

use crate::answers::keychain::{Keychain, KeychainError};
use crate::answers::prompt::Prompt;
use crate::exit::ExitKind;
use crate::secret::Secret;
use std::io::{self, BufRead};

/// The keychain item of one IdP account, when the keychain is opted in (`--remember-password` or
/// `saml_keychain = true`).
pub struct KeychainAccount<'a> {
    pub keychain: &'a Keychain,
    /// The IdP host, e.g. `adfs.corp.example`.
    pub host: String,
    pub username: String,
}

/// Which source gave the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    Stdin,
    Env,
    Keychain,
    Prompt,
}

pub struct PasswordSources<'a> {
    /// `--password-stdin`: the first line of stdin, read once.
    pub stdin: bool,
    /// `SAMLBRIDGE_PASSWORD`; empty counts as unset.
    pub env: Option<Secret>,
    pub keychain: Option<KeychainAccount<'a>>,
    /// Store the password after a successful login (`--remember-password`, `saml_keychain = true`).
    pub remember: bool,
    pub prompt: &'a dyn Prompt,
    /// Shown by the prompt and named in errors, e.g. "alice@corp.example at adfs.corp.example".
    pub account: String,
    /// None: the process's stdin, locked only while it is read (a prompt may need it too).
    reader: Option<Box<dyn BufRead + Send + 'a>>,
    given: Option<(Secret, PasswordSource)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "no password for {account}: {tried}, and no terminal to ask; run `samlbridge login` in a \
         terminal once (with --remember-password to keep it in the keychain), or pass \
         --password-stdin or SAMLBRIDGE_PASSWORD"
    )]
    PersonMustAct { account: String, tried: String },
    #[error(
        "--password-stdin: stdin was empty; pipe the password in, e.g. \
         `printf '%s\\n' \"$PW\" | samlbridge login --password-stdin`"
    )]
    EmptyStdin,
    #[error("--password-stdin: could not read stdin: {0}")]
    Stdin(io::Error),
    #[error("asking for the password of {account} failed: {source}")]
    Prompt { account: String, source: io::Error },
}

impl PasswordError {
    pub fn exit_kind(&self) -> ExitKind {
        match self {
            PasswordError::PersonMustAct { .. } => ExitKind::AuthRejected,
            PasswordError::EmptyStdin => ExitKind::Usage,
            PasswordError::Stdin(_) | PasswordError::Prompt { .. } => ExitKind::Other,
        }
    }
}

/// What `remember_after_login` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remembered {
    Stored,
    /// Not opted in, no keychain, no password was needed (a saved session), or it came from there.
    NothingToDo,
}

impl<'a> PasswordSources<'a> {
    /// Sources reading the real stdin; `env` is the value of `SAMLBRIDGE_PASSWORD`, if set.
    pub fn new(account: impl Into<String>, prompt: &'a dyn Prompt) -> Self {
        PasswordSources {
            stdin: false,
            env: None,
            keychain: None,
            remember: false,
            prompt,
            account: account.into(),
            reader: None,
            given: None,
        }
    }

    /// Reads `--password-stdin` from `reader` instead of the process's stdin (tests, pipes).
    #[cfg(test)]
    pub fn with_stdin_reader(mut self, reader: impl BufRead + Send + 'a) -> Self {
        self.reader = Some(Box::new(reader));
        self
    }

    /// Sets `env` from the value of `SAMLBRIDGE_PASSWORD`.
    #[cfg(test)]
    pub fn with_env_value(mut self, value: Option<String>) -> Self {
        self.env = value.filter(|v| !v.is_empty()).map(Secret::new);
        self
    }

    /// The password, from the first source that has one. Asked once: a second call gives the same.
    pub fn password(&mut self) -> Result<Secret, PasswordError> {
        if let Some((secret, _)) = &self.given {
            return Ok(secret.clone());
        }
        let (secret, source) = self.find()?;
        tracing::info!(source = ?source, account = %self.account, "password found");
        self.given = Some((secret.clone(), source));
        Ok(secret)
    }

    /// Where the password given by `password()` came from (to say "the keychain's password was
    /// rejected" rather than just "rejected").
    pub fn source(&self) -> Option<PasswordSource> {
        self.given.as_ref().map(|(_, source)| *source)
    }

    /// After a SUCCESSFUL login only: stores the password in the keychain when opted in. A failure is
    /// for the caller to show as a warning; the login itself stands.
    pub fn remember_after_login(&self) -> Result<Remembered, KeychainError> {
        let (Some(account), Some((secret, source)), true) =
            (&self.keychain, &self.given, self.remember)
        else {
            return Ok(Remembered::NothingToDo);
        };
        if *source == PasswordSource::Keychain {
            return Ok(Remembered::NothingToDo);
        }
        account
            .keychain
            .store(&account.host, &account.username, secret)?;
        Ok(Remembered::Stored)
    }

    fn find(&mut self) -> Result<(Secret, PasswordSource), PasswordError> {
        if self.stdin {
            return Ok((self.read_stdin()?, PasswordSource::Stdin));
        }
        if let Some(secret) = &self.env {
            return Ok((secret.clone(), PasswordSource::Env));
        }
        if let Some(secret) = self.look_in_keychain() {
            return Ok((secret, PasswordSource::Keychain));
        }
        if self.prompt.is_interactive() {
            let label = format!("Password for {}", self.account);
            return match self.prompt.secret(&label) {
                Ok(secret) => Ok((secret, PasswordSource::Prompt)),
                Err(source) => Err(PasswordError::Prompt {
                    account: self.account.clone(),
                    source,
                }),
            };
        }
        Err(PasswordError::PersonMustAct {
            account: self.account.clone(),
            tried: self.tried(),
        })
    }

    fn read_stdin(&mut self) -> Result<Secret, PasswordError> {
        let mut line = String::new();
        let read = match self.reader.as_mut() {
            Some(reader) => reader.read_line(&mut line),
            None => io::stdin().lock().read_line(&mut line),
        };
        read.map_err(PasswordError::Stdin)?;
        let secret = Secret::new(line.trim_end_matches(['\n', '\r']));
        drop(Secret::new(line)); // zeroes the buffer, which may hold more than the first line
        match secret.is_empty() {
            true => Err(PasswordError::EmptyStdin),
            false => Ok(secret),
        }
    }

    /// A keychain that cannot be reached or read is a warning: the next source may still answer.
    fn look_in_keychain(&self) -> Option<Secret> {
        let account = self.keychain.as_ref()?;
        match account.keychain.lookup(&account.host, &account.username) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    }

    fn tried(&self) -> String {
        let keychain = match self.keychain {
            Some(_) => "none in the keychain",
            None => "the keychain is not enabled (--remember-password or saml_keychain = true)",
        };
        format!("SAMLBRIDGE_PASSWORD is not set, {keychain}")
    }
}

#[cfg(test)]
mod tests;
