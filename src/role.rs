//! Choosing the gateway role from those the assertion offers: `--role`, then `saml_role`, then the only
//! role, then a filterable picker; with nobody to ask, a usage error that lists the roles.

use crate::error::ExitKind;
use crate::prompt::Prompt;
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
    if let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        return choose_wanted(profile, roles, wanted);
    }
    match roles {
        [only] => Ok(only.clone()),
        [] => Err(RoleError::NotOffered {
            profile: profile.to_owned(),
            wanted: "any role".into(),
            offered: "(none)".into(),
        }),
        _ if prompt.is_interactive() => pick(profile, roles, prompt),
        _ => Err(needs_choice(profile, roles)),
    }
}

/// One way of reading `wanted`: does it name this role (exactly, or ignoring case)?
type Reading<'a> = &'a dyn Fn(&RoleOption, bool) -> bool;

/// The roles `wanted` names. The most precise reading that matches anything wins: the exact ARN,
/// then ACCOUNT_ID/ROLE_NAME, then the role name (or its path); each exact first, then ignoring case
/// (IAM role names are unique regardless of case).
fn choose_wanted(
    profile: &str,
    roles: &[RoleOption],
    wanted: &str,
) -> Result<RoleOption, RoleError> {
    let readings: [Reading<'_>; 3] = [
        &|r, exact| same(&r.role_arn, wanted, exact),
        &|r, exact| {
            wanted.split_once('/').is_some_and(|(account, name)| {
                is_account_id(account) && r.account_id() == account && names_role(r, name, exact)
            })
        },
        &|r, exact| names_role(r, wanted, exact),
    ];
    for reading in readings {
        for exact in [true, false] {
            let matches: Vec<&RoleOption> = roles.iter().filter(|r| reading(r, exact)).collect();
            match matches.as_slice() {
                [] => continue,
                [one] => return Ok((*one).clone()),
                several => {
                    return Err(RoleError::Ambiguous {
                        profile: profile.to_owned(),
                        wanted: wanted.to_owned(),
                        matches: arns(several.iter().copied()),
                    });
                }
            }
        }
    }
    Err(RoleError::NotOffered {
        profile: profile.to_owned(),
        wanted: wanted.to_owned(),
        offered: arns(roles.iter()),
    })
}

