//! One profile's keys turned into a `GatewayProfile` or a `ChainHop`, each value checked so that a typo
//! is reported now, naming the file, profile and key, rather than by the IdP or STS later.

use super::{
    ChainHop, ConfigError, ConfigFile, GatewayProfile, SamlAuth, check_duration, check_role_choice,
};
use crate::saml::{IamResource, check_iam_arn};
use std::path::{Path, PathBuf};

/// Every `saml_` key samlbridge reads from a profile (the one list: `lint` checks a profile's keys
/// against it, and a test checks that every `saml_` key read in this module is in it).
pub const SAML_KEYS: &[&str] = &[
    "saml_url",
    "saml_username",
    "saml_role",
    "saml_provider",
    "saml_mfa_factor",
    "saml_okta_api",
    "saml_duo_device",
    "saml_auth",
    "saml_auth_hosts",
    "saml_mfa_command",
    "saml_keychain",
    "saml_ca_bundle",
    "saml_browser",
    "saml_browser_headless",
    "saml_browser_path",
    "saml_source",
    "saml_external_id",
    "saml_fetch_aliases",
    "saml_refresh_window",
    "saml_entra_stay_signed_in",
];

impl ConfigFile {
    /// A key's value, trimmed; an empty value counts as absent.
    pub(super) fn value(&self, profile: &str, key: &str) -> Option<&str> {
        let value = self.profiles.get(profile)?.keys.get(key)?.trim();
        (!value.is_empty()).then_some(value)
    }

    pub(super) fn bad_value(
        &self,
        profile: &str,
        key: &str,
        value: &str,
        why: &str,
    ) -> ConfigError {
        ConfigError::BadValue {
            file: self.path.clone(),
            profile: profile.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            why: why.to_string(),
        }
    }

    pub(super) fn gateway_profile(&self, name: &str) -> Result<GatewayProfile, ConfigError> {
        let url = self.value(name, "saml_url").unwrap_or_default();
        check_url(url).map_err(|why| self.bad_value(name, "saml_url", url, why))?;
        let role = self.value(name, "saml_role");
        if let Some(role) = role {
            check_role_choice(role).map_err(|why| self.bad_value(name, "saml_role", role, &why))?;
        }
        let ca_bundle = self
            .value(name, "saml_ca_bundle")
            .map(|p| self.file_path(p));
        Ok(GatewayProfile {
            profile: name.to_string(),
            url: url.to_string(),
            username: self.value(name, "saml_username").map(str::to_string),
            role: role.map(str::to_string),
            provider: self.value(name, "saml_provider").map(str::to_string),
            mfa_factor: self.value(name, "saml_mfa_factor").map(str::to_string),
            duo_device: self.value(name, "saml_duo_device").map(str::to_string),
            auth: self.sign_in_auth(name)?,
            okta_api: self.okta_api(name)?,
            auth_hosts: self.auth_hosts(name)?,
            mfa_command: self.value(name, "saml_mfa_command").map(str::to_string),
            keychain: self.flag(name, "saml_keychain")?,
            duration_seconds: self.duration(name)?,
            region: self.value(name, "region").map(str::to_string),
            ca_bundle,
            uses_credential_process: self.uses_credential_process(name),
            browser: self.flag(name, "saml_browser")?,
            browser_headless: self.flag(name, "saml_browser_headless")?,
            // Absent: stay signed in (Entra's "Stay signed in?" answered Yes).
            decline_stay_signed_in: self.value(name, "saml_entra_stay_signed_in").is_some()
                && !self.flag(name, "saml_entra_stay_signed_in")?,
            browser_path: self
                .value(name, "saml_browser_path")
                .map(|p| self.program_path(p)),
        })
    }

    /// A path value (`saml_ca_bundle`): `~` expanded, and a relative path taken from the config
    /// file's directory, not the caller's: a `credential_process` run inside a cloned repository
    /// must not read a CA bundle the repository supplies (issue 18 §5).
    fn file_path(&self, value: &str) -> PathBuf {
        let path = expand_home(value, self.home.as_deref());
        if path.is_absolute() {
            return path;
        }
        match self.path.parent() {
            Some(dir) => dir.join(path),
            None => path,
        }
    }

    /// A program value (`saml_browser_path`): a bare name is looked up in PATH when it is run;
    /// anything else is a path, as `file_path` takes it.
    fn program_path(&self, value: &str) -> PathBuf {
        if Path::new(value).components().count() == 1 && !value.starts_with('~') {
            return PathBuf::from(value);
        }
        self.file_path(value)
    }

