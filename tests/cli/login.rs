//! `samlbridge login` end to end against the emulators: the gateway and its chain written, hops in
//! flight together from the right source, durations as AWS allows them, and the credentials file
//! edited the way the issue demands (other bytes kept, 0600, ~/.aws 0700, symlinks written through).

use crate::harness::{Sandbox, is_key_line, mode, write};
use crate::world::{self, ALICE, BOB, World};
use samlbridge_emulators::adfs::AdfsEmulator;
use samlbridge_emulators::saml::XmlStyle;
use samlbridge_emulators::sts::{SessionSource, StsEmulator};
use std::collections::BTreeSet;
use std::time::Duration;

const WRITTEN_KEYS: [&str; 4] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "x_security_token_expires",
];

fn gateway_key(world: &World) -> String {
    let calls = world.sts.calls_to("AssumeRoleWithSAML");
    match calls.iter().rev().find_map(|c| c.outcome.clone().ok()) {
        Some(key) => key,
        None => panic!("no AssumeRoleWithSAML succeeded\n{}", world.sts.log_text()),
    }
}

#[test]
fn login_writes_the_gateway_and_three_chained_profiles_with_the_hops_in_flight_together() {
    let roles = world::roles().latency(Duration::from_millis(300));
    let world = World::with(world::users(), roles, ALICE);
    world.login(&[]).expect_code(0);

    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    world.assert_profile_holds("prod", world::PROD_ADMINS);
    world.assert_profile_holds("staging", world::STAGING_DEPLOYER);
    world.assert_profile_holds("audit", world::AUDITOR);
    let sections: BTreeSet<String> = world.sandbox.credentials_ini().into_keys().collect();
    let expected: BTreeSet<String> = ["audit", "corp", "prod", "staging"]
        .map(String::from)
        .into();
    assert_eq!(
        sections, expected,
        "only the gateway and its chain are written"
    );

    assert!(
        world.sts.max_in_flight() >= 3,
        "the three hops were not in flight together:\n{}",
        world.sts.log_text()
    );
    let gateway = gateway_key(&world);
    let hops = world.sts.calls_to("AssumeRole");
    assert_eq!(hops.len(), 3, "{}", world.sts.log_text());
    for hop in &hops {
        assert_eq!(
            hop.source_key_id.as_deref(),
            Some(gateway.as_str()),
            "hop signed by the gateway session"
        );
        assert_eq!(
            hop.role_session_name.as_deref(),
            Some(ALICE.username),
            "RoleSessionName from the SAML session"
        );
    }
    let audit = hops
        .iter()
        .find(|c| c.role_arn.as_deref() == Some(world::AUDITOR));
    assert_eq!(
        audit.and_then(|c| c.external_id.as_deref()),
        Some(world::AUDIT_EXTERNAL_ID)
    );
}

#[test]
fn the_gateway_asks_the_assertions_session_duration_and_chained_hops_at_most_an_hour() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let saml = world.sts.calls_to("AssumeRoleWithSAML");
    assert_eq!(saml.len(), 1);
    assert_eq!(
        saml[0].duration_seconds,
        Some(28800),
        "SessionDuration from the assertion"
    );
    for hop in world.sts.calls_to("AssumeRole") {
        let asked = hop.duration_seconds.unwrap_or(3600);
        assert!(
            asked <= 3600,
            "a chained hop asked {asked} s:\n{}",
            world.sts.log_text()
        );
        assert_eq!(hop.outcome.as_ref().err(), None, "{}", world.sts.log_text());
    }
    let staging = world.sts.sessions_of(world::STAGING_DEPLOYER);
    assert_eq!(staging.len(), 1);
    assert!(
        staging[0].duration_seconds <= 3600,
        "staging's 7200 s capped at 1 h"
    );
}

#[test]
fn duration_flag_overrides_the_assertion_and_a_chained_profile_keeps_a_shorter_duration() {
    let world = World::start(ALICE);
    let mut config = world::config(&world.adfs.sign_in_url(), ALICE.username);
    config = config.replace(
        "saml_role = arn:aws:iam::333333333333:role/Admins\n",
        "saml_role = arn:aws:iam::333333333333:role/Admins\nduration_seconds = 1800\n",
    );
    world.sandbox.write_config(&config);
    world.login(&["--duration", "7200"]).expect_code(0);
    let saml = world.sts.calls_to("AssumeRoleWithSAML");
    assert_eq!(
        saml.iter().map(|c| c.duration_seconds).collect::<Vec<_>>(),
        vec![Some(7200)]
    );
    let prod = world
        .sts
        .calls_to("AssumeRole")
        .into_iter()
        .find(|c| c.role_arn.as_deref() == Some(world::PROD_ADMINS));
    assert_eq!(prod.and_then(|c| c.duration_seconds), Some(1800));
}

