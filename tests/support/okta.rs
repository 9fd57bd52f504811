//! An Okta org on 127.0.0.1 that answers like Okta's Authentication API as Okta documents it
//! (developer.okta.com, "Authentication API"): primary authentication, MFA_REQUIRED with the user's
//! factors, TOTP and SMS codes, Okta Verify push with polling and the number challenge, Okta's error
//! documents; then the session-token-for-cookie swap and the AWS app page carrying a SAMLResponse.
//!
//! Used by the integration tests and by the unit tests of src/idp/okta/.
//! The server stops when dropped; a test whose emulator was never asked anything fails.
//!
//! `org` holds the org's state and answers its Authentication API; `browser` answers what a browser
//! asks: the session cookie swap, the app link and its pages.

mod browser;
mod idx;
mod org;

use crate::http::{lock, loopback_server};
use org::Org;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The AWS app's embed link, as the Okta dashboard shows it.
pub const APP_PATH: &str = "/home/amazon_aws/0oa1sb2aws3okta4emu/272";
/// Where the embed link sends a signed-in browser.
pub const APP_SSO_PATH: &str = "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml";

/// A factor a user has enrolled, and how the org answers it.
#[derive(Debug, Clone)]
pub enum OktaFactor {
    /// `token:software:totp`; provider `GOOGLE` or `OKTA`.
    Totp { provider: String, code: String },
    /// Okta Verify push: the verify call and the first `polls - 1` polls answer WAITING (with
    /// `number` as the challenge's correctAnswer from the first poll on), the last poll `outcome`.
    Push {
        polls: usize,
        outcome: PushOutcome,
        number: Option<u32>,
    },
    /// A code sent by SMS when the factor is verified without a passCode; on an Identity Engine
    /// org the `sms` method of the `phone_number` authenticator.
    Sms { phone: String, code: String },
    /// A code read out in a voice call: Classic's `call` factor, the Identity Engine phone's
    /// `voice` method (one phone authenticator with `Sms` when both are given).
    Call { phone: String, code: String },
    /// A code sent by e-mail: Classic's `email` factor, the Identity Engine's `okta_email`.
    Email { email: String, code: String },
    /// Listed but never verified here (`webauthn`/`FIDO`, `web`/`DUO`...).
    Other {
        factor_type: String,
        provider: String,
    },
}

/// An Okta Identity Engine org: the app page bootstraps the Sign-In Widget with a stateToken,
/// and the sign-in is IDX (`/idp/idx/...`) as Okta's Sign-In Widget speaks it.
#[derive(Debug, Clone, Copy)]
pub struct OieOrg {
    /// `identify` asks for the username alone; the password is a `challenge-authenticator` after.
    pub identifier_first: bool,
    /// The `refresh` (ms) of `challenge-poll`.
    pub refresh_ms: u64,
    /// The list of authenticators names the phone by its id alone, and choosing the e-mail
    /// authenticator is answered with Okta's "Send me an email" step: the method is chosen on an
    /// `authenticator-verification-data` form (as the Sign-In Widget's mocks of Okta show it).
    pub method_step: bool,
}

