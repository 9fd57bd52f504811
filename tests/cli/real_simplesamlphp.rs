//! Against a real SimpleSAMLphp (software samlbridge's authors did not write), paired with the STS
//! emulator: alice has three roles, --role picks one, a profile chains from it, its signed assertion
//! is read by the emulator like AWS would, and its own error text comes back on a wrong password.

use crate::harness::{Outcome, Sandbox};
use crate::real_peers::{self, Peer, Tool};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "alice-Pass-1";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/CorpIdP";
const ADMIN: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const READONLY: &str = "arn:aws:iam::111111111111:role/GatewayReadOnly";
const BILLING: &str = "arn:aws:iam::222222222222:role/Billing";
const CHILD: &str = "arn:aws:iam::333333333333:role/Admins";

fn roles() -> StsConfig {
    StsConfig::default()
        .role(StsRole::new(ADMIN).max_session(43200))
        .role(StsRole::new(READONLY).max_session(43200))
        .role(StsRole::new(BILLING))
        .role(StsRole::new(CHILD).trust(READONLY))
}

struct Setup {
    sts: StsEmulator,
    sandbox: Sandbox,
    _idp: Peer,
}

fn setup(password: &str) -> Setup {
    let idp = real_peers::start_simplesamlphp();
    let sts = StsEmulator::start(roles());
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile ssp]\nsaml_url = {}\nsaml_username = {ALICE}\nregion = eu-west-1\n\n[profile ssp-child]\nsaml_source = ssp\nsaml_role = {CHILD}\n",
        real_peers::simplesamlphp_sign_in_url(&idp)
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", password);
    Setup {
        sts,
        sandbox,
        _idp: idp,
    }
}

fn run(setup: &Setup, args: &[&str]) -> Outcome {
    setup.sandbox.run(args)
}

#[test]
fn simplesamlphp_alice_picks_one_of_three_roles_and_chains_from_it() {
    if !real_peers::available(
        "simplesamlphp_alice_picks_one_of_three_roles",
        &[Tool::SimpleSamlPhp],
    ) {
        return;
    }
    let s = setup(ALICE_PASSWORD);
    run(
        &s,
        &["login", "--profile", "ssp", "--role", "GatewayReadOnly"],
    )
    .expect_code(0);
    let saml = s.sts.calls_to("AssumeRoleWithSAML");
    let ok = saml.iter().find(|c| c.outcome.is_ok());
    assert_eq!(
        ok.and_then(|c| c.role_arn.as_deref()),
        Some(READONLY),
        "{}",
        s.sts.log_text()
    );
    assert_eq!(ok.and_then(|c| c.principal_arn.as_deref()), Some(PROVIDER));
    let ini = s.sandbox.credentials_ini();
    for (profile, role) in [("ssp", READONLY), ("ssp-child", CHILD)] {
        let key = ini
            .get(profile)
            .and_then(|p| p.get("aws_access_key_id"))
            .cloned()
            .unwrap_or_default();
        let issued = s.sts.session(&key);
        assert_eq!(
            issued.map(|i| i.role_arn),
            Some(role.to_string()),
            "[{profile}] in\n{}",
            s.sandbox.credentials_text()
        );
    }
}

#[test]
fn simplesamlphp_roles_json_lists_alices_three_roles() {
    if !real_peers::available(
        "simplesamlphp_roles_json_lists_alices_three_roles",
        &[Tool::SimpleSamlPhp],
    ) {
        return;
    }
    let s = setup(ALICE_PASSWORD);
    s.sts.expect_unused();
    let out = run(&s, &["roles", "--profile", "ssp", "--json"]);
    out.expect_code(0);
    let parsed: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap_or_default();
    let mut arns: Vec<String> = parsed
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("role_arn")?.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    arns.sort();
    assert_eq!(
        arns,
        [ADMIN, READONLY, BILLING]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        "{}",
        out.dump()
    );
}

#[test]
fn simplesamlphp_wrong_password_exits_3_with_its_words() {
    if !real_peers::available(
        "simplesamlphp_wrong_password_exits_3_with_its_words",
        &[Tool::SimpleSamlPhp],
    ) {
        return;
    }
    let s = setup("not-alices-password");
    s.sts.expect_unused();
    let out = run(&s, &["login", "--profile", "ssp", "--role", "GatewayAdmin"]);
    out.expect_code(3)
        .expect_stderr_contains("Incorrect username or password");
    assert!(s.sandbox.credentials_bytes().is_none());
}
