//! Asking a person: text, a secret, a choice. A trait so that tests can script the answers and so that
//! non-interactive runs (cron, CI, `--non-interactive`, no terminal on stdin) fail instead of hanging.
//!
//! The terminal prompt talks to the controlling terminal (/dev/tty) and never to stdout, so that
//! `eval "$(samlbridge env)"` or `credential_process` can still ask for an MFA code.

use crate::secret::Secret;
use crate::shown::outside;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};

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

/// The controlling terminal: questions and answers go through /dev/tty.
pub struct TerminalPrompt;

impl TerminalPrompt {
    fn tty() -> io::Result<(File, BufReader<File>)> {
        let write = OpenOptions::new().write(true).open("/dev/tty")?;
        let read = BufReader::new(File::open("/dev/tty")?);
        Ok((write, read))
    }
}

fn read_answer(read: &mut impl BufRead) -> io::Result<String> {
    let mut line = String::new();
    if read.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the terminal closed",
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

impl Prompt for TerminalPrompt {
    fn is_interactive(&self) -> bool {
        true
    }

    fn text(&self, label: &str) -> io::Result<String> {
        let (mut out, mut read) = Self::tty()?;
        write!(out, "{}: ", outside(label))?;
        out.flush()?;
        read_answer(&mut read)
    }

    fn secret(&self, label: &str) -> io::Result<Secret> {
        rpassword::prompt_password(format!("{}: ", outside(label))).map(Secret::from)
    }

    fn choose(&self, title: &str, items: &[String]) -> io::Result<usize> {
        let (mut out, mut read) = Self::tty()?;
        pick(title, items, &mut out, &mut read)
    }
}

/// A filterable picker: type a number to pick, or some text to narrow the list down.
fn pick(
    title: &str,
    items: &[String],
    out: &mut impl Write,
    read: &mut impl BufRead,
) -> io::Result<usize> {
    let mut shown: Vec<usize> = (0..items.len()).collect();
    loop {
        writeln!(out, "{}", outside(title))?;
        for (n, &i) in shown.iter().enumerate() {
            writeln!(out, "  [{:>2}] {}", n + 1, outside(&items[i]))?;
        }
        write!(out, "Number, or text to filter by: ")?;
        out.flush()?;
        let answer = read_answer(read)?;
        let answer = answer.trim();
        if let Ok(n) = answer.parse::<usize>()
            && (1..=shown.len()).contains(&n)
        {
            return Ok(shown[n - 1]);
        }
        let needle = answer.to_lowercase();
        let matching: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].to_lowercase().contains(&needle))
            .collect();
        match matching.len() {
            1 => return Ok(matching[0]),
            0 => writeln!(out, "Nothing matches '{}'.", outside(answer))?,
            _ => shown = matching,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_picker(items: &[&str], typed: &str) -> (io::Result<usize>, String) {
        let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        let mut input = io::Cursor::new(typed.as_bytes().to_vec());
        let got = pick("Pick a role", &items, &mut out, &mut input);
        (got, String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn a_number_picks_that_line() {
        let (got, shown) = run_picker(&["111 Admin", "222 Dev", "333 Ops"], "2\n");
        assert_eq!(got.unwrap(), 1);
        assert!(shown.contains("[ 3] 333 Ops"));
    }

    #[test]
    fn text_filters_until_one_is_left() {
        let (got, shown) = run_picker(&["111 Admin", "222 Admin", "333 Ops"], "admin\n222\n");
        assert_eq!(got.unwrap(), 1);
        // the second listing only shows the two Admin lines
        assert!(shown.matches("333 Ops").count() == 1);
    }

    #[test]
    fn numbers_refer_to_the_filtered_list() {
        let (got, _) = run_picker(&["111 Admin", "222 Dev", "333 Admin"], "admin\n2\n");
        assert_eq!(got.unwrap(), 2);
    }

    #[test]
    fn nothing_matching_shows_all_again_and_eof_is_an_error() {
        let (got, shown) = run_picker(&["111 Admin", "222 Dev"], "zzz\n");
        assert!(shown.contains("Nothing matches 'zzz'"));
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn no_prompt_refuses() {
        assert!(!NoPrompt.is_interactive());
        assert_eq!(
            NoPrompt.text("x").unwrap_err().kind(),
            io::ErrorKind::Unsupported
        );
    }
}
