//! Pages that offer several ways to verify: AD FS's "choose an authentication method" list (each
//! adapter an element whose script sets `AuthMethod`, or an ASP.NET `__doPostBack`), and a code
//! form with a method `<select>` (F5 APM: push or token). Which one to take is decided here too,
//! from `saml_mfa_factor` and whether a code is at hand, so that it can be tested without a page.

use super::{PageKind, preferred};
use crate::idp::form::{Field, Form, is_hidden_element};
use crate::idp::page::{Page, visible_text};
use crate::idp::provider::ChooseStep;
use scraper::ElementRef;

/// One way to verify that a page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What is posted for it.
    pub value: String,
    /// What a person reads.
    pub label: String,
    /// The field it is posted in, when its script says (`__EVENTTARGET` for `__doPostBack`).
    pub field: Option<String>,
    /// The second argument of its script call (`__EVENTARGUMENT`).
    pub argument: Option<String>,
}

/// What answering a choice takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A one-time code (app, token, SecurID, OATH...).
    Code,
    /// An approval on a phone (push notification, phone call): the engine waits.
    Push,
    /// A code sent by text message or e-mail.
    Sent,
    /// Only a browser can do it (Duo's frame, certificates, security keys, Windows Hello).
    Browser,
    /// The page does not say.
    Unknown,
}

const BROWSER_WORDS: [&str; 14] = [
    "duo",
    "certificate",
    "cert",
    "webauthn",
    "fido",
    "passkey",
    "security key",
    "securitykey",
    "hello",
    "passport",
    "smartcard",
    "smart card",
    "kerberos",
    "windowsauthentication",
];
/// Words of an approval on a phone, whatever else the label says.
const PUSH_WORDS: [&str; 4] = ["push", "notif", "approv", "swipe"];
/// Words of a phone that answers, when the label does not speak of a code.
const PHONE_WORDS: [&str; 6] = [
    "call",
    "voice",
    "phone",
    "azuremfaserver",
    "azuremfaauthentication",
    "mobile app",
];
const CODE_WORDS: [&str; 12] = [
    "code",
    "otp",
    "oath",
    "token",
    "securid",
    "passcode",
    "vip",
    "verification",
    "one-time",
    "totp",
    "hotp",
    "authenticator",
];
const SENT_WORDS: [&str; 5] = ["sms", "text message", "email", "e-mail", "mail"];
/// Duo's own factors as its prompt names them: "Duo Push" is a push, "Duo Mobile passcode" a code
/// from the app; only "Duo" otherwise (an IdP's method that hands over to Duo) needs a browser.
const DUO_FACTOR_WORDS: [(&str, &str); 2] = [("duo push", "push"), ("duo mobile", "mobile app")];
/// `saml_mfa_factor` values that ask for a one-time code.
const CODE_FACTORS: [&str; 9] = [
    "code",
    "passcode",
    "totp",
    "hotp",
    "token",
    "otp",
    "token:software:totp",
    "token:hardware",
    "totp/google",
];

impl Choice {
    /// The label as it may be shown: it is the page's text.
    pub fn shown_label(&self) -> String {
        crate::shown::capped(&self.label, 80)
    }

    fn words(&self) -> String {
        let words = format!("{} {}", self.value, self.label).to_lowercase();
        DUO_FACTOR_WORDS
            .iter()
            .fold(words, |w, (duo, plain)| w.replace(duo, plain))
    }

    /// What answering this choice takes, by the words of its value and label.
    pub fn answer(&self) -> Answer {
        let words = self.words();
        let has = |list: &[&str]| list.iter().any(|w| words.contains(w));
        if has(&BROWSER_WORDS) {
            Answer::Browser
        } else if has(&SENT_WORDS) {
            Answer::Sent
        } else if has(&PUSH_WORDS) {
            Answer::Push
        } else if has(&CODE_WORDS) {
            Answer::Code
        } else if has(&PHONE_WORDS) {
            Answer::Push
        } else {
            Answer::Unknown
        }
    }
}

