//! An Okta org on 127.0.0.1 that answers like Okta's Authentication API as Okta documents it
//! (developer.okta.com, "Authentication API"): primary authentication, MFA_REQUIRED with the user's
//! factors, TOTP and SMS codes, Okta Verify push with polling and the number challenge, Okta's error
//! documents; then the session-token-for-cookie swap and the AWS app page carrying a SAMLResponse.
//!
//! One file, two homes: src/idp/okta/emulator.rs (the crate's unit tests) and tests/support/okta.rs
//! (the integration tests: `pub mod okta;` in tests/support/mod.rs). It uses std, tiny_http,
//! serde_json and base64 only, and a unit test keeps the two copies identical. The server stops when
//! dropped; a test whose emulator was never asked anything fails.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The AWS app's embed link, as the Okta dashboard shows it.
pub const APP_PATH: &str = "/home/amazon_aws/0oa1sb2aws3okta4emu/272";
/// Where the embed link sends a signed-in browser.
pub const APP_SSO_PATH: &str = "/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml";
const EXPIRES_AT: &str = "2099-01-01T00:05:00.000Z";

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
    /// A code sent by SMS when the factor is verified without a passCode.
    Sms { phone: String, code: String },
    /// Listed but never verified here (`webauthn`/`FIDO`, `web`/`DUO`...).
    Other {
        factor_type: String,
        provider: String,
    },
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

/// An open authentication transaction.
struct Transaction {
    user: usize,
    polls: usize,
    sms_sent: bool,
}

/// What the org remembers between requests.
struct Org {
    base: String,
    users: Vec<OktaUser>,
    saml_response: String,
    transactions: HashMap<String, Transaction>,
    session_tokens: Vec<String>,
    sessions: Vec<String>,
    /// Every token handed out, for tests that look for them where they must not be.
    issued: Vec<String>,
    counter: u64,
}

struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            content_type: "application/json;charset=UTF-8",
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html;charset=utf-8",
            headers: Vec::new(),
            body,
        }
    }

    fn redirect(location: &str) -> Reply {
        let mut reply = Reply::html(302, String::new());
        reply.headers.push(("Location".into(), location.into()));
        reply
    }

    /// Okta's error document.
    fn error(status: u16, code: &str, summary: &str, causes: &[&str]) -> Reply {
        let causes: Vec<Value> = causes
            .iter()
            .map(|c| json!({ "errorSummary": c }))
            .collect();
        Reply::json(
            status,
            json!({
                "errorCode": code,
                "errorSummary": summary,
                "errorLink": code,
                "errorId": "oaeSamlbridgeEmulator01",
                "errorCauses": causes,
            }),
        )
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
        let server = match tiny_http::Server::http("127.0.0.1:0") {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("the Okta emulator cannot listen on 127.0.0.1: {e}"),
        };
        let port = server.server_addr().to_ip().map_or(0, |a| a.port());
        let base = format!("http://127.0.0.1:{port}");
        let org = Arc::new(Mutex::new(Org {
            base: base.clone(),
            users,
            saml_response: base64::engine::general_purpose::STANDARD.encode(saml_response_xml),
            transactions: HashMap::new(),
            session_tokens: Vec::new(),
            sessions: Vec::new(),
            issued: Vec::new(),
            counter: 0,
        }));
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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

/// One value of a query string, percent-decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
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

impl Org {
    fn answer(&mut self, hit: &OktaHit) -> Reply {
        let path = hit.path.as_str();
        match (hit.method.as_str(), path) {
            ("POST", "/api/v1/authn") => self.primary(hit),
            ("POST", "/api/v1/authn/cancel") => Reply::json(200, json!({})),
            ("POST", p) if p.starts_with("/api/v1/authn/factors/") && p.ends_with("/verify") => {
                let id = &p["/api/v1/authn/factors/".len()..p.len() - "/verify".len()];
                self.verify(hit, id)
            }
            ("GET", "/login/sessionCookieRedirect") => self.cookie_redirect(hit),
            ("GET", APP_PATH) => self.embed_link(hit),
            ("GET", APP_SSO_PATH) => self.app_sso(hit),
            ("GET", "/login/login.htm") => Reply::html(200, sign_in_page()),
            _ if path.starts_with("/api/") => Reply::error(
                404,
                "E0000007",
                &format!("Not found: Resource not found: {path} (GenericResource)"),
                &[],
            ),
            _ => Reply::html(404, "<title>Not Found</title><h1>404</h1>".into()),
        }
    }

    fn token(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = format!("{prefix}{nanos:08x}Emu{:06x}tok", self.counter);
        self.issued.push(token.clone());
        token
    }

    fn primary(&mut self, hit: &OktaHit) -> Reply {
        if !hit.content_type.starts_with("application/json") {
            return Reply::error(
                415,
                "E0000003",
                "The request body was not well-formed.",
                &[],
            );
        }
        let body = hit.json();
        let login = body["username"].as_str().unwrap_or("");
        let password = body["password"].as_str().unwrap_or("");
        let found = self.users.iter().position(|u| {
            u.login.eq_ignore_ascii_case(login) && u.password == password && !password.is_empty()
        });
        let Some(user) = found else {
            return Reply::error(401, "E0000004", "Authentication failed", &[]);
        };
        if self.users[user].locked {
            let unlock = format!("{}/api/v1/authn/recovery/unlock", self.base);
            return Reply::json(
                200,
                json!({ "status": "LOCKED_OUT", "_links": { "next": link("unlock", &unlock) } }),
            );
        }
        if self.users[user].factors.is_empty() {
            return self.success(user);
        }
        let state = self.token("00st");
        self.transactions.insert(
            state.clone(),
            Transaction {
                user,
                polls: 0,
                sms_sent: false,
            },
        );
        let factors: Vec<Value> = (0..self.users[user].factors.len())
            .map(|i| self.factor_json(user, i))
            .collect();
        Reply::json(
            200,
            json!({
                "stateToken": state,
                "expiresAt": EXPIRES_AT,
                "status": "MFA_REQUIRED",
                "_embedded": { "user": self.user_json(user), "factors": factors },
                "_links": { "cancel": link("", &format!("{}/api/v1/authn/cancel", self.base)) },
            }),
        )
    }

    fn success(&mut self, user: usize) -> Reply {
        let token = self.token("20111");
        self.session_tokens.push(token.clone());
        Reply::json(
            200,
            json!({
                "expiresAt": EXPIRES_AT,
                "status": "SUCCESS",
                "sessionToken": token,
                "_embedded": { "user": self.user_json(user) },
            }),
        )
    }

    fn verify(&mut self, hit: &OktaHit, id: &str) -> Reply {
        let body = hit.json();
        let state = body["stateToken"].as_str().unwrap_or("").to_string();
        let Some(tx) = self.transactions.get(&state) else {
            return Reply::error(401, "E0000011", "Invalid token provided", &[]);
        };
        let user = tx.user;
        let index = (0..self.users[user].factors.len()).find(|&i| factor_id(self, user, i) == id);
        let Some(index) = index else {
            let summary = format!("Not found: Resource not found: {id} (UserFactor)");
            return Reply::error(404, "E0000007", &summary, &[]);
        };
        let pass_code = body["passCode"].as_str().map(str::to_string);
        match self.users[user].factors[index].clone() {
            OktaFactor::Totp { code, .. } => self.check_code(&state, pass_code, &code),
            OktaFactor::Sms { code, .. } => match pass_code {
                None => self.sms_sent(&state, user, index),
                Some(_) if !self.transactions[&state].sms_sent => wrong_code(),
                Some(_) => self.check_code(&state, pass_code, &code),
            },
            OktaFactor::Push {
                polls,
                outcome,
                number,
            } => self.push_poll(&state, user, index, (polls, outcome, number)),
            OktaFactor::Other { .. } => wrong_code(),
        }
    }

    fn check_code(&mut self, state: &str, given: Option<String>, code: &str) -> Reply {
        if given.as_deref() != Some(code) {
            return wrong_code();
        }
        let user = self.transactions[state].user;
        self.transactions.remove(state);
        self.success(user)
    }

    fn sms_sent(&mut self, state: &str, user: usize, index: usize) -> Reply {
        if let Some(tx) = self.transactions.get_mut(state) {
            tx.sms_sent = true;
        }
        self.challenge(state, user, index, None, None)
    }

    fn push_poll(
        &mut self,
        state: &str,
        user: usize,
        index: usize,
        (polls, outcome, number): (usize, PushOutcome, Option<u32>),
    ) -> Reply {
        let seen = self.transactions.get(state).map_or(0, |t| t.polls);
        if let Some(tx) = self.transactions.get_mut(state) {
            tx.polls += 1;
        }
        if seen < polls {
            let number = if seen > 0 { number } else { None };
            return self.challenge(state, user, index, Some("WAITING"), number);
        }
        match outcome {
            PushOutcome::Approve => {
                self.transactions.remove(state);
                self.success(user)
            }
            PushOutcome::Reject => self.challenge(state, user, index, Some("REJECTED"), None),
            PushOutcome::Timeout => self.challenge(state, user, index, Some("TIMEOUT"), None),
        }
    }

    /// MFA_CHALLENGE: a push waiting (`next` is the poll link) or ended, or a code sent.
    fn challenge(
        &self,
        state: &str,
        user: usize,
        index: usize,
        result: Option<&str>,
        number: Option<u32>,
    ) -> Reply {
        let mut factor = self.factor_json(user, index);
        let verify = factor["_links"]["verify"]["href"].clone();
        if let Some(n) = number {
            factor["_embedded"] = json!({ "challenge": { "correctAnswer": n } });
        }
        if let Some(fields) = factor.as_object_mut() {
            fields.remove("_links");
        }
        let next_name = if result == Some("WAITING") {
            "poll"
        } else {
            "verify"
        };
        let mut doc = json!({
            "stateToken": state,
            "expiresAt": EXPIRES_AT,
            "status": "MFA_CHALLENGE",
            "_embedded": { "user": self.user_json(user), "factor": factor },
            "_links": {
                "next": link(next_name, verify.as_str().unwrap_or("")),
                "cancel": link("", &format!("{}/api/v1/authn/cancel", self.base)),
                "prev": link("", &format!("{}/api/v1/authn/previous", self.base)),
            },
        });
        if let Some(r) = result {
            doc["factorResult"] = json!(r);
        }
        Reply::json(200, doc)
    }

    fn cookie_redirect(&mut self, hit: &OktaHit) -> Reply {
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

    fn signed_in(&self, hit: &OktaHit) -> bool {
        cookie_value(&hit.cookie, "sid").is_some_and(|sid| self.sessions.contains(&sid))
    }

    /// The embed link: with a session (or a sessionToken in the query), on to the app's SSO URL.
    fn embed_link(&mut self, hit: &OktaHit) -> Reply {
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

    fn app_sso(&self, hit: &OktaHit) -> Reply {
        if !self.signed_in(hit) {
            return Reply::redirect(&format!("/login/login.htm?fromURI={APP_SSO_PATH}"));
        }
        Reply::html(200, saml_page(&self.saml_response))
    }

    fn user_json(&self, user: usize) -> Value {
        let login = &self.users[user].login;
        json!({
            "id": format!("00u{user}sb2emu"),
            "passwordChanged": "2024-01-02T03:04:05.000Z",
            "profile": {
                "login": login,
                "firstName": login.split(['@', '.']).next().unwrap_or(login),
                "lastName": "Example",
                "locale": "en_US",
                "timeZone": "America/Los_Angeles",
            },
        })
    }

    fn factor_json(&self, user: usize, index: usize) -> Value {
        let id = factor_id(self, user, index);
        let (factor_type, provider, profile) = match &self.users[user].factors[index] {
            OktaFactor::Totp { provider, .. } => (
                "token:software:totp".to_string(),
                provider.clone(),
                json!({ "credentialId": self.users[user].login }),
            ),
            OktaFactor::Push { .. } => (
                "push".into(),
                "OKTA".into(),
                json!({ "deviceType": "SmartPhone_Android", "name": "Pixel 8", "platform": "ANDROID", "version": "14" }),
            ),
            OktaFactor::Sms { phone, .. } => {
                ("sms".into(), "OKTA".into(), json!({ "phoneNumber": phone }))
            }
            OktaFactor::Other {
                factor_type,
                provider,
            } => (factor_type.clone(), provider.clone(), json!({})),
        };
        let verify = format!("{}/api/v1/authn/factors/{id}/verify", self.base);
        json!({
            "id": id,
            "factorType": factor_type,
            "provider": provider,
            "vendorName": provider,
            "profile": profile,
            "_links": { "verify": link("", &verify) },
        })
    }
}

fn factor_id(org: &Org, user: usize, index: usize) -> String {
    let prefix = match &org.users[user].factors[index] {
        OktaFactor::Totp { .. } => "ost",
        OktaFactor::Push { .. } => "opf",
        OktaFactor::Sms { .. } => "sms",
        OktaFactor::Other { .. } => "fwf",
    };
    format!("{prefix}{user}x{index}Emu")
}

fn link(name: &str, href: &str) -> Value {
    let mut link = json!({ "href": href, "hints": { "allow": ["POST"] } });
    if !name.is_empty() {
        link["name"] = json!(name);
    }
    link
}

fn wrong_code() -> Reply {
    Reply::error(
        403,
        "E0000068",
        "Invalid Passcode/Answer",
        &["Your passcode doesn't match our records. Please try again."],
    )
}

/// The sign-in page a browser without a session lands on: a script, no form.
fn sign_in_page() -> String {
    "<!DOCTYPE html><html><head><title>Example Org - Sign In</title></head><body>\
     <div id=\"okta-sign-in\" class=\"auth-container\"></div>\
     <script>OktaSignIn.renderEl({ el: '#okta-sign-in' });</script></body></html>"
        .into()
}

/// The app page: a form a script posts to AWS, its value escaped the way Okta writes it.
fn saml_page(saml_response: &str) -> String {
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
