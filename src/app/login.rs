//! `login` (sign in, assume, chain, write the profiles) and `roles` (sign in, list the roles); a login
//! of several profiles goes to `login_many`.

use super::login_many::{self, every_gateway, listed_profiles};
use super::obtain::{self, Obtained, Request};
use super::sign_in::{account_aliases, sign_in};
use super::{plan_for, sign_in_overrides};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::{LoginArgs, RolesArgs};
use crate::config::{self, ChainSelect, ConfigFile, Overrides, Plan};
use crate::role;

pub async fn login(args: LoginArgs) -> Result<u8> {
    let flags = overrides(&args)?;
    // A new duration is a new session: a fresh one of another length does not answer it.
    let force = args.force || args.duration.is_some();
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let select = chain_select(&args);
    if let Some((file, names)) = several_profiles(&ctx, &args)? {
        let groups = login_many::resolve(&ctx, &file, &flags, &select, &names)?;
        return match groups.as_slice() {
            [one] if one.plans.len() == 1 => login_plan(&ctx, &one.plans[0], force).await,
            _ => login_many::login_many(&ctx, &groups, force).await,
        };
    }
    let plan = plan_for(&ctx, &flags, &select)?;
    login_plan(&ctx, &plan, force).await
}

/// One plan's login: from the cache when every profile is fresh and written, else renewed and
/// written.
async fn login_plan(ctx: &Context, plan: &Plan, force: bool) -> Result<u8> {
    let request = Request {
        ctx,
        plan,
        force,
        writes_file: true,
    };
    let obtained = obtain::obtain(&request).await?;
    if obtained.renewed || !obtain::file_is_current(ctx, plan, &obtained) {
        let written = obtain::write_file(ctx, plan, &obtained)?;
        report(ctx, plan, &obtained, &written);
    } else {
        tell!(
            "Profiles {} are still fresh (until {}); nothing to do. Use --force to sign in again.",
            names(&obtained),
            obtained.earliest_expiry()
        );
    }
    Ok(0)
}

/// The profiles of a multi-profile login (`--all`, `--profile a,b,c`) and the config they are in;
/// None for one profile named the usual way.
fn several_profiles(ctx: &Context, args: &LoginArgs) -> Result<Option<(ConfigFile, Vec<String>)>> {
    let listed = args.sign_in.profile.as_deref().filter(|p| p.contains(','));
    if !args.all && listed.is_none() {
        return Ok(None);
    }
    let file = ConfigFile::load_from(&ctx.paths)?;
    let names = if args.all {
        every_gateway(&file)?
    } else {
        match listed_profiles(&file, listed)? {
            Some(names) => names,
            None => return Ok(None),
        }
    };
    Ok(Some((file, names)))
}

/// The flags as config's input, checked for what they alone can tell before any file is read or
/// anyone is asked: a duration STS would refuse after a whole sign-in, a role ARN that cannot be one.
fn overrides(args: &LoginArgs) -> Result<Overrides> {
    if let Some(seconds) = args.duration {
        config::check_duration(seconds).map_err(|why| Error::Usage(format!("--duration {why}")))?;
    }
    if let Some(role) = &args.role {
        config::check_role_choice(role).map_err(|why| {
            Error::Usage(format!(
                "--role {}: {why}",
                crate::shown::outside(&format!("{role:?}"))
            ))
        })?;
    }
    Ok(Overrides {
        role: args.role.clone(),
        duration_seconds: args.duration,
        ..sign_in_overrides(&args.sign_in)
    })
}

fn chain_select(args: &LoginArgs) -> ChainSelect {
    match (&args.chain, args.no_chain) {
        (_, true) => ChainSelect::None,
        (Some(only), false) => ChainSelect::Only(only.clone()),
        (None, false) => ChainSelect::All,
    }
}

fn names(obtained: &Obtained) -> String {
    obtained
        .profiles
        .iter()
        .map(|(p, _)| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn report(ctx: &Context, plan: &Plan, obtained: &Obtained, written: &[String]) {
    let role = crate::saml::resource_name(&obtained.role_arn);
    let account = crate::saml::account_id(&obtained.role_arn);
    let skipped = obtained.profiles.len() - written.len();
    let note = if skipped > 0 {
        format!("; {skipped} profile(s) with credential_process were cached, not written")
    } else {
        String::new()
    };
    tell!(
        "Signed in as {role} in account {account} (profile {}); wrote {} to {} (expires {}){note}",
        plan.gateway.profile,
        written.join(", "),
        ctx.paths.credentials_file.display(),
        obtained.earliest_expiry(),
    );
}

pub async fn roles(args: RolesArgs) -> Result<u8> {
    let flags = sign_in_overrides(&args.sign_in);
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let plan = plan_for(&ctx, &flags, &ChainSelect::None)?;
    let signed_in = sign_in(&ctx, &plan).await?;
    let aliases = account_aliases(&plan, &signed_in).await;
    let roles = &signed_in.claims.roles;
    if args.json {
        let json = role::roles_json(roles, &aliases);
        super::stdout::print_line(
            &serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into()),
        )?;
    } else {
        super::stdout::print(&role::roles_table(roles, &aliases))?;
    }
    Ok(0)
}