/// The choice to take: the one `factor` names (`saml_mfa_factor`: its words in the value or label,
/// or its kind: push, call, totp, token, sms, email...), else a code factor when a code is at hand,
/// else one the phone answers, else a code, else any a browser is not needed for. `tried` choices
/// are not taken again.
pub fn pick(
    choices: &[Choice],
    factor: Option<&str>,
    has_code: bool,
    tried: &[String],
) -> Option<usize> {
    let open = |i: &usize| !tried.contains(&choices[*i].value);
    let first = |want: &dyn Fn(&Choice) -> bool| {
        (0..choices.len()).filter(open).find(|i| want(&choices[*i]))
    };
    if let Some(factor) = factor.map(|f| f.split('/').next().unwrap_or(f).trim().to_lowercase())
        && !factor.is_empty()
    {
        let words_of = |c: &Choice, list: &[&str]| list.iter().any(|w| c.words().contains(w));
        let of_kind = |c: &Choice| match factor.as_str() {
            "push" => c.answer() == Answer::Push,
            "call" | "phone" | "voice" => words_of(c, &["call", "phone", "voice"]),
            "sms" | "text" => words_of(c, &["sms", "text"]),
            "email" | "mail" => words_of(c, &["mail"]),
            "totp"
            | "hotp"
            | "token"
            | "otp"
            | "code"
            | "token:software:totp"
            | "token:hardware" => c.answer() == Answer::Code,
            _ => false,
        };
        let named = first(&|c| c.words().contains(&factor));
        let by_kind = first(&of_kind);
        if let Some(i) = named.or(by_kind) {
            return Some(i);
        }
    }
    let of = |k: Answer| first(&|c| c.answer() == k);
    let order = if has_code {
        [Answer::Code, Answer::Push, Answer::Unknown, Answer::Sent]
    } else {
        [Answer::Push, Answer::Code, Answer::Unknown, Answer::Sent]
    };
    order.into_iter().find_map(of)
}

/// Whether a one-time code is wanted rather than an approval: `saml_mfa_factor` names a code
/// factor, or names none (or only Duo's prompt itself) while a code is at hand without asking
/// (--mfa-code, an MFA command: given on purpose).
pub fn wants_code(factor: Option<&str>, has_code: bool) -> bool {
    let factor = factor
        .map(|f| f.trim().to_lowercase())
        .filter(|f| !f.is_empty() && f != "duo");
    match factor {
        Some(f) => CODE_FACTORS.contains(&f.as_str()) || f.starts_with("totp/"),
        None => has_code,
    }
}

/// The page offers several ways to verify as the provider's `[[choose]]` rule describes them.
pub fn find_choose(page: &Page, forms: &[Form], rules: &[ChooseStep]) -> Option<PageKind> {
    rules.iter().enumerate().find_map(|(index, rule)| {
        let matched = super::find::matches(page, &rule.selectors, &rule.texts);
        if !matched {
            return None;
        }
        let all: Vec<&Form> = forms.iter().collect();
        // A list of tiles a script answers (Entra's "Verify your identity") has no form.
        let form = preferred(page, &all, rule.form.as_ref()).into_iter().next();
        let choices = dedup(
            rule.options
                .iter()
                .flat_map(|sel| page.select(sel.selector()).filter_map(choice_of))
                .collect(),
        );
        if choices.is_empty() {
            return None;
        }
        let field = rule
            .field
            .iter()
            .find(|n| {
                form.is_some_and(|form| form.fields.iter().any(|f| f.name.eq_ignore_ascii_case(n)))
            })
            .or(rule.field.first())
            .cloned()
            .unwrap_or_default();
        Some(PageKind::Choose {
            form: form.map(|f| f.index),
            rule: index,
            field,
            choices,
        })
    })
}

