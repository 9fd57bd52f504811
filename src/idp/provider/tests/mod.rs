//! The provider files: the built-in and users' files load (`loading`); and per provider, its fixture
//! pages (tests/fixtures/<provider>/) classified one by one, and whole sign-ins against a scripted IdP
//! on 127.0.0.1 serving them: to the SAMLResponse, a wrong password and a wrong code refused in the
//! IdP's words.

mod adfs;
mod adfs2;
mod adfs_choose;
mod duo;
mod entra;
mod f5apm;
mod generic;
mod keycloak;
mod lemonldap;
mod loading;
mod netiq;
mod pingfederate;
mod shibboleth;
mod user_files;

use super::Providers;
use crate::idp::classify::{self, PageKind, Progress};
use crate::idp::page::Page;
use crate::idp::{IdpError, LoginRequest};
use crate::saml::SamlAssertion;
use crate::testing::answers::ScriptedAnswers;
use crate::testing::idp::TestIdp;
use url::Url;

/// The start of the base64 SAMLResponse every fixture carries.
pub const ASSERTION_START: &str = "PHNhbWxwOlJlc3BvbnNl";

/// A fixture page, by its path under tests/fixtures/.
pub fn fixture(path: &str) -> String {
    let file = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The provider detected for the page at `url` and what the page is, after `progress`.
pub fn classify_page(url: &str, html: &str, progress: &Progress) -> (String, PageKind) {
    let providers = Providers::load(None).unwrap();
    let page = Page::parse(Url::parse(url).unwrap(), 200, html);
    let provider = classify::detect(&providers, &page, None).unwrap();
    let forms = page.forms();
    (
        provider.name.clone(),
        classify::classify(&page, &forms, provider, progress),
    )
}

/// What the engine has sent: the password, and the code field when one was sent.
pub fn after_password(code_field: Option<&str>) -> Progress {
    Progress {
        sent_username: true,
        sent_password: true,
        sent_code: code_field.map(str::to_string),
        ..Progress::default()
    }
}

pub fn login_fields(kind: &PageKind) -> (Option<&str>, Option<&str>) {
    match kind {
        PageKind::Login {
            username, password, ..
        } => (username.as_deref(), password.as_deref()),
        other => panic!("not a sign-in page: {other:?}"),
    }
}

/// The field and label of a code page.
pub fn mfa_field(kind: &PageKind) -> (&str, &str, bool) {
    match kind {
        PageKind::Mfa {
            field, label, next, ..
        } => (field.as_str(), label.as_str(), *next),
        other => panic!("not a code page: {other:?}"),
    }
}

pub fn rejected(kind: &PageKind) -> &str {
    match kind {
        PageKind::Rejected(words) => words,
        other => panic!("not a refusal: {other:?}"),
    }
}

/// Signs in at `path` of `idp`, the provider detected from the pages (or `provider`).
pub async fn sign_in(
    idp: &TestIdp,
    path: &str,
    provider: Option<&str>,
    a: &mut ScriptedAnswers,
) -> Result<SamlAssertion, IdpError> {
    let req = LoginRequest {
        url: idp.url(path),
        provider: provider.map(str::to_string),
        ..LoginRequest::default()
    };
    crate::idp::sign_in_fresh(&req, a).await
}

/// Signs in at `path` of `idp` with `saml_mfa_factor` set to `factor`.
pub async fn sign_in_with_factor(
    idp: &TestIdp,
    path: &str,
    factor: &str,
    a: &mut ScriptedAnswers,
) -> Result<SamlAssertion, IdpError> {
    let req = LoginRequest {
        url: idp.url(path),
        mfa_factor: Some(factor.to_string()),
        ..LoginRequest::default()
    };
    crate::idp::sign_in_fresh(&req, a).await
}

/// The IdP's words of a refusal, or a failed test.
pub fn refusal(result: Result<SamlAssertion, IdpError>) -> String {
    match result {
        Err(IdpError::Rejected { message, .. }) => message,
        Err(other) => panic!("not a refusal: {other:?}"),
        Ok(_) => panic!("signed in"),
    }
}

/// The assertion's base64, checked to be the fixtures'.
pub fn assert_signed_in(result: Result<SamlAssertion, IdpError>) {
    match result {
        Ok(a) => assert!(a.base64().expose().starts_with(ASSERTION_START)),
        Err(e) => panic!("sign-in failed: {e}"),
    }
}
