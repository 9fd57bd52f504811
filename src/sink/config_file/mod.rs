//! Writing profiles into ~/.aws/config (`setup`) with the credentials file's guarantees: the same
//! editor changes only the keys written (every other byte stays), one lock across read-modify-write,
//! temp file + fsync + rename through the private-file layer, symlinks written through. The config
//! file is not secret: an existing file keeps its mode, a new one is made 0600 (as the AWS CLI does).
//!
//! What is written is read back with the config reader before the file is replaced: a value that
//! would not read back as written (a line break, an inline comment, a stray bracket) is refused and
//! nothing is written.

use crate::config::{ConfigFile, section_holds_profile};
use crate::sink::credentials_file::{FileError, LOCK_WAIT, edit, store};
use crate::state::private_file::{self, DirPolicy};
use std::path::Path;

/// The environment variable that moves the config file (named in messages).
pub const PATH_VARIABLE: &str = "AWS_CONFIG_FILE";

/// One profile to write: its name and its keys, in the order they are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileKeys {
    pub name: String,
    pub keys: Vec<(&'static str, String)>,
}

/// Sets the keys of every profile in `profiles` (creating `[profile NAME]` sections that are
/// missing; other keys of existing sections stay) in one locked read-modify-write: all or nothing.
pub fn write_profiles(path: &Path, profiles: &[ProfileKeys]) -> Result<(), FileError> {
    if profiles.is_empty() {
        return Ok(());
    }
    let target = store::resolve_target(path)?;
    private_file::ensure_dir(store::directory_of(&target), DirPolicy::Users)?;
    let _lock = store::lock_beside(&target, LOCK_WAIT)?;
    let before = store::read_existing(&target, PATH_VARIABLE)?;
    let mode = existing_mode(&target);
    let after = edited(path, &before, profiles)?;
    private_file::replace(&target, after.as_bytes())?;
    if let Some(mode) = mode {
        restore_mode(&target, mode);
    }
    tracing::info!(
        "{}: wrote profile(s) {}",
        target.display(),
        profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// `text` with the profiles set, checked by reading it back.
pub(crate) fn edited(
    path: &Path,
    text: &str,
    profiles: &[ProfileKeys],
) -> Result<String, FileError> {
    let mut text = text.to_string();
    for profile in profiles {
        let pairs: Vec<(&str, &str)> = profile.keys.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let is_it = |header: &str| section_holds_profile(header, &profile.name);
        text = edit::upsert_matching(&text, &is_it, &header_of(&profile.name), &pairs);
    }
    reads_back(path, &text, profiles)?;
    Ok(text)
}

/// The header a new section gets: `[default]`, else `[profile NAME]`.
fn header_of(profile: &str) -> String {
    if profile == "default" {
        profile.to_string()
    } else {
        format!("profile {profile}")
    }
}

/// Every key of every profile reads back from `text` exactly as it was given.
fn reads_back(path: &Path, text: &str, profiles: &[ProfileKeys]) -> Result<(), FileError> {
    let refuse = |reason: String| FileError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let parsed = ConfigFile::parse(path, text).map_err(|e| {
        refuse(format!(
            "the file would not read back after the change ({e}); fix it first"
        ))
    })?;
    for profile in profiles {
        let section = parsed.profiles.get(&profile.name);
        for (key, value) in &profile.keys {
            let read = section.and_then(|s| s.keys.get(*key));
            if read.map(String::as_str) != Some(value.as_str()) || value.is_empty() {
                return Err(refuse(format!(
                    "profile {}: {key} = '{}' cannot be written as one plain value (empty, a line break, surrounding spaces or ' #'/' ;' that start a comment); give another value",
                    profile.name,
                    crate::shown::outside(value)
                )));
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn existing_mode(target: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(target)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_target: &Path) -> Option<u32> {
    None
}

/// The replaced file gets back the mode the user gave it (the private-file layer makes it 0600);
/// failing that, the file stays 0600, which only hides it from others: a warning, not an error.
#[cfg(unix)]
fn restore_mode(target: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if mode == 0o600 {
        return;
    }
    if let Err(e) = std::fs::set_permissions(target, std::fs::Permissions::from_mode(mode)) {
        tracing::warn!(
            "{}: written, but its mode {mode:o} could not be restored (it is 0600 now): {e}",
            target.display()
        );
    }
}

#[cfg(not(unix))]
fn restore_mode(_target: &Path, _mode: u32) {}

#[cfg(test)]
mod tests;
