//! Replacing a file so that nothing is ever half-written, lost to a concurrent run, or readable by
//! others: follow symlinks to the real file, create its directory 0700 if missing, hold an exclusive
//! lock beside it across read-modify-write, write a 0600 temp file in the same directory, fsync it,
//! rename it over the target, fsync the directory.

use super::FileError;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
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

/// The directory of `target` ("." for a bare file name).
pub(crate) fn directory_of(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates `dir` (and missing parents) with mode 0700 if it does not exist; an existing one is left as is.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), FileError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| {
        write_error(
            dir,
            format!("cannot create the directory: {e}; create it (mode 0700) or set AWS_SHARED_CREDENTIALS_FILE"),
        )
    })
}

/// Options that create a file readable by its owner only, from the first instant.
fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// An exclusive lock on `<target>.samlbridge.lock`, released when dropped (closing the file releases it).
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

/// Waits up to `wait` for the lock that serialises every read-modify-write of `target`.
pub(crate) fn lock_beside(target: &Path, wait: Duration) -> Result<FileLock, FileError> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let path = directory_of(target).join(format!("{name}.samlbridge.lock"));
    let file = private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            write_error(
                &path,
                format!("cannot open the lock file: {e}; check the directory's permissions"),
            )
        })?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(FileLock { _file: file }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(write_error(
                    &path,
                    format!(
                        "another process held this lock for more than {} s; wait for it to finish and run again",
                        wait.as_secs()
                    ),
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(write_error(&path, format!("cannot lock it: {e}")));
            }
        }
    }
}

/// The current text of `target`, or "" when it does not exist yet. Zeroed when dropped: it holds keys.
pub(crate) fn read_existing(target: &Path) -> Result<Zeroizing<String>, FileError> {
    match fs::read(target) {
        Ok(bytes) => String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
            let mut bytes = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            write_error(
                target,
                "is not UTF-8 text, so it cannot be edited safely; fix or move it, or set AWS_SHARED_CREDENTIALS_FILE",
            )
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Zeroizing::new(String::new())),
        Err(e) => Err(write_error(target, format!("cannot read it: {e}; check its permissions"))),
    }
}

static TEMP_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Replaces `target` with `content` atomically: readers see the old file or the new one, never a mix.
pub(crate) fn replace_atomically(target: &Path, content: &[u8]) -> Result<(), FileError> {
    let dir = directory_of(target);
    let (temp_path, mut temp) = create_temp_beside(target)?;
    let written = (|| {
        temp.write_all(content)?;
        set_owner_only(&temp)?;
        temp.sync_all()?;
        fs::rename(&temp_path, target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp_path);
        return Err(write_error(
            target,
            format!("cannot replace it: {e}; check free space and the directory's permissions"),
        ));
    }
    // The rename is done; failing to make it durable is worth a warning, not an error.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::warn!(
            "{}: written, but the directory could not be synced: {e}",
            dir.display()
        );
    }
    Ok(())
}

/// A new, owner-only file in the target's directory (same file system, so the rename is atomic).
fn create_temp_beside(target: &Path) -> Result<(PathBuf, File), FileError> {
    let dir = directory_of(target);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    for _ in 0..100 {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp_path = dir.join(format!(".{name}.samlbridge-{}-{n}.tmp", std::process::id()));
        match private_file_options()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => return Ok((temp_path, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(write_error(
                    target,
                    format!(
                        "cannot create a temporary file in {}: {e}; check its permissions",
                        dir.display()
                    ),
                ));
            }
        }
    }
    Err(write_error(
        target,
        "cannot find a free temporary file name beside it",
    ))
}

/// Exactly 0600, whatever the umask did to the creation mode.
fn set_owner_only(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}
