//! Serving a profile's credentials on demand: `credential-process` (cached, never prompts), `env`,
//! `exec` and `console`. Each gets the profile's session through `obtain`.

use super::obtain::{self, Obtained, Request};
use super::{block_on, plan_for, sign_in_overrides, stdout};
use crate::app::context::Context;
use crate::app::error::{Error, ExitKind, Result};
use crate::cli::{ConsoleArgs, CredentialProcessArgs, EnvArgs, ExecArgs, ShellName, SignInArgs};
use crate::config::{ChainSelect, Overrides, Plan};
use crate::credentials::Credentials;
use crate::sink::console::{self, ConsoleRequest, FederationEndpoints};
use crate::sink::export::{self, SessionEnv, Shell};
use crate::sink::process;
use crate::state::cache::{CacheKey, CredentialCache};
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// How long `credential-process` waits for another samlbridge that is renewing the same sessions:
/// no longer than that one's STS phase may last, so that an SDK is not held for minutes.
const RENEWAL_WAIT: Duration = crate::sts::STS_BUDGET;

/// `credential-process`'s flags as config's input (the front binary parses into the same).
pub(super) fn overrides(args: &CredentialProcessArgs) -> Result<Overrides> {
    let refresh_window = match &args.refresh_window {
        Some(text) => Some(Overrides::duration_flag("--refresh-window", text)?),
        None => None,
    };
    Ok(Overrides {
        refresh_window,
        ..sign_in_overrides(&args.sign_in)
    })
}

/// The plan of the profile asked for alone (its gateway and the hops to it).
pub(super) fn target(ctx: &Context, flags: &Overrides) -> Result<Plan> {
    plan_for(ctx, flags, &ChainSelect::None)
}

pub(super) async fn obtain_for(ctx: &Context, plan: &Plan) -> Result<Obtained> {
    let request = Request {
        ctx,
        plan,
        force: false,
        writes_file: false,
    };
    obtain::obtain(&request).await
}

pub(super) fn credentials_of<'a>(plan: &Plan, obtained: &'a Obtained) -> Result<&'a Credentials> {
    obtained
        .credentials_of(&plan.target)
        .ok_or_else(|| not_in_plan(&plan.target))
}

pub(super) fn region_of(plan: &Plan) -> Option<&str> {
    let hop = plan.chain.iter().find(|h| h.profile == plan.target);
    hop.and_then(|h| h.region.as_deref())
        .or(plan.gateway.region.as_deref())
}

/// What answering `credential-process` from the cache needs, resolved from flags and files only.
struct CacheHit {
    ctx: Context,
    plan: Plan,
    cache: CredentialCache,
    key: CacheKey,
}

fn cache_hit(flags: &Overrides) -> Result<CacheHit> {
    let ctx = Context::from_env(true)?;
    let plan = target(&ctx, flags)?;
    let cache = CredentialCache::new(&ctx.state);
    let key = CacheKey::for_plan(&plan)
        .remove(&plan.target)
        .ok_or_else(|| not_in_plan(&plan.target))?;
    Ok(CacheHit {
        ctx,
        plan,
        cache,
        key,
    })
}

impl CacheHit {
    /// Writes the cached answer to `out` if the entry has more than the window left.
    fn answer(&self, out: &mut dyn Write) -> std::io::Result<bool> {
        let now = OffsetDateTime::now_utc();
        let window = self.plan.refresh_window;
        process::answer_from_cache(&self.cache, &self.key, now, window, out)
    }
}

/// The cache-hit half of `credential-process`, for the small front binary (src/bin/front.rs):
/// true once answered on `out`; false when this call is not a cache hit, or needs the rest of
/// samlbridge to say why (an error in the config, say). `Err` only when writing the answer failed.
pub fn answer_from_cache(flags: &Overrides, out: &mut dyn Write) -> std::io::Result<bool> {
    match cache_hit(flags) {
        Ok(hit) => hit.answer(out),
        Err(_) => Ok(false),
    }
}

