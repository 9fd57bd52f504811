//! Logs go to stderr, for people: -v shows the steps, -vv the pages and requests. Only samlbridge's own
//! events go beyond warnings, because other crates' debug output may carry headers or bodies.

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
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init();
}
