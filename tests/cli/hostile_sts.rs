//! Issue 7, section 2: STS answers are validated, not trusted. A body cut inside `<Credentials>`,
//! a missing element, an Expiration already past (by a broken STS or a skewed clock) end with exit 4
//! naming STS and the profile, and nothing is cached, written or printed — for `login --no-chain`,
//! `credential-process` and chained hops. A silent STS costs a bounded time (section 4).

use crate::harness::{Outcome, Sandbox};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::sts::silent::SilentSts;
use samlbridge_emulators::sts::{Spoil, StsConfig};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Every spoiled answer a broken STS or a cutting proxy can give, with what the error must say.
fn spoiled_answers() -> Vec<(Spoil, &'static str)> {
    vec![
        (Spoil::CutAfter("AccessKeyId"), "cut short"),
        (Spoil::CutAfter("SecretAccessKey"), "cut short"),
        (Spoil::CutAfter("SessionToken"), "cut short"),
        (Spoil::CutAfter("Expiration"), "cut short"),
        (Spoil::CutBeforeCredentialsEnd, "cut short"),
        (
            Spoil::Without("SecretAccessKey"),
            "SecretAccessKey is empty",
        ),
        (Spoil::Without("SessionToken"), "SessionToken is empty"),
        (Spoil::Without("AccessKeyId"), "AccessKeyId is empty"),
        (Spoil::Without("Expiration"), "no Expiration"),
        (Spoil::ExpiredFor(Duration::from_secs(1)), "already past"),
        (
            Spoil::ExpiredFor(Duration::from_secs(86400)),
            "already past",
        ),
    ]
}

fn world_with(sts: StsConfig) -> World {
    World::with(world::users(), sts, ALICE)
}

fn cache_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home.join(".local/state/samlbridge/cache")
}

/// Cache entries on disk (lock files and leftovers of other kinds aside).
fn cached_entries(sandbox: &Sandbox) -> Vec<String> {
    std::fs::read_dir(cache_dir(sandbox))
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
fn assert_refused(out: &Outcome, profile: &str, problem: &str) {
    out.expect_code(4)
        .expect_stderr_contains(&format!("profile {profile}: STS"))
        .expect_stderr_contains(problem);
    assert!(
        out.stdout.is_empty(),
        "something was printed\n{}",
        out.dump()
    );
    assert!(
        !out.stderr.contains("credentials file"),
        "blamed the file\n{}",
        out.dump()
    );
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "one line\n{}",
        out.dump()
    );
}

#[test]
fn login_no_chain_refuses_every_spoiled_answer_and_writes_and_caches_nothing() {
    let seeded = "[corp]\naws_access_key_id = ASIAOLDOLDOLDOLD0\n";
    for (spoil, problem) in spoiled_answers() {
        let world = world_with(world::roles().spoil(spoil));
        world.sandbox.seed_credentials(seeded);
        let out = world.login(&["--no-chain"]);
        assert_refused(&out, "corp", problem);
        assert_eq!(world.sandbox.credentials_text(), seeded, "{spoil:?}");
        assert!(
            cached_entries(&world.sandbox).is_empty(),
            "{spoil:?} was cached"
        );
    }
}

#[test]
fn credential_process_prints_nothing_for_a_spoiled_answer_and_caches_nothing() {
    for (spoil, problem) in spoiled_answers() {
        let world = world_with(world::roles().spoil(spoil));
        let out = world.credential_process("corp", &[]);
        assert_refused(&out, "corp", problem);
        assert!(
            cached_entries(&world.sandbox).is_empty(),
            "{spoil:?} was cached"
        );
        assert!(world.sandbox.credentials_bytes().is_none());
    }
}

