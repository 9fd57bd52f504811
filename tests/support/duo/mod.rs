//! A Duo Security service on 127.0.0.1 that runs the Universal Prompt the way Duo's does (the
//! "frameless" v4 prompt): an IdP sends the browser to `/oauth/v1/authorize`, Duo answers with a 303
//! to `/frame/frameless/v4/auth?sid=…&tx=…`, whose `plugin_form` posts itself back; the prompt page
//! (`/frame/prompt`) carries `_xsrf` and the preferred factor and device, and its devices come as
//! JSON from `/frame/v4/auth/prompt/data`; a factor is started at `/frame/v4/prompt` (`factor`,
//! `device`, `passcode`), its status polled at `/frame/v4/status` (the first poll of a push answers
//! `pushed`, later ones are held until the person answers, as Duo's long poll does), and
//! `/frame/v4/oidc/exit` sends the browser back to the IdP's `redirect_uri` with `state` and
//! `duo_code`. The IdP's side of OIDC (`/oauth/v1/token`) is [`DuoService::exchange`], called in
//! process by the IdP emulator.
//!
//! Learned from public clients of the real service: aws-adfs's `_duo_universal_prompt_authenticator`
//! and gimme-aws-creds' Duo Universal tests (requests, fields, status codes), Duo's Web SDK v4
//! documentation (the authorize/token exchange), Duo's Auth API texts for the status messages.

pub mod pages;
mod spa;
mod status;
mod users;

pub use users::{DuoConfig, DuoDevice, DuoUser, PushAnswer};

use status::{Outcome, held_answer};

use crate::http::{HttpRequest, HttpResponse, TestServer, field, lock};
use crate::{random_from, uuid};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const AUTHORIZE_PATH: &str = "/oauth/v1/authorize";
pub const FRAMELESS_PATH: &str = "/frame/frameless/v4/auth";
pub const PROMPT_PAGE_PATH: &str = "/frame/prompt";
pub const PROMPT_DATA_PATH: &str = "/frame/v4/auth/prompt/data";
pub const PROMPT_PATH: &str = "/frame/v4/prompt";
pub const STATUS_PATH: &str = "/frame/v4/status";
pub const EXIT_PATH: &str = "/frame/v4/oidc/exit";

/// Duo's words, as its prompt shows them.
pub const PUSHED: &str = "Pushed a login request to your device...";
pub const APPROVED: &str = "Success. Logging you in...";
pub const DENIED: &str = "Login request denied.";
pub const TIMED_OUT: &str = "Login timed out.";
pub const WRONG_PASSCODE: &str = "Incorrect passcode. Please try again.";
pub const CALLING: &str = "Calling your phone...";
pub const ANSWERED: &str = "Answered. Press any key on your phone to log in.";
pub const SMS_SENT: &str = "New SMS passcodes sent.";
/// The cookie a remembered browser carries (Duo names its own per integration).
pub const REMEMBER_COOKIE: &str = "duo-trusted-browser";
/// How long a status poll is held at most before answering `pushed` again.
pub(super) const LONG_POLL: Duration = Duration::from_secs(5);

/// An authorization the IdP asked for (`request` of /oauth/v1/authorize).
#[derive(Debug, Clone)]
struct Request {
    username: String,
    redirect_uri: String,
    state: String,
}

/// One prompt, keyed by its `sid`.
#[derive(Debug, Clone)]
struct Prompt {
    request: Request,
    tx: String,
    xsrf: String,
    /// The single-page prompt's key for this prompt.
    authkey: String,
    plugin_posted: bool,
    /// The transaction allowed, which the exit may redeem.
    allowed: Option<String>,
}

/// A factor started, keyed by its `txid`.
#[derive(Debug, Clone)]
struct Transaction {
    sid: String,
    kind: TxKind,
    polls: usize,
}

#[derive(Debug, Clone)]
enum TxKind {
    Push { answer: PushAnswer, at: Instant },
    Call { answer: PushAnswer, at: Instant },
    Sms,
    Passcode { right: bool },
}

