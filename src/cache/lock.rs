//! One renewal at a time: an exclusive lock on a file in the cache directory, released on drop (or
//! by the OS when the process dies, so a crash never leaves it held).

use crate::state::StateError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RefreshLock {
    _file: File,
}

impl RefreshLock {
    pub(super) fn acquire(path: &Path, wait: Duration) -> Result<RefreshLock, StateError> {
        let io_error = |reason: String| StateError::Io {
            path: path.to_path_buf(),
            reason,
        };
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|e| io_error(e.to_string()))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RefreshLock { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(io_error(format!(
                        "another samlbridge has been renewing credentials for {} s; let it finish, or stop it",
                        wait.as_secs()
                    )));
                }
                Err(TryLockError::Error(e)) => return Err(io_error(e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up_with_a_clear_message() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".refresh.lock");
        let first = RefreshLock::acquire(&path, Duration::ZERO).unwrap();
        let started = Instant::now();
        let err = RefreshLock::acquire(&path, Duration::from_millis(200)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(err.to_string().contains("another samlbridge"), "{err}");
        drop(first);
        assert!(RefreshLock::acquire(&path, Duration::ZERO).is_ok());
    }

    #[test]
    fn a_waiter_gets_the_lock_when_the_holder_lets_go() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".refresh.lock");
        let first = RefreshLock::acquire(&path, Duration::ZERO).unwrap();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || RefreshLock::acquire(&path, Duration::from_secs(10)).is_ok())
        };
        std::thread::sleep(Duration::from_millis(150));
        drop(first);
        assert!(waiter.join().unwrap());
    }
}
