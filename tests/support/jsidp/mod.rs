//! An IdP whose sign-in is a JavaScript application, as Entra ID, Okta Identity Engine or PingOne
//! are: the HTML it serves has no form and no field; its script draws the sign-in box, checks the
//! password through a JSON API, writes a refusal into the page, and builds and posts the
//! SAMLResponse form to AWS itself. Its session is a *session* cookie (gone when a browser closes).
//! Optionally the password is followed by a security-key (WebAuthn) step. A second application
//! (`steps`) draws real forms one after the other — username, password, one-time code — with submit
//! handlers, writes refusals into an alert, and ends on the server's own auto-posting page.
//!
//! The form engine cannot sign in here; only a browser can.

use crate::http::{HttpRequest, HttpResponse, TestServer, lock};
use crate::random_hex;
use crate::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod kestrel;
pub mod nimbus;

/// What the steps application shows when the code is wrong.
pub const WRONG_CODE_WORDS: &str = "That code didn't work. Check the code and try again.";
/// What the page writes under the form when the password is wrong.
pub const WRONG_PASSWORD_WORDS: &str = "That password is not right for this account (ACME-4011)";
const SESSION_COOKIE: &str = "acme_sid";
const PENDING_COOKIE: &str = "acme_pending";

#[derive(Debug, Clone)]
pub struct JsIdpConfig {
    pub username: String,
    pub password: String,
    pub roles: Vec<SamlRole>,
    /// After the password, ask for a security key (navigator.credentials.get).
    pub security_key: bool,
    /// The session check answers only after this long (the page keeps waiting for it).
    pub stall: Option<Duration>,
    /// No password: the page waits until the sign-in is approved elsewhere (`approve`), as a
    /// person completing a step on another device would.
    pub approval: bool,
    /// The steps application instead of the card.
    pub steps: bool,
    /// The one-time code asked after the password (steps application).
    pub code: Option<String>,
    /// The card says no in an alert() box instead of the page.
    pub alerts: bool,
    /// The card offers passkey autofill (a conditional WebAuthn request) beside the password.
    pub passkey_autofill: bool,
    /// The component application: the form in a custom element's shadow root.
    pub component: bool,
    /// The sign-in page shows the application in a (same-origin) frame.
    pub framed: bool,
}

impl JsIdpConfig {
    pub fn new(username: &str, password: &str, roles: Vec<SamlRole>) -> Self {
        JsIdpConfig {
            username: username.into(),
            password: password.into(),
            roles,
            security_key: false,
            stall: None,
            approval: false,
            steps: false,
            code: None,
            alerts: false,
            passkey_autofill: false,
            component: false,
            framed: false,
        }
    }

    pub fn framed(mut self) -> Self {
        self.framed = true;
        self
    }

    pub fn component(mut self) -> Self {
        self.component = true;
        self
    }

    pub fn passkey_autofill(mut self) -> Self {
        self.passkey_autofill = true;
        self
    }

    pub fn alerts(mut self) -> Self {
        self.alerts = true;
        self
    }

    /// Forms drawn one after the other; with `code`, a one-time code after the password.
    pub fn steps(mut self, code: Option<&str>) -> Self {
        self.steps = true;
        self.code = code.map(str::to_string);
        self
    }

    pub fn approval(mut self) -> Self {
        self.approval = true;
        self
    }

    pub fn stall(mut self, pause: Duration) -> Self {
        self.stall = Some(pause);
        self
    }

    pub fn security_key(mut self) -> Self {
        self.security_key = true;
        self
    }
}

#[derive(Default)]
struct Ledger {
    approved: bool,
    sessions: HashSet<String>,
    /// Passwords accepted, codes still to come.
    pending: HashSet<String>,
    code_checks: usize,
    password_checks: usize,
    sessions_used: usize,
    assertions: usize,
}

pub struct JsIdp {
    server: TestServer,
    ledger: Arc<Mutex<Ledger>>,
}

