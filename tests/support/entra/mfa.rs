//! The second step of the Entra emulator ("Verify your identity"): the page listing the user's
//! methods, BeginAuth/EndAuth as Entra's SAS endpoints answer them (push with number matching and
//! polling, authenticator code, SMS), and ProcessAuth, which moves on once EndAuth said yes.

use super::flow::stale;
use super::pages::{self, PageId};
use super::users::{EntraUser, Method, PushAnswer};
use super::{Tenant, json};
use crate::http::{HttpRequest, HttpResponse, field, lock};
use serde_json::{Value, json};

/// A method begun with BeginAuth and not yet ended.
#[derive(Debug, Clone)]
pub struct Pending {
    pub session_id: String,
    pub method: Method,
    pub polls: u32,
}

/// What EndAuth decides about a pending method.
enum Verdict {
    Yes,
    Pending,
    No(&'static str),
}

impl Tenant {
    /// The "Verify your identity" page of `user` (`ConvergedTFA`), optionally with an error.
    pub(super) fn tfa_page(
        &self,
        ctx: &str,
        user: &EntraUser,
        error: Option<&str>,
    ) -> HttpResponse {
        let Some(token) = self.rotate(ctx) else {
            return stale("The sign-in session (ctx) is unknown or has expired.");
        };
        let mut config = pages::base_config(PageId::Tfa, ctx, &token, "/common/SAS/ProcessAuth");
        let proofs: Vec<Value> = user
            .methods
            .iter()
            .enumerate()
            .map(|(i, m)| {
                json!({"authMethodId": m.auth_method_id(), "data": m.auth_method_id(),
                    "display": m.display(), "isDefault": i == 0, "isLocationAware": false})
            })
            .collect();
        config["arrUserProofs"] = Value::Array(proofs);
        config["urlBeginAuth"] = json!("/common/SAS/BeginAuth");
        config["urlEndAuth"] = json!("/common/SAS/EndAuth");
        config["iPollingInterval"] = json!(self.config.poll_interval.as_millis() as u64);
        config["fShowMethodList"] = json!(user.start_with_method_list);
        config["sPOST_Username"] = json!(user.username);
        if let Some(text) = error {
            config["sErrTxt"] = json!(text);
        }
        HttpResponse::html(200, pages::shell(&config))
    }

    /// The flow and user of a SAS call, if its ctx, flow token and password step are in order.
    fn sas_flow(&self, ctx: &str, token: Option<&str>) -> Option<(super::flow::Flow, &EntraUser)> {
        let flow = self.flow(ctx)?;
        if token != Some(flow.flow_token.as_str()) {
            return None;
        }
        let user = self.config.find(flow.username.as_deref()?)?;
        Some((flow, user))
    }

    /// `POST /common/SAS/BeginAuth`: starts a method (sends the push or the text).
    pub(super) fn begin_auth(&self, req: &HttpRequest) -> HttpResponse {
        let sent: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let ctx = sent["ctx"].as_str().unwrap_or_default();
        let Some((_, user)) = self.sas_flow(ctx, sent["flowToken"].as_str()) else {
            return sas_failure(
                "InvalidSession",
                "Your session has timed out. Please close your browser and sign in again.",
            );
        };
        let wanted = sent["AuthMethodId"].as_str().unwrap_or_default();
        let Some(method) = user.methods.iter().find(|m| m.auth_method_id() == wanted) else {
            return sas_failure(
                "InvalidAuthMethod",
                "That verification method is not available for this account.",
            );
        };
        let session_id = crate::uuid();
        let entropy =
            matches!(method, Method::Push(_)).then(|| 10 + crate::random_bytes(1)[0] as u32 % 90);
        let token = self.rotate(ctx).unwrap_or_default();
        {
            let mut ledger = lock(&self.ledger);
            if let Some(n) = entropy {
                ledger.numbers_shown.push(n);
            }
            if let Some(f) = ledger.flows.get_mut(ctx) {
                f.pending = Some(Pending {
                    session_id: session_id.clone(),
                    method: method.clone(),
                    polls: 0,
                });
            }
        }
        let mut answer = json!({"Success": true, "ResultValue": "Success", "Message": null,
            "AuthMethodId": wanted, "ErrCode": 0, "Retry": false, "FlowToken": token, "Ctx": ctx,
            "SessionId": session_id, "CorrelationId": crate::uuid(),
            "Timestamp": crate::saml::instant(time::OffsetDateTime::now_utc())});
        if let Some(n) = entropy {
            answer["Entropy"] = json!(n);
        }
        json(&answer)
    }

