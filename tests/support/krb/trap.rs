//! A host that is not the IdP but asks for Windows integrated sign-in (issue 18 §3): what an attacker
//! runs to collect NTLMv2 responses (for relay or offline cracking) or Kerberos service tickets. It
//! answers like IIS (a `401` offering its schemes, a CHALLENGE to a NEGOTIATE) and records every
//! `Authorization` it is sent, so that a test can prove samlbridge sent it nothing.
//!
//! ```ignore
//! let trap = IntegratedTrap::start(&["NTLM"]);
//! let lure = /* the saml_url's server */ HttpResponse::redirect(&trap.url_as("localhost", "/adfs/ls/wia"));
//! assert!(trap.authenticate_messages().is_empty());
//! ```

use crate::http::{HttpRequest, HttpResponse, TestServer, lock};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::sync::{Arc, Mutex};

/// A running trap; stops when dropped. It need not be hit (a redirect refused earlier is fine).
pub struct IntegratedTrap {
    server: TestServer,
    seen: Arc<Mutex<Vec<String>>>,
}

impl IntegratedTrap {
    /// Offers `schemes` (`NTLM`, `Negotiate`) in its `401`s.
    pub fn start(schemes: &[&str]) -> IntegratedTrap {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let schemes: Vec<String> = schemes.iter().map(|s| s.to_string()).collect();
        let handler = {
            let seen = seen.clone();
            Arc::new(move |req: &HttpRequest| answer(req, &schemes, &seen))
        };
        let server = TestServer::start("integrated-auth trap", handler);
        server.expect_nothing();
        IntegratedTrap { server, seen }
    }

    /// `http://HOST:PORT/PATH`: the trap under another name for this machine (`localhost`).
    pub fn url_as(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.server.addr().port())
    }

    /// Every `Authorization` header it was sent, as sent.
    pub fn authorizations(&self) -> Vec<String> {
        lock(&self.seen).clone()
    }

    /// The NTLM AUTHENTICATE (type 3) messages among them: a response computed from the password.
    pub fn authenticate_messages(&self) -> Vec<String> {
        self.authorizations()
            .into_iter()
            .filter(|a| ntlm_type(a) == Some(3))
            .collect()
    }

    pub fn total_hits(&self) -> usize {
        self.server.total_hits()
    }
}

fn answer(req: &HttpRequest, schemes: &[String], seen: &Mutex<Vec<String>>) -> HttpResponse {
    let authorization = req.header("authorization");
    if let Some(value) = authorization {
        lock(seen).push(value.to_string());
    }
    match authorization.and_then(ntlm_type) {
        Some(1) => HttpResponse::html(401, "").with_header(
            "WWW-Authenticate",
            &format!("NTLM {}", STANDARD.encode(challenge_message())),
        ),
        Some(3) => HttpResponse::html(200, "<html><head><title>thanks</title></head></html>"),
        _ => schemes.iter().fold(
            HttpResponse::html(
                401,
                "<html><head><title>401 - Unauthorized: Access is denied</title></head></html>",
            ),
            |response, scheme| response.with_header("WWW-Authenticate", scheme),
        ),
    }
}

/// The NTLMSSP message type of an `NTLM`/`Negotiate` header carrying raw NTLM, if it is one.
fn ntlm_type(authorization: &str) -> Option<u8> {
    let (_, token) = authorization.trim().split_once(' ')?;
    let bytes = STANDARD.decode(token.trim()).ok()?;
    (bytes.len() > 8 && bytes.starts_with(b"NTLMSSP\0")).then(|| bytes[8])
}

/// A CHALLENGE (type 2) for domain `CORP` with a fixed server challenge: all a client needs to
/// compute its NTLMv2 response (MS-NLMP 2.2.1.2).
fn challenge_message() -> Vec<u8> {
    let name: Vec<u8> = "CORP".encode_utf16().flat_map(u16::to_le_bytes).collect();
    // MsvAvNbDomainName = CORP, then MsvAvEOL.
    let mut info = vec![2, 0, name.len() as u8, 0];
    info.extend_from_slice(&name);
    info.extend_from_slice(&[0, 0, 0, 0]);
    const HEADER: u32 = 56;
    // UNICODE | REQUEST_TARGET | NTLM | TARGET_TYPE_DOMAIN | TARGET_INFO | VERSION
    let flags: u32 = 0x1 | 0x4 | 0x200 | 0x1_0000 | 0x80_0000 | 0x200_0000;
    let field = |len: usize, offset: u32| {
        let mut f = Vec::new();
        f.extend_from_slice(&(len as u16).to_le_bytes());
        f.extend_from_slice(&(len as u16).to_le_bytes());
        f.extend_from_slice(&offset.to_le_bytes());
        f
    };
    let mut message = b"NTLMSSP\0".to_vec();
    message.extend_from_slice(&2u32.to_le_bytes());
    message.extend(field(name.len(), HEADER));
    message.extend_from_slice(&flags.to_le_bytes());
    message.extend_from_slice(b"\x01\x23\x45\x67\x89\xab\xcd\xef");
    message.extend_from_slice(&[0; 8]);
    message.extend(field(info.len(), HEADER + name.len() as u32));
    message.extend_from_slice(&[10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
    message.extend_from_slice(&name);
    message.extend_from_slice(&info);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_a_type_2_whose_fields_point_inside_it() {
        let m = challenge_message();
        assert_eq!(&m[..8], b"NTLMSSP\0");
        assert_eq!(m[8], 2);
        let info_len = u16::from_le_bytes([m[40], m[41]]) as usize;
        let info_at = u32::from_le_bytes([m[44], m[45], m[46], m[47]]) as usize;
        assert_eq!(info_at + info_len, m.len());
    }

    #[test]
    fn message_types_are_read_from_headers() {
        let t1 = format!("NTLM {}", STANDARD.encode(b"NTLMSSP\0\x01\0\0\0"));
        assert_eq!(ntlm_type(&t1), Some(1));
        assert_eq!(ntlm_type("Negotiate YII="), None);
        assert_eq!(ntlm_type("NTLM"), None);
    }
}
