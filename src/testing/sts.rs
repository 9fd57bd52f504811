//! A fake STS for tests: answers like the real one in the ways the walker depends on (a role's
//! MaxSessionDuration, the 1-hour limit on chained sessions, errors per profile), takes a set time
//! per call, and counts how many calls were in flight at once.

use crate::secret::Secret;
use crate::sts::{Credentials, HopRequest, SamlRoleRequest, Sts, StsError};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// One call as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    pub action: &'static str,
    pub profile: String,
    pub role_arn: String,
    pub duration_seconds: Option<i32>,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    /// The access key id of the credentials the call was made with (hops only).
    pub source_key: Option<String>,
    /// How many calls had finished when this one started.
    pub finished_before: usize,
}

#[derive(Default)]
pub(crate) struct State {
    in_flight: usize,
    max_in_flight: usize,
    calls: Vec<Call>,
    finished: usize,
}

#[derive(Default)]
pub(crate) struct FakeSts {
    pub delay: Duration,
    /// The gateway role's MaxSessionDuration; None: 12 h.
    pub max_session_seconds: Option<i32>,
    /// Profiles whose calls STS refuses with AccessDenied.
    pub denied: Vec<String>,
    /// Per-profile delays, overriding `delay`.
    pub delays: HashMap<String, Duration>,
    pub state: Mutex<State>,
}

impl FakeSts {
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }
    /// Calls that ran to their end (not cancelled).
    pub fn finished(&self) -> usize {
        self.state.lock().unwrap().finished
    }

    async fn call(&self, mut call: Call) -> Result<Credentials, StsError> {
        let delay = *self.delays.get(&call.profile).unwrap_or(&self.delay);
        let n = {
            let mut s = self.state.lock().unwrap();
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
            call.finished_before = s.finished;
            s.calls.push(call.clone());
            s.calls.len()
        };
        let _leave = InFlight(&self.state);
        tokio::time::sleep(delay).await;
        self.state.lock().unwrap().finished += 1;
        self.answer(&call, n)
    }

    fn answer(&self, call: &Call, n: usize) -> Result<Credentials, StsError> {
        let refuse = |code: &str, message: &str| StsError::Service {
            profile: call.profile.clone(),
            action: call.action,
            code: code.into(),
            message: message.into(),
        };
        if self.denied.contains(&call.profile) {
            return Err(refuse(
                "AccessDenied",
                "User is not authorized to perform: sts:AssumeRole",
            ));
        }
        let asked = call.duration_seconds.unwrap_or(3600);
        if call.action == "AssumeRole" && asked > 3600 {
            return Err(refuse(
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            ));
        }
        if call.action == "AssumeRoleWithSAML" && asked > self.max_session_seconds.unwrap_or(43200)
        {
            return Err(refuse(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ));
        }
        Ok(Credentials {
            access_key_id: format!("ASIA{}{n}", call.profile.to_uppercase()),
            secret_access_key: Secret::new(format!("secret-{n}")),
            session_token: Secret::new(format!("token-{n}")),
            expiration: OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(asked.into()),
        })
    }
}

/// Leaves the in-flight count when a call ends, also when its future is dropped mid-way.
struct InFlight<'a>(&'a Mutex<State>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.lock() {
            s.in_flight -= 1;
        }
    }
}

impl Sts for FakeSts {
    async fn assume_role_with_saml(
        &self,
        req: SamlRoleRequest<'_>,
    ) -> Result<Credentials, StsError> {
        self.call(Call {
            action: "AssumeRoleWithSAML",
            profile: req.profile.into(),
            role_arn: req.role_arn.into(),
            duration_seconds: req.duration_seconds,
            session_name: None,
            external_id: None,
            source_key: None,
            finished_before: 0,
        })
        .await
    }

    async fn assume_role(&self, req: HopRequest<'_>) -> Result<Credentials, StsError> {
        self.call(Call {
            action: "AssumeRole",
            profile: req.profile.into(),
            role_arn: req.role_arn.into(),
            duration_seconds: req.duration_seconds,
            session_name: Some(req.session_name.into()),
            external_id: req.external_id.map(Into::into),
            source_key: Some(req.source.access_key_id.clone()),
            finished_before: 0,
        })
        .await
    }
}
