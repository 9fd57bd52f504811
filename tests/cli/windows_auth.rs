//! Windows integrated sign-in (issue 11) end to end: the release binary against an MIT KDC per
//! test and the AD FS / Keycloak emulators, whose acceptors are real GSSAPI and NTLM. Skipped
//! when the peers are absent, failed when SAMLBRIDGE_REAL_PEERS=required (CI).

use crate::harness::Outcome;
use crate::real_peers::{Tool, available};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::adfs::AdfsUser;
use samlbridge_emulators::krb::keycloak::{ChallengeBody, KeycloakConfig, KeycloakEmulator};
use samlbridge_emulators::krb::{self, Acceptor, IntegratedAuth, Kdc, NtlmUser};
use samlbridge_emulators::saml::SamlRole;
use std::sync::Arc;

/// The NTLM account as a user writes it in saml_username.
const NTLM_USER: &str = "CORP\\alice";

/// A KDC, the AD FS emulator with integrated auth (Negotiate and NTLM), the STS, and `corp`
/// (with its chain) configured with `saml_auth = MODE`.
struct Farm {
    kdc: Kdc,
    world: World,
}

impl Farm {
    fn start(mode: &str, username: &str) -> Farm {
        let kdc = Kdc::start();
        let ntlm = [NtlmUser::new("CORP", krb::USER, krb::PASSWORD)];
        let wia = IntegratedAuth::new(Arc::new(Acceptor::start(Some(&kdc), &ntlm)));
        let mut world = World::with(world::users().integrated(wia), world::roles(), ALICE);
        world.forget_password();
        let config = world::config(&world.adfs.sign_in_url(), username).replace(
            "[profile corp]\n",
            &format!("[profile corp]\nsaml_auth = {mode}\n"),
        );
        world.sandbox.write_config(&config);
        Farm { kdc, world }
    }

    /// KRB5_CONFIG and KRB5CCNAME for this ccache.
    fn use_ccache(&mut self, ccache: &std::path::Path) {
        for (name, value) in self.kdc.client_env(ccache) {
            self.world.sandbox.set_env(&name, &value);
        }
    }

    fn kinit(&mut self) {
        let ccache = match self.kdc.kinit(krb::USER, krb::PASSWORD) {
            Ok(c) => c,
            Err(e) => panic!("kinit: {e}\n{}", self.kdc.log()),
        };
        self.use_ccache(&ccache);
    }

    fn login(&self, args: &[&str]) -> Outcome {
        self.world.login(args)
    }

    /// A run that must fail before AWS is asked anything.
    fn login_fails(&self, args: &[&str]) -> Outcome {
        self.world.sts.expect_unused();
        self.world.login(args)
    }
}

