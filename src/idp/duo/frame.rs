//! Duo's "frame" prompt: the plugin form's post leads to the prompt page, which holds `sid` and
//! `_xsrf`; the user's phones and factors come as JSON (`/frame/v4/auth/prompt/data`); a factor is
//! started (`/frame/v4/prompt`) and its status polled (`/frame/v4/status`, a long poll); the exit
//! (`/frame/v4/oidc/exit`) redirects to the IdP's callback.

use super::frameless::unexpected;
use super::prompt::{CALL, Chosen, PASSCODE, PUSH, PromptData, Reach, SMS};
use super::prompt::{choose_for, passcode};
use super::status::{Heard, POLL_PAUSE, Waiting, ok, step_up_code};
use crate::idp::form::{Method, Submission};
use crate::idp::http::{Fetched, IdpSession};
use crate::idp::page::Page;
use crate::idp::urls::host_of;
use crate::idp::{IdpError, LoginAnswers};
use serde::Deserialize;
use std::time::Instant;
use tracing::{debug, info};
use url::Url;

const DATA_PATH: &str = "/frame/v4/auth/prompt/data";
const START_PATH: &str = "/frame/v4/prompt";
const STATUS_PATH: &str = "/frame/v4/status";
const EXIT_PATH: &str = "/frame/v4/oidc/exit";

/// A frame prompt under way: where it is and what each request must carry.
pub(super) struct Frame<'s> {
    session: &'s IdpSession,
    host: String,
    base: Url,
    sid: String,
    xsrf: String,
    /// What the prompt page itself shows (its device select, preferred factor and device): used
    /// when the prompt's JSON data cannot be had.
    shown: PromptData,
}

