use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = samlbridge::cli::Cli::parse();
    match samlbridge::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!(
                "samlbridge: {}",
                samlbridge::shown::message(&err.to_string())
            );
            ExitCode::from(err.exit_code())
        }
    }
}
