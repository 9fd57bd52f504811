//! HTML forms as a browser posts them: which fields exist, which are sent, where to, and how.
//!
//! The rules are the browser's, because IdPs are written for browsers: inputs without a name are never
//! sent, unchecked checkboxes and radios are not sent, disabled controls are not sent, a named submit
//! button is sent only when it is the one clicked, the action is resolved against the page (or its
//! `<base href>`), and entities such as `&amp;` are already decoded by the HTML parser.

use scraper::ElementRef;
use std::fmt;
use url::Url;
use zeroize::Zeroize;

/// How a form is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// One control that may be posted: an `<input>`, `<select>` or `<textarea>` with a name.
#[derive(Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// The lower-cased `type` (`text` when absent); `select` and `textarea` for those elements.
    pub kind: String,
    /// The value the page carries. It may be a secret (a SAMLResponse): Debug never prints it.
    pub value: String,
    pub id: Option<String>,
    pub autocomplete: Option<String>,
    /// For checkboxes and radios; every other kind counts as checked.
    pub checked: bool,
    /// False for `type=hidden`, and for controls under `hidden` or `display:none`.
    pub visible: bool,
    /// What a person reads next to it: its `<label>`, else `aria-label`, else `placeholder`.
    pub label: Option<String>,
    /// `readonly`: shown with a value the person cannot change (a username the IdP already knows).
    pub readonly: bool,
    /// For a `<select>`: each option's value and text.
    pub options: Vec<SelectOption>,
}

/// One `<option>` of a `<select>`: what is posted and what a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub text: String,
}

impl Field {
    /// A control a person types into: text, email, password, number...
    pub fn is_typed(&self) -> bool {
        self.visible
            && !matches!(
                self.kind.as_str(),
                "hidden"
                    | "checkbox"
                    | "radio"
                    | "submit"
                    | "button"
                    | "reset"
                    | "image"
                    | "file"
                    | "select"
            )
    }

    pub fn is_password(&self) -> bool {
        self.kind == "password"
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("visible", &self.visible)
            .field("checked", &self.checked)
            .finish_non_exhaustive()
    }
}

/// A submit control: `<button>` (whose type defaults to submit) or `<input type=submit|image>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitButton {
    /// None: an unnamed button, which is never posted.
    pub name: Option<String>,
    pub value: String,
}

/// One `<form>` of a page.
#[derive(Debug, Clone)]
pub struct Form {
    /// Its position among the page's forms, in document order.
    pub index: usize,
    pub id: Option<String>,
    pub name: Option<String>,
    pub action: Url,
    pub method: Method,
    pub fields: Vec<Field>,
    pub buttons: Vec<SubmitButton>,
    /// Disabled controls: never posted, but they show what the IdP already knows (a username it
    /// will not let the person change on a code page).
    pub disabled: Vec<Field>,
}

/// Which submit button is pressed when a form is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click<'a> {
    /// Sent by script (`form.submit()`): no button is posted.
    Script,
    /// Enter in a field: the first submit button, as a browser's implicit submission does.
    Default,
    /// The submit button with this name.
    Named(&'a str),
}

/// A request a form makes. The values may hold the password: Debug shows the names only, and the
/// values are wiped when it is dropped.
#[derive(Clone)]
pub struct Submission {
    pub method: Method,
    pub url: Url,
    pub pairs: Vec<(String, String)>,
}

impl fmt::Debug for Submission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.pairs.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Submission")
            .field("method", &self.method)
            .field("url", &super::urls::without_query(&self.url))
            .field("names", &names)
            .finish()
    }
}

impl Drop for Submission {
    fn drop(&mut self) {
        for (_, value) in &mut self.pairs {
            value.zeroize();
        }
    }
}

impl Submission {
    /// The names that are sent, for logs.
    pub fn names(&self) -> Vec<&str> {
        self.pairs.iter().map(|(n, _)| n.as_str()).collect()
    }
}

