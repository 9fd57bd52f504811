//! The user's private state directory (cached credentials, IdP sessions): where it is, kept 0700, and
//! files in it written atomically with 0600 from the moment they exist.
//!
//! Location, first that is set: `$SAMLBRIDGE_STATE_DIR`, `$XDG_STATE_HOME/samlbridge` (absolute paths
//! only, as the XDG spec says), `$HOME/.local/state/samlbridge`, `%LOCALAPPDATA%\samlbridge`.

use crate::private_file::{self, DirPolicy, DiskError, Legacy};
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
        ensure_private_dir(&self.root)?;
        let dir = self.root.join(name);
        ensure_private_dir(&dir)?;
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

/// Creates `dir` (and missing parents) 0700; an existing `dir` readable by others is set to 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StateError> {
    Ok(private_file::ensure_dir(dir, DirPolicy::Own)?)
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new one, never a part, and
/// nobody else ever can read it (see `private_file::replace`).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    Ok(private_file::replace(path, bytes)?)
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

    #[test]
    fn write_then_read_replaces_the_whole_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("entry.json");
        assert_eq!(read_private(&path).unwrap(), None);
        write_private(&path, b"a much longer first version").unwrap();
        write_private(&path, b"second").unwrap();
        assert_eq!(read_private(&path).unwrap().unwrap(), b"second");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temp files left behind: {leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_0600_even_with_a_permissive_umask_file_before() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("entry.json");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_write_into_a_missing_directory_names_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("missing/entry.json");
        let err = write_private(&path, b"x").unwrap_err();
        assert!(err.to_string().contains("missing/entry.json"), "{err}");
    }
}
