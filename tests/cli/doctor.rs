//! `samlbridge doctor` (issue 12 §3): each planted problem gets its line and exit 1, a clean setup
//! exit 0; `--fix` removes static keys masking credential_process without touching any other byte;
//! `--json` is an array of {check, status, message}. Doctor never signs in: no form is posted.

use crate::harness::Sandbox;
use crate::world::{self, ALICE, World};
use samlbridge_emulators::sts::StsEmulator;
use samlbridge_emulators::tls::{TlsServer, fixture};

/// `doctor ARGS…`'s stdout lines with the given status (`ok`, `warning`, `problem`).
fn lines_with(stdout: &str, status: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(status))
        .map(str::to_string)
        .collect()
}

#[track_caller]
fn assert_line(stdout: &str, status: &str, needles: &[&str]) {
    let found = lines_with(stdout, status)
        .iter()
        .any(|l| needles.iter().all(|n| l.contains(n)));
    assert!(found, "no {status} line with {needles:?} in:\n{stdout}");
}

#[test]
fn a_clean_setup_has_no_problem_and_exits_0_without_signing_in() {
    let world = World::start(ALICE);
    let out = world.sandbox.run(&["doctor"]);
    out.expect_code(0);
    assert!(
        lines_with(&out.stdout, "problem").is_empty(),
        "{}",
        out.dump()
    );
    assert_line(
        &out.stdout,
        "ok",
        &["idp:", "profile corp", "matches provider adfs"],
    );
    assert_line(
        &out.stdout,
        "ok",
        &["clock:", "the IdP 127.0.0.1", "agrees"],
    );
    assert_line(&out.stdout, "ok", &["clock:", "STS", "agrees"]);
    assert_line(
        &out.stdout,
        "ok",
        &["sts:", "profile corp", "region eu-west-1", "partition aws"],
    );
    assert!(world.adfs.posts().is_empty(), "doctor posted a form");
    assert!(
        world.sts.calls().iter().all(|c| c.outcome.is_err()),
        "STS issued something:\n{}",
        world.sts.log_text()
    );
}

