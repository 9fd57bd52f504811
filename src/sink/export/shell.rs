//! `samlbridge env`: the session as lines a shell evaluates (`eval "$(samlbridge env -p prod)"`),
//! each value single-quoted so nothing in it is expanded.

use super::{REMOVED, SessionEnv};
use std::io::{self, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    /// The user's shell from `$SHELL`'s file name; POSIX shells and anything unknown get bash syntax.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Shell {
        let shell = var("SHELL").unwrap_or_default();
        let name = Path::new(&shell)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        match name.trim_end_matches(".exe") {
            "zsh" => Shell::Zsh,
            "fish" => Shell::Fish,
            "pwsh" | "powershell" => Shell::Powershell,
            _ => Shell::Bash,
        }
    }

    fn unset_line(self, name: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("unset {name}"),
            Shell::Fish => format!("set -e {name};"),
            Shell::Powershell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue"),
        }
    }

    fn set_line(self, name: &str, value: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("export {name}={}", posix_quote(value)),
            Shell::Fish => format!("set -gx {name} {};", fish_quote(value)),
            Shell::Powershell => format!("$Env:{name} = {}", powershell_quote(value)),
        }
    }
}

/// Writes the unset lines, then one line per variable. The text holds secrets: it goes to `out`
/// (stdout) and nowhere else.
pub fn write_exports(out: &mut dyn Write, shell: Shell, env: &SessionEnv) -> io::Result<()> {
    let mut text = String::new();
    for name in REMOVED {
        text.push_str(&shell.unset_line(name));
        text.push('\n');
    }
    for (name, value) in env.vars() {
        text.push_str(&shell.set_line(name, value));
        text.push('\n');
    }
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    zeroize::Zeroize::zeroize(&mut text);
    written
}

/// `'…'`, a `'` written as `'\''` (close, escaped quote, reopen): bash, zsh, dash, ksh.
fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single quotes: only `\` and `'` are special inside, each escaped with `\`.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell single quotes: a quote is doubled. PowerShell also takes the typographic quotes
/// ‘ ’ ‚ ‛ as single quotes, so those are doubled too.
fn powershell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::session;
    use super::*;

    fn exports(shell: Shell, region: Option<&str>) -> String {
        let mut out = Vec::new();
        write_exports(&mut out, shell, &session(region)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_shell_comes_from_dollar_shell() {
        let shell = |v: &str| {
            let v = v.to_string();
            Shell::from_env(move |_| Some(v.clone()))
        };
        assert_eq!(shell("/usr/bin/zsh"), Shell::Zsh);
        assert_eq!(shell("/opt/homebrew/bin/fish"), Shell::Fish);
        assert_eq!(shell("/usr/local/bin/pwsh"), Shell::Powershell);
        assert_eq!(shell("/usr/bin/powershell"), Shell::Powershell);
        assert_eq!(shell("/bin/dash"), Shell::Bash);
        assert_eq!(Shell::from_env(|_| None), Shell::Bash);
    }

    #[test]
    fn bash_lines() {
        let text = exports(Shell::Bash, Some("eu-west-1"));
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines[0], "unset AWS_PROFILE");
        assert_eq!(lines[3], "export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'");
        assert_eq!(
            lines[4],
            r#"export AWS_SECRET_ACCESS_KEY='se'\''cr"et$`\x'"#
        );
        assert!(
            text.contains("export AWS_REGION='eu-west-1'\nexport AWS_DEFAULT_REGION='eu-west-1'\n")
        );
        assert!(text.contains("export AWS_CREDENTIAL_EXPIRATION='2026-05-01T12:00:00Z'\n"));
    }

    #[test]
    fn fish_lines() {
        let text = exports(Shell::Fish, None);
        assert!(text.starts_with("set -e AWS_PROFILE;\n"), "{text}");
        assert!(
            text.contains(r#"set -gx AWS_SECRET_ACCESS_KEY 'se\'cr"et$`\\x';"#),
            "{text}"
        );
        assert!(!text.contains("AWS_REGION"));
    }

    #[test]
    fn powershell_lines() {
        let text = exports(Shell::Powershell, Some("us-gov-west-1"));
        assert!(text.starts_with("Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n"));
        assert!(
            text.contains(r#"$Env:AWS_SECRET_ACCESS_KEY = 'se''cr"et$`\x'"#),
            "{text}"
        );
        assert!(
            text.contains("$Env:AWS_SESSION_TOKEN = 'to‘‘ken’’\nline2'"),
            "{text}"
        );
        assert!(text.contains("$Env:AWS_DEFAULT_REGION = 'us-gov-west-1'\n"));
    }

    /// The real test of quoting: a POSIX shell evaluates the lines and gives back the exact values.
    #[cfg(unix)]
    #[test]
    fn sh_evaluates_the_lines_back_to_the_exact_values() {
        let script = format!(
            "{}printf '%s|%s|%s' \"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" \"${{AWS_PROFILE-gone}}\"",
            exports(Shell::Bash, None)
        );
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("AWS_PROFILE", "stale")
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            "se'cr\"et$`\\x|to‘ken’\nline2|gone"
        );
    }
}
