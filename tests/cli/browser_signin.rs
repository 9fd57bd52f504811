//! Sign-in through a real Chromium (issue 9), headless: the AD FS emulator, an IdP whose sign-in page
//! is built by JavaScript (what the form engine cannot do), a security-key page, no browser at all,
//! the silent second sign-in from the browser's saved session, and logout. After every run, no
//! browser process of the test is left.
//!
//! Skipped with a note when no Chromium is installed, unless SAMLBRIDGE_REAL_PEERS=required.

use crate::harness::{Outcome, Sandbox};
use crate::harness::{mode, telltales};
use crate::world::{self, ALICE, DANA, DANA_CODE, World};
use samlbridge_emulators::jsidp::{JsIdp, JsIdpConfig};
use samlbridge_emulators::saml::SamlRole;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The browser the tests run, found as a user's machine would have it.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// True when Chromium is here; otherwise a failure under SAMLBRIDGE_REAL_PEERS=required, else a
/// skip note.
pub fn have_chromium(test: &str) -> bool {
    if chromium().is_some() {
        return true;
    }
    if std::env::var("SAMLBRIDGE_REAL_PEERS").as_deref() == Ok("required") {
        panic!(
            "{test}: SAMLBRIDGE_REAL_PEERS=required but Chromium is missing (apt-get install chromium)"
        );
    }
    eprintln!(
        "skipping {test}: no Chromium (apt-get install chromium; set SAMLBRIDGE_REAL_PEERS=required to fail instead)"
    );
    false
}

/// Live processes whose command line names `root` (the sandbox: the browser's profile is in it).
pub fn processes_under(root: &Path) -> Vec<String> {
    let needle = root.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let state = stat.rsplit_once(") ")?.1.chars().next()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (state != 'Z' && cmdline.contains(&needle))
                .then(|| format!("{} {}", e.file_name().to_string_lossy(), cmdline))
        })
        .collect()
}

