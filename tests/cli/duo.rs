//! Issue 20: an AD FS whose second factor is Duo's Universal Prompt, end to end through the built
//! binary: the password is posted once, Duo's push or passcode passes, AD FS posts the SAMLResponse,
//! the gateway profile holds keys STS issued; a denied push or a wrong passcode is exit 3 in Duo's
//! words with the credentials file untouched.

use crate::harness::Outcome;
use crate::world::{self, GATEWAY_ADMIN, PROVIDER, Person, World};
use samlbridge_emulators::adfs::{AdfsConfig, AdfsUser};
use samlbridge_emulators::duo::{self, DuoConfig, DuoDevice, DuoEmulator, DuoUser, PushAnswer};
use samlbridge_emulators::saml::SamlRole;
use std::time::Duration;

const PAT: Person = Person {
    username: "pat@corp.example",
    password: "pat-Duo-Pass-5",
};
const PASSCODE: &str = "246810";

/// An AD FS and its Duo, with `pat` the Duo user.
struct DuoWorld {
    duo: DuoEmulator,
    world: World,
}

impl DuoWorld {
    fn start(user: DuoUser, extra_config: &str) -> DuoWorld {
        let duo = DuoEmulator::start(DuoConfig::default().user(user));
        let adfs = AdfsConfig::default().duo(duo.service()).user(
            AdfsUser::new(PAT.username, PAT.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .duo(),
        );
        let world = World::with(adfs, world::roles(), PAT);
        let config = world::config(&world.adfs.sign_in_url(), PAT.username).replacen(
            "region = eu-west-1\n\n[profile prod]",
            &format!("region = eu-west-1\n{extra_config}\n[profile prod]"),
            1,
        );
        world.sandbox.write_config(&config);
        DuoWorld { duo, world }
    }

    fn password_posts(&self) -> usize {
        self.world
            .adfs
            .posts()
            .iter()
            .filter(|p| p.iter().any(|(k, _)| k == "Password"))
            .count()
    }

    #[track_caller]
    fn assert_refused(&self, out: &Outcome, duo_words: &str) {
        out.expect_code(3).expect_stderr_contains(duo_words);
        assert_eq!(
            self.world.sandbox.credentials_bytes(),
            None,
            "nothing written"
        );
        assert!(self.world.sts.calls().is_empty());
    }

    /// A run that must not reach STS.
    fn sts_unused(&self) {
        self.world.sts.expect_unused();
    }
}

fn phone() -> DuoDevice {
    DuoDevice::phone("Pat's iPhone", "7788")
}

#[test]
fn duo_push_approved_after_a_few_polls_writes_the_gateway_profile() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Approve(Duration::from_millis(1200)));
    let w = DuoWorld::start(user, "");
    let out = w.world.login(&[]);
    out.expect_code(0)
        .expect_stderr_contains("Duo Push sent to Pat's iPhone (…7788)");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.pushes(), ["Pat's iPhone"]);
    assert!(w.duo.status_polls() >= 2, "{}", w.duo.status_polls());
    assert_eq!(w.duo.codes_exchanged(), 1);
    assert_eq!(w.password_posts(), 1);
}

#[test]
fn a_denied_push_is_exit_3_in_duos_words() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Deny(Duration::from_millis(500)));
    let w = DuoWorld::start(user, "saml_mfa_factor = push\n");
    w.sts_unused();
    let out = w.world.login(&[]);
    w.assert_refused(&out, duo::DENIED);
    assert_eq!(w.password_posts(), 1);
}

#[test]
fn a_push_nobody_answers_is_exit_3_when_duo_gives_up() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Ignore(Duration::from_millis(800)));
    let w = DuoWorld::start(user, "");
    w.sts_unused();
    let out = w.world.login(&[]);
    w.assert_refused(&out, duo::TIMED_OUT);
}

#[test]
fn passcode_from_mfa_code_right_then_wrong() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .passcode(PASSCODE);
    let w = DuoWorld::start(user, "");
    let wrong = w.world.login(&["--mfa-code", "135791"]);
    w.assert_refused(&wrong, duo::WRONG_PASSCODE);
    assert!(!wrong.all_output().contains(PAT.password));
    let right = w.world.login(&["--mfa-code", PASSCODE]);
    right.expect_code(0);
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.passcodes_tried(), ["135791", PASSCODE]);
    assert!(
        w.duo.pushes().is_empty(),
        "a code at hand is used, not a push"
    );
}

#[test]
fn passcode_from_the_mfa_command_for_a_user_without_push() {
    let user = DuoUser::new(PAT.username)
        .device(DuoDevice::phone("Token", "0000").without_push())
        .passcode(PASSCODE);
    let w = DuoWorld::start(user, "saml_mfa_factor = passcode\n");
    let out = w
        .world
        .login(&["--mfa-command", &format!("echo {PASSCODE}")]);
    out.expect_code(0);
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.passcodes_tried(), [PASSCODE]);
}

#[test]
fn no_usable_factor_is_exit_3_naming_the_choices() {
    let user = DuoUser::new(PAT.username).device(phone().without_push());
    let w = DuoWorld::start(user, "saml_mfa_factor = push\n");
    w.sts_unused();
    let out = w.world.login(&[]);
    out.expect_code(3)
        .expect_stderr_contains("offers: passcode")
        .expect_stderr_contains("saml_mfa_factor");
    assert_eq!(w.world.sandbox.credentials_bytes(), None);
    assert!(w.duo.pushes().is_empty());
}
