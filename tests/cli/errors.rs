//! Failures a user must be able to act on: configuration loops and missing profiles (exit 2, before
//! any network), STS refusals (exit 4 with STS's code and the profile, nothing written), an STS
//! nobody answers at (exit 5), and flags that contradict each other.

use crate::harness::Sandbox;
use crate::world::{self, ALICE, World};
use samlbridge_emulators::http::closed_port;
use samlbridge_emulators::sts::{StsConfig, StsRole};

#[test]
fn a_loop_in_the_config_exits_2_naming_its_profiles_before_any_network() {
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let config = format!(
        "{}\n[profile loop-a]\nsaml_source = loop-b\nsaml_role = {}\n\n[profile loop-b]\nsaml_source = loop-a\nsaml_role = {}\n",
        world::config(&world.adfs.sign_in_url(), ALICE.username),
        world::PROD_ADMINS,
        world::STAGING_DEPLOYER
    );
    world.sandbox.write_config(&config);
    let out = world.sandbox.run(&["login", "--profile", "loop-a"]);
    out.expect_code(2)
        .expect_stderr_contains("loop-a")
        .expect_stderr_contains("loop-b");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn an_unknown_profile_exits_2_naming_it_and_the_file() {
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let out = world.sandbox.run(&["login", "--profile", "nosuch"]);
    out.expect_code(2)
        .expect_stderr_contains("nosuch")
        .expect_stderr_contains(&world.sandbox.config.display().to_string());
}

#[test]
fn the_profile_from_aws_profile_is_the_default() {
    let mut world = World::start(ALICE);
    world.sandbox.set_env("AWS_PROFILE", "corp");
    world.sandbox.run(&["login", "--no-chain"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn an_sts_refusal_exits_4_with_stss_code_and_the_profile_and_writes_nothing() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        &format!("saml_external_id = {}\n", world::AUDIT_EXTERNAL_ID),
        "",
    );
    world.sandbox.write_config(&config);
    let seeded = "[corp]\naws_access_key_id = ASIAOLD\n";
    world.sandbox.seed_credentials(seeded);
    let out = world.login(&[]);
    out.expect_code(4)
        .expect_stderr_contains("AccessDenied")
        .expect_stderr_contains("audit");
    assert_eq!(
        world.sandbox.credentials_bytes().as_deref(),
        Some(seeded.as_bytes()),
        "nothing written when a chosen step fails"
    );
}

#[test]
fn a_gateway_role_sts_does_not_know_exits_4_naming_the_gateway_profile() {
    let sts = StsConfig::default().role(StsRole::new(world::PROD_ADMINS));
    let world = World::with(world::users(), sts, ALICE);
    let out = world.login(&[]);
    out.expect_code(4)
        .expect_stderr_contains("AccessDenied")
        .expect_stderr_contains("corp");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn an_sts_nobody_answers_at_exits_5() {
    let world = World::start(ALICE);
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&world::config(&world.adfs.sign_in_url(), ALICE.username));
    sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    sandbox.set_env(
        "AWS_ENDPOINT_URL_STS",
        &format!("http://127.0.0.1:{}", closed_port()),
    );
    world.sts.expect_unused();
    let out = sandbox.run(&["login", "--profile", "corp"]);
    out.expect_code(5);
    assert!(sandbox.credentials_bytes().is_none());
}

#[test]
fn contradicting_flags_are_a_usage_error() {
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .login(&["--no-chain", "--chain", "prod"])
        .expect_code(2);
}