/// Fails the test if a browser process of this sandbox is still running shortly after a run.
#[track_caller]
pub fn assert_no_browser_left(sandbox: &Sandbox) {
    let started = Instant::now();
    loop {
        let left = processes_under(sandbox.root());
        if left.is_empty() {
            return;
        }
        if started.elapsed() > Duration::from_secs(3) {
            panic!("browser processes left behind:\n{}", left.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Alice's roles at a JavaScript IdP: the gateway role the STS emulator expects.
pub fn alice_config_roles() -> Vec<SamlRole> {
    vec![SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)]
}

/// The JavaScript IdP knows Alice with the gateway role the STS emulator expects.
pub fn alice_config() -> JsIdpConfig {
    JsIdpConfig::new(ALICE.username, ALICE.password, alice_config_roles())
}

/// `[profile corp]` of the standard world, signing in through the browser.
pub fn browser_config(sign_in_url: &str, username: &str, extra: &str) -> String {
    world::config(sign_in_url, username).replacen(
        "[profile corp]\n",
        &format!("[profile corp]\nsaml_browser = true\nsaml_browser_headless = true\n{extra}"),
        1,
    )
}

pub fn run_timed(sandbox: &Sandbox, args: &[&str]) -> (Outcome, Duration) {
    let started = Instant::now();
    let outcome = sandbox.run(args);
    (outcome, started.elapsed())
}

#[test]
fn adfs_headless_through_chromium_writes_the_gateway_and_its_chain() {
    if !have_chromium("adfs_headless_through_chromium") {
        return;
    }
    let world = World::start(ALICE);
    world.sandbox.write_config(&browser_config(
        &world.adfs.sign_in_url(),
        ALICE.username,
        "",
    ));
    let outcome = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    world.assert_profile_holds("prod", world::PROD_ADMINS);
    assert_eq!(
        world.adfs.posts().len(),
        1,
        "one sign-in form post through the browser"
    );
}

#[test]
fn a_page_built_by_javascript_signs_in_and_a_wrong_password_is_the_idps_words() {
    if !have_chromium("a_page_built_by_javascript") {
        return;
    }
    // Passkey autofill beside the password is an offer, not a demand for a security key.
    signs_in_and_reads_the_refusal(alice_config().passkey_autofill());
}

#[test]
fn the_second_sign_in_is_silent_and_logout_ends_it() {
    if !have_chromium("the_second_sign_in_is_silent") {
        return;
    }
    let idp = JsIdp::start(alice_config());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world.login(&[]).expect_code(0);
    assert_eq!(idp.password_checks(), 1);

    world.forget_password();
    let silent = world.login(&["--force"]);
    assert_no_browser_left(&world.sandbox);
    silent.expect_code(0);
    assert_eq!(
        idp.password_checks(),
        1,
        "the second sign-in used the IdP session, not the password"
    );
    assert!(idp.sessions_used() >= 1, "the session cookie came back");

    // A scheduled refresh renews through the browser too: headless, silent, no password.
    let used = idp.sessions_used();
    let refreshed = world
        .sandbox
        .run(&["refresh", "--profile", "corp", "--within", "2h"]);
    assert_no_browser_left(&world.sandbox);
    refreshed.expect_code(0);
    assert_eq!(idp.password_checks(), 1, "refresh asked for no password");
    assert!(
        idp.sessions_used() > used,
        "refresh signed in again through the browser"
    );

    world
        .sandbox
        .run(&["logout", "--profile", "corp"])
        .expect_code(0);
    let after = world.login(&["--force"]);
    assert_no_browser_left(&world.sandbox);
    after.expect_code(3);
    assert_eq!(idp.password_checks(), 1, "no password was there to send");
}

#[test]
fn a_security_key_page_ends_headless_with_exit_3_naming_the_window_command() {
    if !have_chromium("a_security_key_page") {
        return;
    }
    let idp = JsIdp::start(alice_config().security_key());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    let (outcome, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(3);
    outcome.expect_stderr_contains("samlbridge login --browser");
    outcome.expect_stderr_contains("security key");
    assert!(took < Duration::from_secs(45), "took {took:?}");
}

#[test]
fn no_browser_is_exit_2_at_once() {
    let world = World::start(ALICE);
    world.sandbox.write_config(&browser_config(
        &world.adfs.sign_in_url(),
        ALICE.username,
        "saml_browser_path = /nowhere/chromium\n",
    ));
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let (outcome, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    outcome.expect_code(2);
    outcome.expect_stderr_contains("/nowhere/chromium");
    outcome.expect_stderr_contains("saml_browser_path");
    assert!(took < Duration::from_secs(5), "took {took:?}");

    let mut bare = Sandbox::new();
    bare.write_config(&browser_config(
        &world.adfs.sign_in_url(),
        ALICE.username,
        "",
    ));
    bare.set_env("PATH", "/nonexistent");
    let outcome = bare.run(&["login", "--profile", "corp"]);
    outcome.expect_code(2);
    outcome.expect_stderr_contains("install one");
}

/// Starts `samlbridge login --profile corp` in the sandbox's environment without waiting for it.
fn spawn_login(sandbox: &Sandbox) -> std::process::Child {
    let spawned = std::process::Command::new(crate::harness::BIN)
        .args(["login", "--profile", "corp"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &sandbox.home)
        .env("AWS_CONFIG_FILE", &sandbox.config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &sandbox.credentials)
        .env("AWS_REGION", "eu-west-1")
        .env("SAMLBRIDGE_PASSWORD", ALICE.password)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(child) => child,
        Err(e) => panic!("cannot start samlbridge: {e}"),
    }
}

/// Waits until the sandbox's browser runs the IdP's page (true), or gives up after a while.
fn browser_on_the_page(sandbox: &Sandbox, idp: &JsIdp, before: usize) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if idp.session_checks() > before && !processes_under(sandbox.root()).is_empty() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn signal(pid: u32, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -{name} {pid}");
}

fn wait_bounded(child: &mut std::process::Child) -> Option<i32> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(status)) = child.try_wait() {
            use std::os::unix::process::ExitStatusExt;
            return status.code().or(status.signal().map(|s| 128 + s));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn sigterm_ctrl_c_and_sigkill_during_a_sign_in_leave_no_browser() {
    if !have_chromium("sigterm_ctrl_c_and_sigkill") {
        return;
    }
    let idp = JsIdp::start(alice_config().stall(Duration::from_secs(6)));
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    for (name, code) in [("TERM", 143), ("INT", 130), ("KILL", 137)] {
        let before = idp.session_checks();
        let mut child = spawn_login(&world.sandbox);
        assert!(
            browser_on_the_page(&world.sandbox, &idp, before),
            "SIG{name}: the browser never opened the IdP's page"
        );
        signal(child.id(), name);
        assert_eq!(wait_bounded(&mut child), Some(code), "SIG{name}: exit code");
        assert_no_browser_left(&world.sandbox);
    }
}

#[test]
fn a_vv_browser_login_with_a_code_prints_no_secret_and_keeps_its_files_private() {
    if !have_chromium("a_vv_browser_login") {
        return;
    }
    let world = World::start(DANA);
    world.sandbox.write_config(&browser_config(
        &world.adfs.sign_in_url(),
        DANA.username,
        "",
    ));
    let out = world.login(&["-vv", "--mfa-code", DANA_CODE]);
    assert_no_browser_left(&world.sandbox);
    out.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    let said = out.all_output();
    assert!(
        said.contains("one-time code") && said.contains("127.0.0.1"),
        "-vv should log the steps:\n{}",
        out.dump()
    );
    assert!(
        !said.contains("WARN"),
        "the DevTools client's noise reaches stderr:\n{}",
        out.dump()
    );
    let mut secrets: Vec<(String, String)> = vec![
        ("password".into(), DANA.password.into()),
        ("MFA code".into(), DANA_CODE.into()),
    ];
    for assertion in world.adfs.issued_assertions() {
        secrets.push(("SAML assertion".into(), assertion));
    }
    for cookie in world.adfs.cookie_values() {
        secrets.push(("cookie value".into(), cookie));
    }
    for s in world.sts.sessions() {
        secrets.push(("secret key".into(), s.secret_access_key));
        secrets.push(("session token".into(), s.session_token));
    }
    for (what, secret) in secrets {
        for piece in telltales(&secret) {
            assert!(
                !said.contains(&piece),
                "the {what} appears:\n{}",
                out.dump()
            );
        }
    }
    let kept = world.sandbox.home.join(".local/state/samlbridge/browser");
    assert_eq!(mode(&kept), 0o700);
    let Some(Ok(dir)) = std::fs::read_dir(&kept).ok().and_then(|mut d| d.next()) else {
        panic!("no browser profile kept under {}", kept.display());
    };
    assert_eq!(mode(&dir.path()), 0o700);
    assert_eq!(mode(&dir.path().join("profile")), 0o700);
    assert_eq!(mode(&dir.path().join("cookies.json")), 0o600);
}

#[test]
fn an_unreachable_idp_is_exit_5_and_leaves_no_browser() {
    if !have_chromium("an_unreachable_idp") {
        return;
    }
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let closed = format!(
        "http://127.0.0.1:{}/adfs/ls/IdpInitiatedSignOn.aspx",
        samlbridge_emulators::http::closed_port()
    );
    world
        .sandbox
        .write_config(&browser_config(&closed, ALICE.username, ""));
    let (outcome, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(5);
    outcome.expect_stderr_contains("127.0.0.1");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn script_drawn_forms_one_after_the_other_with_a_code_sign_in_and_refusals_are_words() {
    if !have_chromium("script_drawn_forms") {
        return;
    }
    let idp = JsIdp::start(alice_config().steps(Some(DANA_CODE)));
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));

    let wrong_code = world.login(&["--mfa-code", "000000"]);
    assert_no_browser_left(&world.sandbox);
    wrong_code.expect_code(3);
    wrong_code.expect_stderr_contains(samlbridge_emulators::jsidp::WRONG_CODE_WORDS);

    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let wrong = world.login(&["--mfa-code", DANA_CODE]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(samlbridge_emulators::jsidp::WRONG_PASSWORD_WORDS);
    assert_eq!(idp.code_checks(), 1, "no code after a refused password");

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let right = world.login(&["--mfa-code", DANA_CODE]);
    assert_no_browser_left(&world.sandbox);
    right.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(idp.code_checks(), 2);
}

#[test]
fn a_refusal_in_an_alert_box_is_the_idps_words() {
    if !have_chromium("a_refusal_in_an_alert_box") {
        return;
    }
    let idp = JsIdp::start(alice_config().alerts());
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let (wrong, took) = run_timed(&world.sandbox, &["login", "--profile", "corp"]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(samlbridge_emulators::jsidp::WRONG_PASSWORD_WORDS);
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(idp.password_checks(), 1);
}

#[test]
fn a_form_in_a_web_components_shadow_root_signs_in_and_its_refusal_is_read() {
    if !have_chromium("a_form_in_a_shadow_root") {
        return;
    }
    signs_in_and_reads_the_refusal(alice_config().component());
}

#[test]
fn a_sign_in_box_in_a_frame_signs_in_and_its_refusal_is_read() {
    if !have_chromium("a_sign_in_box_in_a_frame") {
        return;
    }
    signs_in_and_reads_the_refusal(alice_config().framed());
}

/// A wrong password ends in exit 3 with the IdP's words, then the right one signs in.
fn signs_in_and_reads_the_refusal(config: JsIdpConfig) {
    let idp = JsIdp::start(config);
    let mut world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    world
        .sandbox
        .set_env("SAMLBRIDGE_PASSWORD", "not the password");
    let wrong = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    wrong.expect_code(3);
    wrong.expect_stderr_contains(samlbridge_emulators::jsidp::WRONG_PASSWORD_WORDS);

    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let right = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    right.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    assert_eq!(
        idp.password_checks(),
        2,
        "both sign-ins asked the IdP's API"
    );
}
