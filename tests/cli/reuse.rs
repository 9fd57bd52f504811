//! IdP session reuse and what a cached session belongs to (issue 3): a second `login` with no password
//! and no terminal signs in from the saved IdP session, a fresh one is not signed in again, `logout`
//! forgets both, another username never gets the first one's session, an IdP that forgot the session
//! falls back to the password, and editing a profile's role never serves the old role's credentials.

use crate::sessions::process_answer;
use crate::world::{self, ALICE, BOB, World};

#[test]
fn changing_the_gateways_saml_role_does_not_serve_the_old_cached_credentials() {
    let world = World::start(BOB);
    let config = world::config(&world.adfs.sign_in_url(), BOB.username);
    let with_role = |role: &str| {
        config.replace(
            &format!("saml_username = {}\n", BOB.username),
            &format!("saml_username = {}\nsaml_role = {role}\n", BOB.username),
        )
    };
    world.sandbox.write_config(&with_role(world::GATEWAY_ADMIN));
    let admin = process_answer(&world.credential_process("corp", &[]));
    world.issued_for(&admin, world::GATEWAY_ADMIN);

    world
        .sandbox
        .write_config(&with_role(world::GATEWAY_READONLY));
    let out = world.credential_process("corp", &[]);
    let readonly = process_answer(&out);
    assert_ne!(
        readonly.access_key_id,
        admin.access_key_id,
        "{}",
        out.dump()
    );
    world.issued_for(&readonly, world::GATEWAY_READONLY);

    // And back: the first role's session is still cached under its own key.
    world.sandbox.write_config(&with_role(world::GATEWAY_ADMIN));
    let before = world.traffic();
    let again = process_answer(&world.credential_process("corp", &[]));
    assert_eq!(again, admin);
    assert_eq!(world.traffic(), before);
}

#[test]
fn changing_a_chained_profiles_saml_role_does_not_serve_the_old_cached_credentials() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username);
    let prod = process_answer(&world.credential_process("prod", &[]));
    world.issued_for(&prod, world::PROD_ADMINS);

    let moved = config.replace(
        &format!("saml_role = {}\n", world::PROD_ADMINS),
        &format!("saml_role = {}\n", world::STAGING_DEPLOYER),
    );
    world.sandbox.write_config(&moved);
    let before = world.traffic();
    let other = process_answer(&world.credential_process("prod", &[]));
    world.issued_for(&other, world::STAGING_DEPLOYER);
    let after = world.traffic();
    assert_eq!(
        after.idp_requests, before.idp_requests,
        "the gateway's cached session was used"
    );
    assert_eq!(after.sts_calls, before.sts_calls + 1);
}
#[test]
fn a_second_login_with_no_password_and_no_terminal_signs_in_from_the_saved_idp_session() {
    let mut world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let first_gateway = world.sts.sessions_of(world::GATEWAY_ADMIN);
    world.forget_password();
    let before = world.traffic();
    world
        .login(&["--force", "--non-interactive"])
        .expect_code(0);
    let after = world.traffic();
    assert_eq!(
        after.idp_posts, before.idp_posts,
        "a password or code was posted although the IdP session was saved"
    );
    assert!(after.idp_requests > before.idp_requests);
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 2);
    for (profile, role) in [
        ("corp", world::GATEWAY_ADMIN),
        ("prod", world::PROD_ADMINS),
        ("staging", world::STAGING_DEPLOYER),
        ("audit", world::AUDITOR),
    ] {
        world.assert_profile_holds(profile, role);
    }
    let written = world.sandbox.credentials_ini()["corp"]["aws_access_key_id"].clone();
    assert_ne!(
        Some(&written),
        first_gateway.first().map(|s| &s.access_key_id),
        "the new session was written"
    );
}

#[test]
fn a_second_login_while_fresh_says_so_and_asks_neither_the_idp_nor_sts() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let file = world.sandbox.credentials_bytes();
    let before = world.traffic();
    let out = world.login(&[]);
    out.expect_code(0).expect_stderr_contains("still fresh");
    assert_eq!(world.traffic(), before, "{}", out.dump());
    assert_eq!(
        world.sandbox.credentials_bytes(),
        file,
        "the file was rewritten"
    );
}

#[test]
fn logout_forgets_the_idp_session_and_the_cache_so_a_person_must_sign_in_again() {
    let mut world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let file = world.sandbox.credentials_bytes();
    world
        .sandbox
        .run(&["logout", "--profile", "corp"])
        .expect_code(0);
    world.forget_password();
    let calls = world.sts.calls().len();

    let out = world.login(&["--force"]);
    out.expect_code(3);
    assert!(
        out.stderr.to_lowercase().contains("password"),
        "{}",
        out.dump()
    );
    let cp = world.credential_process("prod", &[]);
    cp.expect_code(3)
        .expect_stderr_contains("samlbridge login --profile corp");
    assert_eq!(
        world.sts.calls().len(),
        calls,
        "nothing was served or renewed"
    );
    assert_eq!(
        world.sandbox.credentials_bytes(),
        file,
        "a failed login wrote"
    );
}

#[test]
fn another_username_never_gets_the_saved_session_of_the_first() {
    let mut world = World::start(ALICE);
    world.login(&["--no-chain"]).expect_code(0);
    world.forget_password();
    let calls = world.sts.calls().len();
    let out = world.login(&["--force", "--no-chain", "--username", BOB.username]);
    out.expect_code(3);
    assert_eq!(world.sts.calls().len(), calls, "{}", world.sts.log_text());
}
#[test]
fn a_saved_session_the_idp_no_longer_honours_falls_back_to_the_password() {
    let mut world = World::start(ALICE);
    world.login(&["--no-chain"]).expect_code(0);
    // A new IdP on the same host: the saved cookies are sent, and it does not know them.
    let restarted = crate::support::adfs::AdfsEmulator::start(world::users());
    world
        .sandbox
        .write_config(&world::config(&restarted.sign_in_url(), ALICE.username));
    world.forget_password();
    let out = world.login(&["--no-chain"]);
    out.expect_code(3);
    assert!(
        restarted.posts().is_empty(),
        "nothing to post without a password"
    );

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    world.login(&["--no-chain"]).expect_code(0);
    let posted = restarted.posts().concat();
    assert!(
        posted
            .iter()
            .any(|(k, v)| k == "Password" && v == ALICE.password),
        "{posted:?}"
    );
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}
