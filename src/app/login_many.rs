//! `login --profile a,b,c` and `login --all`: several gateway profiles, one sign-in per IdP and user
//! (`config::SignInGroup`), every gateway role assumed from that assertion, every chain under them,
//! and all the profiles written in one locked write of the credentials file.
//!
//! All or nothing: when any profile fails (a role the assertion does not offer, STS refusing one
//! role or hop, a sign-in refused), the run fails naming it and the credentials file is not touched.
//! What did succeed is cached, so the next run signs in only where it has to.

use super::obtain::{self, GroupRequest, Obtained};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::config::{self, ChainSelect, ConfigFile, Overrides, Plan, SignInGroup};
use crate::idp::host_of;
use crate::sink::credentials_file;

/// The plans of a multi-profile login, grouped by sign-in, with everything checked that can be
/// before anyone is asked.
pub fn resolve(
    ctx: &Context,
    file: &ConfigFile,
    flags: &Overrides,
    select: &ChainSelect,
    names: &[String],
) -> Result<Vec<SignInGroup>> {
    let groups = config::resolve_many(file, &ctx.env, flags, select, names)?;
    let gateways: usize = groups.iter().map(|g| g.plans.len()).sum();
    if flags.role.is_some() && gateways > 1 {
        return Err(Error::Usage(
            "--role picks one gateway role, but several gateway profiles each assume their own saml_role; drop --role, or log in to one profile with it".into(),
        ));
    }
    if flags.password_stdin && groups.len() > 1 {
        return Err(Error::Usage(format!(
            "--password-stdin gives one password, but these profiles sign in {} times (another IdP or user): {}; log in to each group separately",
            groups.len(),
            groups
                .iter()
                .map(SignInGroup::gateway_names)
                .collect::<Vec<_>>()
                .join(" / ")
        )));
    }
    Ok(groups)
}

/// Signs in once per group, renews what needs it, and writes every profile in one write.
pub async fn login_many(ctx: &Context, groups: &[SignInGroup], force: bool) -> Result<u8> {
    let mut done: Vec<(&Plan, Obtained)> = Vec::new();
    for group in groups {
        let request = GroupRequest {
            ctx,
            plans: &group.plans,
            force,
            writes_file: true,
        };
        let outcome = obtain::obtain_group(&request).await?;
        if let Some(e) = outcome.sign_in_error {
            return Err(e);
        }
        // The first failing profile ends the run before anything is written.
        for (plan, result) in group.plans.iter().zip(outcome.plans) {
            if let Some(result) = result {
                done.push((plan, result?));
            }
        }
    }
    let renewed = done.iter().any(|(_, o)| o.renewed);
    if !renewed
        && done
            .iter()
            .all(|(plan, o)| obtain::file_is_current(ctx, plan, o))
    {
        tell!(
            "Profiles {} are still fresh (until {}); nothing to do. Use --force to sign in again.",
            all_names(&done),
            earliest_expiry(&done)
        );
        return Ok(0);
    }
    let to_write: Vec<_> = done
        .iter()
        .flat_map(|(plan, o)| obtain::file_profiles(plan, o))
        .collect();
    credentials_file::write_credentials(&ctx.paths.credentials_file, &to_write)?;
    report(ctx, groups, &done, &to_write);
    Ok(0)
}

/// The profiles `--profile` names: `a,b,c` split at commas (spaces around names dropped, repeats
/// once); None when it names one profile, or a profile whose name holds a comma.
pub fn listed_profiles(file: &ConfigFile, profile: Option<&str>) -> Result<Option<Vec<String>>> {
    let Some(list) = profile.filter(|p| p.contains(',')) else {
        return Ok(None);
    };
    if file.profiles.contains_key(list) {
        return Ok(None);
    }
    let mut names: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Error::Usage(format!(
                "--profile {}: an empty name in the list; give profile names separated by commas (a,b,c)",
                crate::shown::outside(&format!("{list:?}"))
            )));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(Some(names))
}

/// `--all`: every gateway profile of the config.
pub fn every_gateway(file: &ConfigFile) -> Result<Vec<String>> {
    let names = file.gateway_names();
    if names.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no profile has saml_url, so --all finds nothing to log in to; add a gateway profile (saml_url, saml_role) or use --profile",
            file.path.display()
        )));
    }
    Ok(names)
}

fn all_names(done: &[(&Plan, Obtained)]) -> String {
    let names: Vec<&str> = done
        .iter()
        .flat_map(|(_, o)| o.profiles.iter().map(|(p, _)| p.as_str()))
        .collect();
    names.join(", ")
}

fn earliest_expiry(done: &[(&Plan, Obtained)]) -> String {
    done.iter()
        .map(|(_, o)| o.earliest_expiry())
        .filter(|e| !e.is_empty())
        .min()
        .unwrap_or_default()
}

/// One line per sign-in group (which roles it gave), then what was written.
fn report(
    ctx: &Context,
    groups: &[SignInGroup],
    done: &[(&Plan, Obtained)],
    written: &[(String, crate::sts::Credentials)],
) {
    for group in groups {
        let Some(first) = group.plans.first() else {
            continue;
        };
        let roles: Vec<String> = done
            .iter()
            .filter(|(plan, _)| group_has(group, plan))
            .map(|(plan, o)| {
                let cached = if o.gateway_cached { ", cached" } else { "" };
                format!(
                    "{} ({} in {}{cached})",
                    plan.gateway.profile,
                    crate::saml::resource_name(&o.role_arn),
                    crate::saml::account_id(&o.role_arn)
                )
            })
            .collect();
        let signed_in = if done
            .iter()
            .any(|(p, o)| !o.gateway_cached && group_has(group, p))
        {
            "Signed in once"
        } else {
            "No sign-in needed"
        };
        tell!(
            "{signed_in} at {} for {} gateway profile(s): {}",
            host_of(&first.gateway.url),
            group.plans.len(),
            roles.join(", ")
        );
    }
    let names: Vec<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
    let skipped = done.iter().map(|(_, o)| o.profiles.len()).sum::<usize>() - written.len();
    let note = if skipped > 0 {
        format!("; {skipped} profile(s) with credential_process were cached, not written")
    } else {
        String::new()
    };
    tell!(
        "Wrote {} to {} (earliest expiry {}){note}",
        names.join(", "),
        ctx.paths.credentials_file.display(),
        earliest_expiry(done)
    );
}

fn group_has(group: &SignInGroup, plan: &Plan) -> bool {
    group
        .plans
        .iter()
        .any(|p| p.gateway.profile == plan.gateway.profile)
}

#[cfg(test)]
mod tests;
