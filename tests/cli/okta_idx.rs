//! Okta Identity Engine end to end (issue 21): the built binary starts at the AWS app's link, finds
//! the stateToken the org's sign-in page bootstraps, follows IDX's remediations (identify, password,
//! TOTP or Okta Verify push with number challenge), opens the success link and assumes the role
//! the app's SAMLResponse offers; Okta's refusals end in exit 3 in Okta's words with nothing
//! written, and the password goes to one API only, once.

use crate::harness::Sandbox;
use samlbridge_emulators::okta::{OieOrg, OktaEmulator, OktaFactor, OktaUser, PushOutcome};
use samlbridge_emulators::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};
use std::time::Duration;

const LOGIN: &str = "grace@corp.example";
const PASSWORD: &str = "IDX-gr4ce's pass&word";
const CODE: &str = "731902";
const ROLE: &str = "arn:aws:iam::111111111111:role/OktaAdmins";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Okta";

struct IdxWorld {
    okta: OktaEmulator,
    sts: StsEmulator,
    sandbox: Sandbox,
}

fn start_with(factor: OktaFactor, oie: OieOrg, extra_config: &str) -> IdxWorld {
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
    let user = OktaUser::new(LOGIN, PASSWORD).with(factor);
    let okta = OktaEmulator::start_oie(vec![user], &xml, oie);
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(ROLE)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile oie]\nsaml_provider = okta\nsaml_url = {}\nsaml_username = {LOGIN}\nregion = eu-west-1\n{extra_config}",
        okta.app_url()
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", PASSWORD);
    IdxWorld { okta, sts, sandbox }
}

fn totp_world() -> IdxWorld {
    let google = OktaFactor::Totp {
        provider: "GOOGLE".into(),
        code: CODE.into(),
    };
    start_with(google, OieOrg::default(), "")
}

fn push_world(outcome: PushOutcome) -> IdxWorld {
    let push = OktaFactor::Push {
        polls: 3,
        outcome,
        number: Some(42),
    };
    let oie = OieOrg {
        identifier_first: true,
        refresh_ms: 150,
    };
    start_with(push, oie, "")
}

impl IdxWorld {
    #[track_caller]
    fn assert_written(&self) -> String {
        let ini = self.sandbox.credentials_ini();
        let key = ini
            .get("oie")
            .and_then(|s| s.get("aws_access_key_id"))
            .cloned()
            .unwrap_or_default();
        match self.sts.session(&key) {
            Some(issued) => assert_eq!(issued.role_arn, ROLE),
            None => panic!(
                "[oie] holds {key:?}, never issued\n{}",
                self.sandbox.credentials_text()
            ),
        }
        key
    }

    /// How many requests carried the password, to any API.
    fn password_sent(&self) -> usize {
        self.okta
            .hits()
            .iter()
            .filter(|h| h.body.contains("IDX-gr4ce"))
            .count()
    }

    fn idx_posts(&self, path: &str) -> usize {
        self.okta
            .idx_hits()
            .iter()
            .filter(|h| h.method == "POST" && h.path == path)
            .count()
    }
}

#[test]
fn okta_idx_password_and_totp_code_write_the_gateway_profile() {
    let world = totp_world();
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
        "-vv",
    ]);
    out.expect_code(0);
    world.assert_written();
    assert!(world.okta.api_hits().is_empty(), "the Classic API was used");
    assert_eq!(world.password_sent(), 1, "the password is sent once");
    let identify = world
        .okta
        .idx_hits()
        .into_iter()
        .find(|h| h.path == "/idp/idx/identify")
        .map(|h| h.json())
        .unwrap_or_default();
    assert_eq!(identify["identifier"], LOGIN);
    assert_eq!(identify["credentials"]["passcode"], PASSWORD);
    assert!(
        identify["stateHandle"]
            .as_str()
            .is_some_and(|s| s.starts_with("02.id."))
    );
    let ion = world.okta.idx_hits().iter().all(|h| {
        h.content_type.starts_with("application/ion+json")
            && h.accept.contains("okta-version=1.0.0")
    });
    assert!(ion, "{:?}", world.okta.idx_hits());
    let all = out.all_output();
    assert!(
        !all.contains(PASSWORD) && !all.contains(CODE),
        "{}",
        out.dump()
    );
    for token in world.okta.issued_tokens() {
        assert!(
            !all.contains(&token),
            "a token in the output: {}",
            out.dump()
        );
    }
}

