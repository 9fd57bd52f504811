//! A child process with a deadline: started, one of its output streams read (capped) on a thread,
//! waited for until the deadline, and killed when it passes — so no program samlbridge runs (the
//! user's MFA command, `systemctl --user`) can hang it.

use std::io::{self, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Between two looks at the child.
const POLL: Duration = Duration::from_millis(20);
/// How long the output may still take once the child has ended (a program it left behind may hold
/// the stream open), when the deadline leaves less.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// The output stream that is read; the other streams are as the caller set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capture {
    Stdout,
    Stderr,
}

/// A child that ended in time, and what it wrote on the captured stream (at most the cap; wiped
/// when dropped, as it may be a code).
pub(crate) struct Finished {
    pub status: ExitStatus,
    pub output: Zeroizing<Vec<u8>>,
}

/// Why a child gave no answer.
#[derive(Debug)]
pub(crate) enum ChildError {
    /// It could not be started (`NotFound`: no such program).
    Start(io::Error),
    /// The deadline passed; it was killed.
    TimedOut,
    /// Its end could not be waited for; it was killed.
    Wait(io::Error),
    /// Its output could not be read.
    Read(io::Error),
}

/// Runs `command` to its end within `timeout`, reading at most `max_bytes` of `capture`.
pub(crate) fn run(
    command: &mut Command,
    capture: Capture,
    max_bytes: u64,
    timeout: Duration,
) -> Result<Finished, ChildError> {
    match capture {
        Capture::Stdout => command.stdout(Stdio::piped()),
        Capture::Stderr => command.stderr(Stdio::piped()),
    };
    let mut child = command.spawn().map_err(ChildError::Start)?;
    let deadline = Instant::now() + timeout;
    let pipe: Option<Box<dyn Read + Send>> = match capture {
        Capture::Stdout => child.stdout.take().map(|p| Box::new(p) as _),
        Capture::Stderr => child.stderr.take().map(|p| Box::new(p) as _),
    };
    let Some(pipe) = pipe else {
        stop(&mut child);
        return Err(ChildError::Read(io::Error::other("no pipe to the child")));
    };
    // Read on a thread, so that a child that never ends cannot block the wait below.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Zeroizing::new(Vec::new());
        let read = pipe.take(max_bytes).read_to_end(&mut out);
        let _ = tx.send(read.map(|_| out));
    });
    let status = wait_until(&mut child, deadline)?;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(OUTPUT_GRACE);
    match rx.recv_timeout(left) {
        Ok(Ok(output)) => Ok(Finished { status, output }),
        Ok(Err(e)) => Err(ChildError::Read(e)),
        Err(_) => Err(ChildError::TimedOut),
    }
}

/// The child's exit status if it ends within `wait`; None leaves it running.
pub(crate) fn ended_within(child: &mut Child, wait: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + wait;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(POLL);
    }
}

/// The child's exit status; killed when `deadline` passes first or it cannot be waited for.
fn wait_until(child: &mut Child, deadline: Instant) -> Result<ExitStatus, ChildError> {
    match ended_within(child, deadline.saturating_duration_since(Instant::now())) {
        Ok(Some(status)) => Ok(status),
        Ok(None) => {
            stop(child);
            Err(ChildError::TimedOut)
        }
        Err(e) => {
            stop(child);
            Err(ChildError::Wait(e))
        }
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]).stdin(Stdio::null());
        c
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_captured_stream_is_read_and_the_other_left_alone() {
        let mut c = sh("echo out; echo err >&2; exit 3");
        c.stderr(Stdio::null());
        let done = run(&mut c, Capture::Stdout, 1024, 5 * SECOND).unwrap();
        assert_eq!(done.output.as_slice(), b"out\n");
        assert_eq!(done.status.code(), Some(3));
        let mut c = sh("echo out; echo err >&2");
        c.stdout(Stdio::null());
        let done = run(&mut c, Capture::Stderr, 1024, 5 * SECOND).unwrap();
        assert_eq!(done.output.as_slice(), b"err\n");
        assert!(done.status.success());
    }

    #[test]
    fn output_past_the_cap_is_not_read() {
        let mut c = sh("head -c 100000 /dev/zero");
        let done = run(&mut c, Capture::Stdout, 1000, 5 * SECOND).unwrap();
        assert_eq!(done.output.len(), 1000);
    }

    #[test]
    fn a_child_that_hangs_is_killed_at_the_deadline() {
        let started = Instant::now();
        let mut c = sh("sleep 30");
        let err = run(&mut c, Capture::Stdout, 1024, Duration::from_millis(300));
        assert!(matches!(err, Err(ChildError::TimedOut)), "{:?}", err.err());
        assert!(started.elapsed() < 10 * SECOND);
    }

    #[test]
    fn a_stream_held_open_after_the_end_is_waited_for_only_briefly() {
        // The shell ends at once; the `sleep` it leaves behind keeps stdout open.
        let started = Instant::now();
        let mut c = sh("sleep 5 & echo 123456");
        let err = run(&mut c, Capture::Stdout, 1024, Duration::from_millis(100));
        assert!(matches!(err, Err(ChildError::TimedOut)), "{:?}", err.err());
        assert!(started.elapsed() < 4 * SECOND);
    }

    #[test]
    fn a_missing_program_cannot_start() {
        let mut c = Command::new("/nonexistent/samlbridge-child");
        match run(&mut c, Capture::Stderr, 1024, SECOND) {
            Err(ChildError::Start(e)) => assert_eq!(e.kind(), io::ErrorKind::NotFound),
            other => panic!("{:?}", other.err()),
        }
    }
}
