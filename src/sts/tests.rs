use super::*;
use crate::testing::sts::FakeSts;

fn request(assertion: &SamlAssertion, duration: Option<i32>) -> SamlRoleRequest<'_> {
    SamlRoleRequest {
        profile: "corp",
        role_arn: "arn:aws:iam::111111111111:role/Admin",
        principal_arn: "arn:aws:iam::111111111111:saml-provider/Corp",
        assertion,
        duration_seconds: duration,
    }
}

#[tokio::test]
async fn a_duration_within_the_role_maximum_is_asked_once() {
    let sts = FakeSts {
        max_session_seconds: Some(28800),
        ..FakeSts::default()
    };
    let assertion = SamlAssertion::from_form_value("PHg+");
    let got = assume_with_saml_fitted(&sts, request(&assertion, Some(28800)))
        .await
        .unwrap();
    assert!(!got.fitted);
    assert_eq!(got.duration_seconds, Some(28800));
    assert_eq!(sts.calls().len(), 1);
}

#[tokio::test]
async fn a_duration_above_the_role_maximum_is_fitted_to_one_hour_once() {
    let sts = FakeSts {
        max_session_seconds: Some(3600),
        ..FakeSts::default()
    };
    let assertion = SamlAssertion::from_form_value("PHg+");
    let got = assume_with_saml_fitted(&sts, request(&assertion, Some(28800)))
        .await
        .unwrap();
    assert!(got.fitted);
    assert_eq!(got.duration_seconds, Some(3600));
    let asked: Vec<_> = sts.calls().iter().map(|c| c.duration_seconds).collect();
    assert_eq!(asked, [Some(28800), Some(3600)]);
}

#[tokio::test]
async fn the_fitted_retry_happens_only_once() {
    // A role whose maximum is below even one hour cannot exist, but STS could still say no twice.
    let sts = FakeSts {
        max_session_seconds: Some(900),
        ..FakeSts::default()
    };
    let assertion = SamlAssertion::from_form_value("PHg+");
    let err = assume_with_saml_fitted(&sts, request(&assertion, Some(7200)))
        .await
        .unwrap_err();
    assert!(err.is_duration_too_long());
    assert_eq!(sts.calls().len(), 2);
    // At one hour or less there is nothing to fit to: no retry.
    let sts = FakeSts {
        max_session_seconds: Some(900),
        ..FakeSts::default()
    };
    assume_with_saml_fitted(&sts, request(&assertion, Some(3600)))
        .await
        .unwrap_err();
    assert_eq!(sts.calls().len(), 1);
}

#[tokio::test]
async fn other_errors_are_not_retried_and_name_the_profile() {
    let sts = FakeSts {
        denied: vec!["corp".into()],
        ..FakeSts::default()
    };
    let assertion = SamlAssertion::from_form_value("PHg+");
    let err = assume_with_saml_fitted(&sts, request(&assertion, Some(28800)))
        .await
        .unwrap_err();
    assert_eq!(sts.calls().len(), 1);
    assert_eq!(
        err.to_string(),
        "profile corp: STS refused AssumeRoleWithSAML: AccessDenied: User is not authorized to perform: sts:AssumeRole"
    );
    assert_eq!(err.exit_kind(), ExitKind::Unexpected);
}

#[test]
fn duration_errors_are_recognised_in_both_wordings() {
    let service = |code: &str, message: &str| StsError::Service {
        profile: "corp".into(),
        action: "AssumeRoleWithSAML",
        code: code.into(),
        message: message.into(),
    };
    assert!(
        service(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
        .is_duration_too_long()
    );
    assert!(service("ValidationError", "1 validation error detected: Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200").is_duration_too_long());
    assert!(!service("ValidationError", "Invalid ARN").is_duration_too_long());
    assert!(
        !service(
            "AccessDenied",
            "exceeds the MaxSessionDuration set for this role"
        )
        .is_duration_too_long()
    );
}

#[test]
fn stss_words_are_shown_escaped_and_capped() {
    let err = StsError::Service {
        profile: "corp".into(),
        action: "AssumeRoleWithSAML",
        code: "AccessDenied\u{1b}[2J".into(),
        message: format!(
            "Not authorized \u{1b}]52;c;eA==\u{07}\u{202e}{}",
            "x".repeat(5000)
        ),
    };
    let shown = err.to_string();
    assert!(shown.contains("AccessDenied\\x1b[2J: Not authorized \\x1b]52;c;eA==\\x07\\u{202e}"));
    assert!(!shown.chars().any(|c| c.is_control() || c == '\u{202e}'));
    assert!(shown.len() < 1000, "capped: {} bytes", shown.len());
}
