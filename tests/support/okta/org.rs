//! The emulated org's state, and its Authentication API: primary authentication, factor
//! verification (codes, SMS, call and e-mail codes, push polling with the number challenge) and Okta's error documents.

use super::{APP_PATH, APP_SSO_PATH, OktaFactor, OktaHit, OktaUser, PushOutcome};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

const EXPIRES_AT: &str = "2099-01-01T00:05:00.000Z";

/// An open authentication transaction.
pub(super) struct Transaction {
    user: usize,
    polls: usize,
    sms_sent: bool,
}

/// What the org remembers between requests.
pub(super) struct Org {
    pub(super) base: String,
    pub(super) users: Vec<OktaUser>,
    /// The SAMLResponse form value the app page carries (base64).
    pub(super) saml_response: String,
    transactions: HashMap<String, Transaction>,
    /// Issued and not yet swapped for a session cookie.
    pub(super) session_tokens: Vec<String>,
    /// `sid` cookie values of signed-in browsers.
    pub(super) sessions: Vec<String>,
    /// Every token handed out, for tests that look for them where they must not be.
    pub(super) issued: Vec<String>,
    counter: u64,
    /// Set: an Identity Engine org, whose app page bootstraps the widget and whose sign-in is IDX.
    pub(super) oie: Option<super::OieOrg>,
    /// Open IDX transactions, by state handle.
    pub(super) idx: HashMap<String, super::idx::IdxTx>,
}

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            content_type: "application/json;charset=UTF-8",
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub(super) fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html;charset=utf-8",
            headers: Vec::new(),
            body,
        }
    }

    pub(super) fn redirect(location: &str) -> Reply {
        let mut reply = Reply::html(302, String::new());
        reply.headers.push(("Location".into(), location.into()));
        reply
    }

    /// Okta's error document.
    pub(super) fn error(status: u16, code: &str, summary: &str, causes: &[&str]) -> Reply {
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

impl Org {
    pub(super) fn new(base: &str, users: Vec<OktaUser>, saml_response_xml: &str) -> Org {
        Org {
            base: base.to_string(),
            users,
            saml_response: base64::engine::general_purpose::STANDARD.encode(saml_response_xml),
            transactions: HashMap::new(),
            session_tokens: Vec::new(),
            sessions: Vec::new(),
            issued: Vec::new(),
            counter: 0,
            oie: None,
            idx: HashMap::new(),
        }
    }

    pub(super) fn answer(&mut self, hit: &OktaHit) -> Reply {
        let path = hit.path.as_str();
        if self.oie.is_some()
            && let Some(reply) = self.answer_oie(hit)
        {
            return reply;
        }
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
            ("GET", "/login/login.htm") => Reply::html(200, super::browser::sign_in_page()),
            _ if path.starts_with("/api/") => Reply::error(
                404,
                "E0000007",
                &format!("Not found: Resource not found: {path} (GenericResource)"),
                &[],
            ),
            _ => Reply::html(404, "<title>Not Found</title><h1>404</h1>".into()),
        }
    }

    pub(super) fn token(&mut self, prefix: &str) -> String {
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
            OktaFactor::Sms { code, .. }
            | OktaFactor::Call { code, .. }
            | OktaFactor::Email { code, .. } => match pass_code {
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
            OktaFactor::Call { phone, .. } => (
                "call".into(),
                "OKTA".into(),
                json!({ "phoneNumber": phone }),
            ),
            OktaFactor::Email { email, .. } => {
                ("email".into(), "OKTA".into(), json!({ "email": email }))
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
        OktaFactor::Call { .. } => "clf",
        OktaFactor::Email { .. } => "emf",
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
