//! What a person typed, checked before anything goes on the network (a sign-in can cost an MFA
//! prompt): profile names that must become `[sections]` of the AWS files, session durations STS
//! would refuse, role ARNs that cannot be ARNs.

use crate::saml::{IamResource, check_iam_arn};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// What AWS accepts for DurationSeconds (AssumeRole and AssumeRoleWithSAML alike).
pub const DURATION_RANGE: RangeInclusive<i32> = 900..=43200;

/// The longest profile name taken: section names have no limit in the AWS tools, but a name longer
/// than this is a mistake (a pasted token, a whole line), and it also names files.
pub const MAX_PROFILE_NAME: usize = 128;

/// Why `name` cannot be a profile's `[section]` name in ~/.aws/credentials and ~/.aws/config, as
/// every AWS tool reads those files; Ok when it can.
pub fn check_profile_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.trim() != name {
        return Err("it begins or ends with a space");
    }
    if name.chars().count() > MAX_PROFILE_NAME {
        return Err("it is longer than 128 characters");
    }
    for c in name.chars() {
        let why = match c {
            '[' | ']' => "it contains a bracket, which ends a section header",
            '#' | ';' => {
                "it contains '#' or ';', which some AWS tools read as the start of a comment"
            }
            c if c.is_control() => {
                "it contains a control character (a line break, a tab, an escape)"
            }
            c if c.is_whitespace() && c != ' ' => "it contains whitespace other than a plain space",
            _ => continue,
        };
        return Err(why);
    }
    // What the terminal guard would escape: characters that reorder or hide text.
    if crate::shown::message(name) != name {
        return Err("it contains an invisible or text-reordering character");
    }
    Ok(())
}

/// Why `seconds` is not a DurationSeconds STS accepts; Ok when it is.
pub fn check_duration(seconds: i32) -> Result<(), String> {
    if DURATION_RANGE.contains(&seconds) {
        Ok(())
    } else {
        Err(format!(
            "{seconds} s is outside what AWS accepts: use a whole number of seconds from {} to {}",
            DURATION_RANGE.start(),
            DURATION_RANGE.end()
        ))
    }
}

/// A gateway role as typed (`saml_role`, `--role`): an ARN, a role name, ACCOUNT_ID/ROLE_NAME or
/// ALIAS/ROLE_NAME. Names and aliases never hold ':', so a value that does must be a role ARN.
pub fn check_role_choice(role: &str) -> Result<(), String> {
    let role = role.trim();
    if !role.contains(':') {
        return Ok(());
    }
    check_iam_arn(role, IamResource::Role)
        .map_err(|why| format!("{why}; give a role ARN (arn:aws:iam::123456789012:role/NAME), a role name, or ACCOUNT_ID/ROLE_NAME"))
}

/// The longest alias accepted from the config: IAM's own limit is 63 characters.
const MAX_ALIAS_CHARS: usize = 64;

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Why an alias of `[saml-aliases]` cannot be used: 1 to 64 characters, no `/` (it separates
/// ALIAS/ROLE_NAME in `--role`) and no line break.
fn check_alias(alias: &str) -> Result<(), &'static str> {
    if alias.is_empty() {
        return Err("the alias is empty");
    }
    if alias.chars().count() > MAX_ALIAS_CHARS {
        return Err("an alias has at most 64 characters");
    }
    if alias.contains('/') {
        return Err("an alias cannot contain '/' (it separates ALIAS/ROLE_NAME in --role)");
    }
    if alias.chars().any(char::is_control) {
        return Err("an alias is one line of text; remove the indented line below it");
    }
    Ok(())
}

impl super::ConfigFile {
    /// The `[saml-aliases]` lines, each checked: a 12-digit account id and a usable alias.
    pub fn aliases(&self) -> Result<BTreeMap<String, String>, super::ConfigError> {
        let mut aliases = BTreeMap::new();
        for (account, alias) in &self.alias_lines {
            let bad = |why: &str| super::ConfigError::BadAlias {
                file: self.path.clone(),
                account: account.clone(),
                alias: alias.clone(),
                why: why.to_string(),
            };
            if !is_account_id(account) {
                return Err(bad("the key must be a 12-digit AWS account id"));
            }
            check_alias(alias).map_err(bad)?;
            aliases.insert(account.clone(), alias.clone());
        }
        Ok(aliases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_profile_names_are_accepted() {
        for name in [
            "corp",
            "default",
            "prod-eu_1.a",
            "my profile",
            "prod/admin",
            "équipe",
            "a=b",
            &"x".repeat(MAX_PROFILE_NAME),
        ] {
            assert_eq!(check_profile_name(name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn names_that_cannot_be_a_section_are_refused_by_class() {
        for bad in [
            "",
            " corp",
            "corp ",
            "\tcorp",
            "co[rp",
            "corp]",
            "[corp]",
            "co\nrp",
            "corp\r",
            "co\u{0}rp",
            "co\u{1b}[2Jrp",
            "co\u{7f}rp",
            "co\u{85}rp",
            "co\u{2028}rp",
            "co\u{a0}rp",
            "co\u{202e}rp",
            "co\u{200b}rp",
            "co#rp",
            "co;rp",
            "#corp",
            ";corp",
            &"x".repeat(MAX_PROFILE_NAME + 1),
        ] {
            assert!(check_profile_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn durations_inside_aws_limits_only() {
        for ok in [900, 3600, 43200] {
            assert_eq!(check_duration(ok), Ok(()));
        }
        for bad in [i32::MIN, -1, 0, 899, 43201, i32::MAX] {
            let why = check_duration(bad).unwrap_err();
            assert!(why.contains("900 to 43200"), "{why}");
        }
    }

    #[test]
    fn a_role_choice_with_a_colon_must_be_a_role_arn() {
        for ok in [
            "Admin",
            "111111111111/Admin",
            "prod-main/Admin",
            "arn:aws:iam::111111111111:role/Admin",
            " arn:aws:iam::111111111111:role/team/Admin ",
        ] {
            assert_eq!(check_role_choice(ok), Ok(()), "{ok}");
        }
        for bad in [
            "arn:aws:iam::1111:role/Admin",
            "arn:aws:iam::111111111111:role/",
            "arn:aws:iam::111111111111:user/Admin",
            "Admin:x",
        ] {
            assert!(check_role_choice(bad).is_err(), "{bad}");
        }
    }
}
