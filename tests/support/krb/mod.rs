//! Peers for Windows integrated sign-in (issue 11), all real: an MIT KDC per test ([`Kdc`]), a
//! GSSAPI acceptor process for Kerberos/SPNEGO and NTLM ([`Acceptor`]), the IIS/AD FS-style
//! negotiation on top ([`IntegratedAuth`], used by the AD FS emulator's `/adfs/ls/wia`), and a
//! Keycloak-style IdP whose `401 Negotiate` carries a usable login page ([`keycloak`]), and a host
//! that is not the IdP asking for integrated sign-in ([`IntegratedTrap`]).
//!
//! ```ignore
//! use samlbridge_emulators::krb::{self, Kdc, Acceptor, NtlmUser, IntegratedAuth};
//! if let Some(what) = krb::missing() { /* skip, or fail when SAMLBRIDGE_REAL_PEERS=required */ }
//! let kdc = Kdc::start();
//! let wia = IntegratedAuth::new(Arc::new(Acceptor::start(Some(&kdc), &[NtlmUser::new("CORP", "alice", krb::PASSWORD)])));
//! let adfs = AdfsEmulator::start(AdfsConfig::default().user(AdfsUser::new("alice@corp.example", "x").role(..)).integrated(wia));
//! // a WIA user agent (krb::IE11_USER_AGENT) at adfs.sign_in_url() → 302 /adfs/ls/wia → 401 Negotiate, NTLM
//! ```

pub mod acceptor;
pub mod integrated;
pub mod kdc;
pub mod keycloak;
pub mod trap;

pub use acceptor::{Acceptor, NtlmUser, Step};
pub use integrated::{IE11_USER_AGENT, IntegratedAuth, Leg, Negotiated, WIA_SUPPORTED_USER_AGENTS};
pub use kdc::{Kdc, PASSWORD, USER};
pub use trap::IntegratedTrap;

/// What this machine lacks for the integrated-auth peers (None: all here), in words for a skip.
pub fn missing() -> Option<String> {
    let absent: Vec<String> = [kdc::missing(), acceptor::missing()]
        .into_iter()
        .flatten()
        .collect();
    (!absent.is_empty()).then(|| absent.join(", "))
}

/// The name a mechanism gives (`alice@REALM`, `CORP\alice`) without realm or domain: `alice`.
pub fn account_name(user: &str) -> &str {
    let user = user.rsplit_once('\\').map_or(user, |(_, u)| u);
    user.split_once('@').map_or(user, |(u, _)| u)
}
