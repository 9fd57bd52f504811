//! One sign-in, many gateway roles (issue 12 §2): `login --profile a,b,c`, `login --all` and
//! `refresh --all` sign in once per IdP and user, assume every gateway role from that one assertion
//! together, chain under them, and write every profile in one locked write; what can be checked
//! locally is checked before anyone is asked.

use crate::harness::Outcome;
use crate::world::{self, BOB, World};
use samlbridge_emulators::adfs::AdfsEmulator;
use samlbridge_emulators::sts::{StsConfig, StsRole};
use std::collections::BTreeSet;
use std::time::Duration;

/// What the user had in the credentials file before: every byte must stay.
const SEEDED: &str = "# my own keys\n[static]\naws_access_key_id = AKIAEXAMPLESTATIC01\naws_secret_access_key = not-a-real-secret ; keep\n\n[unrelated]\nregion = us-east-1\n";

const GATEWAYS: [(&str, &str); 3] = [
    ("gw-admin", world::GATEWAY_ADMIN),
    ("gw-read", world::GATEWAY_READONLY),
    ("other-read", world::OTHER_READONLY),
];

/// Bob's three roles as three gateway profiles (ARN, ACCOUNT/NAME and ARN), `prod` chained from
/// gw-admin; `other_url` is other-read's IdP. gw-read asks 15 min, the others longer.
fn config(url: &str, other_url: &str) -> String {
    format!(
        "[default]
region = eu-west-1

[profile gw-admin]
saml_url = {url}
saml_username = {user}
saml_role = {admin}
duration_seconds = 7200
region = eu-west-1

[profile gw-read]
saml_url = {url}
saml_username = {user}
saml_role = 111111111111/ReadOnly
duration_seconds = 900
region = eu-west-1

[profile other-read]
saml_url = {other_url}
saml_username = {user}
saml_role = {other}
duration_seconds = 3600
region = eu-west-1

[profile prod]
saml_source = gw-admin
saml_role = {prod}

[profile unrelated]
region = us-east-1
",
        user = BOB.username,
        admin = world::GATEWAY_ADMIN,
        other = world::OTHER_READONLY,
        prod = world::PROD_ADMINS,
    )
}

/// Bob, the three gateway profiles on one IdP.
fn bob(roles: StsConfig) -> World {
    let world = World::with(world::users(), roles, BOB);
    let url = world.adfs.sign_in_url();
    world.sandbox.write_config(&config(&url, &url));
    world
}

fn sign_ins(world: &World) -> usize {
    world.adfs.issued_assertions().len()
}

/// The `-v` lines saying the credentials file was written.
fn writes(out: &Outcome) -> Vec<&str> {
    out.stderr
        .lines()
        .filter(|l| l.contains("wrote profile(s)"))
        .collect()
}

#[track_caller]
fn assert_all_written(world: &World) {
    for (profile, role) in GATEWAYS {
        world.assert_profile_holds(profile, role);
    }
    world.assert_profile_holds("prod", world::PROD_ADMINS);
}

fn refresh_line<'a>(out: &'a Outcome, profile: &str) -> &'a str {
    let prefix = format!("samlbridge refresh: {profile}:");
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert_eq!(lines.len(), 1, "one line for {profile}\n{}", out.dump());
    lines[0]
}

#[test]
fn login_of_three_gateway_profiles_signs_in_once_and_writes_them_all_in_one_write() {
    let world = bob(world::roles().latency(Duration::from_millis(300)));
    world.sandbox.seed_credentials(SEEDED);
    let out = world
        .sandbox
        .run(&["-v", "login", "--profile", "gw-admin,gw-read,other-read"]);
    out.expect_code(0);

    assert_eq!(sign_ins(&world), 1, "one sign-in\n{}", out.dump());
    let saml = world.sts.calls_to("AssumeRoleWithSAML");
    let roles: BTreeSet<&str> = saml.iter().filter_map(|c| c.role_arn.as_deref()).collect();
    assert_eq!(saml.len(), 3, "{}", world.sts.log_text());
    assert_eq!(
        roles,
        GATEWAYS.map(|(_, r)| r).into(),
        "{}",
        world.sts.log_text()
    );
    assert!(
        saml.iter().map(|c| c.in_flight_at_start).max() >= Some(3),
        "the three roles were not assumed together:\n{}",
        world.sts.log_text()
    );
    let hops = world.sts.calls_to("AssumeRole");
    assert_eq!(hops.len(), 1, "{}", world.sts.log_text());
    let admin_key = &world.sandbox.credentials_ini()["gw-admin"]["aws_access_key_id"];
    assert_eq!(
        hops[0].source_key_id.as_ref(),
        Some(admin_key),
        "prod chained from gw-admin"
    );

    assert_all_written(&world);
    let text = world.sandbox.credentials_text();
    assert!(text.starts_with(SEEDED), "other bytes kept:\n{text}");
    let written = writes(&out);
    assert_eq!(written.len(), 1, "one write of the file\n{}", out.dump());
    for profile in ["gw-admin", "gw-read", "other-read", "prod"] {
        assert!(written[0].contains(profile), "{}", written[0]);
    }
    out.expect_stderr_contains("Signed in once");
}

