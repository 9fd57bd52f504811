//! Logs go to stderr, for people: -v shows the steps, -vv the pages and requests. Only samlbridge's own
//! events go beyond warnings, because other crates' debug output may carry headers or bodies.
//! Log lines carry text from the network (page titles, URLs, answers), so every line is passed
//! through `shown::log_line` on its way to the terminal.

use std::io::IsTerminal;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

pub fn init(verbose: u8) {
    let own = match verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let filter = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("samlbridge", own)
        // the SDK warns of `[saml-aliases]` in ~/.aws/config, a section it does not know
        .with_target("aws_runtime::env_config", LevelFilter::ERROR);
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(move || SafeStderr { color })
        .with_ansi(color)
        .with_target(false)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}

/// Stderr for log lines: control and bidi characters escaped (tracing-subscriber escapes ESC in
/// values, but not NUL, other C0 controls or bidi overrides). Each event arrives in one write.
struct SafeStderr {
    color: bool,
}

impl std::io::Write for SafeStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(buf);
        let safe = crate::shown::log_line(&line, self.color);
        std::io::stderr().write_all(safe.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
