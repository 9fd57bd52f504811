//! Serving a profile's credentials on demand: `credential-process` (cached, never prompts), `env`,
//! `exec` and `console`. Each gets the profile's session through `obtain`.

use super::obtain::{self, Obtained, Request};
use super::{block_on, plan_for, profile_key, stdout};
use crate::app::context::Context;
use crate::app::error::{Error, ExitKind, Result};
use crate::cli::{ConsoleArgs, CredentialProcessArgs, EnvArgs, ExecArgs, SignInArgs};
use crate::config::duration::parse_duration;
use crate::config::{ChainSelect, ConfigFile, Plan};
use crate::credentials::Credentials;
use crate::saml::Partition;
use crate::sink::console::{self, ConsoleRequest, FederationEndpoints};
use crate::sink::export::{self, SessionEnv, Shell};
use crate::sink::process;
use crate::state::cache::{CacheKey, CredentialCache, DEFAULT_REFRESH_WINDOW, REFRESH_WINDOW_KEY};
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// How long `credential-process` waits for another samlbridge that is renewing the same sessions:
/// no longer than that one's STS phase may last, so that an SDK is not held for minutes.
const RENEWAL_WAIT: Duration = crate::sts::STS_BUDGET;

/// The profile asked for, its plan (gateway and the hops to it), and the config it came from.
struct Target {
    profile: String,
    config: ConfigFile,
    plan: Plan,
}

fn target(ctx: &Context, flags: &SignInArgs) -> Result<Target> {
    let (config, plan) = plan_for(ctx, flags, &ChainSelect::None)?;
    let profile = ctx.profile_name(flags.profile.as_deref());
    Ok(Target {
        profile,
        config,
        plan,
    })
}

fn window_of(t: &Target, flag: Option<&str>) -> Result<Duration> {
    let (text, origin) = match flag {
        Some(text) => (Some(text), "--refresh-window".to_string()),
        None => (
            profile_key(&t.config, &t.plan, &t.profile, REFRESH_WINDOW_KEY),
            format!("{}: {REFRESH_WINDOW_KEY}", t.config.path.display()),
        ),
    };
    match text {
        None => Ok(DEFAULT_REFRESH_WINDOW),
        Some(text) => parse_duration(text).map_err(|e| Error::Usage(format!("{origin}: {e}"))),
    }
}

async fn obtain_for(
    ctx: &Context,
    t: &Target,
    flags: &SignInArgs,
    window: Duration,
) -> Result<Obtained> {
    let request = Request {
        ctx,
        plan: &t.plan,
        flags,
        force: false,
        window,
        writes_file: false,
    };
    obtain::obtain(&request).await
}

fn credentials_of<'a>(t: &Target, obtained: &'a Obtained) -> Result<&'a Credentials> {
    obtained
        .credentials_of(&t.profile)
        .ok_or_else(|| not_in_plan(&t.profile))
}

fn region_of(t: &Target) -> Option<&str> {
    let hop = t.plan.chain.iter().find(|h| h.profile == t.profile);
    hop.and_then(|h| h.region.as_deref())
        .or(t.plan.gateway.region.as_deref())
}

/// What answering `credential-process` from the cache needs, resolved from flags and files only.
struct CacheHit {
    ctx: Context,
    target: Target,
    window: Duration,
    cache: CredentialCache,
    key: CacheKey,
}

fn cache_hit(args: &CredentialProcessArgs) -> Result<CacheHit> {
    let ctx = Context::from_env(true)?;
    let target = target(&ctx, &args.sign_in)?;
    let window = window_of(&target, args.refresh_window.as_deref())?;
    let cache = CredentialCache::new(&ctx.state);
    let key = CacheKey::for_plan(&target.plan)
        .remove(&target.profile)
        .ok_or_else(|| not_in_plan(&target.profile))?;
    Ok(CacheHit {
        ctx,
        target,
        window,
        cache,
        key,
    })
}

impl CacheHit {
    /// Writes the cached answer to `out` if the entry has more than the window left.
    fn answer(&self, out: &mut dyn Write) -> std::io::Result<bool> {
        let now = OffsetDateTime::now_utc();
        process::answer_from_cache(&self.cache, &self.key, now, self.window, out)
    }
}

