//! An AWS INI document built from sections, keys, comments and line endings (plain bytes would rarely
//! make a section with the keys samlbridge owns), and the credentials editor's property: after an
//! edit, every byte outside the edited section is as it was, the section holds the new values, and
//! the file still reads.

use arbitrary::{Arbitrary, Result, Unstructured};
use samlbridge::fuzzing::{self, Credentials, IniLine, Secret};

/// Section names that collide with what the editor writes, and a few that only look alike.
const NAMES: &[&str] = &[
    "default",
    "corp",
    "prod",
    "Corp",
    " corp ",
    "profile corp",
    "corp ",
    "a b",
    "#x",
    ";y",
    "x=y",
    "corp]",
    "[corp",
    "\u{feff}corp",
    "ünï",
];
/// Keys: the four samlbridge owns (in several cases) and others.
const KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "x_security_token_expires",
    "AWS_ACCESS_KEY_ID",
    "Aws_Session_Token",
    "region",
    "output",
    "s3",
    "role_arn",
];
const ENDINGS: &[&str] = &["\n", "\r\n", "\r", "\n\r", ""];
const SPACES: &[&str] = &["", " ", "  ", "\t", " \t "];
const COMMENTS: &[&str] = &["# c", "; c", "#", ";", " # x = y", " ; [corp]"];

/// One line of the document.
#[derive(Debug)]
pub enum Item {
    Section {
        name: String,
        pad: &'static str,
        comment: Option<&'static str>,
    },
    BrokenHeader(String),
    Property {
        indent: &'static str,
        key: String,
        sep: &'static str,
        value: String,
        comment: Option<&'static str>,
    },
    Comment {
        indent: &'static str,
        text: String,
    },
    Blank(&'static str),
    Raw(String),
}

fn name(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(if u.ratio(3, 4)? {
        u.choose(NAMES)?.to_string()
    } else {
        String::arbitrary(u)?
    })
}

fn key(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(if u.ratio(4, 5)? {
        u.choose(KEYS)?.to_string()
    } else {
        String::arbitrary(u)?
    })
}

impl<'a> Arbitrary<'a> for Item {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=9)? {
            0 | 1 => Item::Section {
                name: name(u)?,
                pad: *u.choose(SPACES)?,
                comment: if u.arbitrary()? {
                    Some(*u.choose(COMMENTS)?)
                } else {
                    None
                },
            },
            2 => Item::BrokenHeader(name(u)?),
            3..=6 => Item::Property {
                indent: *u.choose(SPACES)?,
                key: key(u)?,
                sep: *u.choose(&["=", " = ", ":", " : ", "=  ", " ="])?,
                value: String::arbitrary(u)?,
                comment: if u.arbitrary()? {
                    Some(*u.choose(COMMENTS)?)
                } else {
                    None
                },
            },
            7 => Item::Comment {
                indent: *u.choose(SPACES)?,
                text: format!("{}{}", u.choose(&["#", ";"])?, String::arbitrary(u)?),
            },
            8 => Item::Blank(*u.choose(SPACES)?),
            _ => Item::Raw(String::arbitrary(u)?),
        })
    }
}

/// A whole file: a byte-order mark or not, lines with their endings, maybe no final line ending.
#[derive(Debug)]
pub struct IniDoc {
    pub text: String,
}

impl<'a> Arbitrary<'a> for IniDoc {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut text = String::new();
        if u.ratio(1, 8)? {
            text.push('\u{feff}');
        }
        let usual = *u.choose(&ENDINGS[..3])?;
        let items: Vec<Item> = u.arbitrary()?;
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Section { name, pad, comment } => {
                    text.push_str(&format!("{pad}[{name}]{pad}{}", comment.unwrap_or("")))
                }
                Item::BrokenHeader(name) => text.push_str(&format!("[{name}")),
                Item::Property {
                    indent,
                    key,
                    sep,
                    value,
                    comment,
                } => text.push_str(&format!(
                    "{indent}{key}{sep}{value}{}",
                    comment.unwrap_or("")
                )),
                Item::Comment { indent, text: c } => text.push_str(&format!("{indent}{c}")),
                Item::Blank(spaces) => text.push_str(spaces),
                Item::Raw(raw) => text.push_str(raw),
            }
            let last = i + 1 == items.len();
            let ending = if u.ratio(1, 10)? {
                *u.choose(ENDINGS)?
            } else {
                usual
            };
            if !last || u.ratio(3, 4)? {
                text.push_str(ending);
            }
        }
        Ok(IniDoc { text })
    }
}

/// Credentials for one profile: mostly well-formed, sometimes with what the writer must refuse.
#[derive(Debug)]
pub struct Upsert {
    pub profile: String,
    pub credentials: Credentials,
}

/// A key or token: always starting with `tag` (so it can be told from the words of a message), then
/// what STS sends, or sometimes anything (whitespace, control characters, which must be refused).
fn value(u: &mut Unstructured<'_>, tag: &str) -> Result<String> {
    if u.ratio(1, 10)? {
        return Ok(format!("{tag}{}", String::arbitrary(u)?));
    }
    Ok(format!(
        "{tag}{}",
        crate::token(u, crate::KEY_ALPHABET, 24)?
    ))
}