#[derive(Default)]
struct Ledger {
    requests: HashMap<String, Request>,
    prompts: HashMap<String, Prompt>,
    transactions: HashMap<String, Transaction>,
    codes: HashMap<String, (String, String)>,
    pushes: Vec<String>,
    calls: Vec<String>,
    texts: Vec<String>,
    passcodes: Vec<String>,
    /// Users a text message was sent to, whose SMS passcode is now good (once).
    texted: Vec<String>,
    /// Remembered browsers: cookie value → (user, until).
    remembered: HashMap<String, (String, Instant)>,
    /// Sign-ins Duo let through without a prompt (a remembered browser).
    skipped: usize,
    polls: usize,
    exchanged: usize,
}

struct Duo {
    config: Mutex<DuoConfig>,
    ledger: Mutex<Ledger>,
    base: Mutex<String>,
}

/// A running Duo; stops when dropped (failing the test if nobody used it).
pub struct DuoEmulator {
    server: TestServer,
    duo: Arc<Duo>,
}

/// The IdP's handle on Duo: what its Duo integration (client id and secret) does server-side.
#[derive(Clone)]
pub struct DuoService(Arc<Duo>);

impl std::fmt::Debug for DuoService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DuoService")
    }
}

impl DuoEmulator {
    pub fn start(config: DuoConfig) -> DuoEmulator {
        let duo = Arc::new(Duo {
            config: Mutex::new(config),
            ledger: Mutex::default(),
            base: Mutex::default(),
        });
        let handler = {
            let duo = duo.clone();
            Arc::new(move |req: &HttpRequest| duo.handle(req))
        };
        let server = TestServer::start("Duo emulator", handler);
        *lock(&duo.base) = server.base_url();
        DuoEmulator { server, duo }
    }

    pub fn service(&self) -> DuoService {
        DuoService(self.duo.clone())
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// The device names pushed to, in order.
    pub fn pushes(&self) -> Vec<String> {
        lock(&self.duo.ledger).pushes.clone()
    }

    /// The passcodes tried, in order.
    pub fn passcodes_tried(&self) -> Vec<String> {
        lock(&self.duo.ledger).passcodes.clone()
    }

    /// The device names called, in order.
    pub fn calls(&self) -> Vec<String> {
        lock(&self.duo.ledger).calls.clone()
    }

    /// The device names sent passcodes by text message, in order.
    pub fn texts(&self) -> Vec<String> {
        lock(&self.duo.ledger).texts.clone()
    }

    /// Sign-ins let through without a prompt because the browser was remembered.
    pub fn remembered_sign_ins(&self) -> usize {
        lock(&self.duo.ledger).skipped
    }

    /// Status polls answered.
    pub fn status_polls(&self) -> usize {
        lock(&self.duo.ledger).polls
    }

    /// Authorization codes the IdP redeemed.
    pub fn codes_exchanged(&self) -> usize {
        lock(&self.duo.ledger).exchanged
    }
}

impl DuoService {
    /// Where the IdP sends the browser for `username`'s second factor (Duo's `create_auth_url`):
    /// the `request` stands for the signed JWT that carries these claims.
    pub fn authorize_url(&self, username: &str, redirect_uri: &str, state: &str) -> String {
        let key = jwt_looking();
        lock(&self.0.ledger).requests.insert(
            key.clone(),
            Request {
                username: username.into(),
                redirect_uri: redirect_uri.into(),
                state: state.into(),
            },
        );
        format!(
            "{}{AUTHORIZE_PATH}?response_type=code&client_id=DIXXXXXXXXXXXXXXXXXX&scope=openid&redirect_uri={}&request={key}",
            lock(&self.0.base),
            url::form_urlencoded::byte_serialize(redirect_uri.as_bytes()).collect::<String>()
        )
    }

