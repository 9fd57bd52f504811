//! A copy of a page the headless sign-in could not answer, written at -vv so that a change of the
//! IdP's pages can be diagnosed from one run: a private file (0600 in the 0700 state directory)
//! with every field's value emptied, so that no typed password, code or SAMLResponse is in it
//! (`page::scrubbed` writes it from the parsed DOM).

use crate::idp::page::scrubbed;
use crate::state::StateDir;
use std::path::PathBuf;

const DIR: &str = "pages";

/// Writes the scrubbed page; where it went, or None when it could not be written (logged).
pub fn write(state: &StateDir, html: &str) -> Option<PathBuf> {
    let dir = state
        .ensure_subdir(DIR)
        .map_err(|e| tracing::debug!("no page dump: {e}"))
        .ok()?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let path = dir.join(format!("unknown-{stamp}.html"));
    match crate::state::private_file::replace(&path, scrubbed(html).as_bytes()) {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::debug!("no page dump: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests;
