//! stdout carries data (credential_process JSON, exports, `--json`, tables, URLs, a crontab line).
//! When its reader has gone (`samlbridge roles --json | head -c1`), the command stops quietly with
//! exit 0, as ripgrep does: nobody is left to read the rest, nor an error about it.

use crate::app::error::{Error, Result};
use std::io::{self, Write};
use std::path::Path;

/// Runs `write` on the locked stdout, then flushes; an I/O error becomes an error naming stdout.
pub(super) fn write_with(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let mut out = io::stdout().lock();
    write(&mut out).and_then(|()| out.flush()).map_err(error)
}

/// Writes `text` as it is (no newline added).
pub(super) fn print(text: &str) -> Result<()> {
    write_with(|out| out.write_all(text.as_bytes()))
}

/// Writes `line` and a newline.
pub(super) fn print_line(line: &str) -> Result<()> {
    write_with(|out| {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")
    })
}

/// The error for a failed write to stdout.
pub(super) fn error(source: io::Error) -> Error {
    Error::Io {
        path: "stdout".into(),
        source,
    }
}

/// Whether `err` only says that stdout's reader has gone: the command then ends quietly, exit 0.
pub(super) fn reader_gone(err: &Error) -> bool {
    matches!(err, Error::Io { path, source }
        if path == Path::new("stdout") && source.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_broken_pipe_on_stdout_is_a_quiet_end() {
        let gone = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(reader_gone(&error(gone)));
        assert!(!reader_gone(&error(io::Error::from(
            io::ErrorKind::StorageFull
        ))));
        let elsewhere = Error::Io {
            path: "/home/u/.aws/credentials".into(),
            source: io::Error::from(io::ErrorKind::BrokenPipe),
        };
        assert!(!reader_gone(&elsewhere));
        assert!(!reader_gone(&Error::Usage("stdout".into())));
    }
}
