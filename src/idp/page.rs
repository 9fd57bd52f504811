//! One answer page from the IdP, parsed once: its forms, title, meta refresh, and the text a person
//! would read in the elements a provider file points at.
//!
//! The parsed document is not `Send`; a `Page` lives only while a page is classified, and what the
//! engine keeps across requests is plain data (forms, submissions, URLs).

mod feedback;
mod owners;
mod scrub;

pub use feedback::Tone;
pub use scrub::scrubbed;

use super::form::{Form, collapse, is_hidden_element};
use scraper::{ElementRef, Html, Node, Selector};
use std::cell::OnceCell;
use std::sync::LazyLock;
use url::Url;

pub struct Page {
    pub url: Url,
    pub status: u16,
    html: Html,
    /// Which form the parser gave each control to.
    owners: owners::FormOwners,
    /// Where relative URLs point: the page URL, or its `<base href>`.
    base: Url,
    /// The visible text of the body, lower-cased, computed when first asked.
    body_text: OnceCell<String>,
}

fn selector(css: &'static str) -> Selector {
    // The selectors below are constants of this file; a typo fails every test at once.
    Selector::parse(css).unwrap_or_else(|_| panic!("bad built-in selector {css}"))
}

static FORM: LazyLock<Selector> = LazyLock::new(|| selector("form"));
static CONTROL: LazyLock<Selector> = LazyLock::new(|| selector("input, select, textarea, button"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static BASE: LazyLock<Selector> = LazyLock::new(|| selector("base[href]"));
static META: LazyLock<Selector> = LazyLock::new(|| selector("meta[http-equiv][content]"));
static SCRIPT: LazyLock<Selector> = LazyLock::new(|| selector("script"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body[onload]"));
static NOSCRIPT: LazyLock<Selector> = LazyLock::new(|| selector("noscript"));
static BODY_ANY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

/// Fields that only a SAML or WS-Federation POST binding carries: a form holding them is a hop, not a
/// question.
const BINDING_FIELDS: [&str; 4] = ["SAMLRequest", "SAMLResponse", "RelayState", "wresult"];

impl Page {
    pub fn parse(url: Url, status: u16, body: &str) -> Page {
        let (html, owners) = owners::parse(body);
        let base = html
            .select(&BASE)
            .next()
            .and_then(|b| b.value().attr("href"))
            .and_then(|href| url.join(href.trim()).ok())
            .unwrap_or_else(|| url.clone());
        Page {
            url,
            status,
            html,
            owners,
            base,
            body_text: OnceCell::new(),
        }
    }

    pub fn host(&self) -> String {
        self.url.host_str().unwrap_or("the IdP").to_string()
    }

    pub fn title(&self) -> String {
        self.html
            .select(&TITLE)
            .next()
            .map(|t| collapse(&t.text().collect::<String>()))
            .unwrap_or_default()
    }

    /// The page's forms, each with the controls it owns as a browser's parser decides (a control
    /// after an early `</form>`, or in a form nested by such markup, may belong to another form).
    pub fn forms(&self) -> Vec<Form> {
        self.form_elements()
            .enumerate()
            .map(|(i, el)| {
                let owned = self
                    .html
                    .select(&CONTROL)
                    .filter(|c| self.owners.owner(&self.html, *c).map(|f| f.id()) == Some(el.id()));
                Form::from_element(i, el, owned, &self.base)
            })
            .collect()
    }

    fn form_elements(&self) -> impl Iterator<Item = ElementRef<'_>> {
        self.html.select(&FORM)
    }

    /// Whether the `index`-th form matches `sel`.
    pub fn form_matches(&self, index: usize, sel: &Selector) -> bool {
        self.form_elements()
            .nth(index)
            .is_some_and(|f| sel.matches(&f))
    }

    /// Whether an element inside the `index`-th form matches `sel`.
    pub fn form_contains(&self, index: usize, sel: &Selector) -> bool {
        self.form_elements()
            .nth(index)
            .is_some_and(|f| f.select(sel).next().is_some())
    }

    /// Whether `el` is inside the `index`-th form element.
    pub fn form_holds(&self, index: usize, el: ElementRef<'_>) -> bool {
        self.form_elements()
            .nth(index)
            .is_some_and(|f| el.ancestors().any(|a| a.id() == f.id()))
    }

    /// The body of the inline script function `name` (`function name(…) { … }`), braces matched.
    pub fn script_function(&self, name: &str) -> Option<String> {
        let head = format!("function {name}(");
        self.inline_scripts().find_map(|script| {
            let at = script.find(&head)?;
            let open = at + script[at..].find('{')?;
            let mut depth = 0usize;
            for (i, c) in script[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(script[open + 1..open + i].to_string());
                        }
                    }
                    _ => {}
                }
            }
            None
        })
    }

    /// What a person reads on the page, lower-cased, for rules that match words.
    pub fn body_text_lowercase(&self) -> &str {
        self.body_text.get_or_init(|| {
            self.html
                .select(&BODY_ANY)
                .next()
                .map(visible_text)
                .unwrap_or_default()
                .to_lowercase()
        })
    }

    /// What a person reads on the page, as it is written: the words the IdP's messages quote. Only
    /// rendered text: no script, style, template or `<noscript>` source, nothing under a hidden
    /// element (a body kept hidden until scripts run says nothing; issue 18, section 7).
    pub fn words(&self) -> String {
        self.html
            .select(&BODY_ANY)
            .next()
            .map(visible_text)
            .unwrap_or_default()
    }

    /// Whether `sel` matches anything on the page.
    pub fn has(&self, sel: &Selector) -> bool {
        self.html.select(sel).next().is_some()
    }

    /// The elements `sel` matches, for rules that read their attributes.
    pub fn select<'a>(&'a self, sel: &'a Selector) -> impl Iterator<Item = ElementRef<'a>> + 'a {
        self.html.select(sel)
    }

    /// The visible text of each element `sel` matches, whitespace-collapsed, empty ones left out.
    pub fn texts(&self, sel: &Selector) -> Vec<String> {
        self.html
            .select(sel)
            .map(visible_text)
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The value of `attr` on each element `sel` matches.
    pub fn attrs(&self, sel: &Selector, attr: &str) -> Vec<String> {
        self.html
            .select(sel)
            .filter_map(|e| e.value().attr(attr))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The target of `<meta http-equiv="refresh" content="0; url=...">`, when it names one.
    pub fn meta_refresh(&self) -> Option<Url> {
        let meta = self.html.select(&META).find(|m| {
            m.value()
                .attr("http-equiv")
                .is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"))
        })?;
        let content = meta.value().attr("content")?;
        let (_, rest) = content.split_once([';', ','])?;
        let rest = rest.trim();
        let target = match rest.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("url") => rest[3..].trim_start(),
            _ => rest,
        };
        let target = target.strip_prefix('=').unwrap_or(target).trim();
        let target = target.trim_matches(|c| c == '\'' || c == '"').trim();
        if target.is_empty() {
            return None;
        }
        self.base.join(target).ok()
    }

    /// The forms a browser would post without anyone acting: every control hidden (or none at all,
    /// as on Keycloak's "Kerberos Unsupported" page), and either a script that submits, a
    /// `<noscript>` submit button inside, or POST-binding fields.
    pub fn auto_submit_candidates(&self, forms: &[Form]) -> Vec<usize> {
        let script_submits = self.html.select(&BODY).any(|b| {
            b.value()
                .attr("onload")
                .is_some_and(|s| s.to_ascii_lowercase().contains("submit("))
        }) || self.html.select(&SCRIPT).any(|s| {
            let text = s.text().collect::<String>();
            text.contains(".submit()") || text.contains(".requestSubmit(")
        });
        self.form_elements()
            .zip(forms)
            .filter(|(el, form)| {
                let binding = Page::carries_binding(form);
                let noscript_button = el.select(&NOSCRIPT).any(|n| {
                    // Parsed as a browser with script does, a <noscript> holds its markup as text.
                    let inner = n.inner_html().to_ascii_lowercase();
                    !form.buttons.is_empty()
                        || inner.contains("submit")
                        || inner.contains("<button")
                });
                form.is_all_hidden() && (script_submits || binding || noscript_button)
            })
            .map(|(_, form)| form.index)
            .collect()
    }

    /// Whether `form` carries a SAML or WS-Federation POST binding's fields: a hop, posted as it is.
    pub fn carries_binding(form: &Form) -> bool {
        BINDING_FIELDS.iter().any(|n| form.field(n).is_some())
    }

    /// The URL a script passes to `call` (such as `getToContent(`) as a quoted first argument.
    pub fn script_call_target(&self, call: &str) -> Option<Url> {
        self.inline_scripts().find_map(|script| {
            script
                .match_indices(call)
                .find_map(|(at, _)| quoted_at(&script[at + call.len()..]))
                .and_then(|target| self.base.join(&target).ok())
        })
    }

    /// The URL a script sends the browser to by assigning a literal to `location` (`location =`,
    /// `location.href =`, `location.replace(`, `location.assign(`, on `window`, `top` or
    /// `document`). Comparisons (`==`) and computed URLs are not followed.
    pub fn script_redirect(&self) -> Option<Url> {
        self.inline_scripts().find_map(|script| {
            script
                .match_indices("location")
                .filter(|(at, _)| {
                    // `location` as a name of its own, not the end of `allocation`.
                    !script[..*at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                })
                .find_map(|(at, _)| location_target(&script[at + "location".len()..]))
                .and_then(|target| self.base.join(&target).ok())
        })
    }

    /// Whether one of the page's inline scripts contains `marker` (as written).
    pub fn scripts_contain(&self, marker: &str) -> bool {
        !marker.is_empty() && self.inline_scripts().any(|s| s.contains(marker))
    }

    fn inline_scripts(&self) -> impl Iterator<Item = String> + '_ {
        self.html
            .select(&SCRIPT)
            .map(|s| s.text().collect::<String>())
            .filter(|t| !t.trim().is_empty())
    }

    /// An HTTP error answer, worth naming in a hint.
    pub fn is_error_status(&self) -> bool {
        self.status >= 400
    }
}

