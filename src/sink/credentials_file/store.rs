//! Putting the credentials file on disk: follow symlinks to the real file (the link stays a link),
//! then the private-file layer does the rest: its directory created 0700 if missing (an existing
//! ~/.aws is the user's and left as it is), an exclusive lock beside it across read-modify-write, a
//! 0600 temp file fsynced and renamed over it.

use super::FileError;
use crate::state::private_file::{self, DiskError, FileLock};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// Symlinks followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

fn write_error(path: &Path, reason: impl Into<String>) -> FileError {
    FileError::Write {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The file `path` really names: symlinks (absolute or relative, chained, or dangling) followed, so
/// the link itself stays a link and its target gets the new content.
pub(crate) fn resolve_target(path: &Path) -> Result<PathBuf, FileError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)
                    .map_err(|e| write_error(&current, format!("cannot read the symlink: {e}")))?;
                // A relative link is relative to the directory holding it; join() keeps absolute ones.
                current = current.parent().unwrap_or(Path::new("")).join(link);
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(current),
            Err(e) => {
                return Err(write_error(
                    &current,
                    format!(
                        "cannot inspect it: {e}; check the path and AWS_SHARED_CREDENTIALS_FILE"
                    ),
                ));
            }
        }
    }
    Err(write_error(
        path,
        "too many levels of symlinks; point it at a regular file",
    ))
}

pub(crate) use private_file::directory_of;

impl From<DiskError> for FileError {
    fn from(e: DiskError) -> FileError {
        write_error(&e.path, e.reason)
    }
}

/// Waits up to `wait` for `<target>.samlbridge.lock`, which serialises every read-modify-write of
/// `target`.
pub(crate) fn lock_beside(target: &Path, wait: Duration) -> Result<FileLock, FileError> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let path = directory_of(target).join(format!("{name}.samlbridge.lock"));
    Ok(FileLock::acquire(
        &path,
        wait,
        "another process writing this file",
    )?)
}

/// The current text of `target`, or "" when it does not exist yet. Zeroed when dropped: it holds keys.
/// `variable` names the environment variable that moves the file (for the message).
pub(crate) fn read_existing(target: &Path, variable: &str) -> Result<Zeroizing<String>, FileError> {
    match fs::read(target) {
        Ok(bytes) => String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
            let mut bytes = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            write_error(
                target,
                format!("is not UTF-8 text, so it cannot be edited safely; fix or move it, or set {variable}"),
            )
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Zeroizing::new(String::new())),
        Err(e) => Err(write_error(target, format!("cannot read it: {e}; check its permissions"))),
    }
}
