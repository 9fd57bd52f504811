//! A page with everything that can hold a secret taken out, for the -vv page dump: it is written
//! from the parsed DOM (html5ever parses it as a browser does), never by scanning text, so that a
//! comment, a script or an unquoted attribute before a form cannot hide a value from the scrubber
//! (issue 18, section 4).
//!
//! Kept: the elements, their names, ids, classes, styles and the text a person reads, which is what
//! tells why a page was not understood. Taken out: every `value`, the text of every `<textarea>`,
//! scripts, comments, templates and raw-text elements, event handlers, `data-*` values, `<meta>`
//! contents, and the query of every URL.

use scraper::{ElementRef, Html, Node};
use std::fmt::Write;

/// Elements written without their content: scripts and what a parser keeps as raw text or for
/// later (a `<noscript>`'s markup, a `<template>`'s fields, an `<iframe>`'s fallback), and typed
/// text.
const EMPTIED: [&str; 10] = [
    "noscript",
    "template",
    "textarea",
    "iframe",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "object",
    "embed",
];
/// Elements left out altogether: their content is a program.
const DROPPED: [&str; 1] = ["script"];
/// Attributes whose URL is kept without its query and fragment (a token travels there).
const URLS: [&str; 9] = [
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "ping",
];
/// Attributes whose value is dropped wherever they are: values, programs, keys.
const EMPTIED_ATTRS: [&str; 6] = ["value", "srcdoc", "nonce", "integrity", "srcset", "content"];
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// `html`, parsed and written out again without any value, typed text, script or comment.
pub fn scrubbed(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::with_capacity(html.len());
    for child in doc.tree.root().children() {
        write_node(child.value(), ElementRef::wrap(child), &mut out);
    }
    out
}

/// One node; `el` is the node as an element when it is one.
fn write_node(node: &Node, el: Option<ElementRef<'_>>, out: &mut String) {
    match (node, el) {
        (Node::Doctype(d), _) => {
            let _ = write!(out, "<!DOCTYPE {}>", escaped(d.name(), false));
        }
        (Node::Text(t), _) => out.push_str(&escaped(t, false)),
        (Node::Element(_), Some(el)) => write_element(el, out),
        // Comments, processing instructions (a CDATA section outside SVG is one) and a template's
        // contents say nothing a person reads.
        _ => {}
    }
}

fn write_element(el: ElementRef<'_>, out: &mut String) {
    let name = el.value().name();
    if DROPPED.contains(&name) {
        return;
    }
    out.push('<');
    out.push_str(name);
    // A name a browser would not write (`value"`) is left out with its value.
    let named = |a: &str| {
        a.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
    };
    for (attr, value) in el.value().attrs().filter(|(a, _)| named(a)) {
        let _ = write!(
            out,
            " {attr}=\"{}\"",
            escaped(&kept_value(attr, value), true)
        );
    }
    out.push('>');
    if VOID.contains(&name) {
        return;
    }
    if !EMPTIED.contains(&name) {
        for child in el.children() {
            write_node(child.value(), ElementRef::wrap(child), out);
        }
    }
    let _ = write!(out, "</{name}>");
}

/// What is kept of the attribute `name`'s `value`.
fn kept_value(name: &str, value: &str) -> String {
    let name = name.to_ascii_lowercase();
    if EMPTIED_ATTRS.contains(&name.as_str()) || name.starts_with("on") || name.starts_with("data-")
    {
        return String::new();
    }
    if URLS.contains(&name.as_str()) {
        return without_query(value);
    }
    value.to_string()
}

/// A URL without its query and fragment, and nothing of a `javascript:` one.
fn without_query(url: &str) -> String {
    let url = url.trim();
    if url
        .get(..11)
        .is_some_and(|s| s.eq_ignore_ascii_case("javascript:"))
        || url
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        return String::new();
    }
    match url.find(['?', '#']) {
        Some(at) => format!("{}?…", &url[..at]),
        None => url.to_string(),
    }
}

fn escaped(text: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' if !in_attribute => out.push_str("&lt;"),
            '>' if !in_attribute => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
