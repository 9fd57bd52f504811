//! The credentials file as the AWS tools will read it: private (0600), every section once, and no
//! static keys in the section of a profile that uses credential_process (the AWS CLI and SDKs take
//! static keys first, so the process never runs). `--fix` removes those keys with the credentials
//! writer's own careful edit (every other byte kept, locked, atomic) and makes the file 0600.

use super::report::Finding;
use crate::app::context::Context;
use crate::config::lint::duplicate_sections;
use crate::config::{ConfigFile, Plan};
use crate::sink::credentials_file::{read_text, remove_static_keys, static_keys_in};
use std::path::Path;

const CHECK: &str = "credentials-file";

/// `narrowed`: `--profile` was given, so only the profiles of `plans` are looked at.
pub fn check(
    ctx: &Context,
    file: &ConfigFile,
    plans: &[Plan],
    narrowed: bool,
    fix: bool,
) -> Vec<Finding> {
    let path = &ctx.paths.credentials_file;
    let text = match read_text(path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            return vec![Finding::ok(
                CHECK,
                format!(
                    "{}: not there yet; samlbridge login creates it (0600)",
                    path.display()
                ),
            )];
        }
        Err(e) => return vec![Finding::problem(CHECK, e.to_string())],
    };
    let mut findings = vec![mode_finding(path, fix)];
    for (name, lines) in duplicate_sections(&text) {
        findings.push(Finding::problem(
            CHECK,
            format!(
                "{}: section [{}] appears {} times; the AWS CLI refuses such a file: merge them into one",
                path.display(),
                crate::shown::outside(&name),
                lines.len()
            ),
        ));
    }
    let scope = narrowed.then_some(plans);
    findings.extend(masking(path, &text, &process_profiles(file, scope), fix));
    findings
}

/// The profiles whose config section has a credential_process: every one in the file, or only those
/// of `scope`'s plans.
fn process_profiles(file: &ConfigFile, scope: Option<&[Plan]>) -> Vec<String> {
    let in_scope = |name: &str| {
        scope.is_none_or(|plans| {
            plans
                .iter()
                .any(|p| p.gateway.profile == name || p.chain.iter().any(|h| h.profile == name))
        })
    };
    file.profiles
        .values()
        .filter(|p| {
            p.keys
                .get("credential_process")
                .is_some_and(|v| !v.trim().is_empty())
        })
        .filter(|p| in_scope(&p.name))
        .map(|p| p.name.clone())
        .collect()
}

/// Static keys masking credential_process: a problem each, or removed with `fix`.
pub(super) fn masking(path: &Path, text: &str, profiles: &[String], fix: bool) -> Vec<Finding> {
    let masked: Vec<(String, Vec<String>)> = profiles
        .iter()
        .map(|p| (p.clone(), static_keys_in(text, p)))
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    if masked.is_empty() {
        return vec![Finding::ok(
            CHECK,
            format!(
                "{}: no static keys mask a credential_process profile",
                path.display()
            ),
        )];
    }
    if fix {
        let names: Vec<String> = masked.iter().map(|(p, _)| p.clone()).collect();
        return vec![match remove_static_keys(path, &names) {
            Ok(removed) => Finding::ok(
                CHECK,
                format!(
                    "{}: removed {removed} static key line(s) from [{}]; their credential_process runs again (nothing else in the file changed)",
                    path.display(),
                    names.join("], [")
                ),
            ),
            Err(e) => Finding::problem(CHECK, e.to_string()),
        }];
    }
    masked
        .into_iter()
        .map(|(profile, keys)| {
            Finding::problem(
                CHECK,
                format!(
                    "{}: [{profile}] holds {}, which mask profile {profile}'s credential_process in the AWS CLI and SDKs; run samlbridge doctor --fix to remove them",
                    path.display(),
                    keys.join(", ")
                ),
            )
        })
        .collect()
}

/// 0600 expected: the file holds keys. With `fix`, made so.
pub(super) fn mode_finding(path: &Path, fix: bool) -> Finding {
    let Some(mode) = file_mode(path) else {
        return Finding::ok(CHECK, format!("{}: present", path.display()));
    };
    if mode & 0o077 == 0 {
        return Finding::ok(CHECK, format!("{}: mode {mode:04o}", path.display()));
    }
    if fix && set_private(path).is_ok() {
        return Finding::ok(
            CHECK,
            format!("{}: mode was {mode:04o}, now 0600", path.display()),
        );
    }
    Finding::problem(
        CHECK,
        format!(
            "{}: mode {mode:04o} lets other users read the keys in it; run chmod 600 {} (or samlbridge doctor --fix)",
            path.display(),
            path.display()
        ),
    )
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // chmod follows a symlink to the file it names.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
