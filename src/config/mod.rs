//! The user's ~/.aws/config resolved to plain data: which IdP, which gateway role, which chained
//! profiles. Everything is decided here, before any network call. [aws-config: ProfileChain → exec]
//!
//! This module reads the file the way the AWS tools do (sections, keys, comments); `plan` resolves a
//! profile into the gateway and the hops to refresh; `profile` checks each profile's keys; `resolve`
//! adds the flags (`Overrides`) and the environment (`PlanEnv`) and gives the complete `Plan` that
//! commands execute; `group` resolves several profiles at once and groups those one sign-in serves.

mod checks;
pub mod duration;
mod group;
pub(crate) mod ini;
pub mod lint;
mod plan;
mod profile;
mod resolve;

pub use checks::{
    MAX_PROFILE_NAME, check_duration, check_profile_name, check_role_choice, is_account_id,
};
pub use group::{SignInGroup, group_plans, resolve_many};
#[cfg(test)]
pub use resolve::DEFAULT_REFRESH_WINDOW;
pub use resolve::{
    AliasPlan, AnswerSources, BrowserPlan, BrowserWindow, Overrides, PlanEnv, Sinks, resolve,
};

use crate::config::ini::{LineKind, scan};
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
    /// The home directory `~` stands for in path values (saml_ca_bundle); None: the process's.
    pub home: Option<PathBuf>,
    /// The `[saml-aliases]` section's `ACCOUNT_ID = alias` lines, as written (checked by
    /// `ConfigFile::aliases`).
    pub alias_lines: BTreeMap<String, String>,
}

/// The section of ~/.aws/config that names accounts: `123456789012 = prod-main` lines. The AWS CLI
/// (botocore) keeps sections it does not know and ignores them; see crate::role::aliases for the details.
pub const ALIAS_SECTION: &str = "saml-aliases";

/// The profile that signs in to the IdP and assumes a role in the gateway account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// `saml_mfa_factor`: which second factor to use where the IdP offers several (Okta).
    pub mfa_factor: Option<String>,
    /// `saml_duo_device`: the phone Duo pushes to (its name or last digits); None: Duo's default.
    pub duo_device: Option<String>,
    /// `saml_auth`: forms, or Windows integrated sign-in (Kerberos, NTLM).
    pub auth: SamlAuth,
    /// `saml_okta_api`: Okta's IDX or Classic API, or decided from the app's page.
    pub okta_api: crate::idp::OktaApi,
    /// `saml_auth_hosts`: hosts besides the `saml_url`'s whose integrated sign-in is answered,
    /// checked and written as host names.
    pub auth_hosts: Vec<String>,
    /// `saml_mfa_command`: a command whose output is the one-time code.
    pub mfa_command: Option<String>,
    /// `saml_keychain = true`: keep and look up the password in the OS keychain.
    pub keychain: bool,
    /// `duration_seconds`
    pub duration_seconds: Option<i32>,
    pub region: Option<String>,
    /// `saml_ca_bundle`: PEM file of extra trusted roots, `~` expanded.
    pub ca_bundle: Option<PathBuf>,
    /// The profile's `credential_process` runs samlbridge: never write static keys for it.
    pub uses_credential_process: bool,
    /// `saml_browser = true`: sign in through a real browser.
    pub browser: bool,
    /// `saml_browser_headless = true`: the browser without a window.
    pub browser_headless: bool,
    /// `saml_entra_stay_signed_in = false`: answer No to Entra's "Stay signed in?".
    pub decline_stay_signed_in: bool,
    /// `saml_browser_path`: the browser to run, `~` expanded.
    pub browser_path: Option<PathBuf>,
}

/// How a gateway signs in to its IdP (`saml_auth`, `--auth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SamlAuth {
    /// The IdP's pages and forms.
    #[default]
    Form,
    /// Windows integrated sign-in with the Kerberos ticket at hand.
    Kerberos,
    /// Windows integrated sign-in with NTLM, from the username and password.
    Ntlm,
}

impl SamlAuth {
    pub const NAMES: &'static [&'static str] = &["form", "kerberos", "ntlm"];

    pub fn parse(text: &str) -> Option<SamlAuth> {
        match text.trim().to_ascii_lowercase().as_str() {
            "form" => Some(SamlAuth::Form),
            "kerberos" => Some(SamlAuth::Kerberos),
            "ntlm" => Some(SamlAuth::Ntlm),
            _ => None,
        }
    }
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
    /// Its own `region`, else the gateway's.
    pub region: Option<String>,
    /// The profile's `credential_process` runs samlbridge: never write static keys for it.
    pub uses_credential_process: bool,
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

