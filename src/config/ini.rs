//! A line-level view of an AWS INI file (config or credentials), built on ini-roundtrip's lossless item
//! stream: every line keeps its exact byte span, so readers see what the AWS tools see and the writer
//! can replace one value without touching a byte around it.
//!
//! Where the AWS tools disagree with plain INI, this follows them: comments may be indented (Python's
//! configparser, which the AWS CLI uses, strips the line before looking for `#`/`;`); `:` separates a
//! key from its value like `=` (configparser again); a value ends at a `#` or `;` preceded by
//! whitespace (the AWS SDKs' inline comments); a section header may be followed by spaces or a comment.

use ini_roundtrip::{Item, Parser};

/// What one line of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind<'a> {
    /// `[name]`: the name inside the brackets, trimmed.
    Section(&'a str),
    /// `key = value`: both trimmed; `value_at` is the value's byte range inside `Line::raw`
    /// (an inline comment after it is not part of it).
    Property {
        key: &'a str,
        value: &'a str,
        value_at: (usize, usize),
    },
    Comment,
    Blank,
    /// Neither of the above: a broken `[header`, or a line without `=`. Kept, never guessed at.
    Malformed,
}

/// One line of the file with its place in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// Byte offset of the line in the text.
    pub start: usize,
    /// The line without its line ending.
    pub raw: &'a str,
    /// The line ending as it is in the file: "\n", "\r\n", "\r", or "" for a last line without one.
    pub ending: &'a str,
    /// Leading whitespace, in bytes (configparser's test for a continuation line).
    pub indent: usize,
    pub kind: LineKind<'a>,
}

impl Line<'_> {
    /// A line that starts with `[`: a section boundary, even when the header is broken.
    pub fn opens_section(&self) -> bool {
        match self.kind {
            LineKind::Section(_) => true,
            LineKind::Malformed => self.raw.trim_start().starts_with('['),
            _ => false,
        }
    }
}

/// Splits `text` into lines. Concatenating every `raw` + `ending` gives `text` back, byte for byte.
pub(crate) fn scan(text: &str) -> Vec<Line<'_>> {
    let mut parser = Parser::new(text);
    let mut lines = Vec::new();
    loop {
        let start = text.len() - parser.remainder().len();
        let Some(item) = parser.next() else { break };
        let raw = match item {
            Item::SectionEnd => continue,
            Item::Error(raw)
            | Item::Section { raw, .. }
            | Item::Property { raw, .. }
            | Item::Comment { raw }
            | Item::Blank { raw } => raw,
        };
        let end = text.len() - parser.remainder().len();
        let ending = &text[start + raw.len()..end];
        lines.push(classify(start, raw, ending, &item));
    }
    lines
}

/// The newline style of the file (the first line ending decides), "\n" for a file without one.
pub(crate) fn newline_of(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(at) if text[at..].starts_with("\r\n") => "\r\n",
        Some(at) if text[at..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

fn classify<'a>(start: usize, raw: &'a str, ending: &'a str, item: &Item<'a>) -> Line<'a> {
    // A byte-order mark (Windows editors) is not part of the first line's content.
    let bom = if start == 0 && raw.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = &raw[bom..];
    let trimmed = body.trim_start();
    let indent = body.len() - trimmed.len();
    let kind = match item {
        Item::Blank { .. } => LineKind::Blank,
        _ if trimmed.trim_end().is_empty() => LineKind::Blank,
        _ if trimmed.starts_with(['#', ';']) => LineKind::Comment,
        _ if trimmed.starts_with('[') => section_header(trimmed),
        _ => property(body, bom),
    };
    Line {
        start,
        raw,
        ending,
        indent,
        kind,
    }
}

/// `[name]`, optionally followed by spaces or a comment (`[corp]  # gateway`).
fn section_header(line: &str) -> LineKind<'_> {
    let Some(close) = line.find(']') else {
        return LineKind::Malformed;
    };
    let rest = line[close + 1..].trim_start();
    let name = line[1..close].trim();
    if name.is_empty() || !(rest.is_empty() || rest.starts_with(['#', ';'])) {
        return LineKind::Malformed;
    }
    LineKind::Section(name)
}