/// The cache-hit half of `credential-process`, for the small front binary (src/bin/front.rs):
/// true once answered on `out`; false when this call is not a cache hit, or needs the rest of
/// samlbridge to say why (an error in the config, say). `Err` only when writing the answer failed.
pub fn answer_from_cache(
    args: &CredentialProcessArgs,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    match cache_hit(args) {
        Ok(hit) => hit.answer(out),
        Err(_) => Ok(false),
    }
}

pub fn credential_process(args: CredentialProcessArgs) -> Result<u8> {
    let hit = cache_hit(&args)?;
    let mut out = std::io::stdout().lock();
    if hit.answer(&mut out).map_err(stdout::error)? {
        return Ok(0);
    }
    // The SDKs ask from several threads at once: one renews, the others then find its answer.
    let _renewing = hit.cache.lock_for_refresh(RENEWAL_WAIT)?;
    if hit.answer(&mut out).map_err(stdout::error)? {
        return Ok(0);
    }
    let (ctx, t) = (&hit.ctx, &hit.target);
    let obtained = block_on(obtain_for(ctx, t, &args.sign_in, hit.window))
        .map_err(|e| person_must_act(t, e))?;
    process::write_credentials(&mut out, credentials_of(t, &obtained)?).map_err(stdout::error)?;
    Ok(0)
}

fn not_in_plan(profile: &str) -> Error {
    Error::Usage(format!("profile {profile} is not part of its own plan"))
}

/// Renewing without a person failed where only a person can help: say which command to run.
pub(super) fn person_must_act_for(profile: &str, gateway: &str, err: Error) -> Error {
    if err.exit_kind() == ExitKind::AuthRejected {
        Error::PersonMustAct(process::person_must_act(profile, gateway, &err.to_string()))
    } else {
        err
    }
}

fn person_must_act(t: &Target, err: Error) -> Error {
    person_must_act_for(&t.profile, &t.plan.gateway.profile, err)
}

fn session_env(args: &SignInArgs) -> Result<(Target, SessionEnv)> {
    let ctx = Context::from_env(args.non_interactive)?;
    let t = target(&ctx, args)?;
    let window = window_of(&t, None)?;
    let obtained = block_on(obtain_for(&ctx, &t, args, window))?;
    let env = SessionEnv::new(credentials_of(&t, &obtained)?, region_of(&t));
    Ok((t, env))
}

pub fn env(args: EnvArgs) -> Result<u8> {
    let (_, session) = session_env(&args.sign_in)?;
    let shell = args
        .shell
        .unwrap_or_else(|| Shell::from_env(|n| std::env::var(n).ok()));
    stdout::write_with(|out| export::write_exports(out, shell, &session))?;
    Ok(0)
}

pub fn exec(args: ExecArgs) -> Result<u8> {
    let (_, session) = session_env(&args.sign_in)?;
    let command = export::command(&args.command, &session)?;
    let code = export::run(command)?;
    Ok(u8::try_from(code).unwrap_or(1))
}

pub fn console(args: ConsoleArgs) -> Result<u8> {
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let t = target(&ctx, &args.sign_in)?;
    // Before any sign-in: a duration the federation endpoint refuses is known now.
    if let Some(seconds) = args
        .duration
        .filter(|s| !console::SESSION_DURATION_RANGE.contains(s))
    {
        return Err(console::ConsoleError::BadDuration {
            profile: t.profile.clone(),
            seconds,
        }
        .into());
    }
    let window = window_of(&t, None)?;
    let url = block_on(async {
        let obtained = obtain_for(&ctx, &t, &args.sign_in, window).await?;
        let role_arn = match t.plan.chain.iter().find(|h| h.profile == t.profile) {
            Some(hop) => hop.role_arn.clone(),
            None => obtained.role_arn.clone(),
        };
        let endpoints = FederationEndpoints::from_env(
            Partition::from_arn(&role_arn).unwrap_or_default(),
            |n| std::env::var(n).ok(),
        )?;
        let client = console::http_client()
            .map_err(|e| Error::Usage(format!("could not build an HTTP client: {e}")))?;
        let request = ConsoleRequest {
            profile: &t.profile,
            credentials: credentials_of(&t, &obtained)?,
            chained: t.profile != t.plan.gateway.profile,
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
