//! samlbridge: sign in to a SAML IdP the way a browser does, assume the AWS gateway role, chain into
//! child-account roles in parallel, and write each as a profile.
//!
//! The pipeline, one wing a step: `cli` → `app` (one function a command) → `config` (flags, env and
//! ~/.aws/config resolved to a `Plan`) → `idp` (signing in: a `SamlAssertion`, asking `answers` for
//! the password, codes and choices) → `saml` (claims, roles) → `role` (the choice) → `sts` (the
//! gateway, then the chained hops) → `sink` (credentials file, credential_process, env/exec,
//! console, the local credential endpoint of `exec --server` and `serve`), with `state` (cache, IdP sessions, private files) kept between runs (`app::schedule`
//! runs `refresh` on a timer). Leaves every wing may use: `child`, `credentials`, `exit`,
//! `core_dumps`, `secret`, `shown`, `urls`. Arrows point one way: no module imports one that imports it back.

// A build without one of the optional parts (Cargo.toml's [features]; the fuzz targets' build) leaves
// unused what only that part calls: the full build is the one linted for dead code.
#![cfg_attr(
    not(all(feature = "browser", feature = "keychain", feature = "integrated")),
    allow(dead_code, unused_imports)
)]

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
mod core_dumps;
mod credentials;
mod exit;
#[doc(hidden)]
pub mod fuzzing;
mod idp;
mod role;
mod saml;
mod secret;
mod shown;
mod sink;
mod state;
mod sts;
#[cfg(test)]
mod testing;
mod urls;
