//! Account aliases: the names people know AWS accounts by (`prod-main` rather than 123456789012),
//! shown in the role picker, in role lists of errors and in `samlbridge roles`.
//!
//! Two sources, the config winning where both name an account:
//!
//! - the `[saml-aliases]` section of ~/.aws/config, one `ACCOUNT_ID = alias` line per account;
//! - optionally (`--aliases` / `saml_fetch_aliases = true`), the account aliases AWS itself shows on
//!   the sign-in page the assertion is addressed to (`signin`, never fatal).
//!
//! Why a section of ~/.aws/config, and why that name: the AWS CLI's loader (botocore) keeps every
//! section it does not know as inert data — `aws configure list/get/set` work, and `aws configure
//! set` writes the file back with the section untouched (checked with aws-cli 1.45 / botocore 1.43,
//! whose config loader CLI v2 shares). The Rust SDK (which samlbridge's STS client uses to read the
//! same file) skips it too, with a warning ("profile [saml-aliases] ignored; sections … must have a
//! prefix"): samlbridge's logging keeps the `aws_runtime::env_config` target at error
//! level so that its own runs stay quiet. The alternatives are worse: a `[profile …]` section would
//! show up as a profile in every tool, and a prefixed one (`[samlbridge aliases]`) makes the Rust SDK
//! warn about each plain `key = value` line, as it expects nested values there.

mod aws_signin_page;
pub(crate) mod page;

pub use aws_signin_page::fetch_from_signin;
#[cfg(test)]
pub use aws_signin_page::{FETCH_TIMEOUT, SIGNIN_URL_OVERRIDE};

pub use crate::config::is_account_id;
use crate::config::{ConfigError, ConfigFile};
use std::collections::BTreeMap;

/// Account id (12 digits) → alias.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountAliases(BTreeMap<String, String>);

impl AccountAliases {
    /// The `[saml-aliases]` lines of `config`, each checked (see `ConfigFile::aliases`).
    pub fn from_config(config: &ConfigFile) -> Result<AccountAliases, ConfigError> {
        Ok(AccountAliases(config.aliases()?))
    }

    pub fn get(&self, account_id: &str) -> Option<&str> {
        self.0.get(account_id).map(String::as_str)
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// (account id, alias), by account id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// Both sets; where both name an account, `self`'s alias is kept. Call it on the config's
    /// aliases with the fetched ones, so that a person's own names win over AWS's.
    pub fn merge(mut self, other: AccountAliases) -> AccountAliases {
        for (account, alias) in other.0 {
            self.0.entry(account).or_insert(alias);
        }
        self
    }

    /// `prod-main (123456789012)` when the account has an alias, else `123456789012`.
    pub fn label(&self, account_id: &str) -> String {
        match self.get(account_id) {
            Some(alias) => format!("{alias} ({account_id})"),
            None => account_id.to_string(),
        }
    }

    fn insert(&mut self, account_id: &str, alias: &str) {
        self.0.insert(account_id.to_string(), alias.to_string());
    }
}

impl<A: Into<String>, B: Into<String>> FromIterator<(A, B)> for AccountAliases {
    fn from_iter<I: IntoIterator<Item = (A, B)>>(iter: I) -> Self {
        AccountAliases(
            iter.into_iter()
                .map(|(a, b)| (a.into(), b.into()))
                .collect(),
        )
    }
}

/// An IAM account alias as AWS allows it: 3 to 63 lowercase letters, digits and single hyphens,
/// starting and ending with a letter or digit. What the sign-in page shows is checked against it, so
/// that a changed page cannot put arbitrary text in the picker.
fn is_iam_alias(alias: &str) -> bool {
    let bytes = alias.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !alias.starts_with('-')
        && !alias.ends_with('-')
        && !alias.contains("--")
}

#[cfg(test)]
mod tests;
