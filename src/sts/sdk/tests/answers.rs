//! Issue 7: STS answers that are cut, incomplete, expired or sent by a far-off clock are refused at
//! the SDK boundary, for both actions; a silent STS costs no more than the run's budget.

use super::*;
use crate::exit::ExitKind;
use time::format_description::well_known::Rfc3339;

fn http_date(at: OffsetDateTime) -> String {
    aws_smithy_types::DateTime::from_secs(at.unix_timestamp())
        .fmt(aws_smithy_types::date_time::Format::HttpDate)
        .unwrap()
}

/// A full answer whose Expiration is `expiration`.
fn answer_expiring(action: &str, expiration: OffsetDateTime) -> String {
    let good = in_an_hour().format(&Rfc3339).unwrap();
    credentials_xml(action, "ASIAGATEWAY00001")
        .replace(&good, &expiration.format(&Rfc3339).unwrap())
}

async fn gateway_call(emulator: &Emulator) -> Result<Credentials, StsError> {
    let sts = sts_at(&emulator.url).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    sts.assume_role_with_saml(saml_request(&assertion, None))
        .await
}

#[track_caller]
fn assert_refused(err: &StsError, problem: &str) {
    let text = err.to_string();
    assert_eq!(err.exit_kind(), ExitKind::Unexpected, "{text}");
    assert!(text.starts_with("profile corp: STS"), "{text}");
    assert!(text.contains(problem), "{problem}: {text}");
    assert!(!text.contains("secret-of-"), "{text}");
}

#[tokio::test]
async fn a_body_cut_inside_credentials_is_refused() {
    let full = credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001");
    let cuts = [
        full.find("<AccessKeyId>").unwrap() + "<AccessKeyId>ASIA".len(),
        full.find("<SecretAccessKey>").unwrap() + 5,
        full.find("<SessionToken>").unwrap(),
        full.find("<Expiration>").unwrap() + "<Expiration>20".len(),
        full.find("</Credentials>").unwrap(),
    ];
    for cut in cuts {
        let emulator = Emulator::start(vec![(200, full[..cut].to_string())]);
        let err = gateway_call(&emulator).await.unwrap_err();
        assert!(
            matches!(err, StsError::Unusable { .. }),
            "cut at {cut}: {err:?}"
        );
        assert_refused(&err, "the answer is cut short");
        emulator.finish();
    }
}

#[tokio::test]
async fn missing_elements_are_named() {
    let full = credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001");
    let without = |tag: &str| {
        let start = full.find(&format!("<{tag}>")).unwrap();
        let end = full.find(&format!("</{tag}>")).unwrap() + tag.len() + 3;
        format!("{}{}", &full[..start], &full[end..])
    };
    for (tag, problem) in [
        ("SecretAccessKey", "the SecretAccessKey is empty"),
        ("SessionToken", "the SessionToken is empty"),
        ("Expiration", "it has no Expiration"),
        ("Credentials", "the AccessKeyId is empty"),
    ] {
        let emulator = Emulator::start(vec![(200, without(tag))]);
        let err = gateway_call(&emulator).await.unwrap_err();
        assert_refused(&err, problem);
        emulator.finish();
    }
}

#[tokio::test]
async fn an_expiration_already_past_is_refused_and_a_far_off_date_blames_the_clock() {
    let now = OffsetDateTime::now_utc();
    let past = now - Duration::from_secs(60);
    let emulator = Emulator::start(vec![(200, answer_expiring("AssumeRoleWithSAML", past))]);
    let err = gateway_call(&emulator).await.unwrap_err();
    assert_refused(&err, "is already past");
    assert!(!err.to_string().contains("clock looks wrong"), "{err}");
    emulator.finish();

    // STS's clock is 2 h behind ours: its fresh 1-hour session has expired by our clock.
    let sts_now = now - Duration::from_secs(2 * 3600);
    let stale = answer_expiring("AssumeRoleWithSAML", sts_now + Duration::from_secs(3600));
    let emulator = Emulator::start_dated(vec![(200, stale, Some(http_date(sts_now)))]);
    let err = gateway_call(&emulator).await.unwrap_err();
    assert_refused(&err, "the local clock looks wrong");
    assert!(err.to_string().contains("min ahead"), "{err}");
    emulator.finish();
}

#[tokio::test]
async fn an_expiration_absurdly_far_away_is_refused() {
    let far = OffsetDateTime::now_utc() + Duration::from_secs(30 * 24 * 3600);
    let emulator = Emulator::start(vec![(200, answer_expiring("AssumeRoleWithSAML", far))]);
    let err = gateway_call(&emulator).await.unwrap_err();
    assert_refused(&err, "further away than any STS session");
    emulator.finish();
}

#[tokio::test]
async fn a_hops_answer_is_checked_the_same_way() {
    let past = OffsetDateTime::now_utc() - Duration::from_secs(5);
    let emulator = Emulator::start(vec![
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001"),
        ),
        (200, answer_expiring("AssumeRole", past)),
    ]);
    let gateway = gateway_call(&emulator).await.unwrap();
    let sts = sts_at(&emulator.url).await;
    let err = sts
        .assume_role(HopRequest {
            profile: "prod",
            role_arn: "arn:aws:iam::333333333333:role/Admins",
            session_name: "alice",
            external_id: None,
            duration_seconds: Some(3600),
            source: &gateway,
        })
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("profile prod: STS's AssumeRole answer"),
        "{text}"
    );
    assert!(text.contains("already past"), "{text}");
    emulator.finish();
}

#[tokio::test]
async fn a_refusal_from_sts_with_a_far_off_date_mentions_the_clock() {
    let sts_now = OffsetDateTime::now_utc() + Duration::from_secs(3 * 3600);
    let emulator = Emulator::start_dated(vec![(
        403,
        error_xml("AccessDenied", "Signature expired"),
        Some(http_date(sts_now)),
    )]);
    let err = gateway_call(&emulator).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StsError::Service { .. }), "{text}");
    assert!(
        text.contains("Signature expired (the local clock looks wrong"),
        "{text}"
    );
    assert!(text.contains("min behind"), "{text}");
    emulator.finish();
}

/// An STS that accepts connections and never answers: every attempt ends at the budget, in all.
#[tokio::test]
async fn a_silent_sts_costs_no_more_than_the_budget() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let held = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let mut open = Vec::new();
        let until = std::time::Instant::now() + Duration::from_secs(20);
        while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < until {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nodelay(true).unwrap();
                    open.push(stream);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        open.len()
    });
    let budget = StsBudget::new(Duration::from_millis(1500));
    let sts = sts_with_budget(&url, &budget).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let started = std::time::Instant::now();
    let err = sts
        .assume_role_with_saml(saml_request(&assertion, None))
        .await
        .unwrap_err();
    let took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(took >= Duration::from_millis(1400), "took {took:?}");
    assert_eq!(err.exit_kind(), ExitKind::Network, "{err}");
    assert!(err.to_string().contains("corp"), "{err}");
    assert!(
        held.join().unwrap() >= 1,
        "the silent STS was never reached"
    );
}

/// A captive portal or a wrong endpoint answering 200 with a page of its own.
#[tokio::test]
async fn a_200_page_that_is_not_stss_answer_is_refused() {
    for body in [
        "<html><body>Please sign in to the hotel Wi-Fi</body></html>",
        "",
        "{\"Credentials\": {}}",
    ] {
        let emulator = Emulator::start(vec![(200, body.to_string())]);
        let err = gateway_call(&emulator).await.unwrap_err();
        assert_refused(&err, "</AssumeRoleWithSAMLResponse>");
        emulator.finish();
    }
}