#[test]
fn okta_idx_wrong_code_exits_3_in_oktas_words_and_writes_nothing() {
    let world = totp_world();
    world.sts.expect_unused();
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        "000000",
        "--non-interactive",
    ]);
    out.expect_code(3)
        .expect_stderr_contains("Your code doesn't match our records. Please try again.");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn okta_idx_wrong_password_exits_3_in_oktas_words_once() {
    let mut world = totp_world();
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not-graces-password");
    world.sts.expect_unused();
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
    ]);
    out.expect_code(3)
        .expect_stderr_contains("Password is incorrect");
    assert!(world.sandbox.credentials_bytes().is_none());
    assert_eq!(world.idx_posts("/idp/idx/identify"), 1, "no retry");
    assert!(world.okta.api_hits().is_empty());
}

#[test]
fn okta_idx_identifier_first_push_with_number_challenge_is_approved_after_polls() {
    let world = push_world(PushOutcome::Approve);
    let out = world
        .sandbox
        .run(&["login", "--profile", "oie", "--non-interactive"]);
    out.expect_code(0)
        .expect_stderr_contains("pick 42")
        .expect_stderr_contains("Okta Verify");
    world.assert_written();
    assert_eq!(out.stderr.matches("pick 42").count(), 1, "{}", out.dump());
    assert_eq!(world.password_sent(), 1);
    assert_eq!(world.idx_posts("/idp/idx/authenticators/poll"), 3);
    let challenge = world
        .okta
        .idx_hits()
        .into_iter()
        .find(|h| h.path == "/idp/idx/challenge")
        .map(|h| h.json())
        .unwrap_or_default();
    assert_eq!(challenge["authenticator"]["methodType"], "push");
}

#[test]
fn okta_idx_rejected_push_exits_3_in_oktas_words() {
    let world = push_world(PushOutcome::Reject);
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "oie", "--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains("You have chosen to reject this login.");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn okta_idx_expired_push_exits_3_in_oktas_words_without_pushing_again() {
    let world = push_world(PushOutcome::Timeout);
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "oie", "--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains("Your push notification has expired.");
    assert_eq!(
        world.idx_posts("/idp/idx/challenge"),
        1,
        "the push was sent again"
    );
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn okta_idx_only_a_security_key_exits_3_naming_the_browser_login() {
    let key = OktaFactor::Other {
        factor_type: "webauthn".into(),
        provider: "FIDO".into(),
    };
    let world = start_with(key, OieOrg::default(), "");
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "oie", "--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains("samlbridge login --browser");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn okta_idx_saml_okta_api_classic_forces_the_authentication_api() {
    let google = OktaFactor::Totp {
        provider: "GOOGLE".into(),
        code: CODE.into(),
    };
    let world = start_with(google, OieOrg::default(), "saml_okta_api = classic\n");
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
    ]);
    out.expect_code(0);
    world.assert_written();
    assert!(world.okta.idx_hits().is_empty(), "IDX was used");
    assert_eq!(world.password_sent(), 1);
}

#[test]
fn okta_idx_a_second_login_reuses_the_okta_session() {
    let mut world = totp_world();
    world
        .sandbox
        .run(&[
            "login",
            "--profile",
            "oie",
            "--mfa-code",
            CODE,
            "--non-interactive",
        ])
        .expect_code(0);
    let first = world.assert_written();
    world.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let identify = world.idx_posts("/idp/idx/identify");
    world
        .sandbox
        .run(&["login", "--profile", "oie", "--force", "--non-interactive"])
        .expect_code(0);
    assert_eq!(world.idx_posts("/idp/idx/identify"), identify);
    assert_ne!(world.assert_written(), first);
}