    /// `saml_auth`: form (absent), kerberos or ntlm.
    fn sign_in_auth(&self, name: &str) -> Result<SamlAuth, ConfigError> {
        let Some(text) = self.value(name, "saml_auth") else {
            return Ok(SamlAuth::Form);
        };
        SamlAuth::parse(text).ok_or_else(|| {
            self.bad_value(
                name,
                "saml_auth",
                text,
                &format!("write one of {}", SamlAuth::NAMES.join(", ")),
            )
        })
    }

    /// `saml_okta_api`: idx, classic, or auto (the app's page decides).
    fn okta_api(&self, name: &str) -> Result<crate::idp::OktaApi, ConfigError> {
        let Some(text) = self.value(name, "saml_okta_api") else {
            return Ok(crate::idp::OktaApi::Auto);
        };
        crate::idp::OktaApi::parse(text).ok_or_else(|| {
            self.bad_value(
                name,
                "saml_okta_api",
                text,
                &format!("write one of {}", crate::idp::OktaApi::NAMES.join(", ")),
            )
        })
    }

    /// `saml_auth_hosts`: hosts besides the `saml_url`'s that integrated sign-in may answer.
    fn auth_hosts(&self, name: &str) -> Result<Vec<String>, ConfigError> {
        let Some(text) = self.value(name, "saml_auth_hosts") else {
            return Ok(Vec::new());
        };
        crate::idp::parse_auth_hosts(text).map_err(|why| {
            self.bad_value(
                name,
                "saml_auth_hosts",
                text,
                &format!(
                    "{why}; list the IdP's host names, e.g. adfs.corp.example, sts.corp.example"
                ),
            )
        })
    }

    /// A boolean key: true/false, yes/no, on/off, 1/0; absent is false.
    fn flag(&self, name: &str, key: &str) -> Result<bool, ConfigError> {
        match self
            .value(name, key)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false" | "no" | "off" | "0") => Ok(false),
            Some("true" | "yes" | "on" | "1") => Ok(true),
            Some(other) => Err(self.bad_value(name, key, other, "write true or false")),
        }
    }

    pub(super) fn chain_hop(
        &self,
        name: &str,
        source: &str,
        gateway_region: Option<&str>,
    ) -> Result<ChainHop, ConfigError> {
        let role = self.value(name, "saml_role").unwrap_or_default();
        if let Err(why) = check_iam_arn(role, IamResource::Role) {
            return Err(self.bad_value(
                name,
                "saml_role",
                role,
                &format!("{why}; a chained profile needs the full role ARN, e.g. arn:aws:iam::123456789012:role/Admins"),
            ));
        }
        let external_id = self.value(name, "saml_external_id");
        if let Some(id) = external_id.filter(|id| !is_external_id(id)) {
            return Err(self.bad_value(
                name,
                "saml_external_id",
                id,
                "AWS accepts 2 to 1224 characters of letters, digits and +=,.@:/-; copy it from the role's trust policy",
            ));
        }
        Ok(ChainHop {
            profile: name.to_string(),
            source: source.to_string(),
            role_arn: role.to_string(),
            external_id: external_id.map(str::to_string),
            duration_seconds: self.duration(name)?,
            region: self
                .value(name, "region")
                .or(gateway_region)
                .map(str::to_string),
            uses_credential_process: self.uses_credential_process(name),
        })
    }

    fn duration(&self, name: &str) -> Result<Option<i32>, ConfigError> {
        let Some(text) = self.value(name, "duration_seconds") else {
            return Ok(None);
        };
        let seconds = text.parse::<i32>().map_err(|_| {
            self.bad_value(
                name,
                "duration_seconds",
                text,
                "use a whole number of seconds from 900 to 43200",
            )
        })?;
        check_duration(seconds)
            .map(|()| Some(seconds))
            .map_err(|why| self.bad_value(name, "duration_seconds", text, &why))
    }

    /// `saml_fetch_aliases = true`: read the account aliases from the AWS sign-in page after the
    /// IdP sign-in (see crate::role::aliases). Absent means false.
    pub fn fetch_aliases(&self, profile: &str) -> Result<bool, ConfigError> {
        match self.value(profile, "saml_fetch_aliases") {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.bad_value(profile, "saml_fetch_aliases", v, "use true or false")),
        }
    }

    fn uses_credential_process(&self, name: &str) -> bool {
        self.value(name, "credential_process")
            .is_some_and(runs_samlbridge)
    }
}

