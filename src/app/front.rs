//! What the small `samlbridge` front binary (src/bin/front.rs) answers by itself: a
//! `credential-process` call served from the cache, and `--version`. The AWS CLI and SDKs start it
//! on every credential refresh, and starting the whole program costs ~3x starting `/bin/true`
//! (before `main`, the loader writes ~40k relocated pointers on ~190 pages of a 15 MB binary); the
//! front costs about what a hello world does. Every other call, and every call it does not fully
//! understand, goes to `samlbridge-full` with the same arguments: clap there parses it and reports
//! what is wrong.

use crate::config::Overrides;
use std::ffi::OsString;
use std::io::Write;

/// What the front did with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// The answer is on stdout: exit 0.
    Answered,
    /// Not a cache hit, or not understood here: run samlbridge-full with the same arguments.
    HandOver,
}

/// Answers `args` (argv, program name first) from the cache if it can, and `--version` (as clap
/// would: a start-up probe should time the program it probes). `Err` only when writing failed.
pub fn serve(args: &[OsString], out: &mut dyn Write) -> std::io::Result<Front> {
    if is_version(args) {
        writeln!(out, "samlbridge {}", env!("CARGO_PKG_VERSION"))?;
        out.flush()?;
        return Ok(Front::Answered);
    }
    let Some(args) = cache_hit_args(args) else {
        return Ok(Front::HandOver);
    };
    if super::serve::answer_from_cache(&args, out)? {
        Ok(Front::Answered)
    } else {
        Ok(Front::HandOver)
    }
}

fn is_version(args: &[OsString]) -> bool {
    matches!(args, [_, flag] if flag == "--version" || flag == "-V")
}

/// `credential-process` with only the flags a cache hit needs: `--profile`/`-p`, `--refresh-window`
/// (each at most once, as `--flag VALUE` or `--flag=VALUE`) and `--non-interactive`, as config's
/// input. None for anything else, including what clap would refuse and a window that is no duration
/// (the full program says what is wrong).
pub fn cache_hit_args(args: &[OsString]) -> Option<Overrides> {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    if words.next()?? != "credential-process" {
        return None;
    }
    let (mut profile, mut window, mut non_interactive) = (None, None, false);
    while let Some(word) = words.next() {
        let word = word?;
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (word, None),
        };
        let slot = match name {
            "--profile" | "-p" => &mut profile,
            "--refresh-window" => &mut window,
            "--non-interactive" if inline.is_none() && !non_interactive => {
                non_interactive = true;
                continue;
            }
            _ => return None,
        };
        let value = match inline {
            Some(value) => value,
            None => words.next()??,
        };
        if slot.is_some() || value.is_empty() || value.starts_with('-') {
            return None;
        }
        *slot = Some(value.to_string());
    }
    let refresh_window = match window {
        Some(text) => Some(Overrides::duration_flag("--refresh-window", &text).ok()?),
        None => None,
    };
    Some(Overrides {
        profile,
        refresh_window,
        ..Overrides::default()
    })
}

#[cfg(test)]
mod tests;
