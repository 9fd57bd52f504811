//! `setup` through the binary against the AD FS and STS emulators (issue 12 §1): the gateway profile
//! alone, one profile per role (`--all-roles`), chained profiles (`--chain`), never replacing a
//! profile without `--yes`, every other byte of the config kept, a bad ARN refused before the IdP is
//! asked, and the written config then working with `login`.

use crate::harness::{mode, parse_ini};
use crate::world::{self, ALICE, BOB, World};
use std::collections::BTreeMap;

/// A world whose config file holds only `text` (the standard `corp` profiles are not there).
fn world_with_config(person: world::Person, text: &str) -> World {
    let world = World::start(person);
    world.sandbox.write_config(text);
    world
}

fn config_text(world: &World) -> String {
    std::fs::read_to_string(&world.sandbox.config).unwrap_or_default()
}

fn config_ini(world: &World) -> BTreeMap<String, BTreeMap<String, String>> {
    parse_ini(&config_text(world))
}

fn setup(world: &World, extra: &[&str]) -> crate::harness::Outcome {
    let url = world.adfs.sign_in_url();
    let mut args = vec!["setup", "--url", url.as_str()];
    args.extend_from_slice(extra);
    world.sandbox.run(&args)
}

fn section<'a>(
    ini: &'a BTreeMap<String, BTreeMap<String, String>>,
    name: &str,
) -> &'a BTreeMap<String, String> {
    match ini.get(name) {
        Some(s) => s,
        None => panic!(
            "[{name}] missing; sections: {:?}",
            ini.keys().collect::<Vec<_>>()
        ),
    }
}

#[test]
fn setup_writes_the_gateway_profile_and_names_the_login_to_run() {
    let world = world_with_config(ALICE, "");
    world.sts.expect_unused();
    let _ = std::fs::remove_file(&world.sandbox.config);
    let out = setup(
        &world,
        &[
            "--profile",
            "work",
            "--username",
            ALICE.username,
            "--region",
            "eu-central-1",
        ],
    );
    out.expect_code(0)
        .expect_stderr_contains("samlbridge login --profile work")
        .expect_stderr_contains("GatewayAdmin");
    let ini = config_ini(&world);
    let work = section(&ini, "profile work");
    assert_eq!(work.get("saml_url"), Some(&world.adfs.sign_in_url()));
    assert_eq!(
        work.get("saml_username").map(String::as_str),
        Some(ALICE.username)
    );
    assert_eq!(
        work.get("saml_role").map(String::as_str),
        Some(world::GATEWAY_ADMIN)
    );
    assert_eq!(work.get("region").map(String::as_str), Some("eu-central-1"));
    // The emulator's pages are AD FS's: the provider found by the probe is written.
    assert_eq!(
        work.get("saml_provider").map(String::as_str),
        Some("adfs"),
        "{}",
        out.dump()
    );
    assert_eq!(
        mode(&world.sandbox.config),
        0o600,
        "a new config file is private"
    );
    assert_eq!(world.adfs.issued_assertions().len(), 1, "one sign-in");
}

#[test]
fn several_roles_without_a_terminal_need_role_or_all_roles_and_nothing_is_written() {
    let world = world_with_config(BOB, "");
    world.sts.expect_unused();
    let out = setup(&world, &["--profile", "work", "--username", BOB.username]);
    out.expect_code(2)
        .expect_stderr_contains("--role")
        .expect_stderr_contains("--all-roles");
    assert_eq!(config_text(&world), "");
}

#[test]
fn all_roles_writes_one_gateway_profile_per_role_named_by_account_and_role() {
    let config = "[saml-aliases]\n111111111111 = gateway-acct\n".to_string();
    let world = world_with_config(BOB, &config);
    world.sts.expect_unused();
    let out = setup(
        &world,
        &[
            "--profile",
            "work",
            "--username",
            BOB.username,
            "--all-roles",
            "corp",
        ],
    );
    out.expect_code(0);
    let ini = config_ini(&world);
    let expected = [
        (
            "profile corp-gateway-acct-GatewayAdmin",
            world::GATEWAY_ADMIN,
        ),
        (
            "profile corp-gateway-acct-ReadOnly",
            world::GATEWAY_READONLY,
        ),
        ("profile corp-222222222222-ReadOnly", world::OTHER_READONLY),
    ];
    for (name, arn) in expected {
        let s = section(&ini, name);
        assert_eq!(s.get("saml_role").map(String::as_str), Some(arn), "{name}");
        assert_eq!(s.get("saml_url"), Some(&world.adfs.sign_in_url()));
    }
    // Several roles, nobody to pick: `work` itself is not written, the per-role profiles are.
    assert!(!ini.contains_key("profile work"), "{}", config_text(&world));
    assert_eq!(ini.len(), 4, "{}", config_text(&world));
    assert!(
        config_text(&world).starts_with(&config),
        "the aliases stay first"
    );
    out.expect_stderr_contains("samlbridge login --profile corp-222222222222-ReadOnly");
    assert_eq!(
        world.adfs.issued_assertions().len(),
        1,
        "one sign-in for every role"
    );
}

