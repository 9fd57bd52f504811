//! `completions` and `man` through the binary (issue 12 §4): each shell's script passes that shell's
//! syntax check where the shell is installed (bash always is), the bash script completes profile
//! names from the config file, and the man page is roff.

use crate::harness::Sandbox;
use std::process::Command;

fn script(sandbox: &Sandbox, shell: &str) -> String {
    let out = sandbox.run(&["completions", shell]);
    out.expect_code(0);
    assert!(out.stdout.contains("samlbridge"), "{}", out.dump());
    out.stdout
}

/// Runs `shell ARGS… FILE` with `text` in FILE; None when the shell is not installed.
fn check_with(
    sandbox: &Sandbox,
    shell: &str,
    args: &[&str],
    text: &str,
) -> Option<std::process::Output> {
    let file = sandbox.root().join(format!("completion.{shell}"));
    std::fs::write(&file, text).ok()?;
    Command::new(shell).args(args).arg(&file).output().ok()
}

#[test]
fn every_shell_gets_a_script_and_bash_zsh_fish_accept_theirs() {
    let sandbox = Sandbox::new();
    for shell in ["powershell", "elvish"] {
        assert!(script(&sandbox, shell).contains("setup"), "{shell}");
    }
    for (shell, args) in [
        ("bash", &["-n"][..]),
        ("zsh", &["-n"][..]),
        ("fish", &["--no-execute"][..]),
    ] {
        let text = script(&sandbox, shell);
        match check_with(&sandbox, shell, args, &text) {
            Some(out) => assert!(
                out.status.success(),
                "{shell} rejects its script: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            None if shell == "bash" => panic!("bash is not installed"),
            None => eprintln!("note: {shell} is not installed; its script was not syntax-checked"),
        }
    }
}

#[test]
fn the_bash_script_completes_subcommands_and_profile_names_from_the_config() {
    let sandbox = Sandbox::new();
    sandbox.write_config("[default]\nregion = x\n[profile corp]\nsaml_url = https://i/\n[ profile  prod ]\n[sso-session s]\n[saml-aliases]\n");
    let text = script(&sandbox, "bash");
    let driver = format!(
        "{text}\nCOMP_WORDS=(samlbridge login --profile ''); COMP_CWORD=3; _samlbridge_with_profiles samlbridge '' --profile\nprintf 'P:%s\\n' \"${{COMPREPLY[@]}}\"\nCOMP_WORDS=(samlbridge se); COMP_CWORD=1; _samlbridge_with_profiles samlbridge se samlbridge\nprintf 'C:%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let out = sandbox.run_program("bash", &["-c", &driver]);
    out.expect_code(0);
    let mut profiles: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("P:"))
        .collect();
    profiles.sort();
    assert_eq!(profiles, ["corp", "default", "prod"], "{}", out.dump());
    let commands: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("C:"))
        .collect();
    assert!(commands.contains(&"setup"), "{}", out.dump());
}

#[test]
fn man_prints_a_roff_page_naming_the_subcommands() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["man"]);
    out.expect_code(0);
    assert!(out.stdout.starts_with(".TH"), "{}", out.dump());
    for word in ["samlbridge", "login", "setup", "completions"] {
        assert!(
            out.stdout.contains(word),
            "{word} missing from the man page"
        );
    }
}

/// The profile names zsh's and fish's scripts offer after `--profile`, where those shells are
/// installed (skipped with a note otherwise).
#[test]
fn zsh_and_fish_complete_profile_names_from_the_config_where_installed() {
    let sandbox = Sandbox::new();
    sandbox.write_config(
        "[default]\n[profile corp]\nsaml_url = https://i/\n[ profile  prod ]\n[sso-session s]\n",
    );
    let want = ["corp", "default", "prod"];
    let zsh = sandbox.root().join("_samlbridge");
    let fish = sandbox.root().join("samlbridge.fish");
    let _ = std::fs::write(&zsh, script(&sandbox, "zsh"));
    let _ = std::fs::write(&fish, script(&sandbox, "fish"));
    let drivers = [
        (
            "zsh",
            format!(
                "compdef() {{ :; }}; source '{}'; compadd() {{ print -l -- ${{(P)2}}; }}; _samlbridge_profiles",
                zsh.display()
            ),
        ),
        (
            "fish",
            format!(
                "source '{}'; complete -C'samlbridge login --profile '",
                fish.display()
            ),
        ),
    ];
    for (shell, driver) in drivers {
        if Command::new(shell)
            .arg("-c")
            .arg("exit 0")
            .output()
            .is_err()
        {
            eprintln!("note: {shell} is not installed; its profile completion was not tried");
            continue;
        }
        let out = sandbox.run_program(shell, &["-c", &driver]);
        out.expect_code(0);
        let mut got: Vec<&str> = out
            .stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(l))
            .collect();
        got.sort();
        assert_eq!(got, want, "{shell}: {}", out.dump());
    }
}
