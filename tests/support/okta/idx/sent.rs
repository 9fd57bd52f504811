//! Codes the Identity Engine sends: the `okta_email` authenticator (with the magic link's `poll`
//! beside the code) and the `phone_number` authenticator's `sms` and `voice` methods. Shapes as the
//! Sign-In Widget's mocks of Okta's answers give them: a phone chosen without a method, or the
//! e-mail on an org that asks first, gets `authenticator-verification-data` (the widget's "Receive
//! a code via SMS" / "Send me an email" step); then `challenge-authenticator` whose
//! `currentAuthenticatorEnrollment` carries the masked address or number, a `resend` form and, for
//! e-mail, a `poll` form; a wrong code is `api.authn.error.PASSCODE_INVALID` on the passcode field.

use super::super::OktaFactor;
use super::super::org::{Org, Reply};
use super::{IdxTx, authenticator, kind_of, method_options};
use serde_json::{Value, json};

/// Okta's pace for the e-mail magic link's `poll`.
const EMAIL_POLL_MS: u64 = 4000;

impl Org {
    /// Whether choosing authenticator `aid` (key `key`, method `method`) is answered with
    /// `authenticator-verification-data` rather than a code sent.
    pub(super) fn asks_method(
        &self,
        tx: &IdxTx,
        key: &str,
        aid: &str,
        method: Option<&str>,
    ) -> bool {
        let answering = tx.asked.as_deref() == Some(aid) && method.is_some();
        let method_step = self.oie.is_some_and(|o| o.method_step);
        match key {
            _ if answering => false,
            "phone_number" => method.is_none(),
            "okta_email" => method_step,
            _ => false,
        }
    }

    /// `authenticator-verification-data`: the method to send the code by.
    pub(super) fn method_doc(&self, handle: &str, user: usize, index: usize) -> Reply {
        let (id, key, name, _) = authenticator(user, &self.users[user].factors[index]);
        let methods = self.methods_of(user, &id);
        let mut fields = vec![
            json!({ "name": "id", "required": true, "value": id, "mutable": false }),
            method_options(&methods, true),
        ];
        if key == "phone_number" {
            fields.push(json!({ "name": "enrollmentId", "required": true,
                "value": format!("{id}enr"), "mutable": false }));
        }
        let authenticator =
            json!({ "name": "authenticator", "label": name, "form": { "value": fields } });
        let mut data = self.form(
            "authenticator-verification-data",
            "/idp/idx/challenge",
            vec![authenticator],
            handle,
        );
        data["relatesTo"] = json!(["$.currentAuthenticatorEnrollment"]);
        let (select, enrollments) = self.select_form(handle, user);
        let mut doc = self.with_forms(handle, vec![data, select]);
        doc["currentAuthenticatorEnrollment"] =
            json!({ "type": "object", "value": self.enrollment(handle, user, index, None) });
        doc["authenticatorEnrollments"] = json!({ "type": "array", "value": enrollments });
        Reply::ion(200, doc)
    }

    /// `challenge-authenticator` once Okta has sent the code (and again after a wrong one).
    pub(super) fn sent_code_doc(
        &self,
        handle: &str,
        user: usize,
        index: usize,
        status: u16,
        error: Option<Value>,
    ) -> Reply {
        let (_, _, _, methods) = authenticator(user, &self.users[user].factors[index]);
        let mut challenge = self.challenge_form(handle, error);
        challenge["relatesTo"] = json!(["$.currentAuthenticatorEnrollment"]);
        let (select, enrollments) = self.select_form(handle, user);
        let mut doc = self.with_forms(handle, vec![challenge, select]);
        let current = self.enrollment(handle, user, index, Some(methods[0]));
        doc["currentAuthenticatorEnrollment"] = json!({ "type": "object", "value": current });
        doc["authenticatorEnrollments"] = json!({ "type": "array", "value": enrollments });
        Reply::ion(status, doc)
    }

    /// `resend`: the code again, by the same method.
    pub(super) fn resend(&mut self, handle: &str, tx: &IdxTx) -> Reply {
        match self.sent_challenge(tx) {
            Some((user, index)) => self.sent_code_doc(handle, user, index, 200, None),
            None => self.state(handle, tx),
        }
    }

    /// The e-mail's `poll`: the magic link is never clicked here, so the code is still awaited.
    pub(super) fn email_poll(&mut self, handle: &str, tx: &IdxTx) -> Reply {
        match self.sent_challenge(tx) {
            Some((user, index))
                if matches!(self.users[user].factors[index], OktaFactor::Email { .. }) =>
            {
                self.sent_code_doc(handle, user, index, 200, None)
            }
            _ => self.state(handle, tx),
        }
    }

    fn sent_challenge(&self, tx: &IdxTx) -> Option<(usize, usize)> {
        let (Some(user), Some((index, _))) = (tx.user, tx.challenged.as_ref()) else {
            return None;
        };
        let sent = matches!(
            self.users[user].factors[*index],
            OktaFactor::Email { .. } | OktaFactor::Sms { .. } | OktaFactor::Call { .. }
        );
        sent.then_some((user, *index))
    }

    /// `currentAuthenticatorEnrollment`: where the code goes (masked), how to get it again.
    fn enrollment(&self, handle: &str, user: usize, index: usize, method: Option<&str>) -> Value {
        let factor = &self.users[user].factors[index];
        let (id, key, name, _) = authenticator(user, factor);
        let methods: Vec<&str> = method.map_or_else(|| self.methods_of(user, &id), |m| vec![m]);
        let profile = match factor {
            OktaFactor::Email { email, .. } => json!({ "email": mask_email(email) }),
            OktaFactor::Sms { phone, .. } | OktaFactor::Call { phone, .. } => {
                json!({ "phoneNumber": mask_phone(phone) })
            }
            _ => json!({}),
        };
        let mut value = json!({
            "profile": profile,
            "resend": self.form("resend", "/idp/idx/challenge/resend", vec![], handle),
            "type": kind_of(&key), "key": key, "id": format!("{id}enr"), "displayName": name,
            "methods": methods.iter().map(|m| json!({ "type": m })).collect::<Vec<_>>(),
        });
        if key == "okta_email" && method.is_some() {
            let mut poll = self.form("poll", "/idp/idx/challenge/poll", vec![], handle);
            poll["refresh"] = json!(EMAIL_POLL_MS);
            value["poll"] = poll;
        }
        value
    }
}

/// `grace@corp.example` as Okta shows it: `g***e@corp.example`.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first: String = local.chars().take(1).collect();
    let last: String = local
        .chars()
        .skip(1)
        .last()
        .map(String::from)
        .unwrap_or_default();
    format!("{first}***{last}@{domain}")
}

/// `+1 555 010 4586` as Okta shows it: `+1 XXX-XXX-4586`.
fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    let country = phone
        .trim()
        .strip_prefix('+')
        .and_then(|rest| rest.split([' ', '-']).next())
        .map(|cc| format!("+{cc} "))
        .unwrap_or_default();
    format!("{country}XXX-XXX-{last}")
}
