//! What this machine holds and runs for the profiles: the saved IdP session and the cached or written
//! credentials (with their expiry), the keychain (asked with a deadline), the scheduled refresh and
//! the browser.

use super::report::Finding;
use crate::answers::keychain::{Keychain, KeychainError};
use crate::app::context::Context;
use crate::app::schedule::status::{TimerStatus, status};
use crate::app::schedule::{ScheduleDirs, UserSystemctl};
use crate::config::Plan;
use crate::credentials::shown_utc;
use crate::idp::{IdpSession, LoginRequest, host_of, locate_browser};
use crate::sink::credentials_file::read_credentials;
use crate::state::cache::{CacheKey, CredentialCache};
use crate::state::sessions::SavedSessions;
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

pub fn check(ctx: &Context, plans: &[Plan]) -> Vec<Finding> {
    let now = OffsetDateTime::now_utc();
    let mut findings = Vec::new();
    let mut asked = KeychainAnswers::new();
    for plan in plans {
        findings.push(saved_session(ctx, plan, now));
        findings.extend(credentials(ctx, plan, now));
        findings.push(keychain(plan, &mut asked));
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(dirs) = ScheduleDirs::from_env(var) {
        findings.push(schedule_finding(&status(&dirs, &UserSystemctl)));
    }
    findings.extend(browsers(plans));
    findings
}

/// "at 2026-11-26T18:00:00Z (in 42 min)" / "(3 h ago)".
pub fn when(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let stamp = shown_utc(at);
    let left = at - now;
    let size = left.abs();
    let amount = if size >= time::Duration::hours(2) {
        format!("{} h", size.whole_hours())
    } else {
        format!("{} min", size.whole_minutes())
    };
    match left.is_negative() {
        true => format!("{stamp} ({amount} ago)"),
        false => format!("{stamp} (in {amount})"),
    }
}

fn saved_session(ctx: &Context, plan: &Plan, now: OffsetDateTime) -> Finding {
    let gateway = &plan.gateway;
    let profile = &gateway.profile;
    let host = host_of(&gateway.url);
    let Some(user) = &gateway.username else {
        return Finding::ok(
            "session",
            format!(
                "profile {profile}: no saml_username, so no IdP session is kept between runs; add saml_username to reuse one"
            ),
        );
    };
    let Some(saved) = SavedSessions::new(&ctx.state).load(&host, user) else {
        return Finding::ok(
            "session",
            format!(
                "profile {profile}: no saved IdP session for {user} at {host}; the next login signs in"
            ),
        );
    };
    let jar = IdpSession::new(&LoginRequest::default()).and_then(|jar| {
        jar.load_cookies(&saved)?;
        Ok(jar)
    });
    let message = match jar {
        Ok(jar) if !jar.has_cookies() => format!(
            "profile {profile}: the saved IdP session for {user} at {host} has expired; the next login signs in"
        ),
        Ok(jar) => match jar.cookies_expire() {
            Some(at) => format!(
                "profile {profile}: saved IdP session for {user} at {host}, its cookies last until {}",
                when(at, now)
            ),
            None => format!(
                "profile {profile}: saved IdP session for {user} at {host} (it lasts as long as the IdP honours it)"
            ),
        },
        Err(e) => {
            return Finding::warning(
                "session",
                format!("profile {profile}: {e}; samlbridge logout --profile {profile} forgets it"),
            );
        }
    };
    Finding::ok("session", message)
}

/// Each profile's credentials: in samlbridge's cache (credential_process profiles) or in the
/// credentials file (the others), with their expiry.
fn credentials(ctx: &Context, plan: &Plan, now: OffsetDateTime) -> Vec<Finding> {
    let cache = CredentialCache::new(&ctx.state);
    let keys = CacheKey::for_plan(plan);
    let gateway = &plan.gateway.profile;
    let mut profiles = vec![(gateway.clone(), plan.gateway.uses_credential_process)];
    profiles.extend(
        plan.chain
            .iter()
            .map(|h| (h.profile.clone(), h.uses_credential_process)),
    );
    profiles
        .into_iter()
        .map(|(profile, served)| {
            let cached = keys
                .get(&profile)
                .and_then(|key| cache.lookup(key, now, Duration::ZERO));
            if let Some(session) = cached {
                return Finding::ok(
                    "session",
                    format!(
                        "profile {profile}: cached credentials expire at {}",
                        when(session.credentials.expiration, now)
                    ),
                );
            }
            if served {
                return Finding::ok(
                    "session",
                    format!("profile {profile}: no fresh cached credentials; its credential_process signs in when next asked"),
                );
            }
            written(ctx, &profile, gateway, now)
        })
        .collect()
}

fn written(ctx: &Context, profile: &str, gateway: &str, now: OffsetDateTime) -> Finding {
    let path = &ctx.paths.credentials_file;
    match read_credentials(path, profile) {
        Ok(Some(stored)) => match stored.expires {
            Some(at) if at <= now => Finding::warning(
                "session",
                format!(
                    "profile {profile}: the credentials in {} expired at {}; run samlbridge login --profile {gateway}",
                    path.display(),
                    when(at, now)
                ),
            ),
            Some(at) => Finding::ok(
                "session",
                format!(
                    "profile {profile}: credentials in {} expire at {}",
                    path.display(),
                    when(at, now)
                ),
            ),
            None => Finding::ok(
                "session",
                format!(
                    "profile {profile}: [{profile}] in {} has no x_security_token_expires, so its expiry is unknown",
                    path.display()
                ),
            ),
        },
        Ok(None) => Finding::ok(
            "session",
            format!(
                "profile {profile}: no credentials yet; run samlbridge login --profile {gateway}"
            ),
        ),
        Err(e) => Finding::problem("session", e.to_string()),
    }
}

/// The keychain's answer per (IdP host, user): gateways sharing them ask once, so a stuck keychain
/// costs one deadline, not one per profile.
type KeychainAnswers = BTreeMap<(String, String), Result<bool, KeychainError>>;

/// Whether the keychain answers (within its deadline) for the gateway's IdP and user.
fn keychain(plan: &Plan, asked: &mut KeychainAnswers) -> Finding {
    let gateway = &plan.gateway;
    let profile = &gateway.profile;
    let used = gateway.keychain;
    let Some(user) = &gateway.username else {
        return keychain_without_user(profile, used);
    };
    let host = host_of(&gateway.url);
    let answer = asked
        .entry((host.clone(), user.clone()))
        .or_insert_with(|| {
            Keychain::system()
                .lookup(&host, user)
                .map(|password| password.is_some())
        })
        .clone();
    match answer {
        Ok(true) => Finding::ok(
            "keychain",
            format!("profile {profile}: the keychain holds the password of {user} at {host}"),
        ),
        Ok(false) if used => Finding::warning(
            "keychain",
            format!(
                "profile {profile}: saml_keychain = true, but the keychain holds no password of {user} at {host}; run samlbridge login --profile {profile} --remember-password"
            ),
        ),
        Ok(false) => Finding::ok(
            "keychain",
            format!(
                "profile {profile}: the keychain is reachable (not used: saml_keychain is not set)"
            ),
        ),
        Err(e) if used => Finding::problem("keychain", format!("profile {profile}: {e}")),
        Err(e) => Finding::ok(
            "keychain",
            format!("profile {profile}: not used (saml_keychain is not set), and {e}"),
        ),
    }
}

fn keychain_without_user(profile: &str, used: bool) -> Finding {
    if used {
        Finding::problem(
            "keychain",
            format!(
                "profile {profile}: saml_keychain = true needs saml_username (the keychain item is per user); add saml_username"
            ),
        )
    } else {
        Finding::ok(
            "keychain",
            format!("profile {profile}: not used (saml_keychain is not set)"),
        )
    }
}

pub fn schedule_finding(timer: &TimerStatus) -> Finding {
    if !timer.installed() {
        return Finding::ok(
            "schedule",
            "no scheduled refresh installed; samlbridge refresh --install keeps profiles fresh",
        );
    }
    if let Some(why) = &timer.unknown {
        return Finding::warning(
            "schedule",
            format!(
                "the refresh timer is installed ({}), but systemd could not be asked how it runs ({}); check systemctl --user status samlbridge-refresh.timer",
                timer
                    .files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::shown::outside(why)
            ),
        );
    }
    let last = match (&timer.last_run, timer.last_exit) {
        (Some(at), Some(code)) => format!("last run {} exited {code}", crate::shown::outside(at)),
        _ => "it has not run yet".to_string(),
    };
    let active = timer.active.as_deref().unwrap_or("unknown");
    if timer.last_exit.is_some_and(|code| code != 0) {
        return Finding::problem(
            "schedule",
            format!(
                "the refresh timer is {active}; {last}: see journalctl --user -u samlbridge-refresh.service, then run samlbridge refresh --all"
            ),
        );
    }
    if active != "active" {
        return Finding::warning(
            "schedule",
            format!(
                "the refresh timer is installed but {active}; run samlbridge refresh --install again ({last})"
            ),
        );
    }
    Finding::ok("schedule", format!("the refresh timer is active; {last}"))
}

/// The browser each browser-signing gateway would launch; without one, whether any is found.
fn browsers(plans: &[Plan]) -> Vec<Finding> {
    let signing: Vec<&Plan> = plans.iter().filter(|p| p.browser.is_some()).collect();
    if signing.is_empty() {
        return vec![match locate_browser("(any)", None) {
            Ok(path) => Finding::ok(
                "browser",
                format!(
                    "found {} (used only with saml_browser or --browser)",
                    path.display()
                ),
            ),
            Err(_) => Finding::ok(
                "browser",
                "none found (needed only with saml_browser or --browser)",
            ),
        }];
    }
    signing
        .into_iter()
        .map(|plan| {
            let profile = &plan.gateway.profile;
            let configured = plan.browser.as_ref().and_then(|b| b.path.as_deref());
            match locate_browser(profile, configured) {
                Ok(path) => Finding::ok(
                    "browser",
                    format!("profile {profile}: signs in through {}", path.display()),
                ),
                Err(why) => Finding::problem("browser", why),
            }
        })
        .collect()
}
