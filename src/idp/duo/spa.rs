//! Duo's single-page prompt (the one Duo has been moving its tenants to): the page carries an
//! element with `data-akey` and `data-authkey`, and JSON endpoints under `/prompt/<akey>/` do the
//! rest, keyed by the authkey: the factors come from the pre-authentication evaluation (or the
//! auth payload), a push or call is started and polled, a passcode is checked at once, and
//! `finalize_auth` gives the URL back to the IdP's callback.
//!
//! Learned from the public clients that drive it (aws-adfs's and gimme-aws-creds' Duo support):
//! the shapes differ a little between them (a result nested or not, a txid's name), so each answer
//! is read for every shape they handle.

use super::prompt::{CALL, Chosen, Method, PUSH, Phone, PromptData, Reach};
use super::prompt::{choose_for, passcode};
use super::status::{Heard, POLL_PAUSE, Waiting, ok, step_up_code};
use crate::idp::http::{Fetched, IdpSession};
use crate::idp::page::Page;
use crate::idp::urls::{host_of, without_query};
use crate::idp::{IdpError, LoginAnswers};
use crate::secret::Secret;
use scraper::Selector;
use serde_json::{Value, json};
use std::sync::LazyLock;
use std::time::Instant;
use tracing::{debug, info};
use url::Url;

/// What the prompt's script tells Duo about the browser: no platform authenticator, no WebAuthn.
const BROWSER_FEATURES: &str = r#"{"touch_supported":false,"platform_authenticator_status":"unavailable","webauthn_supported":false,"screen_resolution_height":1080,"screen_resolution_width":1920,"screen_color_depth":24,"is_uvpa_available":false,"client_capabilities_uvpa":false}"#;

/// Whether `path` is the single-page prompt's own (`/prompt/<akey>`).
pub(super) fn is_prompt_path(path: &str) -> bool {
    path.strip_prefix("/prompt/")
        .is_some_and(|akey| !akey.is_empty() && !akey.contains('/'))
}

/// The single-page prompt under way.
pub(super) struct Spa<'s> {
    session: &'s IdpSession,
    host: String,
    /// `https://api-….duosecurity.com/prompt/<akey>/`
    base: Url,
    authkey: String,
}

static ROOT: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("[data-authkey][data-akey]")
        .unwrap_or_else(|_| unreachable!("a valid selector"))
});

/// The page's root element's keys.
fn keys(fetched: &Fetched) -> Option<(String, String)> {
    if !fetched.body.contains("data-authkey") {
        return None;
    }
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let root = page.select(&ROOT).next()?;
    let akey = root.value().attr("data-akey")?.trim().to_string();
    let authkey = root.value().attr("data-authkey")?.trim().to_string();
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    };
    (plain(&akey) && plain(&authkey)).then_some((akey, authkey))
}

impl<'s> Spa<'s> {
    /// Whether `fetched` is the single-page prompt.
    pub(super) fn found(fetched: &Fetched) -> bool {
        keys(fetched).is_some()
    }