    /// The token exchange (`/oauth/v1/token`): the user the code was issued for, once.
    pub fn exchange(&self, duo_code: &str, redirect_uri: &str) -> Result<String, String> {
        let mut ledger = lock(&self.0.ledger);
        match ledger.codes.remove(duo_code) {
            Some((user, uri)) if uri == redirect_uri => {
                ledger.exchanged += 1;
                Ok(user)
            }
            Some(_) => Err("invalid_grant: the redirect_uri does not match".into()),
            None => Err("invalid_grant: the code is unknown or already used".into()),
        }
    }
}

impl Duo {
    fn handle(&self, req: &HttpRequest) -> HttpResponse {
        match (req.method.as_str(), req.path.as_str()) {
            (_, AUTHORIZE_PATH) => self.authorize(req),
            ("GET", FRAMELESS_PATH) => self.plugin_form(req),
            ("POST", FRAMELESS_PATH) => self.plugin_posted(req),
            ("GET", PROMPT_PAGE_PATH) => self.prompt_page(req),
            ("GET", PROMPT_DATA_PATH) => self.prompt_data(req),
            ("POST", PROMPT_PATH) | ("POST", PROMPT_PAGE_PATH) => self.start_factor(req),
            ("POST", STATUS_PATH) => self.status(req),
            ("POST", EXIT_PATH) => self.exit(req),
            (_, path) if path.starts_with(spa::PREFIX) => spa::handle(self, req),
            _ => HttpResponse::html(404, pages::error_page("Page not found")),
        }
    }

    fn user(&self, username: &str) -> Option<DuoUser> {
        lock(&self.config)
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .cloned()
    }

    /// GET or POST (AD FS's adapter posts its context along): a 303 to the frameless prompt.
    fn authorize(&self, req: &HttpRequest) -> HttpResponse {
        let query = req.query_pairs();
        let key = field(&query, "request").unwrap_or_default().to_string();
        let Some(request) = lock(&self.ledger).requests.remove(&key) else {
            return HttpResponse::html(400, pages::error_page("Invalid request"));
        };
        if field(&query, "response_type") != Some("code") {
            return HttpResponse::html(400, pages::error_page("Invalid response_type"));
        }
        if self.remembers(req, &request.username) {
            let mut ledger = lock(&self.ledger);
            ledger.skipped += 1;
            return back_to_idp(&mut ledger, &request);
        }
        let sid = format!("frameless-{}", uuid());
        let tx = jwt_looking();
        let xsrf = random_from(b"abcdef0123456789", 40);
        let authkey = random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 20);
        let direct = lock(&self.config).single_page;
        lock(&self.ledger).prompts.insert(
            sid.clone(),
            Prompt {
                request,
                tx: tx.clone(),
                xsrf,
                authkey: authkey.clone(),
                plugin_posted: direct,
                allowed: None,
            },
        );
        if direct {
            return HttpResponse::new(303, "text/html; charset=UTF-8", "").with_header(
                "Location",
                &format!(
                    "{}{}?authkey={authkey}&req_trace_group={}",
                    spa::PREFIX,
                    spa::AKEY,
                    uuid()
                ),
            );
        }
        HttpResponse::new(303, "text/html; charset=UTF-8", "")
            .with_header("Location", &format!("{FRAMELESS_PATH}?sid={sid}&tx={tx}"))
    }

    /// Whether the request carries a remembered browser's cookie for `username`, still good.
    fn remembers(&self, req: &HttpRequest, username: &str) -> bool {
        let Some(token) = req.cookie(REMEMBER_COOKIE) else {
            return false;
        };
        let ledger = lock(&self.ledger);
        ledger
            .remembered
            .get(&token)
            .is_some_and(|(user, until)| user == username && Instant::now() < *until)
    }

    /// A cookie that makes Duo remember this browser for `username`, when Duo offers it.
    fn remember_cookie(&self, username: &str) -> Option<String> {
        let lifetime = lock(&self.config).remember?;
        let token = random_from(b"abcdefghijklmnopqrstuvwxyz0123456789", 40);
        lock(&self.ledger).remembered.insert(
            token.clone(),
            (username.to_string(), Instant::now() + lifetime),
        );
        // Duo's own is `SameSite=None; Secure` over https; over loopback http Chromium refuses
        // that pair, and the IdP and Duo emulators share 127.0.0.1 (one site) anyway.
        Some(format!(
            "{REMEMBER_COOKIE}={token}; Max-Age={}; Path=/; HttpOnly",
            lifetime.as_secs()
        ))
    }