#[test]
fn an_idp_clock_ten_minutes_ahead_is_a_problem_naming_the_idp() {
    let adfs = world::users().clock_offset(time::Duration::minutes(10));
    let world = World::with(adfs, world::roles(), ALICE);
    let out = world.sandbox.run(&["doctor", "--profile", "corp"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &[
            "clock:",
            "the IdP 127.0.0.1",
            "10 min ahead of",
            "not yet valid",
        ],
    );
    assert_line(&out.stdout, "ok", &["clock:", "STS", "agrees"]);
}

#[test]
fn an_sts_clock_ten_minutes_behind_is_a_problem_naming_sts() {
    let sts = world::roles().clock_offset(time::Duration::minutes(-10));
    let world = World::with(world::users(), sts, ALICE);
    let out = world.sandbox.run(&["doctor"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &["clock:", "STS 127.0.0.1", "10 min behind"],
    );
}

#[test]
fn a_typo_key_and_a_loop_are_named_with_the_next_step() {
    let world = World::start(ALICE);
    let config = format!(
        "{}\n[profile loop-a]\nsaml_source = loop-b\nsaml_role = {}\n\n[profile loop-b]\nsaml_source = loop-a\nsaml_role = {}\n\n[profile typo]\nsaml_source = corp\nsaml_usrname = bob\nsaml_role = {}\n",
        world::config(&world.adfs.sign_in_url(), ALICE.username),
        world::PROD_ADMINS,
        world::PROD_ADMINS,
        world::PROD_ADMINS,
    );
    world.sandbox.write_config(&config);
    let out = world.sandbox.run(&["doctor"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &[
            "config:",
            "profile typo",
            "unknown key saml_usrname",
            "did you mean saml_username?",
        ],
    );
    assert_line(
        &out.stdout,
        "problem",
        &["config:", "loop", "loop-a", "loop-b", "saml_source"],
    );
    // The gateway is still looked at.
    assert_line(&out.stdout, "ok", &["idp:", "profile corp"]);
}

#[test]
fn a_chained_role_that_is_not_an_arn_and_a_missing_source_are_named() {
    let world = World::start(ALICE);
    let config = format!(
        "{}\n[profile by-name]\nsaml_source = corp\nsaml_role = Admins\n\n[profile orphan]\nsaml_source = gone\nsaml_role = {}\n",
        world::config(&world.adfs.sign_in_url(), ALICE.username),
        world::PROD_ADMINS,
    );
    world.sandbox.write_config(&config);
    let out = world.sandbox.run(&["doctor"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &["profile by-name", "saml_role = 'Admins'", "full role ARN"],
    );
    assert_line(
        &out.stdout,
        "problem",
        &["profile orphan", "saml_source = gone"],
    );
}

/// The credentials file as a user has it: comments, CRLF lines, keys of other profiles, the masking
/// keys in two copies of the section.
const SEEDED: &str = "# my keys\r\n[default]\r\naws_access_key_id = AKIADEFAULT\r\naws_secret_access_key = default-secret\r\n\r\n[corp]\r\nregion = eu-west-1 ; keep\r\naws_access_key_id = AKIASTALE\r\n; a note\r\naws_secret_access_key = stale-secret\r\naws_session_token = stale-token\r\nx_security_token_expires = 2020-01-01T00:00:00Z\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\n[corp]\r\nAWS_SESSION_TOKEN=again\r\noutput = json";
const MENDED: &str = "# my keys\r\n[default]\r\naws_access_key_id = AKIADEFAULT\r\naws_secret_access_key = default-secret\r\n\r\n[corp]\r\nregion = eu-west-1 ; keep\r\n; a note\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHER\r\n[corp]\r\noutput = json";

#[test]
fn static_keys_masking_credential_process_are_named_and_fix_removes_only_them() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile corp]\n",
        "[profile corp]\ncredential_process = samlbridge credential-process --profile corp\n",
    );
    world.sandbox.write_config(&config);
    world.sandbox.seed_credentials(SEEDED);

    let out = world.sandbox.run(&["doctor"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &[
            "credentials-file:",
            "[corp] holds aws_access_key_id, aws_secret_access_key",
            "aws_session_token",
            "x_security_token_expires",
            "credential_process",
            "doctor --fix",
        ],
    );
    assert!(!out.stdout.contains("[default] holds"), "{}", out.stdout);
    assert_eq!(
        world.sandbox.credentials_bytes().unwrap(),
        SEEDED.as_bytes(),
        "doctor without --fix wrote"
    );

    let fixed = world.sandbox.run(&["doctor", "--fix"]);
    assert_line(
        &fixed.stdout,
        "ok",
        &[
            "credentials-file:",
            "removed 5 static key line(s) from [corp]",
        ],
    );
    let after = String::from_utf8(world.sandbox.credentials_bytes().unwrap()).unwrap();
    assert_eq!(after, MENDED);
    assert_eq!(
        crate::harness::mode(&world.sandbox.credentials) & 0o777,
        0o600
    );
    assert_eq!(
        world.sandbox.aws_dir_listing(),
        vec!["credentials".to_string()]
    );

    // What is left is the section written twice, which doctor names but does not merge.
    let again = world.sandbox.run(&["doctor"]);
    assert_line(&again.stdout, "ok", &["no static keys mask"]);
    assert_eq!(
        lines_with(&again.stdout, "problem").len(),
        1,
        "{}",
        again.stdout
    );
    assert_line(
        &again.stdout,
        "problem",
        &["section [corp] appears 2 times"],
    );
}

#[test]
fn a_credentials_file_others_can_read_is_a_problem() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::start(ALICE);
    world
        .sandbox
        .seed_credentials("[corp]\nregion = eu-west-1\n");
    std::fs::set_permissions(
        &world.sandbox.credentials,
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = world.sandbox.run(&["doctor", "--profile", "corp"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &["credentials-file:", "mode 0644", "chmod 600"],
    );
}

#[test]
fn json_is_an_array_of_check_status_message() {
    let world = World::start(ALICE);
    world.sandbox.write_config(
        &world::config(&world.adfs.sign_in_url(), ALICE.username)
            .replace("saml_username", "saml_usrname"),
    );
    let out = world.sandbox.run(&["doctor", "--json"]);
    out.expect_code(1);
    let parsed: serde_json::Value = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}):\n{}", out.dump()),
    };
    let items = parsed.as_array().expect("an array");
    assert!(items.len() >= 5, "{}", out.stdout);
    for item in items {
        let status = item["status"].as_str().unwrap_or_default();
        assert!(["ok", "warning", "problem"].contains(&status), "{item}");
        assert!(
            item["check"].is_string() && item["message"].is_string(),
            "{item}"
        );
    }
    assert!(items.iter().any(|i| {
        i["status"] == "problem"
            && i["message"]
                .as_str()
                .unwrap_or_default()
                .contains("did you mean saml_username?")
    }));
}

