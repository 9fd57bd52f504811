//! The streaming walk over a decoded SAML Response. It picks out the few elements and attributes AWS
//! reads, by local name so that any prefix works (`saml:`, `saml2:`, none), and refuses DTDs outright:
//! a SAML Response never needs one, and entity expansion is how XML parsers are made to hang.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

/// Elements nested deeper than this are not a SAML Response; stop rather than keep a long stack.
const MAX_DEPTH: usize = 128;

pub(super) const ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub(super) const SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub(super) const SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/// What the walk found, as text; `super` interprets it.
#[derive(Debug, Default)]
pub(super) struct RawClaims {
    pub role_values: Vec<String>,
    pub session_names: Vec<String>,
    pub session_durations: Vec<String>,
    pub conditions_not_on_or_after: Option<String>,
    pub confirmation_not_on_or_after: Option<String>,
    pub destination: Option<String>,
    pub recipient: Option<String>,
    pub audiences: Vec<String>,
    /// An `EncryptedAssertion` was seen: its attributes cannot be read without the SP's key.
    pub encrypted: bool,
    /// The Response's `StatusCode` values, outer first (`…:status:Responder`, `…:RequestDenied`).
    pub status_codes: Vec<String>,
    pub status_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AwsAttribute {
    Role,
    SessionName,
    SessionDuration,
}

impl AwsAttribute {
    fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        [
            (ROLE, AwsAttribute::Role),
            (SESSION_NAME, AwsAttribute::SessionName),
            (SESSION_DURATION, AwsAttribute::SessionDuration),
        ]
        .into_iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, kind)| kind)
    }
}

#[derive(Default)]
struct Walk {
    claims: RawClaims,
    depth: usize,
    /// Inside an `Attribute` AWS reads.
    attribute: Option<AwsAttribute>,
    /// The text of the `AttributeValue` being read.
    value: Option<String>,
    /// The text of the `Audience` being read.
    audience: Option<String>,
    /// The text of the `StatusMessage` being read.
    status_message: Option<String>,
}

/// Reads `xml` once, start to end. The error is a reason for a one-line message.
pub(super) fn walk(xml: &str) -> Result<RawClaims, String> {
    let mut reader = Reader::from_str(xml);
    let mut walk = Walk::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} (at byte {})", reader.error_position()))?;
        match event {
            Event::DocType(_) => {
                return Err(
                    "it declares a DTD (<!DOCTYPE>), which a SAML response never has".into(),
                );
            }
            Event::Start(e) => walk.open(&e, false)?,
            Event::Empty(e) => walk.open(&e, true)?,
            Event::End(e) => walk.close(e.local_name().as_ref()),
            Event::Text(t) => walk.text(&t.xml10_content()),
            Event::CData(t) => walk.text(&t),
            Event::GeneralRef(r) => walk.text(&resolve_reference(&r)?),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(walk.claims)
}

impl Walk {
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        if !empty {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(format!("its elements nest deeper than {MAX_DEPTH} levels"));
            }
        }
        let claims = &mut self.claims;
        match e.local_name().as_ref() {
            "Response" if claims.destination.is_none() => {
                claims.destination = attribute(e, "Destination")?;
            }
            "Attribute" if !empty => {
                let name = attribute(e, "Name")?.unwrap_or_default();
                self.attribute = AwsAttribute::from_name(&name);
            }
            "AttributeValue" if !empty && self.attribute.is_some() => {
                self.value = Some(String::new());
            }
            "Conditions" if claims.conditions_not_on_or_after.is_none() => {
                claims.conditions_not_on_or_after = attribute(e, "NotOnOrAfter")?;
            }
            "SubjectConfirmationData" => {
                if claims.confirmation_not_on_or_after.is_none() {
                    claims.confirmation_not_on_or_after = attribute(e, "NotOnOrAfter")?;
                }
                if claims.recipient.is_none() {
                    claims.recipient = attribute(e, "Recipient")?;
                }
            }
            "Audience" if !empty => self.audience = Some(String::new()),
            "EncryptedAssertion" => claims.encrypted = true,
            "StatusCode" => claims.status_codes.extend(attribute(e, "Value")?),
            "StatusMessage" if !empty => self.status_message = Some(String::new()),
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, local_name: &str) {
        self.depth = self.depth.saturating_sub(1);
        match local_name {
            "AttributeValue" => {
                if let (Some(value), Some(kind)) = (self.value.take(), self.attribute) {
                    let list = match kind {
                        AwsAttribute::Role => &mut self.claims.role_values,
                        AwsAttribute::SessionName => &mut self.claims.session_names,
                        AwsAttribute::SessionDuration => &mut self.claims.session_durations,
                    };
                    list.push(value);
                }
            }
            "Attribute" => self.attribute = None,
            "Audience" => self.claims.audiences.extend(self.audience.take()),
            "StatusMessage" => {
                if let Some(message) = self.status_message.take() {
                    self.claims.status_message.get_or_insert(message);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(value) = self.value.as_mut() {
            value.push_str(text);
        }
        if let Some(audience) = self.audience.as_mut() {
            audience.push_str(text);
        }
        if let Some(message) = self.status_message.as_mut() {
            message.push_str(text);
        }
    }
}

/// `&amp;`-style and `&#38;`-style references. Anything else would need a DTD to mean something.
fn resolve_reference(r: &BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r
        .resolve_char_ref()
        .map_err(|e| format!("a bad character reference &{};: {e}", &**r))?
    {
        return Ok(c.to_string());
    }
    resolve_predefined_entity(r)
        .map(str::to_owned)
        .ok_or_else(|| format!("it uses the undefined entity &{};", &**r))
}

/// The value of the attribute with local name `local`, entities resolved.
fn attribute(e: &BytesStart<'_>, local: &str) -> Result<Option<String>, String> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("a malformed attribute: {err}"))?;
        if attr.key.local_name().as_ref() == local {
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| format!("a malformed attribute value: {err}"))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_under_any_prefix() {
        let xml = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml">
          <saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">
            <saml2:AttributeStatement>
              <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
                <saml2:AttributeValue>alice</saml2:AttributeValue>
              </saml2:Attribute>
              <Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
                <AttributeValue>a,b</AttributeValue><AttributeValue/>
              </Attribute>
              <saml2:Attribute Name="other"><saml2:AttributeValue>x</saml2:AttributeValue></saml2:Attribute>
            </saml2:AttributeStatement>
          </saml2:Assertion>
        </samlp:Response>"#;
        let raw = walk(xml).unwrap();
        assert_eq!(raw.session_names, ["alice"]);
        assert_eq!(raw.role_values, ["a,b"]);
        assert_eq!(
            raw.destination.as_deref(),
            Some("https://signin.aws.amazon.com/saml")
        );
    }

    #[test]
    fn text_and_references_join_into_one_value() {
        let xml = r#"<Response><Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><AttributeValue>a&amp;b&#x41;&#66;<![CDATA[<c>]]></AttributeValue></Attribute></Response>"#;
        assert_eq!(walk(xml).unwrap().session_names, ["a&bAB<c>"]);
    }

    #[test]
    fn an_undefined_entity_is_refused() {
        let xml = r#"<Response><Attribute Name="x"><AttributeValue>&lol;</AttributeValue></Attribute></Response>"#;
        assert!(walk(xml).unwrap_err().contains("&lol;"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let xml = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(walk(&xml).unwrap_err().contains("nest deeper"));
    }

    #[test]
    fn mismatched_tags_are_an_error() {
        assert!(walk("<Response><Assertion></Response>").is_err());
    }
}
