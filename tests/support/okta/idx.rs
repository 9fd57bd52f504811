//! The Identity Engine side of the emulated org: the app's sign-in page that bootstraps the
//! Sign-In Widget with a stateToken, and the IDX API the widget then speaks
//! (`/idp/idx/introspect`, `identify`, `challenge`, `challenge/answer`, `authenticators/poll`),
//! answering with Okta's documents: `remediation` forms with their `href`, `method`, `value[]` and
//! `stateHandle`, `messages` in Okta's words, `currentAuthenticator(Enrollment)`, and `success`
//! whose link (`/login/token/redirect?stateToken=...`) sets the session cookie and leads back to
//! the app. Shapes follow Okta's IDX documents as published with the Sign-In Widget's and
//! okta-auth-js's test data (a `select-authenticator-authenticate` option is a form of `id` and
//! `methodType`; a wrong code is told on the passcode field; a rejected push on the document).
//! Codes Okta sends (e-mail, SMS, voice) are in `sent`.

mod sent;

use super::org::{Org, Reply};
use super::{APP_PATH, APP_SSO_PATH, OktaFactor, OktaHit, PushOutcome};
use serde_json::{Value, json};

const ION: &str = "application/ion+json; okta-version=1.0.0";
const EXPIRES_AT: &str = "2099-01-01T00:10:00.000Z";

/// An IDX transaction, from the widget's page to success.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdxTx {
    user: Option<usize>,
    password_ok: bool,
    /// The factor being verified, and its method.
    challenged: Option<(usize, String)>,
    /// The authenticator whose method Okta asked for on `authenticator-verification-data`.
    asked: Option<String>,
    polls: usize,
    done: bool,
}

impl Org {
    /// Answers what an Identity Engine org answers differently; None: as the Classic org does.
    pub(super) fn answer_oie(&mut self, hit: &OktaHit) -> Option<Reply> {
        let path = hit.path.as_str();
        let reply = match (hit.method.as_str(), path) {
            ("GET", APP_PATH) => Reply::redirect(APP_SSO_PATH),
            ("GET", APP_SSO_PATH) if self.signed_in(hit) => {
                Reply::html(200, super::browser::saml_page(&self.saml_response))
            }
            ("GET", APP_SSO_PATH) => self.widget_page(),
            ("GET", "/login/token/redirect") => self.token_redirect(hit),
            ("POST", p) if p.starts_with("/idp/idx/") => self.idx_call(hit),
            _ => return None,
        };
        Some(reply)
    }

