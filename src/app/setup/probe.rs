//! Before anyone types a password: can the IdP's URL be reached, is its TLS chain trusted (else the
//! error names saml_ca_bundle), and which provider file its first page matches (idp's classifier,
//! as the sign-in itself would pick it). One GET, no form is sent.

use crate::app::context::Context;
use crate::app::error::Result;
use crate::idp::classify::{detect, is_specific};
use crate::idp::okta;
use crate::idp::page::Page;
use crate::idp::provider::Providers;
use crate::idp::{IdpSession, LoginRequest};
use std::path::PathBuf;

/// What the first page said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// The provider the pages matched by their own rules (None: only the generic fallback fits).
    pub detected: Option<String>,
    /// The page's title, for the person.
    pub title: String,
}

/// GETs `url` (redirects followed) and classifies the page; a `--provider` name is checked too.
pub async fn probe(
    ctx: &Context,
    url: &str,
    named: Option<&str>,
    ca_bundle: Option<PathBuf>,
) -> Result<Probed> {
    let user_dir = ctx.user_providers_dir();
    let providers = Providers::load(user_dir.as_deref())?;
    let request = LoginRequest {
        url: url.to_string(),
        provider: named.map(str::to_string),
        ca_bundle,
        user_providers: user_dir,
        ..LoginRequest::default()
    };
    // Okta signs in through its API, not its pages: no provider file to check or detect.
    let api = okta::applies(&request);
    if let Some(name) = named.filter(|_| !api) {
        providers.named(name)?;
    }
    let session = IdpSession::new(&request)?;
    let fetched = session.get(IdpSession::start_url(url)?).await?;
    let page = Page::parse(fetched.url, fetched.status, &fetched.body);
    let detected = if api {
        Some(okta::NAME.to_string())
    } else {
        let provider = detect(&providers, &page, None)?;
        is_specific(provider).then(|| provider.name.clone())
    };
    Ok(Probed {
        detected,
        title: page.title(),
    })
}
