//! Provider files: one TOML file per IdP saying how to recognise its pages, which fields to fill,
//! where its error text is and how its MFA step looks. Adding an IdP is a new file, not new code.
//!
//! The built-in files in `providers/` are embedded in the binary; a user's directory of `*.toml` files
//! is read next, and a user file with a built-in's name replaces it. Every CSS selector is checked when
//! the file is read, so a typo is reported with its file and line before any request is made.
//!
//! Field names are compared without case. Where a list is empty, the engine's own rule applies (said
//! on each field below).

use super::IdpError;
use scraper::Selector;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in providers, by name (the file name without `.toml`).
const BUILT_IN: [(&str, &str); 3] = [
    ("adfs", include_str!("../../providers/adfs.toml")),
    ("generic", include_str!("../../providers/generic.toml")),
    (
        "simplesamlphp",
        include_str!("../../providers/simplesamlphp.toml"),
    ),
];

/// The provider used for pages no other provider recognises.
pub const FALLBACK: &str = "generic";

/// Names of the built-in providers.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(name, _)| *name).collect()
}

/// A CSS selector, checked when the file is read.
#[derive(Debug, Clone)]
pub struct Css(Selector);

impl TryFrom<String> for Css {
    type Error = String;
    fn try_from(css: String) -> Result<Self, String> {
        Selector::parse(&css)
            .map(Css)
            .map_err(|e| format!("'{css}' is not a CSS selector the engine understands ({e})"))
    }
}

impl<'de> Deserialize<'de> for Css {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let css = String::deserialize(d)?;
        Css::try_from(css).map_err(serde::de::Error::custom)
    }
}

impl Css {
    pub fn selector(&self) -> &Selector {
        &self.0
    }
}

/// One IdP, as a provider file describes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// The file name without `.toml`; not written in the file.
    #[serde(skip)]
    pub name: String,
    /// One line for people: which product and versions the file is for.
    #[serde(default)]
    pub description: String,
    /// How its pages are recognised when no provider is named.
    #[serde(default)]
    pub detect: Detect,
    /// The sign-in form (username and password, or a page of one of them).
    #[serde(default)]
    pub login: LoginStep,
    /// The one-time-code page.
    #[serde(default)]
    pub mfa: MfaStep,
    /// A page that waits for the user to approve on another device (push), if the IdP has one.
    #[serde(default)]
    pub push: Option<PushStep>,
    /// Where the IdP writes why it said no.
    #[serde(default)]
    pub errors: ErrorText,
    /// Forms never to post, whatever they contain (AD FS's hidden `options` form).
    #[serde(default)]
    pub ignore_forms: Vec<Css>,
}

/// A page belongs to the provider when its URL path contains one of `url_paths` (without case), or
/// one of `selectors` matches an element of the page. A provider with neither is used only by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    #[serde(default)]
    pub url_paths: Vec<String>,
    #[serde(default)]
    pub selectors: Vec<Css>,
}

/// The sign-in form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginStep {
    /// The form. Without it: a form holding a visible password field, or a form whose only typed
    /// field is named in `username` (the first page of a paginated sign-in).
    pub form: Option<Css>,
    /// Names of the username field. Without a match: the first visible text field before the password.
    #[serde(default)]
    pub username: Vec<String>,
    /// Names of the password field. Without a match: the form's first visible password field.
    #[serde(default)]
    pub password: Vec<String>,
    /// The name of the submit button to press. Without it: the first submit button, as Enter does.
    pub click: Option<String>,
    /// Fields to set (added when missing) on every post of this form: what the IdP's script would set
    /// (AD FS: `AuthMethod = "FormsAuthentication"`; PingFederate: `"pf.ok" = "clicked"`).
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// The one-time-code page: a form with a visible field named in `fields`, or whose `autocomplete` is
/// in `autocomplete`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaStep {
    /// Restricts the search to this form.
    pub form: Option<Css>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// `autocomplete` values that mark a code field (`one-time-code`).
    #[serde(default)]
    pub autocomplete: Vec<String>,
    /// What to call the code when the page has no label for it.
    pub label: Option<String>,
    /// As in `[login]`.
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// A page that waits for an approval elsewhere (AD FS with Azure MFA push: a form with
/// `AuthMethod=AzureMfaAuthentication` and no code field). The engine shows `message` (and the number
/// to match), then re-posts the form every `interval_seconds` until the IdP answers with another page,
/// for at most `timeout_seconds`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushStep {
    /// The page is a push page when one of these matches.
    pub selectors: Vec<Css>,
    /// The form to re-post. Without it: the form holding the first match of `selectors`, else the
    /// page's first form that is not ignored.
    pub form: Option<Css>,
    /// An element whose text is the number the user must pick on their phone.
    pub number: Option<Css>,
    #[serde(default = "PushStep::default_message")]
    pub message: String,
    #[serde(default = "PushStep::default_interval")]
    pub interval_seconds: u64,
    #[serde(default = "PushStep::default_timeout")]
    pub timeout_seconds: u64,
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

