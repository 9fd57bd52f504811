//! The documents Okta's IDX API answers with, as the Sign-In Widget reads them: a `stateHandle`,
//! the `remediation` forms that say what may be posted next (each with its `href`, `method` and
//! `value[]` fields), the `messages` Okta shows, the `currentAuthenticator` being verified, and at
//! the end a `success` link.

use crate::secret::Secret;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One IDX response (`application/ion+json; okta-version=1.0.0`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdxDoc {
    #[serde(default, deserialize_with = "secret")]
    pub state_handle: Option<Secret>,
    #[serde(default)]
    pub remediation: Option<Collection<Remediation>>,
    #[serde(default)]
    pub messages: Option<Collection<Message>>,
    pub success: Option<Success>,
    /// The whole document, for `relatesTo` paths (`$.authenticatorEnrollments.value[0]`) and the
    /// authenticator being verified.
    #[serde(skip)]
    pub raw: Value,
}

/// Okta's `{"type": "array", "value": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection { value: Vec::new() }
    }
}

/// A form Okta offers: what to post where to take the next step.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Remediation {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub href: String,
    #[serde(default)]
    pub method: Option<String>,
    /// Polls: how long to wait before the next one, in milliseconds.
    pub refresh: Option<u64>,
    #[serde(default)]
    pub value: Vec<Field>,
}

/// A field of a form: a plain value, a nested form (`credentials`), or options (`authenticator`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub label: String,
    pub value: Option<Value>,
    pub form: Option<Form>,
    pub options: Option<Vec<FieldOption>>,
    #[serde(default)]
    pub required: bool,
    pub messages: Option<Collection<Message>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Form {
    #[serde(default)]
    pub value: Vec<Field>,
}

/// One choice of an options field: a scalar, or a form whose fields are the choice's value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOption {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub value: Value,
    pub relates_to: Option<String>,
}

impl FieldOption {
    /// The nested form's fields (`id`, `methodType`), if the choice is a form.
    pub fn form_fields(&self) -> Vec<Field> {
        self.value
            .get("form")
            .and_then(|f| serde_json::from_value::<Form>(f.clone()).ok())
            .map(|f| f.value)
            .unwrap_or_default()
    }
}

/// What Okta tells the person (`class` ERROR, INFO...).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub class: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Success {
    #[serde(default)]
    pub href: String,
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::from))
}

impl IdxDoc {
    pub fn parse(body: &str) -> Result<IdxDoc, serde_json::Error> {
        let raw: Value = serde_json::from_str(body)?;
        let mut doc: IdxDoc = serde_json::from_value(raw.clone())?;
        doc.raw = raw;
        Ok(doc)
    }

    /// Whether the body is an IDX document at all (Okta's error answers are, with messages).
    pub fn looks_like_idx(&self) -> bool {
        self.raw.get("version").is_some()
            || self.remediation.is_some()
            || self.messages.is_some()
            || self.success.is_some()
    }

    pub fn remediations(&self) -> &[Remediation] {
        self.remediation.as_ref().map_or(&[], |r| &r.value)
    }

    pub fn remediation(&self, name: &str) -> Option<&Remediation> {
        self.remediations().iter().find(|r| r.name == name)
    }

    /// Okta's ERROR messages: the document's own, then those on the fields of its forms (a wrong
    /// code is told on the passcode field).
    pub fn errors(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(messages) = &self.messages {
            collect(&messages.value, &mut found);
        }
        for remediation in self.remediations() {
            field_errors(&remediation.value, &mut found);
        }
        found.dedup();
        found
    }

    /// The object a `relatesTo` path names (`$.authenticatorEnrollments.value[0]`).
    pub fn related(&self, path: &str) -> Option<&Value> {
        let rest = path.strip_prefix('$')?;
        let pointer: String = rest
            .replace('[', ".")
            .replace(']', "")
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| format!("/{p}"))
            .collect();
        let found = self.raw.pointer(&pointer)?;
        // `$.currentAuthenticator` names the wrapper; its object is `value`.
        Some(
            found
                .get("value")
                .filter(|v| v.is_object())
                .unwrap_or(found),
        )
    }

    /// The authenticator being verified: `currentAuthenticatorEnrollment`, else
    /// `currentAuthenticator`.
    pub fn current_authenticator(&self) -> Option<&Value> {
        ["currentAuthenticatorEnrollment", "currentAuthenticator"]
            .iter()
            .find_map(|k| self.raw.get(k)?.get("value"))
    }

    /// Okta Verify's number challenge: the number the person must pick on the phone.
    pub fn correct_answer(&self) -> Option<String> {
        let answer = self
            .current_authenticator()?
            .pointer("/contextualData/correctAnswer")?;
        match answer {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        }
    }
}

fn collect(messages: &[Message], found: &mut Vec<String>) {
    for m in messages {
        if m.class.eq_ignore_ascii_case("ERROR") && !m.message.trim().is_empty() {
            found.push(m.message.trim().to_string());
        }
    }
}

fn field_errors(fields: &[Field], found: &mut Vec<String>) {
    for field in fields {
        if let Some(messages) = &field.messages {
            collect(&messages.value, found);
        }
        if let Some(form) = &field.form {
            field_errors(&form.value, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLL: &str = r#"{
      "version": "1.0.0", "stateHandle": "02abc",
      "remediation": {"type": "array", "value": [
        {"rel": ["create-form"], "name": "challenge-poll", "relatesTo": ["$.currentAuthenticator"],
         "href": "https://org.okta.com/idp/idx/authenticators/poll", "method": "POST", "refresh": 4000,
         "value": [{"name": "stateHandle", "required": true, "value": "02abc", "visible": false}]}
      ]},
      "currentAuthenticator": {"type": "object", "value": {"type": "app", "key": "okta_verify",
        "contextualData": {"correctAnswer": 42}, "methods": [{"type": "push"}]}},
      "authenticatorEnrollments": {"type": "array", "value": [{"type": "app", "key": "okta_verify"}]}
    }"#;

    #[test]
    fn a_poll_document_gives_its_form_pace_and_number() {
        let doc = IdxDoc::parse(POLL).unwrap();
        assert!(doc.looks_like_idx());
        let poll = doc.remediation("challenge-poll").unwrap();
        assert_eq!(poll.refresh, Some(4000));
        assert_eq!(poll.value[0].name, "stateHandle");
        assert_eq!(doc.correct_answer().as_deref(), Some("42"));
        assert_eq!(doc.state_handle.as_ref().map(|s| s.expose()), Some("02abc"));
        let related = doc.related("$.authenticatorEnrollments.value[0]").unwrap();
        assert_eq!(related["key"], "okta_verify");
        assert_eq!(
            doc.related("$.currentAuthenticator").unwrap()["type"],
            "app"
        );
    }

    #[test]
    fn errors_are_read_from_the_document_and_from_form_fields() {
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
                "messages": {"type": "array", "value": [
                  {"message": "Sent.", "class": "INFO"},
                  {"message": "Password is incorrect", "class": "ERROR"}]},
                "remediation": {"type": "array", "value": [{"name": "challenge-authenticator",
                  "href": "/idp/idx/challenge/answer", "value": [{"name": "credentials", "form": {
                  "value": [{"name": "passcode", "messages": {"type": "array", "value": [
                    {"message": "Invalid code. Try again.", "class": "ERROR"}]}}]}}]}]}}"#,
        )
        .unwrap();
        assert_eq!(
            doc.errors(),
            vec!["Password is incorrect", "Invalid code. Try again."]
        );
    }
}
