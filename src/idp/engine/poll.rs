//! Answers to a push page's poll that are not pages: a status in JSON (PingID's
//! `{"status":"ASYNC_AUTH_WAIT"}`) or an empty page. While an approval is awaited they say
//! "still waiting", "approved" or "gave up"; the poll is re-posted, bounded by the push wait.

use super::SignInState;
use super::steps::Action;
use crate::idp::IdpError;
use crate::idp::provider::Provider;
use std::time::Duration;

/// Statuses that say the approval will not come.
const GAVE_UP: [&str; 6] = ["timeout", "denied", "reject", "expired", "fail", "cancel"];
/// Statuses that say it came.
const APPROVED: [&str; 4] = ["ok", "approved", "success", "done"];

/// What to do with a poll's answer that is no page the engine knows, while a push is awaited:
/// None when no push poll is under way.
pub fn while_waiting(
    body: &str,
    provider: &Provider,
    state: &mut SignInState<'_>,
    host: &str,
) -> Option<Result<Action, IdpError>> {
    let wait = state.push?;
    let poll = state.last_poll.clone()?;
    let status = json_status(body).unwrap_or_default().to_ascii_lowercase();
    if GAVE_UP.iter().any(|w| status.contains(w)) {
        return Some(Err(IdpError::Rejected {
            host: host.to_string(),
            message: format!(
                "a phone approval was expected, but the IdP's status says '{status}': the \
                 sign-in request was not approved"
            ),
        }));
    }
    if wait.is_over() {
        return Some(Err(wait.expired(host)));
    }
    let pause = if APPROVED.contains(&status.as_str()) {
        Duration::ZERO
    } else {
        let seconds = provider.push.as_ref().map_or(3, |p| p.interval_seconds);
        Duration::from_secs(seconds.max(1))
    };
    Some(Ok(Action::Poll(poll, pause)))
}

/// The `status` string of a JSON object answer.
fn json_status(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    value.get("status")?.as_str().map(str::to_string)
}
