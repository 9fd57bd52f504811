//! A second JavaScript IdP, written the way today's single-page sign-in applications are (Okta
//! Identity Engine's widget, Auth0's Universal Login, Google's and Microsoft's identifier-first
//! pages), with nothing shaped for samlbridge: every path under /signin serves the same shell; the
//! application asks the identifier first and the password on a second screen reached with
//! history.pushState; its inputs are "controlled" (a value written without the native setter and an
//! input event never reaches the application's state) and have no name; its buttons are
//! `<div role=button>` elements that the application enables only on its next render; a "Continue
//! with Google" button comes before the form; a spinner shows while fetch() runs; a refusal is a
//! toast that vanishes after a few seconds, or (`replace_body`) a page of its own written over the
//! whole body. The session is a session cookie; the end is the server's auto-posting page.

use crate::http::{HttpRequest, HttpResponse, TestServer, lock};
use crate::random_hex;
use crate::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the toast (or the error page) says when the password is wrong.
pub const WRONG_PASSWORD_WORDS: &str =
    "Unable to sign in: the password does not match our records (NB-401)";
const SESSION_COOKIE: &str = "nimbus_session";
/// How long the API takes to answer (the spinner shows meanwhile).
const API_DELAY: Duration = Duration::from_millis(600);

#[derive(Debug, Clone)]
pub struct NimbusConfig {
    pub username: String,
    pub password: String,
    pub roles: Vec<SamlRole>,
    /// A wrong password replaces the whole body with an error page instead of a toast.
    pub replace_body: bool,
    /// After the password, the application asks for a security key on a screen of its own.
    pub security_key: bool,
    /// Buttons answer a pointer press (pointerdown then pointerup), not a bare click event.
    pub pointer_press: bool,
    /// How long a toast stays (default 3 s).
    pub toast: Option<Duration>,
}

impl NimbusConfig {
    pub fn new(username: &str, password: &str, roles: Vec<SamlRole>) -> Self {
        NimbusConfig {
            username: username.into(),
            password: password.into(),
            roles,
            replace_body: false,
            security_key: false,
            pointer_press: false,
            toast: None,
        }
    }

    pub fn pointer_press(mut self) -> Self {
        self.pointer_press = true;
        self
    }

    pub fn toast(mut self, shown: Duration) -> Self {
        self.toast = Some(shown);
        self
    }

    pub fn replace_body(mut self) -> Self {
        self.replace_body = true;
        self
    }

    pub fn security_key(mut self) -> Self {
        self.security_key = true;
        self
    }
}

#[derive(Default)]
struct Ledger {
    /// Identify calls waiting for their password: state token → username.
    tokens: HashSet<String>,
    sessions: HashSet<String>,
    password_checks: usize,
    sessions_used: usize,
    federated: usize,
    assertions: usize,
}

pub struct NimbusIdp {
    server: TestServer,
    ledger: Arc<Mutex<Ledger>>,
}

impl NimbusIdp {
    pub fn start(config: NimbusConfig) -> NimbusIdp {
        let ledger: Arc<Mutex<Ledger>> = Arc::default();
        let state = (Arc::new(config), ledger.clone());
        let server = TestServer::start(
            "nimbus-idp",
            Arc::new(move |req: &HttpRequest| answer(&state.0, &state.1, req)),
        );
        NimbusIdp { server, ledger }
    }

    /// The application's deep link for AWS, as an admin copies it from the IdP's console.
    pub fn sign_in_url(&self) -> String {
        format!(
            "{}/signin/app/aws?fromURI=%2Fsso%2Fsaml",
            self.server.base_url()
        )
    }

    pub fn password_checks(&self) -> usize {
        lock(&self.ledger).password_checks
    }

    pub fn sessions_used(&self) -> usize {
        lock(&self.ledger).sessions_used
    }

    /// Times the browser followed "Continue with Google" (a sign-in that must not happen).
    pub fn federated(&self) -> usize {
        lock(&self.ledger).federated
    }

    pub fn assertions_issued(&self) -> usize {
        lock(&self.ledger).assertions
    }
}

