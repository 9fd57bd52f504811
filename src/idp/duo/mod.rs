//! Duo Security's Universal Prompt (the "frameless" v4 prompt at `api-….duosecurity.com`), as a
//! protocol client of its own: any IdP whose second factor is Duo (AD FS's Duo adapter, Shibboleth's
//! and SimpleSAMLphp's Duo modules) sends the browser to Duo's authorize URL, and the engine that
//! lands on the prompt hands it here. The IdP side (the page that goes to Duo, the form that comes
//! back) is data in the provider files.
//!
//! The prompt's own steps: its `plugin_form` posts itself back; the prompt page holds `sid` and
//! `_xsrf`; the user's phones and factors come as JSON (`/frame/v4/auth/prompt/data`); a factor is
//! started (`/frame/v4/prompt`) and its status polled (`/frame/v4/status`, a long poll); the exit
//! (`/frame/v4/oidc/exit`) redirects to the IdP's callback, whose page the engine carries on with.

mod prompt;

use super::form::{Click, Method, Submission};
use super::http::{Fetched, IdpSession};
use super::page::Page;
use super::push::{DEFAULT_PUSH_SECONDS, PushWait};
use super::urls::{host_of, without_query};
use super::{IdpError, LoginAnswers};
use prompt::{Chosen, Envelope, PASSCODE, PUSH, PromptData};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tracing::{debug, info};
use url::Url;

const FRAMELESS_PATH: &str = "/frame/frameless/v4/auth";
const DATA_PATH: &str = "/frame/v4/auth/prompt/data";
const START_PATH: &str = "/frame/v4/prompt";
const STATUS_PATH: &str = "/frame/v4/status";
const EXIT_PATH: &str = "/frame/v4/oidc/exit";
/// The least time between two status polls (Duo holds a poll until there is news; a server that
/// answers at once is not asked more often than this).
const POLL_PAUSE: Duration = Duration::from_secs(1);

/// Whether `url` is Duo's Universal Prompt.
pub fn is_prompt(url: &Url) -> bool {
    url.path().starts_with(FRAMELESS_PATH)
}

/// A prompt under way: where it is and what each request must carry.
struct Prompt<'s> {
    session: &'s IdpSession,
    host: String,
    base: Url,
    sid: String,
    xsrf: String,
    /// What the prompt page itself shows (its device select, preferred factor and device): used
    /// when the prompt's JSON data cannot be had.
    shown: PromptData,
}

/// What the profile asks of Duo's prompt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted<'a> {
    /// `saml_mfa_factor`: push or passcode.
    pub factor: Option<&'a str>,
    /// `saml_duo_device`: the phone to push to, by name or last digits.
    pub device: Option<&'a str>,
}

/// Passes Duo's prompt (the page `fetched` is its first) with the factor `wanted` or the one Duo's
/// data makes the default; returns the IdP's page that Duo's exit leads to.
pub async fn sign_in(
    session: &IdpSession,
    fetched: &Fetched,
    wanted: Wanted<'_>,
    answers: &mut dyn LoginAnswers,
) -> Result<Fetched, IdpError> {
    let host = host_of(&fetched.url);
    info!("{host}: Duo Security's Universal Prompt");
    let prompt = Prompt::open(session, fetched).await?;
    let data = prompt.data().await?;
    let chosen =
        prompt::choose(&data, wanted, answers.has_mfa_code()).map_err(|message| IdpError::Duo {
            host: host.clone(),
            message,
        })?;
    let txid = prompt.start(&chosen, answers).await?;
    prompt.wait(&txid, &chosen, answers).await?;
    prompt.exit(&txid, &chosen).await
}