    fn prompt_of(&self, sid: &str) -> Option<Prompt> {
        lock(&self.ledger).prompts.get(sid).cloned()
    }

    fn plugin_form(&self, req: &HttpRequest) -> HttpResponse {
        let query = req.query_pairs();
        let sid = field(&query, "sid").unwrap_or_default();
        match self.prompt_of(sid) {
            Some(p) if field(&query, "tx") == Some(p.tx.as_str()) => {
                HttpResponse::html(200, pages::plugin_form(&p.tx, &p.xsrf))
            }
            _ => HttpResponse::html(400, pages::error_page("Invalid session")),
        }
    }

    fn plugin_posted(&self, req: &HttpRequest) -> HttpResponse {
        let query = req.query_pairs();
        let form = req.form();
        let sid = field(&query, "sid").unwrap_or_default().to_string();
        let mut ledger = lock(&self.ledger);
        let Some(p) = ledger.prompts.get_mut(&sid) else {
            return HttpResponse::html(400, pages::error_page("Invalid session"));
        };
        if field(&form, "tx") != Some(p.tx.as_str()) || field(&form, "_xsrf") != Some(&p.xsrf) {
            return HttpResponse::html(400, pages::error_page("Invalid request"));
        }
        p.plugin_posted = true;
        if lock(&self.config).single_page_after_plugin_form {
            return HttpResponse::html(200, spa::page(&p.authkey));
        }
        if lock(&self.config).bare_prompt {
            let username = p.request.username.clone();
            drop(ledger);
            let user = self
                .user(&username)
                .unwrap_or_else(|| DuoUser::new(&username));
            return HttpResponse::html(200, pages::bare_prompt_page(&user));
        }
        HttpResponse::new(302, "text/html; charset=UTF-8", "")
            .with_header("Location", &format!("{PROMPT_PAGE_PATH}?sid={sid}"))
    }

    /// The prompt, once its plugin form came back.
    fn ready(&self, sid: &str) -> Option<(Prompt, DuoUser)> {
        let p = self.prompt_of(sid).filter(|p| p.plugin_posted)?;
        let user = self.user(&p.request.username)?;
        Some((p, user))
    }

    fn prompt_page(&self, req: &HttpRequest) -> HttpResponse {
        let query = req.query_pairs();
        let sid = field(&query, "sid").unwrap_or_default();
        match self.ready(sid) {
            Some((p, user)) => HttpResponse::html(200, pages::prompt_page(sid, &p.xsrf, &user)),
            None => HttpResponse::html(400, pages::error_page("Invalid session")),
        }
    }

    fn prompt_data(&self, req: &HttpRequest) -> HttpResponse {
        if lock(&self.config).no_prompt_data {
            return HttpResponse::html(404, pages::error_page("Page not found"));
        }
        let query = req.query_pairs();
        let sid = field(&query, "sid").unwrap_or_default();
        match self.ready(sid) {
            Some((_, user)) => {
                let remember = lock(&self.config).remember.is_some();
                json(&pages::prompt_data(&user, remember))
            }
            None => json(&fail(
                "Unknown or expired session. Please go back and try again.",
            )),
        }
    }

    /// `factor` and `device` (a phone's index, `phone1`…), `passcode` for a passcode.
    fn start_factor(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let sid = field(&form, "sid").unwrap_or_default();
        let Some((_, user)) = self.ready(sid) else {
            return json(&fail(
                "Unknown or expired session. Please go back and try again.",
            ));
        };
        let device = field(&form, "device").and_then(|d| pages::device_at(&user, d));
        let factor = match field(&form, "factor") {
            Some("Duo Push") => Factor::Push,
            Some("Phone Call") => Factor::Call,
            Some("sms") => Factor::Sms,
            Some("Passcode") => Factor::Passcode(field(&form, "passcode").unwrap_or_default()),
            // WebAuthn and the rest: not emulated.
            _ => return json(&fail("This authentication method is not available.")),
        };
        match self.begin(sid, &user, factor, device) {
            Ok(txid) => json(&serde_json::json!({"stat": "OK", "response": {"txid": txid}})),
            Err(message) => json(&fail(message)),
        }
    }

