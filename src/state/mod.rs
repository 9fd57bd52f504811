//! The user's private state directory (cached credentials, IdP sessions): where it is, kept 0700, and
//! files in it written atomically with 0600 from the moment they exist.
//!
//! Location, first that is set: `$SAMLBRIDGE_STATE_DIR`, `$XDG_STATE_HOME/samlbridge` (absolute paths
//! only, as the XDG spec says), `$HOME/.local/state/samlbridge`, `%LOCALAPPDATA%\samlbridge`.

pub mod cache;
pub(crate) mod private_file;
pub mod sessions;

use private_file::{DirPolicy, DiskError, Legacy};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The state directory. Building one does no I/O: reads stay cheap, and only writers create it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "no state directory: none of SAMLBRIDGE_STATE_DIR, XDG_STATE_HOME, HOME is set; set SAMLBRIDGE_STATE_DIR to a private directory"
    )]
    NoLocation,
    #[error("{path}: {reason}; check its owner and permissions, or set SAMLBRIDGE_STATE_DIR")]
    Io { path: PathBuf, reason: String },
}

impl From<DiskError> for StateError {
    fn from(e: DiskError) -> StateError {
        StateError::Io {
            path: e.path,
            reason: e.reason,
        }
    }
}

impl StateError {
    fn io(path: &Path, err: io::Error) -> StateError {
        StateError::Io {
            path: path.to_path_buf(),
            reason: err.to_string(),
        }
    }
}

impl StateDir {
    /// Finds the directory through `var` (a closure so tests need no real environment).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<StateDir, StateError> {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let root = if let Some(dir) = set("SAMLBRIDGE_STATE_DIR") {
            PathBuf::from(dir)
        } else if let Some(xdg) = set("XDG_STATE_HOME").filter(|v| Path::new(v).is_absolute()) {
            Path::new(&xdg).join("samlbridge")
        } else if let Some(home) = set("HOME") {
            Path::new(&home).join(".local/state/samlbridge")
        } else if let Some(local) = set("LOCALAPPDATA") {
            Path::new(&local).join("samlbridge")
        } else {
            return Err(StateError::NoLocation);
        };
        Ok(StateDir { root })
    }

    pub fn at(root: impl Into<PathBuf>) -> StateDir {
        StateDir { root: root.into() }
    }

    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A subdirectory's path (`cache`, `sessions`), without creating it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Creates the root and `name` under it, both 0700 (tightened when found looser), and sweeps
    /// `name` of temp files that killed runs left there.
    pub fn ensure_subdir(&self, name: &str) -> Result<PathBuf, StateError> {
        private_file::ensure_dir(&self.root, DirPolicy::Own)?;
        let dir = self.root.join(name);
        private_file::ensure_dir(&dir, DirPolicy::Own)?;
        self.sweep_subdir_once(name);
        Ok(dir)
    }

    /// Sweeps `name` of temp files that killed runs left there, once per run: the first use of a
    /// store (even a read) tidies it, so a crash's leftovers do not outlive the next run.
    pub fn sweep_subdir_once(&self, name: &str) {
        private_file::sweep_once(&self.root.join(name), Legacy::Yes);
    }

    /// Removes the temp files killed runs left in `name` now; returns how many (for `logout`).
    pub fn sweep_subdir(&self, name: &str) -> usize {
        private_file::sweep(&self.root.join(name), Legacy::Yes)
    }
}

/// Reads a state file; a file that is not there is `None`, not an error.
pub fn read_private(path: &Path) -> Result<Option<Vec<u8>>, StateError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io(path, e)),
    }
}

/// Removes the files in `dir` that `doomed` picks (a missing `dir` has none); returns how many.
pub fn remove_files(dir: &Path, doomed: impl Fn(&Path) -> bool) -> Result<usize, StateError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(StateError::io(dir, e)),
    };
    let mut removed = 0;
    for path in entries.flatten().map(|e| e.path()) {
        if doomed(&path) {
            std::fs::remove_file(&path).map_err(|e| StateError::io(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_explicit_variable_wins() {
        let e = env(&[
            ("SAMLBRIDGE_STATE_DIR", "/s"),
            ("XDG_STATE_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(StateDir::from_env(e).unwrap().path(), Path::new("/s"));
    }

    #[test]
    fn xdg_state_home_then_home() {
        let e = env(&[("XDG_STATE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(
            StateDir::from_env(e).unwrap().path(),
            Path::new("/x/samlbridge")
        );
        let e = env(&[("HOME", "/h"), ("SAMLBRIDGE_STATE_DIR", "")]);
        assert_eq!(
            StateDir::from_env(e).unwrap().path(),
            Path::new("/h/.local/state/samlbridge")
        );
    }

    #[test]
    fn a_relative_xdg_state_home_is_ignored_as_the_spec_says() {
        let e = env(&[("XDG_STATE_HOME", "rel/state"), ("HOME", "/h")]);
        assert_eq!(
            StateDir::from_env(e).unwrap().path(),
            Path::new("/h/.local/state/samlbridge")
        );
    }

    #[test]
    fn nothing_set_is_a_clear_error() {
        let err = StateDir::from_env(env(&[])).unwrap_err();
        assert!(err.to_string().contains("SAMLBRIDGE_STATE_DIR"), "{err}");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn directories_are_created_0700_and_loose_ones_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::at(tmp.path().join("a/samlbridge"));
        let cache = state.ensure_subdir("cache").unwrap();
        assert_eq!(mode(state.path()), 0o700);
        assert_eq!(mode(&cache), 0o700);
        fs::set_permissions(&cache, fs::Permissions::from_mode(0o755)).unwrap();
        state.ensure_subdir("cache").unwrap();
        assert_eq!(mode(&cache), 0o700);
    }
}
