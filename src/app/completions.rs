//! `completions SHELL` and `man`: the shell completion scripts and the roff man page, generated from
//! the clap definitions (clap_complete, clap_mangen), so they never disagree with the flags.
//!
//! Profile names complete from the config file without calling samlbridge at completion time: bash,
//! zsh and fish get a small function that lists the `[profile NAME]` and `[default]` sections of
//! $AWS_CONFIG_FILE (else ~/.aws/config) after `--profile`/`-p`. PowerShell and elvish complete
//! the flags and subcommands only.

use crate::app::error::Result;
use crate::cli::{Cli, CompletionShell};
use clap::CommandFactory;
use clap_complete::Shell;

const BIN: &str = "samlbridge";

/// Bash: `_samlbridge` (clap_complete's) wrapped by a function that answers `--profile` itself.
const BASH_PROFILES: &str = r#"
# Profile names for --profile / -p: the [profile NAME] and [default] sections of the AWS config file.
_samlbridge_profiles() {
    local file="${AWS_CONFIG_FILE:-$HOME/.aws/config}"
    [[ -r "$file" ]] || return 0
    SED_PROFILES
}

_samlbridge_with_profiles() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
    if [[ ${COMP_CWORD} -gt 0 ]]; then
        prev="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    case "$prev" in
        --profile|-p)
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_samlbridge_profiles)" -- "$cur"))
            return 0
            ;;
    esac
    _samlbridge "$@"
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _samlbridge_with_profiles -o nosort -o bashdefault -o default samlbridge
else
    complete -F _samlbridge_with_profiles -o bashdefault -o default samlbridge
fi
"#;

/// Zsh: the same list, offered where clap_complete's script says `:PROFILE:_default`.
const ZSH_PROFILES: &str = r#"
# Profile names for --profile / -p: the [profile NAME] and [default] sections of the AWS config file.
(( $+functions[_samlbridge_profiles] )) ||
_samlbridge_profiles() {
    local file="${AWS_CONFIG_FILE:-$HOME/.aws/config}"
    [[ -r "$file" ]] || return 1
    local -a names
    names=(${(f)"$(SED_PROFILES)"})
    compadd -a names
}

"#;

/// The names of `[profile NAME]` and `[default]` sections in "$file", one a line (POSIX sed).
const SED_PROFILES: &str = r#"sed -n -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]]\{1,\}\([^][:space:]]\{1,\}\)[[:space:]]*\].*$/\1/p' -e 's/^[[:space:]]*\[[[:space:]]*\(default\)[[:space:]]*\].*$/\1/p' "$file" 2>/dev/null"#;

/// Where the zsh script starts to run: the functions it needs go before it.
const ZSH_ENTRY: &str = "if [ \"$funcstack[1]\" = \"_samlbridge\" ]; then";

/// Fish: profile names as the arguments of `--profile`/`-p`, for every subcommand.
const FISH_PROFILES: &str = r#"
# Profile names for --profile / -p: the [profile NAME] and [default] sections of the AWS config file.
function __samlbridge_profiles
    set -l file $AWS_CONFIG_FILE
    test -n "$file"; or set file ~/.aws/config
    test -r "$file"; or return 0
    string replace -rf '^\s*\[\s*(?:profile\s+(\S+?)|(default))\s*\].*$' '$1$2' < $file
end
complete -c samlbridge -l profile -s p -x -a '(__samlbridge_profiles)'
"#;

/// The completion script for `shell`, on stdout.
pub fn completions(shell: CompletionShell) -> Result<u8> {
    super::stdout::print(&script(shell))?;
    Ok(0)
}

pub(crate) fn script(shell: CompletionShell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(to_clap(shell), &mut Cli::command(), BIN, &mut out);
    let mut text = String::from_utf8_lossy(&out).into_owned();
    match shell {
        CompletionShell::Bash => {
            text.push_str(&BASH_PROFILES.replace("SED_PROFILES", SED_PROFILES))
        }
        CompletionShell::Zsh => text = with_zsh_profiles(&text),
        CompletionShell::Fish => text.push_str(FISH_PROFILES),
        _ => {}
    }
    text
}

/// The zsh script with `--profile`'s values from the config file, when its shape is the one known;
/// else as clap_complete wrote it (flags and subcommands still complete).
fn with_zsh_profiles(script: &str) -> String {
    let Some(entry) = script.find(ZSH_ENTRY) else {
        return script.to_string();
    };
    let function = ZSH_PROFILES.replace("SED_PROFILES", SED_PROFILES);
    let (head, tail) = script.split_at(entry);
    let head = head.replace(":PROFILE:_default'", ":PROFILE:_samlbridge_profiles'");
    format!("{head}{}{tail}", function.trim_start())
}

fn to_clap(shell: CompletionShell) -> Shell {
    match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
        CompletionShell::Elvish => Shell::Elvish,
    }
}

/// The man page (roff), on stdout.
pub fn man() -> Result<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(super::stdout::error)?;
    super::stdout::print(&title_first(&String::from_utf8_lossy(&page)))?;
    Ok(0)
}

/// The page with its `.TH` line first, where `man`, `file` and other readers look for it;
/// clap_mangen puts the definition of its quote string (`.ie`/`.el … Aq`) before it, which works
/// as well after it (the string is used only in the text below).
fn title_first(page: &str) -> String {
    let mut lines: Vec<&str> = page.split_inclusive('\n').collect();
    if let Some(at) = lines.iter().position(|l| l.starts_with(".TH ")) {
        let title = lines.remove(at);
        lines.insert(0, title);
    }
    lines.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
            CompletionShell::Powershell,
            CompletionShell::Elvish,
        ] {
            let text = script(shell);
            assert!(
                text.contains("setup") && text.contains("credential-process"),
                "{shell:?}"
            );
        }
    }

    #[test]
    fn the_man_page_starts_with_its_title_and_keeps_every_line() {
        let page = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH samlbridge 1\n.SH NAME\n";
        assert_eq!(
            title_first(page),
            ".TH samlbridge 1\n.ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.SH NAME\n"
        );
    }

    #[test]
    fn bash_and_fish_complete_profile_names_from_the_config_file() {
        let bash = script(CompletionShell::Bash);
        assert!(bash.contains("_samlbridge_profiles") && bash.contains("AWS_CONFIG_FILE"));
        assert!(bash.trim_end().ends_with("fi"));
        let zsh = script(CompletionShell::Zsh);
        assert!(
            zsh.contains(":PROFILE:_samlbridge_profiles'") && !zsh.contains(":PROFILE:_default")
        );
        assert!(zsh.find("_samlbridge_profiles() {") < zsh.find(ZSH_ENTRY));
        let fish = script(CompletionShell::Fish);
        assert!(fish.contains("-a '(__samlbridge_profiles)'"));
    }
}
