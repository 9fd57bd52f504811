//! How long the STS phase of one run may take in all. An SDK calling `credential_process` waits for
//! the answer, so a silent STS must not hold it for the SDK's default of 3 attempts × 30 s: every
//! STS call of a run (the gateway, a fitted retry, every hop) shares one deadline, and the SDK's own
//! connect, read, attempt and operation timeouts are cut from the same budget.

use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::time::Instant;
use tracing::debug;

/// The whole STS phase of a run, from its first call: an SDK gets its answer within ~35 s.
pub const STS_BUDGET: Duration = Duration::from_secs(30);
/// Seconds (may be fractional) that lower the budget, for tests and impatient scripts; it can only
/// be lowered, never raised above `STS_BUDGET`.
pub const BUDGET_VAR: &str = "SAMLBRIDGE_STS_TIMEOUT";
/// The least budget taken from the environment: the SDK needs some time to do anything.
const MIN_BUDGET: Duration = Duration::from_millis(200);

/// One run's STS budget; clones share its deadline, which starts with the first call.
#[derive(Debug, Clone)]
pub struct StsBudget {
    total: Duration,
    started: Arc<OnceLock<Instant>>,
}

impl Default for StsBudget {
    fn default() -> Self {
        StsBudget::new(STS_BUDGET)
    }
}

impl StsBudget {
    /// A budget of `total`, at most `STS_BUDGET`.
    pub fn new(total: Duration) -> StsBudget {
        StsBudget {
            total: total.min(STS_BUDGET),
            started: Arc::default(),
        }
    }

    /// `STS_BUDGET`, or less when `BUDGET_VAR` asks for less.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> StsBudget {
        let Some(text) = var(BUDGET_VAR) else {
            return StsBudget::default();
        };
        let asked = text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
            .filter(|total| *total >= MIN_BUDGET);
        match asked {
            Some(total) => StsBudget::new(total),
            None => {
                debug!("{BUDGET_VAR} is not a number of seconds from 0.2 to 30; ignored");
                StsBudget::default()
            }
        }
    }

    pub fn total(&self) -> Duration {
        self.total
    }

    /// The SDK's timeouts: a connection within a sixth, an attempt (and a read) within a third,
    /// the operation with its retries within the whole budget.
    pub(super) fn timeouts(&self) -> aws_smithy_types::timeout::TimeoutConfig {
        aws_smithy_types::timeout::TimeoutConfig::builder()
            .connect_timeout(self.total / 6)
            .read_timeout(self.total / 3)
            .operation_attempt_timeout(self.total / 3)
            .operation_timeout(self.total)
            .build()
    }

    /// `call`, unless the run's deadline passes first (then None: the call is dropped, cancelled).
    pub(super) async fn run<T>(&self, call: impl Future<Output = T>) -> Option<T> {
        let deadline = *self.started.get_or_init(Instant::now) + self.total;
        tokio::time::timeout_at(deadline, call).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(value: &str) -> StsBudget {
        StsBudget::from_env(|name| (name == BUDGET_VAR).then(|| value.to_owned()))
    }

    #[test]
    fn the_production_budget_keeps_an_sdk_waiting_35_s_at_most() {
        let budget = StsBudget::from_env(|_| None);
        assert_eq!(budget.total(), STS_BUDGET);
        assert!(STS_BUDGET <= Duration::from_secs(30));
        let timeouts = budget.timeouts();
        assert_eq!(timeouts.operation_timeout(), Some(STS_BUDGET));
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(5)));
        assert_eq!(timeouts.read_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn the_environment_can_only_lower_the_budget() {
        assert_eq!(from("2").total(), Duration::from_secs(2));
        assert_eq!(from(" 1.5 ").total(), Duration::from_millis(1500));
        assert_eq!(from("600").total(), STS_BUDGET);
        for ignored in ["", "soon", "-3", "0", "0.01", "NaN", "inf", "1e400"] {
            assert_eq!(from(ignored).total(), STS_BUDGET, "{ignored:?}");
        }
    }

    #[tokio::test]
    async fn calls_share_one_deadline_from_the_first() {
        let budget = StsBudget::new(Duration::from_millis(2000));
        let clone = budget.clone();
        let slow = tokio::time::sleep(Duration::from_millis(1000));
        assert_eq!(budget.run(slow).await, Some(()));
        // 1 s is gone: another call of 1.5 s no longer fits, even through a clone.
        let started = Instant::now();
        let again = tokio::time::sleep(Duration::from_millis(1500));
        assert_eq!(clone.run(again).await, None);
        assert!(started.elapsed() < Duration::from_millis(1400));
    }
}
