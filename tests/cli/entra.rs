//! Sign-in to an Entra ID-like IdP (issue 10) through a real Chromium, headless, with only
//! `saml_provider = entra` in the profile: password only, a code, push with number matching, the
//! method list and `saml_mfa_factor`, "Stay signed in?" and the silent second sign-in, refusals in
//! Entra's words, and a passkey-only account that needs a person.
//!
//! Skipped with a note when no Chromium is installed, unless SAMLBRIDGE_REAL_PEERS=required.

use crate::browser_signin::{assert_no_browser_left, have_chromium};
use crate::harness::Outcome;
use crate::world::{self, ALICE, World};
use samlbridge_emulators::entra::{EntraConfig, EntraEmulator, EntraUser, Method, PushAnswer};
use samlbridge_emulators::saml::SamlRole;
use std::time::{Duration, Instant};

/// An Entra account of Alice's with the gateway role the STS emulator expects.
fn alice() -> EntraUser {
    EntraUser::new(
        ALICE.username,
        ALICE.password,
        vec![SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)],
    )
}

/// The standard world whose `corp` profile signs in to `entra`, with `extra` lines.
fn entra_world(entra: &EntraEmulator, extra: &str) -> World {
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    let config = world::config(&entra.sign_in_url(), ALICE.username).replacen(
        "[profile corp]\n",
        &format!("[profile corp]\nsaml_provider = entra\n{extra}"),
        1,
    );
    world.sandbox.write_config(&config);
    world
}

fn login(world: &World, args: &[&str]) -> Outcome {
    let outcome = world.login(args);
    assert_no_browser_left(&world.sandbox);
    outcome
}

