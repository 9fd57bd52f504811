//! Signing in to the AD FS emulator: rejected passwords and codes (exit 3, the IdP's own words, an
//! untouched credentials file), the MFA page, the paginated flow, the password sources in their
//! order, a page nobody knows (exit 4) and an IdP nobody answers at (exit 5).

use crate::harness::Sandbox;
use crate::world::{self, ALICE, DANA, DANA_CODE, ERIN, World};
use samlbridge_emulators::adfs::pages;
use samlbridge_emulators::http::closed_port;

const SEEDED: &str = "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = keep\n\n[corp]\naws_access_key_id = ASIAOLD\n";

#[test]
fn a_wrong_password_exits_3_with_the_idps_words_and_touches_nothing() {
    let mut world = World::start(ALICE);
    world.sandbox.seed_credentials(SEEDED);
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not-alices-password");
    world.sts.expect_unused();
    let out = world.login(&[]);
    out.expect_code(3)
        .expect_stderr_contains(pages::WRONG_PASSWORD);
    assert_eq!(
        world.sandbox.credentials_bytes().as_deref(),
        Some(SEEDED.as_bytes())
    );
    assert_eq!(
        world.sandbox.aws_dir_listing(),
        vec!["credentials".to_string()]
    );
    let posts = world.adfs.posts();
    assert_eq!(
        posts.len(),
        1,
        "one attempt, no retry loop against a lockout policy"
    );
    let user_names = posts[0].iter().filter(|(k, _)| k == "UserName").count();
    assert_eq!(
        user_names, 1,
        "the options form's UserName was posted too: {:?}",
        posts[0]
    );
}

#[test]
fn the_mfa_page_takes_the_code_from_the_flag() {
    let world = World::start(DANA);
    world
        .login(&["--mfa-code", DANA_CODE, "--no-chain"])
        .expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let last = world.adfs.posts().pop().unwrap_or_default();
    assert!(
        last.iter()
            .any(|(k, v)| k == "VerificationCode" && v == DANA_CODE),
        "{last:?}"
    );
    assert!(
        last.iter().any(|(k, _)| k == "Context"),
        "the hidden Context was carried: {last:?}"
    );
}

#[test]
fn a_wrong_code_exits_3_with_the_idps_words() {
    let world = World::start(DANA);
    world.sts.expect_unused();
    let out = world.login(&["--mfa-code", "111111"]);
    out.expect_code(3).expect_stderr_contains(pages::WRONG_CODE);
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn an_mfa_page_without_a_code_and_without_a_terminal_fails_instead_of_prompting() {
    let world = World::start(DANA);
    world.sts.expect_unused();
    let out = world.login(&[]);
    assert!(
        matches!(out.code, Some(2) | Some(3)),
        "exit {:?}\n{}",
        out.code,
        out.dump()
    );
    out.expect_stderr_contains("--mfa-code");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn the_paginated_sign_in_posts_the_username_then_the_password() {
    let world = World::with(world::users().paginated(), world::roles(), ALICE);
    world.login(&[]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let posts = world.adfs.posts();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(
        posts[1]
            .iter()
            .any(|(k, v)| k == "Password" && v == ALICE.password)
    );
}

#[test]
fn password_stdin_comes_before_the_environment() {
    let mut world = World::start(ALICE);
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "the-environments-wrong-password");
    let out = world.sandbox.run_with_stdin(
        &[
            "login",
            "--profile",
            "corp",
            "--no-chain",
            "--password-stdin",
        ],
        &format!("{}\n", ALICE.password),
    );
    out.expect_code(0);
    let posted = world.adfs.posts().concat();
    assert!(
        posted
            .iter()
            .any(|(k, v)| k == "Password" && v == ALICE.password),
        "{posted:?}"
    );
}

#[test]
fn the_environment_gives_the_password_when_stdin_is_not_asked() {
    let world = World::start(ALICE);
    world.login(&["--no-chain"]).expect_code(0);
    let posted = world.adfs.posts().concat();
    assert!(
        posted
            .iter()
            .any(|(k, v)| k == "Password" && v == ALICE.password)
    );
}

#[test]
fn no_password_and_no_terminal_fails_without_writing() {
    let mut world = World::start(ALICE);
    world.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let out = world.login(&["--non-interactive"]);
    assert!(!matches!(out.code, Some(0) | None), "{}", out.dump());
    assert!(
        out.stderr.to_lowercase().contains("password"),
        "{}",
        out.dump()
    );
    assert!(world.sandbox.credentials_bytes().is_none());
    if world.adfs.server().total_hits() == 0 {
        world.adfs.expect_unused();
    }
    world.sts.expect_unused();
}

#[test]
fn a_page_nobody_knows_exits_4_naming_it() {
    let world = World::start(ERIN);
    world.sts.expect_unused();
    let out = world.login(&[]);
    out.expect_code(4)
        .expect_stderr_contains("Scheduled maintenance");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn an_idp_nobody_answers_at_exits_5() {
    let mut sandbox = Sandbox::new();
    let url = format!(
        "http://127.0.0.1:{}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
        closed_port()
    );
    sandbox.write_config(&world::config(&url, ALICE.username));
    sandbox.set_env(
        "AWS_ENDPOINT_URL_STS",
        &format!("http://127.0.0.1:{}", closed_port()),
    );
    sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let out = sandbox.run(&["login", "--profile", "corp"]);
    out.expect_code(5).expect_stderr_contains("127.0.0.1");
    assert!(sandbox.credentials_bytes().is_none());
}
