//! `setup` with a person at a terminal (a pty from util-linux's `script`, whose output, the
//! program's stderr included, arrives on stdout; skipped with a note where it is missing): it asks
//! for the username, asks before replacing a profile (a "no" writes nothing), and offers the role
//! picker.

use crate::harness::BIN;
use crate::world::{self, BOB, World};

/// Runs `samlbridge ARGS…` on a pty fed `typed`; None when `script` is not installed.
fn at_terminal(world: &World, args: &[&str], typed: &str) -> Option<crate::harness::Outcome> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: util-linux's script is not installed; the terminal flow was not tried");
        return None;
    }
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command: Vec<String> = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(quote)
        .collect();
    let typed_file = world.sandbox.root().join("typed");
    let _ = std::fs::write(&typed_file, typed);
    let line = format!(
        "script -qec {} /dev/null < {}",
        quote(&command.join(" ")),
        quote(&typed_file.to_string_lossy())
    );
    Some(world.sandbox.run_program("sh", &["-c", &line]))
}

#[test]
fn a_person_is_asked_the_username_picks_a_role_and_confirms_a_replacement() {
    let world = World::start(BOB);
    world.sandbox.write_config("[profile work]\nregion = x\n");
    world.sts.expect_unused();
    let url = world.adfs.sign_in_url();
    let args = ["setup", "--profile", "work", "--url", url.as_str()];
    // The username, then "n" at the replacement question: nothing written, the IdP never asked.
    let typed = format!("{}\nn\n", BOB.username);
    let Some(out) = at_terminal(&world, &args, &typed) else {
        return;
    };
    assert_eq!(out.code, Some(2), "{}", out.dump());
    assert!(out.stdout.contains("kept as it is"), "{}", out.dump());
    assert_eq!(
        std::fs::read_to_string(&world.sandbox.config).unwrap_or_default(),
        "[profile work]\nregion = x\n"
    );
    assert_eq!(world.adfs.server().total_hits(), 0);
    // The username, "y", then the second role of the picker (sorted: 111… GatewayAdmin, 111… ReadOnly).
    let typed = format!("{}\ny\n2\n", BOB.username);
    let Some(out) = at_terminal(&world, &args, &typed) else {
        return;
    };
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let ini = crate::harness::parse_ini(
        &std::fs::read_to_string(&world.sandbox.config).unwrap_or_default(),
    );
    let work = ini.get("profile work").cloned().unwrap_or_default();
    assert_eq!(
        work.get("saml_role").map(String::as_str),
        Some(world::GATEWAY_READONLY),
        "{}",
        out.dump()
    );
    assert_eq!(
        work.get("saml_username").map(String::as_str),
        Some(BOB.username)
    );
    assert_eq!(
        work.get("region").map(String::as_str),
        Some("x"),
        "other keys stay"
    );
}
