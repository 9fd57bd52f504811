//! Okta Identity Engine end to end (issue 21): the built binary starts at the AWS app's link, finds
//! the stateToken the org's sign-in page bootstraps, follows IDX's remediations (identify, password,
//! TOTP, Okta Verify push with number challenge, codes Okta sends by e-mail, SMS or voice call),
//! opens the success link and assumes the role
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
    start_with_all(vec![factor], oie, extra_config)
}

fn start_with_all(factors: Vec<OktaFactor>, oie: OieOrg, extra_config: &str) -> IdxWorld {
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
    let user = factors
        .into_iter()
        .fold(OktaUser::new(LOGIN, PASSWORD), OktaUser::with);
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
        ..OieOrg::default()
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
        self.posted(path).len()
    }

    /// The bodies posted to `path`, in order.
    fn posted(&self, path: &str) -> Vec<serde_json::Value> {
        self.okta
            .idx_hits()
            .iter()
            .filter(|h| h.method == "POST" && h.path == path)
            .map(|h| h.json())
            .collect()
    }
}

fn email() -> OktaFactor {
    OktaFactor::Email {
        email: LOGIN.into(),
        code: CODE.into(),
    }
}

fn sms() -> OktaFactor {
    OktaFactor::Sms {
        phone: "+1 555 010 4586".into(),
        code: CODE.into(),
    }
}

/// What the person is shown of where the code went: Okta's masked forms.
const MASKED_EMAIL: &str = "g***e@corp.example";
const MASKED_PHONE: &str = "+1 XXX-XXX-4586";

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

#[test]
fn okta_idx_email_code_writes_the_gateway_profile_saying_where_it_went() {
    let world = start_with(email(), OieOrg::default(), "");
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
        "-vv",
    ]);
    out.expect_code(0)
        .expect_stderr_contains(&format!("Okta sent a code by e-mail to {MASKED_EMAIL}"));
    world.assert_written();
    assert_eq!(world.password_sent(), 1, "the password is sent once");
    let chosen = world.posted("/idp/idx/challenge");
    assert_eq!(chosen.len(), 1, "{chosen:?}");
    assert_eq!(chosen[0]["authenticator"]["methodType"], "email");
    let answered = world.posted("/idp/idx/challenge/answer");
    assert_eq!(answered.len(), 1, "{answered:?}");
    assert_eq!(answered[0]["credentials"]["passcode"], CODE);
    // The magic link is not waited for, nor the code sent again.
    assert_eq!(world.idx_posts("/idp/idx/challenge/poll"), 0);
    assert_eq!(world.idx_posts("/idp/idx/challenge/resend"), 0);
    let all = out.all_output();
    assert!(
        !all.contains(PASSWORD) && !all.contains(CODE),
        "{}",
        out.dump()
    );
}

#[test]
fn okta_idx_wrong_sms_code_exits_3_in_oktas_words_and_writes_nothing() {
    let world = start_with(sms(), OieOrg::default(), "");
    world.sts.expect_unused();
    world
        .sandbox
        .seed_credentials("[other]\naws_access_key_id = AKIAKEEPME\n");
    let before = world.sandbox.credentials_bytes();
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        "000000",
        "--non-interactive",
    ]);
    out.expect_code(3)
        .expect_stderr_contains("Invalid code. Try again.")
        .expect_stderr_contains(&format!("Okta sent a code by SMS to {MASKED_PHONE}"));
    assert_eq!(
        world.sandbox.credentials_bytes(),
        before,
        "the file changed"
    );
    assert_eq!(world.password_sent(), 1);
    assert_eq!(world.idx_posts("/idp/idx/challenge/answer"), 1, "no retry");
    let chosen = world.posted("/idp/idx/challenge");
    assert_eq!(chosen[0]["authenticator"]["methodType"], "sms");
}

#[test]
fn okta_idx_saml_mfa_factor_sms_picks_the_phone_when_email_is_offered_too() {
    let world = start_with_all(
        vec![email(), sms()],
        OieOrg::default(),
        "saml_mfa_factor = sms\n",
    );
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
    ]);
    out.expect_code(0).expect_stderr_contains(MASKED_PHONE);
    world.assert_written();
    assert!(!out.stderr.contains(MASKED_EMAIL), "{}", out.dump());
    let chosen = world.posted("/idp/idx/challenge");
    assert_eq!(chosen.len(), 1, "{chosen:?}");
    let authenticator = &chosen[0]["authenticator"];
    assert_eq!(authenticator["methodType"], "sms");
    assert!(
        authenticator["id"]
            .as_str()
            .is_some_and(|id| id.contains("Phone")),
        "{authenticator}"
    );
    assert!(authenticator["enrollmentId"].is_string(), "{authenticator}");
    assert_eq!(world.password_sent(), 1);
}

#[test]
fn okta_idx_without_saml_mfa_factor_a_sent_code_is_the_last_choice() {
    let totp = OktaFactor::Totp {
        provider: "OKTA".into(),
        code: CODE.into(),
    };
    let world = start_with_all(vec![email(), sms(), totp], OieOrg::default(), "");
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-code",
        CODE,
        "--non-interactive",
    ]);
    out.expect_code(0);
    let chosen = world.posted("/idp/idx/challenge");
    assert_eq!(chosen[0]["authenticator"]["methodType"], "totp");
    assert!(!out.stderr.contains("Okta sent a code"), "{}", out.dump());
}

#[test]
fn okta_idx_voice_code_is_asked_for_on_oktas_method_step_and_read_from_the_mfa_command() {
    let call = OktaFactor::Call {
        phone: "+1 555 010 4586".into(),
        code: CODE.into(),
    };
    let oie = OieOrg {
        method_step: true,
        ..OieOrg::default()
    };
    let world = start_with_all(vec![sms(), call], oie, "saml_mfa_factor = call\n");
    let command = format!("echo {CODE}");
    let out = world.sandbox.run(&[
        "login",
        "--profile",
        "oie",
        "--mfa-command",
        &command,
        "--non-interactive",
    ]);
    out.expect_code(0)
        .expect_stderr_contains(&format!("Okta is calling {MASKED_PHONE} with a code"));
    world.assert_written();
    // The phone by its id, then on `authenticator-verification-data` the method.
    let chosen = world.posted("/idp/idx/challenge");
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert!(
        chosen[0]["authenticator"]["methodType"].is_null(),
        "{chosen:?}"
    );
    assert_eq!(chosen[1]["authenticator"]["methodType"], "voice");
    assert_eq!(world.password_sent(), 1);
}

#[test]
fn okta_idx_email_send_step_without_a_code_source_exits_3_saying_where_it_went() {
    // Okta's "Send me an email" step, then no --mfa-code, no command, no terminal.
    let oie = OieOrg {
        method_step: true,
        ..OieOrg::default()
    };
    let world = start_with(email(), oie, "");
    world.sts.expect_unused();
    let out = world
        .sandbox
        .run(&["login", "--profile", "oie", "--non-interactive"]);
    out.expect_code(3)
        .expect_stderr_contains(&format!("Okta sent a code by e-mail to {MASKED_EMAIL}"))
        .expect_stderr_contains("--mfa-code");
    assert_eq!(world.idx_posts("/idp/idx/challenge"), 2);
    assert_eq!(world.idx_posts("/idp/idx/challenge/answer"), 0);
    assert!(world.sandbox.credentials_bytes().is_none());
}
