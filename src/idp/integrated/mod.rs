//! Windows integrated sign-in (issue 11): samlbridge presents itself as a browser AD FS offers
//! integrated authentication to, and answers the IdP's `401 WWW-Authenticate: Negotiate` (or `NTLM`)
//! with a Kerberos token from the user's credential cache (`gssapi`, the system's library) or with
//! NTLM from the username and password (`ntlm`). The session's `http::integrated` runs the legs
//! over one connection, and only for the hosts `hosts` lets it answer.

// Integrated sign-in is a cargo feature (on by default); without it, `off` stands in for the two
// clients, and a handshake fails saying the build left them out.
#[cfg(feature = "integrated")]
pub(crate) mod gssapi;
pub(crate) mod hosts;
#[cfg(feature = "integrated")]
pub(crate) mod ntlm;
#[cfg(not(feature = "integrated"))]
mod off;
#[cfg(not(feature = "integrated"))]
pub(crate) use off::{gssapi, ntlm};

use super::IdpError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gssapi::{FailureKind, GssFailure};
use std::fmt;

pub use hosts::{AuthHosts, parse_auth_hosts};
pub use ntlm::NtlmCredentials;

/// How the IdP is signed in to (`saml_auth`, `--auth`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SignInAuth {
    /// The IdP's pages and forms (and a `401 Negotiate` is read as the page it carries).
    #[default]
    Form,
    /// SPNEGO/Kerberos from the credential cache: no password.
    Kerberos,
    /// NTLM from the username and password.
    Ntlm,
}

impl SignInAuth {
    pub fn is_integrated(self) -> bool {
        self != SignInAuth::Form
    }
}

impl fmt::Display for SignInAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignInAuth::Form => "form",
            SignInAuth::Kerberos => "kerberos",
            SignInAuth::Ntlm => "ntlm",
        })
    }
}

/// Internet Explorer 11 on 64-bit Windows 10: its `Windows NT 10.0; Win64; x64; Trident/7.0` is in
/// AD FS's default `WIASupportedUserAgents` (which matches `Trident/7.0` as well), so AD FS sends it
/// to integrated authentication instead of the forms page.
pub const USER_AGENT: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko";

/// The schemes a `401` offers, with the token each carries (a later leg's challenge).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offered {
    pub negotiate: Option<Vec<u8>>,
    pub negotiate_offered: bool,
    pub ntlm: Option<Vec<u8>>,
    pub ntlm_offered: bool,
}

impl Offered {
    /// Reads every `WWW-Authenticate` value (several headers, or one with commas).
    pub fn read<'a>(values: impl Iterator<Item = &'a str>) -> Offered {
        let mut offered = Offered::default();
        for value in values {
            for part in value.split(',') {
                let mut words = part.split_whitespace();
                let Some(scheme) = words.next() else { continue };
                let token = words.next().and_then(|t| STANDARD.decode(t.trim()).ok());
                if scheme.eq_ignore_ascii_case("negotiate") {
                    offered.negotiate_offered = true;
                    offered.negotiate = offered.negotiate.take().or(token);
                } else if scheme.eq_ignore_ascii_case("ntlm") {
                    offered.ntlm_offered = true;
                    offered.ntlm = offered.ntlm.take().or(token);
                }
            }
        }
        offered
    }

    pub fn any(&self) -> bool {
        self.negotiate_offered || self.ntlm_offered
    }
}

/// What an expired-ticket error says (`refresh` recognises it in a wrapped message).
pub const TICKET_EXPIRED: &str = "the Kerberos ticket has expired";

/// A Kerberos failure as the error a person can act on; `host` is the IdP's, `principal` the
/// username when the profile names one.
pub fn kerberos_error(host: &str, principal: Option<&str>, failure: &GssFailure) -> IdpError {
    let kinit = match principal {
        Some(p) => format!("run kinit {p}"),
        None => "run kinit <you>@<REALM>".to_string(),
    };
    let said = crate::shown::outside(&failure.message);
    match failure.kind() {
        FailureKind::NoTicket => IdpError::NoTicket {
            host: host.to_string(),
            message: format!(
                "no Kerberos ticket to sign in with ({said}); {kinit} (or log on to the domain) \
                 and try again"
            ),
            expired: false,
        },
        FailureKind::Expired => IdpError::NoTicket {
            host: host.to_string(),
            message: format!(
                "no Kerberos ticket to sign in with: {TICKET_EXPIRED} ({said}); {kinit} and try \
                 again"
            ),
            expired: true,
        },
        FailureKind::KdcUnreachable => IdpError::Network {
            host: "the Kerberos KDC".to_string(),
            reason: format!(
                "no ticket for HTTP/{host} can be had ({said}); check the realm's kdc in \
                 krb5.conf or DNS, and the VPN"
            ),
        },
        FailureKind::UnknownService => IdpError::Integrated {
            host: host.to_string(),
            message: format!(
                "the KDC knows no service HTTP/{host} ({said}); use the IdP's host name that \
                 its SPN is registered for in saml_url, or set saml_auth = ntlm or form"
            ),
            person: true,
        },
        FailureKind::Other => IdpError::Integrated {
            host: host.to_string(),
            message: format!(
                "Kerberos could not make a token for HTTP/{host} ({said}); check the ticket \
                 with klist, or set saml_auth = ntlm or form"
            ),
            person: false,
        },
    }
}

pub(crate) fn encode(token: &[u8]) -> String {
    STANDARD.encode(token)
}

#[cfg(all(test, feature = "integrated"))]
mod tests;
