//! What Duo's prompt offers (the user's phones and the factors each takes) and which factor
//! samlbridge uses: `saml_mfa_factor` when set, else Duo Push to a push-capable phone, else a
//! passcode. Both prompts (the frame's JSON data, the single-page prompt's factor list) are read
//! into one [`PromptData`], so one chooser serves both.

use crate::idp::{IdpError, LoginAnswers};
use serde::Deserialize;

/// Duo's factor names, as its frame prompt posts them.
pub const PUSH: &str = "Duo Push";
pub const PASSCODE: &str = "Passcode";
pub const CALL: &str = "Phone Call";
/// What the frame prompt posts to have passcodes sent by text message.
pub const SMS: &str = "sms";
/// How `auth_method_order` names the text-message factor.
const SMS_LISTED: &str = "SMS Passcode";

/// `{"stat": "OK", "response": {...}}`, or `{"stat": "FAIL", "message": ...}`.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub stat: String,
    pub response: Option<T>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PromptData {
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub auth_method_order: Vec<Method>,
    pub preferred_device: Option<String>,
    /// Duo offers to remember this browser ("Remember me", trusted sessions).
    #[serde(default)]
    pub remember_me_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Phone {
    pub key: String,
    /// `phone1`, `phone2`…: what the frame prompt posts as `device`.
    pub index: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub end_of_number: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Method {
    pub factor: String,
    #[serde(rename = "deviceKey")]
    pub device_key: Option<String>,
}

/// How a phone is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Push,
    Call,
    Sms,
}

impl Reach {
    /// The factor's name in `auth_method_order`.
    fn listed(self) -> &'static str {
        match self {
            Reach::Push => PUSH,
            Reach::Call => CALL,
            Reach::Sms => SMS_LISTED,
        }
    }

    fn said(self) -> &'static str {
        match self {
            Reach::Push => "push to",
            Reach::Call => "phone call to",
            Reach::Sms => "text message to",
        }
    }
}

/// The factor to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// A push, a call, or passcodes by text message, to this phone.
    Phone(Reach, Phone),
    Passcode,
}

impl Chosen {
    /// The factor's name as the frame prompt posts it at its exit.
    pub fn factor(&self) -> &'static str {
        match self {
            Chosen::Phone(Reach::Push, _) => PUSH,
            Chosen::Phone(Reach::Call, _) => CALL,
            // The passcode the text message brought is what signs in.
            Chosen::Phone(Reach::Sms, _) | Chosen::Passcode => PASSCODE,
        }
    }
}

impl Phone {
    /// Whether `device` (`saml_duo_device`) names this phone: its name, its last digits, or its
    /// index (`phone2`).
    pub fn is_named(&self, device: &str) -> bool {
        let digits: String = device.chars().filter(char::is_ascii_digit).collect();
        self.name.eq_ignore_ascii_case(device)
            || self.index.eq_ignore_ascii_case(device)
            || self.key == device
            || (!self.end_of_number.is_empty()
                && digits.len() == device.len()
                && self.end_of_number.ends_with(&digits))
    }

    /// How the person knows the phone: its name and last digits.
    pub fn shown(&self) -> String {
        let name = crate::shown::capped(&self.name, 60);
        let end = crate::shown::capped(&self.end_of_number, 12);
        match (name.is_empty(), end.is_empty()) {
            (false, false) => format!("{name} (…{end})"),
            (false, true) => name,
            (true, false) => format!("phone …{end}"),
            (true, true) => crate::shown::capped(&self.index, 20),
        }
    }
}

