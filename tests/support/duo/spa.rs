//! Duo's newer single-page prompt: the authorize URL leads to `/prompt/<akey>?authkey=…` (or the
//! frameless page's plugin form's post answers it), a page whose root element carries `data-akey`
//! and `data-authkey`, and JSON endpoints under `/prompt/<akey>/` keyed by the
//! authkey do the rest: `pre_authn/initialization` and `pre_authn/evaluation` (the factors at the
//! top level), `auth/payload` (the factors under `auth_factors_context`), a push
//! (`auth/factors/push/auth`, polled at `auth/factors/push/status`, its status nested under
//! `result`), a call (`auth/factors/phone_call`, polled at `auth/factors/phone_call/poll`, its
//! result a bare string), a passcode checked at once (`auth/factors/mobile_otp`), and
//! `auth/finalize_auth` giving the URL back to the IdP.
//!
//! Learned from the public clients that drive it: aws-adfs (its "pwl" flow) and gimme-aws-creds
//! (its "JS bundle" flow). What the real service answers to a wrong passcode is not in either: a
//! `FAIL` with Duo's words, as the frame prompt's endpoints answer, is assumed.

use super::status::Outcome;
use super::{Duo, DuoDevice, DuoUser, Factor, Prompt, fail, json, pages};
use crate::http::{HttpRequest, HttpResponse, field, lock};
use serde_json::{Value, json};

pub(super) const PREFIX: &str = "/prompt/";
/// The integration's key, as the prompt's paths carry it.
pub(super) const AKEY: &str = "DIXXXXXXXXXXXXXXXXXX";

/// The prompt's page: its script's root element and the keys the script reads from it.
pub(super) fn page(authkey: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Duo Security</title>\n</head>\n<body>\n\
         <div id=\"pwl-prompt-root\" data-akey=\"{AKEY}\" data-authkey=\"{authkey}\" \
         data-req-trace-group=\"{}\"></div>\n\
         <script src=\"/prompt/static/js/prompt.bundle.js\"></script>\n</body>\n</html>\n",
        crate::uuid()
    )
}

