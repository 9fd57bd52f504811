//! The credentials file as text: set some keys of one `[section]` and leave every other byte alone.
//!
//! The rules, so a person can predict the result:
//! - samlbridge never deletes a line and never reorders one;
//! - an owned key found in the section gets its value replaced in place: the key as written, the
//!   spacing around `=`, an inline comment and the line ending stay;
//! - a section that appears several times (botocore refuses such a file; the AWS SDKs merge the copies,
//!   later keys winning) gets the key rewritten in every copy, so every reader sees the new value;
//!   keys missing from all copies are added to the first;
//! - a missing key goes after the last `key = value` line of the section (trailing blank lines and
//!   comments usually introduce the next section, so they stay below);
//! - a missing section is appended at the end, after one blank line;
//! - new lines use the line ending of the line they follow (so a lone `\r` is never followed by a `\n`
//!   that would merge with it into one `\r\n`), or the file's own one after a last line without one;
//!   that last line gets one only when text is added after it;
//! - key names compare case-insensitively (botocore lower-cases them), section names exactly;
//! - `remove_keys` is the one exception to the first rule, asked for by `doctor --fix`: it deletes the
//!   lines of the named keys (with their indented continuation lines) from every copy of the section,
//!   and nothing else.

use crate::config::ini::{Line, LineKind, newline_of, scan};

/// Sets `entries` (key, value) in `[section]` of `text`. Values must be one line (checked by the caller).
pub(crate) fn upsert_section(text: &str, section: &str, entries: &[(&str, &str)]) -> String {
    upsert_matching(text, &|name| name == section, section, entries)
}

/// `upsert_section` for a section known by more than one header (~/.aws/config's
/// `[profile  corp]` is `[profile corp]`): every section whose name `is_it` accepts is one copy;
/// a missing one is appended as `[header]`.
pub(crate) fn upsert_matching(
    text: &str,
    is_it: &dyn Fn(&str) -> bool,
    header: &str,
    entries: &[(&str, &str)],
) -> String {
    let lines = scan(text);
    let members = members_where(&lines, is_it);
    if members.is_empty() {
        return append_section(text, &lines, header, entries);
    }
    let present: Vec<bool> = (0..entries.len())
        .map(|slot| {
            members
                .iter()
                .any(|&i| owned_entry(&lines[i], entries).is_some_and(|(s, _)| s == slot))
        })
        .collect();
    let anchor = insertion_anchor(&lines, &members);
    let newline = newline_of(text);
    let mut out = String::with_capacity(text.len() + 256);
    for (index, line) in lines.iter().enumerate() {
        match owned_entry(line, entries).filter(|_| members.binary_search(&index).is_ok()) {
            Some((slot, (start, end))) => {
                out.push_str(&line.raw[..start]);
                out.push_str(entries[slot].1);
                out.push_str(&line.raw[end..]);
            }
            None => out.push_str(line.raw),
        }
        out.push_str(line.ending);
        if index == anchor {
            let ending = ending_after(line, newline);
            let missing = entries.iter().zip(&present).filter(|(_, seen)| !**seen);
            for (n, ((key, value), _)) in missing.enumerate() {
                if n == 0 && line.ending.is_empty() {
                    out.push_str(newline);
                }
                out.push_str(&format!("{key} = {value}{ending}"));
            }
        }
    }
    out
}

/// `text` without the lines that set one of `keys` in `[section]` (every copy), and how many keys
/// went. Every other byte stays: comments, blank lines, other keys, line endings.
pub(crate) fn remove_keys(text: &str, section: &str, keys: &[&str]) -> (String, usize) {
    let lines = scan(text);
    let members = section_members(&lines, section);
    let mut out = String::with_capacity(text.len());
    let mut removed = 0;
    // The indent of a removed key while its continuation lines (deeper indented) follow.
    let mut dropping: Option<usize> = None;
    for (index, line) in lines.iter().enumerate() {
        let member = members.binary_search(&index).is_ok();
        if let Some(indent) = dropping {
            let continues = member
                && line.indent > indent
                && !line.opens_section()
                && line.kind != LineKind::Blank;
            if continues {
                continue;
            }
            dropping = None;
        }
        let doomed = member
            && matches!(line.kind, LineKind::Property { key, .. }
                if keys.iter().any(|k| k.eq_ignore_ascii_case(key)));
        if doomed {
            removed += 1;
            dropping = Some(line.indent);
            continue;
        }
        out.push_str(line.raw);
        out.push_str(line.ending);
    }
    (out, removed)
}

/// The line ending for lines added after `line`: its own, or `newline` when it has none.
fn ending_after<'a>(line: &Line<'a>, newline: &'a str) -> &'a str {
    if line.ending.is_empty() {
        newline
    } else {
        line.ending
    }
}

