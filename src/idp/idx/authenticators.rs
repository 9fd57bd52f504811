//! The authenticators an IDX `select-authenticator-authenticate` form offers (or the methods an
//! `authenticator-verification-data` form offers for the one chosen), and which one to take: the
//! password while it has not been given, then the one `saml_mfa_factor` names, else an app's code
//! when one is at hand, else an Okta Verify push, else an app's code typed at the terminal, else a
//! code Okta sends (e-mail, SMS, voice call). FastPass, security keys and the like are for a
//! browser.

use super::document::{Field, IdxDoc};
use serde_json::{Map, Value};

/// Where `authenticator-verification-data` finds the authenticator whose method it asks for.
const CURRENT: &str = "$.currentAuthenticatorEnrollment";
/// The longest masked address or number shown.
const MAX_DESTINATION: usize = 80;

/// How a choice is verified from a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Password,
    /// A TOTP code from Okta Verify or Google Authenticator.
    Code,
    /// A code Okta sends by e-mail, SMS or voice call, then typed like an app's code.
    SentCode,
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
            // No key, or a method named like its authenticator (`password`).
            Some(m) => m.clone(),
            None => self.key.clone(),
        }
    }
}

/// Every (authenticator, method) the `authenticator` field offers: one per option and method on
/// `select-authenticator-authenticate`; on `authenticator-verification-data` (a form, not options)
/// one per method of the authenticator being verified.
pub fn choices(doc: &IdxDoc, field: &Field) -> Vec<Choice> {
    if let Some(form) = &field.form {
        return option_choices(doc, &field.label, Some(CURRENT), &form.value);
    }
    let mut all = Vec::new();
    for option in field.options.iter().flatten() {
        let fields = option.form_fields();
        all.extend(option_choices(
            doc,
            &option.label,
            option.relates_to.as_deref(),
            &fields,
        ));
    }
    all
}

fn option_choices(
    doc: &IdxDoc,
    label: &str,
    relates_to: Option<&str>,
    fields: &[Field],
) -> Vec<Choice> {
    let related = relates_to
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
    for f in fields {
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
    let label = if label.trim().is_empty() {
        related["displayName"].as_str().unwrap_or(&key).to_string()
    } else {
        label.trim().to_string()
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
        (_, _, Some("email" | "sms" | "voice")) | ("okta_email" | "phone_number", _, None) => {
            Method::SentCode
        }
        _ => Method::Unsupported,
    }
}

/// Whether `wanted` (`push`, `totp`, `google`, `okta_verify/totp`, `google_otp`, `email`, `sms`,
/// `voice` or `call`, `phone`) names `choice`. A phone offered without its methods (they are asked
/// for next, on `authenticator-verification-data`) is named by each of them.
pub fn matches(wanted: &str, choice: &Choice) -> bool {
    let wanted = wanted.trim().to_ascii_lowercase();
    let method = choice.method_type.as_deref().unwrap_or("");
    let key = choice.key.to_ascii_lowercase();
    let phone = key == "phone_number";
    wanted == choice.name().to_ascii_lowercase()
        || wanted == key
        || (!method.is_empty() && wanted == method)
        || (wanted == "totp" && choice.method == Method::Code)
        || (wanted == "google" && key == "google_otp")
        || (wanted == "totp/google" && key == "google_otp")
        || (wanted == "totp/okta" && key == "okta_verify" && method == "totp")
        || (wanted == "email" && key == "okta_email")
        || (wanted == "call" && method == "voice")
        || (wanted == "phone" && phone)
        || (phone && method.is_empty() && matches!(wanted.as_str(), "sms" | "voice" | "call"))
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
    Ok(chosen.or_else(|| pick(Method::SentCode)))
}

/// A code Okta has sent: what to call it when asking for it, and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCode {
    /// The prompt's label: `SMS code sent to +1 XXX-XXX-4586`.
    pub label: String,
    /// For the person: `Okta sent a code by SMS to +1 XXX-XXX-4586`.
    pub notice: String,
}

