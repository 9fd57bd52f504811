//! A SAML Response built from roles and attributes (plain bytes would rarely be valid base64 of XML
//! with an AWS Role attribute), written the many ways IdPs write it, and what it should read as.

use arbitrary::{Arbitrary, Result, Unstructured};
use base64::Engine as _;

/// Marks text that must never reach a message: it stands for what an assertion carries about the user.
pub const MARKER: &str = "S3cr3tM4rk";

const PREFIXES: &[&str] = &["", "saml:", "saml2:", "ns1:"];
const PARTITIONS: &[&str] = &["aws", "aws-us-gov", "aws-cn"];
const DESTINATIONS: &[&str] = &[
    "https://signin.aws.amazon.com/saml",
    "https://us-east-1.signin.aws.amazon.com/saml",
    "https://signin.amazonaws-us-gov.com/saml",
    "https://signin.amazonaws.cn/saml",
    " https://SIGNIN.AWS.AMAZON.COM/saml ",
    "https://evil.example/signin.aws.amazon.com",
    "not a url",
];
const AUDIENCES: &[&str] = &[
    "urn:amazon:webservices",
    "urn:amazon:webservices:govcloud",
    "urn:amazon:webservices:cn",
    "urn:other",
];
const STATUSES: &[&str] = &[
    "urn:oasis:names:tc:SAML:2.0:status:Success",
    "urn:oasis:names:tc:SAML:2.0:status:Responder",
    "urn:oasis:names:tc:SAML:2.0:status:Requester",
];
/// What IAM allows in a role name (without the comma, which splits the value), and in a SAML
/// provider's name.
const ROLE_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=.@_-";
const IDP_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

/// A role value that is a well-formed role and SAML provider pair.
#[derive(Debug, Clone)]
pub struct GoodRole {
    pub role_arn: String,
    pub principal_arn: String,
    /// The value as written: either order, spaces around the comma.
    pub written: String,
}

impl<'a> Arbitrary<'a> for GoodRole {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let partition = u.choose(PARTITIONS)?;
        let account = format!("{:012}", u.int_in_range(0u64..=999_999_999_999)?);
        let mut role = crate::token(u, ROLE_CHARS, 20)?;
        if role.is_empty() {
            role = "Admin".into();
        }
        let path = if u.ratio(1, 4)? { "team/" } else { "" };
        let mut idp = crate::token(u, IDP_CHARS, 12)?;
        if idp.is_empty() {
            idp = "Corp".into();
        }
        let role_arn = format!("arn:{partition}:iam::{account}:role/{path}{role}");
        let principal_arn = format!("arn:{partition}:iam::{account}:saml-provider/{idp}");
        let (first, second) = if u.arbitrary()? {
            (&role_arn, &principal_arn)
        } else {
            (&principal_arn, &role_arn)
        };
        let sep = u.choose(&[",", " , ", ", ", "\t,"])?;
        let pad = u.choose(&["", " ", "\n  "])?;
        Ok(GoodRole {
            written: format!("{pad}{first}{sep}{second}{pad}"),
            role_arn,
            principal_arn,
        })
    }
}