fn answer(config: &NimbusConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    let path = req.path.as_str();
    match (req.method.as_str(), path) {
        ("GET", p) if p.starts_with("/signin/federated/") => {
            lock(ledger).federated += 1;
            HttpResponse::html(
                200,
                "<html><head><title>Google</title></head><body><p>Redirecting to accounts.google.com\
                 &hellip;</p></body></html>",
            )
        }
        ("GET", p) if p.starts_with("/signin/") => {
            let flags = serde_json::json!({
                "errorPage": config.replace_body,
                "pointerPress": config.pointer_press,
                "toastMs": config.toast.map(|t| t.as_millis() as u64),
            });
            let flags = format!("<script>window.__NIMBUS__ = {flags};</script>");
            HttpResponse::html(200, SHELL.replace("<!--flags-->", &flags))
        }
        ("GET", "/assets/nimbus.js") => HttpResponse::new(200, "text/javascript", APP),
        ("GET", "/api/v1/session") => {
            let live = has_session(ledger, req);
            if live {
                lock(ledger).sessions_used += 1;
            }
            json(200, &format!("{{\"active\":{live}}}"))
        }
        ("POST", "/api/v1/identify") => identify(config, ledger, req),
        ("POST", "/api/v1/challenge/password") => password(config, ledger, req),
        ("GET", "/sso/saml") if has_session(ledger, req) => {
            lock(ledger).assertions += 1;
            let page = format!(
                "<!doctype html><html><head><title>Signing in&hellip;</title></head><body>\
                 <form id=\"appForm\" method=\"POST\" action=\"{}\"><input type=\"hidden\" \
                 name=\"SAMLResponse\" value=\"{}\"></form><script>document.getElementById('appForm')\
                 .submit();</script></body></html>",
                saml::AWS_SIGNIN,
                assertion(config)
            );
            HttpResponse::html(200, page)
        }
        ("GET", "/sso/saml") => HttpResponse::redirect("/signin/identify"),
        ("GET", "/favicon.ico") => HttpResponse::new(404, "text/plain", ""),
        _ => HttpResponse::new(404, "text/plain", "not found"),
    }
}

fn body(req: &HttpRequest) -> serde_json::Value {
    serde_json::from_slice(&req.body).unwrap_or_default()
}

fn identify(config: &NimbusConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    std::thread::sleep(API_DELAY);
    let sent = body(req);
    let who = sent["identifier"].as_str().unwrap_or_default();
    if !who.eq_ignore_ascii_case(&config.username) {
        return json(
            400,
            r#"{"errorSummary":"There is no account with that email address."}"#,
        );
    }
    let token = random_hex(12);
    lock(ledger).tokens.insert(token.clone());
    json(
        200,
        &serde_json::json!({"stateToken": token, "next": "password"}).to_string(),
    )
}

fn password(config: &NimbusConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    std::thread::sleep(API_DELAY);
    let sent = body(req);
    let token = sent["stateToken"].as_str().unwrap_or_default();
    let given = sent["passcode"].as_str().unwrap_or_default();
    let mut ledger = lock(ledger);
    ledger.password_checks += 1;
    if !ledger.tokens.contains(token) || given != config.password {
        let said = serde_json::json!({ "errorSummary": WRONG_PASSWORD_WORDS });
        return json(401, &said.to_string());
    }
    if config.security_key {
        return json(200, r#"{"next":"webauthn"}"#);
    }
    let sid = random_hex(16);
    ledger.sessions.insert(sid.clone());
    json(200, r#"{"next":"done"}"#).with_header(
        "Set-Cookie",
        &format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
    )
}

fn has_session(ledger: &Mutex<Ledger>, req: &HttpRequest) -> bool {
    req.cookie(SESSION_COOKIE)
        .is_some_and(|sid| lock(ledger).sessions.contains(&sid))
}

fn assertion(config: &NimbusConfig) -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "https://nimbus.example/".into(),
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

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", body.as_bytes().to_vec())
}

/// Served for every /signin path: no form, no field, a mount point and a live region for toasts.
const SHELL: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Nimbus | Sign In</title>
<style>.nb-spinner{width:24px;height:24px;border:3px solid #ccc;border-top-color:#06c;border-radius:50%}
.nb-btn{display:inline-block;padding:8px 16px;background:#06c;color:#fff;cursor:pointer}
.nb-btn[aria-disabled=true]{opacity:.4}</style></head>
<body><!--flags--><main id="nb-root"><div class="nb-spinner" aria-busy="true"></div></main>
<div id="nb-toasts" aria-live="assertive"></div>
<script src="/assets/nimbus.js" defer></script></body></html>"#;

/// The application (nimbus.js).
const APP: &str = include_str!("nimbus.js");
