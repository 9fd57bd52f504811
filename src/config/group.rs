//! Several profiles, one sign-in each way of signing in: plans whose gateways sign in to the same IdP
//! as the same user with the same settings form a `SignInGroup`, and the IdP is asked once per group
//! (one assertion answers every gateway role it offers).
//!
//! - `resolve_many`: the profiles a multi-profile login names (`--profile a,b,c`, `--all`), one plan
//!   per gateway (a chained profile named joins its gateway's plan), every gateway with a role to
//!   assume, grouped; everything checked before anything goes on the network.
//! - `group_plans`: plans already resolved (`refresh --all`) put into groups.

use super::resolve::{AnswerSources, BrowserPlan};
use super::{ChainSelect, ConfigError, ConfigFile, Overrides, Plan, PlanEnv, resolve};
use std::path::PathBuf;

/// Plans served by one sign-in, in the order they were named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInGroup {
    pub plans: Vec<Plan>,
}

impl SignInGroup {
    /// The gateway profiles of the group, comma-separated (as `--profile` takes them).
    pub fn gateway_names(&self) -> String {
        let names: Vec<&str> = self
            .plans
            .iter()
            .map(|p| p.gateway.profile.as_str())
            .collect();
        names.join(",")
    }
}

/// What makes two sign-ins interchangeable: the same IdP page, user, provider, trust, second factor,
/// password and code sources, and browser. Anything else (role, region, duration, chain) is the
/// gateway's own and is decided after the sign-in.
#[derive(Debug, PartialEq, Eq)]
struct SignInKey<'a> {
    url: &'a str,
    username: Option<&'a str>,
    provider: Option<&'a str>,
    ca_bundle: Option<&'a PathBuf>,
    mfa_factor: Option<&'a str>,
    duo_device: Option<&'a str>,
    auth: super::SamlAuth,
    auth_hosts: &'a [String],
    answers: &'a AnswerSources,
    browser: Option<&'a BrowserPlan>,
}

