//! Text a page shows only when its own script finds a field empty or malformed: a tooltip under
//! the field (PingFederate's HTML Form adapter writes `div.type-alert.tooltip-text` "Please fill
//! out this field." under every input), a Bootstrap `.invalid-feedback` no field is marked for, an
//! ASP.NET validator with nothing to say, a browser's own validation words. samlbridge fills every
//! field it posts, so none of it is ever the IdP's answer (issue 18, section 7).

use scraper::ElementRef;

/// Words of a field left empty or malformed, as browsers and form libraries write them: a required
/// field was sent filled, so an IdP that says only this did not answer the code or password.
const VALIDATION_WORDS: [&str; 10] = [
    "fill out this field",
    "fill in this field",
    "this field is required",
    "field is required",
    "required field",
    "required value",
    "value is required",
    "match the requested format",
    "select an item in the list",
    "check this box",
];

/// Classes that a script adds or a style sheet shows only after a check in the browser.
const SHOWN_BY_SCRIPT: [&str; 2] = ["invalid-feedback", "invalid-tooltip"];
/// A validator's class while it has nothing to report (ASP.NET MVC).
const QUIET_VALIDATORS: [&str; 2] = ["field-validation-valid", "validation-summary-valid"];

/// Whether `el` is shown only by a check in the browser, by what it is.
pub fn shown_by_script(el: ElementRef<'_>) -> bool {
    is_tooltip(el) || quiet_validator(el) || unmarked_invalid_feedback(el)
}

/// A tooltip, by its role or a class part `tooltip` (`tooltip-text`, `ping-tooltip`): words that
/// appear over a field, not a page's answer.
fn is_tooltip(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap).take(2))
        .any(|e| {
            let v = e.value();
            v.attr("role")
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("tooltip"))
                || v.classes().any(|c| {
                    c.to_ascii_lowercase()
                        .split(['-', '_'])
                        .any(|part| part == "tooltip" || part == "tooltiptext")
                })
        })
}

fn quiet_validator(el: ElementRef<'_>) -> bool {
    el.value()
        .classes()
        .any(|c| QUIET_VALIDATORS.iter().any(|q| c.eq_ignore_ascii_case(q)))
}

/// Bootstrap's `.invalid-feedback` is shown only beside a field marked `.is-invalid` or in a form
/// marked `.was-validated`: without either, a style sheet keeps it out of sight.
fn unmarked_invalid_feedback(el: ElementRef<'_>) -> bool {
    let has_class =
        |e: ElementRef<'_>, name: &str| e.value().classes().any(|c| c.eq_ignore_ascii_case(name));
    if !SHOWN_BY_SCRIPT.iter().any(|c| has_class(el, c)) {
        return false;
    }
    let field_marked = el
        .parent()
        .and_then(ElementRef::wrap)
        .is_some_and(|p| p.descendent_elements().any(|d| has_class(d, "is-invalid")));
    let form_marked = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| has_class(a, "was-validated"));
    !field_marked && !form_marked
}

/// Whether a message says only that a field is empty or malformed.
pub fn validation_words(text: &str) -> bool {
    let text = text.to_lowercase();
    VALIDATION_WORDS.iter().any(|w| text.contains(w))
}

#[cfg(test)]
mod tests;
