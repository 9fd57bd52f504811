use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = samlbridge::cli::Cli::parse();
    match samlbridge::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Not eprintln!: a closed stderr must not turn an error into a panic.
            let _ = writeln!(
                std::io::stderr(),
                "samlbridge: {}",
                samlbridge::shown::message(&err.to_string())
            );
            ExitCode::from(err.exit_code())
        }
    }
}
