//! Crashes and planted files (issue 7, section 3): a run killed with SIGKILL while writing leaves no
//! secret-holding temp file that the next run or `logout` does not remove; a symlink planted at a lock
//! path is refused, not followed; and no command panics when stdout's reader has gone.

use crate::harness::{Outcome, Sandbox};
use crate::world::{ALICE, World};
use samlbridge_emulators::federation::FederationEmulator;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Every file under `dir`, recursively (links included, not followed).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => found.extend(files_under(&path)),
            _ => found.push(path),
        }
    }
    found
}

/// Files under HOME that are neither the credentials file, a lock, nor a cache or session entry:
/// temp files (named or not like samlbridge's own) would be here.
fn strays(sandbox: &Sandbox) -> Vec<PathBuf> {
    files_under(&sandbox.home)
        .into_iter()
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let entry = name.ends_with(".json") && !name.starts_with('.');
            !(path == &sandbox.credentials || name.ends_with(".lock") || entry)
        })
        .collect()
}

fn state_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.home.join(".local/state/samlbridge")
}

/// The temp files under `dir` now.
fn temp_files(dir: &Path) -> BTreeSet<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".tmp"))
        })
        .collect()
}

/// The pid of a process that has exited: what a killed run's temp file names.
fn dead_pid() -> u32 {
    let mut child = match std::process::Command::new("true").spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot run true: {e}"),
    };
    let pid = child.id();
    let _ = child.wait();
    pid
}

/// Temp files as a run killed between writing and renaming leaves them, with whole secrets inside.
fn plant_leftovers(sandbox: &Sandbox) -> Vec<PathBuf> {
    let dead = dead_pid();
    let state = state_dir(sandbox);
    let planted = vec![
        sandbox
            .home
            .join(format!(".aws/.credentials.samlbridge-{dead}-0.tmp")),
        state.join(format!("cache/.corp-00ff.json.samlbridge-{dead}-3.tmp")),
        // The name earlier versions gave cache entries' temp files.
        state.join(format!("cache/.prod-00ff.json.{dead}.1.tmp")),
        state.join(format!("sessions/.0a-0b.json.samlbridge-{dead}-0.tmp")),
    ];
    for path in &planted {
        crate::harness::write(
            path,
            "aws_secret_access_key = leftover-secret-of-a-killed-run\n",
        );
    }
    planted
}

/// Profiles kept by hand in the big credentials file.
const PROFILES: usize = 2000;

/// A credentials file of many profiles, so that writing it takes long enough for kills to land in.
fn big_credentials() -> String {
    let mut text = String::from("# kept by hand\n");
    for n in 0..PROFILES {
        text.push_str(&format!(
            "[keep{n}]\naws_access_key_id = AKIAKEEP{n:08}\naws_secret_access_key = keep-secret-{n}\n\n"
        ));
    }
    text
}