    /// Starts `factor` on `device` for the prompt `sid`: the transaction's id, or Duo's refusal.
    fn begin(
        &self,
        sid: &str,
        user: &DuoUser,
        factor: Factor<'_>,
        device: Option<&DuoDevice>,
    ) -> Result<String, &'static str> {
        let at = Instant::now();
        let kind = match factor {
            Factor::Push => {
                let device = device.filter(|d| d.push).ok_or(NO_PUSH)?;
                lock(&self.ledger).pushes.push(device.name.clone());
                TxKind::Push {
                    answer: user.push,
                    at,
                }
            }
            Factor::Call => {
                let device = device.filter(|d| d.number).ok_or(NO_NUMBER)?;
                lock(&self.ledger).calls.push(device.name.clone());
                TxKind::Call {
                    answer: user.call,
                    at,
                }
            }
            Factor::Sms => {
                let device = device.filter(|d| d.number).ok_or(NO_NUMBER)?;
                let mut ledger = lock(&self.ledger);
                ledger.texts.push(device.name.clone());
                ledger.texted.push(user.username.clone());
                TxKind::Sms
            }
            Factor::Passcode(code) => TxKind::Passcode {
                right: self.passcode_is_right(user, code.trim()),
            },
        };
        let txid = uuid();
        lock(&self.ledger).transactions.insert(
            txid.clone(),
            Transaction {
                sid: sid.to_string(),
                kind,
                polls: 0,
            },
        );
        Ok(txid)
    }

    /// Whether `code` is one of the user's passcodes (used up), or the one a text message brought.
    fn passcode_is_right(&self, user: &DuoUser, code: &str) -> bool {
        let mut ledger = lock(&self.ledger);
        ledger.passcodes.push(code.to_string());
        let mut config = lock(&self.config);
        let Some(u) = config
            .users
            .iter_mut()
            .find(|u| u.username == user.username)
        else {
            return false;
        };
        if let Some(at) = u.passcodes.iter().position(|p| p == code) {
            u.passcodes.remove(at);
            return true;
        }
        let texted = ledger.texted.iter().position(|t| *t == u.username);
        match (texted, &u.sms_passcode) {
            (Some(at), Some(sent)) if sent == code => {
                ledger.texted.remove(at);
                true
            }
            _ => false,
        }
    }

    fn status(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let (sid, txid) = (
            field(&form, "sid").unwrap_or_default(),
            field(&form, "txid").unwrap_or_default(),
        );
        match self.poll(sid, txid) {
            Some((outcome, step_up)) => {
                let mut answer = outcome.json();
                if let Some(code) = step_up {
                    answer["response"]["risk_based_factor_selection_data"] =
                        serde_json::json!({"step_up_code": code});
                }
                json(&answer)
            }
            None => json(&fail("Unknown transaction.")),
        }
    }

    /// One poll of the transaction `txid` of the prompt `sid`: what it says (and a Verified
    /// Push's code), held as Duo holds it; None for a transaction this prompt does not have.
    fn poll(&self, sid: &str, txid: &str) -> Option<(Outcome, Option<String>)> {
        let tx = {
            let mut ledger = lock(&self.ledger);
            ledger.polls += 1;
            let t = ledger.transactions.get_mut(txid).filter(|t| t.sid == sid)?;
            t.polls += 1;
            t.clone()
        };
        let outcome = match tx.kind {
            TxKind::Passcode { right: true } => Outcome::Allow,
            TxKind::Passcode { right: false } => Outcome::WrongPasscode,
            TxKind::Sms => Outcome::SmsSent,
            TxKind::Push { .. } if tx.polls == 1 => Outcome::Pushed,
            TxKind::Push { answer, at } => held_answer(answer, at, Outcome::Pushed),
            TxKind::Call { .. } if tx.polls == 1 => Outcome::Calling,
            TxKind::Call { .. } if tx.polls == 2 => Outcome::Answered,
            TxKind::Call { answer, at } => held_answer(answer, at, Outcome::Answered),
        };
        if outcome == Outcome::Allow
            && let Some(p) = lock(&self.ledger).prompts.get_mut(sid)
        {
            p.allowed = Some(txid.to_string());
        }
        let step_up = match tx.kind {
            TxKind::Push { .. } if outcome == Outcome::Pushed => self
                .prompt_of(sid)
                .and_then(|p| self.user(&p.request.username))
                .and_then(|u| u.step_up_code),
            _ => None,
        };
        Some((outcome, step_up))
    }

    /// The exit: the IdP's redirect_uri with `state` and a one-time `duo_code`; a browser that
    /// asked to be remembered (`dampen_choice=true`) gets Duo's cookie when Duo offers it.
    fn exit(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let sid = field(&form, "sid").unwrap_or_default();
        let Some(p) = self.prompt_of(sid) else {
            return HttpResponse::html(400, pages::error_page("Invalid session"));
        };
        if field(&form, "_xsrf") != Some(p.xsrf.as_str())
            || p.allowed.as_deref() != field(&form, "txid").filter(|t| !t.is_empty())
        {
            return HttpResponse::html(400, pages::error_page("Invalid request"));
        }
        let remember = field(&form, "dampen_choice") == Some("true");
        self.finish(sid, remember)
            .unwrap_or_else(|| HttpResponse::html(400, pages::error_page("Invalid session")))
    }

    /// The allowed prompt `sid` ends: its redirect back to the IdP (with Duo's cookie when the
    /// browser asked to be remembered).
    fn finish(&self, sid: &str, remember: bool) -> Option<HttpResponse> {
        let p = lock(&self.ledger).prompts.remove(sid)?;
        let cookie = remember
            .then(|| self.remember_cookie(&p.request.username))
            .flatten();
        let back = back_to_idp(&mut lock(&self.ledger), &p.request);
        Some(match cookie {
            Some(c) => back.with_header("Set-Cookie", &c),
            None => back,
        })
    }
}