/// The keys and values of `[section]` (every copy, later values winning), key names lower-cased.
pub(crate) fn read_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    let lines = scan(text);
    let members = section_members(&lines, section);
    if members.is_empty() {
        return None;
    }
    let mut values: Vec<(String, String)> = Vec::new();
    for line in members.iter().map(|&i| &lines[i]) {
        if let LineKind::Property { key, value, .. } = line.kind {
            let key = key.to_ascii_lowercase();
            values.retain(|(k, _)| *k != key);
            values.push((key, value.to_string()));
        }
    }
    Some(values)
}

/// Indexes of the lines that belong to `[section]`, headers included, over every copy of it.
fn section_members(lines: &[Line<'_>], section: &str) -> Vec<usize> {
    members_where(lines, &|name| name == section)
}

/// Indexes of the lines of every section whose name `is_it` accepts, headers included.
fn members_where(lines: &[Line<'_>], is_it: &dyn Fn(&str) -> bool) -> Vec<usize> {
    let mut inside = false;
    let mut members = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if line.opens_section() {
            inside = matches!(line.kind, LineKind::Section(name) if is_it(name));
        }
        if inside {
            members.push(index);
        }
    }
    members
}

/// The line after which missing keys go: the last non-blank, non-comment line of the first copy.
fn insertion_anchor(lines: &[Line<'_>], members: &[usize]) -> usize {
    let header = members[0];
    members
        .iter()
        .copied()
        .take_while(|&i| i == header || !lines[i].opens_section())
        .filter(|&i| !matches!(lines[i].kind, LineKind::Blank | LineKind::Comment))
        .last()
        .unwrap_or(header)
}

/// If `line` sets one of the owned keys: which one, and the byte range of its value in `raw`.
fn owned_entry(line: &Line<'_>, entries: &[(&str, &str)]) -> Option<(usize, (usize, usize))> {
    let LineKind::Property { key, value_at, .. } = line.kind else {
        return None;
    };
    let slot = entries
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case(key))?;
    Some((slot, value_at))
}

fn append_section(
    text: &str,
    lines: &[Line<'_>],
    section: &str,
    entries: &[(&str, &str)],
) -> String {
    let mut newline = newline_of(text);
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(text);
    if let Some(last) = lines.last() {
        // A last line without a line ending gets one; then one blank line unless there is one.
        if last.ending.is_empty() {
            out.push_str(newline);
        }
        newline = ending_after(last, newline);
        if last.kind != LineKind::Blank {
            out.push_str(newline);
        }
    }
    out.push_str(&format!("[{section}]{newline}"));
    for (key, value) in entries {
        out.push_str(&format!("{key} = {value}{newline}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [(&str, &str); 2] = [
        ("aws_access_key_id", "NEWKEY"),
        ("aws_session_token", "NEWTOK"),
    ];

    #[test]
    fn removing_keys_deletes_only_their_lines_in_every_copy() {
        let before = "# top\r\n[corp]\r\nregion = x # keep\r\nAWS_ACCESS_KEY_ID = K\r\n; note\r\naws_secret_access_key=S\r\n  continued\r\nother = 1\r\n\r\n[prod]\r\naws_access_key_id = P\r\n[corp]\r\naws_session_token = T";
        let after = "# top\r\n[corp]\r\nregion = x # keep\r\n; note\r\nother = 1\r\n\r\n[prod]\r\naws_access_key_id = P\r\n[corp]\r\n";
        let keys = [
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_session_token",
        ];
        assert_eq!(remove_keys(before, "corp", &keys), (after.to_string(), 3));
        assert_eq!(
            remove_keys(before, "absent", &keys),
            (before.to_string(), 0)
        );
    }

    #[test]
    fn existing_section_changes_only_its_owned_values() {
        let before = "# top comment\n[default]\nregion=eu-west-1\n\n[corp]\naws_access_key_id   =   OLDKEY   # mine\nx_custom = keep me\n; note\naws_session_token=OLDTOK\n\n\n# about prod\n[prod]\naws_access_key_id = PRODKEY\n";
        let after = "# top comment\n[default]\nregion=eu-west-1\n\n[corp]\naws_access_key_id   =   NEWKEY   # mine\nx_custom = keep me\n; note\naws_session_token=NEWTOK\n\n\n# about prod\n[prod]\naws_access_key_id = PRODKEY\n";
        assert_eq!(upsert_section(before, "corp", &KEYS), after);
    }

    #[test]
    fn missing_keys_go_after_the_last_key_before_trailing_blanks_and_comments() {
        let before = "[corp]\nregion = x\n\n# next\n[prod]\nk = v\n";
        let after = "[corp]\nregion = x\naws_access_key_id = NEWKEY\naws_session_token = NEWTOK\n\n# next\n[prod]\nk = v\n";
        assert_eq!(upsert_section(before, "corp", &KEYS), after);
        let empty = "[corp]\n\n[prod]\n";
        let filled = "[corp]\naws_access_key_id = NEWKEY\naws_session_token = NEWTOK\n\n[prod]\n";
        assert_eq!(upsert_section(empty, "corp", &KEYS), filled);
    }

    #[test]
    fn a_missing_section_is_appended_after_one_blank_line() {
        let new = "[corp]\naws_access_key_id = NEWKEY\naws_session_token = NEWTOK\n";
        assert_eq!(upsert_section("", "corp", &KEYS), new);
        assert_eq!(
            upsert_section("[a]\nk=v\n", "corp", &KEYS),
            format!("[a]\nk=v\n\n{new}")
        );
        assert_eq!(
            upsert_section("[a]\nk=v\n\n", "corp", &KEYS),
            format!("[a]\nk=v\n\n{new}")
        );
        assert_eq!(
            upsert_section("[a]\nk=v", "corp", &KEYS),
            format!("[a]\nk=v\n\n{new}")
        );
        assert_eq!(
            upsert_section("# only\n", "corp", &KEYS),
            format!("# only\n\n{new}")
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let before = "[a]\r\nk = v\r\n\r\n[corp]\r\naws_session_token = OLD\r\n";
        let after = "[a]\r\nk = v\r\n\r\n[corp]\r\naws_session_token = NEWTOK\r\naws_access_key_id = NEWKEY\r\n";
        assert_eq!(upsert_section(before, "corp", &KEYS), after);
        let appended = upsert_section("[a]\r\nk = v\r\n", "b", &KEYS);
        assert_eq!(
            appended,
            "[a]\r\nk = v\r\n\r\n[b]\r\naws_access_key_id = NEWKEY\r\naws_session_token = NEWTOK\r\n"
        );
    }

    /// Regression (issue 13, found by the credentials_edit fuzz target): in a file whose first line
    /// ends with `\n`, a last line ending with a lone `\r` was followed by the blank line's `\n`, which
    /// merged with it into one `\r\n`: the blank line vanished and the last line's ending changed.
    #[test]
    fn new_lines_after_a_lone_cr_do_not_merge_with_it() {
        let appended = upsert_section("\nk = v\r\n[ corp ]\r", "x=y", &KEYS[..1]);
        assert_eq!(
            appended,
            "\nk = v\r\n[ corp ]\r\r[x=y]\raws_access_key_id = NEWKEY\r"
        );
        let lines = scan(&appended);
        assert_eq!(lines[2].ending, "\r");
        assert_eq!(lines[3].kind, LineKind::Blank);
        // Inside a section: the added key takes the ending of the line it follows, so a blank line
        // after it (`\n`, in a file of lone `\r`s) stays a blank line.
        let before = "[a]\r[corp]\rregion = x\n\n[b]\r";
        let after = upsert_section(before, "corp", &KEYS[..1]);
        assert_eq!(
            after,
            "[a]\r[corp]\rregion = x\naws_access_key_id = NEWKEY\n\n[b]\r"
        );
        assert_eq!(scan(&after).len(), scan(before).len() + 1);
    }

    #[test]
    fn a_last_line_without_newline_gets_one_only_when_text_follows_it() {
        assert_eq!(
            upsert_section("[corp]\naws_access_key_id = OLD", "corp", &KEYS[..1]),
            "[corp]\naws_access_key_id = NEWKEY"
        );
        assert_eq!(
            upsert_section("[corp]\nregion = x", "corp", &KEYS[..1]),
            "[corp]\nregion = x\naws_access_key_id = NEWKEY\n"
        );
    }

    #[test]
    fn duplicate_sections_are_all_updated_and_missing_keys_go_to_the_first() {
        let before = "[corp]\nregion = a\n[x]\n[corp]\nAWS_ACCESS_KEY_ID: OLD\n";
        let after = "[corp]\nregion = a\naws_session_token = NEWTOK\n[x]\n[corp]\nAWS_ACCESS_KEY_ID: NEWKEY\n";
        assert_eq!(upsert_section(before, "corp", &KEYS), after);
    }

    #[test]
    fn malformed_lines_are_kept_and_a_broken_header_ends_the_section() {
        let before = "[corp\naws_access_key_id = NOT_MINE\njunk line\n[corp]\nbroken\n[oops\n";
        let after = "[corp\naws_access_key_id = NOT_MINE\njunk line\n[corp]\nbroken\naws_access_key_id = NEWKEY\n[oops\n";
        assert_eq!(upsert_section(before, "corp", &KEYS[..1]), after);
    }

    #[test]
    fn section_names_match_exactly_and_keys_in_other_sections_are_untouched() {
        let before = "[profile corp]\naws_access_key_id = A\n[Corp]\naws_access_key_id = B\n";
        let after = upsert_section(before, "corp", &KEYS[..1]);
        assert_eq!(
            after,
            format!("{before}\n[corp]\naws_access_key_id = NEWKEY\n")
        );
    }

    #[test]
    fn reading_merges_copies_with_later_values_winning() {
        let text = "[corp]\nAWS_ACCESS_KEY_ID = one # c\nregion=x\n[o]\naws_access_key_id = other\n[corp]\naws_access_key_id = two\n";
        let values = read_section(text, "corp").unwrap_or_default();
        assert_eq!(
            values,
            vec![
                ("region".to_string(), "x".to_string()),
                ("aws_access_key_id".to_string(), "two".to_string())
            ]
        );
        assert_eq!(read_section(text, "missing"), None);
    }
}
