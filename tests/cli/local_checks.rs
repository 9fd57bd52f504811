//! Issue 7, section 4: everything that can be checked locally is checked before the first request,
//! since a sign-in can cost an MFA prompt. Each case proves the IdP emulator (and the STS) received
//! zero requests: a session duration AWS would refuse, a profile name that cannot be a section name,
//! a role ARN that cannot be one, a credentials file that cannot be read as text or written.

use crate::harness::{Outcome, write};
use crate::world::{self, ALICE, World};
use std::os::unix::fs::PermissionsExt;

/// A world whose IdP and STS must never be asked.
fn untouched_world() -> World {
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
}

#[track_caller]
fn assert_stopped_before_network(world: &World, out: &Outcome, code: i32, needle: &str) {
    out.expect_code(code).expect_stderr_contains(needle);
    let traffic = world.traffic();
    assert_eq!(
        (traffic.idp_requests, traffic.sts_calls),
        (0, 0),
        "the IdP or STS was asked\n{}",
        out.dump()
    );
    assert!(out.stdout.is_empty(), "{}", out.dump());
}

#[test]
fn a_duration_outside_900_to_43200_exits_2_before_any_request() {
    let world = untouched_world();
    for duration in ["0", "899", "43201", "-1", "2147483647", "-2147483648"] {
        let out = world.login(&[&format!("--duration={duration}")]);
        assert_stopped_before_network(&world, &out, 2, "--duration");
        out.expect_stderr_contains("900 to 43200");
    }
    for duration in ["1e3", "", "3600s"] {
        let out = world.login(&["--duration", duration]);
        assert_stopped_before_network(&world, &out, 2, "--duration");
    }
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn duration_seconds_outside_the_range_in_the_config_exits_2_before_any_request() {
    let world = untouched_world();
    let base = world::config(&world.adfs.sign_in_url(), ALICE.username);
    for (profile, value) in [("corp", "600"), ("corp", "50000"), ("prod", "86400")] {
        let section = format!("[profile {profile}]\n");
        let config = base.replacen(
            &section,
            &format!("{section}duration_seconds = {value}\n"),
            1,
        );
        world.sandbox.write_config(&config);
        for args in [
            &["login", "--profile", profile][..],
            &["credential-process", "--profile", profile],
        ] {
            let out = world.sandbox.run(args);
            assert_stopped_before_network(&world, &out, 2, "duration_seconds");
            out.expect_stderr_contains(value);
        }
    }
}

#[test]
fn a_profile_name_that_cannot_be_a_section_exits_2_before_any_request() {
    let world = untouched_world();
    let url = world.adfs.sign_in_url();
    let names = [
        "",
        " corp",
        "corp ",
        "co]rp",
        "[corp]",
        "co[rp",
        "co\nrp",
        "co\rrp",
        "co\trp",
        "co\u{1b}[2Jrp",
        "co\u{7}rp",
        "co#rp",
        "#corp",
        "co;rp",
        "co\u{202e}rp",
        "co\u{85}rp",
    ];
    for name in names {
        for args in [
            vec!["login", "--profile", name],
            vec!["login", "--profile", name, "--url", url.as_str()],
            vec![
                "credential-process",
                "--profile",
                name,
                "--url",
                url.as_str(),
            ],
            vec!["roles", "--profile", name, "--url", url.as_str()],
        ] {
            let out = world.sandbox.run(&args);
            assert_stopped_before_network(&world, &out, 2, "cannot be a section name");
            assert!(
                !out.stderr.contains('\u{1b}'),
                "a raw escape on stderr: {:?}",
                out.stderr
            );
        }
    }
    let mut world = world;
    world.sandbox.set_env("AWS_PROFILE", "co;rp");
    let out = world.sandbox.run(&["login", "--url", url.as_str()]);
    assert_stopped_before_network(&world, &out, 2, "cannot be a section name");
}

/// A chained profile whose section name would be read as a comment by some tools.
#[test]
fn a_chained_profile_with_such_a_name_is_refused_before_the_gateway_signs_in() {
    let world = untouched_world();
    let config = format!(
        "{}\n[profile pr;od]\nsaml_source = corp\nsaml_role = {}\n",
        world::config(&world.adfs.sign_in_url(), ALICE.username),
        world::PROD_ADMINS
    );
    world.sandbox.write_config(&config);
    let out = world.login(&[]);
    assert_stopped_before_network(&world, &out, 2, "pr;od");
}

#[test]
fn a_role_arn_that_cannot_be_one_exits_2_before_any_request() {
    let world = untouched_world();
    let bad = [
        "arn:aws:iam::1111111111:role/GatewayAdmin",
        "arn:aws:iam::111111111111:role/",
        "arn:aws:iam::111111111111:user/GatewayAdmin",
        "arn:aws:sts::111111111111:role/GatewayAdmin",
        "arn:aws:iam::111111111111:role/Gateway Admin",
        "GatewayAdmin:x",
    ];
    for role in bad {
        let out = world.login(&["--role", role]);
        assert_stopped_before_network(&world, &out, 2, "--role");
    }
    let base = world::config(&world.adfs.sign_in_url(), ALICE.username);
    for role in bad {
        let config = base.replacen(
            "[profile corp]\n",
            &format!("[profile corp]\nsaml_role = {role}\n"),
            1,
        );
        world.sandbox.write_config(&config);
        let out = world.login(&[]);
        assert_stopped_before_network(&world, &out, 2, "saml_role");
    }
}

#[test]
fn a_credentials_file_that_is_not_utf8_fails_before_any_request_naming_it() {
    let world = untouched_world();
    world.sandbox.seed_credentials("");
    let bytes = b"[default]\naws_access_key_id = AKIA\xff\xfe\n";
    std::fs::write(&world.sandbox.credentials, bytes).unwrap();
    for args in [&["--no-chain"][..], &[], &["--force"]] {
        let out = world.login(args);
        assert_stopped_before_network(&world, &out, 1, "not UTF-8");
        out.expect_stderr_contains(&world.sandbox.credentials.display().to_string());
    }
    let refresh = world.sandbox.run(&["refresh", "--profile", "corp"]);
    assert_stopped_before_network(&world, &refresh, 1, "not UTF-8");
    assert_eq!(world.sandbox.credentials_bytes().unwrap(), bytes);
}

fn chmod(path: &std::path::Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_credentials_file_or_directory_that_cannot_be_written_fails_before_any_request() {
    let world = untouched_world();
    let seeded = "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\n";
    world.sandbox.seed_credentials(seeded);
    let aws = world.sandbox.home.join(".aws");

    chmod(&world.sandbox.credentials, 0o444);
    let out = world.login(&["--no-chain"]);
    assert_stopped_before_network(&world, &out, 1, "read-only");
    out.expect_stderr_contains(&world.sandbox.credentials.display().to_string());
    chmod(&world.sandbox.credentials, 0o600);

    chmod(&aws, 0o555);
    let out = world.login(&["--no-chain"]);
    chmod(&aws, 0o700);
    assert_stopped_before_network(&world, &out, 1, "read-only");
    out.expect_stderr_contains(&aws.display().to_string());
    assert_eq!(world.sandbox.credentials_text(), seeded);

    std::fs::remove_file(&world.sandbox.credentials).unwrap();
    std::fs::create_dir(&world.sandbox.credentials).unwrap();
    let out = world.login(&["--no-chain"]);
    assert_stopped_before_network(&world, &out, 1, "is a directory");

    // A pipe in its place would make a reader wait forever.
    std::fs::remove_dir(&world.sandbox.credentials).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(&world.sandbox.credentials)
        .status();
    if fifo.is_ok_and(|s| s.success()) {
        let out = world.login(&["--no-chain"]);
        assert_stopped_before_network(&world, &out, 1, "not a regular file");
    }
}

#[test]
fn a_credentials_path_under_a_plain_file_fails_before_any_request() {
    let mut world = untouched_world();
    let blocker = world.sandbox.root().join("not-a-dir");
    write(&blocker, "x");
    let inside = blocker.join("credentials");
    world
        .sandbox
        .set_env("AWS_SHARED_CREDENTIALS_FILE", &inside.display().to_string());
    let out = world.login(&["--no-chain"]);
    assert_stopped_before_network(&world, &out, 1, "not-a-dir");
}

#[test]
fn console_duration_outside_the_range_exits_2_before_any_request() {
    let world = untouched_world();
    for duration in ["0", "899", "43201"] {
        let out = world.sandbox.run(&[
            "console",
            "--profile",
            "corp",
            "--print",
            "--duration",
            duration,
        ]);
        assert_stopped_before_network(&world, &out, 2, "900–43200");
    }
}

/// The same checks let a good run through: a writable file gets its profiles.
#[test]
fn a_good_duration_and_file_still_sign_in() {
    let world = World::start(ALICE);
    world
        .sandbox
        .seed_credentials("[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE\n");
    world
        .login(&["--no-chain", "--duration", "43200"])
        .expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let aws = world.sandbox.aws_dir_listing();
    assert_eq!(aws, ["credentials"], "a probe or temp file stayed");
}

/// A plan whose profiles are all served by `credential_process` writes nothing to the credentials
/// file, so a broken one is no reason to stop its login.
#[test]
fn a_login_that_writes_no_profile_does_not_need_a_writable_credentials_file() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile corp]\n",
        &format!(
            "[profile corp]\ncredential_process = {} credential-process --profile corp\n",
            crate::harness::BIN
        ),
    );
    world.sandbox.write_config(&config);
    world.sandbox.seed_credentials("");
    let bytes = b"[default]\naws_access_key_id = AKIA\xff\n";
    std::fs::write(&world.sandbox.credentials, bytes).unwrap();
    world.login(&["--no-chain"]).expect_code(0);
    assert_eq!(world.sandbox.credentials_bytes().unwrap(), bytes);
    // It signed in, and the session serves credential_process from the cache.
    let before = world.traffic();
    world.credential_process("corp", &[]).expect_code(0);
    assert_eq!(world.traffic(), before);
}