/// The factor a prompt starts.
enum Factor<'a> {
    Push,
    Call,
    Sms,
    Passcode(&'a str),
}

const NO_PUSH: &str = "This device cannot receive Duo Push.";
const NO_NUMBER: &str = "This device has no phone number.";

/// The redirect to the IdP's `redirect_uri` with `state` and a one-time `duo_code`.
fn back_to_idp(ledger: &mut Ledger, request: &Request) -> HttpResponse {
    HttpResponse::new(303, "text/html; charset=UTF-8", "")
        .with_header("Location", &return_url(ledger, request))
}

/// The IdP's `redirect_uri` with `state` and a one-time `duo_code` it can redeem.
fn return_url(ledger: &mut Ledger, request: &Request) -> String {
    let code = random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        32,
    );
    ledger.codes.insert(
        code.clone(),
        (request.username.clone(), request.redirect_uri.clone()),
    );
    let sep = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let state: String = url::form_urlencoded::byte_serialize(request.state.as_bytes()).collect();
    format!("{}{sep}state={state}&duo_code={code}", request.redirect_uri)
}

fn fail(message: &str) -> serde_json::Value {
    serde_json::json!({"stat": "FAIL", "message": message, "message_enum": 7})
}

fn json(value: &serde_json::Value) -> HttpResponse {
    HttpResponse::new(200, "application/json", value.to_string())
}

/// Three base64url parts, as Duo's `tx` and `request` JWTs look.
fn jwt_looking() -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    format!(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.{}.{}",
        random_from(B64, 120),
        random_from(B64, 86)
    )
}
