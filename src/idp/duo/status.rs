//! What Duo answers: its JSON envelope (`{"stat": "OK", "response": …}` or a `FAIL` in its
//! words), a factor's status, and the wait for a push or call, bounded and told once.

use super::prompt::{Chosen, Envelope, Phone, Reach};
use crate::idp::http::Fetched;
use crate::idp::push::{DEFAULT_PUSH_SECONDS, PushWait};
use crate::idp::urls::{host_of, without_query};
use crate::idp::{IdpError, LoginAnswers};
use serde::Deserialize;
use std::time::Duration;

/// The least time between two status polls (Duo holds a poll until there is news; a server that
/// answers at once is not asked more often than this).
pub(super) const POLL_PAUSE: Duration = Duration::from_secs(1);

/// What one status poll said.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Heard {
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
pub(super) struct Waiting {
    wait: PushWait,
    host: String,
    told_code: bool,
}

impl Waiting {
    pub(super) fn begin(host: &str, chosen: &Chosen, answers: &mut dyn LoginAnswers) -> Waiting {
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
    pub(super) fn left(&self) -> Result<Duration, IdpError> {
        if self.wait.is_over() {
            return Err(self.wait.expired(&self.host));
        }
        Ok(self.wait.left().max(POLL_PAUSE))
    }

    /// Ok(true) once Duo allowed the sign-in.
    pub(super) fn heard(
        &mut self,
        heard: Heard,
        answers: &mut dyn LoginAnswers,
    ) -> Result<bool, IdpError> {
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
pub(super) fn ok<T: for<'de> Deserialize<'de>>(
    fetched: &Fetched,
    what: &str,
) -> Result<T, IdpError> {
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

/// Verified Duo Push: the code to type in Duo Mobile, where Duo gives it.
pub(super) fn step_up_code(v: &serde_json::Value) -> Option<String> {
    let code = v
        .get("step_up_code")
        .or_else(|| v["risk_based_factor_selection_data"].get("step_up_code"))?;
    match code {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Result<serde_json::Value, IdpError> {
        let fetched = Fetched {
            url: url::Url::parse("https://api-1.duosecurity.com/frame/v4/status").unwrap(),
            status: 200,
            body: body.into(),
            date: None,
            offered: Default::default(),
        };
        ok::<serde_json::Value>(&fetched, "polling")
    }

    #[test]
    fn duos_envelope_is_its_response_its_refusal_or_unknown() {
        assert_eq!(
            answer(r#"{"stat":"OK","response":{"txid":"t"}}"#).unwrap()["txid"],
            "t"
        );
        let refused = answer(r#"{"stat":"FAIL","message":"Unknown transaction."}"#).unwrap_err();
        assert!(
            matches!(&refused, IdpError::Rejected { message, .. } if message == "Unknown transaction."),
            "{refused:?}"
        );
        let unsaid = answer(r#"{"stat":"FAIL"}"#).unwrap_err();
        assert!(
            unsaid.to_string().contains("Duo refused polling"),
            "{unsaid}"
        );
        for odd in [
            r#"{"stat":"WAIT","response":{}}"#,
            r#"{"stat":"OK"}"#,
            r#"{"stat":"WAIT","message":"x"}"#,
            "<html>",
        ] {
            let err = answer(odd).unwrap_err();
            assert!(
                matches!(err, IdpError::UnexpectedPage { .. }),
                "{odd}: {err:?}"
            );
        }
    }

    fn v(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_step_up_code_is_a_string_or_a_number_never_empty() {
        assert_eq!(
            step_up_code(&v(r#"{"step_up_code":417}"#)).as_deref(),
            Some("417")
        );
        assert_eq!(
            step_up_code(&v(r#"{"step_up_code":"082"}"#)).as_deref(),
            Some("082")
        );
        assert_eq!(step_up_code(&v(r#"{"step_up_code":""}"#)), None);
        assert_eq!(step_up_code(&v(r#"{"step_up_code":null}"#)), None);
        let nested = v(r#"{"risk_based_factor_selection_data":{"step_up_code":"9"}}"#);
        assert_eq!(step_up_code(&nested).as_deref(), Some("9"));
    }
}
