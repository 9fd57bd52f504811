//! The SAML 2.0 Response the IdP emulator issues and the STS emulator reads: written like AD FS
//! writes it (unsigned here), read namespace-aware like AWS reads it (also SimpleSAMLphp's signed ones).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;

pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ROLE_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const SESSION_NAME_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SESSION_DURATION_ATTR: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
pub const AWS_SIGNIN: &str = "https://signin.aws.amazon.com/saml";

/// One value of the Role attribute: a role and the SAML provider that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlRole {
    pub role_arn: String,
    pub principal_arn: String,
    /// Write `provider,role` instead of `role,provider` (IdPs do both).
    pub provider_first: bool,
    /// Write a space after the comma (some IdP admins do).
    pub spaced: bool,
}

impl SamlRole {
    pub fn new(role_arn: &str, principal_arn: &str) -> Self {
        SamlRole {
            role_arn: role_arn.into(),
            principal_arn: principal_arn.into(),
            provider_first: false,
            spaced: false,
        }
    }

    pub fn provider_first(mut self) -> Self {
        self.provider_first = true;
        self
    }

    pub fn spaced(mut self) -> Self {
        self.spaced = true;
        self
    }

    /// The AttributeValue text.
    pub fn attribute_value(&self) -> String {
        let sep = if self.spaced { ", " } else { "," };
        if self.provider_first {
            format!("{}{sep}{}", self.principal_arn, self.role_arn)
        } else {
            format!("{}{sep}{}", self.role_arn, self.principal_arn)
        }
    }
}

/// How the assertion's elements are named: AD FS uses a default namespace on `<Assertion>`,
/// most other IdPs a `saml:` prefix. Readers must not care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XmlStyle {
    #[default]
    AdfsDefaultNamespace,
    SamlPrefix,
}

/// What goes into one Response.
#[derive(Debug, Clone)]
pub struct AssertionSpec {
    pub issuer: String,
    pub name_id: String,
    pub session_name: Option<String>,
    pub roles: Vec<SamlRole>,
    pub session_duration: Option<i32>,
    pub destination: String,
    /// How long the bearer assertion may be redeemed (SubjectConfirmationData NotOnOrAfter).
    pub lifetime: Duration,
    pub style: XmlStyle,
}