impl Default for OieOrg {
    fn default() -> Self {
        OieOrg {
            identifier_first: false,
            refresh_ms: 4000,
            method_step: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Approve,
    Reject,
    Timeout,
}

#[derive(Debug, Clone)]
pub struct OktaUser {
    pub login: String,
    pub password: String,
    pub factors: Vec<OktaFactor>,
    /// Answer LOCKED_OUT (a password policy that shows lockout failures).
    pub locked: bool,
}

impl OktaUser {
    pub fn new(login: &str, password: &str) -> Self {
        OktaUser {
            login: login.into(),
            password: password.into(),
            factors: Vec::new(),
            locked: false,
        }
    }

    pub fn with(mut self, factor: OktaFactor) -> Self {
        self.factors.push(factor);
        self
    }
}

/// One request as the org saw it.
#[derive(Debug, Clone, Default)]
pub struct OktaHit {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub accept: String,
    pub cookie: String,
    pub body: String,
}

impl OktaHit {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

pub struct OktaEmulator {
    pub base: String,
    hits: Arc<Mutex<Vec<OktaHit>>>,
    org: Arc<Mutex<Org>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl OktaEmulator {
    /// An org with `users` whose AWS app answers with `saml_response_xml`, base64-encoded.
    pub fn start(users: Vec<OktaUser>, saml_response_xml: &str) -> OktaEmulator {
        let server = Arc::new(loopback_server("the Okta emulator"));
        let port = server.server_addr().to_ip().map_or(0, |a| a.port());
        let base = format!("http://127.0.0.1:{port}");
        let org = Arc::new(Mutex::new(Org::new(&base, users, saml_response_xml)));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (srv, log, state) = (server.clone(), hits.clone(), org.clone());
        let thread = std::thread::spawn(move || serve(&srv, &log, &state));
        OktaEmulator {
            base,
            hits,
            org,
            server,
            thread: Some(thread),
        }
    }

    /// An Identity Engine org with `users`, whose AWS app answers with `saml_response_xml`.
    pub fn start_oie(users: Vec<OktaUser>, saml_response_xml: &str, oie: OieOrg) -> OktaEmulator {
        let emulator = OktaEmulator::start(users, saml_response_xml);
        lock(&emulator.org).oie = Some(oie);
        emulator
    }

    /// The calls to `/idp/idx/...`.
    pub fn idx_hits(&self) -> Vec<OktaHit> {
        let hits = self.hits();
        hits.into_iter()
            .filter(|h| h.path.starts_with("/idp/idx/"))
            .collect()
    }

    /// The AWS app's embed link: what saml_url holds.
    pub fn app_url(&self) -> String {
        format!("{}{APP_PATH}", self.base)
    }

    pub fn hits(&self) -> Vec<OktaHit> {
        lock(&self.hits).clone()
    }

    /// The calls to `/api/v1/...`.
    pub fn api_hits(&self) -> Vec<OktaHit> {
        let hits = self.hits();
        hits.into_iter()
            .filter(|h| h.path.starts_with("/api/"))
            .collect()
    }

    /// Every stateToken, sessionToken and session cookie value handed out so far.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.org).issued.clone()
    }

    /// The SAMLResponse value the app page carries.
    pub fn saml_response(&self) -> String {
        lock(&self.org).saml_response.clone()
    }
}

impl Drop for OktaEmulator {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !std::thread::panicking() && lock(&self.hits).is_empty() {
            panic!(
                "the Okta emulator at {} was never asked anything",
                self.base
            );
        }
    }
}

fn serve(server: &tiny_http::Server, hits: &Mutex<Vec<OktaHit>>, org: &Mutex<Org>) {
    // Bounded: a test that forgets to drop its emulator still ends.
    while let Ok(Some(mut request)) = server.recv_timeout(Duration::from_secs(60)) {
        let hit = read_hit(&mut request);
        lock(hits).push(hit.clone());
        let reply = lock(org).answer(&hit);
        let mut response = tiny_http::Response::from_string(reply.body)
            .with_status_code(reply.status)
            .with_header(header("Content-Type", reply.content_type));
        for (name, value) in &reply.headers {
            response.add_header(header(name, value));
        }
        let _ = request.respond(response);
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => h,
        Err(()) => panic!("bad header {name}"),
    }
}

fn read_hit(request: &mut tiny_http::Request) -> OktaHit {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let get = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.to_string())
            .unwrap_or_default()
    };
    let (path, query) = match request.url().split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (request.url().to_string(), String::new()),
    };
    OktaHit {
        method: request.method().to_string(),
        path,
        query,
        content_type: get("Content-Type"),
        accept: get("Accept"),
        cookie: get("Cookie"),
        body,
    }
}
