//! samlbridge: sign in to a SAML IdP the way a browser does, assume the AWS gateway role, chain into
//! child-account roles in parallel, and write each as a profile.
//!
//! The pipeline: cli → config (a `Plan`) → idp (a `SamlAssertion`) → saml (claims, roles) → role
//! (the choice) → sts (gateway, then chained hops) → awsfiles (the credentials file).

/// `eprintln!` that never panics: a run whose stderr reader has gone (`login 2>&1 | head -c1`) goes
/// on, as it does when stdout's reader has gone.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod aliases;
pub mod answers;
pub mod app;
pub mod awsfiles;
pub mod cache;
pub mod cli;
pub mod config;
pub mod console;
pub mod context;
pub mod duration;
pub mod error;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod idp;
pub mod keychain;
pub mod logging;
pub mod password;
pub(crate) mod private_file;
pub mod process;
pub mod prompt;
pub mod role;
pub mod saml;
pub mod schedule;
pub mod secret;
pub mod sessions;
pub mod shown;
pub mod state;
pub mod sts;
#[cfg(test)]
mod testing;