    /// The signed-out app page: the widget, bootstrapped with a new transaction's stateToken,
    /// written into the page script as Okta writes it (`-` as `\x2D`).
    fn widget_page(&mut self) -> Reply {
        let token = format!("02.id.{}", self.token("sb2-idx-state-"));
        self.idx.insert(token.clone(), IdxTx::default());
        let escaped = token.replace('-', "\\x2D");
        let base = self.base.replace(':', "\\x3A").replace('/', "\\x2F");
        Reply::html(
            200,
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">\
                 <title>Example Org - Sign In</title></head><body>\n\
                 <div id=\"signin-container\"></div>\n\
                 <script type=\"text/javascript\">\n(function(){{\n  var baseUrl = '{base}';\n  \
                 var suppliedRedirectUri = '';\n  var repost = false;\n  \
                 var stateToken = '{escaped}';\n  var fromUri = '{APP_SSO_PATH}';\n  \
                 var username = '';\n  var rememberMe = true;\n}})();\n</script></body></html>\n"
            ),
        )
    }

    /// The success link: a session cookie for the transaction's user, then on to the app.
    fn token_redirect(&mut self, hit: &OktaHit) -> Reply {
        let token = super::browser::query_value(&hit.query, "stateToken").unwrap_or_default();
        let done = self.idx.get(&token).is_some_and(|tx| tx.done);
        if !done {
            return Reply::html(403, "<title>Forbidden</title><h1>403</h1>".into());
        }
        self.idx.remove(&token);
        let sid = self.token("102sid");
        self.sessions.push(sid.clone());
        let mut reply = Reply::redirect(APP_SSO_PATH);
        reply
            .headers
            .push(("Set-Cookie".into(), format!("sid={sid}; Path=/; HttpOnly")));
        reply.headers.push((
            "Set-Cookie".into(),
            format!("idx={}; Path=/; HttpOnly", self.token("idx")),
        ));
        reply
    }

    fn idx_call(&mut self, hit: &OktaHit) -> Reply {
        let ct = hit.content_type.to_ascii_lowercase();
        if !(ct.starts_with("application/ion+json") || ct.starts_with("application/json")) {
            return idx_error(415, None, "Unsupported Media Type", "E0000003");
        }
        let body = hit.json();
        let handle = body["stateHandle"]
            .as_str()
            .or(body["stateToken"].as_str())
            .unwrap_or("")
            .to_string();
        let Some(tx) = self.idx.get(&handle).cloned() else {
            return idx_error(401, None, "The session has expired.", "idx.session.expired");
        };
        match hit.path.as_str() {
            "/idp/idx/introspect" => self.state(&handle, &tx),
            "/idp/idx/identify" => self.identify(&handle, &body),
            "/idp/idx/challenge" => self.select(&handle, &tx, &body),
            "/idp/idx/challenge/answer" => self.idx_answer(&handle, &tx, &body),
            "/idp/idx/authenticators/poll" => self.idx_poll(&handle, &tx),
            "/idp/idx/challenge/resend" => self.resend(&handle, &tx),
            "/idp/idx/challenge/poll" => self.email_poll(&handle, &tx),
            "/idp/idx/cancel" => {
                self.idx.remove(&handle);
                Reply::ion(
                    200,
                    json!({ "version": "1.0.0", "messages": { "type": "array", "value": [] } }),
                )
            }
            _ => idx_error(404, Some(&handle), "Not found", "E0000007"),
        }
    }

    /// Where the transaction stands, as introspect answers it: the challenge under way, if any.
    fn state(&mut self, handle: &str, tx: &IdxTx) -> Reply {
        match (tx.user, tx.password_ok, &tx.challenged) {
            (None, _, _) => self.identify_doc(handle, 200, None),
            (Some(_), false, _) => self.password_doc(handle, 200, None),
            (Some(user), true, Some((index, method))) => {
                self.challenge_doc(handle, user, *index, method)
            }
            (Some(user), true, None) => self.select_doc(handle, user, 200, None),
        }
    }

    /// The document of a challenge just started (or still under way) by `method`.
    fn challenge_doc(&self, handle: &str, user: usize, index: usize, method: &str) -> Reply {
        match method {
            "push" => self.poll_doc(handle, user, index, true),
            "email" | "sms" | "voice" => self.sent_code_doc(handle, user, index, 200, None),
            _ => self.code_doc(handle, user, index, 200, None),
        }
    }

    fn identify(&mut self, handle: &str, body: &Value) -> Reply {
        let identifier_first = self.oie.is_some_and(|o| o.identifier_first);
        let login = body["identifier"].as_str().unwrap_or("");
        let user = self
            .users
            .iter()
            .position(|u| u.login.eq_ignore_ascii_case(login) && !login.is_empty());
        if identifier_first {
            // No user enumeration: an unknown user is asked for a password that fails.
            if let Some(tx) = self.idx.get_mut(handle) {
                tx.user = Some(user.unwrap_or(usize::MAX));
            }
            return self.password_doc(handle, 200, None);
        }
        let password = body["credentials"]["passcode"].as_str().unwrap_or("");
        match user.filter(|&u| self.users[u].password == password && !password.is_empty()) {
            Some(u) => {
                if let Some(tx) = self.idx.get_mut(handle) {
                    tx.user = Some(u);
                    tx.password_ok = true;
                }
                self.after_password(handle, u)
            }
            None => {
                let wrong = message("Password is incorrect", "incorrectPassword");
                self.identify_doc(handle, 401, Some(wrong))
            }
        }
    }

    fn after_password(&mut self, handle: &str, user: usize) -> Reply {
        if self.users[user].factors.is_empty() {
            return self.idx_success(handle);
        }
        self.select_doc(handle, user, 200, None)
    }

    fn select(&mut self, handle: &str, tx: &IdxTx, body: &Value) -> Reply {
        let (Some(user), true) = (tx.user, tx.password_ok) else {
            return self.state(handle, tx);
        };
        let id = body["authenticator"]["id"].as_str().unwrap_or("");
        let method = body["authenticator"]["methodType"].as_str();
        let found = (0..self.users[user].factors.len()).find(|&i| {
            let (aid, _, _, methods) = authenticator(user, &self.users[user].factors[i]);
            aid == id && method.is_none_or(|m| methods.contains(&m))
        });
        let Some(index) = found else {
            let msg = message("Invalid authenticator", "errors.E0000007");
            return self.select_doc(handle, user, 400, Some(msg));
        };
        let (aid, key, _, methods) = authenticator(user, &self.users[user].factors[index]);
        if self.asks_method(tx, &key, &aid, method) {
            if let Some(tx) = self.idx.get_mut(handle) {
                tx.asked = Some(aid);
            }
            return self.method_doc(handle, user, index);
        }
        let method = method.unwrap_or(methods[0]).to_string();
        if let Some(tx) = self.idx.get_mut(handle) {
            tx.challenged = Some((index, method.clone()));
            tx.polls = 0;
            tx.asked = None;
        }
        self.challenge_doc(handle, user, index, &method)
    }

    fn idx_answer(&mut self, handle: &str, tx: &IdxTx, body: &Value) -> Reply {
        let given = body["credentials"]["passcode"].as_str().unwrap_or("");
        let Some(user) = tx.user else {
            return self.state(handle, tx);
        };
        if !tx.password_ok {
            let ok = user != usize::MAX && self.users[user].password == given && !given.is_empty();
            if !ok {
                let wrong = message("Password is incorrect", "incorrectPassword");
                return self.password_doc(handle, 401, Some(wrong));
            }
            if let Some(tx) = self.idx.get_mut(handle) {
                tx.password_ok = true;
            }
            return self.after_password(handle, user);
        }
        let Some((index, _)) = tx.challenged.clone() else {
            return self.state(handle, tx);
        };
        match &self.users[user].factors[index] {
            OktaFactor::Totp { code, .. } if code == given => self.idx_success(handle),
            OktaFactor::Totp { provider, .. } => {
                let wrong = if provider.eq_ignore_ascii_case("GOOGLE") {
                    message(
                        "Your code doesn't match our records. Please try again.",
                        "authfactor.challenge.soft_token.invalid_passcode",
                    )
                } else {
                    message(
                        "Invalid code. Try again.",
                        "api.authn.error.PASSCODE_INVALID",
                    )
                };
                self.code_doc(handle, user, index, 400, Some(wrong))
            }
            OktaFactor::Sms { code, .. }
            | OktaFactor::Call { code, .. }
            | OktaFactor::Email { code, .. } => {
                if code == given {
                    return self.idx_success(handle);
                }
                let wrong = message(
                    "Invalid code. Try again.",
                    "api.authn.error.PASSCODE_INVALID",
                );
                self.sent_code_doc(handle, user, index, 403, Some(wrong))
            }
            _ => self.state(handle, tx),
        }
    }

    fn idx_poll(&mut self, handle: &str, tx: &IdxTx) -> Reply {
        let (Some(user), Some((index, _))) = (tx.user, tx.challenged.clone()) else {
            return self.state(handle, tx);
        };
        let OktaFactor::Push { polls, outcome, .. } = self.users[user].factors[index].clone()
        else {
            return self.state(handle, tx);
        };
        let seen = tx.polls;
        if let Some(t) = self.idx.get_mut(handle) {
            t.polls += 1;
        }
        if seen + 1 < polls {
            return self.poll_doc(handle, user, index, true);
        }
        match outcome {
            PushOutcome::Approve => self.idx_success(handle),
            PushOutcome::Reject => {
                let no = message(
                    "You have chosen to reject this login.",
                    "api.authn.poll.error.push_rejected",
                );
                self.rejected_doc(handle, user, index, no)
            }
            PushOutcome::Timeout => {
                let late = message(
                    "Your push notification has expired.",
                    "oie.okta_verify.push.expired",
                );
                self.rejected_doc(handle, user, index, late)
            }
        }
    }

    fn idx_success(&mut self, handle: &str) -> Reply {
        let user = self.idx.get(handle).and_then(|t| t.user).unwrap_or(0);
        if let Some(tx) = self.idx.get_mut(handle) {
            tx.done = true;
        }
        let mut doc = self.base_doc(handle);
        doc["user"] = json!({ "type": "object", "value": { "id": format!("00u{user}sb2emu") } });
        doc["success"] = json!({
            "name": "success-redirect",
            "href": format!("{}/login/token/redirect?stateToken={handle}", self.base),
        });
        Reply::ion(200, doc)
    }

    // --- the documents -------------------------------------------------------------------------

    fn base_doc(&self, handle: &str) -> Value {
        json!({
            "version": "1.0.0",
            "stateHandle": handle,
            "expiresAt": EXPIRES_AT,
            "intent": "LOGIN",
            "cancel": self.form("cancel", "/idp/idx/cancel", vec![], handle),
            "app": { "type": "object", "value": {
                "name": "amazon_aws", "label": "AWS Account Federation", "id": "0oa1sb2aws3okta4emu" } },
        })
    }

    fn form(&self, name: &str, path: &str, mut fields: Vec<Value>, handle: &str) -> Value {
        fields.push(json!({
            "name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false
        }));
        json!({
            "rel": ["create-form"],
            "name": name,
            "href": format!("{}{path}", self.base),
            "method": "POST",
            "produces": ION,
            "value": fields,
            "accepts": "application/json; okta-version=1.0.0",
        })
    }

    fn with_forms(&self, handle: &str, forms: Vec<Value>) -> Value {
        let mut doc = self.base_doc(handle);
        doc["remediation"] = json!({ "type": "array", "value": forms });
        doc
    }

    fn identify_doc(&self, handle: &str, status: u16, error: Option<Value>) -> Reply {
        let identifier_first = self.oie.is_some_and(|o| o.identifier_first);
        let mut fields =
            vec![json!({ "name": "identifier", "label": "Username", "required": true })];
        if !identifier_first {
            fields.push(credentials("Password"));
        }
        fields
            .push(json!({ "name": "rememberMe", "type": "boolean", "label": "Keep me signed in" }));
        let unlock = self.form("unlock-account", "/idp/idx/unlock-account", vec![], handle);
        let forms = vec![
            self.form("identify", "/idp/idx/identify", fields, handle),
            unlock,
        ];
        let mut doc = self.with_forms(handle, forms);
        if let Some(e) = error {
            doc["messages"] = json!({ "type": "array", "value": [e] });
        }
        Reply::ion(status, doc)
    }

    fn password_doc(&self, handle: &str, status: u16, error: Option<Value>) -> Reply {
        let mut challenge = self.form(
            "challenge-authenticator",
            "/idp/idx/challenge/answer",
            vec![credentials("Password")],
            handle,
        );
        challenge["relatesTo"] = json!("$.currentAuthenticatorEnrollment");
        let mut doc = self.with_forms(handle, vec![challenge]);
        doc["currentAuthenticatorEnrollment"] = json!({ "type": "object", "value": {
            "type": "password", "key": "okta_password", "id": "lae1sb2pwdEmu", "displayName": "Password",
            "methods": [{ "type": "password" }] } });
        if let Some(e) = error {
            doc["messages"] = json!({ "type": "array", "value": [e] });
        }
        Reply::ion(status, doc)
    }

    /// `select-authenticator-authenticate`, one option per authenticator the user has.
    fn select_doc(&self, handle: &str, user: usize, status: u16, error: Option<Value>) -> Reply {
        let (select, enrollments) = self.select_form(handle, user);
        let mut doc = self.with_forms(handle, vec![select]);
        doc["authenticatorEnrollments"] = json!({ "type": "array", "value": enrollments });
        if let Some(e) = error {
            doc["messages"] = json!({ "type": "array", "value": [e] });
        }
        Reply::ion(status, doc)
    }

    /// The `select-authenticator-authenticate` form, and the `authenticatorEnrollments` its
    /// options relate to.
    fn select_form(&self, handle: &str, user: usize) -> (Value, Vec<Value>) {
        let (options, enrollments) = self.options(user);
        let select = self.form(
            "select-authenticator-authenticate",
            "/idp/idx/challenge",
            vec![json!({ "name": "authenticator", "type": "object", "options": options })],
            handle,
        );
        (select, enrollments)
    }

    fn options(&self, user: usize) -> (Vec<Value>, Vec<Value>) {
        let mut options: Vec<Value> = Vec::new();
        let mut enrollments: Vec<Value> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for factor in &self.users[user].factors {
            let (id, key, name, _) = authenticator(user, factor);
            if seen.contains(&id) {
                continue;
            }
            seen.push(id.clone());
            let methods = self.methods_of(user, &id);
            let mut fields =
                vec![json!({ "name": "id", "required": true, "value": id, "mutable": false })];
            match key.as_str() {
                // With the method step, the phone is offered by its id alone.
                "phone_number" if self.oie.is_some_and(|o| o.method_step) => {}
                "okta_verify" | "phone_number" => fields.push(method_options(&methods, false)),
                _ => fields.push(
                    json!({ "name": "methodType", "required": false, "value": methods[0], "mutable": false }),
                ),
            }
            if key == "phone_number" {
                fields.push(json!({ "name": "enrollmentId", "required": true, "value": format!("{id}enr"), "mutable": false }));
            }
            options.push(json!({
                "label": name,
                "value": { "form": { "value": fields } },
                "relatesTo": format!("$.authenticatorEnrollments.value[{}]", enrollments.len()),
            }));
            enrollments.push(json!({
                "type": kind_of(&key), "key": key, "id": format!("{id}enr"), "displayName": name,
                "methods": methods.iter().map(|m| json!({ "type": m })).collect::<Vec<_>>(),
            }));
        }
        (options, enrollments)
    }

    /// The methods of authenticator `id` that this user has (Okta Verify: push and/or code;
    /// phone: sms and/or voice).
    fn methods_of(&self, user: usize, id: &str) -> Vec<&'static str> {
        self.users[user]
            .factors
            .iter()
            .map(|f| authenticator(user, f))
            .filter(|(aid, ..)| aid == id)
            .flat_map(|(.., m)| m)
            .collect()
    }

    /// `challenge-authenticator`: the code's field, with Okta's message after a wrong code.
    pub(super) fn challenge_form(&self, handle: &str, error: Option<Value>) -> Value {
        let mut passcode = json!({ "name": "passcode", "label": "Enter code" });
        if let Some(e) = error {
            passcode["messages"] = json!({ "type": "array", "value": [e] });
        }
        let credentials = json!({ "name": "credentials", "type": "object", "required": true,
            "form": { "value": [passcode] } });
        self.form(
            "challenge-authenticator",
            "/idp/idx/challenge/answer",
            vec![credentials],
            handle,
        )
    }

    fn code_doc(
        &self,
        handle: &str,
        user: usize,
        index: usize,
        status: u16,
        error: Option<Value>,
    ) -> Reply {
        let (id, key, name, _) = authenticator(user, &self.users[user].factors[index]);
        let mut challenge = self.challenge_form(handle, error);
        challenge["relatesTo"] = json!("$.currentAuthenticatorEnrollment");
        let mut doc = self.with_forms(handle, vec![challenge]);
        doc["currentAuthenticatorEnrollment"] = json!({ "type": "object", "value": {
            "type": "app", "key": key, "id": format!("{id}enr"), "displayName": name,
            "methods": [{ "type": if key == "google_otp" { "otp" } else { "totp" } }] } });
        Reply::ion(status, doc)
    }

    /// `challenge-poll` while a push waits: Okta's pace, and the number to pick.
    fn poll_doc(&self, handle: &str, user: usize, index: usize, waiting: bool) -> Reply {
        let refresh = self.oie.map_or(4000, |o| o.refresh_ms);
        let OktaFactor::Push { number, .. } = &self.users[user].factors[index] else {
            return idx_error(400, Some(handle), "Not a push", "E0000001");
        };
        let mut poll = self.form(
            "challenge-poll",
            "/idp/idx/authenticators/poll",
            vec![],
            handle,
        );
        poll["refresh"] = json!(refresh);
        poll["relatesTo"] = json!(["$.currentAuthenticator"]);
        let (select, enrollments) = self.select_form(handle, user);
        let mut doc = self.with_forms(
            handle,
            if waiting {
                vec![poll, select]
            } else {
                vec![select]
            },
        );
        let (id, ..) = authenticator(user, &self.users[user].factors[index]);
        let mut current = json!({ "type": "app", "key": "okta_verify", "id": id,
            "displayName": "Okta Verify", "methods": [{ "type": "push" }] });
        if let Some(n) = number {
            current["contextualData"] = json!({ "correctAnswer": n });
        }
        doc["currentAuthenticator"] = json!({ "type": "object", "value": current });
        doc["authenticatorEnrollments"] = json!({ "type": "array", "value": enrollments });
        Reply::ion(200, doc)
    }

    fn rejected_doc(&self, handle: &str, user: usize, index: usize, why: Value) -> Reply {
        let Reply { body, .. } = self.poll_doc(handle, user, index, false);
        let mut doc: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        doc["messages"] = json!({ "type": "array", "value": [why] });
        Reply::ion(200, doc)
    }
}

