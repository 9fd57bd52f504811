//! An IdP whose sign-in is a JavaScript application, as Entra ID, Okta Identity Engine or PingOne
//! are: the HTML it serves has no form and no field; its script draws the sign-in box, checks the
//! password through a JSON API, writes a refusal into the page, and builds and posts the
//! SAMLResponse form to AWS itself. Its session is a *session* cookie (gone when a browser closes).
//! Optionally the password is followed by a security-key (WebAuthn) step.
//!
//! The form engine cannot sign in here; only a browser can.

use crate::support::http::{HttpRequest, HttpResponse, TestServer, lock};
use crate::support::random_hex;
use crate::support::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the page writes under the form when the password is wrong.
pub const WRONG_PASSWORD_WORDS: &str = "That password is not right for this account (ACME-4011)";
const SESSION_COOKIE: &str = "acme_sid";

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
        }
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

    pub fn assertions_issued(&self) -> usize {
        lock(&self.ledger).assertions
    }
}

fn answer(config: &JsIdpConfig, ledger: &Mutex<Ledger>, req: &HttpRequest) -> HttpResponse {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/app/login") => HttpResponse::html(200, SHELL),
        ("GET", "/app/main.js") => HttpResponse::new(200, "text/javascript", APP),
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
            let sid = random_hex(16);
            lock(ledger).sessions.insert(sid.clone());
            json(200, "{\"approved\":true}").with_header(
                "Set-Cookie",
                &format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
            )
        }
        ("POST", "/api/authn") => authn(config, ledger, req),
        ("POST", "/api/assertion") if has_session(ledger, req) => {
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
            let body = serde_json::json!({
                "SAMLResponse": saml::encode(&xml, None),
                "RelayState": "",
            });
            json(200, &body.to_string())
        }
        ("POST", "/api/assertion") => json(401, "{\"message\":\"no session\"}"),
        _ => HttpResponse::new(404, "text/plain", "not found"),
    }
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
    let sid = random_hex(16);
    lock(ledger).sessions.insert(sid.clone());
    let next = if config.security_key {
        "securityKey"
    } else {
        "done"
    };
    json(200, &format!("{{\"next\":\"{next}\"}}")).with_header(
        "Set-Cookie",
        &format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
    )
}

fn json(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, "application/json", body.as_bytes().to_vec())
}

/// The page as served: no form, no field, only the script's mount point.
const SHELL: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Acme Identity</title></head>
<body><div id="root"><p>Loading&hellip;</p></div><script src="/app/main.js"></script></body></html>"#;

/// The application: draws the sign-in box (plain inputs and a type=button, no form), checks the
/// password through the API, shows refusals in its own words, and posts the assertion to AWS.
const APP: &str = r#"(async function () {
  const root = document.getElementById('root');
  const post = (path, body) => fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
  });
  async function toAws() {
    const answer = await (await post('/api/assertion')).json();
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = 'https://signin.aws.amazon.com/saml';
    for (const [name, value] of Object.entries(answer)) {
      const input = document.createElement('input');
      input.type = 'hidden'; input.name = name; input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }
  function securityKey() {
    root.innerHTML = '<h2>Verify it is you</h2><p id="hint">Insert your security key and touch it.</p>';
    navigator.credentials.get({ publicKey: {
      challenge: new Uint8Array(32), timeout: 600000, userVerification: 'preferred',
    } }).then(toAws, () => { document.getElementById('hint').textContent = 'Try again.'; });
  }
  function signIn() {
    root.innerHTML = '';
    const card = document.createElement('div');
    card.className = 'card';
    const title = document.createElement('h1');
    title.textContent = 'Sign in to Acme';
    const user = document.createElement('input');
    user.id = 'identifier'; user.type = 'email'; user.placeholder = 'you@acme.example';
    const pass = document.createElement('input');
    pass.id = 'secret'; pass.type = 'password'; pass.placeholder = 'Password';
    const go = document.createElement('button');
    go.type = 'button'; go.textContent = 'Continue';
    const note = document.createElement('p');
    note.className = 'note';
    go.addEventListener('click', async () => {
      go.disabled = true;
      note.textContent = '';
      const reply = await post('/api/authn', { username: user.value, password: pass.value });
      const said = await reply.json();
      go.disabled = false;
      if (!reply.ok) { pass.value = ''; note.textContent = said.message; return; }
      if (said.next === 'securityKey') { securityKey(); } else { toAws(); }
    });
    card.append(title, user, pass, go, note);
    root.appendChild(card);
  }
  async function awaitApproval() {
    root.innerHTML = '<h2>Approve the sign-in</h2><p>Open the Acme app on your phone.</p>';
    for (;;) {
      const said = await (await post('/api/approval')).json();
      if (said.approved) { return toAws(); }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const session = await (await post('/api/session')).json();
  if (session.signedIn) { toAws(); }
  else if (session.approval) { awaitApproval(); }
  else { setTimeout(signIn, 200); }
})();
"#;