#[test]
fn chain_writes_profiles_whose_source_is_the_gateway_and_login_then_works() {
    let world = world_with_config(ALICE, "");
    let prod = format!("prod={}", world::PROD_ADMINS);
    let staging = format!("staging={}", world::STAGING_DEPLOYER);
    let out = setup(
        &world,
        &[
            "--profile",
            "corp",
            "--username",
            ALICE.username,
            "--region",
            "eu-west-1",
            "--chain",
            &prod,
            "--chain",
            &staging,
        ],
    );
    out.expect_code(0);
    let ini = config_ini(&world);
    for (name, arn) in [
        ("profile prod", world::PROD_ADMINS),
        ("profile staging", world::STAGING_DEPLOYER),
    ] {
        let s = section(&ini, name);
        assert_eq!(s.get("saml_source").map(String::as_str), Some("corp"));
        assert_eq!(s.get("saml_role").map(String::as_str), Some(arn));
    }
    let login = world.sandbox.run(&["login", "--profile", "corp"]);
    login.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    world.assert_profile_holds("prod", world::PROD_ADMINS);
    world.assert_profile_holds("staging", world::STAGING_DEPLOYER);
}

#[test]
fn an_existing_profile_is_kept_byte_for_byte_without_yes() {
    let before =
        "[profile corp]\r\nsaml_url = https://old.example/adfs\r\n[profile audit]\r\nregion = x";
    let world = world_with_config(ALICE, before);
    world.sts.expect_unused();
    let chain = format!("audit={}", world::PROD_ADMINS);
    for extra in [
        &["--profile", "corp"][..],
        &["--profile", "new", "--chain", &chain][..],
    ] {
        let mut args = extra.to_vec();
        args.extend(["--username", ALICE.username]);
        let out = setup(&world, &args);
        out.expect_code(2).expect_stderr_contains("--yes");
        assert_eq!(
            std::fs::read(&world.sandbox.config).unwrap_or_default(),
            before.as_bytes()
        );
    }
    // A gateway cannot become a chained profile, even with --yes.
    let clash = format!("corp={}", world::PROD_ADMINS);
    let out = setup(&world, &["--profile", "new", "--chain", &clash, "--yes"]);
    out.expect_code(2).expect_stderr_contains("saml_url");
    assert_eq!(
        std::fs::read(&world.sandbox.config).unwrap_or_default(),
        before.as_bytes()
    );
    // Refused before the network: the IdP was never asked.
    world.adfs.expect_unused();
}

#[test]
fn yes_replaces_only_the_keys_setup_writes_and_every_other_byte_stays() {
    let before = "# my settings\r\n[default]\r\nregion=us-east-1\r\n\r\n;; the gateway\r\n[profile   corp]   # old one\r\nsaml_url   =   https://old.example/adfs   ; stale\r\noutput = json\r\n\r\n[profile other]\r\nregion = eu-west-1";
    let world = world_with_config(ALICE, before);
    world.sts.expect_unused();
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(
        &world.sandbox.config,
        std::fs::Permissions::from_mode(0o644),
    );
    let out = setup(
        &world,
        &["--profile", "corp", "--username", ALICE.username, "--yes"],
    );
    out.expect_code(0);
    let url = world.adfs.sign_in_url();
    let after = format!(
        "# my settings\r\n[default]\r\nregion=us-east-1\r\n\r\n;; the gateway\r\n[profile   corp]   # old one\r\nsaml_url   =   {url}   ; stale\r\noutput = json\r\nsaml_username = {}\r\nsaml_provider = adfs\r\nsaml_role = {}\r\n\r\n[profile other]\r\nregion = eu-west-1",
        ALICE.username,
        world::GATEWAY_ADMIN
    );
    assert_eq!(config_text(&world), after);
    assert_eq!(
        mode(&world.sandbox.config),
        0o644,
        "the config keeps its mode"
    );
}

#[test]
fn a_bad_chain_arn_or_name_is_refused_before_the_idp_is_asked() {
    let world = world_with_config(ALICE, "");
    world.sts.expect_unused();
    for chain in [
        "prod=arn:aws:iam::33333333333:role/Admins",
        "prod=arn:aws:s3:::bucket",
        "prod",
        "pr od=arn:aws:iam::333333333333:role/Admins",
    ] {
        let out = setup(
            &world,
            &[
                "--profile",
                "corp",
                "--username",
                ALICE.username,
                "--chain",
                chain,
            ],
        );
        out.expect_code(2).expect_stderr_contains("--chain");
    }
    for bad in [
        &["--profile", "a]b"][..],
        &["--profile", "corp", "--role", "arn:aws:iam::1:role/x"][..],
    ] {
        setup(&world, bad).expect_code(2);
    }
    let plain = world.sandbox.run(&[
        "setup",
        "--profile",
        "corp",
        "--url",
        "http://idp.example/adfs",
    ]);
    plain.expect_code(2).expect_stderr_contains("https");
    world.adfs.expect_unused();
    assert_eq!(config_text(&world), "");
}

#[test]
fn the_sign_in_flags_with_a_config_key_are_kept_so_login_signs_in_the_same_way() {
    let world = world_with_config(world::DANA, "");
    let command = format!("echo {}", world::DANA_CODE);
    let out = setup(
        &world,
        &[
            "--profile",
            "corp",
            "--username",
            world::DANA.username,
            "--mfa-command",
            &command,
        ],
    );
    out.expect_code(0);
    let ini = config_ini(&world);
    let corp = section(&ini, "profile corp");
    assert_eq!(corp.get("saml_mfa_command"), Some(&command));
    // No code on the command line: the written saml_mfa_command answers the IdP's code page.
    world
        .sandbox
        .run(&["login", "--profile", "corp"])
        .expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}
