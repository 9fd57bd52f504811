//! Credentials for a group of plans that sign in the same way (`config::SignInGroup`): the IdP is
//! asked at most once, then every gateway role that needs renewing is assumed from that one assertion
//! at the same time, and each chain starts as soon as its gateway's session exists. Each plan's own
//! refresh window and cache decide whether it needs renewing; when none does, nobody is asked.

use super::{
    CachedSessionProvider, Obtained, RunClient, SharedSignIn, SignInGateway, all_from_cache, renew,
};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::config::Plan;
use crate::sink::credentials_file;
use crate::state::cache::{CacheKey, CredentialCache, Freshness};
use crate::sts;
use futures::future::join_all;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// What to obtain for a group, and how hard to try.
pub struct GroupRequest<'a> {
    pub ctx: &'a Context,
    /// One group's plans (their gateways sign in the same way).
    pub plans: &'a [Plan],
    /// Sign in even when the cache is fresh.
    pub force: bool,
    /// The caller writes what is renewed to the credentials file: check it before signing in.
    pub writes_file: bool,
}

/// What a group got.
pub struct GroupOutcome {
    /// Per plan, in the order given: its credentials, or why it could not get them (a role the
    /// assertion does not offer, STS refusing its role or a hop); None: it needed the sign-in, and
    /// the sign-in failed.
    pub plans: Vec<Option<Result<Obtained>>>,
    /// Why the sign-in failed, when it did.
    pub sign_in_error: Option<Error>,
}

/// Each plan's credentials, from the cache or renewed; the IdP is asked at most once. The error:
/// the credentials file cannot be written, found before anyone was asked.
pub async fn obtain_group(req: &GroupRequest<'_>) -> Result<GroupOutcome> {
    let plans = req.plans;
    let cache = CredentialCache::new(&req.ctx.state);
    let now = OffsetDateTime::now_utc();
    let freshness = |plan: &Plan| Freshness {
        now,
        window: plan.refresh_window,
        force: req.force,
    };
    let keys: Vec<BTreeMap<String, CacheKey>> = plans.iter().map(CacheKey::for_plan).collect();
    let mut outcome = GroupOutcome {
        plans: plans
            .iter()
            .zip(&keys)
            .map(|(plan, keys)| all_from_cache(plan, &cache, keys, freshness(plan)).map(Ok))
            .collect(),
        sign_in_error: None,
    };
    let stale: Vec<usize> = (0..plans.len())
        .filter(|&i| outcome.plans[i].is_none())
        .collect();
    if stale.is_empty() {
        return Ok(outcome);
    }
    // Past this point the IdP or STS will be asked: fail now on what can be known locally.
    if req.writes_file && stale.iter().any(|&i| !plans[i].sinks.file.is_empty()) {
        credentials_file::check_credentials_writable(&req.ctx.paths.credentials_file)?;
    }
    // One deadline for every STS call of this run, as for one plan.
    let budget = sts::StsBudget::from_env(|name| std::env::var(name).ok());
    let (clients, which) = clients_by_region(plans, &stale, &budget);
    let signer = signing_plan(plans, &stale);
    let shared = SharedSignIn::new(req.ctx, &signer);
    let gateways: Vec<_> = stale
        .iter()
        .zip(&which)
        .map(|(&i, &client)| {
            let plan = &plans[i];
            CachedSessionProvider {
                provider: SignInGateway::new(req.ctx, plan, &clients[client], &shared),
                cache: &cache,
                key: &keys[i][&plan.gateway.profile],
                freshness: freshness(plan),
            }
        })
        .collect();
    // The one sign-in, before the roles are assumed together; none when every gateway is fresh.
    let needs_sign_in: Vec<bool> = gateways.iter().map(|g| !g.has_fresh()).collect();
    if needs_sign_in.contains(&true) {
        outcome.sign_in_error = shared.get().await.err();
    }
    let signed_in = outcome.sign_in_error.is_none();
    let renewable: Vec<usize> = (0..stale.len())
        .filter(|&at| signed_in || !needs_sign_in[at])
        .collect();
    let renewed = join_all(
        renewable
            .iter()
            .map(|&at| renew(&gateways[at], &cache, &keys[stale[at]])),
    )
    .await;
    for (at, result) in renewable.into_iter().zip(renewed) {
        outcome.plans[stale[at]] = Some(result);
    }
    Ok(outcome)
}

/// One STS client per region the renewed gateways use (a group shares its CA bundle), and which
/// client each renewed plan uses.
fn clients_by_region<'a>(
    plans: &'a [Plan],
    stale: &[usize],
    budget: &'a sts::StsBudget,
) -> (Vec<RunClient<'a>>, Vec<usize>) {
    let mut clients: Vec<RunClient<'a>> = Vec::new();
    let mut which = Vec::with_capacity(stale.len());
    for &i in stale {
        let region = &plans[i].gateway.region;
        match clients
            .iter()
            .position(|c| &c.plan.gateway.region == region)
        {
            Some(at) => which.push(at),
            None => {
                which.push(clients.len());
                clients.push(RunClient::new(&plans[i], budget));
            }
        }
    }
    (clients, which)
}

/// The plan the group signs in with: the first to renew (every plan of a group signs in the same
/// way), reading the accounts' names from AWS when any of them asks for it.
fn signing_plan(plans: &[Plan], stale: &[usize]) -> Plan {
    let mut signer = plans[stale[0]].clone();
    signer.aliases.fetch = stale.iter().any(|&i| plans[i].aliases.fetch);
    signer
}
