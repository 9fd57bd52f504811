//! Roles written out: picker lines for people, and the `roles` command's table and JSON. One order
//! everywhere (account id, role name, ARN) so that the picker, the table and the JSON agree.

use crate::role::aliases::AccountAliases;
use crate::saml::RoleOption;

/// The roles by account id, then role name, then ARN.
pub fn sorted(roles: &[RoleOption]) -> Vec<&RoleOption> {
    let mut sorted: Vec<&RoleOption> = roles.iter().collect();
    sorted.sort_by(|a, b| {
        (a.account_id(), a.role_name(), &a.role_arn).cmp(&(
            b.account_id(),
            b.role_name(),
            &b.role_arn,
        ))
    });
    sorted
}

/// One aligned line per role, in the given order: `prod-main (123456789012)  Admin  arn:…`, or
/// `123456789012  Admin  arn:…` for an account without an alias.
pub fn picker_lines(roles: &[&RoleOption], aliases: &AccountAliases) -> Vec<String> {
    let labels: Vec<String> = roles
        .iter()
        .map(|r| aliases.label(r.account_id()))
        .collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let name_width = roles
        .iter()
        .map(|r| r.role_name().chars().count())
        .max()
        .unwrap_or(0);
    roles
        .iter()
        .zip(&labels)
        .map(|(r, label)| {
            format!(
                "{label:label_width$}  {:name_width$}  {}",
                r.role_name(),
                r.role_arn
            )
        })
        .collect()
}

/// `samlbridge roles`: the picker's lines, sorted, one per line (with a final newline).
pub fn roles_table(roles: &[RoleOption], aliases: &AccountAliases) -> String {
    picker_lines(&sorted(roles), aliases)
        .into_iter()
        .map(|line| line + "\n")
        .collect()
}

/// `samlbridge roles --json`: an array, sorted like the table, of objects with `account_id`,
/// `account_alias` (null when unknown), `role_name`, `role_arn` and `principal_arn`.
pub fn roles_json(roles: &[RoleOption], aliases: &AccountAliases) -> serde_json::Value {
    sorted(roles)
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "account_id": r.account_id(),
                "account_alias": aliases.get(r.account_id()),
                "role_name": r.role_name(),
                "role_arn": r.role_arn,
                "principal_arn": r.principal_arn,
            })
        })
        .collect()
}
