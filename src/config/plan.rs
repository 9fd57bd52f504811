//! From a profile name to a `Plan`: follow `saml_source` keys up to the gateway (naming every profile
//! of a loop), pick the chained profiles the login refreshes, order them parents first.
//!
//! - `plan(gateway, All)`: the gateway and every profile whose chain leads back to it. Every chained
//!   profile in the file is followed, so a loop or a dangling `saml_source` anywhere is reported
//!   rather than silently skipped; profiles chained from another gateway are left out.
//! - `plan(gateway, Only(list))`: the listed profiles and the hops on their way; each must lead back
//!   to this gateway (the gateway's own name in the list is ignored).
//! - `plan(gateway, None)`: the gateway alone.
//! - `plan(chained, _)`: its gateway and the hops down to it (All and None mean just that path;
//!   Only adds the listed profiles and their paths).
//!
//! Hops are ordered by depth (distance from the gateway), then by name: every hop's source comes
//! before it, and the same file always gives the same plan.

use super::{ChainSelect, ConfigError, ConfigFile, Plan, Sinks};
use std::collections::BTreeSet;

/// What a profile is to samlbridge.
enum Kind<'a> {
    Gateway,
    Chained { source: &'a str },
}

impl ConfigFile {
    /// Resolves `profile` (a gateway, or a chained profile: then its gateway and the hops to it).
    pub fn plan(&self, profile: &str, select: &ChainSelect) -> Result<Plan, ConfigError> {
        self.check_name(profile)?;
        let lineage = self.lineage(profile)?;
        let (gateway_name, path) = split_lineage(&lineage);
        let mut wanted: BTreeSet<&str> = path.iter().copied().collect();
        match select {
            ChainSelect::All if path.is_empty() => {
                for chained in self.chained_profiles() {
                    let lineage = self.lineage(chained)?;
                    let (top, path) = split_lineage(&lineage);
                    if top == gateway_name {
                        wanted.extend(path);
                    }
                }
            }
            ChainSelect::All | ChainSelect::None => {}
            ChainSelect::Only(names) => {
                for name in names.iter().filter(|n| n.as_str() != gateway_name) {
                    let lineage = self.lineage(name)?;
                    let (top, path) = split_lineage(&lineage);
                    if top != gateway_name {
                        return Err(ConfigError::NotInChain {
                            file: self.path.clone(),
                            profile: name.clone(),
                            gateway: gateway_name.to_string(),
                            actual: top.to_string(),
                        });
                    }
                    wanted.extend(path);
                }
            }
        }
        let mut plan = self.build_plan(gateway_name, wanted)?;
        plan.target = profile.to_string();
        Ok(plan)
    }

    /// The gateway `profile` leads back to (itself for a gateway).
    pub fn gateway_of(&self, profile: &str) -> Result<String, ConfigError> {
        self.check_name(profile)?;
        let lineage = self.lineage(profile)?;
        Ok(split_lineage(&lineage).0.to_string())
    }

    /// The gateway profiles: those that sign in to an IdP (`saml_url`), by name.
    pub fn gateway_names(&self) -> Vec<String> {
        self.profiles
            .values()
            .filter(|p| p.keys.contains_key("saml_url"))
            .map(|p| p.name.clone())
            .collect()
    }

    fn build_plan(&self, gateway_name: &str, wanted: BTreeSet<&str>) -> Result<Plan, ConfigError> {
        self.check_name(gateway_name)?;
        let gateway = self.gateway_profile(gateway_name)?;
        let mut ordered = Vec::with_capacity(wanted.len());
        for name in wanted {
            self.check_name(name)?;
            // Each name was resolved already; this walk cannot fail differently now.
            let lineage = self.lineage(name)?;
            let source = lineage.get(1).copied().unwrap_or(gateway_name);
            ordered.push((lineage.len() - 1, name, source));
        }
        ordered.sort();
        let chain = ordered
            .into_iter()
            .map(|(_, name, source)| self.chain_hop(name, source, gateway.region.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Plan {
            sinks: Sinks::of(&gateway, &chain),
            target: gateway.profile.clone(),
            gateway,
            chain,
            ..Plan::default()
        })
    }

    /// Every profile of a plan becomes a `[section]` of the credentials file and a cache entry.
    fn check_name(&self, name: &str) -> Result<(), ConfigError> {
        super::check_profile_name(name).map_err(|why| ConfigError::BadProfileName {
            file: self.path.clone(),
            name: crate::shown::outside(&format!("{name:?}")),
            why,
        })
    }

    /// `profile`, its source, its source's source, … up to the gateway (the last element).
    fn lineage<'a>(&'a self, profile: &'a str) -> Result<Vec<&'a str>, ConfigError> {
        let mut lineage = vec![profile];
        let mut current = profile;
        loop {
            let source = match self.kind(current)? {
                Kind::Gateway => return Ok(lineage),
                Kind::Chained { source } => source,
            };
            if !self.profiles.contains_key(source) {
                return Err(ConfigError::MissingSource {
                    file: self.path.clone(),
                    profile: current.to_string(),
                    source_profile: source.to_string(),
                });
            }
            if let Some(start) = lineage.iter().position(|p| *p == source) {
                let mut cycle = lineage[start..].to_vec();
                cycle.push(source);
                return Err(ConfigError::Loop {
                    file: self.path.clone(),
                    cycle: cycle.join(" -> "),
                });
            }
            if self.value(source, "saml_url").is_none()
                && self.value(source, "saml_source").is_none()
            {
                return Err(self.bad_value(
                    current,
                    "saml_source",
                    source,
                    &format!("profile {source} has neither saml_url nor saml_source; name the gateway profile or another chained profile"),
                ));
            }
            lineage.push(source);
            current = source;
        }
    }

    fn kind(&self, profile: &str) -> Result<Kind<'_>, ConfigError> {
        if !self.profiles.contains_key(profile) {
            return Err(ConfigError::NoSuchProfile {
                file: self.path.clone(),
                profile: profile.to_string(),
            });
        }
        match (self.value(profile, "saml_url"), self.value(profile, "saml_source")) {
            (Some(_), Some(source)) => Err(self.bad_value(
                profile,
                "saml_source",
                source,
                "a profile has saml_url (a gateway) or saml_source (a chained profile), not both; remove one",
            )),
            (Some(_), None) => Ok(Kind::Gateway),
            (None, Some(source)) => Ok(Kind::Chained { source }),
            (None, None) => Err(ConfigError::NotSaml {
                file: self.path.clone(),
                profile: profile.to_string(),
            }),
        }
    }

    /// Every profile with a `saml_source`, by name.
    fn chained_profiles(&self) -> impl Iterator<Item = &str> {
        self.profiles
            .keys()
            .map(String::as_str)
            .filter(|name| self.value(name, "saml_source").is_some())
    }
}

/// (gateway, the chained profiles on the way to the first element, first element included).
fn split_lineage<'a>(lineage: &[&'a str]) -> (&'a str, Vec<&'a str>) {
    match lineage.split_last() {
        Some((gateway, path)) => (gateway, path.to_vec()),
        None => ("", Vec::new()),
    }
}

#[cfg(test)]
mod tests;