#[test]
fn runs_killed_while_writing_leave_no_temp_file_once_the_next_run_is_over() {
    let world = World::start(ALICE);
    let seeded = big_credentials();
    world.sandbox.seed_credentials(&seeded);
    let started = Instant::now();
    world.login(&["--force"]).expect_code(0);
    let full_run = started.elapsed();
    eprintln!(
        "one login with a {} byte credentials file: {full_run:?}",
        seeded.len()
    );
    // Each run is killed the moment a new temp file shows, else at a time spread over the whole run
    // (most of them late in it, where the writes are).
    let kills = 16u32;
    let mut caught = 0;
    for k in 0..kills {
        let deadline = full_run * (8 + k) / (kills + 4);
        let before = temp_files(&world.sandbox.home);
        let mut child = world
            .sandbox
            .spawn(&["login", "--profile", "corp", "--force"]);
        let spawned = Instant::now();
        while spawned.elapsed() < deadline {
            if temp_files(&world.sandbox.home)
                .difference(&before)
                .next()
                .is_some()
            {
                caught += 1;
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    eprintln!("{caught} of {kills} runs were killed with a temp file in sight");
    let planted = plant_leftovers(&world.sandbox);

    world.login(&["--force"]).expect_code(0);

    let left = strays(&world.sandbox);
    assert!(
        left.is_empty(),
        "temp files survived the next run: {left:?}"
    );
    for path in planted {
        assert!(!path.exists(), "{} survived", path.display());
    }
    // Nothing the user had was lost on the way.
    let text = world.sandbox.credentials_text();
    assert!(text.starts_with("# kept by hand\n"));
    assert!(text.contains("[keep1999]\naws_access_key_id = AKIAKEEP00001999\n"));
    world.assert_profile_holds("prod", crate::world::PROD_ADMINS);
}

#[test]
fn even_a_run_with_nothing_to_write_removes_what_killed_runs_left() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let planted = plant_leftovers(&world.sandbox);
    let before = world.traffic();
    // Everything is fresh: login writes nothing, credential-process answers from the cache.
    world
        .login(&[])
        .expect_code(0)
        .expect_stderr_contains("nothing to do");
    let out = world
        .sandbox
        .run(&["credential-process", "--profile", "prod"]);
    out.expect_code(0);
    assert_eq!(world.traffic(), before, "the runs were meant to ask nobody");
    // The sessions directory is read at the next sign-in.
    let (sessions, others): (Vec<_>, Vec<_>) = planted
        .into_iter()
        .partition(|p| p.parent().is_some_and(|d| d.ends_with("sessions")));
    for path in others {
        assert!(!path.exists(), "{} survived", path.display());
    }
    world.login(&["--force"]).expect_code(0);
    for path in sessions {
        assert!(!path.exists(), "{} survived", path.display());
    }
    let left = strays(&world.sandbox);
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn logout_sweeps_the_temp_files_interrupted_runs_left() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let planted = plant_leftovers(&world.sandbox);
    let live = world.sandbox.home.join(format!(
        ".aws/.credentials.samlbridge-{}-0.tmp",
        std::process::id()
    ));
    crate::harness::write(&live, "a live writer's temp file");

    world
        .sandbox
        .run(&["logout", "--profile", "corp"])
        .expect_code(0)
        .expect_stderr_contains("Removed 4 temporary file(s)");

    for path in planted {
        assert!(!path.exists(), "{} survived logout", path.display());
    }
    assert!(live.exists(), "a running process's temp file was removed");
}

/// A dangling symlink at `link`, to a target that must not come to exist.
fn plant_dangling_link(sandbox: &Sandbox, link: &Path) -> PathBuf {
    let target = sandbox.root().join("planted-target");
    if let Some(dir) = link.parent() {
        crate::harness::mkdir(dir);
    }
    if let Err(e) = std::os::unix::fs::symlink(&target, link) {
        panic!("{}: {e}", link.display());
    }
    target
}

#[track_caller]
fn refused_naming(out: &Outcome, link: &Path, target: &Path) {
    out.expect_code(1)
        .expect_stderr_contains(&link.display().to_string())
        .expect_stderr_contains("symbolic link");
    assert!(!target.exists(), "the planted link's target was created");
    assert!(!out.stderr.contains("panicked"), "{}", out.dump());
}

#[test]
fn a_symlink_planted_at_the_credentials_files_lock_is_refused_not_followed() {
    let world = World::start(ALICE);
    let link = world.sandbox.home.join(".aws/credentials.samlbridge.lock");
    let target = plant_dangling_link(&world.sandbox, &link);
    let out = world.login(&[]);
    refused_naming(&out, &link, &target);
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn a_symlink_planted_at_the_refresh_lock_is_refused_not_followed() {
    let world = World::start(ALICE);
    // Refused before any sign-in: neither the IdP nor the STS is asked.
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let link = state_dir(&world.sandbox).join("cache/.refresh.lock");
    let target = plant_dangling_link(&world.sandbox, &link);
    let out = world
        .sandbox
        .run(&["credential-process", "--profile", "prod"]);
    refused_naming(&out, &link, &target);
    assert!(out.stdout.is_empty(), "{}", out.dump());
}

#[test]
fn a_credentials_file_that_is_a_symlink_is_still_written_through() {
    let world = World::start(ALICE);
    let real = world.sandbox.root().join("elsewhere/credentials");
    crate::harness::write(&real, "# mine\n");
    crate::harness::mkdir(&world.sandbox.home.join(".aws"));
    if let Err(e) = std::os::unix::fs::symlink(&real, &world.sandbox.credentials) {
        panic!("{e}");
    }
    world.login(&[]).expect_code(0);
    let meta = std::fs::symlink_metadata(&world.sandbox.credentials).map(|m| m.file_type());
    assert!(meta.is_ok_and(|t| t.is_symlink()), "the link was replaced");
    let text = std::fs::read_to_string(&real).unwrap_or_default();
    assert!(
        text.starts_with("# mine\n") && text.contains("[prod]"),
        "{text}"
    );
}

#[track_caller]
fn ends_quietly(out: &Outcome) {
    out.expect_code(0);
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("Broken pipe"),
        "{}",
        out.dump()
    );
}

#[test]
fn no_command_panics_when_the_terminals_reader_has_gone_from_both_streams() {
    let world = World::start(ALICE);
    let sandbox = &world.sandbox;
    // A login that prints its summary, one that fails (its error goes to the closed stderr), a
    // usage error, and logs at -vv.
    assert_eq!(
        sandbox.run_with_output_closed(&["login", "--profile", "corp", "-vv"]),
        Some(0)
    );
    assert_eq!(
        sandbox.run_with_output_closed(&["login", "--profile", "nosuch"]),
        Some(2)
    );
    assert_eq!(
        sandbox.run_with_output_closed(&["login", "--duration", "5"]),
        Some(2)
    );
    assert_eq!(
        sandbox.run_with_output_closed(&["roles", "--profile", "corp"]),
        Some(0)
    );
}

#[test]
fn no_command_panics_when_stdouts_reader_has_gone() {
    let mut world = World::start(ALICE);
    let federation = FederationEmulator::start(world.sts.session_lookup());
    world
        .sandbox
        .set_env("SAMLBRIDGE_FEDERATION_ENDPOINT", &federation.endpoint());
    let sandbox = &world.sandbox;
    let commands: &[&[&str]] = &[
        &["--help"],
        &["--version"],
        &["providers"],
        &["roles", "--profile", "corp", "--json"],
        &["roles", "--profile", "corp"],
        &["refresh", "--cron"],
        &["env", "--profile", "prod"],
        &["console", "--profile", "prod", "--print"],
        // a miss (signs in, caches), then a hit from the cache
        &["credential-process", "--profile", "staging"],
        &["credential-process", "--profile", "staging"],
    ];
    for args in commands {
        ends_quietly(&sandbox.run_with_stdout_closed(args));
    }
    // The miss did its work before the reader was found gone: the entry it cached answers now.
    let calls = world.sts.calls().len();
    let out = sandbox.run(&["credential-process", "--profile", "staging"]);
    out.expect_code(0);
    assert!(out.stdout.contains("\"AccessKeyId\""), "{}", out.dump());
    assert_eq!(world.sts.calls().len(), calls, "the cache did not answer");
    // With a reader, the same commands still print.
    let out = sandbox.run(&["providers"]);
    out.expect_code(0);
    assert!(!out.stdout.is_empty());
}