/// Everything a command will do, decided before it starts (by `resolve`: flags, environment and
/// config together). `ConfigFile::plan` alone gives the route (gateway, chain, sinks) with the
/// other settings at their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The gateway's IdP and STS settings, flags applied. Its `keychain`, `mfa_command` and
    /// `browser*` fields are the config's alone: `answers` and `browser` hold the decisions.
    pub gateway: GatewayProfile,
    /// Ordered so that every hop's source comes before it.
    pub chain: Vec<ChainHop>,
    /// The profile asked for: the gateway or one of the hops.
    pub target: String,
    /// Which profiles go to the credentials file, which are served by credential_process.
    pub sinks: Sinks,
    /// Where the password and the one-time code come from.
    pub answers: AnswerSources,
    /// Sign in through a browser, and how; None: the form engine.
    pub browser: Option<BrowserPlan>,
    /// A cached session with less than this left is renewed.
    pub refresh_window: std::time::Duration,
    pub aliases: AliasPlan,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Read { file: PathBuf, message: String },
    #[error(
        "{file}: profile {profile} not found; add a [profile {profile}] section (saml_url for a gateway, saml_source and saml_role for a chained profile), or pass --url"
    )]
    NoSuchProfile { file: PathBuf, profile: String },
    #[error(
        "profile name {name} cannot be a section name of the AWS files: {why}; choose another name (--profile, AWS_PROFILE, or the section in {file})"
    )]
    BadProfileName {
        file: PathBuf,
        /// The name, quoted and escaped for showing.
        name: String,
        why: &'static str,
    },
    /// A flag's value that cannot be used (checked before anything else is done).
    #[error("{flag}: {why}")]
    BadFlag { flag: &'static str, why: String },
    #[error("{file}: profile {profile} has no saml_url (nor saml_source); add one, or pass --url")]
    NotSaml { file: PathBuf, profile: String },
    #[error("{file}: profile {profile}: {key} = '{}' is not valid: {why}", crate::shown::outside(.value))]
    BadValue {
        file: PathBuf,
        profile: String,
        key: String,
        value: String,
        why: String,
    },
    #[error("{file}: [saml-aliases] {account} = '{}' is not valid: {why}; fix that line", crate::shown::outside(.alias))]
    BadAlias {
        file: PathBuf,
        account: String,
        alias: String,
        why: String,
    },
    #[error(
        "{file}: no saml_role in profile(s) {profiles}: one sign-in for several profiles assumes each gateway's own role; add saml_role to each, or log in to them one at a time"
    )]
    NoRoleForMany { file: PathBuf, profiles: String },
    #[error("{file}: profiles form a loop: {cycle}; fix their saml_source keys")]
    Loop { file: PathBuf, cycle: String },
    #[error(
        "{file}: profile {profile} has saml_source = {source_profile}, which is not a profile in this file; fix saml_source or add [profile {source_profile}]"
    )]
    MissingSource {
        file: PathBuf,
        profile: String,
        source_profile: String,
    },
    #[error(
        "{file}: profile {profile} is not chained from {gateway} (its chain leads to {actual}); leave it out of --chain, or log in with --profile {actual}"
    )]
    NotInChain {
        file: PathBuf,
        profile: String,
        gateway: String,
        actual: String,
    },
}

impl ConfigFile {
    /// Reads `path`; a missing file is an empty config (every profile is then "not found").
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let read_error = |message: String| ConfigError::Read {
            file: path.to_path_buf(),
            message,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| read_error("is not UTF-8 text; save it as UTF-8".into()))?;
                ConfigFile::parse(path, &text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile {
                path: path.to_path_buf(),
                ..ConfigFile::default()
            }),
            Err(e) => Err(read_error(format!(
                "cannot read it: {e}; check its permissions, or set AWS_CONFIG_FILE"
            ))),
        }
    }

    /// Reads the config file `paths` names, with `~` meaning `paths.home`.
    pub fn load_from(paths: &AwsPaths) -> Result<ConfigFile, ConfigError> {
        Ok(ConfigFile::load(&paths.config_file)?.with_home(&paths.home))
    }

    pub fn with_home(mut self, home: &Path) -> ConfigFile {
        self.home = Some(home.to_path_buf());
        self
    }

    /// Parses the text of a config file as the AWS tools read it: `[default]` and `[profile NAME]`
    /// sections (`[profile default]` wins over `[default]`; other sections such as `[sso-session x]`
    /// or `[services x]` are skipped), `key = value` (last one wins), full-line and inline comments,
    /// and indented continuation lines (nested `s3 =` settings) folded into the key above them.
    /// A line the AWS CLI would reject is an error naming its number (never its text: it could hold a
    /// secret).
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        let mut reader = SectionReader::default();
        for (index, line) in scan(text).iter().enumerate() {
            reader
                .line(line.kind, line.indent, line.raw)
                .map_err(|why| ConfigError::Read {
                    file: path.to_path_buf(),
                    message: format!("line {}: {why}; fix that line", index + 1),
                })?;
        }
        let (profiles, alias_lines) = reader.finish();
        Ok(ConfigFile {
            path: path.to_path_buf(),
            profiles,
            home: None,
            alias_lines,
        })
    }
}

