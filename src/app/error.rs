//! The errors that cross module seams, and the one place they become exit codes (`crate::exit`).
//! Every message names the profile, host or file, and says what to do next.

pub use crate::exit::ExitKind;
/// Outside text made safe for one line of the terminal (for the front binary's own messages).
pub use crate::shown::message;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags or a request that cannot be served as asked (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The operating system or the process's surroundings failed us, not the person's flags or
    /// config: no async runtime, no path to our own executable, no HTTP client (exit 1).
    #[error("{0}")]
    System(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Idp(#[from] crate::idp::IdpError),
    #[error(transparent)]
    Saml(#[from] crate::saml::SamlError),
    #[error(transparent)]
    Role(#[from] crate::role::RoleError),
    #[error(transparent)]
    Sts(#[from] crate::sts::StsError),
    #[error(transparent)]
    Files(#[from] crate::sink::credentials_file::FileError),
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    #[error(transparent)]
    Console(#[from] crate::sink::console::ConsoleError),
    #[error(transparent)]
    Exec(#[from] crate::sink::export::ExecError),
    #[error(transparent)]
    Keychain(#[from] crate::answers::keychain::KeychainError),
    #[error(transparent)]
    Schedule(#[from] crate::app::schedule::ScheduleError),
    /// Renewing needs a password, a code or a choice, and nobody is there to give it (exit 3).
    #[error("{0}")]
    PersonMustAct(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code: the kind's, except for `exec`, whose codes follow the shells'.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Exec(e) => e.code(),
            _ => self.exit_kind().code(),
        }
    }

    /// Says the error on stderr as one line safe for the terminal (`samlbridge: …`) and gives the
    /// exit code. Not eprintln!: a closed stderr must not turn an error into a panic.
    pub fn report(&self) -> u8 {
        use std::io::Write as _;
        let said = message(&self.to_string());
        let _ = writeln!(std::io::stderr(), "samlbridge: {said}");
        self.exit_code()
    }

    pub fn exit_kind(&self) -> ExitKind {
        match self {
            Error::Usage(_) => ExitKind::Usage,
            Error::Config(_) => ExitKind::Usage,
            Error::Idp(e) => e.exit_kind(),
            Error::Saml(_) => ExitKind::Unexpected,
            Error::Role(e) => e.exit_kind(),
            Error::Sts(e) => e.exit_kind(),
            Error::Console(e) => e.exit_kind(),
            Error::Keychain(e) => e.exit_kind(),
            Error::Schedule(e) => e.exit_kind(),
            Error::PersonMustAct(_) => ExitKind::AuthRejected,
            Error::System(_)
            | Error::Files(_)
            | Error::Io { .. }
            | Error::State(_)
            | Error::Exec(_) => ExitKind::Other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
