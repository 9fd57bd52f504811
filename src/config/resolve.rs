//! Flags + environment + ~/.aws/config → one complete `Plan`, before anything runs: the one place
//! that decides which value wins. A flag wins over the profile's key, the profile's key over its
//! gateway's (for the keys a chained profile may set) and over the environment, and the default
//! comes last. [aws-config repr.rs → exec.rs; ripgrep lowargs → hiargs; aws-vault ConfigLoader]

use super::{ChainHop, ChainSelect, ConfigError, ConfigFile, GatewayProfile, Plan};
use crate::config::duration::parse_duration;
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Served from cache while more than this is left, unless `--refresh-window` or the config's
/// `saml_refresh_window` say otherwise (written like `300`, `5m`, `1h`).
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(300);

/// The config key that sets the refresh window per profile (else per gateway).
const REFRESH_WINDOW_KEY: &str = "saml_refresh_window";

/// What the command line asked for, as plain data: each command turns its flags into this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--profile`
    pub profile: Option<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub provider: Option<String>,
    /// `--auth`: form, kerberos or ntlm.
    pub auth: Option<super::SamlAuth>,
    /// `--role` (checked by the command: it names the flag)
    pub role: Option<String>,
    /// `--duration` (checked by the command)
    pub duration_seconds: Option<i32>,
    pub password_stdin: bool,
    pub remember_password: bool,
    pub mfa_code: Option<Secret>,
    pub mfa_command: Option<String>,
    /// `--aliases`
    pub fetch_aliases: bool,
    /// `--browser` (a window) or `--headless`; None: as the config says.
    pub browser: Option<BrowserWindow>,
    pub browser_timeout: Option<Duration>,
    /// `--refresh-window` (or `refresh --within`), parsed.
    pub refresh_window: Option<Duration>,
}

impl Overrides {
    /// The profile asked for: `--profile`, else AWS_PROFILE, else `default`.
    pub fn profile_name(&self, env: &PlanEnv) -> String {
        self.profile
            .clone()
            .or_else(|| env.aws_profile.clone())
            .unwrap_or_else(|| "default".to_string())
    }

    /// Parses a duration flag (`--refresh-window 5m`), naming the flag when it cannot.
    pub fn duration_flag(flag: &'static str, text: &str) -> Result<Duration, ConfigError> {
        parse_duration(text).map_err(|e| ConfigError::BadFlag {
            flag,
            why: e.to_string(),
        })
    }
}

/// The environment variables that take part in a plan, read by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanEnv {
    /// AWS_PROFILE
    pub aws_profile: Option<String>,
    /// SAMLBRIDGE_PASSWORD
    pub password: Option<Secret>,
    /// SAMLBRIDGE_CA_BUNDLE
    pub ca_bundle: Option<PathBuf>,
}

impl PlanEnv {
    /// Reads the variables through `var` (a closure, so tests need no real environment); an empty
    /// value counts as unset.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> PlanEnv {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        PlanEnv {
            aws_profile: var("AWS_PROFILE"),
            password: var("SAMLBRIDGE_PASSWORD").map(Secret::new),
            ca_bundle: var("SAMLBRIDGE_CA_BUNDLE").map(PathBuf::from),
        }
    }
}

/// Where the password and the one-time code may come from, in the answers' own order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerSources {
    /// `--password-stdin`
    pub password_stdin: bool,
    /// SAMLBRIDGE_PASSWORD
    pub password_env: Option<Secret>,
    /// Look the password up in the OS keychain, and keep it there after a sign-in
    /// (`--remember-password` or `saml_keychain = true`).
    pub keychain: bool,
    /// `--mfa-code`
    pub mfa_code: Option<Secret>,
    /// `--mfa-command`, else `saml_mfa_command`.
    pub mfa_command: Option<String>,
}

/// Whether a browser sign-in shows a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserWindow {
    /// `--browser`: a window (headless only where no display exists).
    Always,
    /// `--headless` or `saml_browser_headless = true`.
    Never,
    /// A window when a person is at a terminal, else headless.
    IfInteractive,
}

/// A browser sign-in: which browser, with a window or not, how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserPlan {
    /// `saml_browser_path`; None: look for one.
    pub path: Option<PathBuf>,
    pub window: BrowserWindow,
    /// `--browser-timeout`; None: the engine's default.
    pub timeout: Option<Duration>,
}

/// The account names for the role picker and `roles`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasPlan {
    /// `[saml-aliases]`, checked: account id → alias.
    pub configured: BTreeMap<String, String>,
    /// Also read those AWS's sign-in page shows (`--aliases`, `saml_fetch_aliases = true`).
    pub fetch: bool,
}

/// Where each profile's credentials go: a profile whose `credential_process` runs samlbridge is
/// served by it and gets no static keys in the credentials file (they would mask the process).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sinks {
    /// Written to the credentials file, gateway first.
    pub file: Vec<String>,
    /// Only cached, for `credential_process`.
    pub process: Vec<String>,
}

impl Sinks {
    pub(super) fn of(gateway: &GatewayProfile, chain: &[ChainHop]) -> Sinks {
        let mut sinks = Sinks::default();
        let all = std::iter::once((&gateway.profile, gateway.uses_credential_process)).chain(
            chain
                .iter()
                .map(|h| (&h.profile, h.uses_credential_process)),
        );
        for (profile, by_process) in all {
            let to = if by_process {
                &mut sinks.process
            } else {
                &mut sinks.file
            };
            to.push(profile.clone());
        }
        sinks
    }

