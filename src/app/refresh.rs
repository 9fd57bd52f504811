//! `refresh`: renew, without a person, every profile that expires within the window — for cron and
//! systemd timers. One line per profile on stderr (journal-friendly); the exit code says what to do:
//! 0 all fresh, 3 a person must act (the profiles are named), 5 the IdP or STS was unreachable.

use super::block_on;
use super::obtain::{self, Request};
use super::serve::person_must_act_for;
use crate::app::context::Context;
use crate::app::error::{Error, ExitKind, Result};
use crate::cli::{RefreshArgs, SignInArgs};
use crate::config::duration::parse_duration;
use crate::config::{ChainSelect, ConfigFile};
use std::time::Duration;

pub fn refresh(args: RefreshArgs) -> Result<u8> {
    if args.install || args.cron || args.uninstall {
        return super::manage::schedule(&args);
    }
    let ctx = Context::from_env(true)?;
    let within =
        parse_duration(&args.within).map_err(|e| Error::Usage(format!("--within: {e}")))?;
    let config = ConfigFile::load_from(&ctx.paths)?;
    let targets = if args.all {
        gateways(&config)
    } else {
        vec![ctx.profile_name(args.profile.as_deref())]
    };
    if targets.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no profile has saml_url, so there is nothing to refresh",
            config.path.display()
        )));
    }
    let outcomes: Vec<Outcome> = targets
        .iter()
        .map(|p| refresh_one(&ctx, &config, p, within))
        .collect();
    Ok(summarise(&outcomes))
}

/// The gateway profiles: those that sign in to an IdP.
fn gateways(config: &ConfigFile) -> Vec<String> {
    config
        .profiles
        .values()
        .filter(|p| p.keys.contains_key("saml_url"))
        .map(|p| p.name.clone())
        .collect()
}

struct Outcome {
    profile: String,
    result: Result<()>,
}

fn refresh_one(ctx: &Context, config: &ConfigFile, profile: &str, within: Duration) -> Outcome {
    let result = (|| {
        let plan = config.plan(profile, &ChainSelect::All)?;
        let flags = SignInArgs {
            non_interactive: true,
            ..SignInArgs::default()
        };
        let request = Request {
            ctx,
            plan: &plan,
            flags: &flags,
            force: false,
            window: within,
            writes_file: true,
        };
        let obtained = block_on(obtain::obtain(&request))
            .map_err(|e| person_must_act_for(profile, &plan.gateway.profile, e))?;
        if obtained.renewed {
            obtain::write_file(ctx, &plan, &obtained)?;
        }
        for (name, creds) in &obtained.profiles {
            let cached = obtained.gateway_cached && *name == plan.gateway.profile;
            let verb = if obtained.renewed && !cached {
                "renewed"
            } else {
                "fresh"
            };
            let until = creds.expiration_text().unwrap_or_default();
            tell!("samlbridge refresh: {name}: {verb}, expires {until}");
        }
        Ok(())
    })();
    Outcome {
        profile: profile.to_string(),
        result,
    }
}

/// Prints the failures and picks the exit code: a person first, then retry-later, then the rest.
fn summarise(outcomes: &[Outcome]) -> u8 {
    let mut worst: Option<u8> = None;
    for outcome in outcomes {
        let Err(e) = &outcome.result else { continue };
        let said = crate::shown::message(&e.to_string());
        tell!("samlbridge refresh: {}: {said}", outcome.profile);
        let rank = |code: u8| match code {
            3 => 0,
            5 => 1,
            _ => 2,
        };
        let code = e.exit_code();
        if worst.is_none_or(|w| rank(code) < rank(w)) {
            worst = Some(code);
        }
    }
    if worst == Some(ExitKind::AuthRejected.code()) {
        let names: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(&o.result, Err(e) if e.exit_kind() == ExitKind::AuthRejected))
            .map(|o| o.profile.as_str())
            .collect();
        tell!(
            "samlbridge refresh: a person must sign in for: {}",
            names.join(", ")
        );
    }
    worst.unwrap_or(0)
}
