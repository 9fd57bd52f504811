//! The one integration test binary: the built samlbridge against the AD FS and STS emulators in
//! tests/support, and against real peers (SimpleSAMLphp, moto, the AWS CLI) when they are installed.
//! Its modules live in tests/cli/.

mod support;

#[path = "cli/browser.rs"]
mod browser;
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/real_peers.rs"]
mod real_peers;
#[path = "cli/world.rs"]
mod world;

#[path = "cli/assertion_roles.rs"]
mod assertion_roles;
#[path = "cli/browser_bench.rs"]
mod browser_bench;
#[path = "cli/browser_real.rs"]
mod browser_real;
#[path = "cli/browser_signin.rs"]
mod browser_signin;
#[path = "cli/browser_window.rs"]
mod browser_window;
#[path = "cli/emulators_adfs.rs"]
mod emulators_adfs;
#[path = "cli/emulators_sdk.rs"]
mod emulators_sdk;
#[path = "cli/emulators_sts.rs"]
mod emulators_sts;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/files.rs"]
mod files;
#[path = "cli/front.rs"]
mod front;
#[path = "cli/hostile_sts.rs"]
mod hostile_sts;
#[path = "cli/local_checks.rs"]
mod local_checks;
#[path = "cli/login.rs"]
mod login;
#[path = "cli/okta.rs"]
mod okta;
#[path = "cli/real_lemonldap.rs"]
mod real_lemonldap;
#[path = "cli/real_moto.rs"]
mod real_moto;
#[path = "cli/real_simplesamlphp.rs"]
mod real_simplesamlphp;
#[path = "cli/refresh.rs"]
mod refresh;
#[path = "cli/reuse.rs"]
mod reuse;
#[path = "cli/roles.rs"]
mod roles;
#[path = "cli/secrets.rs"]
mod secrets;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/sessions.rs"]
mod sessions;
#[path = "cli/signin.rs"]
mod signin;
#[path = "cli/terminal.rs"]
mod terminal;
