//! Duo Security's Universal Prompt, as a protocol client of its own: any IdP whose second factor is
//! Duo (AD FS's Duo adapter, Shibboleth's and SimpleSAMLphp's Duo modules, Okta or Entra with Duo
//! as external MFA) sends the browser to Duo's authorize URL, and the engine that lands on the
//! prompt hands it here. The IdP side (the page that goes to Duo, the form that comes back) is data
//! in the provider files.
//!
//! Duo serves two prompts behind the same authorize URL: the "frame" prompt (`/frame/v4/…`, keyed
//! by `sid`, [`frame`]) and the newer single-page prompt (`/prompt/<akey>/…`, keyed by `authkey`,
//! [`spa`]). Both start at the frameless page, whose `plugin_form` posts itself back; what that
//! post answers says which prompt this is. Both read into one [`prompt::PromptData`], choose with
//! one chooser, and wait for a push or call with one [`Waiting`]; each ends in a redirect to the
//! IdP's callback, whose page the engine carries on with.

mod frame;
mod prompt;
mod spa;

use super::form::Click;
use super::http::{Fetched, IdpSession};
use super::page::Page;
use super::push::{DEFAULT_PUSH_SECONDS, PushWait};
use super::urls::{host_of, without_query};
use super::{IdpError, LoginAnswers};
use prompt::{Chosen, Envelope, Phone, Reach};
use serde::Deserialize;
use std::time::Duration;
use tracing::{debug, info};

const FRAMELESS_PATH: &str = "/frame/frameless/v4/auth";
/// The least time between two status polls (Duo holds a poll until there is news; a server that
/// answers at once is not asked more often than this).
const POLL_PAUSE: Duration = Duration::from_secs(1);

/// Whether `fetched` is Duo's Universal Prompt: its frameless page, or the single-page prompt an
/// authorize URL may lead to directly (`/prompt/<akey>?authkey=…`), known by its address or, at
/// another address, by what the page holds (the self-posting `plugin_form` with its `tx`, the
/// single-page prompt's root element with its keys).
pub fn is_prompt(fetched: &Fetched) -> bool {
    let url = &fetched.url;
    url.path().starts_with(FRAMELESS_PATH)
        || (spa::is_prompt_path(url.path()) && url.query_pairs().any(|(k, _)| k == "authkey"))
        || spa::Spa::found(fetched)
        || (fetched.body.contains("plugin_form") && plugin_submission(fetched).is_ok())
}

/// What the profile asks of Duo's prompt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted<'a> {
    /// `saml_mfa_factor`: push, passcode, phone or sms.
    pub factor: Option<&'a str>,
    /// `saml_duo_device`: the phone to use, by name or last digits.
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
    info!("{}: Duo Security's Universal Prompt", host_of(&fetched.url));
    let posted;
    // What the frameless page gave (its `sid`, the plugin form's `_xsrf`), for a prompt page
    // that does not repeat them.
    let mut known: Vec<(String, String)> = Vec::new();
    let landed = if spa::Spa::found(fetched) {
        fetched
    } else {
        let sub = plugin_submission(fetched)?;
        debug!("posting Duo's plugin form ({})", sub.names().join(", "));
        known.extend(sub.pairs.iter().filter(|(k, _)| k == "_xsrf").cloned());
        known.extend(
            fetched
                .url
                .query_pairs()
                .filter(|(k, _)| k == "sid")
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        posted = session.send(&sub).await?;
        &posted
    };
    match spa::Spa::open(session, landed) {
        Some(prompt) => prompt.sign_in(wanted, answers).await,
        None => {
            frame::Frame::open(session, landed, &known)?
                .sign_in(wanted, answers)
                .await
        }
    }
}

/// The prompt's first page's `plugin_form` (with Duo's `tx`), as its script posts it.
fn plugin_submission(fetched: &Fetched) -> Result<super::form::Submission, IdpError> {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let forms = page.forms();
    let plugin = forms
        .iter()
        .find(|f| f.id.as_deref() == Some("plugin_form") && f.field("tx").is_some())
        .ok_or_else(|| unexpected(&page, "Duo's prompt page has no plugin_form"))?;
    Ok(plugin.submission(&[], Click::Script))
}

