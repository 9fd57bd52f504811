//! The authenticators an IDX `select-authenticator-authenticate` form offers, and which one to take:
//! the password while it has not been given, then the one `saml_mfa_factor` names, else a code
//! when one is at hand, else an Okta Verify push, else a code typed at the terminal. FastPass,
//! security keys and the like are for a browser.

use super::document::{Field, FieldOption, IdxDoc};
use serde_json::{Map, Value};

/// How a choice is verified from a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Password,
    /// A TOTP code from Okta Verify or Google Authenticator.
    Code,
    /// Okta Verify push (with or without the number challenge).
    Push,
    Unsupported,
}

/// One authenticator and one of its methods, as the form would be posted.
#[derive(Debug, Clone)]
pub struct Choice {
    /// `okta_verify`, `google_otp`, `okta_password`, `webauthn`... (or the type when no key).
    pub key: String,
    /// `push`, `totp`, `signed_nonce`..., when the authenticator names one.
    pub method_type: Option<String>,
    pub label: String,
    pub method: Method,
    /// The option's fields with the method chosen: the `authenticator` value to post.
    pub value: Map<String, Value>,
}

impl Choice {
    /// `okta_verify/push`, `google_otp`: what messages and `saml_mfa_factor` call it.
    pub fn name(&self) -> String {
        match &self.method_type {
            Some(m) if !self.key.is_empty() && *m != self.key => format!("{}/{m}", self.key),
            Some(m) if self.key.is_empty() => m.clone(),
            _ => self.key.clone(),
        }
    }
}

/// Every (authenticator, method) the `authenticator` field offers.
pub fn choices(doc: &IdxDoc, field: &Field) -> Vec<Choice> {
    let mut all = Vec::new();
    for option in field.options.iter().flatten() {
        all.extend(option_choices(doc, option));
    }
    all
}

fn option_choices(doc: &IdxDoc, option: &FieldOption) -> Vec<Choice> {
    let related = option
        .relates_to
        .as_deref()
        .and_then(|p| doc.related(p))
        .cloned()
        .unwrap_or(Value::Null);
    let key = related["key"]
        .as_str()
        .or(related["type"].as_str())
        .unwrap_or("")
        .to_string();
    let mut base = Map::new();
    let mut methods: Vec<String> = Vec::new();
    for f in option.form_fields() {
        if f.name == "methodType" {
            match (&f.value, &f.options) {
                (Some(Value::String(m)), _) => methods.push(m.clone()),
                (_, Some(options)) => methods.extend(
                    options
                        .iter()
                        .filter_map(|o| o.value.as_str().map(str::to_string)),
                ),
                _ => {}
            }
        } else if let Some(v) = &f.value {
            base.insert(f.name.clone(), v.clone());
        }
    }
    let label = if option.label.trim().is_empty() {
        related["displayName"].as_str().unwrap_or(&key).to_string()
    } else {
        option.label.trim().to_string()
    };
    let one = |method_type: Option<String>| {
        let mut value = base.clone();
        if let Some(m) = &method_type {
            value.insert("methodType".into(), Value::String(m.clone()));
        }
        Choice {
            method: classify(&key, &related, method_type.as_deref()),
            key: key.clone(),
            method_type,
            label: label.clone(),
            value,
        }
    };
    if methods.is_empty() {
        vec![one(None)]
    } else {
        methods.into_iter().map(|m| one(Some(m))).collect()
    }
}

fn classify(key: &str, related: &Value, method_type: Option<&str>) -> Method {
    let kind = related["type"].as_str().unwrap_or("");
    match (key, kind, method_type) {
        (_, _, Some("password")) | ("okta_password", _, _) | (_, "password", None) => {
            Method::Password
        }
        (_, _, Some("push")) => Method::Push,
        (_, _, Some("totp" | "otp")) | ("google_otp", _, None) => Method::Code,
        _ => Method::Unsupported,
    }
}

/// Whether `wanted` (`push`, `totp`, `google`, `okta_verify/totp`, `google_otp`) names `choice`.
pub fn matches(wanted: &str, choice: &Choice) -> bool {
    let wanted = wanted.trim().to_ascii_lowercase();
    let method = choice.method_type.as_deref().unwrap_or("");
    let key = choice.key.to_ascii_lowercase();
    wanted == choice.name().to_ascii_lowercase()
        || wanted == key
        || (!method.is_empty() && wanted == method)
        || (wanted == "totp" && choice.method == Method::Code)
        || (wanted == "google" && key == "google_otp")
        || (wanted == "totp/google" && key == "google_otp")
        || (wanted == "totp/okta" && key == "okta_verify" && method == "totp")
}

