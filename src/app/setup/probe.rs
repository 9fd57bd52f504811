//! Before anyone types a password: can the IdP's URL be reached, is its TLS chain trusted (else the
//! error names saml_ca_bundle), and which provider file its first page matches — `idp::probe`, the
//! same look `doctor` takes. One GET, no form is sent.

use crate::app::context::Context;
use crate::app::error::Result;
use crate::idp::LoginRequest;
use crate::idp::probe::ProviderMatch;
use std::path::PathBuf;
use std::time::Duration;

/// How long the IdP's first page may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

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
    let request = LoginRequest {
        url: url.to_string(),
        provider: named.map(str::to_string),
        ca_bundle,
        user_providers: ctx.user_providers_dir(),
        ..LoginRequest::default()
    };
    let found = crate::idp::probe::probe(&request, PROBE_TIMEOUT).await?;
    let detected = match found.provider {
        ProviderMatch::Detected(name) => Some(name),
        // Named without a --provider: the URL is Okta's.
        ProviderMatch::Named(name) if named.is_none() => Some(name),
        ProviderMatch::Named(_) | ProviderMatch::Fallback => None,
    };
    Ok(Probed {
        detected,
        title: found.title,
    })
}
