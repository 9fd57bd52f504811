//! `credential-process` (issue 3): the one JSON line on stdout, then answers from the cache without
//! asking the IdP or STS (for a chained profile too, and when several calls come at once); renewal
//! near expiry from the saved IdP session or the cached gateway session; exit 3 with one line naming
//! the command when a person must act; profiles with `credential_process` never written by `login`,
//! and the real AWS CLI signing with what the process gave it.

use crate::harness::{BIN, Outcome};
use crate::real_peers::{self, Tool};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::sts::IssuedSession;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The credential_process answer, checked to be the one JSON object the AWS CLI reads and nothing
/// else on stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessAnswer {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
}

#[track_caller]
pub fn process_answer(out: &Outcome) -> ProcessAnswer {
    out.expect_code(0);
    let text = out.stdout.as_str();
    assert!(
        text.ends_with('\n') && text.trim_end().lines().count() == 1,
        "stdout must be exactly one JSON line\n{}",
        out.dump()
    );
    let json: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("stdout is not JSON ({e})\n{}", out.dump()),
    };
    let Some(object) = json.as_object() else {
        panic!("stdout is not a JSON object\n{}", out.dump());
    };
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ],
        "{}",
        out.dump()
    );
    assert_eq!(json["Version"], 1, "{}", out.dump());
    let text_of = |name: &str| match json[name].as_str() {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => panic!("{name} is not a non-empty string\n{}", out.dump()),
    };
    let expiration = text_of("Expiration");
    let Ok(parsed) = OffsetDateTime::parse(&expiration, &Rfc3339) else {
        panic!("Expiration {expiration:?} is not RFC 3339\n{}", out.dump());
    };
    ProcessAnswer {
        access_key_id: text_of("AccessKeyId"),
        secret_access_key: text_of("SecretAccessKey"),
        session_token: text_of("SessionToken"),
        expiration: parsed,
    }
}

impl World {
    pub fn credential_process(&self, profile: &str, args: &[&str]) -> Outcome {
        let mut all = vec!["credential-process", "--profile", profile];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }

    /// The session the STS issued for `answer`, which must be of `role_arn` and match key for key.
    #[track_caller]
    pub fn issued_for(&self, answer: &ProcessAnswer, role_arn: &str) -> IssuedSession {
        let Some(issued) = self.sts.session(&answer.access_key_id) else {
            panic!(
                "{} was never issued by the STS\n{}",
                answer.access_key_id,
                self.sts.log_text()
            );
        };
        assert_eq!(issued.role_arn, role_arn, "keys of another role");
        assert_eq!(answer.secret_access_key, issued.secret_access_key);
        assert_eq!(answer.session_token, issued.session_token);
        assert_eq!(answer.expiration, issued.expiration);
        issued
    }
}

#[test]
fn credential_process_signs_in_once_then_answers_from_the_cache_without_the_idp_or_sts() {
    let world = World::start(ALICE);
    let first = world.credential_process("corp", &[]);
    let answer = process_answer(&first);
    world.issued_for(&answer, world::GATEWAY_ADMIN);
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 1);

    let before = world.traffic();
    let second = world.credential_process("corp", &[]);
    assert_eq!(process_answer(&second), answer, "the cached session");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(
        world.traffic(),
        before,
        "a cache hit asked the IdP or STS\n{}",
        world.sts.log_text()
    );
    assert!(
        world.sandbox.credentials_bytes().is_none(),
        "credential-process writes no credentials file"
    );
}

#[test]
fn credential_process_for_a_chained_profile_caches_every_hop_of_its_chain() {
    let world = World::start(ALICE);
    let answer = process_answer(&world.credential_process("prod", &[]));
    world.issued_for(&answer, world::PROD_ADMINS);
    let hops: Vec<_> = world
        .sts
        .calls_to("AssumeRole")
        .into_iter()
        .filter_map(|c| c.role_arn)
        .collect();
    assert_eq!(
        hops,
        [world::PROD_ADMINS],
        "only the path to prod is assumed"
    );

    let before = world.traffic();
    let again = process_answer(&world.credential_process("prod", &[]));
    assert_eq!(again, answer);
    let gateway = process_answer(&world.credential_process("corp", &[]));
    assert_eq!(
        world.traffic(),
        before,
        "the hop and its gateway were cached\n{}",
        world.sts.log_text()
    );
    world.issued_for(&gateway, world::GATEWAY_ADMIN);
}

