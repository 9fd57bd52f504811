//! The command line: clap structs only, no I/O. [xh]

use clap::{Args, Parser, Subcommand};

mod setup;
pub use setup::{CompletionShell, CompletionsArgs, SetupArgs};

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
    /// Print a profile's credentials as AWS credential_process JSON (cached; never prompts).
    CredentialProcess(CredentialProcessArgs),
    /// Print shell lines that export a profile's credentials.
    Env(EnvArgs),
    /// Run a command with a profile's credentials in its environment (with --server: from a local
    /// endpoint that keeps them fresh for as long as the command runs).
    Exec(ExecArgs),
    /// Serve profiles' credentials on a local endpoint the AWS SDKs ask (container credentials),
    /// renewing them as they near expiry, until SIGTERM or SIGINT. Prints the two `export` lines.
    #[command(
        long_about = "Serve profiles' credentials on a local endpoint the AWS SDKs ask (container credentials), renewing them as they near expiry, until SIGTERM or SIGINT.\n\nPrints two lines on stdout and nothing else, for a shell to source or a container's environment (e.g. `samlbridge serve --profile prod > \"$XDG_RUNTIME_DIR/prod.env\" &`, then `. \"$XDG_RUNTIME_DIR/prod.env\"`):\n  export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/profile/prod\n  export AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN\n\nThe endpoint listens on 127.0.0.1 only, on a port the OS picks; every request must carry the token (a fresh random one per run). `--profile a,b` serves several profiles, each at /profile/<name> on the same port and token; the URL printed is the first one's. Renewals never prompt: when a sign-in needs a person, requests get an error naming the command to run, and succeed again once it has been run in another terminal."
    )]
    Serve(ServeArgs),
    /// Open (or print) an AWS console sign-in URL for a profile.
    Console(ConsoleArgs),
    /// Renew profiles that expire soon, without prompting (for cron and timers).
    Refresh(RefreshArgs),
    /// Forget the saved IdP session and cached credentials of a profile.
    Logout(ProfileArgs),
    /// Forget the password kept in the OS keychain for a profile's IdP and username.
    Forget(ProfileArgs),
    /// List the provider files: built-in and your own.
    Providers,
    /// Explain what is wrong and what to do: config, credentials file, IdP, clocks, STS, sessions,
    /// keychain, scheduled refresh, browser (never signs in).
    Doctor(DoctorArgs),
    /// Write ~/.aws/config profiles for an IdP: probe the URL, sign in once, pick the role(s).
    Setup(SetupArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man,
}

/// How to sign in: shared by every command that may have to.
#[derive(Debug, Clone, Default, Args)]
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
    /// How to sign in to the IdP (overrides saml_auth): form (its pages, the default), kerberos
    /// (Windows integrated sign-in with the ticket from kinit or the domain logon, no password), or
    /// ntlm (integrated sign-in with the username and password).
    #[arg(long, value_name = "MODE", value_parser = ["form", "kerberos", "ntlm"])]
    pub auth: Option<String>,
    /// Never prompt: fail instead (implied when stdin is not a terminal).
    #[arg(long)]
    pub non_interactive: bool,
    /// Keep the password in the OS keychain after a successful sign-in, and look it up there next
    /// time (like saml_keychain = true).
    #[arg(long)]
    pub remember_password: bool,
    /// Also read account aliases from AWS's sign-in page (the assertion goes to AWS's own sign-in
    /// endpoint only); like saml_fetch_aliases = true.
    #[arg(long)]
    pub aliases: bool,
    /// Sign in through a browser window (Chromium, Chrome, Edge or Brave): complete whatever the
    /// IdP asks there (like saml_browser = true, with a window).
    #[arg(long, conflicts_with = "headless")]
    pub browser: bool,
    /// Sign in through the browser without a window: samlbridge fills the IdP's pages itself
    /// (like saml_browser_headless = true).
    #[arg(long)]
    pub headless: bool,
    /// Seconds a browser sign-in may take: a window waits this long for the person, a headless
    /// sign-in ends by then (default 300).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub browser_timeout: Option<u64>,
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
    /// Sign in even when every profile is still fresh.
    #[arg(long)]
    pub force: bool,
    /// Every gateway profile in the config (those with saml_url), each assuming its saml_role, with
    /// one sign-in per IdP and user (`--profile a,b,c` names several the same way).
    #[arg(long, conflicts_with_all = ["profile", "role"])]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The profile (default: AWS_PROFILE, else `default`).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Renew when less than this is left (e.g. 300, 5m; default: saml_refresh_window, else 5m).
    #[arg(long)]
    pub refresh_window: Option<String>,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// The shell to print for (default: from $SHELL, else bash).
    #[arg(long, value_enum)]
    pub shell: Option<ShellName>,
}

/// The shells `env` prints for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Give CMD no keys but a local endpoint (127.0.0.1, a random port and token) that the AWS SDKs
    /// ask for credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN),
    /// renewed ahead of expiry for as long as CMD runs, without prompting; it closes when CMD ends.
    #[arg(long)]
    pub server: bool,
    /// The command and its arguments, after `--`.
    #[arg(trailing_var_arg = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// How to sign in; `--profile a,b` serves several profiles, each at /profile/<name>.
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Print the URL on stdout instead of opening a browser.
    #[arg(long)]
    pub print: bool,
    /// Console session length in seconds (gateway profiles only; default: AWS's).
    #[arg(long)]
    pub duration: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Renew this profile (and its chained profiles).
    #[arg(long, short = 'p', conflicts_with = "all")]
    pub profile: Option<String>,
    /// Renew every SAML gateway profile in the config and their chained profiles, with one sign-in
    /// per IdP and user.
    #[arg(long)]
    pub all: bool,
    /// Renew what expires within this window (e.g. 15m, 1h; default 15m).
    #[arg(long, default_value = "15m")]
    pub within: String,
    /// How to sign in to the IdP (overrides saml_auth): form, kerberos or ntlm.
    #[arg(long, value_name = "MODE", value_parser = ["form", "kerberos", "ntlm"])]
    pub auth: Option<String>,
    /// Install a systemd user timer that runs `refresh --all` on a schedule.
    #[arg(long, conflicts_with_all = ["cron", "uninstall"])]
    pub install: bool,
    /// How often the timer or cron line runs (with --install or --cron).
    #[arg(long, default_value = "15m")]
    pub every: String,
    /// Print a crontab line instead of installing a timer.
    #[arg(long, conflicts_with = "uninstall")]
    pub cron: bool,
    /// Remove the systemd timer and service.
    #[arg(long)]
    pub uninstall: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Only this profile and its gateway (default: every SAML profile).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Print a JSON array of {check, status, message} on stdout.
    #[arg(long)]
    pub json: bool,
    /// Mend what can be mended safely: remove static keys that mask credential_process, make the
    /// credentials file 0600.
    #[arg(long)]
    pub fix: bool,
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