/// `key = value` or `key: value` (the first of the two separates, as configparser does).
fn property(body: &str, offset: usize) -> LineKind<'_> {
    let Some(sep) = body.find(['=', ':']) else {
        return LineKind::Malformed;
    };
    let key = body[..sep].trim();
    if key.is_empty() {
        return LineKind::Malformed;
    }
    let after = &body[sep + 1..];
    let value_start = sep + 1 + (after.len() - after.trim_start().len());
    let value_text = &body[value_start..];
    let value = value_text[..inline_comment_at(value_text)].trim_end();
    LineKind::Property {
        key,
        value,
        value_at: (offset + value_start, offset + value_start + value.len()),
    }
}

/// Where an inline comment starts in a value: the first `#` or `;` preceded by whitespace.
fn inline_comment_at(value: &str) -> usize {
    let bytes = value.as_bytes();
    (1..bytes.len())
        .find(|&i| matches!(bytes[i], b'#' | b';') && bytes[i - 1].is_ascii_whitespace())
        .unwrap_or(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<LineKind<'_>> {
        scan(text).into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn lines_put_back_together_give_the_text_byte_for_byte() {
        let text =
            "\u{feff}[a]\r\nk = v\r\n\r\n# c\n;d\r[broken\nnokey\n  x = 1 ; c\nlast = no newline";
        let joined: String = scan(text).iter().flat_map(|l| [l.raw, l.ending]).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn sections_comments_and_blanks() {
        let text =
            "[default]\n  [ profile corp ]   # gateway\n# c\n   ; indented\n   \n\n[x] y\n[\n";
        assert_eq!(
            kinds(text),
            vec![
                LineKind::Section("default"),
                LineKind::Section("profile corp"),
                LineKind::Comment,
                LineKind::Comment,
                LineKind::Blank,
                LineKind::Blank,
                LineKind::Malformed,
                LineKind::Malformed,
            ]
        );
    }

    #[test]
    fn property_values_are_trimmed_and_lose_inline_comments() {
        let lines =
            scan("a=1\n  b  =  two words   # note\nc: x#y ;z\nurl = https://h/p?a=b#frag\nd =\n");
        let props: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| match l.kind {
                LineKind::Property {
                    key,
                    value,
                    value_at,
                } => {
                    assert_eq!(&l.raw[value_at.0..value_at.1], value);
                    (key, value)
                }
                other => panic!("not a property: {other:?}"),
            })
            .collect();
        assert_eq!(
            props,
            vec![
                ("a", "1"),
                ("b", "two words"),
                ("c", "x#y"),
                ("url", "https://h/p?a=b#frag"),
                ("d", ""),
            ]
        );
    }

    #[test]
    fn a_line_without_separator_is_malformed_and_indent_is_measured() {
        let lines = scan("[s]\nlonely\n    nested = 1\n= v\n");
        assert_eq!(lines[1].kind, LineKind::Malformed);
        assert_eq!(lines[2].indent, 4);
        assert_eq!(lines[3].kind, LineKind::Malformed);
        assert!(lines[0].opens_section());
        assert!(!lines[1].opens_section());
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_header() {
        let lines = scan("\u{feff}[default]\nk=v\n");
        assert_eq!(lines[0].kind, LineKind::Section("default"));
        let lines = scan("\u{feff}k = v\n");
        assert!(matches!(
            lines[0].kind,
            LineKind::Property {
                value_at: (7, 8),
                ..
            }
        ));
    }

    #[test]
    fn newline_style_is_detected() {
        assert_eq!(newline_of("a\r\nb\n"), "\r\n");
        assert_eq!(newline_of("a\nb\r\n"), "\n");
        assert_eq!(newline_of("a\rb"), "\r");
        assert_eq!(newline_of("no newline"), "\n");
    }
}
