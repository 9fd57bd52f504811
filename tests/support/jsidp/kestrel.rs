//! A third JavaScript IdP: one form that changes in place (Google's and Microsoft's identifier-first
//! pages), written with nothing shaped for samlbridge. The first screen also holds a password input
//! for password managers, kept out of sight (off-screen, aria-hidden); "Next" is a type=button; the
//! password is asked in the same form afterwards and sent with an `<input type=submit form=…>`
//! outside it; a refusal is written later into the element the input's aria-describedby names. The
//! session is a session cookie, the end the server's auto-posting page.

use crate::http::{HttpRequest, HttpResponse, TestServer, field, lock};
use crate::random_hex;
use crate::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the page writes when the password is wrong.
pub const WRONG_PASSWORD_WORDS: &str =
    "Wrong password. Try again or click Forgot password to reset it.";
const SESSION_COOKIE: &str = "KSID";

#[derive(Default)]
struct Ledger {
    sessions: HashSet<String>,
    password_checks: usize,
    sessions_used: usize,
}

pub struct KestrelIdp {
    server: TestServer,
    ledger: Arc<Mutex<Ledger>>,
}

impl KestrelIdp {
    pub fn start(username: &str, password: &str, roles: Vec<SamlRole>) -> KestrelIdp {
        let ledger: Arc<Mutex<Ledger>> = Arc::default();
        let who = (username.to_string(), password.to_string(), roles);
        let state = (Arc::new(who), ledger.clone());
        let server = TestServer::start(
            "kestrel-idp",
            Arc::new(move |req: &HttpRequest| answer(&state.0, &state.1, req)),
        );
        KestrelIdp { server, ledger }
    }

    pub fn sign_in_url(&self) -> String {
        format!("{}/k/signin?continue=aws", self.server.base_url())
    }

    pub fn password_checks(&self) -> usize {
        lock(&self.ledger).password_checks
    }

    pub fn sessions_used(&self) -> usize {
        lock(&self.ledger).sessions_used
    }
}

type Account = (String, String, Vec<SamlRole>);

fn answer(account: &Account, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    let live = req
        .cookie(SESSION_COOKIE)
        .is_some_and(|sid| lock(ledger).sessions.contains(&sid));
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/k/signin") if live => {
            lock(ledger).sessions_used += 1;
            HttpResponse::redirect("/k/saml")
        }
        ("GET", "/k/signin") => HttpResponse::html(200, PAGE),
        ("GET", "/k/app.js") => HttpResponse::new(200, "text/javascript", APP),
        ("POST", "/k/lookup") => {
            let sent = req.form();
            if field(&sent, "login").is_some_and(|l| l.eq_ignore_ascii_case(&account.0)) {
                json(200, "{}")
            } else {
                json(404, r#"{"reason":"Couldn't find your account."}"#)
            }
        }
        ("POST", "/k/verify") => {
            let sent = req.form();
            lock(ledger).password_checks += 1;
            let right = field(&sent, "login").is_some_and(|l| l.eq_ignore_ascii_case(&account.0))
                && field(&sent, "secret") == Some(account.1.as_str());
            if !right {
                let said = serde_json::json!({ "reason": WRONG_PASSWORD_WORDS });
                return json(401, &said.to_string());
            }
            let sid = random_hex(16);
            lock(ledger).sessions.insert(sid.clone());
            json(200, r#"{"next":"/k/saml"}"#).with_header(
                "Set-Cookie",
                &format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
            )
        }
        ("GET", "/k/saml") if live => HttpResponse::html(200, assertion_page(account)),
        ("GET", "/k/saml") => HttpResponse::redirect("/k/signin"),
        _ => HttpResponse::new(404, "text/plain", "not found"),
    }
}

fn assertion_page(account: &Account) -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "https://kestrel.example/".into(),
        name_id: account.0.clone(),
        session_name: Some(account.0.clone()),
        roles: account.2.clone(),
        session_duration: None,
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style: XmlStyle::SamlPrefix,
    });
    format!(
        "<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"{}\"></form></body></html>",
        saml::AWS_SIGNIN,
        saml::encode(&xml, None)
    )
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", body.as_bytes().to_vec())
}

/// The page as served: the form's first screen; the script does the rest.
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in - Kestrel Accounts</title></head>
<body><h1>Sign in</h1><p>Use your Kestrel Account</p>
<form id="kf" novalidate>
  <label>Email or phone <input type="email" id="kIdent" autocomplete="username" spellcheck="false"></label>
  <div id="kIdentErr" aria-live="assertive"></div>
  <input type="password" id="kHiddenPw" aria-hidden="true" tabindex="-1" autocomplete="current-password"
         style="position:absolute;left:-9999px;top:0;width:1px;opacity:0">
  <button type="button" id="kNext">Next</button>
</form>
<div id="kActions"><a href="/k/help">Forgot email?</a></div>
<script src="/k/app.js"></script></body></html>"#;

const APP: &str = include_str!("kestrel.js");