impl Form {
    /// Reads a `<form>` element and the controls it owns (in document order); `base` is the page's
    /// URL or its `<base href>`.
    pub(crate) fn from_element<'a>(
        index: usize,
        form: ElementRef<'a>,
        owned: impl Iterator<Item = ElementRef<'a>>,
        base: &Url,
    ) -> Form {
        let attr = |name: &str| form.value().attr(name).map(str::to_string);
        let method = match form.value().attr("method") {
            Some(m) if m.trim().eq_ignore_ascii_case("get") => Method::Get,
            Some(_) => Method::Post,
            None => Method::Get,
        };
        let mut controls = Controls::default();
        for el in owned {
            read_control(el, form, &mut controls);
        }
        Form {
            index,
            id: attr("id"),
            name: attr("name"),
            action: resolve_action(form.value().attr("action"), base),
            method,
            fields: controls.fields,
            buttons: controls.buttons,
            disabled: controls.disabled,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A field whose name is one of `names`, compared without case, in the order of `names`.
    pub fn field_named(&self, names: &[String]) -> Option<&Field> {
        names.iter().find_map(|wanted| {
            self.fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(wanted))
        })
    }

    /// True when nothing in the form is for a person to type or choose (hidden fields only, or no
    /// field at all): a form made to be posted by script or by its one button.
    pub fn is_all_hidden(&self) -> bool {
        self.fields.iter().all(|f| f.kind == "hidden" || !f.visible)
    }

    /// The request this form makes with `fills` set (each replaces the first field of that name, or is
    /// added when the form has none) and `click` pressed.
    pub fn submission(&self, fills: &[(&str, &str)], click: Click<'_>) -> Submission {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut filled = vec![false; fills.len()];
        for field in &self.fields {
            let fill = fills.iter().position(|(n, _)| *n == field.name);
            match fill {
                Some(i) if !filled[i] => {
                    filled[i] = true;
                    pairs.push((field.name.clone(), fills[i].1.to_string()));
                }
                Some(_) => {}
                None if field.checked => pairs.push((field.name.clone(), field.value.clone())),
                None => {}
            }
        }
        for (i, (name, value)) in fills.iter().enumerate() {
            if !filled[i] {
                pairs.push((name.to_string(), value.to_string()));
            }
        }
        if let Some(button) = self.clicked(click)
            && let Some(name) = &button.name
        {
            pairs.push((name.clone(), button.value.clone()));
        }
        let mut url = self.action.clone();
        if self.method == Method::Get {
            url.set_query(None);
        }
        Submission {
            method: self.method,
            url,
            pairs,
        }
    }

    fn clicked(&self, click: Click<'_>) -> Option<&SubmitButton> {
        match click {
            Click::Script => None,
            Click::Default => self.buttons.first(),
            Click::Named(name) => self
                .buttons
                .iter()
                .find(|b| b.name.as_deref() == Some(name)),
        }
    }
}

/// `action` as a browser resolves it: absent or empty means the page itself; the fragment is never sent.
fn resolve_action(action: Option<&str>, base: &Url) -> Url {
    let action = action.map(str::trim).unwrap_or("");
    let mut url = if action.is_empty() {
        base.clone()
    } else {
        base.join(action).unwrap_or_else(|_| base.clone())
    };
    url.set_fragment(None);
    url
}

/// What a form holds, as it is read.
#[derive(Default)]
struct Controls {
    fields: Vec<Field>,
    buttons: Vec<SubmitButton>,
    disabled: Vec<Field>,
}

