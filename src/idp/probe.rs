//! `samlbridge doctor`'s look at an IdP, without signing in: one GET of the start URL (redirects
//! followed, bounded in time), whether its TLS chain is trusted, which provider file its first page
//! matches, the `Date` it answered with, and the proxy the request went through. For an integrated
//! sign-in profile the request looks like the sign-in's (the same User-Agent), and the IdP's
//! `401 Negotiate`/`NTLM` is reported, never answered: no ticket, no NTLM message, no password.

use super::classify::{detect, is_specific};
use super::http::IdpSession;
use super::integrated::{AuthHosts, Offered, SignInAuth};
use super::page::Page;
use super::provider::Providers;
use super::{IdpError, LoginRequest, okta};
use std::time::Duration;
use url::Url;

/// What the IdP's first page said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpProbe {
    /// Where the redirects ended, without its query (it can hold a request id).
    pub landed: String,
    pub status: u16,
    /// The provider that will sign in, and why: named in the config, or matched by the page.
    pub provider: ProviderMatch,
    /// The answer's `Date` header as sent.
    pub date: Option<String>,
    /// The first page's title, for the person.
    pub title: String,
    /// A `401` offering integrated sign-in, and what it means for the profile's `saml_auth`.
    pub integrated: Option<Challenge>,
}

/// A `401 Negotiate`/`NTLM` the probe ended on, against the profile's `saml_auth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// The scheme the profile signs in with, at a host the sign-in answers.
    Offered(SignInAuth),
    /// At a host the sign-in will not answer: not the `saml_url`'s, not in `saml_auth_hosts`.
    HostNotNamed { host: String, auth: SignInAuth },
    /// Kerberos configured, NTLM alone offered.
    OnlyNtlm,
    /// A forms profile: the sign-in reads the page the `401` carries.
    FormsProfile,
}

