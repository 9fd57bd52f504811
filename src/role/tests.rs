//! Choosing a role: readings of --role, the picker, the errors that list roles.

use super::*;
use crate::answers::prompt::NoPrompt;
use crate::testing::prompt::ScriptedPrompt;
use std::io;

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
    let prompt = ScriptedPrompt::choosing(Ok(1));
    let got = choose("corp", &offered(), None, &prompt).unwrap();
    assert_eq!(got, role("111111111111", "ReadOnly"));
    let shown = prompt.shown();
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
    let prompt = ScriptedPrompt::choosing(Err(io::Error::other("interrupted")));
    let err = choose("corp", &offered(), None, &prompt).unwrap_err();
    assert!(matches!(err, RoleError::NeedsChoice { .. }));
    let prompt = ScriptedPrompt::choosing(Ok(99));
    assert!(choose("corp", &offered(), None, &prompt).is_err());
}

fn aliases() -> AccountAliases {
    [("111111111111", "prod-main"), ("333333333333", "team")]
        .into_iter()
        .collect()
}

fn choose_aliased(wanted: Option<&str>, prompt: &dyn Prompt) -> Result<RoleOption, RoleError> {
    choose_with_aliases("corp", &offered(), wanted, prompt, &aliases())
}

#[test]
fn the_picker_shows_aliases_aligned() {
    let prompt = ScriptedPrompt::choosing(Ok(2));
    let got = choose_aliased(None, &prompt).unwrap();
    assert_eq!(got, role("222222222222", "Admin"));
    let shown = prompt.shown();
    let items = &shown[0].1;
    assert_eq!(
        items,
        &[
            "prod-main (111111111111)  Admin     arn:aws:iam::111111111111:role/Admin",
            "prod-main (111111111111)  ReadOnly  arn:aws:iam::111111111111:role/ReadOnly",
            "222222222222              Admin     arn:aws:iam::222222222222:role/Admin",
            "team (333333333333)       Deployer  arn:aws:iam::333333333333:role/team/Deployer",
            "team (333333333333)       admin     arn:aws:iam::333333333333:role/admin",
        ]
    );
}

#[test]
fn wanted_by_alias_and_name() {
    let got = choose_aliased(Some("prod-main/Admin"), &NoPrompt).unwrap();
    assert_eq!(got, role("111111111111", "Admin"));
    let got = choose_aliased(Some("PROD-MAIN/readonly"), &NoPrompt).unwrap();
    assert_eq!(got, role("111111111111", "ReadOnly"));
    // Without aliases, the same text names nothing.
    let err = choose_wanted_of("prod-main/Admin").unwrap_err();
    assert!(matches!(err, RoleError::NotOffered { .. }), "{err:?}");
}

#[test]
fn an_alias_that_is_also_a_role_path_is_ambiguous_not_a_guess() {
    // "team/admin": account 333333333333 is called "team", and has role "admin"; role
    // team/Deployer's path starts with "team" too but names Deployer, so only one matches...
    let got = choose_aliased(Some("team/admin"), &NoPrompt).unwrap();
    assert_eq!(got, role("333333333333", "admin"));
    // ...while "team/Deployer" is both the alias reading and the path reading of the same role.
    let got = choose_aliased(Some("team/Deployer"), &NoPrompt).unwrap();
    assert_eq!(got, role("333333333333", "team/Deployer"));
    // An alias naming an account whose role shares a path with another account's role.
    let mut roles = offered();
    roles.push(role("444444444444", "prod-main/Admin"));
    let err = choose_with_aliases(
        "corp",
        &roles,
        Some("prod-main/Admin"),
        &NoPrompt,
        &aliases(),
    )
    .unwrap_err();
    let RoleError::Ambiguous { ref matches, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        matches,
        "arn:aws:iam::111111111111:role/Admin (prod-main), arn:aws:iam::444444444444:role/prod-main/Admin"
    );
}

#[test]
fn error_lists_name_the_aliases() {
    let err = choose_aliased(None, &NoPrompt).unwrap_err();
    let RoleError::NeedsChoice { ref offered, .. } = err else {
        panic!("{err:?}")
    };
    assert!(
        offered.starts_with(
            "arn:aws:iam::222222222222:role/Admin, arn:aws:iam::111111111111:role/ReadOnly (prod-main), "
        ),
        "{offered}"
    );
    let err = choose_aliased(Some("Nope"), &NoPrompt)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("arn:aws:iam::333333333333:role/admin (team)"),
        "{err}"
    );
}

#[test]
fn the_roles_table_and_json_carry_the_alias() {
    let table = roles_table(&offered(), &aliases());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(
        lines[0].starts_with("prod-main (111111111111)  Admin "),
        "{table}"
    );
    assert!(
        lines[2].starts_with("222222222222              Admin "),
        "{table}"
    );
    assert!(table.ends_with("role/admin\n"));

    let json = roles_json(&offered(), &aliases());
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(
        list[0],
        serde_json::json!({
            "account_id": "111111111111",
            "account_alias": "prod-main",
            "role_name": "Admin",
            "role_arn": "arn:aws:iam::111111111111:role/Admin",
            "principal_arn": "arn:aws:iam::111111111111:saml-provider/Corp",
        })
    );
    assert_eq!(list[2]["account_id"], "222222222222");
    assert!(list[2]["account_alias"].is_null());
    let plain = roles_json(&offered(), &AccountAliases::default());
    assert!(
        plain
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["account_alias"].is_null())
    );
}