impl JsIdp {
    pub fn start(config: JsIdpConfig) -> JsIdp {
        let ledger: Arc<Mutex<Ledger>> = Arc::default();
        let state = (Arc::new(config), ledger.clone());
        let server = TestServer::start(
            "js-idp",
            Arc::new(move |req: &HttpRequest| answer(&state.0, &state.1, req)),
        );
        JsIdp { server, ledger }
    }

    pub fn sign_in_url(&self) -> String {
        format!("{}/app/login?client=aws", self.server.base_url())
    }

    /// Passwords the API checked (right or wrong).
    pub fn password_checks(&self) -> usize {
        lock(&self.ledger).password_checks
    }

    /// Page loads that found a live session and skipped the password.
    pub fn sessions_used(&self) -> usize {
        lock(&self.ledger).sessions_used
    }

    /// Session checks asked so far (answered or not).
    pub fn session_checks(&self) -> usize {
        self.server.hits("POST", "/api/session")
    }

    /// The person approves the sign-in (approval mode).
    pub fn approve(&self) {
        lock(&self.ledger).approved = true;
    }

    /// Times the page asked whether the sign-in was approved.
    pub fn approval_polls(&self) -> usize {
        self.server.hits("POST", "/api/approval")
    }

    /// Codes the API checked (right or wrong).
    pub fn code_checks(&self) -> usize {
        lock(&self.ledger).code_checks
    }

    pub fn assertions_issued(&self) -> usize {
        lock(&self.ledger).assertions
    }
}

fn answer(config: &JsIdpConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/app/login") if config.framed => HttpResponse::html(
            200,
            "<!doctype html><html><head><title>Acme Identity</title></head><body><h1>Acme</h1>\
             <iframe src=\"/app/frame\" title=\"sign-in\" style=\"width:100%;height:480px;border:0\">\
             </iframe></body></html>",
        ),
        ("GET", "/app/login") | ("GET", "/app/frame") => {
            let flags = format!(
                "<body><script>window.ACME_ALERTS = {}; window.ACME_AUTOFILL = {};</script>",
                config.alerts, config.passkey_autofill
            );
            HttpResponse::html(200, SHELL.replace("<body>", &flags))
        }
        ("GET", "/app/main.js") if config.component => {
            HttpResponse::new(200, "text/javascript", COMPONENT_APP)
        }
        ("GET", "/app/main.js") if config.steps => {
            HttpResponse::new(200, "text/javascript", STEPS_APP)
        }
        ("GET", "/app/main.js") => HttpResponse::new(200, "text/javascript", CARD_APP),
        ("POST", "/api/user") => {
            let sent: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let user = sent["username"].as_str().unwrap_or_default();
            if user.eq_ignore_ascii_case(&config.username) {
                json(200, "{\"exists\":true}")
            } else {
                json(
                    404,
                    "{\"message\":\"We couldn't find an account with that username.\"}",
                )
            }
        }
        ("POST", "/api/code") => code(config, ledger, req),
        ("GET", "/sso/finish") if has_session(ledger, req) => {
            let page = format!(
                "<html><head><title>Working...</title></head><body onload=\"document.forms[0].submit()\">\
                 <form method=\"POST\" action=\"{}\"><input type=\"hidden\" name=\"SAMLResponse\" \
                 value=\"{}\"><noscript><button>Continue</button></noscript></form></body></html>",
                saml::AWS_SIGNIN,
                assertion(config, ledger)
            );
            HttpResponse::html(200, page)
        }
        ("GET", "/favicon.ico") => HttpResponse::new(404, "text/plain", ""),
        ("POST", "/api/session") => {
            if let Some(pause) = config.stall {
                std::thread::sleep(pause);
            }
            let live = has_session(ledger, req);
            if live {
                lock(ledger).sessions_used += 1;
            }
            json(
                200,
                &format!("{{\"signedIn\":{live},\"approval\":{}}}", config.approval),
            )
        }
        ("POST", "/api/approval") => {
            if !lock(ledger).approved {
                return json(200, "{\"approved\":false}");
            }
            session_reply(ledger, "{\"approved\":true}")
        }
        ("POST", "/api/authn") => authn(config, ledger, req),
        ("POST", "/api/assertion") if has_session(ledger, req) => {
            let body = serde_json::json!({
                "SAMLResponse": assertion(config, ledger),
                "RelayState": "",
            });
            json(200, &body.to_string())
        }
        ("POST", "/api/assertion") => json(401, "{\"message\":\"no session\"}"),
        _ => HttpResponse::new(404, "text/plain", "not found"),
    }
}