/// `2025-01-31T12:00:00.123Z`, the way AD FS writes instants.
pub fn instant(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// The Response document, unsigned.
pub fn response_xml(spec: &AssertionSpec) -> String {
    let now = OffsetDateTime::now_utc();
    let (p, a_decl) = match spec.style {
        XmlStyle::AdfsDefaultNamespace => ("", format!(" xmlns=\"{ASSERTION_NS}\"")),
        XmlStyle::SamlPrefix => ("saml:", String::new()),
    };
    let root_decl = match spec.style {
        XmlStyle::AdfsDefaultNamespace => String::new(),
        XmlStyle::SamlPrefix => format!(" xmlns:saml=\"{ASSERTION_NS}\""),
    };
    let issuer = escape(&spec.issuer);
    let redeem_by = instant(now + spec.lifetime);
    let (now_s, session_end) = (instant(now), instant(now + Duration::from_secs(8 * 3600)));
    let mut attrs = String::new();
    if let Some(name) = &spec.session_name {
        attrs += &attribute(p, SESSION_NAME_ATTR, std::slice::from_ref(name));
    }
    let roles: Vec<String> = spec.roles.iter().map(SamlRole::attribute_value).collect();
    if !roles.is_empty() {
        attrs += &attribute(p, ROLE_ATTR, &roles);
    }
    if let Some(d) = spec.session_duration {
        attrs += &attribute(p, SESSION_DURATION_ATTR, &[d.to_string()]);
    }
    format!(
        r#"<samlp:Response ID="_{rid}" Version="2.0" IssueInstant="{now_s}" Destination="{dest}" Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified" xmlns:samlp="{PROTOCOL_NS}"{root_decl}><{p}Issuer{a_decl}>{issuer}</{p}Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success" /></samlp:Status><{p}Assertion ID="_{aid}" IssueInstant="{now_s}" Version="2.0"{a_decl}><{p}Issuer>{issuer}</{p}Issuer><{p}Subject><{p}NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</{p}NameID><{p}SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><{p}SubjectConfirmationData NotOnOrAfter="{redeem_by}" Recipient="{dest}" /></{p}SubjectConfirmation></{p}Subject><{p}Conditions NotBefore="{now_s}" NotOnOrAfter="{redeem_by}"><{p}AudienceRestriction><{p}Audience>urn:amazon:webservices</{p}Audience></{p}AudienceRestriction></{p}Conditions><{p}AttributeStatement>{attrs}</{p}AttributeStatement><{p}AuthnStatement AuthnInstant="{now_s}" SessionIndex="_{aid}" SessionNotOnOrAfter="{session_end}"><{p}AuthnContext><{p}AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</{p}AuthnContextClassRef></{p}AuthnContext></{p}AuthnStatement></{p}Assertion></samlp:Response>"#,
        rid = super::uuid(),
        aid = super::uuid(),
        dest = escape(&spec.destination),
        name_id = escape(&spec.name_id),
    )
}

fn attribute(p: &str, name: &str, values: &[String]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<{p}AttributeValue>{}</{p}AttributeValue>", escape(v)))
        .collect();
    format!(
        r#"<{p}Attribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">{values}</{p}Attribute>"#
    )
}

/// Base64 of the document; with `wrap`, lines of that many characters joined by CRLF, as some IdPs
/// send it.
pub fn encode(xml: &str, wrap: Option<usize>) -> String {
    let flat = STANDARD.encode(xml);
    match wrap {
        None => flat,
        Some(width) => flat
            .as_bytes()
            .chunks(width)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n"),
    }
}

/// What the STS emulator reads from a Response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedResponse {
    pub destination: Option<String>,
    pub issuer: Option<String>,
    pub name_id: Option<String>,
    pub recipient: Option<String>,
    pub not_on_or_after: Option<OffsetDateTime>,
    pub session_not_on_or_after: Option<OffsetDateTime>,
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl ParsedResponse {
    /// Every Role value as (role ARN, provider ARN), whatever order it was written in.
    pub fn role_pairs(&self) -> Vec<(String, String)> {
        let values = self.attributes.get(ROLE_ATTR).cloned().unwrap_or_default();
        values
            .iter()
            .filter_map(|v| {
                let (a, b) = v.split_once(',')?;
                let (a, b) = (a.trim().to_string(), b.trim().to_string());
                if a.contains(":role/") {
                    Some((a, b))
                } else {
                    Some((b, a))
                }
            })
            .collect()
    }

    pub fn first(&self, attribute: &str) -> Option<&str> {
        self.attributes
            .get(attribute)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).ok()
}

/// Reads a Response (namespace-aware, no DTDs, at most 256 KiB).
pub fn parse_response(xml: &str) -> Result<ParsedResponse, String> {
    if xml.len() > 256 * 1024 {
        return Err("the SAML response is larger than 256 KiB".into());
    }
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut out = ParsedResponse::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut current_attr: Option<String> = None;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        let kind = namespace_kind(&ns);
        match event {
            Event::DocType(_) => return Err("a DOCTYPE is not allowed in a SAML response".into()),
            Event::Start(e) => {
                let name = element_name(&e, kind);
                on_open(&e, &name, &mut out, &mut current_attr);
                text.clear();
                path.push(name);
            }
            Event::Empty(e) => {
                let name = element_name(&e, kind);
                on_open(&e, &name, &mut out, &mut current_attr);
            }
            Event::Text(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                text.push('&');
                text.push_str(&r);
                text.push(';');
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = quick_xml::escape::unescape(&text)
                    .map_err(|e| format!("bad entity in {name}: {e}"))?
                    .into_owned();
                on_close(&name, value, &path, &mut out, &current_attr);
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

#[derive(Clone, Copy)]
enum NsKind {
    Assertion,
    Protocol,
    Other,
}

fn namespace_kind(ns: &ResolveResult<'_>) -> NsKind {
    match ns {
        ResolveResult::Bound(Namespace(n)) if *n == ASSERTION_NS => NsKind::Assertion,
        ResolveResult::Bound(Namespace(n)) if *n == PROTOCOL_NS => NsKind::Protocol,
        _ => NsKind::Other,
    }
}

/// Assertion-namespace elements by local name, protocol ones as `samlp:NAME`, anything else
/// (ds:Signature…) as `foreign:NAME`, whatever prefixes the document chose.
fn element_name(e: &BytesStart<'_>, kind: NsKind) -> String {
    match kind {
        NsKind::Assertion => local(e),
        NsKind::Protocol => format!("samlp:{}", local(e)),
        NsKind::Other => format!("foreign:{}", local(e)),
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn on_open(
    e: &BytesStart<'_>,
    name: &str,
    out: &mut ParsedResponse,
    current_attr: &mut Option<String>,
) {
    match name {
        "samlp:Response" => out.destination = attr(e, "Destination"),
        "SubjectConfirmationData" => {
            out.recipient = attr(e, "Recipient");
            out.not_on_or_after = attr(e, "NotOnOrAfter").as_deref().and_then(parse_time);
        }
        "AuthnStatement" => {
            out.session_not_on_or_after = attr(e, "SessionNotOnOrAfter")
                .as_deref()
                .and_then(parse_time);
        }
        "Attribute" => *current_attr = attr(e, "Name"),
        _ => {}
    }
}

fn on_close(
    name: &str,
    value: String,
    parents: &[String],
    out: &mut ParsedResponse,
    current_attr: &Option<String>,
) {
    let parent = parents.last().map(String::as_str).unwrap_or("");
    match name {
        "Issuer" if out.issuer.is_none() => out.issuer = Some(value.trim().to_string()),
        "NameID" if parent == "Subject" => out.name_id = Some(value.trim().to_string()),
        "AttributeValue" => {
            if let Some(attr_name) = current_attr {
                out.attributes
                    .entry(attr_name.clone())
                    .or_default()
                    .push(value.trim().to_string());
            }
        }
        _ => {}
    }
}
