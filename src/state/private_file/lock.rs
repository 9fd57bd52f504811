//! The one lock loop: an exclusive lock on a file, waited for by polling, released on drop (or by the
//! OS when the process dies, so a crash never leaves it held). The lock file is never reached through a
//! symlink, so one planted there cannot make samlbridge create or truncate another file.

use super::DiskError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// How often a waiter tries again.
const POLL: Duration = Duration::from_millis(25);

/// Held while alive.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits up to `wait` for the lock at `path` (created 0600 if missing). `holder` names who may be
    /// holding it ("another samlbridge renewing credentials") for the message when the wait runs out.
    pub fn acquire(path: &Path, wait: Duration, holder: &str) -> Result<FileLock, DiskError> {
        Self::acquire_noted(path, wait, holder, None)
    }

    /// As `acquire`; once held, `note` (who holds it: a process id, a command) is written into the
    /// lock file, and a waiter that gives up says it.
    pub fn acquire_noted(
        path: &Path,
        wait: Duration,
        holder: &str,
        note: Option<&str>,
    ) -> Result<FileLock, DiskError> {
        let mut file = open_lock_file(path)?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    if let Some(note) = note {
                        write_note(&mut file, note);
                    }
                    return Ok(FileLock { _file: file });
                }
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(
                        POLL.min(deadline.saturating_duration_since(Instant::now())),
                    );
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(DiskError::new(
                        path,
                        format!(
                            "{holder}{} has held this lock for {} s; let it finish (or stop it) and run again",
                            read_note(&mut file)
                                .map(|n| format!(" ({n})"))
                                .unwrap_or_default(),
                            wait.as_secs()
                        ),
                    ));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(DiskError::new(path, format!("cannot lock it: {e}")));
                }
            }
        }
    }
}

/// Who holds the lock, in its file: replaced by each holder, never needed for the lock itself.
fn write_note(file: &mut File, note: &str) {
    use std::io::{Seek, Write};
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(note.as_bytes()));
}

/// The holder's note, as one short line of plain text.
fn read_note(file: &mut File) -> Option<String> {
    use std::io::{Read, Seek};
    let mut note = String::new();
    file.rewind().ok()?;
    file.take(200).read_to_string(&mut note).ok()?;
    let note: String = note
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let note = note.trim();
    (!note.is_empty()).then(|| note.to_string())
}

fn open_lock_file(path: &Path) -> Result<File, DiskError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = options.open(path).map_err(|e| opening_failed(path, e))?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(DiskError::new(
            path,
            "is not a regular file, so it cannot be samlbridge's lock file; remove it and run again",
        )),
        Err(e) => Err(opening_failed(path, e)),
    }
}

fn opening_failed(path: &Path, e: io::Error) -> DiskError {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        DiskError::new(
            path,
            "is a symbolic link where samlbridge keeps a lock file; samlbridge does not follow it: remove the link and run again",
        )
    } else {
        DiskError::new(
            path,
            format!("cannot open the lock file: {e}; check the directory's permissions"),
        )
    }
}
