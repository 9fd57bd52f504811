//! What of an IdP's URL may be shown or keyed on: its host, or the URL without the query and
//! fragment that may carry tokens.

use url::Url;

/// The URL's host name, for messages and session keys (the whole URL may carry tokens); "the IdP"
/// when it has none.
pub fn host_of(url: impl AsRef<str>) -> String {
    Url::parse(url.as_ref())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "the IdP".to_string())
}

/// The root of `url`'s origin (scheme, host, port): an API org such as Okta's, to which every call
/// and every token goes.
pub fn origin_root(url: &Url) -> Url {
    let mut root = url.clone();
    root.set_path("/");
    root.set_query(None);
    root.set_fragment(None);
    let _ = root.set_username("");
    let _ = root.set_password(None);
    root
}

/// `path_or_href` resolved on `root`, only when it stays on root's origin: a link an API answers
/// with never takes its tokens or the password to another host. Err says why not.
pub fn on_origin(root: &Url, path_or_href: &str) -> Result<Url, &'static str> {
    let url = root
        .join(path_or_href)
        .map_err(|_| "it is not a valid URL")?;
    if url.origin() != root.origin() {
        return Err("it leads to another host");
    }
    Ok(url)
}

/// The URL without its query and fragment, which may carry tokens: safe for logs and messages.
pub fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn links_stay_on_the_orgs_origin() {
        let root =
            origin_root(&Url::parse("https://u:p@corp.okta.com:443/app/x/sso?a=b#f").unwrap());
        assert_eq!(root.as_str(), "https://corp.okta.com/");
        assert_eq!(
            on_origin(&root, "/idp/idx/introspect").map(|u| u.to_string()),
            Ok("https://corp.okta.com/idp/idx/introspect".to_string())
        );
        for away in [
            "https://evil.example/idp/idx/challenge",
            "http://corp.okta.com/idp/idx",
            "https://corp.okta.com:8443/x",
            "//evil.example/x",
        ] {
            assert!(on_origin(&root, away).is_err(), "{away}");
        }
    }
}