fn check_url(url: &str) -> Result<(), &'static str> {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "https" | "http") && parsed.host().is_some() => {
            Ok(())
        }
        Ok(_) => Err("the IdP sign-in URL must be an https:// URL; copy it from the browser"),
        Err(_) => Err("not a URL; copy the IdP's sign-in URL from the browser"),
    }
}

fn is_external_id(id: &str) -> bool {
    (2..=1224).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
}

/// `~` and `~/…` stand for the home directory, as in the AWS CLI's own path settings.
fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    let rest = match path.strip_prefix('~') {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => rest.trim_start_matches('/'),
        _ => return PathBuf::from(path),
    };
    match home.map(Path::to_path_buf).or_else(std::env::home_dir) {
        Some(home) if rest.is_empty() => home,
        Some(home) => home.join(rest),
        None => PathBuf::from(path),
    }
}

/// Whether a `credential_process` command runs samlbridge (its program, quoted or not, by file name).
fn runs_samlbridge(command: &str) -> bool {
    let command = command.trim_start();
    let program = match command.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or_default(),
        None => command.split_whitespace().next().unwrap_or_default(),
    };
    // By hand rather than Path: a Windows path uses `\\`, which Path splits only on Windows.
    let base = program.rsplit(['/', '\\']).next().unwrap_or_default();
    base == "samlbridge" || base.eq_ignore_ascii_case("samlbridge.exe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_expansion() {
        let home = Some(Path::new("/home/alice"));
        assert_eq!(
            expand_home("~/ca.pem", home),
            PathBuf::from("/home/alice/ca.pem")
        );
        assert_eq!(expand_home("~", home), PathBuf::from("/home/alice"));
        assert_eq!(
            expand_home("/etc/ca.pem", home),
            PathBuf::from("/etc/ca.pem")
        );
        assert_eq!(
            expand_home("~bob/ca.pem", home),
            PathBuf::from("~bob/ca.pem")
        );
        assert_eq!(expand_home("rel/ca.pem", home), PathBuf::from("rel/ca.pem"));
    }

    #[test]
    fn relative_paths_are_taken_from_the_config_files_directory() {
        let file = ConfigFile {
            path: PathBuf::from("/home/alice/.aws/config"),
            home: Some(PathBuf::from("/home/alice")),
            ..ConfigFile::default()
        };
        assert_eq!(
            file.file_path("certs/ca.pem"),
            PathBuf::from("/home/alice/.aws/certs/ca.pem")
        );
        assert_eq!(
            file.file_path("./ca.pem"),
            PathBuf::from("/home/alice/.aws/./ca.pem")
        );
        assert_eq!(file.file_path("/etc/ca.pem"), PathBuf::from("/etc/ca.pem"));
        assert_eq!(
            file.file_path("~/ca.pem"),
            PathBuf::from("/home/alice/ca.pem")
        );
        // a bare program name is for PATH (which skips relative entries), a path is a file's
        assert_eq!(file.program_path("chromium"), PathBuf::from("chromium"));
        assert_eq!(
            file.program_path("./bin/chrome"),
            PathBuf::from("/home/alice/.aws/./bin/chrome")
        );
        assert_eq!(
            file.program_path("~/bin/chrome"),
            PathBuf::from("/home/alice/bin/chrome")
        );
    }

    #[test]
    fn credential_process_commands() {
        assert!(runs_samlbridge(
            "samlbridge credential-process --profile prod"
        ));
        assert!(runs_samlbridge(
            "/usr/local/bin/samlbridge credential-process"
        ));
        assert!(runs_samlbridge(r#""C:\Program Files\samlbridge.exe" x"#));
        assert!(runs_samlbridge(
            "\"/opt/my tools/samlbridge\" credential-process"
        ));
        assert!(!runs_samlbridge("aws-vault exec corp --json"));
        assert!(!runs_samlbridge("/usr/bin/samlbridge-helper"));
        assert!(!runs_samlbridge(""));
    }

    #[test]
    fn external_ids() {
        assert!(is_external_id("abc-123_x=y,z.@:/+"));
        assert!(!is_external_id("a"));
        assert!(!is_external_id("has space"));
    }
}
