//! Issue 20, the browser engine: an AD FS whose second factor is Duo's Universal Prompt, signed in
//! through a real Chromium, headless. The prompt's own script runs (the emulator's prompt behaves as
//! Duo's: a push sent by itself, "Other options", the passcode view); samlbridge waits on the push,
//! or goes to the passcode and types it; a denied push is exit 3 in Duo's words with the
//! credentials file untouched. After every run, no browser process of the test is left.
//!
//! Skipped with a note when no Chromium is installed, unless SAMLBRIDGE_REAL_PEERS=required.

use crate::browser_signin::{assert_no_browser_left, browser_config, have_chromium};
use crate::duo::DuoWorld;
use crate::harness::Outcome;
use crate::world::{GATEWAY_ADMIN, Person, World};
use samlbridge_emulators::adfs::AdfsConfig;
use samlbridge_emulators::duo::{self, DuoConfig, DuoDevice, DuoEmulator, DuoUser, PushAnswer};
use std::time::Duration;

const SAM: Person = Person {
    username: "sam@corp.example",
    password: "sam-Duo-Browser-8",
};
const PASSCODE: &str = "975310";
/// What the credentials file holds before a sign-in that must not write it.
const EARLIER: &str =
    "[unrelated]\naws_access_key_id = AKIAEARLIER\naws_secret_access_key = kept\n";

/// An AD FS and its Duo, with `sam` the Duo user, and `corp` signing in through the browser.
struct DuoBrowserWorld {
    duo: DuoEmulator,
    world: World,
}

impl DuoBrowserWorld {
    fn start(user: DuoUser, extra_config: &str) -> DuoBrowserWorld {
        Self::start_with(DuoConfig::default(), user, extra_config)
    }

    fn start_with(duo: DuoConfig, user: DuoUser, extra_config: &str) -> DuoBrowserWorld {
        let DuoWorld { duo, world } = DuoWorld::farm(duo, AdfsConfig::default(), user, SAM);
        world.sandbox.write_config(&browser_config(
            &world.adfs.sign_in_url(),
            SAM.username,
            extra_config,
        ));
        DuoBrowserWorld { duo, world }
    }

    fn login(&self, args: &[&str]) -> Outcome {
        let out = self.world.login(args);
        assert_no_browser_left(&self.world.sandbox);
        out
    }

    fn password_posts(&self) -> usize {
        self.world.password_posts()
    }
}

fn phone() -> DuoDevice {
    DuoDevice::phone("Sam's Pixel", "4455")
}

/// A Verified Duo Push approved (its code shown on stderr), "Trust this browser?" answered yes: once
/// AD FS forgot its session, the next sign-in passes Duo without a second factor.
#[test]
fn duo_push_approved_in_the_browser_writes_the_gateway_profile() {
    if !have_chromium("duo_push_approved_in_the_browser") {
        return;
    }
    // Approved after the push page was read (a page whose long poll is in flight is read once it
    // stayed still for 5 s).
    let user = DuoUser::new(SAM.username)
        .device(phone())
        .verified_push("417")
        .push_answer(PushAnswer::Approve(Duration::from_secs(8)));
    let remember = DuoConfig::default().remember_for(Duration::from_secs(3600));
    let w = DuoBrowserWorld::start_with(remember, user, "");
    let out = w.login(&[]);
    out.expect_code(0)
        .expect_stderr_contains("Duo Push sent: approve it in Duo Mobile")
        .expect_stderr_contains("Verified Duo Push: type 417 in Duo Mobile");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.pushes(), ["Sam's Pixel"], "the prompt's own push");
    assert!(w.duo.status_polls() >= 2, "{}", w.duo.status_polls());
    assert_eq!(w.duo.codes_exchanged(), 1);
    assert_eq!(w.password_posts(), 1);
    assert!(w.duo.passcodes_tried().is_empty());
    w.world.adfs.forget_sessions();
    let again = w.login(&["--force"]);
    again.expect_code(0);
    assert_eq!(w.duo.pushes().len(), 1, "no second push: {}", again.dump());
    assert_eq!(w.duo.remembered_sign_ins(), 1);
}

#[test]
fn duo_passcode_from_mfa_code_goes_by_other_options_in_the_browser() {
    if !have_chromium("duo_passcode_from_mfa_code_in_the_browser") {
        return;
    }
    // The push the prompt sends by itself is never answered: only the passcode can pass.
    let user = DuoUser::new(SAM.username)
        .device(phone())
        .passcode(PASSCODE)
        .push_answer(PushAnswer::Ignore(Duration::from_secs(120)));
    let w = DuoBrowserWorld::start(user, "");
    let out = w.login(&["-vv", "--mfa-code", PASSCODE]);
    out.expect_code(0);
    let said = out.all_output();
    assert!(!said.contains(PASSCODE), "the passcode is never shown");
    assert!(!said.contains(SAM.password), "the password is never shown");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.passcodes_tried(), [PASSCODE]);
    assert_eq!(w.duo.codes_exchanged(), 1);
}

#[test]
fn a_wrong_duo_passcode_in_the_browser_is_exit_3_in_duos_words() {
    if !have_chromium("a_wrong_duo_passcode_in_the_browser") {
        return;
    }
    let user = DuoUser::new(SAM.username)
        .device(phone())
        .passcode(PASSCODE)
        .push_answer(PushAnswer::Ignore(Duration::from_secs(120)));
    let w = DuoBrowserWorld::start(user, "saml_mfa_factor = passcode\n");
    w.world.sandbox.seed_credentials(EARLIER);
    w.world.sts.expect_unused();
    let out = w.login(&["--mfa-command", "echo 111222"]);
    out.expect_code(3)
        .expect_stderr_contains(duo::WRONG_PASSCODE);
    assert_eq!(w.duo.passcodes_tried(), ["111222"]);
    assert_eq!(
        w.world.sandbox.credentials_bytes().as_deref(),
        Some(EARLIER.as_bytes())
    );
}

#[test]
fn a_denied_duo_push_in_the_browser_is_exit_3_in_duos_words() {
    if !have_chromium("a_denied_duo_push_in_the_browser") {
        return;
    }
    let user = DuoUser::new(SAM.username)
        .device(phone())
        .push_answer(PushAnswer::Deny(Duration::from_millis(1500)));
    let w = DuoBrowserWorld::start(user, "saml_mfa_factor = push\n");
    w.world.sandbox.seed_credentials(EARLIER);
    w.world.sts.expect_unused();
    let out = w.login(&[]);
    out.expect_code(3).expect_stderr_contains(duo::DENIED);
    assert_eq!(w.duo.pushes(), ["Sam's Pixel"]);
    assert_eq!(w.duo.codes_exchanged(), 0);
    assert_eq!(
        w.world.sandbox.credentials_bytes().as_deref(),
        Some(EARLIER.as_bytes()),
        "the credentials file is untouched"
    );
}
