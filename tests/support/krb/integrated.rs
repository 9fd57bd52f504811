//! Windows integrated authentication as IIS and AD FS offer it: which user agents get it (AD FS's
//! default `WIASupportedUserAgents`), the `401` with `WWW-Authenticate: Negotiate` and `NTLM`, each
//! leg handed to the real [`Acceptor`] under the client's connection, the refusal page in words.
//!
//! ```ignore
//! let wia = IntegratedAuth::new(Arc::new(Acceptor::start(Some(&kdc), &ntlm_users)));
//! AdfsEmulator::start(AdfsConfig::default().user(..).integrated(wia.clone()));
//! wia.supports(user_agent);                       // would AD FS offer integrated auth to it?
//! match wia.negotiate(&request) { Negotiated::SignedIn { user, .. } => .., Negotiated::Answer(r) => r }
//! ```

use super::acceptor::{Acceptor, Step};
use crate::http::{HttpRequest, HttpResponse};
use std::sync::Arc;

/// AD FS's default `WIASupportedUserAgents` (Windows Server 2016 and later): a plain entry matches
/// as a substring of the User-Agent; `=~` entries are regular expressions.
pub const WIA_SUPPORTED_USER_AGENTS: [&str; 11] = [
    "MSAuthHost/1.0/In-Domain",
    "MSIE 6.0",
    "MSIE 7.0",
    "MSIE 8.0",
    "MSIE 9.0",
    "MSIE 10.0",
    "Trident/7.0",
    "MSIPC",
    "Windows Rights Management Client",
    "MS_WorkFoldersClient",
    r"=~Windows\s*NT.*Edge",
];

/// A User-Agent Internet Explorer 11 on Windows 10 sends: one AD FS offers integrated auth to.
pub const IE11_USER_AGENT: &str =
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko";

/// IIS's text for a request without (valid) credentials.
pub const UNAUTHORIZED_TITLE: &str =
    "401 - Unauthorized: Access is denied due to invalid credentials.";

/// The schemes a challenge offers, in IIS's order.
pub const SCHEMES: [&str; 2] = ["Negotiate", "NTLM"];

/// Integrated authentication with a real acceptor behind it; cheap to clone.
#[derive(Clone)]
pub struct IntegratedAuth {
    acceptor: Arc<Acceptor>,
    /// The farm's WIASupportedUserAgents.
    pub user_agents: Vec<String>,
    /// What a 401 challenge offers (`Negotiate`, `NTLM`).
    pub schemes: Vec<String>,
}

impl std::fmt::Debug for IntegratedAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntegratedAuth")
            .field("user_agents", &self.user_agents)
            .field("schemes", &self.schemes)
            .finish_non_exhaustive()
    }
}

/// What the acceptor made of one request's `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leg {
    /// No token (or one of a scheme not offered).
    Missing,
    /// More legs: the `WWW-Authenticate` value to send with a `401`.
    Continue(String),
    /// Authenticated: the user as the mechanism names it; the `WWW-Authenticate` value carrying
    /// the server's mutual-authentication token, if any.
    SignedIn {
        user: String,
        mech: String,
        mutual: Option<String>,
    },
    /// The mechanism refused the token: its words.
    Refused(String),
}

/// What one request came to at an IIS-style endpoint.
#[derive(Debug)]
pub enum Negotiated {
    /// The handshake is complete: the user as the mechanism names it, and the header that carries
    /// the server's mutual-authentication token (to add to whatever the endpoint answers).
    SignedIn {
        user: String,
        mech: String,
        mutual: Option<(String, String)>,
    },
    /// A challenge or a refusal to send as it is.
    Answer(HttpResponse),
}

impl IntegratedAuth {
    pub fn new(acceptor: Arc<Acceptor>) -> Self {
        IntegratedAuth {
            acceptor,
            user_agents: WIA_SUPPORTED_USER_AGENTS.map(String::from).to_vec(),
            schemes: SCHEMES.map(String::from).to_vec(),
        }
    }

    /// Offer only these schemes in challenges (e.g. `["Negotiate"]`, as Keycloak does).
    pub fn schemes(mut self, schemes: &[&str]) -> Self {
        self.schemes = schemes.iter().map(|s| s.to_string()).collect();
        self
    }

    pub fn acceptor(&self) -> &Acceptor {
        &self.acceptor
    }

    /// Would AD FS answer this User-Agent with integrated auth rather than the forms page?
    pub fn supports(&self, user_agent: &str) -> bool {
        self.user_agents
            .iter()
            .any(|entry| user_agent_matches(entry, user_agent))
    }