#[test]
fn login_all_signs_in_once_and_a_second_run_asks_nobody() {
    let world = bob(world::roles());
    let out = world.sandbox.run(&["login", "--all"]);
    out.expect_code(0);
    assert_eq!(sign_ins(&world), 1, "{}", out.dump());
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 3);
    assert_eq!(world.sts.calls_to("AssumeRole").len(), 1);
    assert_all_written(&world);
    let sections: BTreeSet<String> = world.sandbox.credentials_ini().into_keys().collect();
    assert_eq!(
        sections,
        ["gw-admin", "gw-read", "other-read", "prod"]
            .map(String::from)
            .into()
    );

    let before = world.traffic();
    let bytes = world.sandbox.credentials_bytes();
    let again = world.sandbox.run(&["login", "--all"]);
    again.expect_code(0).expect_stderr_contains("still fresh");
    assert_eq!(world.traffic(), before, "{}", again.dump());
    assert_eq!(world.sandbox.credentials_bytes(), bytes);
}

#[test]
fn two_idps_are_two_sign_ins_and_still_one_write() {
    let mut world = bob(world::roles());
    let second = AdfsEmulator::start(world::users());
    world
        .sandbox
        .write_config(&config(&world.adfs.sign_in_url(), &second.sign_in_url()));

    // One password on stdin cannot answer two sign-ins: refused before anyone is asked.
    world.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let names = "gw-admin,gw-read,other-read";
    let refused = world.sandbox.run_with_stdin(
        &["login", "--profile", names, "--password-stdin"],
        &format!("{}\n", BOB.password),
    );
    refused
        .expect_code(2)
        .expect_stderr_contains("--password-stdin");
    assert_eq!(sign_ins(&world) + second.issued_assertions().len(), 0);
    assert!(world.sts.calls().is_empty());

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", BOB.password);
    let out = world.sandbox.run(&["-v", "login", "--profile", names]);
    out.expect_code(0);
    assert_eq!(sign_ins(&world), 1, "{}", out.dump());
    assert_eq!(second.issued_assertions().len(), 1, "{}", out.dump());
    assert_all_written(&world);
    assert_eq!(writes(&out).len(), 1, "{}", out.dump());
}

#[test]
fn a_listed_gateway_without_saml_role_is_refused_before_any_network() {
    let world = bob(world::roles());
    let url = world.adfs.sign_in_url();
    let config = config(&url, &url).replace("saml_role = 111111111111/ReadOnly\n", "");
    world.sandbox.write_config(&config);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    for args in [
        &["login", "--profile", "gw-admin,gw-read,prod"][..],
        &["login", "--all"][..],
    ] {
        let out = world.sandbox.run(args);
        out.expect_code(2)
            .expect_stderr_contains("gw-read")
            .expect_stderr_contains("saml_role");
        assert!(!out.stderr.contains("gw-admin,"), "{}", out.dump());
    }
    assert_eq!(world.traffic().idp_requests, 0);
    assert!(world.sandbox.credentials_bytes().is_none());
}

/// A decision the issue left open: one role refused fails the whole run, naming it, and the file is
/// not touched; the roles that succeeded are cached, so the next run only signs in where it must.
#[test]
fn one_role_refused_by_sts_fails_the_run_naming_it_and_writes_nothing() {
    let roles = StsConfig::default()
        .role(StsRole::new(world::GATEWAY_ADMIN).max_session(43200))
        .role(StsRole::new(world::GATEWAY_READONLY))
        .role(StsRole::new(world::PROD_ADMINS).trust(world::GATEWAY_ADMIN));
    let world = bob(roles);
    world.sandbox.seed_credentials(SEEDED);
    let out = world
        .sandbox
        .run(&["login", "--profile", "gw-admin,gw-read,other-read"]);
    assert_ne!(out.code, Some(0), "{}", out.dump());
    out.expect_stderr_contains("other-read");
    assert_eq!(sign_ins(&world), 1, "{}", out.dump());
    assert_eq!(world.sandbox.credentials_text(), SEEDED, "nothing written");
}