#[test]
fn a_duration_above_the_roles_maximum_is_fitted_to_an_hour_with_a_warning() {
    let world = World::start(BOB);
    let out = world.login(&["--role", world::GATEWAY_READONLY, "--no-chain"]);
    out.expect_code(0);
    let asked: Vec<Option<i32>> = world
        .sts
        .calls_to("AssumeRoleWithSAML")
        .iter()
        .map(|c| c.duration_seconds)
        .collect();
    assert_eq!(
        asked,
        vec![Some(28800), Some(3600)],
        "{}",
        world.sts.log_text()
    );
    assert!(
        out.stderr.contains("3600"),
        "a warning naming the fitted duration\n{}",
        out.dump()
    );
    assert!(out.stderr.to_lowercase().contains("warn"), "{}", out.dump());
    world.assert_profile_holds("corp", world::GATEWAY_READONLY);
}

#[test]
fn every_hop_is_assumed_from_its_own_source_in_a_two_level_chain() {
    let world = World::start(ALICE);
    let mut config = world::config(&world.adfs.sign_in_url(), ALICE.username);
    config += &format!(
        "\n[profile prod-ro]\nsaml_source = prod\nsaml_role = {}\n",
        world::PROD_READONLY
    );
    world.sandbox.write_config(&config);
    world.login(&[]).expect_code(0);
    world.assert_profile_holds("prod-ro", world::PROD_READONLY);
    let prod_key = world
        .sts
        .sessions_of(world::PROD_ADMINS)
        .first()
        .map(|s| s.access_key_id.clone());
    let deep = world.sts.sessions_of(world::PROD_READONLY);
    let source = deep.first().map(|s| s.source.clone());
    assert_eq!(
        source,
        prod_key.map(|k| SessionSource::Chained { source_key_id: k })
    );
}

#[test]
fn no_chain_writes_the_gateway_alone() {
    let world = World::start(ALICE);
    world.login(&["--no-chain"]).expect_code(0);
    assert!(
        world.sts.calls_to("AssumeRole").is_empty(),
        "{}",
        world.sts.log_text()
    );
    let sections: Vec<String> = world.sandbox.credentials_ini().into_keys().collect();
    assert_eq!(sections, vec!["corp".to_string()]);
}

#[test]
fn chain_names_the_hops_to_refresh() {
    let world = World::start(ALICE);
    world.login(&["--chain", "prod,audit"]).expect_code(0);
    let mut assumed: Vec<String> = world
        .sts
        .calls_to("AssumeRole")
        .into_iter()
        .filter_map(|c| c.role_arn)
        .collect();
    assumed.sort();
    assert_eq!(
        assumed,
        vec![world::PROD_ADMINS.to_string(), world::AUDITOR.to_string()]
    );
    let sections: BTreeSet<String> = world.sandbox.credentials_ini().into_keys().collect();
    assert!(
        sections.contains("prod") && sections.contains("audit") && !sections.contains("staging")
    );
}

