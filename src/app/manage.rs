//! Housekeeping commands: `logout` (saved IdP session and cached credentials), `forget` (the keychain
//! password), `providers` (the provider files), and installing the scheduled refresh.

use super::{plan_for, stdout};
use crate::answers::keychain::{self, Keychain};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::app::schedule::{self, Every, ScheduleDirs, UserSystemctl};
use crate::cli::{ProfileArgs, RefreshArgs};
use crate::config::{ChainSelect, Overrides};
use crate::idp::{self, host_of};
use crate::shown::outside;
use crate::sink::credentials_file;
use crate::state::cache::CredentialCache;
use crate::state::sessions::SavedSessions;

/// `--profile` as config's input: these commands never sign in.
fn overrides(args: &ProfileArgs) -> Overrides {
    Overrides {
        profile: args.profile.clone(),
        ..Overrides::default()
    }
}

pub fn logout(args: ProfileArgs) -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let plan = plan_for(&ctx, &overrides(&args), &ChainSelect::All)?;
    let host = host_of(&plan.gateway.url);
    let sessions = SavedSessions::new(&ctx.state);
    let mut forgot = match &plan.gateway.username {
        Some(user) => usize::from(sessions.forget(&host, user)?),
        None => sessions.forget_host(&host)?,
    };
    // The browser engine's profile and saved cookies for this IdP (and user).
    forgot += idp::forget_browser(&ctx.state, &host, plan.gateway.username.as_deref())?;
    let cache = CredentialCache::new(&ctx.state);
    let mut cached = cache.remove_profile(&plan.gateway.profile)?;
    for hop in &plan.chain {
        cached += cache.remove_profile(&hop.profile)?;
    }
    tell!(
        "Forgot {forgot} saved session(s) at {host} and {cached} cached credential(s) of profile {} and its chained profiles; the credentials file is left as it is.",
        plan.gateway.profile
    );
    let swept = ["cache", "sessions"]
        .map(|dir| ctx.state.sweep_subdir(dir))
        .iter()
        .sum::<usize>()
        + credentials_file::sweep_temp_files(&ctx.paths.credentials_file);
    if swept > 0 {
        tell!("Removed {swept} temporary file(s) that interrupted runs had left.");
    }
    Ok(0)
}

pub fn forget(args: ProfileArgs) -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let plan = plan_for(&ctx, &overrides(&args), &ChainSelect::None)?;
    let host = host_of(&plan.gateway.url);
    let Some(user) = &plan.gateway.username else {
        return Err(Error::Usage(format!(
            "profile {}: no saml_username, so samlbridge cannot tell which keychain item to forget; add saml_username",
            plan.gateway.profile
        )));
    };
    let keychain = Keychain::system().with_timeout(keychain::INTERACTIVE_TIMEOUT);
    if keychain.forget(&host, user)? {
        tell!("Removed the password of {user} at {host} from the keychain.");
    } else {
        tell!("The keychain held no password of {user} at {host}.");
    }
    Ok(0)
}

/// `refresh --install` (a systemd user timer), `--cron` (a crontab line) or `--uninstall`.
pub fn schedule(args: &RefreshArgs) -> Result<u8> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let dirs = ScheduleDirs::from_env(var).ok_or_else(|| {
        Error::Usage(
            "HOME is not set, so the user's systemd and state folders cannot be found".into(),
        )
    })?;
    if args.uninstall {
        let removed = schedule::uninstall(&dirs, &UserSystemctl)?;
        match removed.len() {
            0 => tell!("No samlbridge timer was installed."),
            _ => tell!(
                "Removed {}.",
                removed
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
        return Ok(0);
    }
    let every: Every = args
        .every
        .parse()
        .map_err(|e| Error::Usage(format!("--every: {e}")))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::System(format!("cannot tell where samlbridge is installed: {e}")))?;
    let (job, warnings) = schedule::refresh_job(&exe, every, var)?;
    for warning in warnings {
        tell!("warning: {warning}");
    }
    if args.cron {
        stdout::print_line(&schedule::cron_line(&dirs, &job)?)?;
    } else {
        tell!("{}", schedule::install(&dirs, &job, &UserSystemctl)?);
    }
    Ok(0)
}

pub fn providers() -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let dir = ctx.user_providers_dir();
    for info in idp::list_providers(dir.as_deref())? {
        let origin = match &info.origin {
            idp::ProviderOrigin::BuiltIn => "built-in".to_string(),
            idp::ProviderOrigin::User(path) => path.display().to_string(),
        };
        let (name, description) = (outside(&info.name), outside(&info.description));
        stdout::print_line(&format!("{name:<14} {origin:<10} {description}"))?;
    }
    if let Some(dir) = dir {
        tell!("(your own provider files go in {})", dir.display());
    }
    Ok(0)
}
