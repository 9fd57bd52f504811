//! Getting credentials for a plan, the cheapest way that works: the cache while it is fresh; else the
//! cached gateway session to re-chain; else a sign-in (saved IdP session first, then the password
//! sources), AssumeRoleWithSAML and the chain. Every profile obtained is cached.

use super::signin::{SignedIn, account_aliases, sign_in};
use crate::app::context::Context;
use crate::app::error::Result;
use crate::cli::SignInArgs;
use crate::config::{self, Plan};
use crate::role;
use crate::saml::{Partition, RoleOption};
use crate::sink::credentials_file;
use crate::state::cache::{CacheKey, CredentialCache};
use crate::sts::{self, Credentials};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;
use tracing::{info, warn};

/// What to obtain and how hard to try.
pub struct Request<'a> {
    pub ctx: &'a Context,
    pub plan: &'a Plan,
    pub flags: &'a SignInArgs,
    /// Sign in even when the cache is fresh.
    pub force: bool,
    /// A cached session with less than this left is renewed.
    pub window: Duration,
    /// The caller writes what is renewed to the credentials file: check it before signing in.
    pub writes_file: bool,
}

/// Credentials for every profile of the plan, gateway first.
pub struct Obtained {
    pub profiles: Vec<(String, Credentials)>,
    /// The gateway role assumed.
    pub role_arn: String,
    /// False when every profile came from the cache: the IdP and STS were not asked.
    pub renewed: bool,
    /// The gateway's session came from the cache (its chained profiles may still be new).
    pub gateway_cached: bool,
}

impl Obtained {
    pub fn credentials_of(&self, profile: &str) -> Option<&Credentials> {
        self.profiles
            .iter()
            .find(|(p, _)| p == profile)
            .map(|(_, c)| c)
    }
}

/// The gateway's session: where it came from matters for the chain's session name and partition.
struct GatewaySession {
    credentials: Credentials,
    role_arn: String,
    partition: Partition,
    session_name: String,
}

pub async fn obtain(req: &Request<'_>) -> Result<Obtained> {
    let cache = CredentialCache::new(&req.ctx.state);
    let keys = CacheKey::for_plan(req.plan);
    let now = OffsetDateTime::now_utc();
    if !req.force
        && let Some(obtained) = all_from_cache(req.plan, &cache, &keys, now, req.window)
    {
        return Ok(obtained);
    }
    // Past this point the IdP or STS will be asked: fail now on what can be known locally.
    if req.writes_file && any_file_profile(req.plan) {
        credentials_file::check_credentials_writable(&req.ctx.paths.credentials_file)?;
    }
    let gateway_key = &keys[&req.plan.gateway.profile];
    let cached = (!req.force)
        .then(|| cache.lookup(gateway_key, now, req.window))
        .flatten();
    let gateway_cached = cached.is_some();
    // One deadline for every STS call of this run: an SDK waiting on credential_process gets an answer.
    let budget = sts::StsBudget::from_env(|name| std::env::var(name).ok());
    let gateway = match cached {
        Some(hit) => {
            info!(
                "profile {}: the gateway session is still fresh; chaining from it",
                req.plan.gateway.profile
            );
            GatewaySession {
                partition: Partition::from_arn(&hit.role_arn).unwrap_or_default(),
                session_name: fallback_session_name(req.plan),
                credentials: hit.credentials,
                role_arn: hit.role_arn,
            }
        }
        None => {
            let session = assume_gateway(req, &budget).await?;
            remember(&cache, gateway_key, &session.role_arn, &session.credentials);
            session
        }
    };
    let client = sdk_client(req.plan, gateway.partition, &budget).await?;
    let hops = sts::walk_chain(
        &client,
        &req.plan.gateway.profile,
        &gateway.credentials,
        &req.plan.chain,
        &gateway.session_name,
    )
    .await?;
    for ((profile, creds), hop) in hops.iter().zip(&req.plan.chain) {
        remember(&cache, &keys[profile], &hop.role_arn, creds);
    }
    let mut profiles = vec![(req.plan.gateway.profile.clone(), gateway.credentials)];
    profiles.extend(hops);
    Ok(Obtained {
        profiles,
        role_arn: gateway.role_arn,
        renewed: true,
        gateway_cached,
    })
}

/// Every profile of the plan from the cache, or None when any one needs renewing.
fn all_from_cache(
    plan: &Plan,
    cache: &CredentialCache,
    keys: &BTreeMap<String, CacheKey>,
    now: OffsetDateTime,
    window: Duration,
) -> Option<Obtained> {
    let gateway = cache.lookup(&keys[&plan.gateway.profile], now, window)?;
    let mut profiles = vec![(plan.gateway.profile.clone(), gateway.credentials)];
    for hop in &plan.chain {
        profiles.push((
            hop.profile.clone(),
            cache.get(&keys[&hop.profile], now, window)?,
        ));
    }
    Some(Obtained {
        profiles,
        role_arn: gateway.role_arn,
        renewed: false,
        gateway_cached: true,
    })
}