/// (authenticator id, key, display name, methods) of a factor, as IDX names it.
fn authenticator(user: usize, factor: &OktaFactor) -> (String, String, String, Vec<&'static str>) {
    match factor {
        OktaFactor::Totp { provider, .. } if provider.eq_ignore_ascii_case("GOOGLE") => (
            format!("aut{user}GoogleOtpEmu"),
            "google_otp".into(),
            "Google Authenticator".into(),
            vec!["otp"],
        ),
        OktaFactor::Totp { .. } => (
            format!("aut{user}OktaVerifyEmu"),
            "okta_verify".into(),
            "Okta Verify".into(),
            vec!["totp"],
        ),
        OktaFactor::Push { .. } => (
            format!("aut{user}OktaVerifyEmu"),
            "okta_verify".into(),
            "Okta Verify".into(),
            vec!["push"],
        ),
        OktaFactor::Sms { .. } => (
            format!("aut{user}PhoneEmu"),
            "phone_number".into(),
            "Phone".into(),
            vec!["sms"],
        ),
        OktaFactor::Call { .. } => (
            format!("aut{user}PhoneEmu"),
            "phone_number".into(),
            "Phone".into(),
            vec!["voice"],
        ),
        OktaFactor::Email { .. } => (
            format!("aut{user}EmailEmu"),
            "okta_email".into(),
            "Email".into(),
            vec!["email"],
        ),
        OktaFactor::Other { factor_type, .. } => (
            format!("aut{user}WebAuthnEmu"),
            "webauthn".into(),
            format!("Security Key or Biometric ({factor_type})"),
            vec!["webauthn"],
        ),
    }
}

