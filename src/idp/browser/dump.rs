//! A copy of a page the headless sign-in could not answer, written at -vv so that a change of the
//! IdP's pages can be diagnosed from one run: a private file (0600 in the 0700 state directory)
//! with every field's value emptied, so that no typed password, code or SAMLResponse is in it.

use crate::state::StateDir;
use std::path::PathBuf;

const DIR: &str = "pages";

/// Writes the scrubbed page; where it went, or None when it could not be written (logged).
pub fn write(state: &StateDir, html: &str) -> Option<PathBuf> {
    let dir = state
        .ensure_subdir(DIR)
        .map_err(|e| tracing::debug!("no page dump: {e}"))
        .ok()?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let path = dir.join(format!("unknown-{stamp}.html"));
    match crate::state::private_file::replace(&path, scrubbed(html).as_bytes()) {
        Ok(()) => Some(path),
        Err(e) => {
            tracing::debug!("no page dump: {e}");
            None
        }
    }
}

/// `html` with the `value` attribute of every `<input>` and `<option>` and the content of every
/// `<textarea>` removed.
pub fn scrubbed(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find('<') {
        let start = at + found;
        out.push_str(&html[at..start]);
        let end = tag_end(html, start);
        let tag = &html[start..end];
        let name = tag_name(&lower[start..end]);
        if name == "input" || name == "option" {
            out.push_str(&without_value(tag));
        } else {
            out.push_str(tag);
        }
        at = end;
        if name == "textarea"
            && let Some(close) = lower[at..].find("</textarea")
        {
            at += close;
        }
    }
    out.push_str(&html[at..]);
    out
}

/// The index just past the tag that starts at `start` (quotes respected), or the end of `html`.
fn tag_end(html: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, c) in html[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return start + i + 1,
            _ => {}
        }
    }
    html.len()
}

fn tag_name(tag: &str) -> &str {
    let name = tag.trim_start_matches('<');
    let len = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    &name[..len]
}

/// The tag without its `value=…` attribute (quoted or not).
fn without_value(tag: &str) -> String {
    let lower = tag.to_ascii_lowercase();
    let mut out = String::with_capacity(tag.len());
    let mut at = 0;
    let mut quote = None;
    let mut i = 0;
    let bytes = lower.as_bytes();
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c.is_ascii_whitespace() && lower[i + 1..].starts_with("value") => {
                let rest = lower[i + 1 + 5..].trim_start();
                if let Some(after_eq) = rest.strip_prefix('=') {
                    let value_start = lower.len() - after_eq.trim_start().len();
                    let value_end = attribute_end(&lower, value_start);
                    out.push_str(&tag[at..i]);
                    at = value_end;
                    i = value_end;
                    continue;
                }
            }
            None => {}
        }
        i += 1;
    }
    out.push_str(&tag[at..]);
    out
}

/// The end of an attribute value starting at `start`: past its closing quote, or at the next space
/// or tag end.
fn attribute_end(tag: &str, start: usize) -> usize {
    let rest = &tag[start..];
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(tag.len(), |i| start + i + 2),
        _ => rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(tag.len(), |i| start + i),
    }
}

#[cfg(test)]
mod tests;
