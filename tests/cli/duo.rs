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
pub struct DuoWorld {
    pub duo: DuoEmulator,
    pub world: World,
}

impl DuoWorld {
    fn start(user: DuoUser, extra_config: &str) -> DuoWorld {
        Self::start_with(AdfsConfig::default(), user, extra_config)
    }

    fn start_with(adfs: AdfsConfig, user: DuoUser, extra_config: &str) -> DuoWorld {
        Self::start_full(DuoConfig::default(), adfs, user, extra_config)
    }

    /// Duo's newer single-page prompt (the authorize URL leads to it).
    fn single_page(user: DuoUser, extra_config: &str) -> DuoWorld {
        let duo = DuoConfig::default().single_page();
        Self::start_full(duo, AdfsConfig::default(), user, extra_config)
    }

    /// Duo's newer single-page prompt, where the frameless page's plugin form leads to it.
    fn single_page_after_plugin_form(user: DuoUser, extra_config: &str) -> DuoWorld {
        let duo = DuoConfig::default().single_page_after_plugin_form();
        Self::start_full(duo, AdfsConfig::default(), user, extra_config)
    }

    fn start_full(duo: DuoConfig, adfs: AdfsConfig, user: DuoUser, extra_config: &str) -> DuoWorld {
        let DuoWorld { duo, world } = Self::farm(duo, adfs, user, PAT);
        let config = world::config(&world.adfs.sign_in_url(), PAT.username).replacen(
            "region = eu-west-1\n\n[profile prod]",
            &format!("region = eu-west-1\n{extra_config}\n[profile prod]"),
            1,
        );
        world.sandbox.write_config(&config);
        DuoWorld { duo, world }
    }

    /// The Duo and AD FS emulators with `person` the Duo user, the STS; no config written.
    pub fn farm(duo: DuoConfig, adfs: AdfsConfig, user: DuoUser, person: Person) -> DuoWorld {
        let duo = DuoEmulator::start(duo.user(user));
        let adfs = adfs.duo(duo.service()).user(
            AdfsUser::new(person.username, person.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .duo(),
        );
        let world = World::with(adfs, world::roles(), person);
        DuoWorld { duo, world }
    }

    fn password_posts(&self) -> usize {
        self.world.password_posts()
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
        .expect_stderr_contains("Duo offers no Duo Push to this user")
        .expect_stderr_contains(
            "phone call to Pat's iPhone (…7788), text message to Pat's iPhone (…7788), passcode",
        )
        .expect_stderr_contains("saml_mfa_factor");
    assert_eq!(w.world.sandbox.credentials_bytes(), None);
    assert!(w.duo.pushes().is_empty());
}

#[test]
fn a_phone_call_answered_writes_the_gateway_profile() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .call_answer(PushAnswer::Approve(Duration::from_millis(300)));
    let w = DuoWorld::start(user, "saml_mfa_factor = phone\n");
    w.world
        .login(&[])
        .expect_code(0)
        .expect_stderr_contains("Duo is calling Pat's iPhone (…7788)");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.calls(), ["Pat's iPhone"]);
    assert!(w.duo.pushes().is_empty());
}

#[test]
fn a_call_declined_is_exit_3_in_duos_words() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .call_answer(PushAnswer::Deny(Duration::from_millis(200)));
    let w = DuoWorld::start(user, "saml_mfa_factor = call\n");
    w.sts_unused();
    let out = w.world.login(&[]);
    w.assert_refused(&out, duo::DENIED);
}

#[test]
fn passcodes_by_text_message_are_asked_for_after_duo_sent_them() {
    let user = DuoUser::new(PAT.username)
        .device(DuoDevice::tablet("iPad"))
        .device(phone())
        .sms_passcode("909090");
    let w = DuoWorld::start(user, "saml_mfa_factor = sms\n");
    let out = w.world.login(&["--mfa-command", "echo 909090"]);
    out.expect_code(0)
        .expect_stderr_contains("Duo sent passcodes by text message to Pat's iPhone (…7788)");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.texts(), ["Pat's iPhone"], "not to the tablet");
    assert_eq!(w.duo.passcodes_tried(), ["909090"]);
    assert!(!out.all_output().contains("909090"));
}

#[test]
fn a_verified_push_shows_the_code_to_type_once() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .verified_push("417")
        .push_answer(PushAnswer::Approve(Duration::from_millis(1500)));
    let w = DuoWorld::start(user, "");
    let out = w.world.login(&[]);
    out.expect_code(0)
        .expect_stderr_contains("Verified Duo Push: type 417 in Duo Mobile");
    assert_eq!(out.stderr.matches("type 417").count(), 1, "{}", out.dump());
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
}

#[test]
fn duos_remember_me_spares_the_second_factor_until_logout() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Approve(Duration::from_millis(200)));
    let duo = DuoConfig::default().remember_for(Duration::from_secs(3600));
    let w = DuoWorld::start_full(duo, AdfsConfig::default(), user, "");
    w.world.login(&[]).expect_code(0);
    assert_eq!(w.duo.pushes().len(), 1);
    // AD FS forgets its session; Duo still remembers this user's browser.
    w.world.adfs.forget_sessions();
    let again = w.world.login(&["--force"]);
    again.expect_code(0);
    assert_eq!(w.duo.pushes().len(), 1, "no second push: {}", again.dump());
    assert_eq!(w.duo.remembered_sign_ins(), 1, "{}", again.dump());
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    w.world
        .sandbox
        .run(&["logout", "--profile", "corp"])
        .expect_code(0);
    w.world.adfs.forget_sessions();
    w.world.login(&["--force"]).expect_code(0);
    assert_eq!(w.duo.pushes().len(), 2, "logout forgot Duo's cookie");
    assert_eq!(w.duo.remembered_sign_ins(), 1);
}