/// A fresh SAMLResponse for the configured user, base64.
fn assertion(config: &JsIdpConfig, ledger: &Mutex<Ledger>) -> String {
    lock(ledger).assertions += 1;
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "https://acme-idp.example/".into(),
        name_id: config.username.clone(),
        session_name: Some(config.username.clone()),
        roles: config.roles.clone(),
        session_duration: None,
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style: XmlStyle::SamlPrefix,
    });
    saml::encode(&xml, None)
}

/// The one-time code after an accepted password; right: the session cookie.
fn code(config: &JsIdpConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    let sent: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let given = sent["code"].as_str().unwrap_or_default();
    let pending = req
        .cookie(PENDING_COOKIE)
        .filter(|p| lock(ledger).pending.contains(p));
    lock(ledger).code_checks += 1;
    if pending.is_none() || config.code.as_deref() != Some(given) {
        let body = serde_json::json!({ "message": WRONG_CODE_WORDS });
        return json(401, &body.to_string());
    }
    session_reply(ledger, "{\"next\":\"done\"}")
}

/// `body` with a new session cookie.
fn session_reply(ledger: &Mutex<Ledger>, body: &str) -> HttpResponse {
    let sid = random_hex(16);
    lock(ledger).sessions.insert(sid.clone());
    json(200, body).with_header(
        "Set-Cookie",
        &format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
    )
}

fn has_session(ledger: &Mutex<Ledger>, req: &HttpRequest) -> bool {
    req.cookie(SESSION_COOKIE)
        .is_some_and(|sid| lock(ledger).sessions.contains(&sid))
}

fn authn(config: &JsIdpConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    let sent: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let user = sent["username"].as_str().unwrap_or_default();
    let pass = sent["password"].as_str().unwrap_or_default();
    lock(ledger).password_checks += 1;
    if !user.eq_ignore_ascii_case(&config.username) || pass != config.password {
        let body = serde_json::json!({ "message": WRONG_PASSWORD_WORDS });
        return json(401, &body.to_string());
    }
    if config.code.is_some() {
        let pending = random_hex(16);
        lock(ledger).pending.insert(pending.clone());
        return json(200, "{\"next\":\"code\"}").with_header(
            "Set-Cookie",
            &format!("{PENDING_COOKIE}={pending}; Path=/; HttpOnly; SameSite=Lax"),
        );
    }
    let next = if config.security_key {
        "securityKey"
    } else {
        "done"
    };
    session_reply(ledger, &format!("{{\"next\":\"{next}\"}}"))
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", body.as_bytes().to_vec())
}

/// The page as served: no form, no field, only the script's mount point.
const SHELL: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Acme Identity</title></head>
<body><div id="root"><p>Loading&hellip;</p></div><script src="/app/main.js"></script></body></html>"#;

/// The card application (card.js): one box, no form element at all.
const CARD_APP: &str = include_str!("card.js");
/// The steps application (steps.js): forms drawn one after the other (username, password, code),
/// refusals in an alert, then the server's own auto-posting page.
const STEPS_APP: &str = include_str!("steps.js");
/// The component application (component.js): the form in an open shadow root.
const COMPONENT_APP: &str = include_str!("component.js");