    pub(super) fn open(session: &'s IdpSession, landed: &Fetched) -> Option<Spa<'s>> {
        let (akey, authkey) = keys(landed)?;
        let mut base = landed.url.clone();
        base.set_query(None);
        base.set_fragment(None);
        base.set_path(&format!("/prompt/{akey}/"));
        debug!("Duo's single-page prompt");
        Some(Spa {
            session,
            host: host_of(&landed.url),
            base,
            authkey,
        })
    }

    pub(super) async fn sign_in(
        &self,
        wanted: super::prompt::Wanted<'_>,
        answers: &mut dyn LoginAnswers,
    ) -> Result<Fetched, IdpError> {
        match self.evaluate().await? {
            Evaluated::Trusted => info!("{}: Duo remembers this device", self.host),
            Evaluated::Factors(data) => {
                let chosen = choose_for(&self.host, &data, wanted, answers)?;
                self.authenticate(&chosen, answers).await?;
            }
        }
        self.finalize().await
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        url.query_pairs_mut()
            .append_pair("authkey", &self.authkey)
            .extend_pairs(query);
        url
    }

    async fn get(&self, path: &str, query: &[(&str, &str)], what: &str) -> Result<Value, IdpError> {
        let fetched = self.session.get(self.url(path, query)).await?;
        ok::<Value>(&fetched, what)
    }

    /// Duo's view before any factor: the device already trusted, or the factors it offers.
    async fn evaluate(&self) -> Result<Evaluated, IdpError> {
        let init = self
            .get(
                "pre_authn/initialization",
                &[("is_ipad", "false")],
                "starting the prompt",
            )
            .await;
        if let Err(e) = init {
            debug!("Duo's pre-authentication start failed ({e}); going on");
        }
        let query = [
            ("browser_features", BROWSER_FEATURES),
            ("local_trust_choice", "undecided"),
        ];
        let evaluation = self
            .get("pre_authn/evaluation", &query, "the prompt's evaluation")
            .await;
        match evaluation {
            Ok(v) if trusted(&v) => return Ok(Evaluated::Trusted),
            Ok(v) if !factors_of(&v).is_empty() => return Ok(Evaluated::Factors(prompt_data(&v))),
            Ok(_) => {}
            Err(e) => {
                debug!("Duo's pre-authentication evaluation failed ({e}); reading its payload")
            }
        }
        let payload = self
            .get(
                "auth/payload",
                &[("browser_features", BROWSER_FEATURES)],
                "the prompt's factors",
            )
            .await?;
        Ok(Evaluated::Factors(prompt_data(&payload)))
    }

    /// Starts the factor and waits until Duo allows it.
    async fn authenticate(
        &self,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<(), IdpError> {
        let (reach, phone) = match chosen {
            Chosen::Passcode => return self.passcode(chosen, answers).await,
            Chosen::Phone(Reach::Sms, _) => {
                return Err(IdpError::Duo {
                    host: self.host.clone(),
                    message: "text messages are not something samlbridge can ask of Duo's \
                              newest prompt; set saml_mfa_factor to push, phone or passcode"
                        .into(),
                });
            }
            Chosen::Phone(reach, phone) => (*reach, phone),
        };
        let (start, poll, txid_names): (&str, &str, &[&str]) = match reach {
            Reach::Push => (
                "auth/factors/push/auth",
                "auth/factors/push/status",
                &["push_txid", "pushTxid", "txid"],
            ),
            _ => (
                "auth/factors/phone_call",
                "auth/factors/phone_call/poll",
                &["phone_call_txid", "txid"],
            ),
        };
        let started = self.post(start, json!({"pkey": phone.key})).await?;
        let started = ok::<Value>(&started, "starting the factor")?;
        let txid = txid_names
            .iter()
            .find_map(|n| started.get(*n).and_then(Value::as_str))
            .ok_or_else(|| self.unknown("starting the factor"))?
            .to_string();
        let mut waiting = Waiting::begin(&self.host, chosen, answers);
        let code = step_up_code(&started);
        if code.is_some() {
            waiting.heard(Heard::Waiting { step_up_code: code }, answers)?;
        }
        let (txid_name, extra): (&str, &[(&str, &str)]) = match reach {
            Reach::Push => ("push_txid", &[("saw_good_news", "false")]),
            _ => ("txid", &[]),
        };
        loop {
            let within = waiting.left()?;
            let asked = Instant::now();
            let mut url = self.url(poll, &[(txid_name, &txid)]);
            url.query_pairs_mut().extend_pairs(extra);
            let fetched = self.session.get_within(url, within).await?;
            let status = ok::<Value>(&fetched, "polling the factor's status")?;
            if waiting.heard(heard(&status), answers)? {
                return Ok(());
            }
            tokio::time::sleep(POLL_PAUSE.saturating_sub(asked.elapsed())).await;
        }
    }

    /// A passcode is checked at once: Duo's OK is its yes, its FAIL its words.
    async fn passcode(
        &self,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<(), IdpError> {
        let code = passcode(answers, chosen)?;
        let mut fetched = self
            .post("auth/factors/mobile_otp", json!({"mobile_otp": code}))
            .await?;
        if fetched.status == 404 {
            debug!("no mobile_otp endpoint; sending the passcode as 'passcode'");
            fetched = self
                .post("auth/factors/passcode", json!({"passcode": code}))
                .await?;
        }
        let answer = ok::<Value>(&fetched, "checking the passcode")?;
        match heard(&answer) {
            Heard::Refused(message) => Err(IdpError::Rejected {
                host: self.host.clone(),
                message,
            }),
            _ => Ok(()),
        }
    }

    /// `finalize_auth`: the URL back to the IdP's callback, followed.
    async fn finalize(&self) -> Result<Fetched, IdpError> {
        let done = self.get("auth/finalize_auth", &[], "finishing").await?;
        let back = done
            .get("url")
            .and_then(Value::as_str)
            .and_then(|u| self.base.join(u).ok())
            .ok_or_else(|| self.unknown("finishing"))?;
        let fetched = self.session.get(back).await?;
        info!(
            "{}: Duo allowed the sign-in; back to {}",
            self.host,
            host_of(&fetched.url)
        );
        Ok(fetched)
    }

    /// A JSON post (the authkey added); the body may hold a passcode, hence a Secret.
    async fn post(&self, path: &str, mut body: Value) -> Result<Fetched, IdpError> {
        body["authkey"] = Value::String(self.authkey.clone());
        let mut url = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        url.set_query(None);
        self.session
            .post_json(url, &Secret::new(body.to_string()))
            .await
    }

    fn unknown(&self, what: &str) -> IdpError {
        IdpError::UnexpectedPage {
            host: self.host.clone(),
            url: without_query(&self.base),
            title: String::new(),
            hint: format!(
                "Duo's answer to {what} was not the JSON samlbridge knows; sign in with \
                 --browser, and run with -vv to see it"
            ),
        }
    }
}

enum Evaluated {
    /// Duo remembers this browser: no factor needed.
    Trusted,
    Factors(PromptData),
}

/// Whether the evaluation says the device is trusted already.
fn trusted(v: &Value) -> bool {
    let result = &v["result"];
    result["status"].as_str() == Some("success")
        || result["auth_result"]["authn_evaluation"]["is_allowed"] == Value::Bool(true)
}

/// The factor list, under `auth_factors_context` or not, as an object's `factors` or a list.
fn factors_of(v: &Value) -> Vec<Value> {
    let context = v
        .get("auth_factors_context")
        .filter(|c| c.is_object())
        .unwrap_or(v);
    let listed = &context["available_unified_auth_factors"];
    listed
        .get("factors")
        .unwrap_or(listed)
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The factor list as the chooser reads it: each phone once (by its pkey), each of its factors
/// as a method.
fn prompt_data(v: &Value) -> PromptData {
    let mut data = PromptData::default();
    for factor in factors_of(v) {
        let listed = match factor["factor_type"].as_str() {
            Some("push") => PUSH,
            Some("phone_call") => CALL,
            Some("sms") => "SMS Passcode",
            _ => continue,
        };
        let info = factor
            .get("device_info")
            .or_else(|| factor.get("phone_info"))
            .unwrap_or(&Value::Null);
        let Some(pkey) = info["pkey"].as_str().filter(|k| !k.is_empty()) else {
            continue;
        };
        if !data.phones.iter().any(|p| p.key == pkey) {
            let text = |k: &str| info[k].as_str().unwrap_or_default().to_string();
            data.phones.push(Phone {
                key: pkey.to_string(),
                index: pkey.to_string(),
                name: text("name"),
                end_of_number: text("end_of_number"),
            });
        }
        data.auth_method_order.push(Method {
            factor: listed.into(),
            device_key: Some(pkey.to_string()),
        });
    }
    data
}

/// The status inside an answer: a `result` object, a `result` string, or the answer itself.
fn heard(v: &Value) -> Heard {
    let detail = if v["result"].is_object() {
        &v["result"]
    } else {
        v
    };
    let said = ["result", "status_code"]
        .iter()
        .find_map(|k| detail[*k].as_str().filter(|s| !s.is_empty()))
        .unwrap_or_default()
        .to_ascii_uppercase();
    match said.as_str() {
        "SUCCESS" | "ALLOW" => Heard::Allowed,
        "FAILURE" | "DENY" | "FRAUD" | "ERROR" | "TIMEOUT" => Heard::Refused(
            ["status", "reason", "message"]
                .iter()
                .find_map(|k| detail[*k].as_str().filter(|s| !s.is_empty()))
                .map_or_else(|| format!("Duo answered '{said}'"), str::to_string),
        ),
        _ => Heard::Waiting {
            step_up_code: step_up_code(detail),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_factor_list_is_read_nested_or_flat_each_phone_once() {
        let nested = v(
            r#"{"auth_factors_context":{"available_unified_auth_factors":{"factors":[
            {"factor_type":"push","device_info":{"pkey":"DP1","name":"iPhone","end_of_number":"4321"}},
            {"factor_type":"phone_call","phone_info":{"pkey":"DP1"}},
            {"factor_type":"bypass_code","passcode_lengths":[6]},
            {"factor_type":"push","device_info":{"pkey":""}}]}}}"#,
        );
        let data = prompt_data(&nested);
        assert_eq!(data.phones.len(), 1);
        assert_eq!(data.phones[0].shown(), "iPhone (…4321)");
        assert_eq!(data.phones_for(Reach::Push).len(), 1);
        assert_eq!(data.phones_for(Reach::Call).len(), 1);
        let flat = v(r#"{"available_unified_auth_factors":[
            {"factor_type":"push","device_info":{"pkey":"DP2","name":"Pixel"}}]}"#);
        assert_eq!(prompt_data(&flat).phones[0].name, "Pixel");
        assert!(factors_of(&v(r#"{"result":{}}"#)).is_empty());
    }

    #[test]
    fn statuses_are_read_in_every_shape_the_clients_know() {
        assert_eq!(
            heard(&v(
                r#"{"result":{"result":"SUCCESS","status_code":"allow"}}"#
            )),
            Heard::Allowed
        );
        assert_eq!(heard(&v(r#"{"result":"SUCCESS"}"#)), Heard::Allowed);
        assert_eq!(
            heard(&v(r#"{"result":"STATUS","status_enum":1}"#)),
            Heard::Waiting { step_up_code: None }
        );
        assert_eq!(
            heard(&v(
                r#"{"result":{"status_code":"pushed","step_up_code":"382"}}"#
            )),
            Heard::Waiting {
                step_up_code: Some("382".into())
            }
        );
        assert_eq!(
            heard(&v(
                r#"{"result":{"result":"FAILURE","status_code":"deny","status":"Login request denied."}}"#
            )),
            Heard::Refused("Login request denied.".into())
        );
        assert_eq!(
            heard(&v(r#"{"status_code":"timeout"}"#)),
            Heard::Refused("Duo answered 'TIMEOUT'".into())
        );
        // A passcode's OK without a result is a yes.
        assert_eq!(heard(&v("{}")), Heard::Waiting { step_up_code: None });
    }

    #[test]
    fn a_trusted_device_is_told_by_the_evaluation() {
        assert!(trusted(&v(r#"{"result":{"status":"success"}}"#)));
        assert!(trusted(&v(
            r#"{"result":{"auth_result":{"authn_evaluation":{"is_allowed":true}}}}"#
        )));
        assert!(!trusted(&v(r#"{"result":{"status":"prompt"}}"#)));
        assert!(!trusted(&v("{}")));
    }

    #[test]
    fn only_the_prompts_own_path_is_the_prompt() {
        assert!(is_prompt_path("/prompt/DIABCDEF"));
        assert!(!is_prompt_path("/prompt/"));
        assert!(!is_prompt_path("/prompt/DI/auth/payload"));
        assert!(!is_prompt_path("/frame/prompt"));
    }

    #[test]
    fn a_passcodes_answer_is_a_yes_unless_duo_says_no() {
        // What `passcode` reads of mobile_otp's OK answer: a result object, or nothing.
        assert_eq!(
            heard(&v(
                r#"{"result":{"result":"SUCCESS","status_code":"allow"}}"#
            )),
            Heard::Allowed
        );
        assert!(matches!(
            heard(&v(r#"{"result":{"result":"FAILURE","status":"Incorrect passcode. Please try again."}}"#)),
            Heard::Refused(m) if m.starts_with("Incorrect passcode")
        ));
    }
}
