//! One way to put a file on disk for every file samlbridge writes (credentials file, cache entries,
//! saved sessions, timer units): private directories, one lock loop, atomic replacement through a
//! 0600 temp file that is never reached through a symlink, and the sweep of temp files a killed run
//! left behind.

mod lock;
mod sweep;
#[cfg(all(test, unix))]
mod tests;

pub use lock::FileLock;
pub use sweep::{Legacy, sweep, sweep_once};

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A file or directory that could not be written, and why (the reason says what to do next).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct DiskError {
    pub path: PathBuf,
    pub reason: String,
}

impl DiskError {
    pub fn new(path: &Path, reason: impl Into<String>) -> DiskError {
        DiskError {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Whose directory it is, which decides what happens to one that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirPolicy {
    /// samlbridge's own (state dir, cache, sessions): created 0700, and tightened to 0700 when found
    /// looser, since everything in it is secret.
    Own,
    /// The user's (`~/.aws`, `~/.config/systemd/user`): created 0700 when missing, otherwise left
    /// as the user set it; the secret files in it are 0600 themselves.
    Users,
}

/// Makes sure `dir` (and missing parents) exists, following `policy`.
pub fn ensure_dir(dir: &Path, policy: DirPolicy) -> Result<(), DiskError> {
    if policy == DirPolicy::Users && dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| {
        DiskError::new(
            dir,
            format!(
                "cannot create the directory: {e}; create it (mode 0700) or choose another place"
            ),
        )
    })?;
    if policy == DirPolicy::Own {
        tighten_dir(dir)?;
    }
    Ok(())
}

#[cfg(unix)]
fn tighten_dir(dir: &Path) -> Result<(), DiskError> {
    use std::os::unix::fs::PermissionsExt;
    let fail = |e: io::Error| DiskError::new(dir, format!("cannot make it private (0700): {e}"));
    let meta = fs::metadata(dir).map_err(fail)?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::debug!(path = %dir.display(), "tightening permissions to 700");
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten_dir(_dir: &Path) -> Result<(), DiskError> {
    Ok(())
}

/// The directory of `target` ("." for a bare file name).
pub fn directory_of(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Replaces `target` with `bytes` so that a reader sees the old file or the new one, never a part,
/// and nobody else can read it at any moment: a 0600 temp file in the same directory, fsynced, renamed
/// over `target` (a symlink at `target` itself is replaced, not followed: resolve it first to write
/// through it). Stale temp files of dead runs in that directory are swept first.
pub fn replace(target: &Path, bytes: &[u8]) -> Result<(), DiskError> {
    let dir = directory_of(target);
    sweep_once(dir, Legacy::No);
    let staged = stage(dir, target, bytes)?;
    if let Err(e) = fs::rename(&staged, target) {
        let _ = fs::remove_file(&staged);
        return Err(DiskError::new(
            target,
            format!("cannot replace it: {e}; check the directory's permissions"),
        ));
    }
    // The rename is done; making it durable is best effort, as not every platform can open a directory.
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(
            "{}: written, but the directory was not synced: {e}",
            dir.display()
        );
    }
    Ok(())
}

/// `bytes` in a complete, synced, 0600 file beside `target`, under a temp name; returns that name.
fn stage(dir: &Path, target: &Path, bytes: &[u8]) -> Result<PathBuf, DiskError> {
    #[cfg(target_os = "linux")]
    if let Some(staged) = unnamed::stage(dir, target, bytes) {
        return Ok(staged);
    }
    stage_named(dir, target, bytes)
}

/// The portable way: the temp file has its name from the start, so a crash before the rename leaves
/// it behind for the sweep.
fn stage_named(dir: &Path, target: &Path, bytes: &[u8]) -> Result<PathBuf, DiskError> {
    for _ in 0..100 {
        let temp = temp_path(dir, target);
        let mut file = match create_new_private(&temp) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(DiskError::new(
                    target,
                    format!(
                        "cannot create a temporary file in {}: {e}; check its permissions",
                        dir.display()
                    ),
                ));
            }
        };
        return match fill(&mut file, bytes) {
            Ok(()) => Ok(temp),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                Err(cannot_write(target, e))
            }
        };
    }
    Err(DiskError::new(
        target,
        format!(
            "no free temporary file name in {}; remove the .*.samlbridge-*.tmp files there",
            dir.display()
        ),
    ))
}

fn cannot_write(target: &Path, e: io::Error) -> DiskError {
    DiskError::new(
        target,
        format!("cannot write it: {e}; check free space and the directory's permissions"),
    )
}

/// Writes everything, makes the file exactly 0600 whatever the umask did, and syncs it.
fn fill(file: &mut File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.sync_all()
}

/// A new file, 0600 from its first instant; an existing file or a symlink at `path` is an error
/// (`AlreadyExists`), never opened or followed.
fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
}

/// `.<file>.samlbridge-<pid>-<n>.tmp`: hidden, and telling the sweep which process made it.
pub(crate) fn temp_path(dir: &Path, target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    dir.join(format!(
        ".{name}{}{}-{n}.tmp",
        sweep::MARK,
        std::process::id()
    ))
}

/// On Linux the content is written into a file with no name (O_TMPFILE), which the kernel removes if
/// the process dies; it gets a name only once complete, for the instant before the rename.
#[cfg(target_os = "linux")]
mod unnamed {
    use super::{DiskError, fill, temp_path};
    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::path::{Path, PathBuf};

    /// None when this file system or kernel cannot do it (then the named way is used).
    pub(super) fn stage(dir: &Path, target: &Path, bytes: &[u8]) -> Option<PathBuf> {
        let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(dir, flags, Mode::from_raw_mode(0o600)).ok()?;
        let mut file = File::from(fd);
        if let Err(e) = fill(&mut file, bytes) {
            let error: DiskError = super::cannot_write(target, e);
            tracing::debug!("{error}; trying a named temp file");
            return None;
        }
        link(&file, dir, target)
    }

    /// Names the file through /proc (linkat with AT_EMPTY_PATH would need a capability).
    fn link(file: &File, dir: &Path, target: &Path) -> Option<PathBuf> {
        let source = format!("/proc/self/fd/{}", file.as_raw_fd());
        for _ in 0..100 {
            let temp = temp_path(dir, target);
            match rustix::fs::linkat(CWD, &source, CWD, &temp, AtFlags::SYMLINK_FOLLOW) {
                Ok(()) => return Some(temp),
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => {
                    tracing::debug!("cannot name a temp file ({e}); trying a named one");
                    return None;
                }
            }
        }
        None
    }
}
