//! The two programs (issue 7, "Cheaper cache hits"): `samlbridge` answers a cached
//! `credential-process` call by itself and hands every other call to `samlbridge-full` beside it,
//! which then answers exactly as if it had been called.

use crate::harness::{BIN, Outcome};
use crate::sessions::process_answer;
use crate::world::{ALICE, World};

const FULL: &str = env!("CARGO_BIN_EXE_samlbridge-full");

/// A copy of the front binary in a directory of its own, without samlbridge-full.
fn front_alone(world: &World) -> String {
    let dir = world.sandbox.root().join("alone");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("samlbridge");
    std::fs::copy(BIN, &path).unwrap();
    path.display().to_string()
}

#[test]
fn the_front_answers_a_cache_hit_and_its_version_by_itself_and_nothing_else() {
    let world = World::start(ALICE);
    let answer = process_answer(&world.credential_process("corp", &[]));
    let alone = front_alone(&world);

    let before = world.traffic();
    let args = ["credential-process", "--profile=corp", "--non-interactive"];
    let hit = world.sandbox.run_program(&alone, &args);
    assert_eq!(
        process_answer(&hit),
        answer,
        "served without samlbridge-full"
    );
    assert_eq!(world.traffic(), before, "a cache hit asked the IdP or STS");

    let version = world.sandbox.run_program(&alone, &["--version"]);
    version.expect_code(0);
    assert_eq!(
        version.stdout,
        format!("samlbridge {}\n", env!("CARGO_PKG_VERSION"))
    );

    let handed_over: [&[&str]; 4] = [
        &["--help"],
        &["credential-process", "--profile", "corp", "-v"],
        &["credential-process", "--profile", "nosuch"],
        // a miss: the session has less than a day left
        &[
            "credential-process",
            "--profile",
            "corp",
            "--refresh-window",
            "24h",
        ],
    ];
    for args in handed_over {
        let out = world.sandbox.run_program(&alone, args);
        out.expect_code(1)
            .expect_stderr_contains("cannot run")
            .expect_stderr_contains("samlbridge-full");
        assert!(out.stdout.is_empty(), "{}", out.dump());
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.dump());
    }
}

/// The same answer; clap's usage lines name the program as it was called (the front passes on its
/// own name, `samlbridge`).
fn same(front: &Outcome, full: &Outcome) {
    let full_stderr = full.stderr.replace("samlbridge-full", "samlbridge");
    assert_eq!(
        (front.code, &front.stdout, &front.stderr),
        (full.code, &full.stdout, &full_stderr),
        "\n{}\n{}",
        front.dump(),
        full.dump()
    );
}

#[test]
fn what_the_front_hands_over_is_answered_as_samlbridge_full_answers_it() {
    let world = World::start(ALICE);
    let cases: [&[&str]; 6] = [
        &["--version"],
        &["credential-process", "--profile", "nosuch"],
        &[
            "credential-process",
            "--profile",
            "corp",
            "--refresh-window",
            "soon",
        ],
        &["credential-process", "--profile", "corp", "--bogus"],
        &["credential-process", "-p=corp"],
        &["credential-process", "--profile", "corp"],
    ];
    for args in cases {
        let through_front = world.sandbox.run(args);
        let direct = world.sandbox.run_program(FULL, args);
        same(&through_front, &direct);
    }
    // the last case signed in and cached; both now answer from the cache, the front by itself
    let args = ["credential-process", "--profile", "corp"];
    same(
        &world.sandbox.run(&args),
        &world.sandbox.run_program(FULL, &args),
    );
}

#[cfg(unix)]
#[test]
fn through_a_symbolic_link_the_front_finds_samlbridge_full_beside_its_target() {
    let world = World::start(ALICE);
    let dir = world.sandbox.root().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("samlbridge");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let link = link.display().to_string();
    let first = world
        .sandbox
        .run_program(&link, &["credential-process", "--profile", "corp"]);
    let answer = process_answer(&first);
    let again = world
        .sandbox
        .run_program(&link, &["credential-process", "--profile", "corp"]);
    assert_eq!(process_answer(&again), answer);
}