impl PromptData {
    /// What an older prompt page shows instead of JSON: its device select (`phone1`, "iPhone
    /// (XXX-XXX-1234)"), the factors it lists, its preferred factor and device. Without a list of
    /// factors, Duo Push is taken to be offered on the preferred device when it is the preferred
    /// factor; a passcode is always offered.
    pub fn from_page(
        devices: &[(String, String)],
        factors: &[String],
        preferred_factor: Option<&str>,
        preferred_device: Option<&str>,
    ) -> PromptData {
        let preferred_device = preferred_device.filter(|d| !d.is_empty() && *d != "None");
        let mut phones: Vec<Phone> = devices
            .iter()
            .map(|(value, text)| {
                let name = text.split(" (").next().unwrap_or(text).trim().to_string();
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                let end = digits.len().saturating_sub(4);
                Phone {
                    key: value.clone(),
                    index: value.clone(),
                    name,
                    end_of_number: digits[end..].to_string(),
                }
            })
            .collect();
        if phones.is_empty()
            && let Some(d) = preferred_device
        {
            phones.push(Phone {
                key: d.to_string(),
                index: d.to_string(),
                name: String::new(),
                end_of_number: String::new(),
            });
        }
        let push_listed = factors.iter().any(|f| f == PUSH);
        let push_preferred = preferred_factor == Some(PUSH);
        let mut auth_method_order: Vec<Method> = phones
            .iter()
            .filter(|p| {
                push_listed || (push_preferred && Some(p.index.as_str()) == preferred_device)
            })
            .map(|p| Method {
                factor: PUSH.into(),
                device_key: Some(p.key.clone()),
            })
            .collect();
        for reach in [Reach::Call, Reach::Sms] {
            if factors.iter().any(|f| f == reach.listed()) {
                auth_method_order.extend(phones.iter().map(|p| Method {
                    factor: reach.listed().into(),
                    device_key: Some(p.key.clone()),
                }));
            }
        }
        PromptData {
            phones,
            auth_method_order,
            preferred_device: preferred_device.map(str::to_string),
            remember_me_enabled: false,
        }
    }

    /// Nothing known: no phone, no factor.
    pub fn is_empty(&self) -> bool {
        self.phones.is_empty() && self.auth_method_order.is_empty()
    }

    /// Phones reached that way, Duo's preferred one first.
    pub fn phones_for(&self, reach: Reach) -> Vec<&Phone> {
        let mut phones: Vec<&Phone> = self
            .phones
            .iter()
            .filter(|p| {
                self.auth_method_order.iter().any(|m| {
                    m.factor == reach.listed() && m.device_key.as_deref() == Some(p.key.as_str())
                })
            })
            .collect();
        phones.sort_by_key(|p| Some(&p.index) != self.preferred_device.as_ref());
        phones
    }

    /// What Duo offers this user, for messages. A passcode (Duo Mobile's, a hardware token's, a
    /// bypass code) is always offered: Duo's prompt always has its passcode box, whether or not its
    /// data lists it.
    pub fn offered(&self) -> String {
        let mut said: Vec<String> = Vec::new();
        for reach in [Reach::Push, Reach::Call, Reach::Sms] {
            said.extend(
                self.phones_for(reach)
                    .iter()
                    .map(|p| format!("{} {}", reach.said(), p.shown())),
            );
        }
        said.push("passcode".into());
        said.join(", ")
    }
}

/// Picks the factor: `wanted` (saml_mfa_factor) when set; else a passcode when one is at hand
/// without asking (--mfa-code, an MFA command: the user gave it on purpose), else push to Duo's
/// preferred push phone, else a passcode. Err: why none fits, naming what Duo offers.
pub fn choose(data: &PromptData, wanted: Wanted<'_>, has_code: bool) -> Result<Chosen, String> {
    let device = wanted.device.map(str::trim).filter(|d| !d.is_empty());
    let phone = |reach: Reach| -> Result<Option<Chosen>, String> {
        let phones = data.phones_for(reach);
        match device {
            None => Ok(phones.first().map(|p| Chosen::Phone(reach, (*p).clone()))),
            Some(device) => match phones.iter().find(|p| p.is_named(device)) {
                Some(p) => Ok(Some(Chosen::Phone(reach, (*p).clone()))),
                None if phones.is_empty() => Ok(None),
                None => Err(format!(
                    "saml_duo_device = {device} is none of this user's phones that take a {} \
                     (Duo offers: {}); set it to one of their names or last digits",
                    match reach {
                        Reach::Push => "Duo Push",
                        Reach::Call => "phone call",
                        Reach::Sms => "text message",
                    },
                    data.offered()
                )),
            },
        }
    };
    // `duo` names the prompt itself (how an IdP's method list shows it): Duo's default factor.
    let wanted = wanted
        .factor
        .map(|f| f.trim().to_ascii_lowercase())
        .filter(|f| f != "duo");
    let choices = "set saml_mfa_factor to push, passcode, phone or sms";
    let reach = match wanted.as_deref() {
        None if has_code => return Ok(Chosen::Passcode),
        None => return Ok(phone(Reach::Push)?.unwrap_or(Chosen::Passcode)),
        Some("code" | "passcode" | "totp" | "token" | "hotp") => return Ok(Chosen::Passcode),
        Some("push") => Reach::Push,
        Some("phone" | "call" | "voice" | "phone call") => Reach::Call,
        Some("sms" | "text") => Reach::Sms,
        Some(other) => {
            return Err(format!(
                "saml_mfa_factor = {other} is not a Duo factor samlbridge can use; Duo offers: \
                 {}; {choices}",
                data.offered()
            ));
        }
    };
    phone(reach)?.ok_or_else(|| {
        format!(
            "Duo offers no {} to this user (it offers: {}); {choices}",
            reach.listed(),
            data.offered()
        )
    })
}