/// The `type` of an authenticator, as `authenticatorEnrollments` gives it.
fn kind_of(key: &str) -> &'static str {
    match key {
        "webauthn" => "security_key",
        "okta_email" => "email",
        "phone_number" => "phone",
        _ => "app",
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "push" => "Get a push notification",
        "totp" => "Enter a code",
        "signed_nonce" => "Use Okta FastPass",
        "sms" => "SMS",
        "voice" => "Voice call",
        "email" => "Email",
        _ => "",
    }
}

/// A `methodType` field offering `methods` to choose from.
fn method_options(methods: &[&str], required: bool) -> Value {
    json!({ "name": "methodType", "type": "string", "required": required,
        "options": methods.iter().map(|m| json!({ "value": m, "label": method_label(m) })).collect::<Vec<_>>() })
}

fn credentials(label: &str) -> Value {
    json!({ "name": "credentials", "type": "object", "required": true,
        "form": { "value": [{ "name": "passcode", "label": label, "secret": true }] } })
}

fn message(text: &str, key: &str) -> Value {
    json!({ "message": text, "i18n": { "key": key, "params": [] }, "class": "ERROR" })
}

fn idx_error(status: u16, handle: Option<&str>, text: &str, key: &str) -> Reply {
    let mut doc = json!({
        "version": "1.0.0",
        "messages": { "type": "array", "value": [message(text, key)] },
    });
    if let Some(h) = handle {
        doc["stateHandle"] = json!(h);
    }
    Reply::ion(status, doc)
}

impl Reply {
    pub(super) fn ion(status: u16, body: Value) -> Reply {
        Reply {
            status,
            content_type: "application/ion+json; okta-version=1.0.0",
            headers: Vec::new(),
            body: body.to_string(),
        }
    }
}
