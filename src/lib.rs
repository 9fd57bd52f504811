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

mod answers;
pub mod app;
mod child;
pub mod cli;
mod config;
mod credentials;
mod exit;
#[doc(hidden)]
pub mod fuzzing;
mod idp;
mod role;
mod saml;
mod schedule;
mod secret;
mod shown;
mod sink;
mod state;
mod sts;
#[cfg(test)]
mod testhttp;
#[cfg(test)]
mod testlog;