impl<'s> Frame<'s> {
    /// The prompt the plugin form's post `landed` on; `known`: the `sid` and `_xsrf` the
    /// frameless page gave, for a prompt page that does not repeat them.
    pub(super) fn open(
        session: &'s IdpSession,
        landed: &Fetched,
        known: &[(String, String)],
    ) -> Result<Frame<'s>, IdpError> {
        let (sid, xsrf, shown) = prompt_session(landed, known)?;
        let mut base = landed.url.clone();
        base.set_query(None);
        Ok(Frame {
            session,
            host: host_of(&landed.url),
            base,
            sid,
            xsrf,
            shown,
        })
    }

    pub(super) async fn sign_in(
        &self,
        wanted: super::prompt::Wanted<'_>,
        answers: &mut dyn LoginAnswers,
    ) -> Result<Fetched, IdpError> {
        let data = self.data().await?;
        let chosen = choose_for(&self.host, &data, wanted, answers)?;
        let txid = self.start(&chosen, answers).await?;
        self.wait(&txid, &chosen, answers).await?;
        self.exit(&txid, &chosen, data.remember_me_enabled).await
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    /// The user's phones and factors: the prompt's JSON data, else what its page shows.
    async fn data(&self) -> Result<PromptData, IdpError> {
        let mut url = self.url(DATA_PATH);
        url.query_pairs_mut()
            .append_pair("post_auth_action", "OIDC_EXIT")
            .append_pair("sid", &self.sid);
        let fetched = self.session.get(url).await?;
        match ok::<PromptData>(&fetched, "the prompt's data") {
            Ok(data) => Ok(data),
            Err(e) if self.shown.is_empty() => Err(e),
            Err(e) => {
                debug!("reading the prompt page's devices instead of its data ({e})");
                Ok(self.shown.clone())
            }
        }
    }

    /// Starts the factor; returns its transaction id. Passcodes by text message are asked for
    /// first, and the passcode they bring is the factor started.
    async fn start(
        &self,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<String, IdpError> {
        let (factor, device) = match chosen {
            Chosen::Phone(Reach::Push, phone) => (PUSH, phone.index.as_str()),
            Chosen::Phone(Reach::Call, phone) => (CALL, phone.index.as_str()),
            Chosen::Phone(Reach::Sms, phone) => {
                self.post_factor(SMS, &phone.index, None).await?;
                answers.notice(&format!(
                    "{}: Duo sent passcodes by text message to {}",
                    self.host,
                    phone.shown()
                ));
                let code = passcode(answers, chosen)?;
                return self.post_factor(PASSCODE, &phone.index, Some(code)).await;
            }
            Chosen::Passcode => {
                let code = passcode(answers, chosen)?;
                return self.post_factor(PASSCODE, "None", Some(code)).await;
            }
        };
        self.post_factor(factor, device, None).await
    }

    async fn post_factor(
        &self,
        factor: &str,
        device: &str,
        passcode: Option<String>,
    ) -> Result<String, IdpError> {
        let mut pairs = vec![
            ("sid".to_string(), self.sid.clone()),
            ("postAuthDestination".into(), "OIDC_EXIT".into()),
            ("_xsrf".into(), self.xsrf.clone()),
            ("factor".into(), factor.into()),
            ("device".into(), device.into()),
        ];
        if let Some(code) = passcode {
            pairs.push(("passcode".into(), code));
        }
        let fetched = self.post(START_PATH, pairs).await?;
        #[derive(Deserialize)]
        struct Started {
            txid: String,
        }
        Ok(ok::<Started>(&fetched, "starting the factor")?.txid)
    }

    /// Polls the factor's status until Duo allows it, bounded by the push timeout; Duo's refusal
    /// (denied, timed out, wrong passcode) is its own words.
    async fn wait(
        &self,
        txid: &str,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<(), IdpError> {
        let mut waiting = Waiting::begin(&self.host, chosen, answers);
        loop {
            let within = waiting.left()?;
            let asked = Instant::now();
            let sub = Submission {
                method: Method::Post,
                url: self.url(STATUS_PATH),
                pairs: vec![
                    ("sid".to_string(), self.sid.clone()),
                    ("txid".to_string(), txid.to_string()),
                ],
            };
            let fetched = self.session.send_within(&sub, within).await?;
            let status = ok::<Status>(&fetched, "polling the factor's status")?;
            debug!("Duo status: {}", status.status_code);
            if waiting.heard(status.heard(), answers)? {
                return Ok(());
            }
            tokio::time::sleep(POLL_PAUSE.saturating_sub(asked.elapsed())).await;
        }
    }

    /// Duo's exit: a redirect to the IdP's callback, followed. Where Duo offers to remember this
    /// browser, samlbridge says yes: Duo's cookie then lives in the saved IdP session (0600, this
    /// user's), so that a refresh within Duo's remembered time needs no second factor.
    async fn exit(&self, txid: &str, chosen: &Chosen, remember: bool) -> Result<Fetched, IdpError> {
        let device_key = match chosen {
            Chosen::Phone(_, phone) => phone.key.clone(),
            Chosen::Passcode => String::new(),
        };
        let pairs = vec![
            ("sid".to_string(), self.sid.clone()),
            ("txid".into(), txid.to_string()),
            ("factor".into(), chosen.factor().into()),
            ("device_key".into(), device_key),
            ("_xsrf".into(), self.xsrf.clone()),
            ("dampen_choice".into(), remember.to_string()),
        ];
        let back = self.post(EXIT_PATH, pairs).await?;
        info!(
            "{}: Duo allowed the sign-in; back to {}",
            self.host,
            host_of(&back.url)
        );
        Ok(back)
    }

    async fn post(&self, path: &str, pairs: Vec<(String, String)>) -> Result<Fetched, IdpError> {
        let sub = Submission {
            method: Method::Post,
            url: self.url(path),
            pairs,
        };
        self.session.send(&sub).await
    }
}

/// `/frame/v4/status`'s response.
#[derive(Debug, Deserialize)]
struct Status {
    status_code: String,
    /// Duo's words ("Login request denied.").
    status: Option<String>,
    reason: Option<String>,
    result: Option<String>,
    risk_based_factor_selection_data: Option<serde_json::Value>,
}

impl Status {
    fn heard(&self) -> Heard {
        match (self.status_code.as_str(), self.result.as_deref()) {
            ("allow", _) | (_, Some("SUCCESS")) => Heard::Allowed,
            ("pushed" | "calling" | "answered" | "sent" | "webauthn_sent", None) => {
                Heard::Waiting {
                    step_up_code: self
                        .risk_based_factor_selection_data
                        .as_ref()
                        .and_then(step_up_code),
                }
            }
            _ => Heard::Refused(
                self.status
                    .clone()
                    .or_else(|| self.reason.clone())
                    .unwrap_or_else(|| format!("Duo answered '{}'", self.status_code)),
            ),
        }
    }
}

/// The prompt page's `sid` (in its URL or a form) and `_xsrf`, else the ones `known` from the
/// frameless page; what the page shows of the user's phones.
fn prompt_session(
    landed: &Fetched,
    known: &[(String, String)],
) -> Result<(String, String, PromptData), IdpError> {
    let page = Page::parse(landed.url.clone(), landed.status, &landed.body);
    let forms = page.forms();
    // A form's field, else an input anywhere on the page (a prompt page may hold its hidden
    // inputs outside a form).
    let shown_field = |name: &str| {
        forms
            .iter()
            .find_map(|f| f.field(name).map(|field| field.value.clone()))
            .or_else(|| {
                let sel = scraper::Selector::parse(&format!("input[name='{name}'][value]")).ok()?;
                page.attrs(&sel, "value").into_iter().next()
            })
    };
    let hidden = |name: &str| {
        shown_field(name).or_else(|| {
            known
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    };
    let from_query = landed
        .url
        .query_pairs()
        .find(|(k, _)| k == "sid")
        .map(|(_, v)| v.into_owned());
    let devices: Vec<(String, String)> = forms
        .iter()
        .filter_map(|f| f.field("device"))
        .flat_map(|d| d.options.iter().map(|o| (o.value.clone(), o.text.clone())))
        .collect();
    let factors: Vec<String> = forms
        .iter()
        .flat_map(|f| f.fields.iter().filter(|x| x.name == "factor"))
        .map(|x| x.value.clone())
        .collect();
    let shown = PromptData::from_page(
        &devices,
        &factors,
        hidden("preferred_factor").as_deref(),
        hidden("preferred_device").as_deref(),
    );
    match (from_query.or_else(|| hidden("sid")), hidden("_xsrf")) {
        (Some(sid), Some(xsrf)) => Ok((sid, xsrf, shown)),
        _ => Err(unexpected(
            &page,
            "Duo's prompt did not give its session (sid and _xsrf); this Duo prompt may be a \
             newer one samlbridge does not know, sign in with --browser",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: &str) -> Heard {
        serde_json::from_str::<Status>(json).unwrap().heard()
    }

    #[test]
    fn a_status_is_waiting_allowed_or_refused_in_duos_words() {
        assert_eq!(
            status(
                r#"{"status_code":"pushed","status":"Pushed a login request to your device..."}"#
            ),
            Heard::Waiting { step_up_code: None }
        );
        assert_eq!(
            status(
                r#"{"status_code":"pushed","risk_based_factor_selection_data":{"step_up_code":417}}"#
            ),
            Heard::Waiting {
                step_up_code: Some("417".into())
            }
        );
        assert_eq!(
            status(r#"{"status_code":"calling","status":"Calling your phone..."}"#),
            Heard::Waiting { step_up_code: None }
        );
        assert_eq!(
            status(r#"{"status_code":"allow","result":"SUCCESS","reason":"User approved"}"#),
            Heard::Allowed
        );
        assert_eq!(
            status(r#"{"status_code":"deny","status":"Login request denied.","result":"FAILURE"}"#),
            Heard::Refused("Login request denied.".into())
        );
        // A code Duo does not explain ends the wait with what it said.
        assert_eq!(
            status(r#"{"status_code":"fraud","reason":"User marked fraud"}"#),
            Heard::Refused("User marked fraud".into())
        );
        assert_eq!(
            status(r#"{"status_code":"locked_out"}"#),
            Heard::Refused("Duo answered 'locked_out'".into())
        );
        // "sent" with a failure (text messages sent, nothing allowed) is not a wait.
        assert!(matches!(
            status(
                r#"{"status_code":"sent","result":"FAILURE","status":"New SMS passcodes sent."}"#
            ),
            Heard::Refused(_)
        ));
    }
}
