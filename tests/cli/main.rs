//! The one integration test binary: the built samlbridge against the AD FS and STS emulators of
//! tests/support (the `samlbridge-emulators` crate), and against real peers (SimpleSAMLphp, moto, the
//! AWS CLI) when they are installed.

mod browser;
mod harness;
mod real_peers;
mod world;

mod assertion_roles;
mod browser_attacks;
mod browser_bench;
mod browser_real;
mod browser_signin;
mod browser_spa;
mod browser_tls;
mod browser_window;
mod config_paths;
mod credential_server;
mod doctor;
mod doctor_integrated;
mod duo;
mod duo_browser;
mod emulators_adfs;
mod emulators_duo;
mod emulators_entra;
mod emulators_krb;
mod emulators_okta_idx;
mod emulators_sdk;
mod emulators_sts;
mod entra;
mod errors;
mod files;
mod front;
mod hostile_sts;
mod local_checks;
mod login;
mod many;
mod okta;
mod okta_idx;
mod okta_idx_real;
mod real_lemonldap;
mod real_moto;
mod real_simplesamlphp;
mod refresh;
mod reuse;
mod roles;
mod secrets;
mod serve;
mod sessions;
mod setup;
mod setup_completions;
mod setup_terminal;
mod setup_tls;
mod signin;
mod terminal;
mod windows_auth;
mod windows_auth_hosts;
