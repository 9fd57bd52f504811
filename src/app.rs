//! One small function per subcommand, glueing the pipeline's steps.
//!
//! (skeleton: to be written.)

use crate::cli::Cli;
use crate::error::Result;

pub fn run(_cli: Cli) -> Result<()> {
    todo!("app::run")
}
