//! A push approval waited for, by the form engine, the browser and Okta alike: the person is told
//! once what to approve (and which number to pick), and the wait is bounded.

use super::{IdpError, LoginAnswers};
use std::time::{Duration, Instant};

/// What the person is told while a push method waits, when the provider file has no `[push]`.
pub const DEFAULT_PUSH_MESSAGE: &str = "approve the sign-in request on your phone";
/// How long a push method may take, when the provider file has no `[push]`.
pub const DEFAULT_PUSH_SECONDS: u64 = 120;

/// A push approval being waited for: the person is told once, and it may take so long.
#[derive(Debug, Clone, Copy)]
pub struct PushWait {
    started: Instant,
    limit: Duration,
}

impl PushWait {
    /// Tells the person `message` (with the number to pick on the phone) and starts the clock.
    pub fn begin(
        answers: &mut dyn LoginAnswers,
        host: &str,
        message: &str,
        number: Option<&str>,
        limit: Duration,
    ) -> PushWait {
        let mut said = format!("{host}: {message}");
        if let Some(n) = number {
            said.push_str(&format!(" (pick the number {n})"));
        }
        answers.notice(&said);
        PushWait::since_now(limit)
    }

    /// A wait that starts now, without telling anyone.
    pub fn since_now(limit: Duration) -> PushWait {
        PushWait {
            started: Instant::now(),
            limit,
        }
    }

    /// The time left (zero once it is up).
    pub fn left(&self) -> Duration {
        self.limit.saturating_sub(self.started.elapsed())
    }

    /// Whether nobody approved in time.
    pub fn is_over(&self) -> bool {
        self.started.elapsed() >= self.limit
    }

    /// The refusal when nobody approved in time.
    pub fn expired(&self, host: &str) -> IdpError {
        IdpError::Rejected {
            host: host.to_string(),
            message: format!(
                "a phone approval was expected, but the sign-in request was not approved \
                 within {} s",
                self.limit.as_secs()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::answers::ScriptedAnswers;

    #[test]
    fn a_push_wait_tells_the_number_once_and_runs_out() {
        let mut person = ScriptedAnswers::default();
        let wait = PushWait::begin(
            &mut person,
            "idp.example",
            "approve it",
            Some("42"),
            Duration::ZERO,
        );
        assert_eq!(
            person.notices,
            ["idp.example: approve it (pick the number 42)"]
        );
        assert!(wait.is_over());
        assert_eq!(wait.left(), Duration::ZERO);
        let err = wait.expired("idp.example").to_string();
        assert!(err.contains("not approved within 0 s"), "{err}");
        assert!(!PushWait::since_now(Duration::from_secs(60)).is_over());
    }
}