#[test]
fn a_spoiled_hop_answer_fails_the_chain_naming_the_hop_and_writes_nothing() {
    for spoil in [
        Spoil::CutAfter("SessionToken"),
        Spoil::ExpiredFor(Duration::from_secs(60)),
    ] {
        let world = world_with(world::roles().spoil_only("AssumeRole", spoil));
        let out = world.login(&["--chain", "prod"]);
        out.expect_code(4)
            .expect_stderr_contains("profile prod: STS");
        assert!(out.stdout.is_empty(), "{}", out.dump());
        assert!(
            world.sandbox.credentials_bytes().is_none(),
            "{spoil:?} wrote the file"
        );
        // The gateway's good session may be cached; the hop's spoiled one never is.
        assert!(
            cached_entries(&world.sandbox)
                .iter()
                .all(|name| !name.starts_with("prod-")),
            "{spoil:?}: {:?}",
            cached_entries(&world.sandbox)
        );
        let chained = world
            .sandbox
            .run(&["credential-process", "--profile", "prod"]);
        chained
            .expect_code(4)
            .expect_stderr_contains("profile prod: STS");
        assert!(chained.stdout.is_empty(), "{}", chained.dump());
    }
}

/// An STS whose clock is 10 h behind ours hands out 8-hour sessions already expired by our clock:
/// refused, and the error says the clock looks wrong (STS's Date header shows it).
#[test]
fn an_answer_expired_by_a_skewed_clock_says_the_local_clock_looks_wrong() {
    let behind = time::Duration::hours(-10);
    let world = world_with(world::roles().clock_offset(behind));
    for out in [
        world.login(&["--no-chain"]),
        world.credential_process("corp", &[]),
    ] {
        assert_refused(&out, "corp", "already past");
        out.expect_stderr_contains("the local clock looks wrong")
            .expect_stderr_contains("min ahead")
            .expect_stderr_contains("NTP");
    }
    assert!(world.sandbox.credentials_bytes().is_none());
    assert!(cached_entries(&world.sandbox).is_empty());
}

/// A clock a few minutes off is no reason to refuse a good session.
#[test]
fn a_clock_slightly_off_still_gets_its_session() {
    let world = world_with(world::roles().clock_offset(time::Duration::minutes(3)));
    world.login(&["--no-chain"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

fn silent_world(budget: Option<&str>) -> (World, SilentSts) {
    let silent = SilentSts::start();
    let mut world = World::start(ALICE);
    world.sts.expect_unused();
    world
        .sandbox
        .set_env("AWS_ENDPOINT_URL_STS", &silent.endpoint());
    if let Some(seconds) = budget {
        world.sandbox.set_env("SAMLBRIDGE_STS_TIMEOUT", seconds);
    }
    (world, silent)
}

/// Issue 7, section 4: with a shortened budget, a silent STS ends the run within it (exit 5).
#[test]
fn a_silent_sts_ends_credential_process_within_the_budget() {
    let (world, silent) = silent_world(Some("2"));
    let started = Instant::now();
    let out = world.credential_process("corp", &[]);
    let took = started.elapsed();
    out.expect_code(5)
        .expect_stderr_contains("profile corp")
        .expect_stderr_contains("could not reach STS");
    assert!(out.stdout.is_empty(), "{}", out.dump());
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        silent.connections() >= 1,
        "the silent STS was never reached"
    );
}

/// The production bound, unshortened: an SDK calling credential_process gets its answer within
/// ~35 s, not 3 × 30 s. It waits the whole budget, so it runs on demand (`--ignored`); the unit
/// test `the_production_budget_keeps_an_sdk_waiting_35_s_at_most` pins the same numbers.
#[test]
#[ignore = "waits the whole 30 s production budget; run with --ignored"]
fn a_silent_sts_ends_credential_process_within_35_seconds() {
    let (world, silent) = silent_world(None);
    let started = Instant::now();
    let out = world.credential_process("corp", &[]);
    let took = started.elapsed();
    out.expect_code(5)
        .expect_stderr_contains("profile corp")
        .expect_stderr_contains("could not reach STS");
    assert!(took < Duration::from_secs(35), "took {took:?}");
    assert!(took >= Duration::from_secs(25), "gave up early: {took:?}");
    assert!(
        silent.connections() >= 1,
        "the silent STS was never reached"
    );
}
