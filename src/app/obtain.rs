//! Getting credentials for a plan, the cheapest way that works: the cache while every profile is
//! fresh; else the gateway's session (cached, or a sign-in and AssumeRoleWithSAML) and the chain from
//! it. The cache is a wrapper around each step (`CachedSessionProvider`, `CachingSts`), and one STS
//! client serves the whole run, built once the partition is known. `group` does the same for several
//! plans that share one sign-in (`SharedSignIn`).

use super::sign_in::{SignedIn, account_aliases, sign_in};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::config::{self, Plan};
use crate::role::{self, aliases::AccountAliases};
use crate::saml::{Partition, RoleOption};
use crate::sink::credentials_file;
use crate::state::cache::{
    CacheKey, CachedSessionProvider, CachingSts, CredentialCache, Freshness, RoleSession,
    SessionProvider,
};
use crate::sts::{self, Credentials};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use time::OffsetDateTime;
use tokio::sync::OnceCell;
use tracing::info;

/// What to obtain and how hard to try.
pub struct Request<'a> {
    pub ctx: &'a Context,
    /// Its `refresh_window` decides what is fresh.
    pub plan: &'a Plan,
    /// Sign in even when the cache is fresh.
    pub force: bool,
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
    /// When the first of these sessions expires (RFC 3339 UTC), empty when none says.
    pub fn earliest_expiry(&self) -> String {
        self.profiles
            .iter()
            .map(|(_, c)| c.expiration)
            .min()
            .and_then(crate::credentials::rfc3339_utc)
            .unwrap_or_default()
    }

    pub fn credentials_of(&self, profile: &str) -> Option<&Credentials> {
        self.profiles
            .iter()
            .find(|(p, _)| p == profile)
            .map(|(_, c)| c)
    }
}

pub async fn obtain(req: &Request<'_>) -> Result<Obtained> {
    let plan = req.plan;
    let cache = CredentialCache::new(&req.ctx.state);
    let keys = CacheKey::for_plan(plan);
    let freshness = Freshness {
        now: OffsetDateTime::now_utc(),
        window: plan.refresh_window,
        force: req.force,
    };
    if let Some(obtained) = all_from_cache(plan, &cache, &keys, freshness) {
        return Ok(obtained);
    }
    // Past this point the IdP or STS will be asked: fail now on what can be known locally.
    if req.writes_file && !plan.sinks.file.is_empty() {
        credentials_file::check_credentials_writable(&req.ctx.paths.credentials_file)?;
    }
    // One deadline for every STS call of this run: an SDK waiting on credential_process gets an answer.
    let budget = sts::StsBudget::from_env(|name| std::env::var(name).ok());
    let client = RunClient::new(plan, &budget);
    let shared = SharedSignIn::new(req.ctx, plan);
    let gateway = CachedSessionProvider {
        provider: SignInGateway::new(req.ctx, plan, &client, &shared),
        cache: &cache,
        key: &keys[&plan.gateway.profile],
        freshness,
    };
    renew(&gateway, &cache, &keys).await
}

/// The gateway's session (cached, or from the sign-in) and the chain from it, each cached.
async fn renew(
    gateway: &CachedSessionProvider<'_, SignInGateway<'_>>,
    cache: &CredentialCache,
    keys: &BTreeMap<String, CacheKey>,
) -> Result<Obtained> {
    let (plan, client) = (gateway.provider.plan, gateway.provider.client);
    let (session, gateway_cached) = gateway.get().await?;
    let session_name = match gateway.provider.session_name.get() {
        Some(name) => name.clone(),
        None => fallback_session_name(plan),
    };
    let mut profiles = vec![(plan.gateway.profile.clone(), session.credentials.clone())];
    if !plan.chain.is_empty() {
        let sts = client
            .get(Partition::from_arn(&session.role_arn).unwrap_or_default())
            .await?;
        let caching = CachingSts {
            inner: sts,
            cache,
            keys,
        };
        let gw = &plan.gateway.profile;
        let creds = &session.credentials;
        profiles.extend(sts::walk_chain(&caching, gw, creds, &plan.chain, &session_name).await?);
    }
    Ok(Obtained {
        profiles,
        role_arn: session.role_arn,
        renewed: true,
        gateway_cached,
    })
}

/// The run's one STS client: built for the partition known first (the assertion's after a sign-in,
/// else the cached gateway role's), then used for AssumeRoleWithSAML and every hop.
struct RunClient<'a> {
    plan: &'a Plan,
    budget: &'a sts::StsBudget,
    built: OnceCell<sts::SdkSts>,
}

impl<'a> RunClient<'a> {
    /// A client for `plan`'s region and trust, built on first use.
    fn new(plan: &'a Plan, budget: &'a sts::StsBudget) -> RunClient<'a> {
        RunClient {
            plan,
            budget,
            built: OnceCell::new(),
        }
    }

    async fn get(&self, partition: Partition) -> Result<&sts::SdkSts> {
        let gateway = &self.plan.gateway;
        let build = || {
            sts::SdkSts::new(
                gateway.region.as_deref(),
                partition,
                gateway.ca_bundle.as_deref(),
                self.budget,
            )
        };
        Ok(self.built.get_or_try_init(build).await?)
    }
}