/// Picks the factor, or says in Duo's terms why none fits.
fn choose(
    host: &str,
    data: &prompt::PromptData,
    wanted: Wanted<'_>,
    answers: &dyn LoginAnswers,
) -> Result<Chosen, IdpError> {
    prompt::choose(data, wanted, answers.has_mfa_code()).map_err(|message| IdpError::Duo {
        host: host.to_string(),
        message,
    })
}

/// The passcode to send: asked of the person (or the MFA command, or --mfa-code).
fn passcode(answers: &mut dyn LoginAnswers, chosen: &Chosen) -> Result<String, IdpError> {
    let label = match chosen {
        Chosen::Phone(Reach::Sms, _) => "Duo passcode (sent by text message)",
        _ => "Duo passcode",
    };
    Ok(answers.mfa_code(label)?.expose().trim().to_string())
}

/// What one status poll said.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    /// Not yet: a push or call under way (with the code of a Verified Duo Push, once Duo gives it).
    Waiting {
        step_up_code: Option<String>,
    },
    Allowed,
    /// Denied, timed out, a wrong passcode: Duo's words.
    Refused(String),
}

/// A push or call being waited for: the person is told once what to do (and, for a Verified Duo
/// Push, the code to type), and the wait is bounded by the push timeout other providers use.
struct Waiting {
    wait: PushWait,
    host: String,
    told_code: bool,
}

impl Waiting {
    fn begin(host: &str, chosen: &Chosen, answers: &mut dyn LoginAnswers) -> Waiting {
        let limit = Duration::from_secs(DEFAULT_PUSH_SECONDS);
        let told = |phone: &Phone, what: &str| format!("{what} {}", phone.shown());
        let wait = match chosen {
            Chosen::Phone(Reach::Push, phone) => {
                let said = told(phone, "Duo Push sent to") + ": approve it in Duo Mobile";
                PushWait::begin(answers, host, &said, None, limit)
            }
            Chosen::Phone(Reach::Call, phone) => {
                let said = told(phone, "Duo is calling") + ": answer it and press a key";
                PushWait::begin(answers, host, &said, None, limit)
            }
            _ => PushWait::since_now(limit),
        };
        Waiting {
            wait,
            host: host.to_string(),
            told_code: false,
        }
    }

    /// How long the next poll may be held.
    fn left(&self) -> Result<Duration, IdpError> {
        if self.wait.is_over() {
            return Err(self.wait.expired(&self.host));
        }
        Ok(self.wait.left().max(POLL_PAUSE))
    }

    /// Ok(true) once Duo allowed the sign-in.
    fn heard(&mut self, heard: Heard, answers: &mut dyn LoginAnswers) -> Result<bool, IdpError> {
        match heard {
            Heard::Allowed => Ok(true),
            Heard::Refused(message) => Err(IdpError::Rejected {
                host: self.host.clone(),
                message,
            }),
            Heard::Waiting { step_up_code } => {
                if let Some(code) = step_up_code.filter(|_| !self.told_code) {
                    self.told_code = true;
                    answers.notice(&format!(
                        "{}: Verified Duo Push: type {} in Duo Mobile",
                        self.host,
                        crate::shown::capped(&code, 12)
                    ));
                }
                Ok(false)
            }
        }
    }
}

/// The `response` of an `{"stat": "OK"}` answer; a `FAIL` is Duo's refusal in its words; anything
/// else is an answer samlbridge does not know.
fn ok<T: for<'de> Deserialize<'de>>(fetched: &Fetched, what: &str) -> Result<T, IdpError> {
    let host = host_of(&fetched.url);
    let parsed: Option<Envelope<T>> = serde_json::from_str(&fetched.body).ok();
    match parsed {
        Some(Envelope {
            stat,
            response: Some(response),
            ..
        }) if stat == "OK" => Ok(response),
        Some(Envelope { stat, message, .. }) if stat == "FAIL" => Err(IdpError::Rejected {
            host,
            message: message.unwrap_or_else(|| format!("Duo refused {what}")),
        }),
        _ => Err(IdpError::UnexpectedPage {
            host,
            url: without_query(&fetched.url),
            title: format!("HTTP {}", fetched.status),
            hint: format!(
                "Duo's answer to {what} was not the JSON samlbridge knows; sign in with \
                 --browser, and run with -vv to see it"
            ),
        }),
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
