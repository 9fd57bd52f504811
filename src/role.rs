//! Choosing the gateway role from those the assertion offers: `--role`, then `saml_role`, then the only
//! role, then a filterable picker; with nobody to ask, a usage error that lists the roles.
//!
//! (skeleton: to be written.)

use crate::error::ExitKind;
use crate::prompt::Prompt;
use crate::saml::RoleOption;

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error(
        "profile {profile}: the role '{wanted}' is not among the roles offered: {offered}; run `samlbridge roles --profile {profile}` to list them"
    )]
    NotOffered {
        profile: String,
        wanted: String,
        offered: String,
    },
    #[error(
        "profile {profile}: several roles match '{wanted}': {matches}; pick one with --role ARN"
    )]
    Ambiguous {
        profile: String,
        wanted: String,
        matches: String,
    },
    #[error(
        "profile {profile}: the IdP offers several roles and there is no terminal to pick one; pick one with --role (or saml_role): {offered}"
    )]
    NeedsChoice { profile: String, offered: String },
}

impl RoleError {
    pub fn exit_kind(&self) -> ExitKind {
        ExitKind::Usage
    }
}

/// `wanted` is `--role` or else `saml_role`: a role ARN, a role name, or ACCOUNT_ID/ROLE_NAME.
pub fn choose(
    _profile: &str,
    _roles: &[RoleOption],
    _wanted: Option<&str>,
    _prompt: &dyn Prompt,
) -> Result<RoleOption, RoleError> {
    todo!("role::choose")
}