/// A subsequence check: every line of `seed` is in `after`, in the same order.
fn keeps_lines_in_order(seed: &str, after: &str) -> bool {
    let mut rest = after.lines();
    seed.lines().all(|line| rest.any(|l| l == line))
}

#[test]
fn a_profile_with_credential_process_gets_no_static_keys_from_login_and_is_served_from_the_cache() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile prod]\n",
        &format!("[profile prod]\ncredential_process = {BIN} credential-process --profile prod\n"),
    );
    world.sandbox.write_config(&config);
    let seed = "# mine\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = keep-me\n\n[personal]\nregion = eu-central-1\n";
    world.sandbox.seed_credentials(seed);

    world.login(&[]).expect_code(0);
    let after = world.sandbox.credentials_text();
    let sections = world.sandbox.credentials_ini();
    assert!(
        !sections.contains_key("prod"),
        "static keys written for a credential_process profile:\n{after}"
    );
    for (profile, role) in [
        ("corp", world::GATEWAY_ADMIN),
        ("staging", world::STAGING_DEPLOYER),
        ("audit", world::AUDITOR),
    ] {
        world.assert_profile_holds(profile, role);
    }
    assert!(
        keeps_lines_in_order(seed, &after),
        "the file's other lines moved or went:\n{after}"
    );

    let prod_sessions = world.sts.sessions_of(world::PROD_ADMINS);
    assert_eq!(
        prod_sessions.len(),
        1,
        "login still assumed prod, for the cache"
    );
    let before = world.traffic();
    let answer = process_answer(&world.credential_process("prod", &[]));
    assert_eq!(world.traffic(), before, "served from what login cached");
    assert_eq!(answer.access_key_id, prod_sessions[0].access_key_id);
}

#[test]
fn a_gateway_with_credential_process_is_cached_not_written_and_its_chain_is_written() {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile corp]\n",
        &format!(
            "[profile corp]\ncredential_process = \"{BIN}\" credential-process --profile corp\n"
        ),
    );
    world.sandbox.write_config(&config);
    world.login(&["--no-chain"]).expect_code(0);
    assert!(
        world.sandbox.credentials_bytes().is_none(),
        "nothing to write, yet the credentials file was made"
    );
    world.login(&["--force"]).expect_code(0);
    let sections = world.sandbox.credentials_ini();
    assert!(!sections.contains_key("corp"), "{sections:?}");
    world.assert_profile_holds("prod", world::PROD_ADMINS);

    let before = world.traffic();
    let answer = process_answer(&world.credential_process("corp", &[]));
    assert_eq!(world.traffic(), before);
    let gateway = world.sts.sessions_of(world::GATEWAY_ADMIN);
    assert!(
        gateway
            .iter()
            .any(|s| s.access_key_id == answer.access_key_id),
        "the gateway session login cached"
    );
}

#[test]
fn the_aws_cli_signs_with_the_keys_credential_process_gives_it() {
    if !real_peers::available(
        "the_aws_cli_signs_with_the_keys_credential_process_gives_it",
        &[Tool::AwsCli],
    ) {
        return;
    }
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile prod]\n",
        &format!("[profile prod]\ncredential_process = {BIN} credential-process --profile prod\n"),
    );
    world.sandbox.write_config(&config);
    let who = world.sandbox.run_program(
        "aws",
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "prod",
            "--output",
            "json",
        ],
    );
    who.expect_code(0);
    assert!(
        who.stdout.contains(&format!(
            "arn:aws:sts::333333333333:assumed-role/Admins/{}",
            ALICE.username
        )),
        "{}\n{}",
        who.dump(),
        world.sts.log_text()
    );
    let asked = world.sts.calls_to("GetCallerIdentity");
    assert_eq!(asked.len(), 1, "{}", world.sts.log_text());
    let prod = world.sts.sessions_of(world::PROD_ADMINS);
    assert_eq!(
        asked[0].source_key_id.as_deref(),
        prod.first().map(|s| s.access_key_id.as_str()),
        "the CLI signed with the chained session's key"
    );
}

