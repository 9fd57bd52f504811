//! Where a page tells the person what happened when no provider file says where: an element that
//! is an alert, an error or a feedback message by its class, id or role (a customised theme's bare
//! `span.kc-feedback-text`, `#input-error`, `.alert-error`, `role="alert"`, `aria-live`), in any
//! language. Information and success messages are left out, and so is what only the page's own
//! script shows when a field is empty (`validation`).

mod validation;

use super::{Page, visible_text_without};
use crate::idp::form::is_hidden_element;
use scraper::ElementRef;

/// How sure the page is that its message is a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Marked as an error: `error`, `danger`, `fail`, `invalid` in its class or id, `role="alert"`.
    Error,
    /// A feedback or alert element that does not say which kind (`kc-feedback-text`, `aria-live`).
    Neutral,
}

/// Class or id parts of an error element.
const ERROR_MARKS: [&str; 7] = [
    "error", "danger", "fail", "invalid", "negative", "critical", "denied",
];
/// Class or id parts of a message element that does not say its kind.
const FEEDBACK_MARKS: [&str; 3] = ["feedback", "alert", "notification"];
/// Kinds of messages that are not refusals, as the last part of a class or id name says
/// (`alert-info`, `pf-m-success`, `is_info`): a whole part, so that `login-information-panel` is
/// not one.
const CALM_MARKS: [&str; 5] = ["info", "information", "success", "succeeded", "hint"];
/// Classes that hide an element in common style sheets.
const HIDING_CLASSES: [&str; 7] = [
    "hidden",
    "hide",
    "d-none",
    "is-hidden",
    "invisible",
    "ng-hide",
    "display-none",
];
/// Elements that hold a page or a form, not a message.
const CONTAINERS: [&str; 15] = [
    "html", "head", "body", "main", "form", "script", "style", "template", "noscript", "title",
    "input", "select", "textarea", "option", "iframe",
];
/// Longer text is a whole block of the page, not a message.
const MAX_FEEDBACK_CHARS: usize = 400;

impl Page {
    /// The page's message to the person: the first error element with text, else the first
    /// feedback element with text (the innermost such element holding it), with its tone.
    pub fn feedback(&self) -> Option<(Tone, String)> {
        let mut first: [Option<ElementRef<'_>>; 2] = [None, None];
        for el in self.html.root_element().descendent_elements() {
            let Some(tone) = tone_of(el) else { continue };
            let slot = &mut first[tone as usize];
            match slot {
                Some(best) if is_inside(el, *best) => *slot = Some(el),
                Some(_) => {}
                None => *slot = Some(el),
            }
        }
        let text = message_text;
        first[Tone::Error as usize]
            .map(|el| (Tone::Error, text(el)))
            .or_else(|| first[Tone::Neutral as usize].map(|el| (Tone::Neutral, text(el))))
    }
}

/// The tone of `el` when it is a message element with text a person sees.
fn tone_of(el: ElementRef<'_>) -> Option<Tone> {
    let v = el.value();
    if CONTAINERS.contains(&v.name()) {
        return None;
    }
    let marks = marks_of(el);
    let role_alert = v
        .attr("role")
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("alert"));
    let live = v
        .attr("aria-live")
        .is_some_and(|l| !l.trim().eq_ignore_ascii_case("off"));
    let error_marked = ERROR_MARKS.iter().any(|m| marks.contains(m));
    let tone = if error_marked || role_alert {
        Tone::Error
    } else if live || FEEDBACK_MARKS.iter().any(|m| marks.contains(m)) {
        Tone::Neutral
    } else {
        return None;
    };
    // `role="alert"` and `aria-live` carry good news too; an element's own error class wins.
    if !error_marked && calm_around(el) {
        return None;
    }
    if hidden(el) || holds_controls(el) {
        return None;
    }
    let text = message_text(el);
    if validation::shown_by_script(el) || validation::validation_words(&text) {
        return None;
    }
    (!text.is_empty() && text.chars().count() <= MAX_FEEDBACK_CHARS).then_some(tone)
}

/// The words of a message element: its visible text without its buttons (a close "×"), icons
/// hidden from screen readers and what only the page's script shows.
fn message_text(el: ElementRef<'_>) -> String {
    visible_text_without(el, |e| {
        e.value().name() == "button"
            || validation::shown_by_script(e)
            || e.value()
                .attr("aria-hidden")
                .is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
    })
}

/// The class and id of `el`, lower-cased.
fn marks_of(el: ElementRef<'_>) -> String {
    let v = el.value();
    format!(
        "{} {}",
        v.attr("class").unwrap_or_default(),
        v.attr("id").unwrap_or_default()
    )
    .to_lowercase()
}

/// Whether `el` or one of its near ancestors is marked as information or success.
fn calm_around(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap).take(2))
        .take_while(|e| !CONTAINERS.contains(&e.value().name()))
        .any(|e| {
            let v = e.value();
            v.classes().chain(v.id()).any(|name| {
                let name = name.to_ascii_lowercase();
                let last = name.rsplit(['-', '_']).next().unwrap_or_default();
                CALM_MARKS.contains(&last)
            })
        })
}

/// Whether `el` is hidden by an attribute, an inline style or a class that hides.
fn hidden(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(|e| {
            let v = e.value();
            is_hidden_element(e)
                || v.attr("aria-hidden")
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
                || v.classes()
                    .any(|c| HIDING_CLASSES.iter().any(|h| c.eq_ignore_ascii_case(h)))
        })
}

/// Whether `el` holds something to fill in: then it wraps a form's part, not a message.
fn holds_controls(el: ElementRef<'_>) -> bool {
    el.descendent_elements()
        .skip(1)
        .any(|d| matches!(d.value().name(), "input" | "select" | "textarea" | "form"))
}

fn is_inside(el: ElementRef<'_>, outer: ElementRef<'_>) -> bool {
    el.ancestors().any(|a| a.id() == outer.id())
}

#[cfg(test)]
mod tests;
