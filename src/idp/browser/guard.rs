//! Where the browser engine may send a secret: as the form engine, only over https, or plain http to
//! this machine. The driver only ever reads and types into samlbridge's own page (never a popup, a
//! new tab or a frame another site opened), whose address the IdP's redirects and forms led to from
//! `saml_url`; before a password or a code is typed there, the page and the form it posts to are
//! checked here.

use crate::idp::IdpError;
use url::Url;

/// Whether the sign-in may start at `start` at all (checked before the browser starts).
pub fn may_open(start: &Url) -> Result<(), IdpError> {
    secure_enough(start)
}

/// Whether a password or code may be typed on the page at `page` into a form posting to `action`.
pub fn may_type_secret(page: &str, action: Option<&Url>) -> Result<(), IdpError> {
    let page = Url::parse(page).map_err(|_| {
        IdpError::Setup("refusing to type sign-in data into a page without an address".into())
    })?;
    secure_enough(&page)?;
    match action {
        Some(action) => secure_enough(action),
        None => Ok(()),
    }
}

/// `https://` anywhere; `http://` only to this machine: the form engine's rule.
fn secure_enough(url: &Url) -> Result<(), IdpError> {
    crate::idp::http::check_scheme(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn https_and_loopback_http_pages_may_receive_secrets() {
        for page in [
            "https://idp.corp.example/login",
            "http://127.0.0.1:8080/login",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(may_type_secret(page, None).is_ok(), "{page}");
        }
    }

    #[test]
    fn plain_http_elsewhere_never_does() {
        for page in [
            "http://idp.corp.example/login",
            "http://10.0.0.1/login",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
        ] {
            let refused = may_type_secret(page, None).expect_err(page);
            assert!(refused.to_string().contains("plain http"), "{refused}");
            assert_eq!(refused.exit_kind(), crate::exit::ExitKind::Usage);
        }
        assert!(may_open(&url("http://idp.corp.example/sso")).is_err());
        assert!(may_open(&url("https://idp.corp.example/sso")).is_ok());
    }

    #[test]
    fn a_form_posting_over_plain_http_from_an_https_page_is_refused() {
        let action = url("http://collector.example/post");
        assert!(may_type_secret("https://idp.corp.example/", Some(&action)).is_err());
        let fine = url("https://idp.corp.example/post");
        assert!(may_type_secret("https://idp.corp.example/", Some(&fine)).is_ok());
    }

    #[test]
    fn pages_that_are_not_web_pages_are_refused() {
        for page in [
            "data:text/html,<form>",
            "file:///tmp/x.html",
            "about:blank",
            "nonsense",
        ] {
            assert!(may_type_secret(page, None).is_err(), "{page}");
        }
    }
}