impl<'a> SignInKey<'a> {
    fn of(plan: &'a Plan) -> SignInKey<'a> {
        let gateway = &plan.gateway;
        SignInKey {
            url: &gateway.url,
            username: gateway.username.as_deref(),
            provider: gateway.provider.as_deref(),
            ca_bundle: gateway.ca_bundle.as_ref(),
            mfa_factor: gateway.mfa_factor.as_deref(),
            duo_device: gateway.duo_device.as_deref(),
            auth: gateway.auth,
            auth_hosts: &gateway.auth_hosts,
            answers: &plan.answers,
            browser: plan.browser.as_ref(),
        }
    }
}

/// The plans in groups of interchangeable sign-ins; groups and the plans in them keep the order
/// of `plans`.
pub fn group_plans(plans: Vec<Plan>) -> Vec<SignInGroup> {
    let mut groups: Vec<SignInGroup> = Vec::new();
    for plan in plans {
        let joins = groups
            .iter()
            .position(|g| SignInKey::of(&g.plans[0]) == SignInKey::of(&plan));
        match joins {
            Some(at) => groups[at].plans.push(plan),
            None => groups.push(SignInGroup { plans: vec![plan] }),
        }
    }
    groups
}

/// A gateway and what was named under it.
struct Named {
    gateway: String,
    /// The gateway itself was named (else only chained profiles under it were).
    itself: bool,
    chained: Vec<String>,
}

/// The plans for several profiles at once, grouped by sign-in. Each named gateway gets `select`'s
/// chained profiles; a named chained profile brings its gateway (and the hops on its way). With
/// more than one gateway, each must have a role to assume (`saml_role`): one assertion offers
/// several, and a person is not asked once per profile. `flags.profile` is ignored: `names` says
/// which profiles.
pub fn resolve_many(
    file: &ConfigFile,
    env: &PlanEnv,
    flags: &Overrides,
    select: &ChainSelect,
    names: &[String],
) -> Result<Vec<SignInGroup>, ConfigError> {
    let named = by_gateway(file, names)?;
    let wanted_chain = chain_by_gateway(file, select, &named)?;
    let mut plans = Vec::with_capacity(named.len());
    for (entry, only) in named.iter().zip(wanted_chain) {
        let (primary, select) = selection(entry, select, only);
        let flags = Overrides {
            profile: Some(primary),
            ..flags.clone()
        };
        plans.push(resolve(file, env, &flags, &select)?);
    }
    let roleless: Vec<String> = plans
        .iter()
        .filter(|p| {
            p.gateway
                .role
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        })
        .map(|p| p.gateway.profile.clone())
        .collect();
    // One gateway (a,b naming it and its chained profiles) is an ordinary login.
    if plans.len() > 1 && !roleless.is_empty() {
        return Err(ConfigError::NoRoleForMany {
            file: file.path.clone(),
            profiles: roleless.join(", "),
        });
    }
    Ok(group_plans(plans))
}

/// The named profiles under their gateways, gateways in the order first named; a name given twice
/// counts once.
fn by_gateway(file: &ConfigFile, names: &[String]) -> Result<Vec<Named>, ConfigError> {
    let mut named: Vec<Named> = Vec::new();
    for name in names {
        let gateway = file.gateway_of(name)?;
        let at = match named.iter().position(|n| n.gateway == gateway) {
            Some(at) => at,
            None => {
                named.push(Named {
                    gateway: gateway.clone(),
                    itself: false,
                    chained: Vec::new(),
                });
                named.len() - 1
            }
        };
        let entry = &mut named[at];
        if *name == gateway {
            entry.itself = true;
        } else if !entry.chained.contains(name) {
            entry.chained.push(name.clone());
        }
    }
    Ok(named)
}

/// `--chain a,b` with several gateways: each gateway gets the listed profiles under it; a listed
/// profile under none of them is an error. None per gateway when `select` is not a list.
fn chain_by_gateway(
    file: &ConfigFile,
    select: &ChainSelect,
    named: &[Named],
) -> Result<Vec<Option<Vec<String>>>, ConfigError> {
    let ChainSelect::Only(listed) = select else {
        return Ok(named.iter().map(|_| None).collect());
    };
    let mut per_gateway: Vec<Vec<String>> = named.iter().map(|_| Vec::new()).collect();
    for name in listed {
        let gateway = file.gateway_of(name)?;
        match named.iter().position(|n| n.gateway == gateway) {
            Some(at) => per_gateway[at].push(name.clone()),
            None => {
                let gateways: Vec<&str> = named.iter().map(|n| n.gateway.as_str()).collect();
                return Err(ConfigError::NotInChain {
                    file: file.path.clone(),
                    profile: name.clone(),
                    gateway: gateways.join(", "),
                    actual: gateway,
                });
            }
        }
    }
    Ok(per_gateway.into_iter().map(Some).collect())
}

/// The profile to resolve for one gateway, and which chained profiles come with it.
fn selection(
    entry: &Named,
    select: &ChainSelect,
    only: Option<Vec<String>>,
) -> (String, ChainSelect) {
    if let (false, Some((first, others))) = (entry.itself, entry.chained.split_first()) {
        // Only chained profiles were named: the first is the target, the others come along.
        let mut chained = others.to_vec();
        chained.extend(only.unwrap_or_default());
        return (first.clone(), ChainSelect::Only(chained));
    }
    let select = match (select, only) {
        (ChainSelect::All, _) => ChainSelect::All,
        (_, Some(mut listed)) => {
            listed.extend(entry.chained.iter().cloned());
            ChainSelect::Only(listed)
        }
        (_, None) if entry.chained.is_empty() => ChainSelect::None,
        (_, None) => ChainSelect::Only(entry.chained.clone()),
    };
    (entry.gateway.clone(), select)
}

#[cfg(test)]
mod tests;
