//! What a headless sign-in watches besides the page: the browser process, the time, and who to
//! name when a person must take over.

use super::process::BrowserProcess;
use crate::idp::IdpError;
use std::time::Duration;

/// What the driver watches besides the page.
pub struct Watch<'b> {
    pub browser: &'b mut BrowserProcess,
    pub host: String,
    pub profile: String,
    pub timeout: Duration,
    pub username: Option<String>,
}

impl Watch<'_> {
    /// The error for a step only a person can take, naming the command that opens a window.
    pub fn person(&self, what: &str) -> IdpError {
        IdpError::Browser {
            host: self.host.clone(),
            message: format!(
                "{}; a person must sign in: run `samlbridge login --browser --profile {}` to \
                 complete it in a browser window",
                crate::shown::outside(what),
                self.profile
            ),
            person: true,
        }
    }

    pub fn gone(&mut self) -> Option<IdpError> {
        self.browser.has_exited().then(|| IdpError::Browser {
            host: self.host.clone(),
            message: format!(
                "the browser closed before the sign-in finished; run `samlbridge login --browser \
                 --profile {}` again",
                self.profile
            ),
            person: true,
        })
    }
}
