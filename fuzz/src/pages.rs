//! Reading IdP pages: the choices a page target makes from its first bytes, and what must hold for
//! every page the engine reads.

use samlbridge::fuzzing::{self, PageReading, Reader, Sent};

/// URLs whose paths the providers' `detect.url_paths` know, and others.
pub const URLS: &[&str] = &[
    "https://idp.example.com/adfs/ls/?SAMLRequest=abc&RelayState=x",
    "https://idp.example.com/adfs/ls/idpinitiatedsignon.aspx?loginToRp=urn:amazon:webservices",
    "https://sso.example.org/idp/profile/SAML2/Redirect/SSO?execution=e1s1",
    "https://kc.example.net/realms/corp/protocol/saml/clients/amazon-aws",
    "https://kc.example.net/auth/realms/corp/login-actions/authenticate?session_code=x",
    "https://login.example.com/nidp/saml2/sso?id=1&sid=0",
    "https://pf.example.com/idp/SSO.saml2",
    "https://pf.example.com/idp/startSSO.ping?PartnerSpId=urn:amazon:webservices",
    "https://auth.example.com/saml/singleSignOn",
    "https://simplesaml.example/simplesaml/module.php/core/loginuserpass.php?AuthState=x",
    "https://idp.example.com/login",
    "http://127.0.0.1:8443/",
];
pub const STATUSES: &[u16] = &[200, 200, 200, 401, 403, 500, 302, 404, 429, 100, 599];
pub const CODE_FIELDS: &[&str] = &[
    "otp",
    "code",
    "passcode",
    "totp",
    "VerificationCode",
    "pf.pass",
    "token",
];

/// The page and what the engine knows, from 4 control bytes and the rest as the page.
pub struct PageInput<'a> {
    pub reader: Reader<'a>,
    pub url: url::Url,
    pub status: u16,
    pub sent: Sent,
    pub body: String,
}

pub fn page_input<'p>(data: &[u8], providers: &'p [&'static str]) -> Option<PageInput<'p>> {
    let (control, body) = data.split_at_checked(4)?;
    let [reader, sent, status, url] = [control[0], control[1], control[2], control[3]];
    let n = providers.len();
    let reader = match usize::from(reader) % (n + 3) {
        i if i < n => Reader::Named(providers[i]),
        i if i == n => Reader::Detect { sticky: None },
        i if i == n + 1 => Reader::Detect {
            sticky: Some(providers[usize::from(url) % n]),
        },
        _ => Reader::Bare,
    };
    let sent = Sent {
        username: sent & 1 != 0,
        password: sent & 2 != 0,
        code: (sent & 4 != 0)
            .then(|| CODE_FIELDS[usize::from(url >> 4) % CODE_FIELDS.len()].to_string()),
        next_code: sent & 8 != 0,
        confirmed: vec![0; usize::from((sent >> 4) & 3)],
    };
    Some(PageInput {
        reader,
        url: url::Url::parse(URLS[usize::from(url) % URLS.len()]).ok()?,
        status: STATUSES[usize::from(status) % STATUSES.len()],
        sent,
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

/// What every reading must satisfy: the engine indexes `forms` with the kind's form, fills fields
/// the form has, and repeats at most 200 characters of the IdP's refusal.
pub fn check_reading(reading: &PageReading) {
    if let Some(form) = reading.form {
        assert!(
            form < reading.forms.len(),
            "the page kind names form {form} of {}",
            reading.forms.len()
        );
        assert!(
            reading.submission.is_some(),
            "no request built from the chosen form"
        );
    }
    if reading.kind == "one-time code page" || reading.kind == "one-time code page (next code)" {
        let form = &reading.forms[reading.form.unwrap_or_default()];
        assert!(
            reading.fills.iter().all(|f| form.contains(f)),
            "the code field is not in its form"
        );
    }
    if reading.kind == "refusal"
        && let Some(words) = &reading.words
    {
        assert!(
            words.chars().count() <= 201,
            "a refusal longer than the cap: {} chars",
            words.chars().count()
        );
    }
    if let Some(assertion) = &reading.assertion {
        let value = assertion.base64().expose();
        assert!(!value.is_empty(), "an empty SAMLResponse was taken");
        assert!(
            !value.contains(|c: char| c.is_ascii_whitespace()),
            "whitespace left in the SAMLResponse"
        );
        // The engine hands it on to the assertion parser next.
        let _ = fuzzing::read_saml_response(value, "idp.example");
    }
}