/// Adds `el` to the form's fields or buttons when it is a control the form would post (a disabled
/// one to the controls never posted).
fn read_control(el: ElementRef<'_>, form: ElementRef<'_>, controls: &mut Controls) {
    let v = el.value();
    let tag = v.name();
    if !matches!(tag, "input" | "select" | "textarea" | "button") {
        return;
    }
    let disabled = v.attr("disabled").is_some();
    let name = v.attr("name").filter(|n| !n.is_empty()).map(str::to_string);
    let kind = match tag {
        "input" => v.attr("type").unwrap_or("text").trim().to_ascii_lowercase(),
        "button" => v
            .attr("type")
            .unwrap_or("submit")
            .trim()
            .to_ascii_lowercase(),
        other => other.to_string(),
    };
    if matches!(
        (tag, kind.as_str()),
        ("button", "submit") | ("input", "submit" | "image")
    ) {
        if !disabled {
            let value = v.attr("value").unwrap_or_default().to_string();
            controls.buttons.push(SubmitButton { name, value });
        }
        return;
    }
    let Some(name) = name else { return };
    if matches!(kind.as_str(), "button" | "reset" | "file") {
        return;
    }
    let value = match tag {
        "select" => selected_option(el),
        "textarea" => el.text().collect(),
        _ if matches!(kind.as_str(), "checkbox" | "radio") => {
            v.attr("value").unwrap_or("on").into()
        }
        _ => v.attr("value").unwrap_or_default().to_string(),
    };
    let checked = !matches!(kind.as_str(), "checkbox" | "radio") || v.attr("checked").is_some();
    let lower = |name: &str| v.attr(name).map(|a| a.trim().to_ascii_lowercase());
    let field = Field {
        name,
        visible: kind != "hidden" && is_shown(el, form),
        label: label_of(el, form),
        options: if tag == "select" {
            options_of(el)
        } else {
            Vec::new()
        },
        kind,
        value,
        id: v.id().map(str::to_string),
        autocomplete: lower("autocomplete"),
        readonly: v.attr("readonly").is_some(),
        checked,
    };
    if disabled {
        controls.disabled.push(field);
    } else {
        controls.fields.push(field);
    }
}

/// The options of a `<select>`, as a browser posts and shows them.
fn options_of(select: ElementRef<'_>) -> Vec<SelectOption> {
    select
        .descendent_elements()
        .filter(|e| e.value().name() == "option" && e.value().attr("disabled").is_none())
        .map(|o| {
            let text = collapse(&o.text().collect::<String>());
            let value = o
                .value()
                .attr("value")
                .map_or_else(|| text.clone(), str::to_string);
            SelectOption { value, text }
        })
        .collect()
}

/// The selected `<option>`'s value, else the first option's, as a browser posts a `<select>`.
fn selected_option(select: ElementRef<'_>) -> String {
    let options: Vec<ElementRef<'_>> = select
        .descendent_elements()
        .filter(|e| e.value().name() == "option")
        .collect();
    let chosen = options
        .iter()
        .find(|o| o.value().attr("selected").is_some())
        .or(options.first());
    match chosen {
        Some(o) => match o.value().attr("value") {
            Some(v) => v.to_string(),
            None => collapse(&o.text().collect::<String>()),
        },
        None => String::new(),
    }
}

/// False when the element, or an ancestor up to the form, is hidden by `hidden` or an inline
/// `display:none` / `visibility:hidden` (how IdPs hide the half of a paginated page not yet shown).
pub(crate) fn is_shown(el: ElementRef<'_>, up_to: ElementRef<'_>) -> bool {
    let mut node = Some(el);
    while let Some(e) = node {
        if is_hidden_element(e) {
            return false;
        }
        if e.id() == up_to.id() {
            break;
        }
        node = e.parent().and_then(ElementRef::wrap);
    }
    true
}

pub(crate) fn is_hidden_element(e: ElementRef<'_>) -> bool {
    let v = e.value();
    if v.attr("hidden").is_some() {
        return true;
    }
    let style: String = v
        .attr("style")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    style.contains("display:none") || style.contains("visibility:hidden")
}

/// What a person reads for a control: `<label for=id>`, an enclosing `<label>`, `aria-label`,
/// `placeholder`.
fn label_of(el: ElementRef<'_>, form: ElementRef<'_>) -> Option<String> {
    let v = el.value();
    let by_for = v.id().and_then(|id| {
        let root = form
            .ancestors()
            .filter_map(ElementRef::wrap)
            .last()
            .unwrap_or(form);
        root.descendent_elements()
            .find(|l| l.value().name() == "label" && l.value().attr("for") == Some(id))
    });
    let enclosing = || {
        el.ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "label")
    };
    let text = by_for
        .or_else(enclosing)
        .map(|l| collapse(&l.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    text.or_else(|| v.attr("aria-label").map(collapse))
        .or_else(|| v.attr("placeholder").map(collapse))
        .filter(|t| !t.is_empty())
}

/// Whitespace runs become one space; ends trimmed.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