/// An option element as a choice: the first quoted argument of its script (`onclick`, or a
/// `javascript:` link), else its `data-value`, `value` or `id`; its label is what it shows. Only
/// what a person can press is a choice.
fn choice_of(el: ElementRef<'_>) -> Option<Choice> {
    if !pressable(el) {
        return None;
    }
    let v = el.value();
    let script = v.attr("onclick").or_else(|| {
        v.attr("href").filter(|h| {
            h.trim_start()
                .to_ascii_lowercase()
                .starts_with("javascript:")
        })
    });
    let call = script
        .and_then(script_call)
        .filter(|(_, args)| !args.is_empty());
    let (value, field, argument) = match call {
        Some((name, mut args)) => {
            let postback = name.ends_with("__doPostBack");
            let argument = (args.len() > 1).then(|| args.remove(1));
            (
                args.swap_remove(0),
                postback.then(|| "__EVENTTARGET".to_string()),
                argument.filter(|a| !a.is_empty()),
            )
        }
        // An option whose script reads the element (`selectOption(this)`) is named by it.
        None if script.is_none_or(|s| s.contains("(this")) => {
            let value = v
                .attr("data-value")
                .or_else(|| v.attr("value"))
                .or_else(|| v.id())?;
            (value.trim().to_string(), None, None)
        }
        None => return None,
    };
    if value.is_empty() {
        return None;
    }
    let label = [
        Some(visible_text(el)),
        v.attr("aria-label").map(str::to_string),
        v.attr("title").map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .map(|t| t.trim().to_string())
    .find(|t| !t.is_empty())
    .unwrap_or_else(|| value.clone());
    Some(Choice {
        value,
        label,
        field,
        argument,
    })
}

/// Whether a person can press `el`: shown, and not a hidden input, a script or a form (an AD FS
/// adapter page's `form#options` holds only its hidden `AuthMethod`: no choice at all; issue 18,
/// section 7).
fn pressable(el: ElementRef<'_>) -> bool {
    let v = el.value();
    let hidden_input = v.name() == "input"
        && v.attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden"));
    let not_a_control = matches!(
        v.name(),
        "form" | "script" | "style" | "template" | "noscript" | "head" | "meta" | "link"
    );
    let concealed = std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(is_hidden_element);
    !hidden_input && !not_a_control && !concealed
}

/// The first call in `script` that has quoted arguments: its name and those arguments
/// (`return SelectOption('AzureMfaAuthentication');`, `__doPostBack('ctl00$Mfa','')`).
fn script_call(script: &str) -> Option<(String, Vec<String>)> {
    script.match_indices('(').find_map(|(at, _)| {
        let name: String = script[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let mut rest = &script[at + 1..];
        let mut args = Vec::new();
        while let Some((arg, after)) = quoted_prefix(rest) {
            args.push(arg);
            rest = after.trim_start();
            match rest.strip_prefix(',') {
                Some(more) => rest = more,
                None => break,
            }
        }
        (!name.is_empty() && !args.is_empty()).then_some((name, args))
    })
}

/// The string literal at the start of `text` (after blanks) and what follows it.
fn quoted_prefix(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let quote = text.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let end = text[1..].find(quote)? + 1;
    Some((text[1..end].to_string(), &text[end + 1..]))
}

fn dedup(choices: Vec<Choice>) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    for c in choices {
        if !out.iter().any(|o| o.value == c.value) {
            out.push(c);
        }
    }
    out
}

/// A method chooser on a code form: a visible `<select>` (F5 APM's `mfamethod`) or group of radio
/// buttons whose options include a code method or a push method; its name and choices.
pub fn method_select(form: &Form) -> Option<(&Field, Vec<Choice>)> {
    let as_choice = |value: &str, label: &str| Choice {
        value: value.to_string(),
        label: label.to_string(),
        field: None,
        argument: None,
    };
    let mut selects = form
        .fields
        .iter()
        .filter(|f| f.kind == "select" && f.visible)
        .map(|f| {
            let choices = f.options.iter().map(|o| as_choice(&o.value, &o.text));
            (f, choices.collect::<Vec<_>>())
        });
    let radios = form
        .fields
        .iter()
        .filter(|f| f.kind == "radio" && f.visible)
        .map(|first| {
            let group = form
                .fields
                .iter()
                .filter(|f| f.kind == "radio" && f.visible && f.name == first.name);
            let choices = group.map(|f| as_choice(&f.value, f.label.as_deref().unwrap_or("")));
            (first, choices.collect::<Vec<_>>())
        });
    let methods = |choices: &[Choice]| {
        choices.len() >= 2
            && choices
                .iter()
                .any(|c| matches!(c.answer(), Answer::Code | Answer::Push))
    };
    // Radio buttons also pick among OTP devices (Keycloak), whose names may speak of a phone: a
    // group is a method chooser only when it offers a push by that word and a code.
    let push_and_code = |choices: &[Choice]| {
        let words = |c: &Choice| c.words();
        choices
            .iter()
            .any(|c| PUSH_WORDS.iter().any(|w| words(c).contains(w)))
            && choices.iter().any(|c| c.answer() == Answer::Code)
    };
    selects
        .find(|(_, choices)| methods(choices))
        .or_else(|| radios.into_iter().find(|(_, c)| push_and_code(c)))
}

#[cfg(test)]
mod tests;
