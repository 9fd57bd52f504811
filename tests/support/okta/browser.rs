//! What a browser meets at the org: the session token swapped for a session cookie, the AWS app's
//! embed link, the app page carrying the SAMLResponse, and the sign-in page for the signed-out.

use super::org::{Org, Reply};
use super::{APP_PATH, APP_SSO_PATH, OktaHit};

impl Org {
    pub(super) fn cookie_redirect(&mut self, hit: &OktaHit) -> Reply {
        let token = query_value(&hit.query, "token").unwrap_or_default();
        let target = query_value(&hit.query, "redirectUrl").unwrap_or_default();
        let mut reply = Reply::redirect(&target);
        if let Some(sid) = self.redeem(&token) {
            reply
                .headers
                .push(("Set-Cookie".into(), format!("sid={sid}; Path=/; HttpOnly")));
        }
        reply
    }

    /// Swaps a session token (good once) for a session cookie value.
    fn redeem(&mut self, token: &str) -> Option<String> {
        let at = self.session_tokens.iter().position(|t| t == token)?;
        self.session_tokens.remove(at);
        let sid = self.token("102sid");
        self.sessions.push(sid.clone());
        Some(sid)
    }

    pub(super) fn signed_in(&self, hit: &OktaHit) -> bool {
        cookie_value(&hit.cookie, "sid").is_some_and(|sid| self.sessions.contains(&sid))
    }

    /// The embed link: with a session (or a sessionToken in the query), on to the app's SSO URL.
    pub(super) fn embed_link(&mut self, hit: &OktaHit) -> Reply {
        let from_token = query_value(&hit.query, "sessionToken").and_then(|t| self.redeem(&t));
        if !self.signed_in(hit) && from_token.is_none() {
            return Reply::redirect(&format!("/login/login.htm?fromURI={APP_PATH}"));
        }
        let mut reply = Reply::redirect(APP_SSO_PATH);
        if let Some(sid) = from_token {
            reply
                .headers
                .push(("Set-Cookie".into(), format!("sid={sid}; Path=/; HttpOnly")));
        }
        reply
    }

    pub(super) fn app_sso(&self, hit: &OktaHit) -> Reply {
        if !self.signed_in(hit) {
            return Reply::redirect(&format!("/login/login.htm?fromURI={APP_SSO_PATH}"));
        }
        Reply::html(200, saml_page(&self.saml_response))
    }
}

/// One value of a query string, percent-decoded.
pub(super) fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=')?;
        (n == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies.split(';').find_map(|pair| {
        let (n, v) = pair.split_once('=')?;
        (n.trim() == name).then(|| v.trim().to_string())
    })
}

/// The sign-in page a browser without a session lands on: a script, no form.
pub(super) fn sign_in_page() -> String {
    "<!DOCTYPE html><html><head><title>Example Org - Sign In</title></head><body>\
     <div id=\"okta-sign-in\" class=\"auth-container\"></div>\
     <script>OktaSignIn.renderEl({ el: '#okta-sign-in' });</script></body></html>"
        .into()
}

/// The app page: a form a script posts to AWS, its value escaped the way Okta writes it.
pub(super) fn saml_page(saml_response: &str) -> String {
    let value: String = saml_response
        .chars()
        .map(|c| match c {
            '+' => "&#x2b;".to_string(),
            '=' => "&#x3d;".to_string(),
            '/' => "&#x2f;".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Example Org - Signing in...</title></head>\n<body>\n\
         <form id=\"appForm\" action=\"https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml\" \
         method=\"POST\">\n<input name=\"SAMLResponse\" type=\"hidden\" value=\"{value}\"/>\n\
         <input name=\"RelayState\" type=\"hidden\" value=\"\"/>\n</form>\n\
         <script type=\"text/javascript\">(function(){{document.getElementById('appForm')\
         .submit();}})();</script>\n</body></html>\n"
    )
}
