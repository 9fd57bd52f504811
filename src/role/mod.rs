//! Choosing the gateway role from those the assertion offers: `--role`, then `saml_role`, then the only
//! role, then a filterable picker; with nobody to ask, a usage error that lists the roles. Account
//! aliases, when known, appear in the picker and in those lists, and `--role` may name one.
//!
//! `listing` formats roles for people and scripts (picker lines, `roles` table and JSON).

pub mod aliases;
mod listing;

pub use listing::{picker_lines, roles_json, roles_table, sorted};

use crate::answers::prompt::Prompt;
use crate::exit::ExitKind;
use crate::role::aliases::{AccountAliases, is_account_id};
use crate::saml::RoleOption;
use tracing::debug;

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error(
        "profile {profile}: the role '{wanted}' is not among the roles offered: {offered}; run `samlbridge roles --profile {profile}` to list them"
    )]
    NotOffered {
        profile: String,
        wanted: String,
        offered: String,
    },
    #[error(
        "profile {profile}: several roles match '{wanted}': {matches}; pick one with --role ARN"
    )]
    Ambiguous {
        profile: String,
        wanted: String,
        matches: String,
    },
    #[error(
        "profile {profile}: the IdP offers several roles and there is no terminal to pick one; pick one with --role (or saml_role): {offered}"
    )]
    NeedsChoice { profile: String, offered: String },
}

impl RoleError {
    pub fn exit_kind(&self) -> ExitKind {
        ExitKind::Usage
    }
}

/// `wanted` is `--role` or else `saml_role`: a role ARN, a role name, or ACCOUNT_ID/ROLE_NAME.
pub fn choose(
    profile: &str,
    roles: &[RoleOption],
    wanted: Option<&str>,
    prompt: &dyn Prompt,
) -> Result<RoleOption, RoleError> {
    choose_with_aliases(profile, roles, wanted, prompt, &AccountAliases::default())
}

/// `choose`, with account aliases: shown in the picker and in the roles an error lists, and `wanted`
/// may also be ALIAS/ROLE_NAME.
pub fn choose_with_aliases(
    profile: &str,
    roles: &[RoleOption],
    wanted: Option<&str>,
    prompt: &dyn Prompt,
    aliases: &AccountAliases,
) -> Result<RoleOption, RoleError> {
    let chooser = Chooser {
        profile,
        roles,
        aliases,
    };
    if let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        return chooser.wanted(wanted);
    }
    match roles {
        [only] => Ok(only.clone()),
        [] => Err(RoleError::NotOffered {
            profile: profile.to_owned(),
            wanted: "any role".into(),
            offered: "(none)".into(),
        }),
        _ if prompt.is_interactive() => chooser.pick(prompt),
        _ => Err(chooser.needs_choice()),
    }
}

/// One choice: the roles offered to a profile, and the names of their accounts.
struct Chooser<'a> {
    profile: &'a str,
    roles: &'a [RoleOption],
    aliases: &'a AccountAliases,
}

/// One way of reading `wanted`: does it name this role (exactly, or ignoring case)?
type Reading<'a> = &'a dyn Fn(&RoleOption, bool) -> bool;

impl Chooser<'_> {
    /// The roles `wanted` names. The most precise reading that matches anything wins: the exact
    /// ARN, then ACCOUNT_ID/ROLE_NAME, then ALIAS/ROLE_NAME or the role name (or its path) — one
    /// reading, so that an alias that is also a role path gives an ambiguity, not a surprise. Each
    /// exact first, then ignoring case (IAM role names are unique regardless of case).
    fn wanted(&self, wanted: &str) -> Result<RoleOption, RoleError> {
        let readings: [Reading<'_>; 3] = [
            &|r, exact| same(&r.role_arn, wanted, exact),
            &|r, exact| {
                wanted.split_once('/').is_some_and(|(account, name)| {
                    is_account_id(account)
                        && r.account_id() == account
                        && names_role(r, name, exact)
                })
            },
            &|r, exact| self.alias_names(r, wanted, exact) || names_role(r, wanted, exact),
        ];
        for reading in readings {
            for exact in [true, false] {
                let matches: Vec<&RoleOption> =
                    self.roles.iter().filter(|r| reading(r, exact)).collect();
                match matches.as_slice() {
                    [] => continue,
                    [one] => return Ok((*one).clone()),
                    several => {
                        return Err(RoleError::Ambiguous {
                            profile: self.profile.to_owned(),
                            wanted: wanted.to_owned(),
                            matches: self.listed(several.iter().copied()),
                        });
                    }
                }
            }
        }
        Err(RoleError::NotOffered {
            profile: self.profile.to_owned(),
            wanted: wanted.to_owned(),
            offered: self.listed(self.roles.iter()),
        })
    }

    /// `wanted` is ALIAS/ROLE_NAME (or ALIAS/PATH/ROLE_NAME) for this role's account.
    fn alias_names(&self, role: &RoleOption, wanted: &str, exact: bool) -> bool {
        wanted.split_once('/').is_some_and(|(alias, name)| {
            self.aliases
                .get(role.account_id())
                .is_some_and(|known| same(known, alias, exact))
                && names_role(role, name, exact)
        })
    }

    /// Asks the person at the terminal; the items are sorted by account, then role name.
    fn pick(&self, prompt: &dyn Prompt) -> Result<RoleOption, RoleError> {
        let sorted = sorted(self.roles);
        let items = picker_lines(&sorted, self.aliases);
        let title = format!("profile {}: choose a role (type to filter)", self.profile);
        match prompt.choose(&title, &items) {
            Ok(index) if index < sorted.len() => Ok(sorted[index].clone()),
            Ok(index) => {
                debug!(index, "the picker answered an index out of range");
                Err(self.needs_choice())
            }
            Err(e) => {
                debug!("the role picker gave no answer: {e}");
                Err(self.needs_choice())
            }
        }
    }

    fn needs_choice(&self) -> RoleError {
        RoleError::NeedsChoice {
            profile: self.profile.to_owned(),
            offered: self.listed(self.roles.iter()),
        }
    }

    /// Role ARNs, each followed by its account's alias when known:
    /// `arn:aws:iam::111111111111:role/Admin (prod-main), arn:aws:iam::222222222222:role/Admin`.
    fn listed<'r>(&self, roles: impl Iterator<Item = &'r RoleOption>) -> String {
        roles
            .map(|r| match self.aliases.get(r.account_id()) {
                Some(alias) => format!("{} ({alias})", r.role_arn),
                None => r.role_arn.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn same(a: &str, b: &str, exact: bool) -> bool {
    if exact {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

/// `name` is the role's name, or its path and name (`team/Admin` for `role/team/Admin`).
fn names_role(role: &RoleOption, name: &str, exact: bool) -> bool {
    let with_path = role
        .role_arn
        .split_once(":role/")
        .map_or("", |(_, path)| path);
    same(role.role_name(), name, exact) || same(with_path, name, exact)
}

#[cfg(test)]
mod tests;
