//! What `/frame/v4/status` answers, in Duo's words: `pushed` on a push's first poll (`calling`,
//! then `answered`, for a call), later polls held until the person answers (Duo's long poll), and
//! the allow/deny/timeout that ends it.

use super::{
    ANSWERED, APPROVED, CALLING, DENIED, LONG_POLL, PUSHED, PushAnswer, SMS_SENT, TIMED_OUT,
    WRONG_PASSCODE,
};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Pushed,
    Calling,
    Answered,
    SmsSent,
    Allow,
    Deny,
    Timeout,
    WrongPasscode,
}

/// An outcome's parts: status code and enum, Duo's words, result and reason.
type Parts = (
    &'static str,
    u32,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

impl Outcome {
    pub(super) fn parts(self) -> Parts {
        match self {
            Outcome::Pushed => ("pushed", 13, PUSHED, None, None),
            Outcome::Calling => ("calling", 2, CALLING, None, None),
            Outcome::Answered => ("answered", 3, ANSWERED, None, None),
            Outcome::SmsSent => (
                "sent",
                12,
                SMS_SENT,
                Some("FAILURE"),
                Some("New SMS passcodes sent"),
            ),
            Outcome::Allow => ("allow", 5, APPROVED, Some("SUCCESS"), Some("User approved")),
            Outcome::Deny => ("deny", 6, DENIED, Some("FAILURE"), Some("User declined")),
            Outcome::Timeout => (
                "timeout",
                15,
                TIMED_OUT,
                Some("FAILURE"),
                Some("No response"),
            ),
            Outcome::WrongPasscode => (
                "deny",
                6,
                WRONG_PASSCODE,
                Some("FAILURE"),
                Some("Incorrect passcode"),
            ),
        }
    }

    pub(super) fn json(self) -> serde_json::Value {
        let (code, enumeration, status, result, reason) = self.parts();
        let mut response = serde_json::json!({
            "status_enum": enumeration,
            "status_code": code,
            "status": status,
        });
        if let (Some(result), Some(reason)) = (result, reason) {
            response["result"] = result.into();
            response["reason"] = reason.into();
        }
        if self == Outcome::Allow {
            response["post_auth_action"] = "oidc_exit".into();
        }
        serde_json::json!({"stat": "OK", "response": response})
    }
}

/// A poll after the first: held until the person answers (or [`LONG_POLL`] passes, when it
/// answers `waiting` again).
pub(super) fn held_answer(answer: PushAnswer, pushed_at: Instant, waiting: Outcome) -> Outcome {
    let (after, outcome) = match answer {
        PushAnswer::Approve(d) => (d, Outcome::Allow),
        PushAnswer::Deny(d) => (d, Outcome::Deny),
        PushAnswer::Ignore(d) => (d, Outcome::Timeout),
    };
    let due = pushed_at + after;
    let now = Instant::now();
    if due > now {
        let wait = due - now;
        if wait > LONG_POLL {
            std::thread::sleep(LONG_POLL);
            return waiting;
        }
        std::thread::sleep(wait);
    }
    outcome
}