/// The choice to take; None when nothing offered can be done from a terminal.
pub fn choose<'c>(
    choices: &'c [Choice],
    password_given: bool,
    preferred: Option<&str>,
    code_at_hand: bool,
) -> Result<Option<&'c Choice>, String> {
    let pick = |m: Method| choices.iter().find(|c| c.method == m);
    if !password_given && let Some(c) = pick(Method::Password) {
        return Ok(Some(c));
    }
    let usable: Vec<&Choice> = choices
        .iter()
        .filter(|c| !matches!(c.method, Method::Password | Method::Unsupported))
        .collect();
    if let Some(wanted) = preferred {
        return match choices.iter().find(|c| matches(wanted, c)) {
            Some(c) if c.method != Method::Unsupported => Ok(Some(c)),
            _ => Err(format!(
                "saml_mfa_factor = {wanted}: Okta offers no such authenticator samlbridge can \
                 use; pick one of: {}",
                names(&usable)
            )),
        };
    }
    let chosen = if code_at_hand {
        pick(Method::Code).or_else(|| pick(Method::Push))
    } else {
        pick(Method::Push).or_else(|| pick(Method::Code))
    };
    Ok(chosen)
}

pub fn names(choices: &[&Choice]) -> String {
    if choices.is_empty() {
        return "none".into();
    }
    choices
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Okta Verify (FastPass, push, code), Google Authenticator, a security key: as the widget's
    /// `select-authenticator-authenticate` lists them.
    fn offered() -> (IdxDoc, Field) {
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
              "authenticatorEnrollments": {"type": "array", "value": [
                {"type": "app", "key": "okta_verify", "displayName": "Okta Verify"},
                {"type": "app", "key": "google_otp", "displayName": "Google Authenticator"},
                {"type": "security_key", "key": "webauthn", "displayName": "Security Key"}]},
              "remediation": {"type": "array", "value": [{"name": "select-authenticator-authenticate",
                "href": "/idp/idx/challenge", "value": [{"name": "authenticator", "type": "object", "options": [
                  {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[0]",
                   "value": {"form": {"value": [{"name": "id", "value": "autOV"},
                     {"name": "methodType", "options": [{"value": "signed_nonce", "label": "Use Okta FastPass"},
                       {"value": "push", "label": "Get a push notification"},
                       {"value": "totp", "label": "Enter a code"}]}]}}},
                  {"label": "Google Authenticator", "relatesTo": "$.authenticatorEnrollments.value[1]",
                   "value": {"form": {"value": [{"name": "id", "value": "autGA"}]}}},
                  {"label": "Security Key or Biometric", "relatesTo": "$.authenticatorEnrollments.value[2]",
                   "value": {"form": {"value": [{"name": "id", "value": "autWA"},
                     {"name": "methodType", "value": "webauthn"}]}}}]},
                {"name": "stateHandle", "value": "02x"}]}]}}"#,
        )
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        (doc, field)
    }

    #[test]
    fn each_method_of_each_authenticator_is_a_choice_with_its_post_value() {
        let (doc, field) = offered();
        let all = choices(&doc, &field);
        let names: Vec<String> = all.iter().map(Choice::name).collect();
        assert_eq!(
            names,
            [
                "okta_verify/signed_nonce",
                "okta_verify/push",
                "okta_verify/totp",
                "google_otp",
                "webauthn"
            ]
        );
        let methods: Vec<Method> = all.iter().map(|c| c.method).collect();
        use Method::*;
        assert_eq!(methods, [Unsupported, Push, Code, Code, Unsupported]);
        assert_eq!(
            Value::Object(all[1].value.clone()),
            serde_json::json!({"id": "autOV", "methodType": "push"})
        );
        assert_eq!(
            Value::Object(all[3].value.clone()),
            serde_json::json!({"id": "autGA"})
        );
    }

    #[test]
    fn a_code_at_hand_takes_a_code_else_push_and_saml_mfa_factor_wins() {
        let (doc, field) = offered();
        let all = choices(&doc, &field);
        let name = |p: Option<&str>, code| choose(&all, true, p, code).unwrap().unwrap().name();
        assert_eq!(name(None, true), "okta_verify/totp");
        assert_eq!(name(None, false), "okta_verify/push");
        assert_eq!(name(Some("google"), false), "google_otp");
        assert_eq!(name(Some("push"), true), "okta_verify/push");
        let err = choose(&all, true, Some("webauthn"), false).unwrap_err();
        assert!(
            err.contains("okta_verify/push, okta_verify/totp, google_otp"),
            "{err}"
        );
    }

    #[test]
    fn only_fastpass_or_a_security_key_leaves_nothing_to_choose() {
        let (doc, field) = offered();
        let all: Vec<Choice> = choices(&doc, &field)
            .into_iter()
            .filter(|c| c.method == Method::Unsupported)
            .collect();
        assert!(choose(&all, true, None, true).unwrap().is_none());
    }
}
