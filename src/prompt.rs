//! Asking a person: text, a secret, a choice. A trait so that tests can script the answers and so that
//! non-interactive runs (cron, CI, `--non-interactive`, no terminal on stdin) fail instead of hanging.
//!
//! (skeleton: the terminal implementation is to be written; it talks to the terminal and stderr, never
//! to stdout, so that `$(samlbridge env)` still prompts.)

use crate::secret::Secret;
use std::io;

pub trait Prompt: Send + Sync {
    /// False when nobody can answer: every method then returns an error of kind `Unsupported`.
    fn is_interactive(&self) -> bool;
    fn text(&self, label: &str) -> io::Result<String>;
    fn secret(&self, label: &str) -> io::Result<Secret>;
    /// Picks one of `items` (a line each); returns its index.
    fn choose(&self, title: &str, items: &[String]) -> io::Result<usize>;
}

/// For runs where no person is there: every question is refused.
pub struct NoPrompt;

impl Prompt for NoPrompt {
    fn is_interactive(&self) -> bool {
        false
    }
    fn text(&self, _label: &str) -> io::Result<String> {
        Err(refused())
    }
    fn secret(&self, _label: &str) -> io::Result<Secret> {
        Err(refused())
    }
    fn choose(&self, _title: &str, _items: &[String]) -> io::Result<usize> {
        Err(refused())
    }
}

fn refused() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, "no terminal to ask")
}