/// Where the lines being read go.
#[derive(Debug, Default)]
struct SectionReader {
    profiles: BTreeMap<String, ProfileSection>,
    /// `[default]`, used only if there is no `[profile default]`.
    bare_default: Option<ProfileSection>,
    /// Inside a section at all (keys before the first header are an error).
    in_section: bool,
    /// The profile the current section feeds: None for a skipped section.
    target: Option<(String, bool)>,
    /// Inside `[saml-aliases]` (then `target` is None).
    in_aliases: bool,
    alias_lines: BTreeMap<String, String>,
    /// The last key and its indent, for continuation lines.
    last_key: Option<(String, usize)>,
}

impl SectionReader {
    fn line(&mut self, kind: LineKind<'_>, indent: usize, raw: &str) -> Result<(), String> {
        if matches!(kind, LineKind::Blank | LineKind::Comment) {
            return Ok(());
        }
        if let Some((key, key_indent)) = &self.last_key
            && indent > *key_indent
        {
            let key = key.clone();
            if let Some(value) = self.current_keys().and_then(|keys| keys.get_mut(&key)) {
                value.push('\n');
                value.push_str(raw.trim());
            }
            return Ok(());
        }
        match kind {
            LineKind::Section(name) => {
                self.in_section = true;
                self.last_key = None;
                self.in_aliases = name.trim() == ALIAS_SECTION;
                self.target = if self.in_aliases {
                    None
                } else {
                    profile_of_section(name)
                };
                if let Some((name, _)) = &self.target {
                    self.section_mut(name.clone());
                }
                Ok(())
            }
            LineKind::Property { key, value, .. } if self.in_section => {
                if let Some(keys) = self.current_keys() {
                    keys.insert(key.to_string(), value.to_string());
                }
                self.last_key = Some((key.to_string(), indent));
                Ok(())
            }
            LineKind::Property { .. } => {
                Err("a key before any [section]; put it under [default] or [profile NAME]".into())
            }
            _ => Err(
                "neither [section], key = value, nor a comment (the AWS CLI rejects it too)".into(),
            ),
        }
    }

    fn section_mut(&mut self, name: String) -> &mut ProfileSection {
        let bare = self.target.as_ref().is_some_and(|(_, prefixed)| !prefixed);
        let entry = if bare && name == "default" {
            self.bare_default
                .get_or_insert_with(ProfileSection::default)
        } else {
            self.profiles.entry(name.clone()).or_default()
        };
        entry.name = name;
        entry
    }

    fn current_keys(&mut self) -> Option<&mut BTreeMap<String, String>> {
        if self.in_aliases {
            return Some(&mut self.alias_lines);
        }
        let (name, _) = self.target.clone()?;
        Some(&mut self.section_mut(name).keys)
    }

    /// The profiles, and the `[saml-aliases]` lines.
    fn finish(mut self) -> (BTreeMap<String, ProfileSection>, BTreeMap<String, String>) {
        if let Some(default) = self.bare_default.take() {
            self.profiles.entry("default".into()).or_insert(default);
        }
        (self.profiles, self.alias_lines)
    }
}

/// Whether the section `[header]` of ~/.aws/config holds `profile` (`[profile NAME]`, any spacing,
/// or `[default]`), as this reader and the AWS tools read it.
pub fn section_holds_profile(header: &str, profile: &str) -> bool {
    profile_of_section(header).is_some_and(|(name, _)| name == profile)
}

/// The profile a section header names, and whether it had the `profile ` prefix.
fn profile_of_section(header: &str) -> Option<(String, bool)> {
    if header == "default" {
        return Some((header.to_string(), false));
    }
    let rest = header.strip_prefix("profile")?;
    let name = rest.trim();
    let separated = rest.starts_with(char::is_whitespace);
    if !separated || name.is_empty() || name.contains(char::is_whitespace) {
        tracing::debug!("config: skipping section [{header}]");
        return None;
    }
    Some((name.to_string(), true))
}

#[cfg(test)]
mod tests;
