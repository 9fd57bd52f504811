//! The names `setup --all-roles PREFIX` gives the profiles it makes, `PREFIX-<alias or account
//! id>-<role name>`, made into valid profile names of ~/.aws/config, and unique.

use crate::config::{MAX_PROFILE_NAME, check_profile_name};
use std::collections::BTreeSet;

/// The name for one role's profile (`label` is the account's alias, else its id).
pub fn role_profile_name(prefix: &str, label: &str, role_name: &str) -> String {
    sanitise(&format!("{prefix}-{label}-{role_name}"))
}

/// `raw` as a profile name every AWS tool reads as one: whitespace, brackets, comment characters,
/// control and invisible characters become `-`; runs of `-` are one; no `-` at either end; at most
/// `MAX_PROFILE_NAME` characters. Never empty.
pub fn sanitise(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = if is_plain(c) { c } else { '-' };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let name: String = name
        .trim_matches('-')
        .chars()
        .take(MAX_PROFILE_NAME)
        .collect();
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() || check_profile_name(&name).is_err() {
        "profile".to_string()
    } else {
        name
    }
}

/// A character a section name may hold as it is, in every AWS tool.
fn is_plain(c: char) -> bool {
    let mut one = [0u8; 4];
    let text: &str = c.encode_utf8(&mut one);
    !c.is_whitespace()
        && !c.is_control()
        && !matches!(c, '[' | ']' | '#' | ';')
        && crate::shown::message(text) == text
}

/// `name` made unique among `taken` (`name-2`, `name-3`, …, still within the length limit), and
/// added to it.
pub fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        let suffix = format!("-{n}");
        let room = MAX_PROFILE_NAME.saturating_sub(suffix.chars().count());
        let stem: String = name.chars().take(room).collect();
        candidate = format!("{stem}{suffix}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_or_account_and_role_name_joined_by_hyphens() {
        assert_eq!(
            role_profile_name("corp", "prod-main", "Admin"),
            "corp-prod-main-Admin"
        );
        assert_eq!(
            role_profile_name("corp", "111111111111", "ReadOnly"),
            "corp-111111111111-ReadOnly"
        );
    }

    #[test]
    fn characters_no_section_name_may_hold_become_single_hyphens() {
        assert_eq!(sanitise("a b\tc"), "a-b-c");
        assert_eq!(sanitise("x[y]z#w;v"), "x-y-z-w-v");
        assert_eq!(sanitise("  --a -- b--  "), "a-b");
        assert_eq!(sanitise("ok\u{202e}evil\u{200b}"), "ok-evil");
        assert_eq!(sanitise("line\nbreak\r\u{7f}"), "line-break");
        assert_eq!(sanitise("Team.Ops_1@x+y=z,w"), "Team.Ops_1@x+y=z,w");
        assert_eq!(sanitise("日本-チーム"), "日本-チーム");
    }

    #[test]
    fn the_result_is_always_a_valid_profile_name() {
        for raw in [
            "",
            "   ",
            "[]#;",
            "\u{200f}\u{200e}",
            &"x".repeat(500),
            &format!("{}- tail", "y".repeat(127)),
        ] {
            let name = sanitise(raw);
            assert!(check_profile_name(&name).is_ok(), "{raw:?} -> {name:?}");
            assert!(!name.contains(char::is_whitespace), "{name:?}");
            assert!(!name.is_empty() && name.chars().count() <= MAX_PROFILE_NAME);
            assert!(!name.starts_with('-') && !name.ends_with('-'), "{name:?}");
        }
    }

    #[test]
    fn clashing_names_get_a_number_within_the_limit() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
        let long = "z".repeat(MAX_PROFILE_NAME);
        assert_eq!(unique(long.clone(), &mut taken), long);
        let second = unique(long, &mut taken);
        assert_eq!(second.chars().count(), MAX_PROFILE_NAME);
        assert!(second.ends_with("-2"));
    }
}