impl Challenge {
    /// What a `401` that offers `offered` at `url` means for `req`; None when it offers neither.
    fn of(req: &LoginRequest, url: &Url, offered: &Offered) -> Option<Challenge> {
        if !offered.any() {
            return None;
        }
        Some(match req.auth {
            SignInAuth::Form => Challenge::FormsProfile,
            SignInAuth::Kerberos if !offered.negotiate_offered => Challenge::OnlyNtlm,
            auth if !AuthHosts::new(&req.url, &req.auth_hosts).allows(url) => {
                Challenge::HostNotNamed {
                    host: super::urls::host_of(url),
                    auth,
                }
            }
            auth => Challenge::Offered(auth),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderMatch {
    /// `saml_provider` / `--provider` names it (or the URL is Okta's).
    Named(String),
    /// The page matched this provider file's rules.
    Detected(String),
    /// No provider file recognised the page: the generic engine will try it.
    Fallback,
}

/// One GET of `req.url` within `timeout`: never a form post nor an answered challenge, so nothing
/// is signed in. A provider
/// named that does not exist is refused before the request.
pub async fn probe(req: &LoginRequest, timeout: Duration) -> Result<IdpProbe, IdpError> {
    // Okta signs in through its API, not its pages: no provider file to check or detect.
    let providers = (!okta::applies(req))
        .then(|| Providers::load(req.user_providers.as_deref()))
        .transpose()?;
    if let (Some(name), Some(providers)) = (&req.provider, &providers) {
        providers.named(name)?;
    }
    let url = IdpSession::start_url(&req.url)?;
    let session = IdpSession::probing(req)?;
    let fetched = session.get_within(url, timeout).await?;
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let provider = match (&req.provider, &providers) {
        (Some(name), _) => ProviderMatch::Named(name.clone()),
        (None, None) => ProviderMatch::Named(okta::NAME.to_string()),
        (None, Some(providers)) => {
            let found = detect(providers, &page, None)?;
            if is_specific(found) {
                ProviderMatch::Detected(found.name.clone())
            } else {
                ProviderMatch::Fallback
            }
        }
    };
    Ok(IdpProbe {
        landed: super::urls::without_query(&fetched.url),
        status: fetched.status,
        provider,
        date: fetched.date,
        title: page.title(),
        integrated: (fetched.status == 401)
            .then(|| Challenge::of(req, &fetched.url, &fetched.offered))
            .flatten(),
    })
}

impl IdpError {
    /// The IdP answered with a certificate chain this machine does not trust (a corporate CA that
    /// saml_ca_bundle should name).
    pub fn is_untrusted_certificate(&self) -> bool {
        matches!(self, IdpError::Network { reason, .. } if reason.contains("certificate is not trusted"))
    }

    /// What the TLS layer said about the certificate (`invalid peer certificate: UnknownIssuer`),
    /// shown; None for any other error.
    pub fn certificate_detail(&self) -> Option<String> {
        let IdpError::Network { reason, .. } = self else {
            return None;
        };
        let (_, rest) = reason.split_once("not trusted (")?;
        let detail = rest.split_once("); ").map_or(rest, |(detail, _)| detail);
        Some(crate::shown::outside(detail))
    }
}

/// The proxy a request to `url` goes through, as the HTTP client reads the environment (`var`):
/// the variable's name and its URL without a user or password; None when it goes direct.
pub fn proxy_for(url: &str, var: impl Fn(&str) -> Option<String>) -> Option<(String, String)> {
    let url = Url::parse(url).ok()?;
    let host = url
        .host_str()?
        .trim_matches(['[', ']'])
        .to_ascii_lowercase();
    let first = |names: &[&str]| {
        names.iter().find_map(|n| {
            var(n)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (n.to_string(), v))
        })
    };
    if let Some((_, list)) = first(&["NO_PROXY", "no_proxy"])
        && bypassed(&host, &list)
    {
        return None;
    }
    let scheme_vars: &[&str] = match url.scheme() {
        "https" => &["HTTPS_PROXY", "https_proxy"],
        _ => &["HTTP_PROXY", "http_proxy"],
    };
    let (name, value) = first(scheme_vars).or_else(|| first(&["ALL_PROXY", "all_proxy"]))?;
    Some((name, without_userinfo(&value)))
}

/// Whether `host` is in a NO_PROXY list: `*`, the host itself, or a domain it ends in.
fn bypassed(host: &str, list: &str) -> bool {
    list.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.').to_ascii_lowercase();
        !entry.is_empty() && (entry == "*" || host == entry || host.ends_with(&format!(".{entry}")))
    })
}

/// A proxy URL as it may be shown: a user and password in it are replaced by `***`.
fn without_userinfo(value: &str) -> String {
    match Url::parse(value.trim()) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("***");
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(url) if url.has_host() => url.to_string(),
        // Not a URL with a host (a bare `user:pw@host:port`): cut anything before an `@`.
        _ => match value.rsplit_once('@') {
            Some((_, rest)) => format!("***@{}", rest.trim()),
            None => value.trim().to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_proxy_of_the_url_scheme_is_named_without_its_password() {
        let vars = [
            ("HTTPS_PROXY", "http://bob:s3cret@proxy.corp:3128"),
            ("HTTP_PROXY", "http://plain.corp:80"),
        ];
        let (name, shown) = proxy_for("https://idp.corp.example/sso", env(&vars)).unwrap();
        assert_eq!(name, "HTTPS_PROXY");
        assert!(
            !shown.contains("s3cret") && !shown.contains("bob"),
            "{shown}"
        );
        assert!(shown.contains("proxy.corp:3128"), "{shown}");
        let (name, _) = proxy_for("http://127.0.0.1:8080/sso", env(&vars)).unwrap();
        assert_eq!(name, "HTTP_PROXY");
        assert_eq!(
            proxy_for(
                "https://idp.example/",
                env(&[("all_proxy", "socks5://p:1080")])
            ),
            Some(("all_proxy".into(), "socks5://p:1080".into()))
        );
        assert_eq!(proxy_for("https://idp.example/", env(&[])), None);
        assert_eq!(
            without_userinfo("user:pw@proxy:3128"),
            "***@proxy:3128".to_string()
        );
    }

    #[test]
    fn no_proxy_lists_bypass_hosts_and_their_subdomains() {
        let vars = [
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "localhost, .corp.example,10.0.0.1"),
        ];
        assert_eq!(proxy_for("https://idp.corp.example/", env(&vars)), None);
        assert_eq!(proxy_for("https://corp.example/", env(&vars)), None);
        assert!(proxy_for("https://evilcorp.example/", env(&vars)).is_some());
        assert!(proxy_for("https://idp.other.example/", env(&vars)).is_some());
        let all = [("HTTPS_PROXY", "http://proxy:3128"), ("no_proxy", "*")];
        assert_eq!(proxy_for("https://anything/", env(&all)), None);
    }

    #[test]
    fn an_untrusted_certificate_is_told_apart_from_other_network_errors() {
        let untrusted = IdpError::Network {
            host: "idp".into(),
            reason:
                "its TLS certificate is not trusted (invalid peer certificate: UnknownIssuer); ..."
                    .into(),
        };
        assert!(untrusted.is_untrusted_certificate());
        assert_eq!(
            untrusted.certificate_detail().as_deref(),
            Some("invalid peer certificate: UnknownIssuer")
        );
        let refused = IdpError::Network {
            host: "idp".into(),
            reason: "cannot connect (Connection refused)".into(),
        };
        assert!(!refused.is_untrusted_certificate());
    }
}