#[test]
fn near_expiry_credential_process_renews_from_the_saved_idp_session_without_a_password() {
    let mut world = World::start(ALICE);
    let first = process_answer(&world.credential_process("corp", &[]));
    world.forget_password();
    let before = world.traffic();
    // The gateway session lasts 8 h: a 10 h window makes it due now.
    let renewed = process_answer(&world.credential_process("corp", &["--refresh-window", "10h"]));
    assert_ne!(renewed.access_key_id, first.access_key_id, "a new session");
    world.issued_for(&renewed, world::GATEWAY_ADMIN);
    let after = world.traffic();
    assert_eq!(
        after.idp_posts, before.idp_posts,
        "no password or code was posted: the saved session signed in"
    );
    assert!(
        after.idp_requests > before.idp_requests,
        "the IdP was asked"
    );
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 2);
}

#[test]
fn a_chained_profile_near_expiry_is_chained_again_from_the_cached_gateway_session() {
    let mut world = World::start(ALICE);
    let first = process_answer(&world.credential_process("prod", &[]));
    world.forget_password();
    let before = world.traffic();
    // prod lasts 1 h, the gateway 8 h: only prod is due with a 2 h window.
    let renewed = process_answer(&world.credential_process("prod", &["--refresh-window", "2h"]));
    assert_ne!(renewed.access_key_id, first.access_key_id);
    let issued = world.issued_for(&renewed, world::PROD_ADMINS);
    let after = world.traffic();
    assert_eq!(
        after.idp_requests, before.idp_requests,
        "the IdP was asked although the gateway session was fresh"
    );
    assert_eq!(
        after.sts_calls,
        before.sts_calls + 1,
        "{}",
        world.sts.log_text()
    );
    let gateway = world.sts.sessions_of(world::GATEWAY_ADMIN);
    assert_eq!(
        issued.source,
        samlbridge_emulators::sts::SessionSource::Chained {
            source_key_id: gateway[0].access_key_id.clone()
        }
    );
}

#[test]
fn with_no_session_and_no_password_credential_process_exits_3_with_one_line_naming_the_login() {
    let mut world = World::start(ALICE);
    world.forget_password();
    world.sts.expect_unused();
    for profile in ["prod", "corp"] {
        let out = world.credential_process(profile, &[]);
        out.expect_code(3)
            .expect_stderr_contains("samlbridge login --profile corp")
            .expect_stderr_contains(profile);
        assert!(out.stdout.is_empty(), "{}", out.dump());
        assert_eq!(
            out.stderr.trim_end().lines().count(),
            1,
            "one line on stderr\n{}",
            out.dump()
        );
    }
}
#[test]
fn concurrent_credential_process_calls_sign_in_once_and_agree() {
    // The SDKs ask from several threads at once; a slow STS keeps the first renewal in flight.
    let roles = world::roles().latency(std::time::Duration::from_millis(400));
    let world = World::with(world::users(), roles, ALICE);
    let answers: Vec<ProcessAnswer> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| world.credential_process("prod", &[])))
            .collect();
        runs.into_iter()
            .map(|run| match run.join() {
                Ok(out) => process_answer(&out),
                Err(_) => panic!("a credential-process run panicked"),
            })
            .collect()
    });
    assert_eq!(
        world.adfs.posts().len(),
        1,
        "signed in more than once: {:?}",
        world.adfs.posts().len()
    );
    assert_eq!(
        world.sts.calls_to("AssumeRoleWithSAML").len(),
        1,
        "{}",
        world.sts.log_text()
    );
    assert!(
        answers.iter().all(|a| a == &answers[0]),
        "the calls got different sessions"
    );
    world.issued_for(&answers[0], world::PROD_ADMINS);
}
