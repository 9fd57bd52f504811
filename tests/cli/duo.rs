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
        Self::start_with(AdfsConfig::default(), user, extra_config)
    }

    fn start_with(adfs: AdfsConfig, user: DuoUser, extra_config: &str) -> DuoWorld {
        let duo = DuoEmulator::start(DuoConfig::default().user(user));
        let adfs = adfs.duo(duo.service()).user(
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
fn saml_duo_device_pushes_to_the_phone_it_names() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .device(DuoDevice::phone("Work Pixel", "5566"))
        .push_answer(PushAnswer::Approve(Duration::from_millis(300)));
    let w = DuoWorld::start(user, "saml_duo_device = 5566\n");
    w.world
        .login(&[])
        .expect_code(0)
        .expect_stderr_contains("Duo Push sent to Work Pixel (…5566)");
    assert_eq!(w.duo.pushes(), ["Work Pixel"]);
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
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
    let right = w.world.login(&["-vv", "--mfa-code", PASSCODE]);
    right.expect_code(0);
    let said = right.all_output();
    assert!(!said.contains(PASSCODE), "the passcode is never shown");
    assert!(!said.contains(PAT.password), "the password is never shown");
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

/// The emulator checked against a real public Duo client: aws-adfs (its Duo Universal Prompt
/// support) signs in through the AD FS and Duo emulators with a push and gets keys from the STS
/// emulator. Runs when SAMLBRIDGE_AWS_ADFS_PYTHON names a Python with aws-adfs installed (its
/// AD FS URL is made http, as the emulators serve loopback http, and its look-up of account aliases
/// at signin.aws.amazon.com is left out); skipped otherwise.
#[test]
fn real_aws_adfs_gets_through_the_duo_emulator() {
    let Ok(python) = std::env::var("SAMLBRIDGE_AWS_ADFS_PYTHON") else {
        eprintln!("skipped: SAMLBRIDGE_AWS_ADFS_PYTHON is not set");
        return;
    };
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Approve(Duration::from_millis(800)));
    // One line of base64: aws-adfs hands the SAMLResponse to STS as the page holds it.
    let adfs = AdfsConfig {
        wrap_base64: None,
        ..AdfsConfig::default()
    };
    let mut w = DuoWorld::start_with(adfs.direct_post(), user, "");
    let host = w.world.adfs.server().addr().to_string();
    let script = "import sys, aws_adfs.html_roles_fetcher as f\n\
                  f._IDP_ENTRY_URL = 'http://{}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp={}'\n\
                  import aws_adfs.account_aliases_fetcher as a\n\
                  a.account_aliases = lambda *args, **kwargs: {}\n\
                  from aws_adfs.commands import cli\n\
                  sys.argv[0] = 'aws-adfs'\n\
                  cli()\n";
    // aws-adfs creates ~/.aws/credentials but not its folder.
    crate::harness::mkdir(&w.world.sandbox.root().join("home/.aws"));
    w.world.sandbox.set_env("username", PAT.username);
    w.world.sandbox.set_env("password", PAT.password);
    let out = w.world.sandbox.run_program(
        &python,
        &[
            "-c",
            script,
            "-v",
            "login",
            "--adfs-host",
            &host,
            "--provider-id",
            "urn:amazon:webservices",
            "--env",
            "--no-sspi",
            "--stdout",
            "--region",
            "eu-west-1",
            "--role-arn",
            GATEWAY_ADMIN,
            "--duo-factor",
            "Duo Push",
            "--duo-device",
            "phone1",
            "--no-session-cache",
        ],
    );
    w.world.sandbox.remove_env("password");
    out.expect_code(0);
    assert!(out.stdout.contains("SessionToken"), "{}", out.dump());
    assert_eq!(w.duo.pushes(), ["Pat's iPhone"]);
    assert_eq!(w.duo.codes_exchanged(), 1);
    assert_eq!(w.world.sts.calls().len(), 1);
}