fn same(a: &str, b: &str, exact: bool) -> bool {
    if exact {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `name` is the role's name, or its path and name (`team/Admin` for `role/team/Admin`).
fn names_role(role: &RoleOption, name: &str, exact: bool) -> bool {
    let with_path = role
        .role_arn
        .split_once(":role/")
        .map_or("", |(_, path)| path);
    same(role.role_name(), name, exact) || same(with_path, name, exact)
}

/// Asks the person at the terminal; the items are sorted by account, then role name.
fn pick(profile: &str, roles: &[RoleOption], prompt: &dyn Prompt) -> Result<RoleOption, RoleError> {
    let mut sorted: Vec<&RoleOption> = roles.iter().collect();
    sorted.sort_by(|a, b| {
        (a.account_id(), a.role_name(), &a.role_arn).cmp(&(
            b.account_id(),
            b.role_name(),
            &b.role_arn,
        ))
    });
    let width = sorted
        .iter()
        .map(|r| r.role_name().len())
        .max()
        .unwrap_or(0);
    let items: Vec<String> = sorted
        .iter()
        .map(|r| {
            format!(
                "{}  {:width$}  {}",
                r.account_id(),
                r.role_name(),
                r.role_arn
            )
        })
        .collect();
    let title = format!("profile {profile}: choose a role (type to filter)");
    match prompt.choose(&title, &items) {
        Ok(index) if index < sorted.len() => Ok(sorted[index].clone()),
        Ok(index) => {
            debug!(index, "the picker answered an index out of range");
            Err(needs_choice(profile, roles))
        }
        Err(e) => {
            debug!("the role picker gave no answer: {e}");
            Err(needs_choice(profile, roles))
        }
    }
}

fn needs_choice(profile: &str, roles: &[RoleOption]) -> RoleError {
    RoleError::NeedsChoice {
        profile: profile.to_owned(),
        offered: arns(roles.iter()),
    }
}

fn arns<'a>(roles: impl Iterator<Item = &'a RoleOption>) -> String {
    roles
        .map(|r| r.role_arn.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::NoPrompt;
    use crate::secret::Secret;
    use std::io;
    use std::sync::Mutex;

    /// Answers `choose` with a fixed index and records what it was shown.
    struct ScriptedPrompt {
        answer: io::Result<usize>,
        shown: Mutex<Vec<(String, Vec<String>)>>,
    }

    impl ScriptedPrompt {
        fn answering(answer: io::Result<usize>) -> Self {
            ScriptedPrompt {
                answer,
                shown: Mutex::new(Vec::new()),
            }
        }
    }

    impl Prompt for ScriptedPrompt {
        fn is_interactive(&self) -> bool {
            true
        }
        fn text(&self, _label: &str) -> io::Result<String> {
            Err(io::Error::other("not scripted"))
        }
        fn secret(&self, _label: &str) -> io::Result<Secret> {
            Err(io::Error::other("not scripted"))
        }
        fn choose(&self, title: &str, items: &[String]) -> io::Result<usize> {
            self.shown
                .lock()
                .unwrap()
                .push((title.to_owned(), items.to_vec()));
            match &self.answer {
                Ok(i) => Ok(*i),
                Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
            }
        }
    }

    fn role(account: &str, path_and_name: &str) -> RoleOption {
        RoleOption {
            role_arn: format!("arn:aws:iam::{account}:role/{path_and_name}"),
            principal_arn: format!("arn:aws:iam::{account}:saml-provider/Corp"),
        }
    }

    fn offered() -> Vec<RoleOption> {
        vec![
            role("222222222222", "Admin"),
            role("111111111111", "ReadOnly"),
            role("111111111111", "Admin"),
            role("333333333333", "team/Deployer"),
            role("333333333333", "admin"),
        ]
    }

    fn choose_wanted_of(wanted: &str) -> Result<RoleOption, RoleError> {
        choose("corp", &offered(), Some(wanted), &NoPrompt)
    }

    #[test]
    fn wanted_by_exact_arn() {
        let arn = "arn:aws:iam::111111111111:role/Admin";
        assert_eq!(choose_wanted_of(arn).unwrap().role_arn, arn);
    }

    #[test]
    fn wanted_by_account_and_name() {
        let got = choose_wanted_of("222222222222/Admin").unwrap();
        assert_eq!(got, role("222222222222", "Admin"));
        let got = choose_wanted_of("333333333333/Deployer").unwrap();
        assert_eq!(got, role("333333333333", "team/Deployer"));
    }

    #[test]
    fn wanted_by_name_exact_before_case_insensitive() {
        assert_eq!(
            choose_wanted_of("ReadOnly").unwrap(),
            role("111111111111", "ReadOnly")
        );
        assert_eq!(
            choose_wanted_of("readonly").unwrap(),
            role("111111111111", "ReadOnly")
        );
        // "admin" exactly names one role, so the two "Admin" roles do not make it ambiguous.
        assert_eq!(
            choose_wanted_of("admin").unwrap(),
            role("333333333333", "admin")
        );
        assert_eq!(
            choose_wanted_of("team/Deployer").unwrap(),
            role("333333333333", "team/Deployer")
        );
    }

    #[test]
    fn several_matches_are_ambiguous_and_listed() {
        let err = choose_wanted_of("Admin").unwrap_err();
        let RoleError::Ambiguous { ref matches, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            matches,
            "arn:aws:iam::222222222222:role/Admin, arn:aws:iam::111111111111:role/Admin"
        );
        assert!(err.to_string().contains("profile corp"));
        assert_eq!(err.exit_kind(), ExitKind::Usage);
    }

    #[test]
    fn no_match_lists_what_is_offered() {
        let err = choose_wanted_of("Nope").unwrap_err();
        let RoleError::NotOffered { ref offered, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(offered.matches("arn:aws:iam::").count(), 5);
        assert!(err.to_string().contains("'Nope'"));
    }

    #[test]
    fn the_only_role_needs_no_question() {
        let only = vec![role("111111111111", "Admin")];
        assert_eq!(choose("corp", &only, None, &NoPrompt).unwrap(), only[0]);
        assert_eq!(
            choose("corp", &only, Some("  "), &NoPrompt).unwrap(),
            only[0]
        );
    }

    #[test]
    fn several_roles_without_a_terminal_list_every_arn() {
        let err = choose("corp", &offered(), None, &NoPrompt).unwrap_err();
        let RoleError::NeedsChoice { ref offered, .. } = err else {
            panic!("{err:?}")
        };
        for r in super::tests::offered() {
            assert!(offered.contains(&r.role_arn), "{offered}");
        }
    }

    #[test]
    fn the_picker_shows_sorted_lines_and_its_answer_is_mapped_back() {
        let prompt = ScriptedPrompt::answering(Ok(1));
        let got = choose("corp", &offered(), None, &prompt).unwrap();
        assert_eq!(got, role("111111111111", "ReadOnly"));
        let shown = prompt.shown.lock().unwrap();
        let (title, items) = &shown[0];
        assert!(title.contains("corp"));
        let accounts_and_names: Vec<Vec<&str>> = items
            .iter()
            .map(|line| line.split_whitespace().take(2).collect())
            .collect();
        assert_eq!(
            accounts_and_names,
            [
                ["111111111111", "Admin"],
                ["111111111111", "ReadOnly"],
                ["222222222222", "Admin"],
                ["333333333333", "Deployer"],
                ["333333333333", "admin"],
            ]
        );
        assert!(items[0].ends_with("arn:aws:iam::111111111111:role/Admin"));
    }

    #[test]
    fn a_picker_that_gives_up_is_a_usage_error() {
        let prompt = ScriptedPrompt::answering(Err(io::Error::other("interrupted")));
        let err = choose("corp", &offered(), None, &prompt).unwrap_err();
        assert!(matches!(err, RoleError::NeedsChoice { .. }));
        let prompt = ScriptedPrompt::answering(Ok(99));
        assert!(choose("corp", &offered(), None, &prompt).is_err());
    }
}
