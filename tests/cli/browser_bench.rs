//! A benchmark, not a check (issue 9): a silent headless sign-in through Chromium (the IdP session
//! restored from the browser's saved cookies) against a form-engine sign-in with the password, on
//! the same AD FS emulator: wall time and peak memory (samlbridge, plus its browser's processes, as a
//! sum of resident sizes), printed as figures and ratios.
//!
//! `cargo test --test cli browser_bench -- --ignored --nocapture`

use crate::browser_signin::{browser_config, have_chromium, processes_under};
use crate::harness::Sandbox;
use crate::world::{ALICE, World};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

/// Resident memory of a process in KiB (0 once it is gone).
fn rss_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One `samlbridge login --profile corp --force`: its wall time and the peak of samlbridge's and its
/// browser's resident memory together.
fn measured_login(sandbox: &Sandbox, sts: &str, password: Option<&str>) -> (Duration, u64, bool) {
    let mut cmd = Command::new(crate::harness::BIN);
    cmd.args(["login", "--profile", "corp", "--force"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &sandbox.home)
        .env("AWS_CONFIG_FILE", &sandbox.config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &sandbox.credentials)
        .env("AWS_REGION", "eu-west-1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.env("AWS_ENDPOINT_URL_STS", sts);
    if let Some(p) = password {
        cmd.env("SAMLBRIDGE_PASSWORD", p);
    }
    let started = Instant::now();
    let Ok(mut child) = cmd.spawn() else {
        panic!("cannot start samlbridge");
    };
    let own = child.id().to_string();
    let mut peak = 0;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return (started.elapsed(), peak, status.success());
        }
        let browser: u64 = processes_under(sandbox.root())
            .iter()
            .filter_map(|line| line.split_whitespace().next())
            .map(rss_kib)
            .sum();
        peak = peak.max(rss_kib(&own) + browser);
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return (started.elapsed(), peak, false);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn summary(label: &str, runs: &[(Duration, u64, bool)]) -> (f64, f64) {
    assert!(runs.iter().all(|r| r.2), "{label}: a run failed");
    let wall = runs.iter().map(|r| r.0.as_secs_f64()).sum::<f64>() / runs.len() as f64;
    let peak = runs.iter().map(|r| r.1).max().unwrap_or(0) as f64 / 1024.0;
    println!(
        "{label:<44} mean wall {:>7.0} ms   peak memory {:>7.1} MiB",
        wall * 1000.0,
        peak
    );
    (wall, peak)
}

#[test]
#[ignore = "a benchmark: cargo test --test cli browser_bench -- --ignored --nocapture"]
fn browser_bench_silent_headless_sign_in_against_a_form_engine_sign_in() {
    if !have_chromium("browser_bench") {
        return;
    }
    let world = World::start(ALICE);
    let sts = world.sts.endpoint();
    let forms: Vec<_> = (0..RUNS)
        .map(|_| measured_login(&world.sandbox, &sts, Some(ALICE.password)))
        .collect();

    world.sandbox.write_config(&browser_config(
        &world.adfs.sign_in_url(),
        ALICE.username,
        "",
    ));
    let first = measured_login(&world.sandbox, &sts, Some(ALICE.password));
    let posts = world.adfs.posts().len();
    let silent: Vec<_> = (0..RUNS)
        .map(|_| measured_login(&world.sandbox, &sts, None))
        .collect();
    assert_eq!(
        world.adfs.posts().len(),
        posts,
        "the browser runs were silent"
    );

    println!("\n{RUNS} runs each, AD FS emulator, `login --force` (gateway + 3 chained profiles)");
    let (form_wall, form_peak) = summary("form engine, password", &forms);
    summary("browser, first sign-in with password", &[first]);
    let (browser_wall, browser_peak) = summary("browser headless, silent (saved session)", &silent);
    println!(
        "ratio browser/form engine: wall {:.1}x, peak memory {:.1}x",
        browser_wall / form_wall,
        browser_peak / form_peak
    );
}
