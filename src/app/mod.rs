//! One small function per subcommand, glueing the pipeline's steps: config → idp → saml → role → sts →
//! credentials file. Each turns its flags into `config::Overrides`, resolves the `Plan` once, and
//! executes it; commands that may sign in share `obtain`.
//! `schedule` installs the timer that runs `refresh`; `context`, `logging` and `error` are what only
//! the commands need.

mod completions;
pub(crate) mod context;
mod doctor;
pub mod error;
pub mod front;
mod logging;
mod login;
mod login_many;
mod manage;
mod obtain;
mod refresh;
pub(crate) mod schedule;
mod serve;
#[cfg(unix)]
mod server;
mod setup;
mod sign_in;
mod stdout;

pub use crate::core_dumps::forbid_core_dumps;

use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::{Cli, Command, SignInArgs};
use crate::config::{self, BrowserWindow, ChainSelect, ConfigFile, Overrides, Plan};
use crate::secret::Secret;
use std::future::Future;
use std::time::Duration;

/// Runs one command to the end and gives the exit code. Synchronous: a command that needs the
/// network builds its runtime, so a cached `credential-process` answer never pays for one.
pub fn run(cli: Cli) -> Result<u8> {
    forbid_core_dumps();
    crate::app::logging::init(cli.verbose);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ran = match cli.command {
        Command::Login(args) => block_on(login::login(args)),
        Command::Roles(args) => block_on(login::roles(args)),
        Command::CredentialProcess(args) => serve::credential_process(args),
        Command::Env(args) => serve::env(args),
        Command::Exec(args) if args.server => server_exec(args),
        Command::Exec(args) => serve::exec(args),
        Command::Serve(args) => server_serve(args),
        Command::Console(args) => serve::console(args),
        Command::Refresh(args) => refresh::refresh(args),
        Command::Logout(args) => manage::logout(args),
        Command::Forget(args) => manage::forget(args),
        Command::Providers => manage::providers(),
        Command::Doctor(args) => doctor::doctor(args),
        Command::Setup(args) => block_on(setup::setup(args)),
        Command::Completions(args) => completions::completions(args.shell),
        Command::Man => completions::man(),
    };
    match ran {
        Err(e) if stdout::reader_gone(&e) => Ok(0),
        ran => ran,
    }
}

#[cfg(unix)]
fn server_exec(args: crate::cli::ExecArgs) -> Result<u8> {
    server::exec(args)
}

#[cfg(unix)]
fn server_serve(args: crate::cli::ServeArgs) -> Result<u8> {
    server::serve(args)
}

#[cfg(not(unix))]
fn server_exec(_: crate::cli::ExecArgs) -> Result<u8> {
    Err(Error::Usage(
        "exec --server needs a Unix system for now".into(),
    ))
}

#[cfg(not(unix))]
fn server_serve(_: crate::cli::ServeArgs) -> Result<u8> {
    Err(Error::Usage("serve needs a Unix system for now".into()))
}

fn block_on<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::System(format!("could not start the async runtime: {e}")))?
        .block_on(work)
}

/// The sign-in flags every command that may sign in shares, as config's plain input.
fn sign_in_overrides(flags: &SignInArgs) -> Overrides {
    let browser = match (flags.browser, flags.headless) {
        (true, _) => Some(BrowserWindow::Always),
        (false, true) => Some(BrowserWindow::Never),
        (false, false) => None,
    };
    Overrides {
        profile: flags.profile.clone(),
        url: flags.url.clone(),
        username: flags.username.clone(),
        provider: flags.provider.clone(),
        auth: flags
            .auth
            .as_deref()
            .and_then(crate::config::SamlAuth::parse),
        password_stdin: flags.password_stdin,
        remember_password: flags.remember_password,
        mfa_code: flags.mfa_code.clone().map(Secret::new),
        mfa_command: flags.mfa_command.clone(),
        fetch_aliases: flags.aliases,
        browser,
        browser_timeout: flags.browser_timeout.map(Duration::from_secs),
        ..Overrides::default()
    }
}

/// Reads the config file (the only place a command does) and resolves the plan.
fn plan_for(ctx: &Context, flags: &Overrides, select: &ChainSelect) -> Result<Plan> {
    let file = ConfigFile::load_from(&ctx.paths)?;
    Ok(config::resolve(&file, &ctx.env, flags, select)?)
}
