//! The profiles `setup` writes, and the rule that none already in the file is replaced unless the
//! person said so (`--yes`, or a yes at the prompt).
//!
//! Keys are those the config reader reads (config/profile.rs): a gateway has `saml_url`,
//! `saml_username`, `saml_provider`, `saml_role` (the role's ARN), `region`, `saml_ca_bundle`, and
//! the keys of the sign-in flags given (`saml_browser`, `saml_mfa_command`, …); a
//! chained profile has `saml_source` (the gateway) and `saml_role` (the role ARN to assume).

use super::checks::SetupRequest;
use super::names::{role_profile_name, unique};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::config::ConfigFile;
use crate::role::aliases::AccountAliases;
use crate::role::sorted;
use crate::saml::RoleOption;
use crate::sink::config_file::ProfileKeys;
use std::collections::BTreeSet;

/// Everything one run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `--profile`, when a gateway role was chosen.
    pub gateway: Option<ProfileKeys>,
    /// `--all-roles`: one gateway profile per role offered.
    pub per_role: Vec<ProfileKeys>,
    pub chain: Vec<ProfileKeys>,
}

impl Written {
    pub fn all(&self) -> Vec<ProfileKeys> {
        self.gateway
            .iter()
            .chain(&self.per_role)
            .chain(&self.chain)
            .cloned()
            .collect()
    }

    /// The profiles `login` signs in with.
    pub fn gateways(&self) -> impl Iterator<Item = &str> {
        self.gateway
            .iter()
            .chain(&self.per_role)
            .map(|p| p.name.as_str())
    }
}

pub fn build(
    request: &SetupRequest,
    provider: Option<&str>,
    chosen: Option<&RoleOption>,
    roles: &[RoleOption],
    aliases: &AccountAliases,
) -> Written {
    let gateway = chosen.map(|role| gateway_keys(request, provider, &request.profile, role));
    let mut taken: BTreeSet<String> = std::iter::once(request.profile.clone())
        .chain(request.chain.iter().map(|(name, _)| name.clone()))
        .collect();
    let per_role = match &request.all_roles {
        None => Vec::new(),
        Some(prefix) => sorted(roles)
            .into_iter()
            .map(|role| {
                let label = aliases.get(role.account_id()).unwrap_or(role.account_id());
                let name = unique(
                    role_profile_name(prefix, label, role.role_name()),
                    &mut taken,
                );
                gateway_keys(request, provider, &name, role)
            })
            .collect(),
    };
    let chain = request
        .chain
        .iter()
        .map(|(name, arn)| ProfileKeys {
            name: name.clone(),
            keys: vec![
                ("saml_source", request.profile.clone()),
                ("saml_role", arn.clone()),
            ],
        })
        .collect();
    Written {
        gateway,
        per_role,
        chain,
    }
}

fn gateway_keys(
    request: &SetupRequest,
    provider: Option<&str>,
    name: &str,
    role: &RoleOption,
) -> ProfileKeys {
    let mut keys = vec![("saml_url", request.url.clone())];
    if let Some(user) = &request.username {
        keys.push(("saml_username", user.clone()));
    }
    if let Some(provider) = provider {
        keys.push(("saml_provider", provider.to_string()));
    }
    keys.push(("saml_role", role.role_arn.clone()));
    if let Some(region) = &request.region {
        keys.push(("region", region.clone()));
    }
    if let Some(bundle) = &request.ca_bundle {
        keys.push(("saml_ca_bundle", bundle.display().to_string()));
    }
    keys.extend(request.sign_in_keys.iter().cloned());
    ProfileKeys {
        name: name.to_string(),
        keys,
    }
}

/// Whether profiles already in the config file may be replaced.
pub struct Overwrite<'a> {
    pub ctx: &'a Context,
    pub existing: &'a ConfigFile,
    /// `--yes`
    pub yes: bool,
}

impl Overwrite<'_> {
    /// `name` may become a gateway profile: it is new, or the person agreed to replace its keys.
    pub fn allow_gateway(&self, name: &str) -> Result<()> {
        self.allow(name, "saml_source", "a chained profile")
    }

    pub fn allow_chained(&self, name: &str) -> Result<()> {
        self.allow(name, "saml_url", "a gateway profile")
    }

    /// `clashing` is the key that would make the written profile both a gateway and a chained one.
    fn allow(&self, name: &str, clashing: &str, kind: &str) -> Result<()> {
        let Some(section) = self.existing.profiles.get(name) else {
            return Ok(());
        };
        let file = self.existing.path.display();
        if section.keys.contains_key(clashing) {
            return Err(Error::Usage(format!(
                "{file}: profile {name} is {kind} ({clashing} is set); remove it or choose another name; nothing was written"
            )));
        }
        if self.yes {
            return Ok(());
        }
        if !self.ctx.prompt.is_interactive() {
            return Err(Error::Usage(format!(
                "{file}: profile {name} already exists; pass --yes to replace its keys, or choose another name; nothing was written"
            )));
        }
        let answer = self
            .ctx
            .prompt
            .text(&format!(
                "Profile {name} exists in {file}; replace its keys? [y/N]"
            ))
            .map_err(|e| {
                Error::PersonMustAct(format!("could not ask about profile {name}: {e}"))
            })?;
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "{file}: profile {name} kept as it is; nothing was written"
            )))
        }
    }
}

#[cfg(test)]
mod tests;