#[test]
fn refresh_all_signs_in_once_for_the_expiring_roles_of_a_group() {
    let world = bob(world::roles());
    world.sandbox.run(&["login", "--all"]).expect_code(0);
    assert_eq!(sign_ins(&world), 1);
    let first = world.sandbox.credentials_ini();

    // 30 min: only gw-read (15 min sessions) needs renewing; one sign-in, one role.
    let out = world
        .sandbox
        .run(&["-v", "refresh", "--all", "--within", "30m"]);
    out.expect_code(0);
    assert_eq!(sign_ins(&world), 2, "{}", out.dump());
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 4);
    assert_eq!(world.sts.calls_to("AssumeRole").len(), 1);
    assert!(
        refresh_line(&out, "gw-read").contains("renewed"),
        "{}",
        out.dump()
    );
    for profile in ["gw-admin", "other-read", "prod"] {
        assert!(
            refresh_line(&out, profile).contains("fresh"),
            "{}",
            out.dump()
        );
    }
    let now = world.sandbox.credentials_ini();
    assert_ne!(
        now["gw-read"]["aws_access_key_id"],
        first["gw-read"]["aws_access_key_id"]
    );
    assert_eq!(now["gw-admin"], first["gw-admin"]);
    assert_all_written(&world);
    assert_eq!(writes(&out).len(), 1, "{}", out.dump());

    // 90 min: gw-read and other-read need their roles (one sign-in for both); prod its hop only.
    let out = world
        .sandbox
        .run(&["-v", "refresh", "--all", "--within", "90m"]);
    out.expect_code(0);
    assert_eq!(sign_ins(&world), 3, "{}", out.dump());
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 6);
    assert_eq!(world.sts.calls_to("AssumeRole").len(), 2);
    for profile in ["gw-read", "other-read", "prod"] {
        assert!(
            refresh_line(&out, profile).contains("renewed"),
            "{}",
            out.dump()
        );
    }
    assert!(
        refresh_line(&out, "gw-admin").contains("fresh"),
        "{}",
        out.dump()
    );
    assert_all_written(&world);
    assert_eq!(writes(&out).len(), 1, "{}", out.dump());

    // 10 min: everything is fresh (gw-read has its new 15 min); nobody is asked.
    let before = world.traffic();
    world
        .sandbox
        .run(&["refresh", "--all", "--within", "10m"])
        .expect_code(0);
    assert_eq!(world.traffic(), before);
}

/// Profiles of one gateway (no saml_role needed then): an ordinary login of the gateway and the
/// chained profiles named, one sign-in.
#[test]
fn a_list_under_one_gateway_is_an_ordinary_login_of_those_profiles() {
    let world = World::start(world::ALICE);
    let out = world.sandbox.run(&["login", "--profile", "prod,staging"]);
    out.expect_code(0);
    assert_eq!(sign_ins(&world), 1);
    let sections: BTreeSet<String> = world.sandbox.credentials_ini().into_keys().collect();
    assert_eq!(
        sections,
        ["corp", "prod", "staging"].map(String::from).into()
    );
    world.assert_profile_holds("prod", world::PROD_ADMINS);
    world.assert_profile_holds("staging", world::STAGING_DEPLOYER);
}

#[test]
fn all_with_a_profile_or_a_role_and_a_list_with_a_role_are_usage_errors() {
    let world = bob(world::roles());
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let role = world::GATEWAY_ADMIN;
    for args in [
        &["login", "--all", "--profile", "gw-admin"][..],
        &["login", "--all", "--role", role][..],
        &["login", "--profile", "gw-admin,gw-read", "--role", role][..],
        &["login", "--profile", "gw-admin,,gw-read"][..],
    ] {
        world.sandbox.run(args).expect_code(2);
    }
    assert!(world.sandbox.credentials_bytes().is_none());
}

/// A group whose sign-in needs a person is one failure naming every profile that needed it, and the
/// command that signs them all in at once.
#[test]
fn refresh_all_with_no_password_names_the_group_and_one_command_for_it() {
    let mut world = bob(world::roles());
    world.forget_password();
    world.sts.expect_unused();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "1h"]);
    out.expect_code(3)
        .expect_stderr_contains("samlbridge login --profile gw-admin,gw-read,other-read")
        .expect_stderr_contains("a person must sign in for: gw-admin,gw-read,other-read");
    assert_eq!(sign_ins(&world), 0);
    assert!(world.sandbox.credentials_bytes().is_none());
}