    /// `POST /common/SAS/EndAuth`: a code checked, or one poll of a push.
    pub(super) fn end_auth(&self, req: &HttpRequest) -> HttpResponse {
        let sent: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let ctx = sent["Ctx"].as_str().unwrap_or_default();
        let Some((flow, user)) = self.sas_flow(ctx, sent["FlowToken"].as_str()) else {
            return sas_failure(
                "InvalidSession",
                "Your session has timed out. Please close your browser and sign in again.",
            );
        };
        let Some(pending) = flow
            .pending
            .filter(|p| sent["SessionId"].as_str() == Some(p.session_id.as_str()))
        else {
            return sas_failure("InvalidSession", "The verification session is unknown.");
        };
        let code = sent["AdditionalAuthData"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string();
        let verdict = match &pending.method {
            Method::Push(answer) => self.poll(ctx, &user.username, answer),
            Method::Totp { secret } => yes_if(
                super::totp::accepts(secret, &code, super::totp::now()),
                "OathCodeIncorrect",
            ),
            Method::FixedCode(fixed) => {
                yes_if(!code.is_empty() && code == *fixed, "OathCodeIncorrect")
            }
            Method::Sms {
                code: sent_code, ..
            } => yes_if(
                !code.is_empty() && code == *sent_code,
                "SMSAuthFailedWrongCodeEntered",
            ),
        };
        let token = self.rotate(ctx).unwrap_or_default();
        let (success, result) = match verdict {
            Verdict::Yes => {
                if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
                    f.verified = Some(pending.method.auth_method_id().to_string());
                    f.pending = None;
                }
                (true, "Success")
            }
            Verdict::Pending => (false, "AuthenticationPending"),
            Verdict::No(result) => (false, result),
        };
        json(
            &json!({"Success": success, "ResultValue": result, "Message": null,
            "AuthMethodId": pending.method.auth_method_id(), "ErrCode": 0, "Retry": !success,
            "FlowToken": token, "Ctx": ctx, "SessionId": pending.session_id,
            "CorrelationId": crate::uuid()}),
        )
    }

    /// One poll of a push: counted, then answered as the person (or the test) decided.
    fn poll(&self, ctx: &str, username: &str, answer: &PushAnswer) -> Verdict {
        let mut ledger = lock(&self.ledger);
        let key = username.to_ascii_lowercase();
        *ledger.polls.entry(key.clone()).or_insert(0) += 1;
        let polls = match ledger.flows.get_mut(ctx).and_then(|f| f.pending.as_mut()) {
            Some(p) => {
                p.polls += 1;
                p.polls
            }
            None => 0,
        };
        let decided = match answer {
            PushAnswer::ApproveAfterPolls(n) => (polls >= *n).then_some(true),
            PushAnswer::DenyAfterPolls(n) => (polls >= *n).then_some(false),
            PushAnswer::Manual => ledger.push_decisions.remove(&key),
            PushAnswer::Never => None,
        };
        match decided {
            Some(true) => Verdict::Yes,
            Some(false) => Verdict::No("PhoneAppDenied"),
            None if polls >= self.config.push_timeout_polls => Verdict::No("PhoneAppNoResponse"),
            None => Verdict::Pending,
        }
    }

    /// `POST /common/SAS/ProcessAuth`: after EndAuth's Success, on to "Stay signed in?".
    pub(super) fn process_auth(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let ctx = field(&form, "request").unwrap_or_default();
        let Some((flow, user)) = self.sas_flow(ctx, field(&form, "flowToken")) else {
            return stale("The flowToken is missing or no longer valid.");
        };
        match flow.verified {
            Some(method) => self.verified(req, ctx, &user.username, Some(&method)),
            None => self.tfa_page(
                ctx,
                user,
                Some("AADSTS50074: Strong Authentication is required."),
            ),
        }
    }
}

fn yes_if(right: bool, otherwise: &'static str) -> Verdict {
    if right {
        Verdict::Yes
    } else {
        Verdict::No(otherwise)
    }
}

fn sas_failure(result: &str, message: &str) -> HttpResponse {
    json(
        &json!({"Success": false, "ResultValue": result, "Message": message, "ErrCode": 500121, "Retry": false}),
    )
}
