//! The two pipes of `--remote-debugging-pipe`: the browser reads commands on its file descriptor 3
//! and writes to 4. Both are made close-on-exec, so no other program samlbridge starts inherits them;
//! only in the browser's own process, between fork and exec, are they placed at 3 and 4.

use std::fs::File;
use std::io;
use std::process::Command;

/// samlbridge's ends of the pipes, once the browser has the other ends.
pub struct ParentEnds {
    /// What the browser writes (its fd 4).
    pub from_browser: File,
    /// What the browser reads (its fd 3).
    pub to_browser: File,
}

/// The pipes before the browser starts: the browser's ends are closed in samlbridge once it runs.
pub struct DevtoolsPipes {
    parent: ParentEnds,
    #[cfg(unix)]
    child: [std::os::fd::OwnedFd; 2],
}

#[cfg(unix)]
impl DevtoolsPipes {
    pub fn new() -> io::Result<DevtoolsPipes> {
        use rustix::pipe::{PipeFlags, pipe_with};
        let (browser_reads, to_browser) = pipe_with(PipeFlags::CLOEXEC)?;
        let (from_browser, browser_writes) = pipe_with(PipeFlags::CLOEXEC)?;
        // Above 4, so that placing one end at 3 or 4 in the child never overwrites the other.
        let high = |fd: std::os::fd::OwnedFd| {
            rustix::io::fcntl_dupfd_cloexec(&fd, 10).map_err(io::Error::from)
        };
        Ok(DevtoolsPipes {
            parent: ParentEnds {
                from_browser: File::from(from_browser),
                to_browser: File::from(to_browser),
            },
            child: [high(browser_reads)?, high(browser_writes)?],
        })
    }

    /// Makes `cmd` start with the browser's ends at 3 (commands in) and 4 (messages out).
    pub fn give_to(&self, cmd: &mut Command) {
        use std::os::fd::AsRawFd;
        use std::os::unix::process::CommandExt;
        let reads = self.child[0].as_raw_fd();
        let writes = self.child[1].as_raw_fd();
        // SAFETY: dup2 is async-signal-safe; the descriptors stay open in the parent until spawn
        // returns, and dup2 onto 3 and 4 clears close-on-exec for those two alone.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(reads, 3) < 0 || libc::dup2(writes, 4) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    /// Once the browser runs: closes its ends here (so that its exit is seen as the pipe's end).
    pub fn into_parent_ends(self) -> ParentEnds {
        drop(self.child);
        self.parent
    }
}

#[cfg(not(unix))]
impl DevtoolsPipes {
    pub fn new() -> io::Result<DevtoolsPipes> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the browser engine talks to the browser over a pipe, which samlbridge supports on \
             Linux, macOS and the BSDs only",
        ))
    }

    pub fn give_to(&self, _cmd: &mut Command) {}

    pub fn into_parent_ends(self) -> ParentEnds {
        self.parent
    }
}
