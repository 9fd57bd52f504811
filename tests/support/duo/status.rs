//! What `/frame/v4/status` answers, in Duo's words: `pushed` on a push's first poll, later polls
//! held until the person answers (Duo's long poll), and the allow/deny/timeout that ends it.

use super::{APPROVED, DENIED, LONG_POLL, PUSHED, PushAnswer, TIMED_OUT, WRONG_PASSCODE};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Pushed,
    Allow,
    Deny,
    Timeout,
    WrongPasscode,
}

impl Outcome {
    pub(super) fn json(self) -> serde_json::Value {
        let (code, enumeration, status, result, reason) = match self {
            Outcome::Pushed => ("pushed", 13, PUSHED, None, None),
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
        };
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

/// A poll after the first: held until the person answers (or [`LONG_POLL`] passes).
pub(super) fn held_answer(answer: PushAnswer, pushed_at: Instant) -> Outcome {
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
            return Outcome::Pushed;
        }
        std::thread::sleep(wait);
    }
    outcome
}