impl PushStep {
    fn default_message() -> String {
        "approve the sign-in request on your phone".into()
    }
    fn default_interval() -> u64 {
        3
    }
    fn default_timeout() -> u64 {
        120
    }
}

/// Where the IdP says why it refused, read only after credentials or a code were sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorText {
    /// Elements whose visible text, when not empty, is the IdP's answer.
    #[serde(default)]
    pub selectors: Vec<Css>,
    /// Elements that carry a code instead of words, which script turns into text in a browser.
    #[serde(default)]
    pub codes: Vec<ErrorCodes>,
}

/// An error told by a code in an attribute (LemonLDAP::NG: `<span trmsg="5">`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    pub selector: Css,
    pub attribute: String,
    /// Code → the words to show. A code not listed is shown as "error code N".
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    /// Codes that are not refusals (information messages); ignored.
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// All the providers one login can use.
#[derive(Debug, Clone)]
pub struct Providers {
    list: Vec<Provider>,
}

impl Providers {
    /// The built-in files, then the `*.toml` files of `user_dir` (a same-named user file replaces a
    /// built-in). A missing `user_dir` is not an error: most users have none.
    pub fn load(user_dir: Option<&Path>) -> Result<Providers, IdpError> {
        let mut list = Vec::new();
        for (name, text) in BUILT_IN {
            let file = PathBuf::from(format!("providers/{name}.toml"));
            list.push(parse(name, text, &file)?);
        }
        if let Some(dir) = user_dir {
            for (name, path) in user_files(dir)? {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    IdpError::Setup(format!("{}: cannot read: {e}", path.display()))
                })?;
                let provider = parse(&name, &text, &path)?;
                list.retain(|p: &Provider| p.name != name);
                list.push(provider);
            }
        }
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Providers { list })
    }

    /// (name, description) of each provider.
    pub fn describe(&self) -> Vec<(String, String)> {
        self.list
            .iter()
            .map(|p| (p.name.clone(), p.description.clone()))
            .collect()
    }

    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|p| p.name.as_str()).collect()
    }

    /// The provider called `name`, or a Setup error listing the ones there are.
    pub fn named(&self, name: &str) -> Result<&Provider, IdpError> {
        self.list.iter().find(|p| p.name == name).ok_or_else(|| {
            IdpError::Setup(format!(
                "unknown provider '{name}'; set saml_provider or --provider to one of: {}",
                self.names().join(", ")
            ))
        })
    }

    /// The providers that recognise a page, in the order to try them: every provider with detection
    /// rules (by name), the fallback last.
    pub fn detection_order(&self) -> impl Iterator<Item = &Provider> {
        let specific = self
            .list
            .iter()
            .filter(|p| p.name != FALLBACK && p.detect.is_set());
        specific.chain(self.list.iter().filter(|p| p.name == FALLBACK))
    }

    pub fn fallback(&self) -> Result<&Provider, IdpError> {
        self.named(FALLBACK)
    }
}

impl Detect {
    pub fn is_set(&self) -> bool {
        !self.url_paths.is_empty() || !self.selectors.is_empty()
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
