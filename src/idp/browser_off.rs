//! Stands in for the browser engine (src/idp/browser/) in a samlbridge built without the `browser`
//! cargo feature: the same items, and a sign-in that needs the engine fails saying it was left out.

use super::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use crate::state::StateDir;
use std::path::PathBuf;
use std::time::Duration;

/// What a sign-in through the browser says in a build without the engine.
const LEFT_OUT: &str = "this samlbridge was built without the browser engine (cargo feature \
     `browser`); sign in with the form engine (saml_browser = false), or use a build with it";

/// No browser is launched by this build (`doctor`).
pub fn locate(_profile: &str, _configured: Option<&std::path::Path>) -> Result<PathBuf, String> {
    Err(LEFT_OUT.to_string())
}

/// How long a person has to complete the sign-in in a window (`--browser-timeout`).
pub const DEFAULT_WINDOW_TIMEOUT: Duration = Duration::from_secs(300);

/// What a browser sign-in needs beyond the form engine's request (the engine's own fields, so the
/// settings are read and checked the same way with or without it).
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    pub profile: String,
    pub path: Option<PathBuf>,
    pub headless: bool,
    pub timeout: Duration,
    pub username: Option<String>,
    pub state: StateDir,
    pub decline_stay_signed_in: bool,
}

/// Whether a window can be shown: a display on Linux and the BSDs, always elsewhere.
pub fn has_display() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}

/// Fails: this build has no browser engine.
pub async fn sign_in(
    _req: &LoginRequest,
    options: &BrowserOptions,
    _answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    Err(IdpError::Setup(format!(
        "profile {}: {LEFT_OUT}",
        options.profile
    )))
}

/// Nothing to remove: this build keeps no browser profiles.
pub fn forget(_state: &StateDir, _host: &str, _username: Option<&str>) -> Result<usize, IdpError> {
    Ok(0)
}
