//! Sign-in through a real Chromium, headless, on a single-page sign-in application written like
//! today's vendors write them (issue 9): identifier first, a second screen reached by
//! history.pushState, controlled inputs without names, `<div role=button>` buttons enabled on the
//! next render, a "Continue with Google" button before the form, a spinner while fetch() runs, a
//! refusal in a toast that vanishes or over the whole body, a security-key screen. After every run,
//! no browser process of the test is left.

use crate::browser_signin::{
    alice_config_roles, assert_no_browser_left, browser_config, have_chromium, run_timed,
};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::jsidp::nimbus::{NimbusConfig, NimbusIdp, WRONG_PASSWORD_WORDS};
use std::time::Duration;

fn nimbus_config() -> NimbusConfig {
    NimbusConfig::new(ALICE.username, ALICE.password, alice_config_roles())
}

/// A wrong password, then the right one, then silently without one, then logout: exit 3.
#[test]
fn a_single_page_application_signs_in_refuses_in_a_toast_and_stays_signed_in() {
    if !have_chromium("a_single_page_application_signs_in") {
        return;
    }
    let idp = NimbusIdp::start(nimbus_config());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let wrong = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(WRONG_PASSWORD_WORDS);
    assert_eq!(idp.password_checks(), 1, "{}", wrong.dump());

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let right = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    right.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(idp.password_checks(), 2);
    assert_eq!(idp.federated(), 0, "the sign-in went to Google's button");

    world.forget_password();
    let silent = world.login(&["--force"]);
    assert_no_browser_left(&world.sandbox);
    silent.expect_code(0);
    assert_eq!(
        idp.password_checks(),
        2,
        "the second sign-in asked no password"
    );
    assert!(idp.sessions_used() >= 1);

    world
        .sandbox
        .run(&["logout", "--profile", "corp"])
        .expect_code(0);
    let after = world.login(&["--force"]);
    assert_no_browser_left(&world.sandbox);
    after.expect_code(3);
    assert_eq!(idp.password_checks(), 2, "no password was there to send");
}

#[test]
fn a_refusal_written_over_the_whole_page_is_exit_3_with_the_idps_words() {
    if !have_chromium("a_refusal_written_over_the_whole_page") {
        return;
    }
    let idp = NimbusIdp::start(nimbus_config().replace_body());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let (wrong, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(WRONG_PASSWORD_WORDS);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_security_key_screen_of_a_single_page_application_is_exit_3_within_its_bound() {
    if !have_chromium("a_security_key_screen_of_a_single_page_application") {
        return;
    }
    let idp = NimbusIdp::start(nimbus_config().security_key());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    let (outcome, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(3);
    outcome.expect_stderr_contains("samlbridge login --browser");
    outcome.expect_stderr_contains("security key");
    assert_eq!(idp.password_checks(), 1);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// Buttons of a press library (pointer down, then up) and a toast gone within a second.
#[test]
fn pointer_pressed_buttons_and_a_toast_that_vanishes_at_once_still_give_the_idps_words() {
    if !have_chromium("pointer_pressed_buttons_and_a_toast_that_vanishes") {
        return;
    }
    let config = nimbus_config()
        .pointer_press()
        .toast(Duration::from_millis(700));
    let idp = NimbusIdp::start(config);
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let wrong = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(WRONG_PASSWORD_WORDS);

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let right = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    right.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(idp.password_checks(), 2);
}

/// An Okta profile (`saml_provider = okta`, whose own engine is Okta's API) signs in with
/// `--headless` (a browser, no window) through a widget-style page: the page's rules, not the API client.
#[test]
fn an_okta_profile_signs_in_through_the_browser_headless() {
    if !have_chromium("an_okta_profile_signs_in_through_the_browser") {
        return;
    }
    let idp = NimbusIdp::start(nimbus_config());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    let config = world::config(&idp.sign_in_url(), ALICE.username).replacen(
        "[profile corp]\n",
        "[profile corp]\nsaml_provider = okta\n",
        1,
    );
    world.sandbox.write_config(&config);
    let out = world.login(&["--headless"]);
    assert_no_browser_left(&world.sandbox);
    out.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(idp.password_checks(), 1);
}

/// One form that changes in place, with a password input for password managers kept out of sight
/// on its first screen, a submit button outside the form, and a refusal written later where the
/// input's aria-describedby points.
#[test]
fn a_form_changing_in_place_with_a_hidden_password_input_signs_in_and_refuses_in_words() {
    use samlbridge_emulators::jsidp::kestrel::{self, KestrelIdp};
    if !have_chromium("a_form_changing_in_place") {
        return;
    }
    let idp = KestrelIdp::start(ALICE.username, ALICE.password, alice_config_roles());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let wrong = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(kestrel::WRONG_PASSWORD_WORDS);
    assert_eq!(idp.password_checks(), 1, "{}", wrong.dump());

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let right = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    right.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);

    world.forget_password();
    let silent = world.login(&["--force"]);
    assert_no_browser_left(&world.sandbox);
    silent.expect_code(0);
    assert_eq!(idp.password_checks(), 2);
    assert!(idp.sessions_used() >= 1);
}