    /// One leg, whatever the endpoint makes of it: the token of this request (if any) handed to
    /// the acceptor under the client's connection.
    pub fn leg(&self, req: &HttpRequest) -> Leg {
        let Some((scheme, token)) = req.header("authorization").and_then(split_authorization)
        else {
            return Leg::Missing;
        };
        if !self.schemes.iter().any(|s| s.eq_ignore_ascii_case(&scheme)) {
            return Leg::Missing;
        }
        let conn = req
            .remote
            .map(|a| a.to_string())
            .unwrap_or_else(|| "unknown".into());
        match self.acceptor.step(&conn, &token) {
            Step::Continue(out) => Leg::Continue(format!("{scheme} {out}")),
            Step::Complete { user, mech, token } => Leg::SignedIn {
                user,
                mech,
                mutual: token.map(|t| format!("{scheme} {t}")),
            },
            Step::Rejected(words) => Leg::Refused(words),
        }
    }

    /// IIS's way: no token → challenge; a next leg → `401` with the server's token; refused → a
    /// fresh challenge whose page says why.
    pub fn negotiate(&self, req: &HttpRequest) -> Negotiated {
        match self.leg(req) {
            Leg::Missing => Negotiated::Answer(self.challenge(None)),
            Leg::Continue(header) => Negotiated::Answer(
                HttpResponse::html(
                    401,
                    refusal_page(UNAUTHORIZED_TITLE, "The handshake goes on."),
                )
                .with_header("WWW-Authenticate", &header),
            ),
            Leg::SignedIn { user, mech, mutual } => Negotiated::SignedIn {
                user,
                mech,
                mutual: mutual.map(|m| ("WWW-Authenticate".to_string(), m)),
            },
            Leg::Refused(words) => Negotiated::Answer(self.challenge(Some(&words))),
        }
    }

    /// A fresh `401` offering every scheme; `why` is what the acceptor said about a refused token.
    pub fn challenge(&self, why: Option<&str>) -> HttpResponse {
        let text = match why {
            Some(why) => format!("Your credentials were refused: {why}"),
            None => "You do not have permission to view this directory or page using the credentials that you supplied.".into(),
        };
        let mut response = HttpResponse::html(401, refusal_page(UNAUTHORIZED_TITLE, &text));
        for scheme in &self.schemes {
            response = response.with_header("WWW-Authenticate", scheme);
        }
        response
    }
}

/// `Negotiate <base64>` → ("Negotiate", base64).
fn split_authorization(value: &str) -> Option<(String, String)> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (!token.is_empty()).then(|| (scheme.to_string(), token.to_string()))
}

/// An AD FS WIASupportedUserAgents entry against a User-Agent.
pub fn user_agent_matches(entry: &str, user_agent: &str) -> bool {
    match entry.strip_prefix("=~") {
        Some(pattern) => simple_regex(pattern, user_agent),
        None => user_agent.contains(entry),
    }
}

/// The regular expressions AD FS's lists use: literals, `\s*` and `.*`, unanchored.
fn simple_regex(pattern: &str, text: &str) -> bool {
    (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .any(|i| match_here(pattern, &text[i..]))
}

fn match_here(pattern: &str, text: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    for (token, class) in [(r"\s*", Some(true)), (".*", None)] {
        if let Some(rest) = pattern.strip_prefix(token) {
            return text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .take_while(|&i| class.is_none() || text[..i].chars().all(char::is_whitespace))
                .any(|i| match_here(rest, &text[i..]));
        }
    }
    let mut chars = pattern.chars();
    let first = chars.next();
    match (first, text.chars().next()) {
        (Some(p), Some(t)) if p == t => match_here(chars.as_str(), &text[t.len_utf8()..]),
        _ => false,
    }
}

/// An IIS-like error page: the words are the point.
pub fn refusal_page(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{}</title></head><body><div id=\"header\"><h1>Server Error</h1></div><div id=\"content\"><h2>{}</h2><h3>{}</h3></div></body></html>",
        escape(title),
        escape(title),
        escape(text)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_matched_as_ad_fs_does() {
        let m = |ua: &str| {
            WIA_SUPPORTED_USER_AGENTS
                .iter()
                .any(|e| user_agent_matches(e, ua))
        };
        assert!(m(IE11_USER_AGENT));
        assert!(m(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0 Safari/537.36 Edge/18.17763"
        ));
        assert!(m("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)"));
        assert!(!m("curl/7.88.1"));
        assert!(!m(
            "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
        ));
        // Edge on macOS is not Windows NT
        assert!(!m("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15) Edge/18"));
    }

    #[test]
    fn the_regex_subset_behaves() {
        assert!(simple_regex(
            r"Windows\s*NT.*Edge",
            "x Windows   NT 10 Edge/1"
        ));
        assert!(simple_regex(r"Windows\s*NT.*Edge", "WindowsNTEdge"));
        assert!(!simple_regex(r"Windows\s*NT.*Edge", "Windows x NT Edge"));
        assert!(!simple_regex(r"Windows\s*NT.*Edge", "Windows NT"));
    }

    #[test]
    fn authorization_headers_split() {
        assert_eq!(
            split_authorization("Negotiate YII="),
            Some(("Negotiate".into(), "YII=".into()))
        );
        assert_eq!(split_authorization("Negotiate"), None);
        assert_eq!(split_authorization("NTLM   "), None);
    }
}
