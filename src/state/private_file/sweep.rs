//! A run killed while writing can leave a temp file holding a whole copy of the secrets it was
//! writing. The next run that writes in that directory, and `logout`, remove the temp files whose
//! writer is gone: its process no longer exists, or the file is older than any write takes.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// What sits between a temp file's target name and its writer's pid.
pub(super) const MARK: &str = ".samlbridge-";

/// Older than this, a temp file is stale even if a process with its pid runs (pids are reused).
const STALE_AGE: Duration = Duration::from_secs(3600);

/// Which names to recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    /// Only `.<file>.samlbridge-<pid>-<n>.tmp`: safe in any directory, as the name says whose it is.
    No,
    /// Also `.<file>.<pid>.<n>.tmp`, the names earlier versions used in samlbridge's own state
    /// directory; only for that directory, where every name is samlbridge's.
    Yes,
}

/// Removes the stale temp files in `dir`; returns how many. Best effort: a directory or file that
/// cannot be read or removed is skipped (logged at debug), never an error for the write at hand.
pub fn sweep(dir: &Path, legacy: Legacy) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| writer_of(n, legacy)) else {
            continue;
        };
        let path = entry.path();
        // Only regular files of this user: never a link, a directory or someone else's file.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_file() || !owned_by_me(&meta) {
            continue;
        }
        if is_stale(pid, meta.modified().ok(), now) {
            match fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::debug!("{}: cannot remove a stale temp file: {e}", path.display())
                }
            }
        }
    }
    if removed > 0 {
        tracing::info!(
            "{}: removed {removed} temp file(s) left by an interrupted run",
            dir.display()
        );
    }
    removed
}

/// `sweep`, at most once per directory per run: a login writing many entries lists it once.
pub fn sweep_once(dir: &Path, legacy: Legacy) {
    // A handful of directories per run: a list is enough (and needs no random hash seed).
    static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let first = match SWEPT.lock() {
        Ok(swept) if swept.iter().any(|d| d == dir) => false,
        Ok(mut swept) => {
            swept.push(dir.to_path_buf());
            true
        }
        Err(_) => true,
    };
    if first {
        sweep(dir, legacy);
    }
}

/// The pid of the process that made temp file `name`, if `name` is one of samlbridge's temp files.
pub(super) fn writer_of(name: &str, legacy: Legacy) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let current = stem.rsplit_once('-').and_then(|(rest, n)| {
        let (target, pid) = rest.rsplit_once(MARK)?;
        (!target.is_empty() && all_digits(n)).then_some(pid)
    });
    if let Some(pid) = current {
        return parse_pid(pid);
    }
    if legacy == Legacy::Yes {
        let (rest, n) = stem.rsplit_once('.')?;
        let (target, pid) = rest.rsplit_once('.')?;
        if !target.is_empty() && all_digits(n) {
            return parse_pid(pid);
        }
    }
    None
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn parse_pid(text: &str) -> Option<u32> {
    if all_digits(text) {
        text.parse().ok()
    } else {
        None
    }
}

/// Stale: its writer is gone, or it is older than any write takes.
pub(super) fn is_stale(pid: u32, modified: Option<SystemTime>, now: SystemTime) -> bool {
    let old = modified
        .and_then(|m| now.duration_since(m).ok())
        .is_some_and(|age| age > STALE_AGE);
    old || !process_exists(pid)
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    use rustix::process::{Pid, test_kill_process};
    // Pid 0 or one beyond i32 was never a writer's (and 0 would mean "my process group").
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return false;
    };
    match test_kill_process(pid) {
        Ok(()) => true,
        // It exists, but belongs to another user.
        Err(rustix::io::Errno::PERM) => true,
        Err(_) => false,
    }
}

/// Without a way to ask, only age makes a temp file stale.
#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

#[cfg(unix)]
fn owned_by_me(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn owned_by_me(_meta: &fs::Metadata) -> bool {
    true
}