#[test]
fn an_explicit_provider_and_a_prefixed_one_line_assertion_work_too() {
    let mut users = world::users();
    users.style = XmlStyle::SamlPrefix;
    users.wrap_base64 = None;
    let world = World::with(users, world::roles(), ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username)
        .replace("[profile corp]\n", "[profile corp]\nsaml_provider = adfs\n");
    world.sandbox.write_config(&config);
    world.login(&["--no-chain"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn throttled_sts_calls_are_retried() {
    let world = World::with(world::users(), world::roles().throttle_first(1), ALICE);
    world.login(&["--no-chain"]).expect_code(0);
    let codes: Vec<_> = world.sts.calls().into_iter().map(|c| c.outcome).collect();
    assert_eq!(
        codes
            .first()
            .and_then(|c| c.as_ref().err())
            .map(String::as_str),
        Some("Throttling")
    );
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

const SEEDED: &str = "# Credentials for the team; hand-edited.
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

; the gateway, refreshed by samlbridge
[corp]
aws_access_key_id = ASIAOLDOLDOLDOLDOLD1
aws_secret_access_key = old-secret
aws_session_token = old-token
x_security_token_expires = 2020-01-01T00:00:00Z
# a note inside a written section
custom_key=keep me

[personal]
aws_access_key_id=AKIAPERSONAL00000000
\taws_secret_access_key   =   spaced-out
region = eu-central-1

[prod]
aws_access_key_id = ASIAOLDPROD000000000

[zzz-last]
note = after every written section
";

/// The lines that must survive: all but the written keys of written sections and the sections
/// that were not in the file before; trailing blank lines ignored.
fn kept_lines(
    text: &str,
    written: &BTreeSet<&str>,
    old_sections: &BTreeSet<String>,
) -> Vec<String> {
    let mut section = String::new();
    let mut kept = Vec::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
        }
        let new_section = !old_sections.contains(&section);
        let written_key = written.contains(section.as_str()) && is_key_line(line, &WRITTEN_KEYS);
        if !new_section && !written_key {
            kept.push(line.to_string());
        }
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    kept
}

#[test]
fn every_other_line_of_the_credentials_file_is_kept_in_order_and_the_file_ends_0600() {
    let world = World::start(ALICE);
    world.sandbox.seed_credentials(SEEDED);
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            &world.sandbox.credentials,
            std::fs::Permissions::from_mode(0o644),
        );
    }
    world.login(&[]).expect_code(0);
    let after = world.sandbox.credentials_text();
    let old_sections: BTreeSet<String> = crate::harness::parse_ini(SEEDED).into_keys().collect();
    let written: BTreeSet<&str> = ["corp", "prod", "staging", "audit"].into();
    let before_kept = kept_lines(SEEDED, &written, &old_sections);
    let after_kept = kept_lines(&after, &written, &old_sections);
    assert_eq!(after_kept, before_kept, "the file now reads:\n{after}");
    for profile in written {
        world.assert_profile_holds(
            profile,
            match profile {
                "corp" => world::GATEWAY_ADMIN,
                "prod" => world::PROD_ADMINS,
                "staging" => world::STAGING_DEPLOYER,
                _ => world::AUDITOR,
            },
        );
    }
    assert_eq!(mode(&world.sandbox.credentials), 0o600);
    assert_eq!(
        world.sandbox.aws_dir_listing(),
        vec!["credentials".to_string()],
        "no temp file left behind"
    );
}

#[test]
fn a_fresh_home_gets_aws_dir_0700_and_credentials_0600() {
    let world = World::start(ALICE);
    assert!(!world.sandbox.home.join(".aws").exists());
    world.login(&["--no-chain"]).expect_code(0);
    assert_eq!(mode(&world.sandbox.home.join(".aws")), 0o700);
    assert_eq!(mode(&world.sandbox.credentials), 0o600);
}

#[test]
fn a_symlinked_credentials_file_is_written_through_to_its_target() {
    let world = World::start(ALICE);
    let target = world
        .sandbox
        .root()
        .join("dotfiles")
        .join("aws-credentials");
    write(&target, "[personal]\nregion = eu-central-1\n");
    crate::harness::mkdir(&world.sandbox.home.join(".aws"));
    if let Err(e) = std::os::unix::fs::symlink(&target, &world.sandbox.credentials) {
        panic!("symlink: {e}");
    }
    world.login(&["--no-chain"]).expect_code(0);
    let link =
        std::fs::symlink_metadata(&world.sandbox.credentials).map(|m| m.file_type().is_symlink());
    assert!(matches!(link, Ok(true)), "the link itself stays a link");
    let text = std::fs::read_to_string(&target).unwrap_or_default();
    assert!(
        text.starts_with("[personal]\nregion = eu-central-1\n") && text.contains("[corp]"),
        "{text}"
    );
}

#[test]
fn url_and_username_flags_override_the_config() {
    let adfs = AdfsEmulator::start(world::users());
    let sts = StsEmulator::start(world::roles());
    let mut sandbox = Sandbox::new();
    let dead = format!(
        "http://127.0.0.1:{}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
        samlbridge_emulators::http::closed_port()
    );
    sandbox.write_config(&world::config(&dead, "nobody@corp.example"));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let url = adfs.sign_in_url();
    let out = sandbox.run(&[
        "login",
        "--profile",
        "corp",
        "--no-chain",
        "--url",
        &url,
        "--username",
        ALICE.username,
    ]);
    out.expect_code(0);
    let posted = adfs.posts().concat();
    assert!(
        posted
            .iter()
            .any(|(k, v)| k == "UserName" && v == ALICE.username)
    );
}