#[test]
fn kerberos_ticket_signs_in_without_a_password_and_writes_the_chain() {
    if !available(
        "kerberos_ticket_signs_in_without_a_password",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    farm.kinit();
    let out = farm.login(&["--non-interactive", "-vv"]);
    out.expect_code(0);
    farm.world
        .assert_profile_holds("corp", world::GATEWAY_ADMIN);
    farm.world.assert_profile_holds("prod", world::PROD_ADMINS);
    farm.world.assert_profile_holds("audit", world::AUDITOR);
    assert!(farm.world.adfs.posts().is_empty(), "no form was posted");
    // the service ticket was for the host as written in the URL
    assert!(
        farm.kdc.log().contains("HTTP/127.0.0.1@"),
        "{}",
        farm.kdc.log()
    );
}

#[test]
fn no_ticket_is_exit_3_naming_kinit() {
    if !available("no_ticket_is_exit_3_naming_kinit", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    let empty = farm.kdc.empty_ccache();
    farm.use_ccache(&empty);
    let out = farm.login_fails(&["--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains("no Kerberos ticket")
        .expect_stderr_contains(&format!("kinit {}", ALICE.username));
    assert!(farm.world.adfs.issued_assertions().is_empty());
}

#[test]
fn an_expired_ticket_is_exit_3_saying_so() {
    if !available("an_expired_ticket_is_exit_3_saying_so", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    let expired = farm.kdc.expired_ccache(krb::USER, krb::PASSWORD);
    farm.use_ccache(&expired);
    farm.login_fails(&["--non-interactive"])
        .expect_code(3)
        .expect_stderr_contains("expired")
        .expect_stderr_contains("kinit");
}

#[test]
fn an_unreachable_kdc_is_exit_5() {
    if !available("an_unreachable_kdc_is_exit_5", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    farm.kinit();
    farm.kdc.stop();
    farm.login_fails(&["--non-interactive"])
        .expect_code(5)
        .expect_stderr_contains("KDC");
}

#[test]
fn a_ticket_the_idp_refuses_is_exit_3_with_its_words() {
    if !available("a_ticket_the_idp_refuses_is_exit_3", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    farm.kdc.rotate_service_keys();
    farm.kinit();
    farm.login_fails(&["--non-interactive"])
        .expect_code(3)
        .expect_stderr_contains("127.0.0.1 rejected the sign-in");
}

#[test]
fn ntlm_signs_in_with_the_right_password_and_is_exit_3_with_a_wrong_one() {
    if !available("ntlm_right_and_wrong_password", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("ntlm", NTLM_USER);
    farm.world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not-the-password");
    let out = farm.login(&["--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains("rejected the sign-in");
    assert!(
        !out.all_output().contains("not-the-password"),
        "{}",
        out.dump()
    );
    assert!(farm.world.adfs.issued_assertions().is_empty());

    farm.world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", krb::PASSWORD);
    let out = farm.login(&["--non-interactive", "-vv"]);
    out.expect_code(0);
    assert!(!out.all_output().contains(krb::PASSWORD), "{}", out.dump());
    farm.world
        .assert_profile_holds("corp", world::GATEWAY_ADMIN);
    farm.world
        .assert_profile_holds("staging", world::STAGING_DEPLOYER);
}

#[test]
fn auth_flag_overrides_the_profile_and_a_forms_profile_is_unaffected() {
    if !available("auth_flag_overrides_the_profile", &[Tool::Kerberos]) {
        return;
    }
    // saml_auth = form (the default) on a farm that offers integrated auth: the forms page
    let mut farm = Farm::start("form", ALICE.username);
    farm.world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    farm.login(&["--non-interactive"]).expect_code(0);
    assert!(!farm.world.adfs.posts().is_empty(), "the form was posted");
    // the same profile with --auth kerberos and a ticket: no form
    farm.kinit();
    farm.world.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let posts = farm.world.adfs.posts().len();
    farm.login(&["--non-interactive", "--auth", "kerberos", "--force"])
        .expect_code(0);
    assert_eq!(
        farm.world.adfs.posts().len(),
        posts,
        "no form posted with kerberos"
    );
}

#[test]
fn a_bad_saml_auth_is_exit_2_naming_the_key() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username)
        .replace("[profile corp]\n", "[profile corp]\nsaml_auth = kerb\n");
    world.sandbox.write_config(&config);
    world
        .login(&["--non-interactive"])
        .expect_code(2)
        .expect_stderr_contains("saml_auth")
        .expect_stderr_contains("kerberos");
    world.adfs.expect_unused();
    world.sts.expect_unused();
}

/// The Keycloak realm with Kerberos on: `401 Negotiate` with the login form as its body.
fn keycloak(kdc: &Kdc) -> KeycloakEmulator {
    let acceptor = Arc::new(Acceptor::start(Some(kdc), &[]));
    KeycloakEmulator::start(
        KeycloakConfig::default()
            .user(
                AdfsUser::new(krb::USER, KC_PASSWORD)
                    .role(SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)),
            )
            .negotiate(IntegratedAuth::new(acceptor).schemes(&["Negotiate"]))
            .body(ChallengeBody::LoginForm),
    )
}

const KC_PASSWORD: &str = "keycloak-form-pw";

#[test]
fn keycloak_401_negotiate_page_is_a_page_with_form_and_answered_with_kerberos() {
    if !available("keycloak_401_negotiate", &[Tool::Kerberos]) {
        return;
    }
    let kdc = Kdc::start();
    let kc = keycloak(&kdc);
    let sts = samlbridge_emulators::sts::StsEmulator::start(world::roles());
    let mut sandbox = crate::harness::Sandbox::new();
    let config = world::config(&kc.sign_in_url(), krb::USER);
    sandbox.write_config(&config);
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", KC_PASSWORD);
    sandbox
        .run(&[
            "login",
            "--profile",
            "corp",
            "--non-interactive",
            "--no-chain",
        ])
        .expect_code(0);
    assert_eq!(kc.issued_assertions().len(), 1);

    let ccache = match kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}"),
    };
    for (name, value) in kdc.client_env(&ccache) {
        sandbox.set_env(&name, &value);
    }
    sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let config = config.replace("[profile corp]\n", "[profile corp]\nsaml_auth = kerberos\n");
    sandbox.write_config(&config);
    sandbox
        .run(&[
            "login",
            "--profile",
            "corp",
            "--non-interactive",
            "--no-chain",
            "--force",
        ])
        .expect_code(0);
    assert_eq!(kc.issued_assertions().len(), 2);
}

#[test]
fn refresh_with_an_expired_ticket_says_to_run_kinit() {
    if !available("refresh_with_an_expired_ticket", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    let expired = farm.kdc.expired_ccache(krb::USER, krb::PASSWORD);
    farm.use_ccache(&expired);
    farm.world.sts.expect_unused();
    farm.world
        .sandbox
        .run(&["refresh", "--profile", "corp"])
        .expect_code(3)
        .expect_stderr_contains("the Kerberos ticket has expired: run kinit");
    // with a fresh ticket the same refresh renews, with no password anywhere
    let mut farm = Farm::start("kerberos", ALICE.username);
    farm.kinit();
    farm.world
        .sandbox
        .run(&["refresh", "--profile", "corp"])
        .expect_code(0);
    farm.world
        .assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn credential_process_signs_in_with_the_ticket() {
    if !available("credential_process_with_kerberos", &[Tool::Kerberos]) {
        return;
    }
    let mut farm = Farm::start("kerberos", ALICE.username);
    farm.kinit();
    let out = farm.world.sandbox.run(&[
        "credential-process",
        "--profile",
        "prod",
        "--non-interactive",
    ]);
    out.expect_code(0);
    assert!(out.stdout.contains("\"SessionToken\""), "{}", out.dump());
    assert!(farm.world.adfs.posts().is_empty(), "no form was posted");
}
