//! The flags of `setup` (write ~/.aws/config profiles from one sign-in), `completions` and `man`.

use super::SignInArgs;
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The profile to write (--profile), the IdP (--url), who signs in (--username), and the
    /// password sources: as for `login`.
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Gateway role: ARN, role name, or ACCOUNT_ID/ROLE_NAME (default: the picker, or the only role).
    #[arg(long)]
    pub role: Option<String>,
    /// Also write one gateway profile per role offered, named PREFIX-<alias or account id>-<role>.
    #[arg(long, value_name = "PREFIX")]
    pub all_roles: Option<String>,
    /// A profile chained from the gateway profile (repeat for more): NAME=ROLE_ARN.
    #[arg(long, value_name = "NAME=ROLE_ARN")]
    pub chain: Vec<String>,
    /// The region written into the gateway profile(s).
    #[arg(long)]
    pub region: Option<String>,
    /// PEM file of your company's CA, for an IdP whose certificate is not publicly trusted (written
    /// as saml_ca_bundle).
    #[arg(long, value_name = "PEM")]
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Replace profiles that already exist in the config file without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print the completion script for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}