/// What the profile asks of Duo's prompt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted<'a> {
    /// `saml_mfa_factor`: push, passcode, phone or sms.
    pub factor: Option<&'a str>,
    /// `saml_duo_device`: the phone to use, by name or last digits.
    pub device: Option<&'a str>,
}

/// Picks the factor, or says in Duo's terms why none fits.
pub(super) fn choose_for(
    host: &str,
    data: &PromptData,
    wanted: Wanted<'_>,
    answers: &dyn LoginAnswers,
) -> Result<Chosen, IdpError> {
    choose(data, wanted, answers.has_mfa_code()).map_err(|message| IdpError::Duo {
        host: host.to_string(),
        message,
    })
}

/// The passcode to send: asked of the person (or the MFA command, or --mfa-code).
pub(super) fn passcode(
    answers: &mut dyn LoginAnswers,
    chosen: &Chosen,
) -> Result<String, IdpError> {
    let label = match chosen {
        Chosen::Phone(Reach::Sms, _) => "Duo passcode (sent by text message)",
        _ => "Duo passcode",
    };
    Ok(answers.mfa_code(label)?.expose().trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any() -> Wanted<'static> {
        Wanted::default()
    }

    fn factor(f: &'static str) -> Wanted<'static> {
        Wanted {
            factor: Some(f),
            device: None,
        }
    }

    fn data(json: &str) -> PromptData {
        serde_json::from_str::<Envelope<PromptData>>(json)
            .ok()
            .and_then(|e| e.response)
            .unwrap_or_default()
    }

    const TWO_PHONES: &str = r#"{"stat":"OK","response":{
        "phones":[{"key":"DPA","index":"phone1","name":"Landline","end_of_number":"0001"},
                  {"key":"DPB","index":"phone2","name":"iPhone","end_of_number":"4321"}],
        "auth_method_order":[{"factor":"Duo Push","deviceKey":"DPB"},{"factor":"Passcode"}],
        "preferred_device":"phone1"}}"#;

    #[test]
    fn push_goes_to_a_phone_that_takes_it_and_a_given_code_wins() {
        let d = data(TWO_PHONES);
        let Ok(Chosen::Phone(Reach::Push, phone)) = choose(&d, any(), false) else {
            panic!("no push")
        };
        assert_eq!(phone.shown(), "iPhone (…4321)");
        assert_eq!(choose(&d, any(), true), Ok(Chosen::Passcode));
        assert!(matches!(
            choose(&d, factor("Duo"), false),
            Ok(Chosen::Phone(Reach::Push, _))
        ));
        assert_eq!(choose(&d, factor("passcode"), false), Ok(Chosen::Passcode));
        assert!(matches!(
            choose(&d, factor("PUSH"), true),
            Ok(Chosen::Phone(Reach::Push, _))
        ));
    }

    #[test]
    fn without_a_usable_factor_the_message_names_what_duo_offers() {
        let only_passcode = data(
            r#"{"stat":"OK","response":{"phones":[],"auth_method_order":[{"factor":"Passcode"}]}}"#,
        );
        let err = choose(&only_passcode, factor("push"), false).unwrap_err();
        assert!(err.contains("offers: passcode"), "{err}");
        assert_eq!(choose(&only_passcode, any(), false), Ok(Chosen::Passcode));
        let err = choose(&data(TWO_PHONES), factor("sms"), false).unwrap_err();
        assert!(err.contains("push to iPhone (…4321), passcode"), "{err}");
        assert!(err.contains("no SMS Passcode"), "{err}");
        let err = choose(&data(TWO_PHONES), factor("yubikey"), false).unwrap_err();
        assert!(err.contains("saml_mfa_factor = yubikey"), "{err}");
        // Nothing listed: Duo's passcode box is always there.
        assert_eq!(
            choose(&PromptData::default(), any(), false),
            Ok(Chosen::Passcode)
        );
    }

    #[test]
    fn saml_duo_device_picks_a_phone_by_name_or_last_digits() {
        let two = data(
            r#"{"stat":"OK","response":{
            "phones":[{"key":"DPA","index":"phone1","name":"iPhone","end_of_number":"4321"},
                      {"key":"DPB","index":"phone2","name":"Pixel","end_of_number":"9876"}],
            "auth_method_order":[{"factor":"Duo Push","deviceKey":"DPA"},
                                 {"factor":"Duo Push","deviceKey":"DPB"},{"factor":"Passcode"}]}}"#,
        );
        let pick = |device: &'static str| match choose(
            &two,
            Wanted {
                factor: None,
                device: Some(device),
            },
            false,
        ) {
            Ok(Chosen::Phone(Reach::Push, p)) => p.name,
            other => format!("{other:?}"),
        };
        assert_eq!(pick("pixel"), "Pixel");
        assert_eq!(pick("9876"), "Pixel");
        assert_eq!(pick("phone1"), "iPhone");
        assert!(pick("Nokia").contains("saml_duo_device = Nokia"));
    }

    #[test]
    fn an_older_prompt_page_gives_its_devices_and_preferred_push() {
        let devices = [
            ("phone1".to_string(), "Phone 1 (XXX-XXX-1111)".to_string()),
            ("phone2".to_string(), "iPad (XXX-XXX-2222)".to_string()),
        ];
        let d = PromptData::from_page(&devices, &[], Some(PUSH), Some("phone2"));
        let Ok(Chosen::Phone(Reach::Push, p)) = choose(&d, any(), false) else {
            panic!("{d:?}")
        };
        assert_eq!(
            (p.index.as_str(), p.shown().as_str()),
            ("phone2", "iPad (…2222)")
        );
        let passcode_only = PromptData::from_page(&[], &[], Some(PASSCODE), Some("None"));
        assert_eq!(choose(&passcode_only, any(), false), Ok(Chosen::Passcode));
        assert!(passcode_only.phones.is_empty(), "'None' is no device");
        let listed = PromptData::from_page(&devices, &[PUSH.to_string()], None, None);
        assert_eq!(listed.phones_for(Reach::Push).len(), 2);
    }

    /// As Duo's data lists them: push, text message and call per phone, no "Passcode" entry.
    const THREE_WAYS: &str = r#"{"stat":"OK","response":{
        "phones":[{"key":"DPA","index":"phone1","name":"Phone 1","end_of_number":"1111"},
                  {"key":"DPB","index":"phone2","name":"Phone 2","end_of_number":"2222"}],
        "auth_method_order":[{"deviceKey":"DPA","factor":"Duo Push"},
            {"deviceKey":"DPB","factor":"SMS Passcode"},{"deviceKey":"DPA","factor":"Phone Call"},
            {"deviceKey":"DPB","factor":"Phone Call"}],
        "remember_me_enabled": true}}"#;

    #[test]
    fn calls_and_text_messages_go_to_the_phones_listed_for_them() {
        let d = data(THREE_WAYS);
        assert!(d.remember_me_enabled);
        let pick = |f: &'static str, device: Option<&'static str>| match choose(
            &d,
            Wanted {
                factor: Some(f),
                device,
            },
            false,
        ) {
            Ok(Chosen::Phone(reach, p)) => format!("{reach:?} {}", p.index),
            other => format!("{other:?}"),
        };
        assert_eq!(pick("phone", None), "Call phone1");
        assert_eq!(pick("call", Some("2222")), "Call phone2");
        assert_eq!(pick("sms", None), "Sms phone2");
        assert!(pick("sms", Some("1111")).contains("none of this user's phones that take a text"));
        assert_eq!(pick("push", None), "Push phone1");
        // A passcode needs no "Passcode" entry; the offer lists every way.
        assert_eq!(choose(&d, factor("passcode"), false), Ok(Chosen::Passcode));
        assert_eq!(
            d.offered(),
            "push to Phone 1 (…1111), phone call to Phone 1 (…1111), phone call to Phone 2 \
             (…2222), text message to Phone 2 (…2222), passcode"
        );
        assert_eq!(
            Chosen::Phone(Reach::Sms, d.phones[1].clone()).factor(),
            PASSCODE
        );
        assert_eq!(
            Chosen::Phone(Reach::Call, d.phones[1].clone()).factor(),
            CALL
        );
    }

    #[test]
    fn a_phone_is_named_by_its_key_too_and_shown_without_controls() {
        let p = Phone {
            key: "DPX".into(),
            index: "phone1".into(),
            name: "evil\u{1b}]52;x".into(),
            end_of_number: "12".into(),
        };
        assert!(p.is_named("DPX") && p.is_named("phone1") && p.is_named("12"));
        assert!(!p.is_named("13") && !p.is_named("DPY"));
        assert!(!p.shown().contains('\u{1b}'), "{}", p.shown());
    }

    #[test]
    fn an_older_prompt_page_lists_only_what_it_shows() {
        let devices = [
            ("phone1".to_string(), "Desk (XXX-XXX-1111)".to_string()),
            ("phone2".to_string(), "Pixel (XXX-XXX-2222)".to_string()),
        ];
        // Push preferred on phone2 only: phone1 takes no push; the preferred device adds no phone.
        let d = PromptData::from_page(&devices, &[], Some(PUSH), Some("phone2"));
        assert_eq!(d.phones.len(), 2);
        let push: Vec<&str> = d
            .phones_for(Reach::Push)
            .iter()
            .map(|p| p.index.as_str())
            .collect();
        assert_eq!(push, ["phone2"]);
        assert!(d.phones_for(Reach::Call).is_empty() && d.phones_for(Reach::Sms).is_empty());
        // Calls listed: every phone takes one; text messages not listed, none.
        let calls = PromptData::from_page(&devices, &[CALL.to_string()], None, None);
        assert_eq!(calls.phones_for(Reach::Call).len(), 2);
        assert!(
            calls.phones_for(Reach::Sms).is_empty() && calls.phones_for(Reach::Push).is_empty()
        );
        // No device select: the preferred device is the one phone.
        let lone = PromptData::from_page(&[], &[], Some(PUSH), Some("phone3"));
        assert_eq!(lone.phones.len(), 1);
        assert_eq!(lone.phones_for(Reach::Push)[0].index, "phone3");
    }

    #[test]
    fn nothing_known_is_empty_and_the_preferred_phone_comes_first() {
        assert!(PromptData::default().is_empty());
        let only_methods = PromptData {
            auth_method_order: vec![Method {
                factor: PASSCODE.into(),
                device_key: None,
            }],
            ..PromptData::default()
        };
        assert!(!only_methods.is_empty());
        let d = data(
            r#"{"stat":"OK","response":{
            "phones":[{"key":"DPA","index":"phone1","name":"A"},{"key":"DPB","index":"phone2","name":"B"}],
            "auth_method_order":[{"factor":"Duo Push","deviceKey":"DPA"},{"factor":"Duo Push","deviceKey":"DPB"}],
            "preferred_device":"phone2"}}"#,
        );
        assert!(!d.is_empty());
        let order: Vec<&str> = d
            .phones_for(Reach::Push)
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(order, ["B", "A"]);
    }

    #[test]
    fn saml_duo_device_without_any_push_phone_falls_back_to_a_passcode() {
        let only_passcode = data(
            r#"{"stat":"OK","response":{"phones":[],"auth_method_order":[{"factor":"Passcode"}]}}"#,
        );
        let wanted = Wanted {
            factor: None,
            device: Some("1234"),
        };
        assert_eq!(choose(&only_passcode, wanted, false), Ok(Chosen::Passcode));
    }
}