/// What follows `location` in a script, when it assigns a literal URL: `.href = '…'`, ` = "…"`,
/// `.replace('…')`, `.assign("…")`.
fn location_target(rest: &str) -> Option<String> {
    let rest = rest.trim_start();
    for call in [".replace(", ".assign("] {
        if let Some(arg) = rest.strip_prefix(call) {
            return quoted_at(arg);
        }
    }
    let rest = rest.strip_prefix(".href").unwrap_or(rest).trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    quoted_at(value)
}

/// The string literal at the start of `text` (after blanks), with `\/` and `\'` unescaped; None when
/// `text` does not start with a quote or the literal does not end.
fn quoted_at(text: &str) -> Option<String> {
    let text = text.trim_start();
    let quote = text.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let mut out = String::new();
    let mut chars = text[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            c if c == quote => return Some(out.trim().to_string()).filter(|u| !u.is_empty()),
            '\n' => return None,
            c => out.push(c),
        }
    }
    None
}

/// The text a person sees in `el`: no script, style or template, nothing under a hidden element.
pub(crate) fn visible_text(el: ElementRef<'_>) -> String {
    visible_text_without(el, |_| false)
}

/// [`visible_text`] without the elements below `el` that `skip` names (a close button, an icon).
pub(crate) fn visible_text_without(
    el: ElementRef<'_>,
    skip: impl Fn(ElementRef<'_>) -> bool,
) -> String {
    let mut out = String::new();
    collect_text(el, &skip, &mut out);
    collapse(&out)
}

fn collect_text(el: ElementRef<'_>, skip: &dyn Fn(ElementRef<'_>) -> bool, out: &mut String) {
    if is_hidden_element(el)
        || matches!(
            el.value().name(),
            "script" | "style" | "template" | "noscript"
        )
    {
        return;
    }
    for child in el.children() {
        match child.value() {
            Node::Text(t) => {
                out.push_str(t);
                out.push(' ');
            }
            Node::Element(_) => {
                if let Some(e) = ElementRef::wrap(child).filter(|e| !skip(*e)) {
                    collect_text(e, skip, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