#[test]
fn an_untrusted_certificate_names_saml_ca_bundle_and_the_bundle_mends_it() {
    let server = TlsServer::page("<html><head><title>Sign In</title></head><body></body></html>");
    let sts = StsEmulator::start(world::roles());
    let mut sandbox = Sandbox::new();
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    let url = server.url("/adfs/ls/IdpInitiatedSignOn.aspx");
    sandbox.write_config(&format!(
        "[profile tls]\nsaml_url = {url}\nsaml_username = a\nregion = eu-west-1\n"
    ));
    let out = sandbox.run(&["doctor", "--profile", "tls"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &["idp:", "profile tls", "not trusted", "saml_ca_bundle"],
    );

    let ca = fixture("ca.pem");
    sandbox.write_config(&format!(
        "[profile tls]\nsaml_url = {url}\nsaml_username = a\nregion = eu-west-1\nsaml_ca_bundle = {}\n",
        ca.display()
    ));
    let out = sandbox.run(&["doctor", "--profile", "tls"]);
    assert_line(
        &out.stdout,
        "ok",
        &["idp:", "profile tls", "HTTP 200", "TLS trusted"],
    );
}

#[test]
fn the_proxy_in_use_is_named_without_its_password() {
    use samlbridge_emulators::http::closed_port;
    let mut sandbox = Sandbox::new();
    let idp = format!("http://127.0.0.1:{}/adfs/ls/", closed_port());
    sandbox.write_config(&format!(
        "[profile corp]\nsaml_url = {idp}\nregion = eu-west-1\n"
    ));
    sandbox.set_env(
        "AWS_ENDPOINT_URL_STS",
        &format!("http://127.0.0.1:{}", closed_port()),
    );
    let proxy = format!("http://bob:s3cret-pw@127.0.0.1:{}", closed_port());
    sandbox.set_env("HTTP_PROXY", &proxy);
    let out = sandbox.run(&["doctor"]);
    out.expect_code(1);
    assert_line(
        &out.stdout,
        "problem",
        &[
            "idp:",
            "profile corp",
            "could not reach 127.0.0.1",
            "HTTP_PROXY=http://***@127.0.0.1:",
        ],
    );
    assert!(!out.all_output().contains("s3cret-pw"), "{}", out.dump());
    assert_line(
        &out.stdout,
        "problem",
        &["sts:", "profile corp", "could not reach STS"],
    );
}

#[test]
fn a_chained_profile_is_looked_at_with_its_gateway_only() {
    let world = World::start(ALICE);
    let config = format!(
        "{}\n[profile elsewhere]\nsaml_url = https://idp.elsewhere.example/sso\nsaml_usrname = x\n",
        world::config(&world.adfs.sign_in_url(), ALICE.username),
    );
    world.sandbox.write_config(&config);
    let out = world.sandbox.run(&["doctor", "--profile", "prod"]);
    out.expect_code(0);
    assert_line(&out.stdout, "ok", &["idp:", "profile corp"]);
    assert_line(&out.stdout, "ok", &["session:", "profile prod"]);
    assert!(!out.stdout.contains("elsewhere"), "{}", out.stdout);
    assert!(!out.stdout.contains("profile staging"), "{}", out.stdout);
}