impl<'s> Prompt<'s> {
    /// Posts the plugin form back as its script does and reads the prompt page it leads to.
    async fn open(session: &'s IdpSession, fetched: &Fetched) -> Result<Prompt<'s>, IdpError> {
        let sub = plugin_submission(fetched)?;
        debug!("posting Duo's plugin form ({})", sub.names().join(", "));
        let landed = session.send(&sub).await?;
        let (sid, xsrf, shown) = prompt_session(&landed)?;
        let mut base = landed.url.clone();
        base.set_query(None);
        Ok(Prompt {
            session,
            host: host_of(&landed.url),
            base,
            sid,
            xsrf,
            shown,
        })
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
        match self.ok::<PromptData>(&fetched, "the prompt's data") {
            Ok(data) => Ok(data),
            Err(e) if self.shown.is_empty() => Err(e),
            Err(e) => {
                debug!("reading the prompt page's devices instead of its data ({e})");
                Ok(self.shown.clone())
            }
        }
    }

    /// Starts the factor; returns its transaction id.
    async fn start(
        &self,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<String, IdpError> {
        let mut pairs = vec![
            ("sid".to_string(), self.sid.clone()),
            ("postAuthDestination".into(), "OIDC_EXIT".into()),
            ("_xsrf".into(), self.xsrf.clone()),
        ];
        match chosen {
            Chosen::Push(phone) => {
                pairs.push(("factor".into(), PUSH.into()));
                pairs.push(("device".into(), phone.index.clone()));
            }
            Chosen::Passcode => {
                let code = answers.mfa_code("Duo passcode")?;
                pairs.push(("factor".into(), PASSCODE.into()));
                pairs.push(("device".into(), "None".into()));
                pairs.push(("passcode".into(), code.expose().trim().to_string()));
            }
        }
        let fetched = self.post(START_PATH, pairs, None).await?;
        #[derive(Deserialize)]
        struct Started {
            txid: String,
        }
        Ok(self.ok::<Started>(&fetched, "starting the factor")?.txid)
    }

    /// Polls the factor's status until Duo allows it, bounded by the push timeout; Duo's refusal
    /// (denied, timed out, wrong passcode) is its own words.
    async fn wait(
        &self,
        txid: &str,
        chosen: &Chosen,
        answers: &mut dyn LoginAnswers,
    ) -> Result<(), IdpError> {
        let limit = Duration::from_secs(DEFAULT_PUSH_SECONDS);
        let wait = match chosen {
            Chosen::Push(phone) => PushWait::begin(
                answers,
                &self.host,
                &format!(
                    "Duo Push sent to {}: approve it in Duo Mobile",
                    phone.shown()
                ),
                None,
                limit,
            ),
            Chosen::Passcode => PushWait::since_now(limit),
        };
        let mut told_code = false;
        loop {
            if wait.is_over() {
                return Err(wait.expired(&self.host));
            }
            let asked = Instant::now();
            let pairs = vec![
                ("sid".to_string(), self.sid.clone()),
                ("txid".to_string(), txid.to_string()),
            ];
            let fetched = self
                .post(STATUS_PATH, pairs, Some(wait.left().max(POLL_PAUSE)))
                .await?;
            let status = self.ok::<Status>(&fetched, "polling the factor's status")?;
            debug!("Duo status: {}", status.status_code);
            match status.status_code.as_str() {
                "allow" => return Ok(()),
                "pushed" | "calling" | "answered" | "sent" => {
                    if let Some(code) = status.step_up_code().filter(|_| !told_code) {
                        told_code = true;
                        answers.notice(&format!(
                            "{}: Verified Duo Push: type {code} in Duo Mobile",
                            self.host
                        ));
                    }
                }
                _ => {
                    return Err(IdpError::Rejected {
                        host: self.host.clone(),
                        message: status.said(),
                    });
                }
            }
            tokio::time::sleep(POLL_PAUSE.saturating_sub(asked.elapsed())).await;
        }
    }

    /// Duo's exit: a redirect to the IdP's callback, followed.
    async fn exit(&self, txid: &str, chosen: &Chosen) -> Result<Fetched, IdpError> {
        let (factor, device_key) = match chosen {
            Chosen::Push(phone) => (PUSH, phone.key.clone()),
            Chosen::Passcode => (PASSCODE, String::new()),
        };
        let pairs = vec![
            ("sid".to_string(), self.sid.clone()),
            ("txid".into(), txid.to_string()),
            ("factor".into(), factor.into()),
            ("device_key".into(), device_key),
            ("_xsrf".into(), self.xsrf.clone()),
            ("dampen_choice".into(), "false".into()),
        ];
        let back = self.post(EXIT_PATH, pairs, None).await?;
        info!(
            "{}: Duo allowed the sign-in; back to {}",
            self.host,
            host_of(&back.url)
        );
        Ok(back)
    }

    async fn post(
        &self,
        path: &str,
        pairs: Vec<(String, String)>,
        within: Option<Duration>,
    ) -> Result<Fetched, IdpError> {
        let sub = Submission {
            method: Method::Post,
            url: self.url(path),
            pairs,
        };
        match within {
            Some(t) => self.session.send_within(&sub, t).await,
            None => self.session.send(&sub).await,
        }
    }

    /// The `response` of an `{"stat": "OK"}` answer; a `FAIL` is Duo's refusal in its words.
    fn ok<T: for<'de> Deserialize<'de>>(
        &self,
        fetched: &Fetched,
        what: &str,
    ) -> Result<T, IdpError> {
        let parsed: Option<Envelope<T>> = serde_json::from_str(&fetched.body).ok();
        match parsed {
            Some(Envelope {
                stat,
                response: Some(response),
                ..
            }) if stat == "OK" => Ok(response),
            Some(Envelope { stat, message, .. }) if stat == "FAIL" => Err(IdpError::Rejected {
                host: self.host.clone(),
                message: message.unwrap_or_else(|| format!("Duo refused {what}")),
            }),
            _ => Err(IdpError::UnexpectedPage {
                host: self.host.clone(),
                url: without_query(&fetched.url),
                title: format!("HTTP {}", fetched.status),
                hint: format!(
                    "Duo's answer to {what} was not the JSON samlbridge knows; sign in with \
                     --browser, and run with -vv to see it"
                ),
            }),
        }
    }
}

/// `/frame/v4/status`'s response.
#[derive(Debug, Deserialize)]
struct Status {
    status_code: String,
    /// Duo's words ("Login request denied.").
    status: Option<String>,
    reason: Option<String>,
    risk_based_factor_selection_data: Option<serde_json::Value>,
}

impl Status {
    fn said(&self) -> String {
        self.status
            .clone()
            .or_else(|| self.reason.clone())
            .unwrap_or_else(|| format!("Duo answered '{}'", self.status_code))
    }

    /// Verified Duo Push: the code the person types in Duo Mobile.
    fn step_up_code(&self) -> Option<String> {
        let code = self
            .risk_based_factor_selection_data
            .as_ref()?
            .get("step_up_code")?;
        match code {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// The prompt's first page's `plugin_form`, as its script posts it.
fn plugin_submission(fetched: &Fetched) -> Result<Submission, IdpError> {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let forms = page.forms();
    let plugin = forms
        .iter()
        .find(|f| f.id.as_deref() == Some("plugin_form") || f.field("tx").is_some())
        .ok_or_else(|| unexpected(&page, "Duo's prompt page has no plugin_form"))?;
    Ok(plugin.submission(&[], Click::Script))
}

/// The prompt page's `sid` (in its URL or a form) and `_xsrf`.
fn prompt_session(landed: &Fetched) -> Result<(String, String, PromptData), IdpError> {
    let page = Page::parse(landed.url.clone(), landed.status, &landed.body);
    let forms = page.forms();
    let hidden = |name: &str| {
        forms
            .iter()
            .find_map(|f| f.field(name).map(|field| field.value.clone()))
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

fn unexpected(page: &Page, hint: &str) -> IdpError {
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: hint.to_string(),
    }
}

#[cfg(test)]
mod tests;
