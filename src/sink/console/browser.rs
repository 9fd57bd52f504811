//! Opening the sign-in URL in the user's browser with the platform's own opener: `open` on macOS,
//! `xdg-open` on Linux and the BSDs, `rundll32 url.dll,FileProtocolHandler` on Windows (unlike
//! `cmd /c start`, it does not treat the URL's `&` as a command separator).
//!
//! The URL reaches the opener as an argument — the only way to hand a URL to a browser; it is
//! short-lived, and `--print` avoids it. When opening fails the caller prints the URL instead.

use crate::secret::Secret;
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error(
        "no graphical session to open a browser in (DISPLAY, WAYLAND_DISPLAY and BROWSER are unset)"
    )]
    NoDisplay,
    #[error("could not start {program}: {reason}")]
    Launch { program: String, reason: String },
    #[error("{program} could not open the browser (exit {code})")]
    Failed { program: String, code: i32 },
}

/// How long an opener gets to report a failure; one still running after that is the browser itself.
const OPENER_GRACE: Duration = Duration::from_secs(5);

pub fn open_in_browser(url: &Secret) -> Result<(), BrowserError> {
    let (program, args) = opener(std::env::consts::OS, |k| std::env::var(k).ok())?;
    launch(program, args, url, OPENER_GRACE)
}

type Opener = (&'static str, &'static [&'static str]);

fn opener(os: &str, var: impl Fn(&str) -> Option<String>) -> Result<Opener, BrowserError> {
    match os {
        "macos" => Ok(("open", &[])),
        "windows" => Ok(("rundll32", &["url.dll,FileProtocolHandler"])),
        _ => {
            let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
            if set("DISPLAY") || set("WAYLAND_DISPLAY") || set("BROWSER") {
                Ok(("xdg-open", &[]))
            } else {
                Err(BrowserError::NoDisplay)
            }
        }
    }
}

fn launch(program: &str, args: &[&str], url: &Secret, grace: Duration) -> Result<(), BrowserError> {
    let mut child = Command::new(program)
        .args(args)
        .arg(url.expose())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| BrowserError::Launch {
            program: program.to_string(),
            reason: e.to_string(),
        })?;
    // An opener that is still running after the grace has handed the URL on (or is the browser).
    match crate::child::ended_within(&mut child, grace) {
        Ok(Some(status)) if !status.success() => Err(BrowserError::Failed {
            program: program.to_string(),
            code: status.code().unwrap_or(-1),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_has_its_opener() {
        assert_eq!(opener("macos", |_| None).unwrap().0, "open");
        let windows = opener("windows", |_| None).unwrap();
        assert_eq!(windows, ("rundll32", &["url.dll,FileProtocolHandler"][..]));
        let display = |k: &str| (k == "WAYLAND_DISPLAY").then(|| "wayland-0".to_string());
        assert_eq!(opener("linux", display).unwrap().0, "xdg-open");
        assert!(matches!(
            opener("linux", |_| None),
            Err(BrowserError::NoDisplay)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn an_opener_that_fails_or_is_missing_is_an_error() {
        let url = Secret::new("https://signin.example/federation?SigninToken=t");
        let grace = Duration::from_secs(5);
        assert!(launch("true", &[], &url, grace).is_ok());
        let failed = launch("false", &[], &url, grace).unwrap_err();
        assert!(
            matches!(failed, BrowserError::Failed { code: 1, .. }),
            "{failed}"
        );
        let missing = launch("samlbridge-no-such-opener", &[], &url, grace).unwrap_err();
        assert!(matches!(missing, BrowserError::Launch { .. }), "{missing}");
        assert!(!missing.to_string().contains("SigninToken"));
    }

    #[cfg(unix)]
    #[test]
    fn an_opener_still_running_after_the_grace_is_taken_as_the_browser() {
        let url = Secret::new("1");
        let started = std::time::Instant::now();
        assert!(launch("sleep", &[], &url, Duration::from_millis(100)).is_ok());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