/// One value of the Role attribute.
#[derive(Debug, Clone, Arbitrary)]
pub enum RoleValue {
    Good(GoodRole),
    Junk(#[arbitrary(with = clean)] String),
}

/// Arbitrary text without the marker in it (the marker is what the input must not leak; text that
/// the IdP may legitimately have repeated must not carry it).
pub fn clean(u: &mut Unstructured<'_>) -> Result<String> {
    let mut text = String::arbitrary(u)?;
    while text.contains(MARKER) {
        text = text.replace(MARKER, "");
    }
    Ok(text)
}

fn clean_list(u: &mut Unstructured<'_>) -> Result<Vec<String>> {
    let n = u.arbitrary_len::<u8>()?.min(8);
    (0..n).map(|_| clean(u)).collect()
}

fn clean_status(u: &mut Unstructured<'_>) -> Result<Option<(u8, Option<String>)>> {
    if !u.arbitrary()? {
        return Ok(None);
    }
    let code = u.arbitrary()?;
    let message = if u.arbitrary()? {
        Some(clean(u)?)
    } else {
        None
    };
    Ok(Some((code, message)))
}

impl RoleValue {
    pub fn written(&self) -> &str {
        match self {
            RoleValue::Good(g) => &g.written,
            RoleValue::Junk(j) => j,
        }
    }
}

/// How the XML is turned into the form value.
#[derive(Debug, Arbitrary)]
pub struct Encoding {
    /// Break the base64 into lines of this many characters (0: one line).
    pub wrap: u8,
    pub crlf: bool,
    /// Write the line breaks as `&#13;&#10;` (a page that escaped the value twice).
    pub references: bool,
    pub strip_padding: bool,
    /// Attribute values as CDATA sections.
    pub cdata: bool,
}

#[derive(Debug, Arbitrary)]
pub struct AssertionDoc {
    pub prefix: u8,
    pub destination: Option<u8>,
    pub recipient: Option<u8>,
    pub audience: Option<u8>,
    #[arbitrary(with = clean_status)]
    pub status: Option<(u8, Option<String>)>,
    pub roles: Vec<RoleValue>,
    #[arbitrary(with = clean_list)]
    pub session_names: Vec<String>,
    pub durations: Vec<i64>,
    pub not_on_or_after: Option<i64>,
    pub others: Vec<(String, String)>,
    /// Elements wrapped around the assertion.
    pub nesting: u8,
    /// A comment to pad with: a few bytes, or (from 0xff00) 0.5 to 1.5 MiB, across the size limit.
    pub padding: Option<u16>,
    pub encrypted: bool,
    pub encoding: Encoding,
}

/// Escapes text for an XML text node or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry these at all; the IdP would not send them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The text an XML reader gives back for `escape(text)`.
pub fn unescaped(text: &str) -> String {
    text.chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

impl AssertionDoc {
    pub fn prefix(&self) -> &'static str {
        PREFIXES[usize::from(self.prefix) % PREFIXES.len()]
    }

    /// Elements nested on the deepest path: Response > wrappers > Assertion > AttributeStatement >
    /// Attribute > AttributeValue (or Conditions > AudienceRestriction > Audience), else
    /// Subject > NameID.
    pub fn depth(&self) -> usize {
        let five = !self.roles.is_empty()
            || !self.session_names.is_empty()
            || !self.durations.is_empty()
            || !self.others.is_empty()
            || self.audience.is_some();
        usize::from(self.nesting) + if five { 5 } else { 4 }
    }

    pub fn destination(&self) -> Option<&'static str> {
        self.destination
            .map(|d| DESTINATIONS[usize::from(d) % DESTINATIONS.len()])
    }