#[test]
fn ctrl_c_during_a_push_stops_at_once_and_writes_nothing() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .push_answer(PushAnswer::Ignore(Duration::from_secs(60)));
    let w = DuoWorld::start(user, "");
    w.sts_unused();
    let mut child = w.world.sandbox.spawn_piped(&["login", "--profile", "corp"]);
    let asked = std::time::Instant::now();
    while w.duo.pushes().is_empty() && asked.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(w.duo.pushes().len(), 1, "the push was sent");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: kill(2) on the child this test started; it cannot be another process yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let stopped = std::time::Instant::now();
    let status = child.wait().expect("the child is waited for");
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "stopped at once"
    );
    assert!(!status.success(), "{status:?}");
    assert_eq!(w.world.sandbox.credentials_bytes(), None, "nothing written");
    // Nothing left behind that stops the next run (a lock, a half-written file).
    let user_again = w.world.login(&["--mfa-code", "000000"]);
    user_again.expect_code(3);
}

#[test]
fn duos_single_page_prompt_push_approved() {
    let user = DuoUser::new(PAT.username)
        .device(DuoDevice::tablet("iPad"))
        .device(phone())
        .verified_push("938")
        .push_answer(PushAnswer::Approve(Duration::from_millis(1200)));
    let w = DuoWorld::single_page(user, "saml_duo_device = 7788\n");
    let out = w.world.login(&[]);
    out.expect_code(0)
        .expect_stderr_contains("Duo Push sent to Pat's iPhone (…7788)")
        .expect_stderr_contains("type 938 in Duo Mobile");
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    assert_eq!(w.duo.pushes(), ["Pat's iPhone"]);
    assert_eq!(w.duo.codes_exchanged(), 1);
    assert_eq!(w.password_posts(), 1);
}

#[test]
fn duos_single_page_prompt_denied_push_and_wrong_passcode_are_exit_3() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .passcode(PASSCODE)
        .push_answer(PushAnswer::Deny(Duration::from_millis(300)));
    let w = DuoWorld::single_page(user, "");
    w.sts_unused();
    let denied = w.world.login(&[]);
    w.assert_refused(&denied, duo::DENIED);
    let wrong = w.world.login(&["--mfa-code", "111111"]);
    w.assert_refused(&wrong, duo::WRONG_PASSCODE);
}

#[test]
fn duos_single_page_prompt_passcode_and_call() {
    let user = DuoUser::new(PAT.username)
        .device(phone())
        .passcode(PASSCODE)
        .call_answer(PushAnswer::Approve(Duration::from_millis(200)));
    let w = DuoWorld::single_page(user.clone(), "");
    let out = w
        .world
        .login(&["-vv", "--mfa-command", &format!("echo {PASSCODE}")]);
    out.expect_code(0);
    let said = out.all_output();
    assert!(
        !said.contains(PASSCODE) && !said.contains(PAT.password),
        "{}",
        out.dump()
    );
    assert_eq!(w.duo.passcodes_tried(), [PASSCODE]);
    w.world.assert_profile_holds("corp", GATEWAY_ADMIN);
    let call = DuoWorld::single_page_after_plugin_form(user, "saml_mfa_factor = phone\n");
    call.world
        .login(&[])
        .expect_code(0)
        .expect_stderr_contains("Duo is calling Pat's iPhone (…7788)");
    assert_eq!(call.duo.calls(), ["Pat's iPhone"]);
    call.world.assert_profile_holds("corp", GATEWAY_ADMIN);
}

/// The emulator checked against a real public Duo client: aws-adfs (its Duo Universal Prompt
/// support) signs in through the AD FS and Duo emulators with a push and gets keys from the STS
/// emulator, through the frame prompt and through the single-page one. Runs when
/// SAMLBRIDGE_AWS_ADFS_PYTHON names a Python with aws-adfs installed (its AD FS URL is made http, as
/// the emulators serve loopback http, so are its single-page prompt's URLs, and its look-up of
/// account aliases at signin.aws.amazon.com is left out); skipped otherwise.
#[test]
fn real_aws_adfs_gets_through_the_duo_emulator() {
    real_aws_adfs(DuoConfig::default());
}

#[test]
fn real_aws_adfs_gets_through_the_duo_emulators_single_page_prompt() {
    // aws-adfs looks for the single-page prompt where the authorize URL leads.
    real_aws_adfs(DuoConfig::default().single_page());
}

fn real_aws_adfs(duo: DuoConfig) {
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
    let mut w = DuoWorld::start_full(duo, adfs.direct_post(), user, "");
    let host = w.world.adfs.server().addr().to_string();
    let script = "import sys, aws_adfs.html_roles_fetcher as f\n\
                  f._IDP_ENTRY_URL = 'http://{}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp={}'\n\
                  import aws_adfs._duo_universal_prompt_authenticator as d\n\
                  if hasattr(d, '_pwl_url'):\n\
                  \x20   d._pwl_url = lambda ctx, path: 'http://{}/prompt/{}{}'.format(ctx['host'], ctx['akey'], path)\n\
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
