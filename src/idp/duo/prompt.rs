//! What Duo's prompt data says (the user's phones and the factors each offers, as JSON) and which
//! factor samlbridge uses: `saml_mfa_factor` when set, else Duo Push to a push-capable phone, else
//! a passcode.

use serde::Deserialize;

/// Duo's factor names, as its prompt posts them.
pub const PUSH: &str = "Duo Push";
pub const PASSCODE: &str = "Passcode";

/// `{"stat": "OK", "response": {...}}` of `/frame/v4/auth/prompt/data`.
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
}

#[derive(Debug, Clone, Deserialize)]
pub struct Phone {
    pub key: String,
    /// `phone1`, `phone2`…: what the prompt posts as `device`.
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

/// The factor to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    Push(Phone),
    Passcode,
}

impl PartialEq for Phone {
    fn eq(&self, other: &Phone) -> bool {
        self.key == other.key
    }
}
impl Eq for Phone {}

impl Phone {
    /// Whether `device` (`saml_duo_device`) names this phone: its name, its last digits, or its
    /// index (`phone2`).
    pub fn is_named(&self, device: &str) -> bool {
        let digits: String = device.chars().filter(char::is_ascii_digit).collect();
        self.name.eq_ignore_ascii_case(device)
            || self.index.eq_ignore_ascii_case(device)
            || (!self.end_of_number.is_empty()
                && digits.len() == device.len()
                && self.end_of_number.ends_with(&digits))
    }

    /// How the person knows the phone: its name and last digits.
    pub fn shown(&self) -> String {
        match (self.name.is_empty(), self.end_of_number.is_empty()) {
            (false, false) => format!("{} (…{})", self.name, self.end_of_number),
            (false, true) => self.name.clone(),
            (true, false) => format!("phone …{}", self.end_of_number),
            (true, true) => self.index.clone(),
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
        auth_method_order.push(Method {
            factor: PASSCODE.into(),
            device_key: None,
        });
        PromptData {
            phones,
            auth_method_order,
            preferred_device: preferred_device.map(str::to_string),
        }
    }

    /// Nothing known: no phone, no factor.
    pub fn is_empty(&self) -> bool {
        self.phones.is_empty() && self.auth_method_order.is_empty()
    }

    /// Phones that take Duo Push, Duo's preferred one first.
    pub fn push_phones(&self) -> Vec<&Phone> {
        let mut phones: Vec<&Phone> = self
            .phones
            .iter()
            .filter(|p| {
                self.auth_method_order
                    .iter()
                    .any(|m| m.factor == PUSH && m.device_key.as_deref() == Some(p.key.as_str()))
            })
            .collect();
        phones.sort_by_key(|p| Some(&p.index) != self.preferred_device.as_ref());
        phones
    }

    pub fn offers_passcode(&self) -> bool {
        self.auth_method_order.iter().any(|m| m.factor == PASSCODE)
    }

    /// What Duo offers this user, for messages.
    pub fn offered(&self) -> String {
        let mut said: Vec<String> = self
            .push_phones()
            .iter()
            .map(|p| format!("push to {}", p.shown()))
            .collect();
        if self.offers_passcode() {
            said.push("passcode".into());
        }
        if said.is_empty() {
            "nothing samlbridge can use".into()
        } else {
            said.join(", ")
        }
    }
}

/// Picks the factor: `wanted` (saml_mfa_factor) when set; else a passcode when one is at hand
/// without asking (--mfa-code, an MFA command: the user gave it on purpose), else push to Duo's
/// preferred push phone, else a passcode. Err: why none fits, naming what Duo offers.
pub fn choose(
    data: &PromptData,
    wanted: super::Wanted<'_>,
    has_code: bool,
) -> Result<Chosen, String> {
    let phones = data.push_phones();
    let push = match wanted.device.map(str::trim).filter(|d| !d.is_empty()) {
        None => phones.first().map(|p| Chosen::Push((*p).clone())),
        Some(device) => match phones.iter().find(|p| p.is_named(device)) {
            Some(p) => Some(Chosen::Push((*p).clone())),
            None => {
                return Err(format!(
                    "saml_duo_device = {device} is none of this user's phones that take Duo Push \
                     (Duo offers: {}); set it to one of their names or last digits",
                    data.offered()
                ));
            }
        },
    };
    // `duo` names the prompt itself (how an IdP's method list shows it): Duo's default factor.
    let wanted = wanted
        .factor
        .filter(|f| !f.trim().eq_ignore_ascii_case("duo"));
    let passcode = data.offers_passcode().then_some(Chosen::Passcode);
    let choices = "set saml_mfa_factor to push or passcode";
    match wanted.map(|w| w.trim().to_ascii_lowercase()).as_deref() {
        Some("push") => push.ok_or_else(|| {
            format!(
                "Duo offers no Duo Push to this user (it offers: {}); {choices}",
                data.offered()
            )
        }),
        Some("code" | "passcode" | "totp" | "token" | "hotp") => passcode.ok_or_else(|| {
            format!(
                "Duo offers no passcode to this user (it offers: {}); {choices}",
                data.offered()
            )
        }),
        Some(other) => Err(format!(
            "saml_mfa_factor = {other} is not a Duo factor samlbridge can use (phone calls and SMS \
             are not supported yet); Duo offers: {}; {choices}",
            data.offered()
        )),
        None if has_code && passcode.is_some() => Ok(Chosen::Passcode),
        None => push.or(passcode).ok_or_else(|| {
            format!(
                "Duo offers no factor samlbridge can use ({}); {choices}",
                data.offered()
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::duo::Wanted;

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
        let Ok(Chosen::Push(phone)) = choose(&d, any(), false) else {
            panic!("no push")
        };
        assert_eq!(phone.shown(), "iPhone (…4321)");
        assert_eq!(choose(&d, any(), true), Ok(Chosen::Passcode));
        assert!(matches!(
            choose(&d, factor("Duo"), false),
            Ok(Chosen::Push(_))
        ));
        assert_eq!(choose(&d, factor("passcode"), false), Ok(Chosen::Passcode));
        assert!(matches!(
            choose(&d, factor("PUSH"), true),
            Ok(Chosen::Push(_))
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
        let none = choose(&PromptData::default(), any(), false).unwrap_err();
        assert!(none.contains("push or passcode"), "{none}");
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
            Ok(Chosen::Push(p)) => p.name,
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
        let Ok(Chosen::Push(p)) = choose(&d, any(), false) else {
            panic!("{d:?}")
        };
        assert_eq!(
            (p.index.as_str(), p.shown().as_str()),
            ("phone2", "iPad (…2222)")
        );
        assert!(d.offers_passcode());
        let passcode_only = PromptData::from_page(&[], &[], Some(PASSCODE), Some("None"));
        assert_eq!(choose(&passcode_only, any(), false), Ok(Chosen::Passcode));
        let listed = PromptData::from_page(&devices, &[PUSH.to_string()], None, None);
        assert_eq!(listed.push_phones().len(), 2);
    }
}
