//! `refresh`: renew, without a person, every profile that expires within the window — for cron and
//! systemd timers. One line per profile on stderr (journal-friendly); the exit code says what to do:
//! 0 all fresh, 3 a person must act (the profiles are named), 5 the IdP or STS was unreachable.

use super::block_on;
use super::obtain::{self, Request};
use super::serve::person_must_act_for;
use crate::app::context::Context;
use crate::app::error::{Error, ExitKind, Result};
use crate::cli::RefreshArgs;
use crate::config::{self, ChainSelect, ConfigFile, Overrides};

/// `refresh`'s flags as config's input: `--within` is the refresh window.
fn overrides(args: &RefreshArgs) -> Result<Overrides> {
    Ok(Overrides {
        profile: args.profile.clone(),
        refresh_window: Some(Overrides::duration_flag("--within", &args.within)?),
        ..Overrides::default()
    })
}

pub fn refresh(args: RefreshArgs) -> Result<u8> {
    if args.install || args.cron || args.uninstall {
        return super::manage::schedule(&args);
    }
    let ctx = Context::from_env(true)?;
    let flags = overrides(&args)?;
    let config = ConfigFile::load_from(&ctx.paths)?;
    let targets: Vec<Overrides> = if args.all {
        let named = |name: String| Overrides {
            profile: Some(name),
            ..flags.clone()
        };
        config.gateway_names().into_iter().map(named).collect()
    } else {
        vec![flags]
    };
    if targets.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no profile has saml_url, so there is nothing to refresh",
            config.path.display()
        )));
    }
    let outcomes: Vec<Outcome> = targets
        .iter()
        .map(|flags| refresh_one(&ctx, &config, flags))
        .collect();
    Ok(summarise(&outcomes))
}

struct Outcome {
    profile: String,
    result: Result<()>,
}

fn refresh_one(ctx: &Context, config: &ConfigFile, flags: &Overrides) -> Outcome {
    let profile = flags.profile_name(&ctx.env);
    let result = (|| {
        let plan = config::resolve(config, &ctx.env, flags, &ChainSelect::All)?;
        let request = Request {
            ctx,
            plan: &plan,
            force: false,
            writes_file: true,
        };
        let obtained = block_on(obtain::obtain(&request))
            .map_err(|e| person_must_act_for(&plan.target, &plan.gateway.profile, e))?;
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
    Outcome { profile, result }
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
