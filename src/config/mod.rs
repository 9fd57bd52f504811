//! The user's ~/.aws/config resolved to plain data: which IdP, which gateway role, which chained
//! profiles. Everything is decided here, before any network call. [aws-config: ProfileChain → exec]
//!
//! (skeleton: types fixed; reading and resolving to be written.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the AWS files are, from the environment: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HOME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPaths {
    pub home: PathBuf,
    pub config_file: PathBuf,
    pub credentials_file: PathBuf,
}

impl AwsPaths {
    /// Reads the three variables through `var` (a closure so tests need no real environment).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<AwsPaths> {
        let home = PathBuf::from(var("HOME").filter(|h| !h.is_empty())?);
        let config_file = var("AWS_CONFIG_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".aws").join("config"));
        let credentials_file = var("AWS_SHARED_CREDENTIALS_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".aws").join("credentials"));
        Some(AwsPaths {
            home,
            config_file,
            credentials_file,
        })
    }
}

/// One `[profile NAME]` (or `[default]`) section: its keys as written, trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSection {
    pub name: String,
    pub keys: BTreeMap<String, String>,
}

/// The parsed config file. A missing file is an empty config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub profiles: BTreeMap<String, ProfileSection>,
}

/// The profile that signs in to the IdP and assumes a role in the gateway account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayProfile {
    pub profile: String,
    /// `saml_url`
    pub url: String,
    /// `saml_username`
    pub username: Option<String>,
    /// `saml_role`: ARN, role name, or ACCOUNT_ID/ROLE_NAME.
    pub role: Option<String>,
    /// `saml_provider`: a provider file name; None means detect from the page.
    pub provider: Option<String>,
    /// `duration_seconds`
    pub duration_seconds: Option<i32>,
    pub region: Option<String>,
    /// `saml_ca_bundle`: PEM file of extra trusted roots.
    pub ca_bundle: Option<PathBuf>,
}

/// A child-account profile reached by sts:AssumeRole from its `saml_source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHop {
    pub profile: String,
    /// The profile whose credentials assume this one (the gateway or another hop).
    pub source: String,
    pub role_arn: String,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
    pub region: Option<String>,
}

/// Which chained profiles a login should refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainSelect {
    /// Every profile whose chain leads back to the gateway.
    All,
    /// Only these (and the hops they need on the way).
    Only(Vec<String>),
    /// None: the gateway alone.
    None,
}

/// Everything a login will do, decided before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub gateway: GatewayProfile,
    /// Ordered so that every hop's source comes before it.
    pub chain: Vec<ChainHop>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Read { file: PathBuf, message: String },
    #[error(
        "{file}: profile {profile} not found; add a [profile {profile}] section with saml_url, or pass --url"
    )]
    NoSuchProfile { file: PathBuf, profile: String },
    #[error("{file}: profile {profile} has no saml_url (nor saml_source); add one, or pass --url")]
    NotSaml { file: PathBuf, profile: String },
    #[error("{file}: profile {profile}: {key} = '{value}' is not valid: {why}")]
    BadValue {
        file: PathBuf,
        profile: String,
        key: String,
        value: String,
        why: String,
    },
    #[error("{file}: profiles form a loop: {cycle}; fix their saml_source keys")]
    Loop { file: PathBuf, cycle: String },
    #[error(
        "{file}: profile {profile} has saml_source = {source_profile}, which is not a profile in this file"
    )]
    MissingSource {
        file: PathBuf,
        profile: String,
        source_profile: String,
    },
}

impl ConfigFile {
    pub fn load(_path: &Path) -> Result<ConfigFile, ConfigError> {
        todo!("ConfigFile::load")
    }

    pub fn parse(_path: &Path, _text: &str) -> Result<ConfigFile, ConfigError> {
        todo!("ConfigFile::parse")
    }

    /// Resolves `profile` (a gateway, or a chained profile: then its gateway and the hops to it).
    pub fn plan(&self, _profile: &str, _select: &ChainSelect) -> Result<Plan, ConfigError> {
        todo!("ConfigFile::plan")
    }
}
