use super::*;
use crate::cli::{Cli, Command};
use clap::Parser;

fn argv(words: &[&str]) -> Vec<OsString> {
    std::iter::once("samlbridge")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

/// What the full program makes of `words`: clap's parse, turned into config's input.
fn clap_args(words: &[&str]) -> Overrides {
    match Cli::try_parse_from(argv(words)) {
        Ok(Cli {
            verbose: 0,
            command: Command::CredentialProcess(args),
        }) => crate::app::serve::overrides(&args).unwrap_or_else(|e| panic!("{e}")),
        other => panic!("clap parsed {words:?} as {other:?}"),
    }
}

#[test]
fn what_the_front_understands_it_understands_as_clap_does() {
    let accepted: &[&[&str]] = &[
        &["credential-process"],
        &["credential-process", "--profile", "prod"],
        &["credential-process", "--profile=prod"],
        &["credential-process", "-p", "prod", "--non-interactive"],
        &[
            "credential-process",
            "--non-interactive",
            "--profile",
            "a=b",
        ],
        &["credential-process", "--refresh-window", "5m", "-p", "prod"],
        &[
            "credential-process",
            "--refresh-window=300",
            "--profile=prod",
        ],
        &["credential-process", "--profile", "prod with spaces"],
    ];
    for words in accepted {
        let front = cache_hit_args(&argv(words))
            .unwrap_or_else(|| panic!("the front should take {words:?}"));
        assert_eq!(front, clap_args(words), "{words:?}");
    }
}

#[test]
fn anything_else_goes_to_the_full_program() {
    let handed_over: &[&[&str]] = &[
        &[],
        &["--version"],
        &["-v", "credential-process", "--profile", "prod"],
        &["credential-process", "--profile", "prod", "-v"],
        &["credential-process", "--profile", "prod", "--verbose"],
        &["login", "--profile", "prod"],
        &["credential-process", "--url", "https://idp.example/"],
        &["credential-process", "--username", "bob"],
        &["credential-process", "--provider", "adfs"],
        &["credential-process", "--mfa-code", "123456"],
        &["credential-process", "--profile"],
        &["credential-process", "--profile="],
        &["credential-process", "--profile", ""],
        &["credential-process", "--profile", "-v"],
        &["credential-process", "-p=prod"],
        &["credential-process", "-pprod"],
        &["credential-process", "--profile", "a", "--profile", "b"],
        &[
            "credential-process",
            "--non-interactive",
            "--non-interactive",
        ],
        &["credential-process", "--non-interactive=true"],
        &["credential-process", "--", "--profile", "prod"],
        &["credential-process", "prod"],
        &["credential-process", "--help"],
        &["credential-process", "--refresh-window"],
        &["credential-process", "--refresh-window", "soon"],
        &["credential", "--profile", "prod"],
    ];
    for words in handed_over {
        assert!(cache_hit_args(&argv(words)).is_none(), "{words:?}");
    }
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_unicode_go_to_the_full_program() {
    use std::os::unix::ffi::OsStringExt;
    let mut args = argv(&["credential-process", "--profile"]);
    args.push(OsString::from_vec(vec![0x66, 0xff, 0x6f]));
    assert!(cache_hit_args(&args).is_none());
}

#[test]
fn the_version_is_the_one_clap_prints() {
    for flag in ["--version", "-V"] {
        let mut out = Vec::new();
        assert_eq!(serve(&argv(&[flag]), &mut out).unwrap(), Front::Answered);
        let clap = match Cli::try_parse_from(argv(&[flag])) {
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => e.to_string(),
            other => panic!("clap: {other:?}"),
        };
        assert_eq!(String::from_utf8(out).unwrap(), clap);
    }
    let mut out = Vec::new();
    for words in [
        &["--version", "login"][..],
        &["-v", "--version"],
        &["--help"],
    ] {
        assert_eq!(serve(&argv(words), &mut out).unwrap(), Front::HandOver);
    }
    assert!(out.is_empty());
}