    pub fn goes_to_file(&self, profile: &str) -> bool {
        self.file.iter().any(|p| p == profile)
    }
}

/// The route alone: the rest at its defaults, before `resolve` decides it.
impl Default for Plan {
    fn default() -> Plan {
        Plan {
            gateway: GatewayProfile::default(),
            chain: Vec::new(),
            target: String::new(),
            sinks: Sinks::default(),
            answers: AnswerSources::default(),
            browser: None,
            refresh_window: DEFAULT_REFRESH_WINDOW,
            aliases: AliasPlan::default(),
        }
    }
}

/// The plan for the profile the flags or the environment name (`--profile`, else AWS_PROFILE, else
/// `default`). With `--url`, a profile missing from the config is a gateway made from the flags.
pub fn resolve(
    file: &ConfigFile,
    env: &PlanEnv,
    flags: &Overrides,
    select: &ChainSelect,
) -> Result<Plan, ConfigError> {
    let profile = flags.profile_name(env);
    let mut plan = match (file.plan(&profile, select), &flags.url) {
        (Ok(plan), _) => plan,
        (Err(ConfigError::NoSuchProfile { .. }), Some(url)) => from_flags_alone(&profile, url),
        (Err(e), _) => return Err(e),
    };
    apply_to_gateway(&mut plan.gateway, env, flags);
    plan.answers = answer_sources(&plan.gateway, env, flags);
    plan.browser = browser_plan(&plan.gateway, flags);
    plan.refresh_window = refresh_window(file, &plan, flags)?;
    plan.aliases = AliasPlan {
        configured: file.aliases()?,
        fetch: flags.fetch_aliases || file.fetch_aliases(&plan.gateway.profile)?,
    };
    Ok(plan)
}

fn from_flags_alone(profile: &str, url: &str) -> Plan {
    let gateway = GatewayProfile {
        profile: profile.to_string(),
        url: url.to_string(),
        ..GatewayProfile::default()
    };
    Plan {
        sinks: Sinks::of(&gateway, &[]),
        target: profile.to_string(),
        gateway,
        ..Plan::default()
    }
}

/// The flags over the config's IdP and STS settings; SAMLBRIDGE_CA_BUNDLE under `saml_ca_bundle`.
fn apply_to_gateway(gateway: &mut GatewayProfile, env: &PlanEnv, flags: &Overrides) {
    if let Some(url) = &flags.url {
        gateway.url = url.clone();
    }
    if let Some(user) = &flags.username {
        gateway.username = Some(user.clone());
    }
    if let Some(provider) = &flags.provider {
        gateway.provider = Some(provider.clone());
    }
    if let Some(auth) = flags.auth {
        gateway.auth = auth;
    }
    if let Some(role) = &flags.role {
        gateway.role = Some(role.clone());
    }
    if let Some(seconds) = flags.duration_seconds {
        gateway.duration_seconds = Some(seconds);
    }
    if gateway.ca_bundle.is_none() {
        gateway.ca_bundle = env.ca_bundle.clone();
    }
}

fn answer_sources(gateway: &GatewayProfile, env: &PlanEnv, flags: &Overrides) -> AnswerSources {
    AnswerSources {
        password_stdin: flags.password_stdin,
        password_env: env.password.clone(),
        keychain: flags.remember_password || gateway.keychain,
        mfa_code: flags.mfa_code.clone(),
        mfa_command: flags
            .mfa_command
            .clone()
            .or_else(|| gateway.mfa_command.clone()),
    }
}

/// A browser when `--browser`, `--headless` or `saml_browser = true` asks for one, or the provider
/// is one only a browser can drive (`saml_provider = entra`).
fn browser_plan(gateway: &GatewayProfile, flags: &Overrides) -> Option<BrowserPlan> {
    let window = match flags.browser {
        Some(window) => window,
        None if !gateway.browser && !browser_provider(gateway.provider.as_deref()) => return None,
        None if gateway.browser_headless => BrowserWindow::Never,
        None => BrowserWindow::IfInteractive,
    };
    Some(BrowserPlan {
        path: gateway.browser_path.clone(),
        window,
        timeout: flags.browser_timeout,
    })
}

/// Whether the named provider signs in only through a browser (Entra's pages are drawn by script).
pub fn browser_provider(provider: Option<&str>) -> bool {
    provider.is_some_and(|p| p.trim().eq_ignore_ascii_case("entra"))
}

/// `--refresh-window`, else `saml_refresh_window` of the profile asked for, else of its gateway,
/// else the default.
fn refresh_window(
    file: &ConfigFile,
    plan: &Plan,
    flags: &Overrides,
) -> Result<Duration, ConfigError> {
    if let Some(window) = flags.refresh_window {
        return Ok(window);
    }
    let set_in = [plan.target.as_str(), plan.gateway.profile.as_str()]
        .into_iter()
        .find_map(|p| Some((p, file.value(p, REFRESH_WINDOW_KEY)?)));
    match set_in {
        None => Ok(DEFAULT_REFRESH_WINDOW),
        Some((profile, text)) => parse_duration(text)
            .map_err(|e| file.bad_value(profile, REFRESH_WINDOW_KEY, text, &e.to_string())),
    }
}

#[cfg(test)]
mod tests;