/// One sign-in for every gateway that needs it: made on first use, then every gateway role is
/// picked from the same assertion (which STS accepts again within its validity).
struct SharedSignIn<'a> {
    ctx: &'a Context,
    /// Whose settings sign in (every plan of a group signs in the same way) and which aliases.
    plan: &'a Plan,
    done: OnceCell<(SignedIn, AccountAliases)>,
}

impl<'a> SharedSignIn<'a> {
    fn new(ctx: &'a Context, plan: &'a Plan) -> SharedSignIn<'a> {
        SharedSignIn {
            ctx,
            plan,
            done: OnceCell::new(),
        }
    }

    /// The assertion and the account names, signing in the first time.
    async fn get(&self) -> Result<&(SignedIn, AccountAliases)> {
        let sign_in = || async {
            let signed_in = sign_in(self.ctx, self.plan).await?;
            let aliases = account_aliases(self.plan, &signed_in).await;
            Ok::<_, Error>((signed_in, aliases))
        };
        self.done.get_or_try_init(sign_in).await
    }
}

/// A gateway's session from a sign-in: the provider `CachedSessionProvider` asks on a miss.
struct SignInGateway<'a> {
    ctx: &'a Context,
    plan: &'a Plan,
    client: &'a RunClient<'a>,
    shared: &'a SharedSignIn<'a>,
    /// The chain's session name, from the assertion (set once signed in).
    session_name: OnceLock<String>,
}

impl<'a> SignInGateway<'a> {
    fn new(
        ctx: &'a Context,
        plan: &'a Plan,
        client: &'a RunClient<'a>,
        shared: &'a SharedSignIn<'a>,
    ) -> SignInGateway<'a> {
        SignInGateway {
            ctx,
            plan,
            client,
            shared,
            session_name: OnceLock::new(),
        }
    }
}

impl SessionProvider for SignInGateway<'_> {
    type Error = Error;

    /// Signs in (or takes the run's sign-in), picks the role, and calls AssumeRoleWithSAML (fitting
    /// the duration if STS asks).
    async fn get(&self) -> Result<RoleSession> {
        let gateway = &self.plan.gateway;
        let (signed_in, aliases) = self.shared.get().await?;
        let chosen = role::choose_with_aliases(
            &gateway.profile,
            &signed_in.claims.roles,
            gateway.role.as_deref(),
            self.ctx.prompt.as_ref(),
            aliases,
        )?;
        let client = self.client.get(signed_in.claims.partition).await?;
        let credentials = assume_with_saml(client, self.plan, signed_in, &chosen).await?;
        let raw_name = signed_in
            .claims
            .session_name
            .clone()
            .or_else(|| gateway.username.clone());
        let name = sts::session_name(raw_name.as_deref().unwrap_or("samlbridge"));
        let _ = self.session_name.set(name);
        Ok(RoleSession {
            role_arn: chosen.role_arn,
            credentials,
        })
    }
}

/// Every profile of the plan from the cache, or None when any one needs renewing.
fn all_from_cache(
    plan: &Plan,
    cache: &CredentialCache,
    keys: &BTreeMap<String, CacheKey>,
    freshness: Freshness,
) -> Option<Obtained> {
    let Freshness { now, window, force } = freshness;
    if force {
        return None;
    }
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

/// Without the assertion at hand, hops are named after the user (what IdPs usually send anyway).
fn fallback_session_name(plan: &Plan) -> String {
    sts::session_name(plan.gateway.username.as_deref().unwrap_or("samlbridge"))
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

/// The profiles served from the credentials file (the plan's file sink): a profile whose
/// `credential_process` runs samlbridge gets no static keys there, which would mask the process.
pub fn file_profiles(plan: &Plan, obtained: &Obtained) -> Vec<(String, Credentials)> {
    obtained
        .profiles
        .iter()
        .filter(|(p, _)| plan.sinks.goes_to_file(p))
        .cloned()
        .collect()
}

/// True when the credentials file already holds exactly these sessions.
pub fn file_is_current(ctx: &Context, plan: &Plan, obtained: &Obtained) -> bool {
    file_profiles(plan, obtained).iter().all(|(profile, creds)| {
        matches!(
            credentials_file::read_credentials(&ctx.paths.credentials_file, profile),
            Ok(Some(stored)) if stored.access_key_id.as_deref() == Some(creds.access_key_id.as_str())
        )
    })
}

/// Writes the file's profiles; returns their names.
pub fn write_file(ctx: &Context, plan: &Plan, obtained: &Obtained) -> Result<Vec<String>> {
    let to_write = file_profiles(plan, obtained);
    credentials_file::write_credentials(&ctx.paths.credentials_file, &to_write)?;
    Ok(to_write.into_iter().map(|(p, _)| p).collect())
}

mod group;

pub use group::{GroupOutcome, GroupRequest, obtain_group};

#[cfg(test)]
mod tests;
