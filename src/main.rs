use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = samlbridge::cli::Cli::parse();
    match samlbridge::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => ExitCode::from(err.report()),
    }
}
