//! The chain walker: every chained profile's AssumeRole, each started as soon as its source's
//! credentials exist, so that all hops of one level are in flight together.
//!
//! A login is all or nothing: when one hop fails, no new hop starts, the hops still in flight are
//! cancelled (their futures dropped: nothing has been written, and an unfinished AssumeRole leaves
//! nothing behind at STS), and the first error is returned. The caller then writes nothing.

use super::{Credentials, HopRequest, Sts, StsError};
use crate::config::ChainHop;
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use tracing::{debug, info};

/// AWS's limit for a session assumed with another role's session ("role chaining").
pub const CHAINED_MAX_SECONDS: i32 = 3600;

/// Every hop of the plan, each as soon as its source is ready, hops of one level concurrently;
/// never asking more than 3600 s (AWS's limit for chained sessions). `hops` come parents-first; the
/// result is in the same order.
pub async fn walk_chain<S: Sts>(
    sts: &S,
    gateway_profile: &str,
    gateway: &Credentials,
    hops: &[ChainHop],
    session_name: &str,
) -> Result<Vec<(String, Credentials)>, StsError> {
    let session_name = self::session_name(session_name);
    let mut ready: HashMap<&str, Arc<Credentials>> = HashMap::new();
    ready.insert(gateway_profile, Arc::new(gateway.clone()));
    let mut waiting: Vec<&ChainHop> = hops.iter().collect();
    let mut in_flight = FuturesUnordered::new();
    loop {
        let (startable, still_waiting) = waiting
            .into_iter()
            .partition::<Vec<_>, _>(|hop| ready.contains_key(hop.source.as_str()));
        waiting = still_waiting;
        for hop in startable {
            let source = Arc::clone(&ready[hop.source.as_str()]);
            in_flight.push(run_hop(sts, hop, source, &session_name));
        }
        let Some((hop, result)) = in_flight.next().await else {
            break;
        };
        // Dropping `in_flight` on `?` cancels the hops still running.
        let credentials = result?;
        ready.insert(hop.profile.as_str(), Arc::new(credentials));
    }
    if let Some(hop) = waiting.first() {
        return Err(StsError::UnknownSource {
            profile: hop.profile.clone(),
            source_profile: hop.source.clone(),
        });
    }
    Ok(hops
        .iter()
        .filter_map(|hop| {
            let credentials = ready.get(hop.profile.as_str())?;
            Some((hop.profile.clone(), Credentials::clone(credentials)))
        })
        .collect())
}

async fn run_hop<'h, S: Sts>(
    sts: &S,
    hop: &'h ChainHop,
    source: Arc<Credentials>,
    session_name: &str,
) -> (&'h ChainHop, Result<Credentials, StsError>) {
    let duration = hop
        .duration_seconds
        .map_or(CHAINED_MAX_SECONDS, |d| d.min(CHAINED_MAX_SECONDS));
    if hop
        .duration_seconds
        .is_some_and(|d| d > CHAINED_MAX_SECONDS)
    {
        debug!(
            profile = %hop.profile,
            "duration_seconds above {CHAINED_MAX_SECONDS} s capped: AWS limits chained sessions to 1 h"
        );
    }
    info!(profile = %hop.profile, role = %hop.role_arn, source = %hop.source, duration,
        "AssumeRole into a chained role");
    let result = sts
        .assume_role(HopRequest {
            profile: &hop.profile,
            role_arn: &hop.role_arn,
            session_name,
            external_id: hop.external_id.as_deref(),
            duration_seconds: Some(duration),
            source: &source,
        })
        .await;
    (hop, result)
}

