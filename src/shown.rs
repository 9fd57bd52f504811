//! Text that came from outside (IdP pages, STS answers, assertions, AWS's sign-in page, provider
//! files, config values) made safe to show on a terminal before it becomes part of a message.
//!
//! A terminal obeys control sequences wherever they appear: `ESC ] 52` writes the clipboard, `ESC ] 0`
//! sets the window title, `ESC [ 2 J` clears the screen, and U+202E turns the rest of a line around.
//! Such characters are escaped visibly (`\x1b`, `\u{202e}`), line breaks and tabs become one space, and
//! the text is capped, so that what an IdP says can never drive the user's terminal or flood it.

use std::fmt::Write;

/// The longest outside text shown in one message, in characters.
pub const MAX_SHOWN: usize = 300;

/// `text` as it may be shown: controls and bidi overrides escaped visibly, whitespace runs (line
/// breaks included) folded to one space, trimmed, and capped at [`MAX_SHOWN`] characters.
pub fn outside(text: &str) -> String {
    capped(text, MAX_SHOWN)
}

/// [`outside`] with another cap, for text that is short by nature (an alias, a role name).
pub fn capped(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    let mut shown = 0;
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() && !is_dangerous(ch) || is_line_break(ch) {
            pending_space = !out.is_empty();
            continue;
        }
        if shown >= max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if is_dangerous(ch) {
            escape(ch, &mut out);
        } else {
            out.push(ch);
        }
        shown += 1;
    }
    out
}

/// A whole message about to be printed, which may hold several lines of its own (a list of roles):
/// every line kept, every control or bidi character on it escaped. The last guard at the edge of the
/// terminal, for text that reached a message without passing through [`outside`].
pub fn message(text: &str) -> String {
    log_line(text, false)
}

/// A log line as the logger formatted it: like [`message`], but with `color` the logger's own SGR
/// sequences (`ESC [ … m`) are kept; the logger has already escaped ESC in what it was given.
pub fn log_line(text: &str, color: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\n' | '\t' => out.push(ch),
            '\r' => {}
            '\u{1b}' if color && chars.peek() == Some(&'[') => out.push(ch),
            c if is_dangerous(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

fn is_line_break(ch: char) -> bool {
    matches!(
        ch,
        '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// C0 and C1 controls, DEL, and the characters that reorder or hide text (bidi embeddings,
/// overrides and isolates, marks, zero-width characters that hide a word break).
fn is_dangerous(ch: char) -> bool {
    ch.is_control() && !is_line_break(ch)
        || matches!(
            ch,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

fn escape(ch: char, out: &mut String) {
    let code = ch as u32;
    let _ = if code < 0x100 {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:04x}}}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc_52_clipboard_write_is_escaped() {
        let shown = outside("Bad password\u{1b}]52;c;ZXZpbA==\u{07}");
        assert_eq!(shown, "Bad password\\x1b]52;c;ZXZpbA==\\x07");
    }

    #[test]
    fn csi_clear_screen_and_window_title_are_escaped() {
        assert_eq!(outside("\u{1b}[2J"), "\\x1b[2J");
        assert_eq!(outside("\u{1b}]0;pwned\u{07}x"), "\\x1b]0;pwned\\x07x");
    }

    #[test]
    fn c1_controls_nul_and_del_are_escaped() {
        assert_eq!(outside("a\u{0}b\u{7f}c\u{9b}2J"), "a\\x00b\\x7fc\\x9b2J");
    }

    #[test]
    fn bidi_overrides_isolates_and_invisible_characters_are_escaped() {
        assert_eq!(outside("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(outside("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(outside("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(outside("\u{200f}\u{061c}"), "\\u{200f}\\u{061c}");
    }

    #[test]
    fn line_breaks_and_whitespace_runs_fold_to_one_space() {
        assert_eq!(
            outside("  Incorrect\r\n\t user ID\u{2028}or password \n"),
            "Incorrect user ID or password"
        );
    }

    #[test]
    fn printable_text_in_any_language_is_kept() {
        let text = "Benutzername oder Passwort ungültig — 用户名或密码错误 — اسم المستخدم";
        assert_eq!(outside(text), text);
    }

    #[test]
    fn long_text_is_capped_with_an_ellipsis() {
        let shown = outside(&"x".repeat(10_000));
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(capped("abcdef", 3), "abc…");
        assert_eq!(capped("abc", 3), "abc");
    }

    #[test]
    fn escapes_count_once_towards_the_cap() {
        let shown = capped(&"\u{1b}".repeat(50), 4);
        assert_eq!(shown, "\\x1b\\x1b\\x1b\\x1b…");
    }

    #[test]
    fn a_log_line_keeps_its_colors_only_when_colored() {
        let line = "\u{1b}[2mINFO\u{1b}[0m page \u{0}\u{202e}";
        assert_eq!(
            log_line(line, true),
            "\u{1b}[2mINFO\u{1b}[0m page \\x00\\u{202e}"
        );
        assert_eq!(
            log_line(line, false),
            "\\x1b[2mINFO\\x1b[0m page \\x00\\u{202e}"
        );
    }

    #[test]
    fn a_message_keeps_its_own_lines_but_not_controls() {
        let shown = message("roles:\n  a\u{1b}[2J\r\n  b\u{202e}");
        assert_eq!(shown, "roles:\n  a\\x1b[2J\n  b\\u{202e}");
    }
}
