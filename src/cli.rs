//! The command line: clap structs only, no I/O. [xh]

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "samlbridge",
    version,
    about = "SAML sign-in to AWS: gateway role, chained child roles, fresh credentials"
)]
pub struct Cli {
    /// More logs on stderr (-v: steps, -vv: pages and requests). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in, assume the gateway role, chain into child profiles, write them all.
    Login(LoginArgs),
    /// Sign in and list the roles the assertion offers.
    Roles(RolesArgs),
}

/// How to sign in: shared by every command that may have to.
#[derive(Debug, Clone, Args)]
pub struct SignInArgs {
    /// The profile (default: AWS_PROFILE, else `default`).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// IdP username (overrides saml_username).
    #[arg(long)]
    pub username: Option<String>,
    /// Read the password from the first line of stdin.
    #[arg(long)]
    pub password_stdin: bool,
    /// One-time code for the IdP's MFA page.
    #[arg(long)]
    pub mfa_code: Option<String>,
    /// Command printing the one-time code, run with `sh -c` when a code is asked (overrides
    /// saml_mfa_command), e.g. "ykman oath accounts code -s corp"; its last word of output is used.
    #[arg(long, value_name = "CMD")]
    pub mfa_command: Option<String>,
    /// IdP start URL (overrides saml_url).
    #[arg(long)]
    pub url: Option<String>,
    /// Provider file name (overrides saml_provider); default: detect from the pages.
    #[arg(long)]
    pub provider: Option<String>,
    /// Never prompt: fail instead (implied when stdin is not a terminal).
    #[arg(long)]
    pub non_interactive: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Gateway role: ARN, role name, or ACCOUNT_ID/ROLE_NAME (overrides saml_role).
    #[arg(long)]
    pub role: Option<String>,
    /// Only these chained profiles (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "no_chain")]
    pub chain: Option<Vec<String>>,
    /// Only the gateway profile.
    #[arg(long)]
    pub no_chain: bool,
    /// Gateway session duration in seconds (overrides duration_seconds).
    #[arg(long)]
    pub duration: Option<i32>,
}

#[derive(Debug, Args)]
pub struct RolesArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn mfa_command_is_one_argument() {
        let cli = Cli::try_parse_from([
            "samlbridge",
            "login",
            "--mfa-command",
            "ykman oath accounts code -s corp",
        ])
        .unwrap();
        let Command::Login(args) = cli.command else {
            panic!("not login")
        };
        assert_eq!(
            args.sign_in.mfa_command.as_deref(),
            Some("ykman oath accounts code -s corp")
        );
    }
}
