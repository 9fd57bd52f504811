//! What a browser sign-in is given, read from the profile and flags the same way whether or not
//! this build has the browser engine (`browser`, or `browser_off` standing in for it).

use crate::state::StateDir;
use std::path::PathBuf;
use std::time::Duration;

/// How long a person has to complete the sign-in in a window (`--browser-timeout`).
pub const DEFAULT_WINDOW_TIMEOUT: Duration = Duration::from_secs(300);

/// What a browser sign-in needs beyond the form engine's request.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// The profile, for messages.
    pub profile: String,
    /// `saml_browser_path`; None: SAMLBRIDGE_BROWSER, else the usual places.
    pub path: Option<PathBuf>,
    /// No window: samlbridge drives the pages itself.
    pub headless: bool,
    /// How long a window may wait for the person; headless steps are bounded by less.
    pub timeout: Duration,
    /// The username the browser profile is kept for (saml_username); None: one profile per host.
    pub username: Option<String>,
    /// The private state directory, where the browser's profile and saved cookies live.
    pub state: StateDir,
    /// `saml_entra_stay_signed_in = false`: a "Stay signed in?" page is answered No.
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
