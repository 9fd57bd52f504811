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

/// The URL without its query and fragment, which may carry tokens: safe for logs and messages.
pub fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}