pub fn credential_process(args: CredentialProcessArgs) -> Result<u8> {
    let hit = cache_hit(&overrides(&args)?)?;
    let mut out = std::io::stdout().lock();
    if hit.answer(&mut out).map_err(stdout::error)? {
        return Ok(0);
    }
    // The SDKs ask from several threads at once: one renews, the others then find its answer.
    let _renewing = hit.cache.lock_for_refresh(RENEWAL_WAIT)?;
    if hit.answer(&mut out).map_err(stdout::error)? {
        return Ok(0);
    }
    let plan = &hit.plan;
    let obtained = block_on(obtain_for(&hit.ctx, plan)).map_err(|e| person_must_act(plan, e))?;
    process::write_credentials(&mut out, credentials_of(plan, &obtained)?)
        .map_err(stdout::error)?;
    Ok(0)
}

/// Cannot happen (a plan always holds its target): said rather than panicking.
fn not_in_plan(profile: &str) -> Error {
    Error::System(format!(
        "profile {profile} is not part of its own plan; please report this"
    ))
}

/// Renewing without a person failed where only a person can help: say which command to run.
pub(super) fn person_must_act_for(profile: &str, gateway: &str, err: Error) -> Error {
    if err.exit_kind() == ExitKind::AuthRejected {
        Error::PersonMustAct(process::person_must_act(profile, gateway, &err.to_string()))
    } else {
        err
    }
}

pub(super) fn person_must_act(plan: &Plan, err: Error) -> Error {
    person_must_act_for(&plan.target, &plan.gateway.profile, err)
}

fn session_env(args: &SignInArgs) -> Result<SessionEnv> {
    let flags = sign_in_overrides(args);
    let ctx = Context::from_env(args.non_interactive)?;
    let plan = target(&ctx, &flags)?;
    let obtained = block_on(obtain_for(&ctx, &plan))?;
    Ok(SessionEnv::new(
        credentials_of(&plan, &obtained)?,
        region_of(&plan),
    ))
}

pub fn env(args: EnvArgs) -> Result<u8> {
    let session = session_env(&args.sign_in)?;
    let shell = match args.shell {
        Some(ShellName::Bash) => Shell::Bash,
        Some(ShellName::Zsh) => Shell::Zsh,
        Some(ShellName::Fish) => Shell::Fish,
        Some(ShellName::Powershell) => Shell::Powershell,
        None => Shell::from_env(|n| std::env::var(n).ok()),
    };
    stdout::write_with(|out| export::write_exports(out, shell, &session))?;
    Ok(0)
}

pub fn exec(args: ExecArgs) -> Result<u8> {
    let session = session_env(&args.sign_in)?;
    let command = export::command(&args.command, &session)?;
    let code = export::run(command)?;
    Ok(u8::try_from(code).unwrap_or(1))
}

pub fn console(args: ConsoleArgs) -> Result<u8> {
    let flags = sign_in_overrides(&args.sign_in);
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let t = target(&ctx, &flags)?;
    // Before any sign-in: a duration the federation endpoint refuses is known now.
    if let Some(seconds) = args
        .duration
        .filter(|s| !console::SESSION_DURATION_RANGE.contains(s))
    {
        return Err(console::ConsoleError::BadDuration {
            profile: t.target.clone(),
            seconds,
        }
        .into());
    }
    let url = block_on(async {
        let obtained = obtain_for(&ctx, &t).await?;
        let role_arn = match t.chain.iter().find(|h| h.profile == t.target) {
            Some(hop) => hop.role_arn.clone(),
            None => obtained.role_arn.clone(),
        };
        let endpoints = FederationEndpoints::from_env(
            crate::saml::Partition::from_arn(&role_arn).unwrap_or_default(),
            |n| std::env::var(n).ok(),
        )?;
        let client = console::http_client()
            .map_err(|e| Error::System(format!("could not build an HTTP client: {e}")))?;
        let request = ConsoleRequest {
            profile: &t.target,
            credentials: credentials_of(&t, &obtained)?,
            chained: t.target != t.gateway.profile,
            session_duration: args.duration,
            region: region_of(&t),
        };
        Ok(console::signin_url(&client, &endpoints, &request).await?)
    })?;
    if args.print {
        stdout::print_line(url.expose())?;
        return Ok(0);
    }
    if let Err(e) = console::open_in_browser(&url) {
        let why = crate::shown::outside(&e.to_string());
        tell!("samlbridge: could not open a browser ({why}); here is the sign-in URL:");
        stdout::print_line(url.expose())?;
    }
    Ok(0)
}
