//! The one integration test binary: the built samlbridge against the AD FS and STS emulators in
//! tests/support, and against real peers (SimpleSAMLphp, moto, the AWS CLI) when they are installed.

mod support;

#[path = "cli/emulators.rs"]
mod emulators;
#[path = "cli/emulators_sdk.rs"]
mod emulators_sdk;
#[path = "cli/harness.rs"]
mod harness;
#[path = "cli/world.rs"]
mod world;
