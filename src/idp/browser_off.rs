//! Stands in for the browser engine (src/idp/browser/) in a samlbridge built without the `browser`
//! cargo feature: the same items, and a sign-in that needs the engine fails saying it was left out.

use super::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use crate::state::StateDir;
use std::path::PathBuf;

/// What a sign-in through the browser says in a build without the engine.
const LEFT_OUT: &str = "this samlbridge was built without the browser engine (cargo feature \
     `browser`); sign in with the form engine (saml_browser = false), or use a build with it";

/// No browser is launched by this build (`doctor`).
pub fn locate(_profile: &str, _configured: Option<&std::path::Path>) -> Result<PathBuf, String> {
    Err(LEFT_OUT.to_string())
}

pub use super::browser_options::{BrowserOptions, DEFAULT_WINDOW_TIMEOUT, has_display};

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
