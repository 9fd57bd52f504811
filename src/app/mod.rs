//! One small function per subcommand, glueing the pipeline's steps: config → idp → saml → role → sts →
//! credentials file. Commands that may sign in share `obtain`.

pub(crate) mod context;
pub mod error;
pub mod front;
mod logging;
mod login;
mod manage;
mod obtain;
mod refresh;
mod serve;
mod signin;
mod stdout;

use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::{Cli, Command, SignInArgs};
use crate::config::{ChainSelect, ConfigError, ConfigFile, GatewayProfile, Plan};
use std::future::Future;

/// Runs one command to the end and gives the exit code. Synchronous: a command that needs the
/// network builds its runtime, so a cached `credential-process` answer never pays for one.
pub fn run(cli: Cli) -> Result<u8> {
    crate::app::logging::init(cli.verbose);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ran = match cli.command {
        Command::Login(args) => block_on(login::login(args)),
        Command::Roles(args) => block_on(login::roles(args)),
        Command::CredentialProcess(args) => serve::credential_process(args),
        Command::Env(args) => serve::env(args),
        Command::Exec(args) => serve::exec(args),
        Command::Console(args) => serve::console(args),
        Command::Refresh(args) => refresh::refresh(args),
        Command::Logout(args) => manage::logout(args),
        Command::Forget(args) => manage::forget(args),
        Command::Providers => manage::providers(),
    };
    match ran {
        Err(e) if stdout::reader_gone(&e) => Ok(0),
        ran => ran,
    }
}

fn block_on<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("could not start the async runtime: {e}")))?
        .block_on(work)
}

/// Resolves the profile to a plan; with --url, a profile missing from the config is made from flags.
fn plan_for(ctx: &Context, flags: &SignInArgs, select: &ChainSelect) -> Result<(ConfigFile, Plan)> {
    let profile = ctx.profile_name(flags.profile.as_deref());
    let config = ConfigFile::load_from(&ctx.paths)?;
    let mut plan = match (config.plan(&profile, select), &flags.url) {
        (Ok(plan), _) => plan,
        (Err(ConfigError::NoSuchProfile { .. }), Some(url)) => Plan {
            gateway: GatewayProfile {
                profile: profile.clone(),
                url: url.clone(),
                username: None,
                role: None,
                provider: None,
                duration_seconds: None,
                region: None,
                ca_bundle: None,
                uses_credential_process: false,
                ..Default::default()
            },
            chain: Vec::new(),
        },
        (Err(e), _) => return Err(e.into()),
    };
    apply_sign_in_flags(ctx, &mut plan.gateway, flags);
    Ok((config, plan))
}

fn apply_sign_in_flags(ctx: &Context, gateway: &mut GatewayProfile, flags: &SignInArgs) {
    if let Some(url) = &flags.url {
        gateway.url = url.clone();
    }
    if let Some(user) = &flags.username {
        gateway.username = Some(user.clone());
    }
    if let Some(provider) = &flags.provider {
        gateway.provider = Some(provider.clone());
    }
    if gateway.ca_bundle.is_none() {
        gateway.ca_bundle = ctx.ca_bundle.clone();
    }
}

/// A samlbridge key of a profile, else of its gateway's (e.g. `saml_refresh_window`).
fn profile_key<'a>(
    config: &'a ConfigFile,
    plan: &Plan,
    profile: &str,
    key: &str,
) -> Option<&'a str> {
    [profile, plan.gateway.profile.as_str()]
        .into_iter()
        .find_map(|p| config.profiles.get(p)?.keys.get(key))
        .map(String::as_str)
}
