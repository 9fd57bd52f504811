//! Browser sign-in with a window (issue 9), under Xvfb: a window opens on the IdP's page, the person
//! completes it (here: approves on "another device", which the page waits for), and samlbridge takes
//! the assertion and closes the window. Skipped with a note when Chromium or Xvfb is absent, unless
//! SAMLBRIDGE_REAL_PEERS=required.

use crate::browser_signin::{
    alice_config, assert_no_browser_left, browser_config, have_chromium, processes_under,
};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::jsidp::JsIdp;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An X server of the test's own, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Option<Xvfb> {
        let base = 100 + std::process::id() % 700;
        for number in base..base + 20 {
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                continue;
            }
            let child = Command::new("Xvfb")
                .args([
                    &format!(":{number}"),
                    "-screen",
                    "0",
                    "1280x1024x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            let mut xvfb = Xvfb {
                child,
                display: format!(":{number}"),
            };
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                    return Some(xvfb);
                }
                if let Ok(Some(_)) = xvfb.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = xvfb.child.kill();
        }
        None
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have_xvfb(test: &str) -> bool {
    let here = Command::new("Xvfb")
        .arg("-help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if here {
        return true;
    }
    if std::env::var("SAMLBRIDGE_REAL_PEERS").as_deref() == Ok("required") {
        panic!("{test}: SAMLBRIDGE_REAL_PEERS=required but Xvfb is missing (apt-get install xvfb)");
    }
    eprintln!("skipping {test}: no Xvfb (apt-get install xvfb)");
    false
}

#[test]
fn a_window_opens_and_the_assertion_is_taken_when_the_person_completes_the_page() {
    if !have_chromium("window_mode") || !have_xvfb("window_mode") {
        return;
    }
    let Some(xvfb) = Xvfb::start() else {
        panic!("Xvfb did not start");
    };
    let idp = JsIdp::start(alice_config().approval());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world.forget_password();
    world.sandbox.write_config(
        &browser_config(&idp.sign_in_url(), ALICE.username, "")
            .replace("saml_browser_headless = true\n", ""),
    );
    world.sandbox.set_env("DISPLAY", &xvfb.display);
    let sandbox = &world.sandbox;
    let (outcome, windowed) = std::thread::scope(|scope| {
        let run = scope.spawn(|| sandbox.run(&["login", "--profile", "corp", "--browser"]));
        let started = Instant::now();
        let mut windowed = None;
        while started.elapsed() < Duration::from_secs(30) && idp.approval_polls() < 2 {
            std::thread::sleep(Duration::from_millis(100));
        }
        let browsers = processes_under(sandbox.root());
        if !browsers.is_empty() {
            windowed = Some(browsers.iter().all(|p| !p.contains("--headless")));
        }
        idp.approve();
        (run.join(), windowed)
    });
    let outcome = match outcome {
        Ok(o) => o,
        Err(_) => panic!("the login thread panicked"),
    };
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(0);
    outcome.expect_stderr_contains("in the browser window");
    assert_eq!(
        windowed,
        Some(true),
        "a browser ran with a window (no --headless)"
    );
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn a_window_left_alone_ends_at_the_browser_timeout_with_exit_3() {
    if !have_chromium("window_timeout") || !have_xvfb("window_timeout") {
        return;
    }
    let Some(xvfb) = Xvfb::start() else {
        panic!("Xvfb did not start");
    };
    let idp = JsIdp::start(alice_config().approval());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    let mut sandbox_env = world.sandbox;
    sandbox_env.set_env("DISPLAY", &xvfb.display);
    let started = Instant::now();
    let outcome = sandbox_env.run(&[
        "login",
        "--profile",
        "corp",
        "--browser",
        "--browser-timeout",
        "4",
    ]);
    let took = started.elapsed();
    assert_no_browser_left(&sandbox_env);
    outcome.expect_code(3);
    outcome.expect_stderr_contains("--browser-timeout");
    assert!(took < Duration::from_secs(25), "took {took:?}");
    assert!(idp.approval_polls() >= 1, "the page ran in the window");
}