/// What the `currentAuthenticatorEnrollment` of a `challenge-authenticator` (an e-mail or phone
/// authenticator) says about the code Okta sent: by the method chosen (`chosen`, when it is one of
/// the authenticator's), else its first; to the masked address or number Okta gives, made safe to
/// show. None for an authenticator that sends no code.
pub fn sent_code(current: &Value, chosen: Option<&str>) -> Option<SentCode> {
    let key = current["key"].as_str().or(current["type"].as_str())?;
    let methods: Vec<&str> = current["methods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["type"].as_str())
        .collect();
    let method = chosen
        .filter(|c| methods.contains(c))
        .or(methods.first().copied());
    let (profile_key, method) = match key {
        "okta_email" | "email" => ("email", "email"),
        "phone_number" | "phone" => ("phoneNumber", method.unwrap_or("sms")),
        _ => return None,
    };
    let to = current["profile"][profile_key]
        .as_str()
        .map(|t| crate::shown::capped(t, MAX_DESTINATION))
        .filter(|t| !t.is_empty());
    let at = |lead: &str| {
        to.as_ref()
            .map(|t| format!(" {lead} {t}"))
            .unwrap_or_default()
    };
    let (label, notice) = match method {
        "voice" => (
            format!("Code from the call{}", at("to")),
            format!(
                "Okta is calling {} with a code",
                to.as_deref().unwrap_or("your phone")
            ),
        ),
        "email" => (
            format!("Code e-mailed{}", at("to")),
            format!("Okta sent a code by e-mail{}", at("to")),
        ),
        _ => (
            format!("SMS code sent{}", at("to")),
            format!("Okta sent a code by SMS{}", at("to")),
        ),
    };
    Some(SentCode { label, notice })
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

    /// E-mail and phone as Okta lists them (the Sign-In Widget's mocks of Okta's answers): the
    /// e-mail with its one method set, the phone with SMS and voice to pick from and its
    /// enrollment id; beside an Okta Verify offering push and code.
    fn sent_offered() -> (IdxDoc, Field) {
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
              "authenticatorEnrollments": {"type": "array", "value": [
                {"type": "email", "key": "okta_email", "displayName": "Email"},
                {"type": "phone", "key": "phone_number", "displayName": "Phone"},
                {"type": "app", "key": "okta_verify", "displayName": "Okta Verify"}]},
              "remediation": {"type": "array", "value": [{"name": "select-authenticator-authenticate",
                "href": "/idp/idx/challenge", "value": [{"name": "authenticator", "type": "object", "options": [
                  {"label": "Email", "relatesTo": "$.authenticatorEnrollments.value[0]",
                   "value": {"form": {"value": [{"name": "id", "value": "autEM"},
                     {"name": "methodType", "required": false, "value": "email", "mutable": false}]}}},
                  {"label": "Phone", "relatesTo": "$.authenticatorEnrollments.value[1]",
                   "value": {"form": {"value": [{"name": "id", "value": "autPH"},
                     {"name": "methodType", "type": "string", "options": [{"label": "SMS", "value": "sms"},
                       {"label": "Voice call", "value": "voice"}]},
                     {"name": "enrollmentId", "value": "paePH", "mutable": false}]}}},
                  {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[2]",
                   "value": {"form": {"value": [{"name": "id", "value": "autOV"},
                     {"name": "methodType", "options": [{"value": "push"}, {"value": "totp"}]}]}}}]}]}]}}"#,
        )
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        (doc, field)
    }

    #[test]
    fn email_and_each_phone_method_are_sent_code_choices_with_their_post_values() {
        let (doc, field) = sent_offered();
        let all = choices(&doc, &field);
        let names: Vec<String> = all.iter().map(Choice::name).collect();
        assert_eq!(
            names,
            [
                "okta_email/email",
                "phone_number/sms",
                "phone_number/voice",
                "okta_verify/push",
                "okta_verify/totp"
            ]
        );
        let methods: Vec<Method> = all.iter().map(|c| c.method).collect();
        use Method::*;
        assert_eq!(methods, [SentCode, SentCode, SentCode, Push, Code]);
        assert_eq!(all[1].label, "Phone");
        assert_eq!(
            Value::Object(all[2].value.clone()),
            serde_json::json!({"id": "autPH", "enrollmentId": "paePH", "methodType": "voice"})
        );
        assert_eq!(
            Value::Object(all[0].value.clone()),
            serde_json::json!({"id": "autEM", "methodType": "email"})
        );
    }

    #[test]
    fn saml_mfa_factor_names_email_sms_voice_call_or_phone() {
        let (doc, field) = sent_offered();
        let all = choices(&doc, &field);
        let name = |p: &str| choose(&all, true, Some(p), false).unwrap().unwrap().name();
        assert_eq!(name("email"), "okta_email/email");
        assert_eq!(name("okta_email"), "okta_email/email");
        assert_eq!(name("SMS"), "phone_number/sms");
        assert_eq!(name("voice"), "phone_number/voice");
        assert_eq!(name("call"), "phone_number/voice");
        assert_eq!(name("phone"), "phone_number/sms");
        assert_eq!(name("phone_number/voice"), "phone_number/voice");
        // `totp` is an app's code, never one Okta sends.
        assert_eq!(name("totp"), "okta_verify/totp");
        assert!(!matches("totp", &all[1]));
        assert!(!matches("call", &all[1]));
        assert!(!matches("sms", &all[0]));
        assert!(!matches("phone", &all[0]));
    }

    #[test]
    fn a_code_okta_sends_is_taken_only_when_nothing_else_fits() {
        let (doc, field) = sent_offered();
        let all = choices(&doc, &field);
        let name = |c: &[Choice], code| choose(c, true, None, code).unwrap().unwrap().name();
        assert_eq!(name(&all, false), "okta_verify/push");
        assert_eq!(name(&all, true), "okta_verify/totp");
        let sent: Vec<Choice> = all
            .iter()
            .filter(|c| c.method == Method::SentCode)
            .cloned()
            .collect();
        assert_eq!(name(&sent, false), "okta_email/email");
        assert_eq!(name(&sent, true), "okta_email/email");
        assert_eq!(name(&sent[1..], false), "phone_number/sms");
        let no_push: Vec<Choice> = all[..3].iter().chain(&all[4..]).cloned().collect();
        assert_eq!(name(&no_push, false), "okta_verify/totp");
    }

    /// Okta's `authenticator-verification-data` for a phone: the method to send the code by.
    fn verification_data(methods: &str) -> (IdxDoc, Field) {
        let doc = IdxDoc::parse(&format!(
            r#"{{"version": "1.0.0",
              "currentAuthenticatorEnrollment": {{"type": "object", "value": {{
                "type": "phone", "key": "phone_number", "displayName": "Phone",
                "profile": {{"phoneNumber": "+1 XXX-XXX-2342"}}}}}},
              "remediation": {{"type": "array", "value": [{{"name": "authenticator-verification-data",
                "relatesTo": ["$.currentAuthenticatorEnrollment"], "href": "/idp/idx/challenge",
                "value": [{{"name": "authenticator", "label": "Phone Number", "form": {{"value": [
                  {{"name": "id", "required": true, "value": "autPH", "mutable": false}},
                  {{"name": "methodType", "required": true, "options": [{methods}]}},
                  {{"name": "enrollmentId", "value": "paePH", "mutable": false}}]}}}}]}}]}}}}"#
        ))
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        (doc, field)
    }

    #[test]
    fn verification_data_offers_the_methods_of_the_authenticator_being_verified() {
        let (doc, field) = verification_data(
            r#"{"label": "SMS", "value": "sms"}, {"label": "VOICE", "value": "voice"}"#,
        );
        let all = choices(&doc, &field);
        let names: Vec<String> = all.iter().map(Choice::name).collect();
        assert_eq!(names, ["phone_number/sms", "phone_number/voice"]);
        assert_eq!(all[0].label, "Phone Number");
        assert!(all.iter().all(|c| c.method == Method::SentCode));
        let pick = |p| choose(&all, true, p, false).unwrap().unwrap().name();
        assert_eq!(pick(None), "phone_number/sms");
        assert_eq!(pick(Some("voice")), "phone_number/voice");
        assert_eq!(
            Value::Object(all[1].value.clone()),
            serde_json::json!({"id": "autPH", "enrollmentId": "paePH", "methodType": "voice"})
        );
        let (doc, field) = verification_data(r#"{"label": "VOICE", "value": "voice"}"#);
        let only_voice = choices(&doc, &field);
        let pick = |p| choose(&only_voice, true, p, false).unwrap().unwrap().name();
        assert_eq!(pick(Some("phone")), "phone_number/voice");
        assert!(choose(&only_voice, true, Some("sms"), false).is_err());
    }

    #[test]
    fn a_phone_listed_without_its_methods_is_named_by_any_of_them() {
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
              "authenticatorEnrollments": {"type": "array", "value": [
                {"type": "phone", "key": "phone_number", "displayName": "Okta Phone"}]},
              "remediation": {"type": "array", "value": [{"name": "select-authenticator-authenticate",
                "href": "/idp/idx/challenge", "value": [{"name": "authenticator", "options": [
                  {"label": "Okta Phone", "relatesTo": "$.authenticatorEnrollments.value[0]",
                   "value": {"form": {"value": [{"name": "id", "value": "autPH"}]}}}]}]}]}}"#,
        )
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        let all = choices(&doc, &field);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].method, Method::SentCode);
        for wanted in ["sms", "voice", "call", "phone"] {
            assert!(matches(wanted, &all[0]), "{wanted}");
        }
        assert!(!matches("email", &all[0]));
        assert_eq!(
            Value::Object(all[0].value.clone()),
            serde_json::json!({"id": "autPH"})
        );
    }

    #[test]
    fn a_sent_code_says_how_and_where_okta_sent_it() {
        let email = serde_json::json!({"type": "email", "key": "okta_email",
            "methods": [{"type": "email"}], "profile": {"email": "i**a@h***o.net"}});
        let sent = sent_code(&email, None).unwrap();
        assert_eq!(sent.label, "Code e-mailed to i**a@h***o.net");
        assert_eq!(sent.notice, "Okta sent a code by e-mail to i**a@h***o.net");
        let phone = serde_json::json!({"type": "phone", "key": "phone_number",
            "methods": [{"type": "sms"}, {"type": "voice"}],
            "profile": {"phoneNumber": "+1 XXX-XXX-2342"}});
        let sms = sent_code(&phone, None).unwrap();
        assert_eq!(sms.label, "SMS code sent to +1 XXX-XXX-2342");
        assert_eq!(sms.notice, "Okta sent a code by SMS to +1 XXX-XXX-2342");
        let voice = sent_code(&phone, Some("voice")).unwrap();
        assert_eq!(voice.label, "Code from the call to +1 XXX-XXX-2342");
        assert_eq!(voice.notice, "Okta is calling +1 XXX-XXX-2342 with a code");
        // A method the authenticator does not have is not believed.
        assert_eq!(sent_code(&phone, Some("email")).unwrap(), sms);
    }

    #[test]
    fn a_sent_code_without_a_profile_or_with_hostile_text_is_told_safely() {
        let bare = serde_json::json!({"type": "phone", "key": "phone_number",
            "methods": [{"type": "voice"}]});
        let voice = sent_code(&bare, None).unwrap();
        assert_eq!(voice.label, "Code from the call");
        assert_eq!(voice.notice, "Okta is calling your phone with a code");
        let no_methods = serde_json::json!({"type": "email"});
        let email = sent_code(&no_methods, None).unwrap();
        assert_eq!(email.notice, "Okta sent a code by e-mail");
        let hostile = serde_json::json!({"key": "okta_email",
            "profile": {"email": format!("a\u{1b}]52;c;x\u{7}b\n{}", "x".repeat(200))}});
        let told = sent_code(&hostile, None).unwrap();
        assert!(
            !told.notice.contains('\u{1b}') && !told.notice.contains('\n'),
            "{}",
            told.notice
        );
        assert!(told.notice.contains("\\x1b"), "{}", told.notice);
        assert!(told.label.chars().count() < 110, "{}", told.label);
        let app = serde_json::json!({"type": "app", "key": "okta_verify"});
        assert!(sent_code(&app, None).is_none());
        assert!(sent_code(&Value::Null, None).is_none());
    }

    /// Okta's password among the authenticators (an identifier-first sign-in, or a password Okta
    /// asks for after another factor): taken first while not given, never once it was.
    #[test]
    fn the_password_is_chosen_first_until_it_was_given() {
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
              "authenticatorEnrollments": {"type": "array", "value": [
                {"type": "app", "key": "okta_verify", "displayName": "Okta Verify"},
                {"type": "password", "key": "okta_password", "displayName": "Password"},
                {"type": "password", "displayName": "Legacy password"}]},
              "remediation": {"type": "array", "value": [{"name": "select-authenticator-authenticate",
                "href": "/idp/idx/challenge", "value": [{"name": "authenticator", "options": [
                  {"label": "Okta Verify", "relatesTo": "$.authenticatorEnrollments.value[0]",
                   "value": {"form": {"value": [{"name": "id", "value": "autOV"},
                     {"name": "methodType", "value": "push"}]}}},
                  {"label": "Password", "relatesTo": "$.authenticatorEnrollments.value[1]",
                   "value": {"form": {"value": [{"name": "id", "value": "autPW"}]}}},
                  {"label": "Legacy", "relatesTo": "$.authenticatorEnrollments.value[2]",
                   "value": {"form": {"value": [{"name": "id", "value": "autLP"}]}}},
                  {"label": "Other", "value": {"form": {"value": [{"name": "id", "value": "autX"},
                     {"name": "methodType", "value": "password"}]}}}]}]}]}}"#,
        )
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        let all = choices(&doc, &field);
        let methods: Vec<Method> = all.iter().map(|c| c.method).collect();
        use Method::*;
        assert_eq!(methods, [Push, Password, Password, Password]);
        let first = choose(&all, false, Some("push"), true).unwrap().unwrap();
        assert_eq!(first.name(), "okta_password");
        let then = choose(&all, true, None, true).unwrap().unwrap();
        assert_eq!(then.name(), "okta_verify/push");
        // An option that relates to nothing is named by its method.
        assert_eq!(all[3].name(), "password");
        assert!(all[3].key.is_empty());
    }

    #[test]
    fn aliases_name_google_authenticator_okta_verify_codes_and_an_email_without_its_method() {
        let (doc, field) = offered();
        let all = choices(&doc, &field);
        let name = |p: &str| choose(&all, true, Some(p), false).unwrap().unwrap().name();
        assert_eq!(name("totp/google"), "google_otp");
        assert_eq!(name("TOTP/Okta"), "okta_verify/totp");
        assert!(!matches("totp/google", &all[2]));
        assert!(!matches("totp/okta", &all[3]));
        assert!(!matches("totp/okta", &all[1]));
        assert!(!matches("google", &all[2]));
        let doc = IdxDoc::parse(
            r#"{"version": "1.0.0",
              "authenticatorEnrollments": {"type": "array", "value": [
                {"type": "email", "key": "okta_email", "displayName": "Email"}]},
              "remediation": {"type": "array", "value": [{"name": "select-authenticator-authenticate",
                "href": "/idp/idx/challenge", "value": [{"name": "authenticator", "options": [
                  {"label": "Email", "relatesTo": "$.authenticatorEnrollments.value[0]",
                   "value": {"form": {"value": [{"name": "id", "value": "autEM"}]}}}]}]}]}}"#,
        )
        .unwrap();
        let field = doc.remediations()[0].value[0].clone();
        let email = choices(&doc, &field);
        assert_eq!(email[0].method, Method::SentCode);
        assert!(matches("email", &email[0]));
        assert!(!matches("sms", &email[0]));
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
