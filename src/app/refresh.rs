//! `refresh`: renew, without a person, every profile that expires within the window — for cron and
//! systemd timers. One line per profile on stderr (journal-friendly); the exit code says what to do:
//! 0 all fresh, 3 a person must act (the profiles are named), 5 the IdP or STS was unreachable.
//! `--all` signs in once per IdP and user (`config::SignInGroup`), as `login --all` does.

use super::block_on;
use super::obtain::{self, GroupOutcome, GroupRequest, Obtained, Request};
use super::serve::person_must_act_for;
use crate::app::context::Context;
use crate::app::error::{Error, ExitKind, Result};
use crate::cli::RefreshArgs;
use crate::config::{self, ChainSelect, ConfigFile, Overrides, Plan, SignInGroup};
use crate::sink::credentials_file;

/// `refresh`'s flags as config's input: `--within` is the refresh window.
fn overrides(args: &RefreshArgs) -> Result<Overrides> {
    Ok(Overrides {
        profile: args.profile.clone(),
        auth: args.auth.as_deref().and_then(config::SamlAuth::parse),
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
    if args.all {
        let names = config.gateway_names();
        if names.is_empty() {
            return Err(Error::Usage(format!(
                "{}: no profile has saml_url, so there is nothing to refresh",
                config.path.display()
            )));
        }
        return Ok(summarise(&refresh_all(&ctx, &config, &flags, names)));
    }
    Ok(summarise(&[refresh_one(&ctx, &config, &flags)]))
}

struct Outcome {
    /// The profile, or the profiles (a,b) one failure stands for.
    profile: String,
    result: Result<()>,
}

impl Outcome {
    fn failed(profile: String, error: Error) -> Outcome {
        Outcome {
            profile,
            result: Err(error),
        }
    }
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
        say_each_profile(&plan, &obtained);
        Ok(())
    })();
    Outcome { profile, result }
}

/// One journal line per profile: renewed, or still fresh, and until when.
fn say_each_profile(plan: &Plan, obtained: &Obtained) {
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
}

/// `refresh --all`: the gateways grouped by sign-in (one per IdP and user, and only when one of the
/// group's gateways needs renewing), each group's roles assumed from that one assertion; a failed
/// sign-in fails the profiles that needed it, any other failure only its own profile. Everything
/// renewed goes to the credentials file in one locked write.
fn refresh_all(
    ctx: &Context,
    config: &ConfigFile,
    flags: &Overrides,
    names: Vec<String>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut plans = Vec::new();
    for name in names {
        let flags = Overrides {
            profile: Some(name.clone()),
            ..flags.clone()
        };
        match config::resolve(config, &ctx.env, &flags, &ChainSelect::All) {
            Ok(plan) => plans.push(plan),
            Err(e) => outcomes.push(Outcome::failed(name, e.into())),
        }
    }
    let groups = config::group_plans(plans);
    let obtained = match block_on(obtain_groups(ctx, &groups)) {
        Ok(obtained) => obtained,
        Err(e) => {
            let names: Vec<String> = groups.iter().map(SignInGroup::gateway_names).collect();
            outcomes.push(Outcome::failed(names.join(","), e));
            return outcomes;
        }
    };
    let mut done: Vec<(&Plan, Obtained)> = Vec::new();
    for (group, result) in groups.iter().zip(obtained) {
        sort_group(group, result, &mut done, &mut outcomes);
    }
    let to_write: Vec<_> = done
        .iter()
        .filter(|(_, o)| o.renewed)
        .flat_map(|(plan, o)| obtain::file_profiles(plan, o))
        .collect();
    if let Err(e) = credentials_file::write_credentials(&ctx.paths.credentials_file, &to_write) {
        let names: Vec<&str> = to_write.iter().map(|(p, _)| p.as_str()).collect();
        outcomes.push(Outcome::failed(names.join(","), e.into()));
        done.retain(|(_, o)| !o.renewed);
    }
    for (plan, obtained) in &done {
        say_each_profile(plan, obtained);
        outcomes.push(Outcome {
            profile: plan.target.clone(),
            result: Ok(()),
        });
    }
    outcomes
}

async fn obtain_groups(ctx: &Context, groups: &[SignInGroup]) -> Result<Vec<Result<GroupOutcome>>> {
    let mut outcomes = Vec::with_capacity(groups.len());
    for group in groups {
        let request = GroupRequest {
            ctx,
            plans: &group.plans,
            force: false,
            writes_file: true,
        };
        outcomes.push(obtain::obtain_group(&request).await);
    }
    Ok(outcomes)
}

/// A group's plans into what was obtained and what failed; the profiles that needed a sign-in that
/// failed share one outcome, so a person reads once what to do for them.
fn sort_group<'p>(
    group: &'p SignInGroup,
    result: Result<GroupOutcome>,
    done: &mut Vec<(&'p Plan, Obtained)>,
    outcomes: &mut Vec<Outcome>,
) {
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            let names = group.gateway_names();
            outcomes.push(Outcome::failed(
                names.clone(),
                person_must_act_for(&names, &names, e),
            ));
            return;
        }
    };
    let mut unsigned = Vec::new();
    for (plan, result) in group.plans.iter().zip(outcome.plans) {
        match result {
            Some(Ok(obtained)) => done.push((plan, obtained)),
            Some(Err(e)) => {
                let e = person_must_act_for(&plan.target, &plan.gateway.profile, e);
                outcomes.push(Outcome::failed(plan.target.clone(), e));
            }
            None => unsigned.push(plan.gateway.profile.as_str()),
        }
    }
    if let Some(e) = outcome.sign_in_error {
        let names = unsigned.join(",");
        outcomes.push(Outcome::failed(
            names.clone(),
            person_must_act_for(&names, &names, e),
        ));
    }
}

/// Whether a sign-in failed for an expired Kerberos ticket, also when the failure reached here as
/// a person-must-act message (a credential_process profile's).
fn ticket_expired(err: &Error) -> bool {
    match err {
        Error::Idp(e) => e.is_ticket_expired(),
        other => other.to_string().contains(crate::idp::TICKET_EXPIRED),
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
        let expired = outcomes
            .iter()
            .any(|o| matches!(&o.result, Err(e) if ticket_expired(e)));
        if expired {
            tell!(
                "samlbridge refresh: the Kerberos ticket has expired: run kinit (a Kerberos \
                 sign-in needs no password, so refresh renews on its own while a ticket lives)"
            );
        }
    }
    worst.unwrap_or(0)
}
