//! `setup`: from an IdP URL to working profiles in ~/.aws/config. Everything local is checked first
//! (`checks`), then the URL is probed (`probe`: TLS trust, which provider), the person signs in once
//! through the same pipeline as `roles`, the roles are shown, and the gateway profile (with
//! `--all-roles`, one per role) and the chained profiles are written (`profiles`) by the config
//! file's writer (sink/config_file: every other byte kept, atomic, locked).

mod checks;
mod names;
mod probe;
mod profiles;

use super::sign_in::{account_aliases, sign_in};
use super::sign_in_overrides;
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::SetupArgs;
use crate::config::{self, ChainSelect, ConfigFile, Plan};
use crate::idp::IdpError;
use crate::role::{self, RoleError};
use crate::saml::RoleOption;
use crate::sink::config_file::{self, PATH_VARIABLE};
use crate::sink::credentials_file::check_writable;
use checks::SetupRequest;
use profiles::Overwrite;

pub async fn setup(args: SetupArgs) -> Result<u8> {
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let request = checks::checked(&ctx, &args)?;
    let config_path = ctx.paths.config_file.clone();
    check_writable(&config_path, PATH_VARIABLE)?;
    let existing = ConfigFile::load_from(&ctx.paths)?;
    let overwrite = Overwrite {
        ctx: &ctx,
        existing: &existing,
        yes: args.yes,
    };
    overwrite.allow_gateway(&request.profile)?;
    for (name, _) in &request.chain {
        overwrite.allow_chained(name)?;
    }
    let ca_bundle = request.ca_bundle.clone().or(ctx.env.ca_bundle.clone());
    let probed = probe::probe(
        &ctx,
        &request.url,
        args.sign_in.provider.as_deref(),
        ca_bundle,
    )
    .await?;
    let provider = args.sign_in.provider.clone().or(probed.detected.clone());
    tell_probed(&request, &probed);
    let plan = plan(&ctx, &existing, &args, &request, provider.clone())?;
    let signed_in = sign_in(&ctx, &plan).await.inspect_err(|e| {
        if let (Error::Idp(IdpError::UnexpectedPage { .. }), None, Some(name)) =
            (e, &args.sign_in.provider, &probed.detected)
        {
            tell!("note: the first page matched the {name} provider, used for every page; if the IdP is another one, pass --provider NAME (see `samlbridge providers`)");
        }
    })?;
    let aliases = account_aliases(&plan, &signed_in).await;
    let roles = &signed_in.claims.roles;
    tell!("The IdP offers {} role(s):", roles.len());
    tell!("{}", role::roles_table(roles, &aliases).trim_end());
    let chosen = choose(&ctx, &request, roles, &aliases)?;
    let written = profiles::build(
        &request,
        provider.as_deref(),
        chosen.as_ref(),
        roles,
        &aliases,
    );
    for name in written.per_role.iter().map(|p| &p.name) {
        overwrite.allow_gateway(name)?;
    }
    let all = written.all();
    config_file::write_profiles(&config_path, &all)?;
    tell!(
        "Wrote profile(s) {} to {}.",
        all.iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        config_path.display()
    );
    for name in written.gateways() {
        tell!("Next: samlbridge login --profile {name}");
    }
    Ok(0)
}

fn tell_probed(request: &SetupRequest, probed: &probe::Probed) {
    let tls = if request.url.starts_with("https:") {
        ", its TLS certificate trusted"
    } else {
        ""
    };
    let matched = match &probed.detected {
        Some(name) => format!("the {name} provider's"),
        None => "not one a provider file names: the generic provider signs in".into(),
    };
    tell!(
        "{} answers{tls}; its first page ('{}') is {matched}.",
        crate::idp::host_of(&request.url),
        crate::shown::outside(&probed.title),
    );
}

/// The plan `roles` would make for a profile made of the flags alone: a profile of that name already
/// in the file (being replaced) does not take part, the file's `[saml-aliases]` do.
fn plan(
    ctx: &Context,
    existing: &ConfigFile,
    args: &SetupArgs,
    request: &SetupRequest,
    provider: Option<String>,
) -> Result<Plan> {
    let alone = ConfigFile {
        path: existing.path.clone(),
        home: existing.home.clone(),
        alias_lines: existing.alias_lines.clone(),
        ..ConfigFile::default()
    };
    let mut flags = sign_in_overrides(&args.sign_in);
    flags.profile = Some(request.profile.clone());
    flags.url = Some(request.url.clone());
    flags.username = request.username.clone();
    flags.provider = provider;
    let mut plan = config::resolve(&alone, &ctx.env, &flags, &ChainSelect::None)?;
    if request.ca_bundle.is_some() {
        plan.gateway.ca_bundle = request.ca_bundle.clone();
    }
    Ok(plan)
}

/// The gateway profile's role: `--role`, else the picker, else the only role. None when several are
/// offered, nobody can pick, and `--all-roles` writes one profile per role anyway.
fn choose(
    ctx: &Context,
    request: &SetupRequest,
    roles: &[RoleOption],
    aliases: &role::aliases::AccountAliases,
) -> Result<Option<RoleOption>> {
    let picked = role::choose_with_aliases(
        &request.profile,
        roles,
        request.role.as_deref(),
        ctx.prompt.as_ref(),
        aliases,
    );
    match picked {
        Ok(role) => Ok(Some(role)),
        Err(RoleError::NeedsChoice { .. })
            if request.all_roles.is_some() && request.chain.is_empty() =>
        {
            Ok(None)
        }
        Err(RoleError::NeedsChoice { profile, offered }) => Err(Error::Usage(format!(
            "profile {profile}: the IdP offers several roles and there is no terminal to pick one; \
             pick the gateway role with --role (one of: {offered}), or write one profile per role \
             with --all-roles PREFIX; nothing was written"
        ))),
        Err(e) => Err(e.into()),
    }
}