impl<'a> Arbitrary<'a> for Upsert {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let seconds = u.int_in_range(-62_000_000_000i64..=253_000_000_000)?;
        let expiration = time::OffsetDateTime::from_unix_timestamp(seconds)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        Ok(Upsert {
            profile: name(u)?,
            credentials: Credentials {
                access_key_id: value(u, "ASIA")?,
                secret_access_key: Secret::new(value(u, "sk/")?),
                session_token: Secret::new(value(u, "tok/")?),
                expiration,
            },
        })
    }
}

/// Which lines of `lines` belong to `[section]`, every copy of it, headers included.
fn members(lines: &[IniLine<'_>], section: &str) -> Vec<bool> {
    let mut inside = false;
    lines
        .iter()
        .map(|l| {
            if l.opens_section {
                inside = l.section == Some(section);
            }
            inside
        })
        .collect()
}

/// The credentials editor's property for one profile written into `before`, giving `after`.
pub fn check_upsert(before: &str, after: &str, up: &Upsert) {
    let entries = owned_entries(&up.credentials);
    let old = fuzzing::ini_lines(before);
    let new = fuzzing::ini_lines(after);
    assert_eq!(
        new.iter()
            .map(|l| [l.raw, l.ending].concat())
            .collect::<String>(),
        after,
        "the lines do not put the text back together"
    );
    let (old_in, new_in) = (members(&old, &up.profile), members(&new, &up.profile));
    let outside_old: Vec<&IniLine<'_>> = old
        .iter()
        .zip(&old_in)
        .filter(|(_, m)| !**m)
        .map(|(l, _)| l)
        .collect();
    let outside_new: Vec<&IniLine<'_>> = new
        .iter()
        .zip(&new_in)
        .filter(|(_, m)| !**m)
        .map(|(l, _)| l)
        .collect();
    check_outside(&outside_old, &outside_new, old_in.iter().any(|m| *m));
    let inside_old: Vec<&IniLine<'_>> = old
        .iter()
        .zip(&old_in)
        .filter(|(_, m)| **m)
        .map(|(l, _)| l)
        .collect();
    let inside_new: Vec<&IniLine<'_>> = new
        .iter()
        .zip(&new_in)
        .filter(|(_, m)| **m)
        .map(|(l, _)| l)
        .collect();
    check_inside(&inside_old, &inside_new, &entries);
    let read =
        fuzzing::credentials_section(after, &up.profile).expect("the written section is not found");
    for (key, value) in &entries {
        let found = read.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(
            found,
            Some(value.as_str()),
            "{key} does not read back as written"
        );
    }
}

/// Outside the section: the same lines, byte for byte; appending a section may only end a last
/// line that had no line ending and add one blank line.
fn check_outside(old: &[&IniLine<'_>], new: &[&IniLine<'_>], section_existed: bool) {
    let mut new = new.to_vec();
    if !section_existed
        && new.len() == old.len() + 1
        && new.last().is_some_and(|l| l.raw.is_empty())
    {
        new.pop();
    }
    assert_eq!(
        old.len(),
        new.len(),
        "lines outside the section were added or removed"
    );
    for (i, (o, n)) in old.iter().zip(&new).enumerate() {
        assert_eq!(o.raw, n.raw, "a line outside the section changed");
        let last = i + 1 == old.len();
        let ending_ok = o.ending == n.ending
            || (last && o.ending.is_empty() && ["\n", "\r\n", "\r"].contains(&n.ending));
        assert!(
            ending_ok,
            "a line ending outside the section changed: {:?} -> {:?}",
            o.ending, n.ending
        );
    }
}

/// Inside the section: every old line kept in order, owned values replaced in place (the key, its
/// spacing and an inline comment kept), missing keys added as `key = value` lines.
fn check_inside(old: &[&IniLine<'_>], new: &[&IniLine<'_>], entries: &[(String, String)]) {
    let mut o = 0;
    for line in new {
        if let Some(prev) = old.get(o) {
            let kept_ending = prev.ending == line.ending || prev.ending.is_empty();
            if prev.raw == line.raw && kept_ending {
                o += 1;
                continue;
            }
            if let (Some((key, _)), Some((s, e)), Some((new_key, new_value))) =
                (prev.property, prev.value_at, line.property)
            {
                let owned = entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key));
                if let Some((_, value)) = owned {
                    let expected = format!("{}{}{}", &prev.raw[..s], value, &prev.raw[e..]);
                    assert_eq!(
                        line.raw, expected,
                        "an owned value was not replaced in place"
                    );
                    assert_eq!(new_key, key);
                    assert_eq!(new_value, value);
                    assert!(kept_ending, "a line ending inside the section changed");
                    o += 1;
                    continue;
                }
            }
        }
        let added = entries
            .iter()
            .any(|(k, v)| line.raw == format!("{k} = {v}"));
        let header = line.section.is_some() && old.is_empty();
        assert!(
            added || header,
            "a line in the section is neither kept nor written: {:?}",
            line.raw
        );
    }
    assert_eq!(o, old.len(), "a line of the section was lost");
}

/// The four keys as the writer puts them (lower-case names, as the reader reports them).
pub fn owned_entries(c: &Credentials) -> Vec<(String, String)> {
    let expires = fuzzing::format_expiry(c.expiration).unwrap_or_default();
    vec![
        ("aws_access_key_id".into(), c.access_key_id.clone()),
        (
            "aws_secret_access_key".into(),
            c.secret_access_key.expose().to_string(),
        ),
        (
            "aws_session_token".into(),
            c.session_token.expose().to_string(),
        ),
        ("x_security_token_expires".into(), expires),
    ]
}
