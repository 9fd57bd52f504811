//! Issue 7 §1: text from outside (the IdP's words, page titles) never drives the user's terminal.
//! Each class of hostile sequence is fed through the binary, with and without -vv, and stderr must
//! show it escaped: no control character but line breaks and tabs, no bidi override, bounded length.

use crate::world::{self, ALICE, World};
use samlbridge_emulators::adfs::{AdfsConfig, AdfsUser};

/// The classes the hardening campaign found reaching stderr raw.
const HOSTILE: &[(&str, &str)] = &[
    ("OSC 52 clipboard write", "\u{1b}]52;c;cm0gLXJmIH4=\u{07}"),
    ("CSI clear screen", "\u{1b}[2J\u{1b}[H"),
    ("OSC 0 window title", "\u{1b}]0;you have been pwned\u{07}"),
    ("NUL", "a\u{0}b"),
    ("right-to-left override", "\u{202e}txt.exe"),
    ("C1 CSI", "\u{9b}31m"),
    ("bidi isolate", "\u{2067}x\u{2069}"),
];

#[track_caller]
fn assert_terminal_safe(what: &str, stream: &str) {
    for ch in stream.chars() {
        let bidi = matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        let control = ch.is_control() && ch != '\n' && ch != '\t';
        assert!(
            !bidi && !control,
            "{what}: U+{:04X} reached the terminal raw:\n{stream:?}",
            ch as u32
        );
    }
}

fn world_whose_idp_says(text: &str) -> World {
    let adfs = AdfsConfig::default()
        .user(AdfsUser::new(ALICE.username, "another password"))
        .wrong_password_text(text);
    World::with(adfs, world::roles(), ALICE)
}

#[test]
fn the_idps_error_text_is_shown_escaped_for_every_class_of_control_sequence() {
    for (class, sequence) in HOSTILE {
        let said = format!("Wrong password {sequence} try again");
        let world = world_whose_idp_says(&said);
        world.sts.expect_unused();
        for verbosity in [&[][..], &["-vv"][..]] {
            let out = world.login(verbosity);
            out.expect_code(3).expect_stderr_contains("Wrong password");
            assert_terminal_safe(class, &out.stderr);
            assert_terminal_safe(class, &out.stdout);
        }
        assert!(world.sandbox.credentials_bytes().is_none());
    }
}

#[test]
fn the_escaped_sequence_stays_visible() {
    let world = world_whose_idp_says("Denied \u{1b}]52;c;ZXZpbA==\u{07} \u{202e}");
    world.sts.expect_unused();
    let out = world.login(&[]);
    out.expect_code(3)
        .expect_stderr_contains("Denied \\x1b]52;c;ZXZpbA==\\x07 \\u{202e}");
}

#[test]
fn an_endless_error_text_is_capped() {
    let world = world_whose_idp_says(&"Denied. ".repeat(5000));
    world.sts.expect_unused();
    let out = world.login(&[]);
    out.expect_code(3).expect_stderr_contains("Denied.");
    let longest = out.stderr.lines().map(|l| l.chars().count()).max();
    assert!(
        longest.is_some_and(|n| n < 1000),
        "a 40 kB error text must be capped: {longest:?} characters on one line"
    );
}

#[test]
fn an_unexpected_pages_title_is_shown_escaped() {
    let adfs = AdfsConfig::default().user(
        AdfsUser::new(ALICE.username, ALICE.password).unexpected_page(
            "Maintenance\u{1b}]0;pwned\u{07}\u{202e}",
            "Back soon\u{1b}[2J",
        ),
    );
    let world = World::with(adfs, world::roles(), ALICE);
    world.sts.expect_unused();
    for verbosity in [&[][..], &["-vv"][..]] {
        let out = world.login(verbosity);
        out.expect_code(4).expect_stderr_contains("Maintenance");
        assert_terminal_safe("page title", &out.stderr);
    }
}
