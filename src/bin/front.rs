//! `samlbridge`: answers a cached `credential-process` call (and `--version`) itself and hands every
//! other call to `samlbridge-full` beside it (src/main.rs), with the same arguments, environment and
//! standard streams; on Unix by exec, so the process, its id and its exit code stay the same. Why:
//! the AWS tools start credential_process on every refresh, and the whole program's start-up alone
//! costs ~3x a `/bin/true` (src/app/front.rs).

use samlbridge::app::error::Error;
use samlbridge::app::front::{self, Front};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const FULL: &str = "samlbridge-full";

fn main() -> ExitCode {
    // It reads cached credentials: no core dump of them either.
    samlbridge::app::forbid_core_dumps();
    let args: Vec<OsString> = std::env::args_os().collect();
    let served = front::serve(&args, &mut std::io::stdout().lock());
    match served {
        Ok(Front::Answered) => ExitCode::SUCCESS,
        Ok(Front::HandOver) => hand_over(&args),
        // Nobody reads stdout any more: a quiet end, as samlbridge-full's (src/app/stdout.rs).
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // Writing the answer failed: said and mapped as samlbridge-full would.
        Err(e) => {
            let err = Error::Io {
                path: "stdout".into(),
                source: e,
            };
            ExitCode::from(err.report())
        }
    }
}

/// Runs samlbridge-full with `args`; returns only if it could not be started.
fn hand_over(args: &[OsString]) -> ExitCode {
    let full = match full_path() {
        Ok(path) => path,
        Err(e) => return cannot_start(&PathBuf::from(FULL), &e),
    };
    let mut command = Command::new(&full);
    command.args(args.iter().skip(1));
    match run(command, args.first()) {
        Ok(code) => code,
        Err(e) => cannot_start(&full, &e),
    }
}

/// samlbridge-full in the directory this binary is in (symbolic links resolved: a link to
/// samlbridge in ~/bin finds samlbridge-full beside the file it points to).
fn full_path() -> std::io::Result<PathBuf> {
    let me = std::fs::canonicalize(std::env::current_exe()?)?;
    let dir = me
        .parent()
        .ok_or_else(|| std::io::Error::other("this program's path has no directory"))?;
    Ok(dir.join(format!("{FULL}{}", std::env::consts::EXE_SUFFIX)))
}

#[cfg(unix)]
fn run(mut command: Command, arg0: Option<&OsString>) -> std::io::Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    if let Some(arg0) = arg0 {
        command.arg0(arg0);
    }
    Err(command.exec())
}

#[cfg(not(unix))]
fn run(mut command: Command, _arg0: Option<&OsString>) -> std::io::Result<ExitCode> {
    let status = command.status()?;
    let code = status.code().unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

fn cannot_start(full: &std::path::Path, e: &std::io::Error) -> ExitCode {
    let _ = writeln!(
        std::io::stderr(),
        "samlbridge: cannot run {} ({e}); samlbridge needs {FULL} in the same directory: install both (cargo install --path . does)",
        samlbridge::app::error::message(&full.display().to_string())
    );
    ExitCode::FAILURE
}