fn remember(cache: &CredentialCache, key: &CacheKey, role_arn: &str, creds: &Credentials) {
    if let Err(e) = cache.put(key, role_arn, creds) {
        warn!(
            "could not cache the session of profile {}: {e}",
            key.profile()
        );
    }
}

/// Without the assertion at hand, hops are named after the user (what IdPs usually send anyway).
fn fallback_session_name(plan: &Plan) -> String {
    sts::session_name(plan.gateway.username.as_deref().unwrap_or("samlbridge"))
}

async fn sdk_client(
    plan: &Plan,
    partition: Partition,
    budget: &sts::StsBudget,
) -> Result<sts::SdkSts> {
    let gateway = &plan.gateway;
    Ok(sts::SdkSts::new(
        gateway.region.as_deref(),
        partition,
        gateway.ca_bundle.as_deref(),
        budget,
    )
    .await?)
}

/// Signs in, picks the role, and calls AssumeRoleWithSAML (fitting the duration if STS asks).
async fn assume_gateway(req: &Request<'_>, budget: &sts::StsBudget) -> Result<GatewaySession> {
    let gateway = &req.plan.gateway;
    let signed_in = sign_in(req.ctx, gateway, req.flags).await?;
    let aliases = account_aliases(req.ctx, gateway, req.flags, &signed_in).await?;
    let chosen = role::choose_with_aliases(
        &gateway.profile,
        &signed_in.claims.roles,
        gateway.role.as_deref(),
        req.ctx.prompt.as_ref(),
        &aliases,
    )?;
    let client = sdk_client(req.plan, signed_in.claims.partition, budget).await?;
    let credentials = assume_with_saml(&client, req.plan, &signed_in, &chosen).await?;
    let raw_name = signed_in
        .claims
        .session_name
        .clone()
        .or_else(|| gateway.username.clone());
    Ok(GatewaySession {
        credentials,
        role_arn: chosen.role_arn,
        partition: signed_in.claims.partition,
        session_name: sts::session_name(raw_name.as_deref().unwrap_or("samlbridge")),
    })
}

async fn assume_with_saml(
    client: &sts::SdkSts,
    plan: &Plan,
    signed_in: &SignedIn,
    chosen: &RoleOption,
) -> Result<Credentials> {
    let gateway = &plan.gateway;
    // The IdP's SessionDuration is outside input: one STS would refuse is left out, not sent.
    let from_idp = || {
        let seconds = signed_in.claims.session_duration?;
        if config::check_duration(seconds).is_err() {
            info!(
                "the assertion's SessionDuration {seconds} is outside 900-43200 s; asking for 3600 s"
            );
            return None;
        }
        Some(seconds)
    };
    let duration = gateway.duration_seconds.or_else(from_idp).unwrap_or(3600);
    let request = sts::SamlRoleRequest {
        profile: &gateway.profile,
        role_arn: &chosen.role_arn,
        principal_arn: &chosen.principal_arn,
        assertion: &signed_in.assertion,
        duration_seconds: Some(duration),
    };
    let session = sts::assume_with_saml_fitted(client, request).await?;
    if session.fitted {
        tell!(
            "warning: profile {}: {duration}s is more than role {} allows; got a {}s session instead (lower duration_seconds to silence this)",
            gateway.profile,
            chosen.role_name(),
            sts::FITTED_SECONDS
        );
    }
    Ok(session.credentials)
}

/// Some profile of the plan is served from the credentials file (see `file_profiles`).
fn any_file_profile(plan: &Plan) -> bool {
    !plan.gateway.uses_credential_process || plan.chain.iter().any(|h| !h.uses_credential_process)
}

/// The profiles served from the credentials file: a profile whose `credential_process` runs
/// samlbridge gets no static keys there, which would mask the process.
pub fn file_profiles(plan: &Plan, obtained: &Obtained) -> Vec<(String, Credentials)> {
    let served_by_process = |profile: &str| {
        (plan.gateway.profile == profile && plan.gateway.uses_credential_process)
            || plan
                .chain
                .iter()
                .any(|h| h.profile == profile && h.uses_credential_process)
    };
    obtained
        .profiles
        .iter()
        .filter(|(p, _)| !served_by_process(p))
        .cloned()
        .collect()
}

/// Writes the file's profiles; returns their names.
pub fn write_file(ctx: &Context, plan: &Plan, obtained: &Obtained) -> Result<Vec<String>> {
    let to_write = file_profiles(plan, obtained);
    credentials_file::write_credentials(&ctx.paths.credentials_file, &to_write)?;
    Ok(to_write.into_iter().map(|(p, _)| p).collect())
}
