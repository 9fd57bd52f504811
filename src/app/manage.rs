//! Housekeeping commands: `logout` (saved IdP session and cached credentials), `forget` (the keychain
//! password), `providers` (the provider files), and installing the scheduled refresh.

use super::plan_for;
use super::signin::host_of;
use crate::cache::CredentialCache;
use crate::cli::{ProfileArgs, RefreshArgs, SignInArgs};
use crate::config::ChainSelect;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::idp;
use crate::sessions::SavedSessions;

fn flags_for(args: &ProfileArgs) -> SignInArgs {
    SignInArgs {
        profile: args.profile.clone(),
        non_interactive: true,
        ..SignInArgs::default()
    }
}

pub fn logout(args: ProfileArgs) -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let (_, plan) = plan_for(&ctx, &flags_for(&args), &ChainSelect::All)?;
    let host = host_of(&plan.gateway.url);
    let sessions = SavedSessions::new(&ctx.state);
    let forgot = match &plan.gateway.username {
        Some(user) => usize::from(sessions.forget(&host, user)?),
        None => sessions.forget_host(&host)?,
    };
    let cache = CredentialCache::new(&ctx.state);
    let mut cached = cache.remove_profile(&plan.gateway.profile)?;
    for hop in &plan.chain {
        cached += cache.remove_profile(&hop.profile)?;
    }
    eprintln!(
        "Forgot {forgot} saved session(s) at {host} and {cached} cached credential(s) of profile {} and its chained profiles; the credentials file is left as it is.",
        plan.gateway.profile
    );
    Ok(0)
}

pub fn forget(args: ProfileArgs) -> Result<u8> {
    let _ = args;
    Err(Error::Usage("forget: the keychain is not wired yet".into()))
}

pub fn schedule(args: &RefreshArgs) -> Result<u8> {
    let _ = args;
    Err(Error::Usage("refresh --install: not wired yet".into()))
}

pub fn providers() -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let dir = ctx.user_providers_dir();
    for info in idp::list_providers(dir.as_deref())? {
        let origin = match &info.origin {
            idp::ProviderOrigin::BuiltIn => "built-in".to_string(),
            idp::ProviderOrigin::User(path) => path.display().to_string(),
        };
        println!("{:<14} {:<10} {}", info.name, origin, info.description);
    }
    if let Some(dir) = dir {
        eprintln!("(your own provider files go in {})", dir.display());
    }
    Ok(0)
}
