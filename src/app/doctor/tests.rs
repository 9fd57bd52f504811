use super::local::{schedule_finding, when};
use super::network::{clock_finding, partition_of};
use super::report::{self, Finding, Status};
use crate::app::schedule::status::TimerStatus;
use crate::config::{ChainHop, Plan};
use crate::saml::Partition;
use std::path::PathBuf;
use time::macros::datetime;

const NOW: time::OffsetDateTime = datetime!(2026-11-26 17:00:00 UTC);

#[test]
fn a_clock_five_minutes_off_is_a_problem_one_minute_a_warning() {
    let at = |secs: i64| {
        clock_finding(
            "the IdP idp.example",
            NOW + time::Duration::seconds(secs),
            NOW,
        )
    };
    let ahead = at(600);
    assert_eq!(ahead.status, Status::Problem);
    assert!(
        ahead.message.contains("10 min ahead of"),
        "{}",
        ahead.message
    );
    assert!(
        ahead.message.contains("the IdP idp.example"),
        "{}",
        ahead.message
    );
    let behind = at(-599);
    assert_eq!(behind.status, Status::Problem);
    assert!(
        behind.message.contains("10 min behind"),
        "{}",
        behind.message
    );
    assert_eq!(at(300).status, Status::Problem);
    assert_eq!(at(-299).status, Status::Warning);
    assert_eq!(at(61).status, Status::Warning);
    let close = at(-3);
    assert_eq!(close.status, Status::Ok);
    assert!(close.message.contains("within 3 s"), "{}", close.message);
}

#[test]
fn the_partition_comes_from_the_roles_else_the_region() {
    let mut plan = Plan::default();
    assert_eq!(partition_of(&plan), Partition::Aws);
    plan.gateway.region = Some("cn-north-1".into());
    assert_eq!(partition_of(&plan), Partition::AwsCn);
    plan.chain.push(ChainHop {
        profile: "gov".into(),
        source: "gw".into(),
        role_arn: "arn:aws-us-gov:iam::111111111111:role/A".into(),
        external_id: None,
        duration_seconds: None,
        region: None,
        uses_credential_process: false,
    });
    assert_eq!(partition_of(&plan), Partition::AwsUsGov);
    plan.gateway.role = Some("arn:aws:iam::111111111111:role/Gw".into());
    assert_eq!(partition_of(&plan), Partition::Aws);
}

#[test]
fn the_scheduled_refresh_is_judged_by_its_last_exit() {
    assert_eq!(schedule_finding(&TimerStatus::default()).status, Status::Ok);
    let installed = TimerStatus {
        files: vec![PathBuf::from("/u/samlbridge-refresh.timer")],
        active: Some("active".into()),
        last_run: Some("Thu 2026-11-26 17:00:01 UTC".into()),
        last_exit: Some(0),
        unknown: None,
    };
    let fine = schedule_finding(&installed);
    assert_eq!(fine.status, Status::Ok);
    assert!(fine.message.contains("exited 0"), "{}", fine.message);
    let failed = schedule_finding(&TimerStatus {
        last_exit: Some(3),
        ..installed.clone()
    });
    assert_eq!(failed.status, Status::Problem);
    assert!(failed.message.contains("exited 3") && failed.message.contains("journalctl"));
    let stopped = TimerStatus {
        active: Some("inactive".into()),
        ..installed.clone()
    };
    assert_eq!(schedule_finding(&stopped).status, Status::Warning);
    let silent = TimerStatus {
        unknown: Some("no user manager".into()),
        active: None,
        last_run: None,
        last_exit: None,
        ..installed
    };
    assert_eq!(schedule_finding(&silent).status, Status::Warning);
}

#[test]
fn expiries_are_said_with_how_far_away_they_are() {
    assert_eq!(
        when(NOW + time::Duration::minutes(42), NOW),
        "2026-11-26T17:42:00Z (in 42 min)"
    );
    assert_eq!(
        when(NOW - time::Duration::hours(3), NOW),
        "2026-11-26T14:00:00Z (3 h ago)"
    );
}

#[test]
fn lines_json_and_exit_code() {
    let findings = vec![
        Finding::ok("config", "fine"),
        Finding::warning("clock", "a bit\noff \u{1b}[2J"),
    ];
    let text = report::lines(&findings);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("ok       config: fine\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert_eq!(report::exit_code(&findings), 0);
    let mut with_problem = findings.clone();
    with_problem.push(Finding::problem("idp", "down"));
    assert_eq!(report::exit_code(&with_problem), 1);
    let json: serde_json::Value = serde_json::from_str(&report::json(&with_problem)).unwrap();
    assert_eq!(json[2]["check"], "idp");
    assert_eq!(json[2]["status"], "problem");
    assert_eq!(json[1]["status"], "warning");
}

#[test]
fn masking_keys_are_named_per_profile_and_fix_removes_them_only() {
    use super::files::masking;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let text = "[corp]\naws_access_key_id = K\naws_secret_access_key = S\nregion = x\n[clean]\nregion = y\n[keep]\naws_access_key_id = Z\n";
    std::fs::write(&path, text).unwrap();
    let profiles = vec!["corp".to_string(), "clean".to_string()];
    let found = masking(&path, text, &profiles, false);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].status, Status::Problem);
    assert!(
        found[0]
            .message
            .contains("[corp] holds aws_access_key_id, aws_secret_access_key")
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let fixed = masking(&path, text, &profiles, true);
    assert_eq!(fixed[0].status, Status::Ok, "{fixed:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[corp]\nregion = x\n[clean]\nregion = y\n[keep]\naws_access_key_id = Z\n"
    );
    let none = masking(&path, "[clean]\nregion = y\n", &profiles, false);
    assert_eq!(none[0].status, Status::Ok);
}

#[cfg(unix)]
#[test]
fn a_credentials_file_readable_by_others_is_a_problem_until_fixed() {
    use super::files::mode_finding;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    std::fs::write(&path, "").unwrap();
    for (mode, status) in [
        (0o600, Status::Ok),
        (0o400, Status::Ok),
        (0o640, Status::Problem),
        (0o604, Status::Problem),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_eq!(mode_finding(&path, false).status, status, "{mode:o}");
    }
    assert_eq!(mode_finding(&path, true).status, Status::Ok);
    let now = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(now, 0o600);
}