/// A RoleSessionName STS accepts: `[\w+=,.@-]{2,64}`. Other characters become `-`; too short a name
/// is completed, too long a one cut.
pub fn session_name(raw: &str) -> String {
    let mut name: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if name.is_empty() {
        name.push_str("samlbridge");
    }
    while name.len() < 2 {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::testing::sts::FakeSts;
    use std::time::Duration;
    use time::OffsetDateTime;

    fn gateway() -> Credentials {
        Credentials {
            access_key_id: "ASIAGATEWAY".into(),
            secret_access_key: Secret::new("s"),
            session_token: Secret::new("t"),
            expiration: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn hop(profile: &str, source: &str, duration: Option<i32>) -> ChainHop {
        ChainHop {
            profile: profile.into(),
            source: source.into(),
            role_arn: format!("arn:aws:iam::333333333333:role/{profile}"),
            external_id: None,
            duration_seconds: duration,
            region: None,
            uses_credential_process: false,
        }
    }

    fn slow_sts() -> FakeSts {
        FakeSts {
            delay: Duration::from_millis(200),
            ..FakeSts::default()
        }
    }

    #[tokio::test]
    async fn hops_of_one_level_are_in_flight_together() {
        let sts = slow_sts();
        let hops = [
            hop("a", "corp", None),
            hop("b", "corp", None),
            hop("c", "corp", None),
        ];
        let out = walk_chain(&sts, "corp", &gateway(), &hops, "alice")
            .await
            .unwrap();
        assert_eq!(sts.max_in_flight(), 3);
        let names: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(
            sts.calls()
                .iter()
                .all(|c| c.source_key.as_deref() == Some("ASIAGATEWAY"))
        );
    }

    #[tokio::test]
    async fn a_child_starts_as_soon_as_its_own_source_is_ready() {
        // "fast" finishes first; its child must not wait for the slow sibling.
        let mut sts = slow_sts();
        sts.delays.insert("fast".into(), Duration::from_millis(10));
        sts.delays.insert("child".into(), Duration::from_millis(10));
        let hops = [
            hop("slow", "corp", None),
            hop("fast", "corp", None),
            hop("child", "fast", None),
            hop("grandchild", "child", None),
        ];
        let out = walk_chain(&sts, "corp", &gateway(), &hops, "alice")
            .await
            .unwrap();
        let calls = sts.calls();
        let order: Vec<&str> = calls.iter().map(|c| c.profile.as_str()).collect();
        assert_eq!(order, ["slow", "fast", "child", "grandchild"]);
        // grandchild started when only fast and child had finished: slow was still in flight.
        let grandchild = calls.iter().find(|c| c.profile == "grandchild").unwrap();
        assert_eq!(grandchild.finished_before, 2);
        assert_eq!(sts.max_in_flight(), 2);
        let key_of = |p: &str| {
            out.iter()
                .find(|(n, _)| n == p)
                .unwrap()
                .1
                .access_key_id
                .clone()
        };
        let source_of = |p: &str| {
            calls
                .iter()
                .find(|c| c.profile == p)
                .unwrap()
                .source_key
                .clone()
        };
        assert_eq!(source_of("child"), Some(key_of("fast")));
        assert_eq!(source_of("grandchild"), Some(key_of("child")));
    }

    #[tokio::test]
    async fn durations_never_exceed_one_hour() {
        let sts = FakeSts::default();
        let hops = [
            hop("long", "corp", Some(28800)),
            hop("short", "corp", Some(900)),
            hop("unset", "corp", None),
        ];
        walk_chain(&sts, "corp", &gateway(), &hops, "alice")
            .await
            .unwrap();
        let durations: Vec<_> = sts.calls().iter().map(|c| c.duration_seconds).collect();
        assert_eq!(durations, [Some(3600), Some(900), Some(3600)]);
    }

    #[tokio::test]
    async fn session_name_and_external_id_are_passed() {
        let sts = FakeSts::default();
        let mut with_id = hop("prod", "corp", None);
        with_id.external_id = Some("ext-123".into());
        walk_chain(&sts, "corp", &gateway(), &[with_id], "Alice Smith/corp")
            .await
            .unwrap();
        let call = &sts.calls()[0];
        assert_eq!(call.session_name.as_deref(), Some("Alice-Smith-corp"));
        assert_eq!(call.external_id.as_deref(), Some("ext-123"));
    }

    #[tokio::test]
    async fn a_failing_hop_fails_the_walk_naming_its_profile_and_cancels_the_rest() {
        let mut sts = slow_sts();
        sts.denied.push("b".into());
        sts.delays.insert("b".into(), Duration::from_millis(10));
        let hops = [
            hop("a", "corp", None),
            hop("b", "corp", None),
            hop("b-child", "b", None),
        ];
        let err = walk_chain(&sts, "corp", &gateway(), &hops, "alice")
            .await
            .unwrap_err();
        assert!(err.to_string().starts_with("profile b:"), "{err}");
        assert!(err.to_string().contains("AccessDenied"), "{err}");
        // "a" was cancelled mid-flight; "b-child" never started.
        assert_eq!(sts.finished(), 1);
        assert!(sts.calls().iter().all(|c| c.profile != "b-child"));
    }

    #[tokio::test]
    async fn a_hop_whose_source_is_not_in_the_login_is_named() {
        let sts = FakeSts::default();
        let hops = [hop("a", "corp", None), hop("orphan", "elsewhere", None)];
        let err = walk_chain(&sts, "corp", &gateway(), &hops, "alice")
            .await
            .unwrap_err();
        assert!(matches!(err, StsError::UnknownSource { ref profile, .. } if profile == "orphan"));
    }

    #[tokio::test]
    async fn no_hops_no_calls() {
        let sts = FakeSts::default();
        let out = walk_chain(&sts, "corp", &gateway(), &[], "alice")
            .await
            .unwrap();
        assert!(out.is_empty());
        assert!(sts.calls().is_empty());
    }

    #[test]
    fn session_names_fit_the_sts_pattern() {
        assert_eq!(session_name("alice@corp.example"), "alice@corp.example");
        assert_eq!(session_name(" Ålice Smith "), "-lice-Smith");
        assert_eq!(session_name(""), "samlbridge");
        assert_eq!(session_name("a"), "a_");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
        assert_eq!(session_name("CORP\\alice"), "CORP-alice");
    }
}
