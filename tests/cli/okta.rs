//! Okta end to end (issues 3 and 4): the built binary signs in through the Okta emulator's
//! Authentication API (password, then a TOTP code from --mfa-code), assumes the role the app's
//! SAMLResponse offers at the STS emulator and writes the profile; Okta's refusals end in exit 3 with
//! Okta's own words; a saved Okta session spares the password and the code next time.

use crate::harness::Sandbox;
use samlbridge_emulators::okta::{OktaEmulator, OktaFactor, OktaUser};
use samlbridge_emulators::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};
use std::time::Duration;

const LOGIN: &str = "frank@corp.example";
const PASSWORD: &str = "Okta-fr4nk's pass&word";
const CODE: &str = "482913";
const ROLE: &str = "arn:aws:iam::111111111111:role/OktaAdmins";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Okta";
const CHILD_ROLE: &str = "arn:aws:iam::333333333333:role/Admins";

struct OktaWorld {
    okta: OktaEmulator,
    sts: StsEmulator,
    sandbox: Sandbox,
}

fn start() -> OktaWorld {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "http://www.okta.com/exk1sb2aws3okta4emu".into(),
        name_id: LOGIN.into(),
        session_name: Some(LOGIN.into()),
        roles: vec![SamlRole::new(ROLE, PROVIDER)],
        session_duration: Some(3600),
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(600),
        style: XmlStyle::SamlPrefix,
    });
    let user = OktaUser::new(LOGIN, PASSWORD).with(OktaFactor::Totp {
        provider: "GOOGLE".into(),
        code: CODE.into(),
    });
    let okta = OktaEmulator::start(vec![user], &xml);
    let sts = StsEmulator::start(
        StsConfig::default()
            .role(StsRole::new(ROLE))
            .role(StsRole::new(CHILD_ROLE).trust(ROLE)),
    );
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile okta]\nsaml_provider = okta\nsaml_url = {}\nsaml_username = {LOGIN}\nregion = eu-west-1\n\n[profile okta-prod]\nsaml_source = okta\nsaml_role = {CHILD_ROLE}\n",
        okta.app_url()
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", PASSWORD);
    OktaWorld { okta, sts, sandbox }
}

impl OktaWorld {
    /// The profile's written key, which must be one the STS issued for `role`.
    #[track_caller]
    fn assert_written(&self, profile: &str, role: &str) -> String {
        let ini = self.sandbox.credentials_ini();
        let key = ini
            .get(profile)
            .and_then(|s| s.get("aws_access_key_id"))
            .cloned()
            .unwrap_or_default();
        match self.sts.session(&key) {
            Some(issued) => assert_eq!(issued.role_arn, role),
            None => panic!(
                "[{profile}] holds {key:?}, never issued\n{}",
                self.sandbox.credentials_text()
            ),
        }
        key
    }

    fn posts_to(&self, path_start: &str) -> usize {
        self.okta
            .api_hits()
            .iter()
            .filter(|h| h.method == "POST" && h.path.starts_with(path_start))
            .count()
    }
}

#[test]
fn okta_with_a_totp_code_from_the_flag_writes_the_gateway_and_its_chain() {
    let world = start();
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "okta",
        "--mfa-code",
        CODE,
        "--non-interactive",
    ]);
    out.expect_code(0);
    world.assert_written("okta", ROLE);
    world.assert_written("okta-prod", CHILD_ROLE);
    let authn = world
        .okta
        .api_hits()
        .into_iter()
        .find(|h| h.path == "/api/v1/authn")
        .map(|h| h.json());
    assert_eq!(
        authn.as_ref().and_then(|b| b["password"].as_str()),
        Some(PASSWORD),
        "{authn:?}"
    );
    let verified = world
        .okta
        .api_hits()
        .into_iter()
        .any(|h| h.path.contains("/factors/") && h.json()["passCode"].as_str() == Some(CODE));
    assert!(
        verified,
        "the TOTP code was not sent: {:?}",
        world.okta.api_hits()
    );
    assert!(
        !out.all_output().contains(PASSWORD) && !out.all_output().contains(CODE),
        "{}",
        out.dump()
    );
}

#[test]
fn okta_refusing_the_password_exits_3_with_oktas_words_and_writes_nothing() {
    let mut world = start();
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not-franks-password");
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "okta", "--mfa-code", CODE]);
    out.expect_code(3)
        .expect_stderr_contains("Authentication failed");
    assert!(world.sandbox.credentials_bytes().is_none());
    assert_eq!(
        world.posts_to("/api/v1/authn"),
        1,
        "no retry against a lockout"
    );
}

#[test]
fn okta_refusing_the_code_exits_3_with_oktas_words() {
    let world = start();
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "okta", "--mfa-code", "000000"]);
    out.expect_code(3)
        .expect_stderr_contains("Invalid Passcode/Answer");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn okta_credential_process_answers_from_the_cache_after_the_first_sign_in() {
    let world = start();
    let first = world.sandbox.run(&[
        "credential-process",
        "--profile",
        "okta-prod",
        "--mfa-code",
        CODE,
    ]);
    let answer = crate::sessions::process_answer(&first);
    assert_eq!(
        world.sts.session(&answer.access_key_id).map(|s| s.role_arn),
        Some(CHILD_ROLE.to_string())
    );
    let (hits, calls) = (world.okta.hits().len(), world.sts.calls().len());
    let again = world
        .sandbox
        .run(&["credential-process", "--profile", "okta-prod"]);
    assert_eq!(crate::sessions::process_answer(&again), answer);
    assert_eq!(
        (world.okta.hits().len(), world.sts.calls().len()),
        (hits, calls)
    );
}

/// Issue 3, part 1: "A login first tries the saved session with no password; only if the IdP shows
/// its login form again does it ask for the password and MFA". Okta's provider always starts with
/// `/api/v1/authn` and never tries the saved `sid` cookie at the app link first.
#[test]
fn okta_a_second_login_reuses_the_saved_okta_session_without_password_or_code() {
    let mut world = start();
    world
        .sandbox
        .run(&["login", "--profile", "okta", "--mfa-code", CODE])
        .expect_code(0);
    let first = world.assert_written("okta", ROLE);
    world.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let authn_before = world.posts_to("/api/v1/authn");
    let out = world
        .sandbox
        .run(&["login", "--profile", "okta", "--force", "--non-interactive"]);
    out.expect_code(0);
    assert_eq!(
        world.posts_to("/api/v1/authn"),
        authn_before,
        "the password was asked for again"
    );
    assert_ne!(world.assert_written("okta", ROLE), first, "a new session");
}