#[test]
fn entra_password_only_signs_in_headless_without_a_browser_line() {
    if !have_chromium("entra_password_only") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let world = entra_world(&entra, "");
    login(&world, &[]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let sign_ins = entra.sign_ins();
    assert_eq!(sign_ins.len(), 1, "{sign_ins:?}");
    assert!(!sign_ins[0].silent);
}

#[test]
fn entra_code_user_with_mfa_code_and_a_wrong_code_in_entras_words() {
    if !have_chromium("entra_code_user") {
        return;
    }
    let user = alice().method(Method::FixedCode("483920".into()));
    let entra = EntraEmulator::start(EntraConfig::default().user(user));
    let world = entra_world(&entra, "");
    let wrong = login(&world, &["--mfa-code", "111111"]);
    wrong
        .expect_code(3)
        .expect_stderr_contains("didn't enter the expected verification code");
    assert!(entra.sign_ins().is_empty());

    login(&world, &["--mfa-code", "483920"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let sign_ins = entra.sign_ins();
    assert_eq!(sign_ins.len(), 1, "{sign_ins:?}");
    assert_eq!(sign_ins[0].method.as_deref(), Some("PhoneAppOTP"));
}

#[test]
fn entra_wrong_password_is_exit_3_in_entras_words() {
    if !have_chromium("entra_wrong_password") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let mut world = entra_world(&entra, "");
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not-the-password");
    login(&world, &[])
        .expect_code(3)
        .expect_stderr_contains("account or password is incorrect");
    assert!(entra.sign_ins().is_empty());
    world.sts.expect_unused();
}

#[test]
fn entra_push_shows_the_number_and_waits_for_the_approval() {
    if !have_chromium("entra_push") {
        return;
    }
    let user = alice().method(Method::Push(PushAnswer::ApproveAfterPolls(3)));
    let entra = EntraEmulator::start(EntraConfig::default().user(user));
    let world = entra_world(&entra, "");
    let outcome = login(&world, &[]);
    outcome.expect_code(0);
    let numbers = entra.numbers_shown();
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    outcome.expect_stderr_contains(&numbers[0].to_string());
    assert!(entra.polls(ALICE.username) >= 3);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn entra_push_denied_is_exit_3() {
    if !have_chromium("entra_push_denied") {
        return;
    }
    let user = alice().method(Method::Push(PushAnswer::DenyAfterPolls(2)));
    let entra = EntraEmulator::start(EntraConfig::default().user(user));
    let world = entra_world(&entra, "");
    world.sts.expect_unused();
    login(&world, &[])
        .expect_code(3)
        .expect_stderr_contains("denied");
    assert!(entra.sign_ins().is_empty());
}

#[test]
fn entra_method_list_follows_saml_mfa_factor_code() {
    if !have_chromium("entra_method_list") {
        return;
    }
    let user = alice()
        .method(Method::Push(PushAnswer::Never))
        .method(Method::FixedCode("902114".into()))
        .start_with_method_list();
    let entra = EntraEmulator::start(EntraConfig::default().user(user));
    let world = entra_world(&entra, "saml_mfa_factor = code\n");
    login(&world, &["--mfa-code", "902114"]).expect_code(0);
    let sign_ins = entra.sign_ins();
    assert_eq!(sign_ins.len(), 1, "{sign_ins:?}");
    assert_eq!(sign_ins[0].method.as_deref(), Some("PhoneAppOTP"));
    assert!(entra.numbers_shown().is_empty(), "no push was begun");
}

#[test]
fn entra_stays_signed_in_and_the_second_sign_in_is_silent() {
    if !have_chromium("entra_kmsi") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let mut world = entra_world(&entra, "");
    login(&world, &[]).expect_code(0);
    let kmsi = entra.kmsi_answers();
    assert_eq!(kmsi.len(), 1, "{kmsi:?}");
    assert!(kmsi[0].stay_signed_in);

    world.forget_password();
    login(&world, &["--force"]).expect_code(0);
    let sign_ins = entra.sign_ins();
    assert_eq!(sign_ins.len(), 2, "{sign_ins:?}");
    assert!(sign_ins[1].silent, "{sign_ins:?}");
    assert_eq!(entra.password_posts(), 1);
}

#[test]
fn entra_stay_signed_in_false_answers_no() {
    if !have_chromium("entra_kmsi_no") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let world = entra_world(&entra, "saml_entra_stay_signed_in = false\n");
    login(&world, &[]).expect_code(0);
    let kmsi = entra.kmsi_answers();
    assert_eq!(kmsi.len(), 1, "{kmsi:?}");
    assert!(!kmsi[0].stay_signed_in);
}

#[test]
fn entra_passkey_only_account_needs_the_window_command_within_its_bound() {
    if !have_chromium("entra_passkey_only") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice().passkey_only()));
    let world = entra_world(&entra, "");
    world.sts.expect_unused();
    let started = Instant::now();
    login(&world, &[])
        .expect_code(3)
        .expect_stderr_contains("samlbridge login --browser");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(entra.sign_ins().is_empty());
}

#[test]
fn entra_is_detected_from_its_page_without_a_provider_line() {
    if !have_chromium("entra_detected") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    // No saml_provider, no saml_browser: the page's `$Config` says it is Entra's.
    world
        .sandbox
        .write_config(&world::config(&entra.sign_in_url(), ALICE.username));
    login(&world, &[]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(entra.sign_ins().len(), 1);
}

#[test]
fn entra_federated_to_adfs_continues_with_the_adfs_provider() {
    if !have_chromium("entra_federated") {
        return;
    }
    let world = World::with(
        world::users().federated_behind_entra(),
        world::roles(),
        ALICE,
    );
    let entra = EntraEmulator::start(
        EntraConfig::default().user(alice().federated(&world.adfs.sign_in_url())),
    );
    let config = world::config(&entra.sign_in_url(), ALICE.username).replacen(
        "[profile corp]\n",
        "[profile corp]\nsaml_provider = entra\n",
        1,
    );
    world.sandbox.write_config(&config);
    login(&world, &[]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(entra.password_posts(), 0, "the password went to AD FS only");
    assert_eq!(
        world.adfs.posts().len(),
        1,
        "AD FS's sign-in form was posted"
    );
}

#[test]
fn an_unknown_page_names_its_title_and_at_vv_a_private_dump_without_values() {
    if !have_chromium("entra_unknown_page") {
        return;
    }
    let entra = EntraEmulator::start(EntraConfig::default().user(alice()));
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    // An unknown tenant: Entra's error page, which no provider rule knows.
    let url = entra.sign_in_url().replace(
        &EntraConfig::default().tenant_id,
        "00000000-0000-0000-0000-000000000000",
    );
    let config = world::config(&url, ALICE.username).replacen(
        "[profile corp]\n",
        "[profile corp]\nsaml_provider = entra\n",
        1,
    );
    world.sandbox.write_config(&config);
    let outcome = login(&world, &["-vv"]);
    assert!(matches!(outcome.code, Some(3 | 4)), "{}", outcome.dump());
    let line = outcome
        .stderr
        .lines()
        .find(|l| l.contains("the page, without field values: "))
        .unwrap_or_else(|| panic!("no dump named:\n{}", outcome.dump()));
    assert!(line.contains("cannot answer headless ('"), "{line}");
    let path = line
        .rsplit("the page, without field values: ")
        .next()
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_default();
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert!(!text.contains(ALICE.password), "{text}");
}

#[test]
fn entra_unknown_locked_and_expired_accounts_are_exit_3_in_entras_words() {
    if !have_chromium("entra_account_states") {
        return;
    }
    let entra = EntraEmulator::start(
        EntraConfig::default()
            .user(alice().locked())
            .user(EntraUser::new("erin@corp.example", ALICE.password, vec![]).password_expired()),
    );
    for (user, words) in [
        (ALICE.username, "locked"),
        ("erin@corp.example", "password has expired"),
        ("nobody@corp.example", "username may be incorrect"),
    ] {
        let world = World::start(ALICE);
        world.adfs.expect_unused();
        world.sts.expect_unused();
        let config = world::config(&entra.sign_in_url(), user).replacen(
            "[profile corp]\n",
            "[profile corp]\nsaml_provider = entra\n",
            1,
        );
        world.sandbox.write_config(&config);
        login(&world, &[])
            .expect_code(3)
            .expect_stderr_contains(words);
    }
    assert!(entra.sign_ins().is_empty());
}

/// Regression (issue 18 §7): an Entra page whose scripts could not run keeps its body hidden; the
/// words of the "cannot answer headless" message are what the page shows, never its script source
/// (which holds the flow token).
#[test]
fn an_entra_page_whose_scripts_did_not_run_is_said_in_rendered_words_only() {
    if !have_chromium("an_entra_page_whose_scripts_did_not_run") {
        return;
    }
    let html = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/entra/scripts-not-run.html"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let page = samlbridge_emulators::http::TestServer::start(
        "entra without its scripts",
        std::sync::Arc::new(move |_| {
            samlbridge_emulators::http::HttpResponse::html(200, html.clone())
        }),
    );
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let config = world::config(&format!("{}/common/saml2", page.base_url()), ALICE.username)
        .replacen(
            "[profile corp]\n",
            "[profile corp]\nsaml_provider = entra\n",
            1,
        );
    world.sandbox.write_config(&config);
    let outcome = world.login(&["--browser-timeout", "60"]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(3);
    for leaked in ["CDATA", "$Config", "flow-s3cret", "appendLog", "function"] {
        assert!(
            !outcome.stderr.contains(leaked),
            "script source in the message ({leaked}):\n{}",
            outcome.stderr
        );
    }
}