pub(super) fn handle(duo: &Duo, req: &HttpRequest) -> HttpResponse {
    let Some(rest) = req.path.strip_prefix(PREFIX) else {
        return not_found();
    };
    let (akey, route) = rest.split_once('/').unwrap_or((rest, ""));
    if akey != AKEY {
        return not_found();
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let query = req.query_pairs();
    let authkey = match req.method.as_str() {
        "POST" => body["authkey"].as_str().unwrap_or_default().to_string(),
        _ => field(&query, "authkey").unwrap_or_default().to_string(),
    };
    let Some((sid, prompt, user)) = prompt_of(duo, &authkey) else {
        return json(&fail(
            "Unknown or expired session. Please go back and try again.",
        ));
    };
    let device = || {
        let pkey = body["pkey"].as_str().unwrap_or_default();
        user.devices
            .iter()
            .enumerate()
            .find(|(i, _)| pages::key(&user, *i) == pkey)
            .map(|(_, d)| d)
    };
    let started =
        |factor: Factor<'_>, device: Option<&DuoDevice>| duo.begin(&sid, &user, factor, device);
    match (req.method.as_str(), route) {
        ("GET", "") => HttpResponse::html(200, page(&authkey)),
        ("GET", "pre_authn/initialization") => ok(json!({})),
        ("GET", "pre_authn/evaluation") => ok(factors(&user)),
        ("GET", "auth/payload") => ok(json!({"auth_factors_context": factors(&user)})),
        ("POST", "auth/factors/push/auth") => match started(Factor::Push, device()) {
            Ok(txid) => {
                let mut answer = json!({"push_txid": txid});
                if let Some(code) = &user.step_up_code {
                    answer["step_up_code"] = code.clone().into();
                }
                ok(answer)
            }
            Err(message) => json(&fail(message)),
        },
        ("GET", "auth/factors/push/status") => {
            let txid = field(&query, "push_txid").unwrap_or_default();
            match duo.poll(&sid, txid) {
                Some((outcome, _)) => ok(json!({"result": nested(outcome)})),
                None => json(&fail("Unknown transaction.")),
            }
        }
        ("POST", "auth/factors/phone_call") => match started(Factor::Call, device()) {
            Ok(txid) => ok(json!({"txid": txid, "phone_call_txid": txid})),
            Err(message) => json(&fail(message)),
        },
        ("GET", "auth/factors/phone_call/poll") => {
            let txid = field(&query, "txid").unwrap_or_default();
            match duo.poll(&sid, txid) {
                Some((outcome, _)) => ok(bare(outcome)),
                None => json(&fail("Unknown transaction.")),
            }
        }
        ("POST", "auth/factors/mobile_otp") => {
            let code = body["mobile_otp"].as_str().unwrap_or_default();
            let passcode = started(Factor::Passcode(code), None);
            match passcode.ok().and_then(|txid| duo.poll(&sid, &txid)) {
                Some((Outcome::Allow, _)) => ok(json!({"result": nested(Outcome::Allow)})),
                _ => json(&fail(super::WRONG_PASSCODE)),
            }
        }
        ("GET", "auth/finalize_auth") if prompt.allowed.is_some() => {
            let url = super::return_url(&mut lock(&duo.ledger), &prompt.request);
            lock(&duo.ledger).prompts.remove(&sid);
            ok(json!({"url": url}))
        }
        ("GET", "auth/finalize_auth") => json(&fail("Authentication has not completed.")),
        _ => not_found(),
    }
}

/// The prompt whose plugin form came back with this authkey, and its user.
fn prompt_of(duo: &Duo, authkey: &str) -> Option<(String, Prompt, DuoUser)> {
    if authkey.is_empty() {
        return None;
    }
    let (sid, prompt) = lock(&duo.ledger)
        .prompts
        .iter()
        .find(|(_, p)| p.authkey == authkey && p.plugin_posted)
        .map(|(sid, p)| (sid.clone(), p.clone()))?;
    let user = duo.user(&prompt.request.username)?;
    Some((sid, prompt, user))
}

/// The user's factors as the prompt lists them: each push-capable device's push, each numbered
/// device's call and text message, passcodes.
fn factors(user: &DuoUser) -> Value {
    let mut listed = Vec::new();
    for (i, d) in user.devices.iter().enumerate() {
        let info =
            json!({"pkey": pages::key(user, i), "name": d.name, "end_of_number": d.end_of_number});
        if d.push {
            listed.push(json!({"factor_type": "push", "device_info": info}));
        }
        if d.number {
            listed.push(json!({"factor_type": "phone_call", "phone_info": info}));
            // Listed as the prompt lists it; its endpoint is not emulated (no public client
            // shows it).
            listed.push(json!({"factor_type": "sms", "phone_info": info}));
        }
    }
    listed.push(json!({"factor_type": "mobile_otp", "passcode_lengths": [6]}));
    json!({"available_unified_auth_factors": {"factors": listed}})
}

/// A push's status: an object under `result`.
fn nested(outcome: Outcome) -> Value {
    let (code, enumeration, status, result, reason) = outcome.parts();
    let mut v = json!({"status_code": code, "status_enum": enumeration, "status": status});
    if let (Some(result), Some(reason)) = (result, reason) {
        v["result"] = result.into();
        v["reason"] = reason.into();
    }
    if outcome == Outcome::Allow {
        v["auth_result"] = json!({"authn_evaluation": {"is_allowed": true}});
    }
    v
}

/// A call's status: `result` a bare string (`STATUS` while under way).
fn bare(outcome: Outcome) -> Value {
    let (_, enumeration, status, result, _) = outcome.parts();
    json!({"result": result.unwrap_or("STATUS"), "status_enum": enumeration, "status": status})
}

fn ok(response: Value) -> HttpResponse {
    json(&json!({"stat": "OK", "response": response}))
}

fn not_found() -> HttpResponse {
    HttpResponse::new(
        404,
        "application/json",
        r#"{"stat":"FAIL","code":40400,"message":"Resource not found"}"#,
    )
}
