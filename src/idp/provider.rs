//! Provider files: one TOML file per IdP saying how to recognise its pages, which fields to fill,
//! where its error text is and how its MFA step looks. Adding an IdP is a new file, not new code.
//!
//! The built-in files in `providers/` are embedded in the binary; a user's directory of `*.toml` files
//! is read next, and a user file with a built-in's name replaces it. Every CSS selector is checked when
//! the file is read, so a typo is reported with its file and line before any request is made.
//!
//! Field names are compared without case. Where a list is empty, the engine's own rule applies (said
//! on each field in `schema`).

mod schema;

pub use schema::*;

use super::IdpError;
use std::path::{Path, PathBuf};

/// The built-in providers, by name (the file name without `.toml`).
const BUILT_IN: [(&str, &str); 12] = [
    ("adfs", include_str!("../../providers/adfs.toml")),
    ("adfs2", include_str!("../../providers/adfs2.toml")),
    ("duo", include_str!("../../providers/duo.toml")),
    ("entra", include_str!("../../providers/entra.toml")),
    ("f5apm", include_str!("../../providers/f5apm.toml")),
    ("generic", include_str!("../../providers/generic.toml")),
    ("keycloak", include_str!("../../providers/keycloak.toml")),
    (
        "lemonldap-ng",
        include_str!("../../providers/lemonldap-ng.toml"),
    ),
    ("netiq", include_str!("../../providers/netiq.toml")),
    (
        "pingfederate",
        include_str!("../../providers/pingfederate.toml"),
    ),
    (
        "shibboleth",
        include_str!("../../providers/shibboleth.toml"),
    ),
    (
        "simplesamlphp",
        include_str!("../../providers/simplesamlphp.toml"),
    ),
];

/// The provider used for pages no other provider recognises.
pub const FALLBACK: &str = "generic";

/// Names of the built-in providers.
pub fn built_in_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names
}

/// Where a provider file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderOrigin {
    /// Embedded in the binary from `providers/`.
    BuiltIn,
    /// A file in the user's provider directory (it may replace a built-in of the same name).
    User(PathBuf),
}

/// A provider as `samlbridge providers` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderInfo {
    pub name: String,
    pub description: String,
    pub origin: ProviderOrigin,
}

/// All the providers one login can use.
#[derive(Debug, Clone)]
pub struct Providers {
    list: Vec<(Provider, ProviderOrigin)>,
}

impl Providers {
    /// The built-in files, then the `*.toml` files of `user_dir` (a same-named user file replaces a
    /// built-in). A missing `user_dir` is not an error: most users have none.
    pub fn load(user_dir: Option<&Path>) -> Result<Providers, IdpError> {
        let mut list = Vec::new();
        for (name, text) in BUILT_IN {
            let file = PathBuf::from(format!("providers/{name}.toml"));
            list.push((parse(name, text, &file)?, ProviderOrigin::BuiltIn));
        }
        if let Some(dir) = user_dir {
            for (name, path) in user_files(dir)? {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    IdpError::Setup(format!("{}: cannot read: {e}", path.display()))
                })?;
                let provider = parse(&name, &text, &path)?;
                list.retain(|(p, _): &(Provider, ProviderOrigin)| p.name != name);
                list.push((provider, ProviderOrigin::User(path)));
            }
        }
        list.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(Providers { list })
    }

    /// Every provider with its description and origin, by name.
    pub fn infos(&self) -> Vec<ProviderInfo> {
        self.list
            .iter()
            .map(|(p, origin)| ProviderInfo {
                name: p.name.clone(),
                description: p.description.clone(),
                origin: origin.clone(),
            })
            .collect()
    }

    fn providers(&self) -> impl Iterator<Item = &Provider> {
        self.list.iter().map(|(p, _)| p)
    }

    /// Every provider's name, services included (the tests' view of what is loaded).
    #[cfg(test)]
    pub fn names(&self) -> Vec<&str> {
        self.providers().map(|p| p.name.as_str()).collect()
    }

    /// The names a profile's saml_provider may usefully give: every provider but the services an
    /// IdP hands over to (Duo's prompt), whose pages are read with their file anyway.
    pub fn idp_names(&self) -> Vec<&str> {
        self.providers()
            .filter(|p| !p.service)
            .map(|p| p.name.as_str())
            .collect()
    }

    /// The provider called `name`, or a Setup error listing the ones there are.
    pub fn named(&self, name: &str) -> Result<&Provider, IdpError> {
        self.providers().find(|p| p.name == name).ok_or_else(|| {
            IdpError::Setup(format!(
                "unknown provider '{name}'; set saml_provider or --provider to one of: {}",
                self.idp_names().join(", ")
            ))
        })
    }

    /// The providers that recognise a page, in the order to try them: every provider with detection
    /// rules (by name), the fallback last.
    pub fn detection_order(&self) -> impl Iterator<Item = &Provider> {
        let specific = self
            .providers()
            .filter(|p| p.name != FALLBACK && p.detect.is_set());
        specific.chain(self.providers().filter(|p| p.name == FALLBACK))
    }

    pub fn fallback(&self) -> Result<&Provider, IdpError> {
        self.named(FALLBACK)
    }
}

impl Detect {
    pub fn is_set(&self) -> bool {
        !self.url_paths.is_empty() || !self.selectors.is_empty() || !self.scripts.is_empty()
    }
}

/// The `*.toml` files of `dir`, sorted, as (provider name, path).
fn user_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, IdpError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(IdpError::Setup(format!(
                "{}: cannot read the provider directory: {e}",
                dir.display()
            )));
        }
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads one provider file; a mistake is reported with the file and the line it is on.
pub fn parse(name: &str, text: &str, file: &Path) -> Result<Provider, IdpError> {
    let mut provider: Provider = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        IdpError::ProviderFile {
            file: file.to_path_buf(),
            line,
            message: e.message().trim().to_string(),
        }
    })?;
    provider.name = name.to_string();
    Ok(provider)
}

#[cfg(test)]
mod tests;
