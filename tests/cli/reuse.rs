//! IdP session reuse and what a cached session belongs to (issue 3): a second `login` with no password
//! and no terminal signs in from the saved IdP session, a fresh one is not signed in again, `logout`
//! forgets both, another username never gets the first one's session, an IdP that forgot the session
//! falls back to the password (and a real SimpleSAMLphp's session is reused too), a deleted
//! credentials file is written again from the cache, the refresh window is read from the config (the
//! same one for `login` and `credential-process`, issue 8), and editing a profile's role never serves
//! the old role's credentials.

use crate::harness::Sandbox;
use crate::real_peers::{self, Tool};
use crate::sessions::process_answer;
use crate::world::{self, ALICE, BOB, World};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

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
    let restarted = samlbridge_emulators::adfs::AdfsEmulator::start(world::users());
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

#[test]
fn a_deleted_credentials_file_is_written_again_from_the_cache_without_signing_in() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let before_text = world.sandbox.credentials_text();
    if let Err(e) = std::fs::remove_file(&world.sandbox.credentials) {
        panic!("{e}");
    }
    let before = world.traffic();
    world.login(&[]).expect_code(0);
    assert_eq!(world.traffic(), before, "the cached sessions were enough");
    assert_eq!(world.sandbox.credentials_text(), before_text);
}

#[test]
fn the_refresh_window_comes_from_saml_refresh_window_and_a_bad_one_is_named() {
    let mut world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username);
    let first = process_answer(&world.credential_process("corp", &[]));
    world.forget_password();
    world.sandbox.write_config(&config.replace(
        "[profile corp]\n",
        "[profile corp]\nsaml_refresh_window = 10h\n",
    ));
    let renewed = process_answer(&world.credential_process("corp", &[]));
    assert_ne!(
        renewed.access_key_id, first.access_key_id,
        "10 h > 8 h left"
    );

    world.sandbox.write_config(&config.replace(
        "[profile corp]\n",
        "[profile corp]\nsaml_refresh_window = soon\n",
    ));
    let before = world.traffic();
    let out = world.credential_process("corp", &[]);
    out.expect_code(2)
        .expect_stderr_contains("saml_refresh_window")
        .expect_stderr_contains("soon");
    let out = world.credential_process("corp", &["--refresh-window=forever"]);
    out.expect_code(2)
        .expect_stderr_contains("--refresh-window");
    assert_eq!(world.traffic(), before);
}

/// The standard world with 1-hour gateway sessions and `saml_refresh_window = WINDOW` on the gateway.
fn one_hour_sessions_with_window(window: &str) -> World {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username);
    world.sandbox.write_config(&config.replace(
        "[profile corp]\n",
        &format!("[profile corp]\nduration_seconds = 3600\nsaml_refresh_window = {window}\n"),
    ));
    world
}

// Regression (issue 8): `login` used the default 5-minute window whatever the config said, while
// `credential-process` honoured `saml_refresh_window`.
#[test]
fn login_honours_saml_refresh_window_as_credential_process_does() {
    let world = one_hour_sessions_with_window("2h");
    world.login(&[]).expect_code(0);
    let before = world.traffic();
    let out = world.login(&[]);
    out.expect_code(0);
    assert!(!out.stderr.contains("still fresh"), "{}", out.dump());
    let after = world.traffic();
    assert!(after.idp_requests > before.idp_requests, "signed in again");
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 2);

    let world = one_hour_sessions_with_window("30m");
    world.login(&[]).expect_code(0);
    let before = world.traffic();
    world
        .login(&[])
        .expect_code(0)
        .expect_stderr_contains("still fresh");
    assert_eq!(world.traffic(), before, "1 h left is more than 30 m");
}

#[test]
fn credential_process_after_login_renews_by_the_same_window() {
    let world = one_hour_sessions_with_window("2h");
    world.login(&[]).expect_code(0);
    let before = world.traffic();
    // prod is chained from corp: the gateway's window is its window too.
    let renewed = process_answer(&world.credential_process("prod", &[]));
    assert!(world.traffic().sts_calls > before.sts_calls, "renewed");
    world.issued_for(&renewed, world::PROD_ADMINS);

    let world = one_hour_sessions_with_window("30m");
    world.login(&[]).expect_code(0);
    let before = world.traffic();
    process_answer(&world.credential_process("prod", &[]));
    process_answer(&world.credential_process("corp", &[]));
    assert_eq!(world.traffic(), before, "both answered from the cache");
}

#[test]
fn a_real_simplesamlphp_session_signs_in_again_without_a_password() {
    if !real_peers::available(
        "a_real_simplesamlphp_session_signs_in_again_without_a_password",
        &[Tool::SimpleSamlPhp],
    ) {
        return;
    }
    let idp = real_peers::start_simplesamlphp();
    let role = "arn:aws:iam::111111111111:role/GatewayReadOnly";
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(role).max_session(43200)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile ssp]\nsaml_url = {}\nsaml_username = alice\nsaml_role = GatewayReadOnly\nregion = eu-west-1\n",
        real_peers::simplesamlphp_sign_in_url(&idp)
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", "alice-Pass-1");
    sandbox.run(&["login", "--profile", "ssp"]).expect_code(0);
    sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let out = sandbox.run(&["login", "--profile", "ssp", "--force", "--non-interactive"]);
    out.expect_code(0);
    let saml = sts.calls_to("AssumeRoleWithSAML");
    assert_eq!(saml.len(), 2, "{}", sts.log_text());
    assert!(saml.iter().all(|c| c.outcome.is_ok()), "{}", sts.log_text());
    let written = sandbox.credentials_ini()["ssp"]["aws_access_key_id"].clone();
    assert_eq!(saml[1].outcome.as_ref().ok(), Some(&written));
}