    pub fn recipient(&self) -> Option<&'static str> {
        self.recipient
            .map(|d| DESTINATIONS[usize::from(d) % DESTINATIONS.len()])
    }

    pub fn audience(&self) -> Option<&'static str> {
        self.audience
            .map(|a| AUDIENCES[usize::from(a) % AUDIENCES.len()])
    }

    pub fn status_code(&self) -> Option<&'static str> {
        self.status
            .as_ref()
            .map(|(s, _)| STATUSES[usize::from(*s) % STATUSES.len()])
    }

    fn value(&self, text: &str) -> String {
        // CDATA cannot hold "]]>"; nor can it hold what XML 1.0 refuses.
        if self.encoding.cdata
            && !text.contains("]]>")
            && text == unescaped(text)
            && !text.contains('\r')
        {
            format!("<![CDATA[{text}]]>")
        } else {
            escape(text)
        }
    }

    fn attribute(&self, out: &mut String, name: &str, values: &[String]) {
        let p = self.prefix();
        out.push_str(&format!("<{p}Attribute Name=\"{}\">", escape(name)));
        for v in values {
            out.push_str(&format!(
                "<{p}AttributeValue>{}</{p}AttributeValue>",
                self.value(v)
            ));
        }
        out.push_str(&format!("</{p}Attribute>"));
    }

    /// The Response as XML.
    pub fn xml(&self) -> String {
        let p = self.prefix();
        let mut x = String::new();
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        x.push_str(&format!(
            "<{p}Response xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_{MARKER}\"{}>",
            self.destination()
                .map(|d| format!(" Destination=\"{}\"", escape(d)))
                .unwrap_or_default()
        ));
        if let Some(code) = self.status_code() {
            let message = self.status.as_ref().and_then(|(_, m)| m.as_deref());
            x.push_str(&format!("<{p}Status><{p}StatusCode Value=\"{code}\"/>"));
            if let Some(m) = message {
                x.push_str(&format!(
                    "<{p}StatusMessage>{}</{p}StatusMessage>",
                    escape(m)
                ));
            }
            x.push_str(&format!("</{p}Status>"));
        }
        if let Some(kib) = self.padding {
            // Mostly a little, sometimes up to past the 1 MiB limit (large ones are slow to run).
            let size = if kib >= 0xff00 {
                usize::from(kib - 0xff00) * 4096 + 1024 * 1024 - 512 * 1024
            } else {
                usize::from(kib % 2048)
            };
            x.push_str(&format!("<!--{}-->", "p".repeat(size)));
        }
        for _ in 0..self.nesting {
            x.push_str("<w>");
        }
        if self.encrypted {
            x.push_str(&format!(
                "<{p}EncryptedAssertion><x>{MARKER}</x></{p}EncryptedAssertion>"
            ));
        }
        x.push_str(&format!(
            "<{p}Assertion><{p}Subject><{p}NameID>{MARKER}@example.com</{p}NameID>"
        ));
        if let Some(r) = self.recipient() {
            x.push_str(&format!(
                "<{p}SubjectConfirmation><{p}SubjectConfirmationData Recipient=\"{}\"/></{p}SubjectConfirmation>",
                escape(r)
            ));
        }
        x.push_str(&format!("</{p}Subject>"));
        let not_after = self.not_on_or_after_text();
        x.push_str(&format!(
            "<{p}Conditions{}>",
            not_after
                .map(|t| format!(" NotOnOrAfter=\"{t}\""))
                .unwrap_or_default()
        ));
        if let Some(a) = self.audience() {
            x.push_str(&format!(
                "<{p}AudienceRestriction><{p}Audience>{a}</{p}Audience></{p}AudienceRestriction>"
            ));
        }
        x.push_str(&format!("</{p}Conditions><{p}AttributeStatement>"));
        let roles: Vec<String> = self.roles.iter().map(|r| r.written().to_string()).collect();
        if !roles.is_empty() {
            self.attribute(
                &mut x,
                "https://aws.amazon.com/SAML/Attributes/Role",
                &roles,
            );
        }
        if !self.session_names.is_empty() {
            self.attribute(
                &mut x,
                "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
                &self.session_names,
            );
        }
        if !self.durations.is_empty() {
            let texts: Vec<String> = self.durations.iter().map(|d| d.to_string()).collect();
            self.attribute(
                &mut x,
                "https://aws.amazon.com/SAML/Attributes/SessionDuration",
                &texts,
            );
        }
        for (name, value) in &self.others {
            let name = format!("urn:other:{name}");
            self.attribute(&mut x, &name, &[format!("{MARKER}{value}")]);
        }
        x.push_str(&format!("</{p}AttributeStatement></{p}Assertion>"));
        for _ in 0..self.nesting {
            x.push_str("</w>");
        }
        x.push_str(&format!("</{p}Response>"));
        x
    }

    pub fn not_on_or_after(&self) -> Option<time::OffsetDateTime> {
        let at = self.not_on_or_after?;
        time::OffsetDateTime::from_unix_timestamp(at.rem_euclid(253_402_300_799)).ok()
    }

    fn not_on_or_after_text(&self) -> Option<String> {
        self.not_on_or_after()?
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    }

    /// The form value as a page would carry it.
    pub fn form_value(&self, xml: &str) -> String {
        let mut b64 = base64::engine::general_purpose::STANDARD.encode(xml);
        if self.encoding.strip_padding {
            b64 = b64.trim_end_matches('=').to_string();
        }
        let wrap = usize::from(self.encoding.wrap);
        if wrap == 0 {
            return b64;
        }
        let newline = match (self.encoding.references, self.encoding.crlf) {
            (true, true) => "&#13;&#10;",
            (true, false) => "&#xA;",
            (false, true) => "\r\n",
            (false, false) => "\n",
        };
        let chunks: Vec<&str> = b64
            .as_bytes()
            .chunks(wrap)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        chunks.join(newline)
    }
}
