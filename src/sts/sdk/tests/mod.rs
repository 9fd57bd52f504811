//! SdkSts against a scripted STS on 127.0.0.1 that answers with STS's own XML shapes. Environment
//! overrides are checked in a child process (this test binary run again), so that no test changes the
//! environment of the others.

use super::*;
use crate::saml::SamlAssertion;
use crate::sts::{SamlSession, assume_with_saml_fitted};
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    security_token: Option<String>,
    params: HashMap<String, String>,
}

/// Serves `answers` in order, one per request, then stops (also after 20 s without a request).
struct Emulator {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    fn start(answers: Vec<(u16, String)>) -> Emulator {
        Self::start_dated(answers.into_iter().map(|(s, b)| (s, b, None)).collect())
    }

    /// Answers with a `Date` header of their own where one is given (tiny_http's otherwise).
    fn start_dated(answers: Vec<(u16, String, Option<String>)>) -> Emulator {
        let server = samlbridge_emulators::http::loopback_server("the scripted STS");
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for (status, body, date) in answers {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_secs(20)) else {
                    return;
                };
                let header = |name: &'static str| {
                    req.headers()
                        .iter()
                        .find(|h| h.field.equiv(name))
                        .map(|h| h.value.to_string())
                };
                let (authorization, security_token) =
                    (header("Authorization"), header("X-Amz-Security-Token"));
                let mut text = String::new();
                std::io::Read::read_to_string(req.as_reader(), &mut text).unwrap();
                let params = url::form_urlencoded::parse(text.as_bytes())
                    .into_owned()
                    .collect();
                log.lock().unwrap().push(Seen {
                    authorization,
                    security_token,
                    params,
                });
                let content_type =
                    tiny_http::Header::from_bytes("Content-Type", "text/xml").unwrap();
                let mut response = tiny_http::Response::from_string(body)
                    .with_status_code(status)
                    .with_header(content_type);
                if let Some(date) = date {
                    response.add_header(tiny_http::Header::from_bytes("Date", date).unwrap());
                }
                let _ = req.respond(response);
            }
        });
        Emulator {
            url,
            seen,
            thread: Some(thread),
        }
    }

    fn host(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Every request seen, after the script has run out (fails the test if it never did).
    fn finish(mut self) -> Vec<Seen> {
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        self.seen.lock().unwrap().clone()
    }
}

/// An hour from now, with a fraction of a second: `2026-11-26T15:00:00.5Z`.
fn in_an_hour() -> OffsetDateTime {
    (OffsetDateTime::now_utc() + Duration::from_secs(3600))
        .replace_millisecond(500)
        .unwrap()
}

fn credentials_xml(action: &str, key: &str) -> String {
    let expiration = in_an_hour()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    format!(
        r#"<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <Credentials>
      <AccessKeyId>{key}</AccessKeyId>
      <SecretAccessKey>secret-of-{key}</SecretAccessKey>
      <SessionToken>token-of-{key}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser><AssumedRoleId>AROA:alice</AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role/Admin/alice</Arn></AssumedRoleUser>
  </{action}Result>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</{action}Response>"#
    )
}

fn error_xml(code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>3ff3d68f-6d61-11e8-83f8-014ef402c6d5</RequestId>
</ErrorResponse>"#
    )
}

const TOO_LONG: &str =
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.";

async fn sts_at(url: &str) -> SdkSts {
    sts_with_budget(url, &StsBudget::default()).await
}

async fn sts_with_budget(url: &str, budget: &StsBudget) -> SdkSts {
    let loader = loader("us-east-1", None, budget).unwrap().endpoint_url(url);
    SdkSts::from_loader(loader, Partition::Aws, budget)
        .await
        .unwrap()
}

fn saml_request(assertion: &SamlAssertion, duration: Option<i32>) -> SamlRoleRequest<'_> {
    SamlRoleRequest {
        profile: "corp",
        role_arn: "arn:aws:iam::111111111111:role/Admin",
        principal_arn: "arn:aws:iam::111111111111:saml-provider/Corp",
        assertion,
        duration_seconds: duration,
    }
}

#[tokio::test]
async fn saml_call_is_unsigned_and_the_hop_is_signed_with_its_source() {
    let emulator = Emulator::start(vec![
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001"),
        ),
        (200, credentials_xml("AssumeRole", "ASIAPROD00000001")),
    ]);
    let sts = sts_at(&emulator.url).await;
    assert_eq!(sts.endpoint(), emulator.host());
    let assertion = SamlAssertion::from_form_value("PHNhbWw+\r\nPC9zYW1sPg==");
    let gateway = sts
        .assume_role_with_saml(saml_request(&assertion, Some(28800)))
        .await
        .unwrap();
    assert_eq!(gateway.access_key_id, "ASIAGATEWAY00001");
    assert_eq!(gateway.session_token.expose(), "token-of-ASIAGATEWAY00001");
    let expected = in_an_hour();
    let off = (gateway.expiration - expected).abs();
    assert!(
        off < Duration::from_secs(5),
        "{} vs {expected}",
        gateway.expiration
    );
    assert_eq!(gateway.expiration.millisecond(), 500);
    let prod = sts
        .assume_role(HopRequest {
            profile: "prod",
            role_arn: "arn:aws:iam::333333333333:role/Admins",
            session_name: "alice",
            external_id: Some("ext-1"),
            duration_seconds: Some(3600),
            source: &gateway,
        })
        .await
        .unwrap();
    assert_eq!(prod.access_key_id, "ASIAPROD00000001");

    let seen = emulator.finish();
    let (saml, hop) = (&seen[0], &seen[1]);
    assert_eq!(saml.authorization, None);
    assert_eq!(saml.params["Action"], "AssumeRoleWithSAML");
    assert_eq!(saml.params["SAMLAssertion"], "PHNhbWw+PC9zYW1sPg==");
    assert_eq!(saml.params["DurationSeconds"], "28800");
    assert_eq!(
        saml.params["PrincipalArn"],
        "arn:aws:iam::111111111111:saml-provider/Corp"
    );
    let authorization = hop.authorization.as_deref().unwrap_or_default();
    assert!(
        authorization.contains("Credential=ASIAGATEWAY00001/"),
        "{authorization}"
    );
    assert!(
        authorization.contains("/us-east-1/sts/aws4_request"),
        "{authorization}"
    );
    assert_eq!(
        hop.security_token.as_deref(),
        Some("token-of-ASIAGATEWAY00001")
    );
    assert_eq!(hop.params["Action"], "AssumeRole");
    assert_eq!(hop.params["RoleSessionName"], "alice");
    assert_eq!(hop.params["ExternalId"], "ext-1");
    assert_eq!(hop.params["DurationSeconds"], "3600");
}

#[tokio::test]
async fn a_validation_error_keeps_code_and_message_and_the_gateway_is_fitted() {
    let emulator = Emulator::start(vec![
        (400, error_xml("ValidationError", TOO_LONG)),
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001"),
        ),
        (
            403,
            error_xml("AccessDenied", "Not authorized to perform sts:AssumeRole"),
        ),
    ]);
    let sts = sts_at(&emulator.url).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let SamlSession {
        credentials,
        duration_seconds,
        fitted,
    } = assume_with_saml_fitted(&sts, saml_request(&assertion, Some(43200)))
        .await
        .unwrap();
    assert!(fitted);
    assert_eq!(duration_seconds, Some(3600));
    let err = sts
        .assume_role(HopRequest {
            profile: "prod",
            role_arn: "arn:aws:iam::333333333333:role/Admins",
            session_name: "alice",
            external_id: None,
            duration_seconds: Some(3600),
            source: &credentials,
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "profile prod: STS refused AssumeRole: AccessDenied: Not authorized to perform sts:AssumeRole"
    );
    let seen = emulator.finish();
    let asked: Vec<&str> = seen
        .iter()
        .map(|s| s.params["DurationSeconds"].as_str())
        .collect();
    assert_eq!(asked, ["43200", "3600", "3600"]);
}

#[tokio::test]
async fn throttling_is_retried_by_the_standard_retry() {
    let throttled = error_xml("Throttling", "Rate exceeded");
    let emulator = Emulator::start(vec![
        (400, throttled.clone()),
        (400, throttled),
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIAGATEWAY00001"),
        ),
    ]);
    let sts = sts_at(&emulator.url).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let got = sts
        .assume_role_with_saml(saml_request(&assertion, None))
        .await
        .unwrap();
    assert_eq!(got.access_key_id, "ASIAGATEWAY00001");
    let seen = emulator.finish();
    assert_eq!(seen.len(), 3);
    assert!(!seen[0].params.contains_key("DurationSeconds"));
}

#[tokio::test]
async fn an_html_error_page_is_unreadable_not_a_service_error() {
    let page = "<html><body><h1>500 Internal Server Error</h1></body></html>".to_string();
    // 500 is transient: the standard retry asks three times.
    let emulator = Emulator::start(vec![(500, page.clone()), (500, page.clone()), (500, page)]);
    let sts = sts_at(&emulator.url).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let err = sts
        .assume_role_with_saml(saml_request(&assertion, None))
        .await
        .unwrap_err();
    assert!(matches!(err, StsError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert_eq!(emulator.finish().len(), 3);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sts = sts_at(&format!("http://127.0.0.1:{port}")).await;
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let err = sts
        .assume_role_with_saml(saml_request(&assertion, None))
        .await
        .unwrap_err();
    assert!(matches!(err, StsError::Network { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("at 127.0.0.1:{port}: ")),
        "{message}"
    );
    assert!(message.contains("Connection refused"), "{message}");
    assert!(
        !message.contains("DispatchFailure {"),
        "a Debug dump: {message}"
    );
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Network);
}

#[tokio::test]
async fn a_bad_ca_bundle_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corp-ca.pem");
    std::fs::write(
        &path,
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let err = SdkSts::new(
        Some("us-east-1"),
        Partition::Aws,
        Some(&path),
        &StsBudget::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("corp-ca.pem"), "{err}");
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Usage);
    let missing = dir.path().join("missing.pem");
    let err = SdkSts::new(
        Some("us-east-1"),
        Partition::Aws,
        Some(&missing),
        &StsBudget::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
}

#[test]
fn region_comes_from_profile_then_environment_then_partition() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let both = env(&[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_DEFAULT_REGION", "eu-central-1"),
    ]);
    assert_eq!(
        resolve_region(Some("ap-south-1"), Partition::Aws, both),
        "ap-south-1"
    );
    assert_eq!(resolve_region(None, Partition::Aws, both), "eu-west-1");
    let default_only = env(&[("AWS_DEFAULT_REGION", "eu-central-1")]);
    assert_eq!(
        resolve_region(Some(" "), Partition::Aws, default_only),
        "eu-central-1"
    );
    assert_eq!(resolve_region(None, Partition::Aws, env(&[])), "us-east-1");
    assert_eq!(resolve_region(None, Partition::AwsCn, both), "cn-north-1");
    assert_eq!(
        resolve_region(Some("us-gov-east-1"), Partition::AwsUsGov, both),
        "us-gov-east-1"
    );
    assert_eq!(
        resolve_region(Some("eu-west-1"), Partition::AwsUsGov, env(&[])),
        "us-gov-west-1"
    );
}

/// Runs `probe` (below) in a fresh process of this test binary with `vars` as its AWS environment.
fn run_probe(probe: &str, vars: &[(&str, &str)]) {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "sts::sdk::tests::probe",
            "--ignored",
            "--nocapture",
        ])
        .env("SAMLBRIDGE_STS_PROBE", probe)
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        );
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") && !name.ends_with("_FILE") {
            child.env_remove(name);
        }
    }
    child.envs(vars.iter().copied());
    let out = child.output().unwrap();
    assert!(
        out.status.success(),
        "probe {probe} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Not a test of its own: the body of the child processes `run_probe` starts. Run directly, with no
/// SAMLBRIDGE_STS_PROBE, it does nothing.
#[tokio::test]
#[ignore = "run by the environment tests in a child process"]
async fn probe() {
    let Ok(probe) = std::env::var("SAMLBRIDGE_STS_PROBE") else {
        return;
    };
    let (partition, region, expected) = match probe.split('|').collect::<Vec<_>>()[..] {
        [p, r, e] => (p, r, e),
        _ => panic!("bad probe {probe}"),
    };
    let partition = match partition {
        "aws-cn" => Partition::AwsCn,
        "aws-us-gov" => Partition::AwsUsGov,
        _ => Partition::Aws,
    };
    let region = Some(region).filter(|r| !r.is_empty());
    let sts = SdkSts::new(region, partition, None, &StsBudget::default())
        .await
        .unwrap();
    assert_eq!(sts.endpoint(), expected);
    if expected.starts_with("127.0.0.1") {
        let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
        sts.assume_role_with_saml(saml_request(&assertion, None))
            .await
            .unwrap();
    }
}

#[test]
fn the_region_picks_the_endpoint_when_nothing_overrides_it() {
    run_probe("aws|eu-west-1|sts.eu-west-1.amazonaws.com", &[]);
    run_probe("aws-cn||sts.cn-north-1.amazonaws.com.cn", &[]);
    run_probe(
        "aws||sts.ap-south-1.amazonaws.com",
        &[("AWS_DEFAULT_REGION", "ap-south-1")],
    );
    run_probe("aws-us-gov||sts.us-gov-west-1.amazonaws.com", &[]);
}

#[test]
fn aws_endpoint_url_sts_then_aws_endpoint_url_are_honoured() {
    let emulator = Emulator::start(vec![
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIA000000000001"),
        ),
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIA000000000002"),
        ),
    ]);
    let host = emulator.host().to_owned();
    let probe = format!("aws|eu-west-1|{host}");
    // The service-specific variable wins over the general one, which here points nowhere.
    run_probe(
        &probe,
        &[
            ("AWS_ENDPOINT_URL_STS", &emulator.url),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
    );
    run_probe(&probe, &[("AWS_ENDPOINT_URL", &emulator.url)]);
    assert_eq!(emulator.finish().len(), 2);
}

#[tokio::test]
async fn a_hop_into_another_partition_is_refused_before_sts_is_asked() {
    let emulator = Emulator::start(vec![
        (
            200,
            credentials_xml("AssumeRoleWithSAML", "ASIAGOV000000001"),
        ),
        (200, credentials_xml("AssumeRole", "ASIAGOVPROD00001")),
    ]);
    let budget = StsBudget::default();
    let loader = loader("us-gov-west-1", None, &budget)
        .unwrap()
        .endpoint_url(&emulator.url);
    let sts = SdkSts::from_loader(loader, Partition::AwsUsGov, &budget)
        .await
        .unwrap();
    let assertion = SamlAssertion::from_form_value("PHNhbWw+PC9zYW1sPg==");
    let gateway = sts
        .assume_role_with_saml(SamlRoleRequest {
            role_arn: "arn:aws-us-gov:iam::111111111111:role/Admin",
            principal_arn: "arn:aws-us-gov:iam::111111111111:saml-provider/Corp",
            ..saml_request(&assertion, None)
        })
        .await
        .unwrap();
    let hop = |role_arn| HopRequest {
        profile: "prod",
        role_arn,
        session_name: "alice",
        external_id: None,
        duration_seconds: None,
        source: &gateway,
    };
    for commercial in [
        "arn:aws:iam::333333333333:role/Admins",
        "arn:aws-cn:iam::333333333333:role/Admins",
    ] {
        let err = sts.assume_role(hop(commercial)).await.unwrap_err();
        let text = err.to_string();
        assert_eq!(err.exit_kind(), crate::exit::ExitKind::Usage);
        assert!(
            text.starts_with("profile prod: its role arn:aws")
                && text.contains("signed in to aws-us-gov")
                && text.contains("signin.amazonaws-us-gov.com"),
            "{text}"
        );
    }
    let prod = sts
        .assume_role(hop("arn:aws-us-gov:iam::333333333333:role/Admins"))
        .await
        .unwrap();
    assert_eq!(prod.access_key_id, "ASIAGOVPROD00001");
    let seen = emulator.finish();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1].params["RoleArn"],
        "arn:aws-us-gov:iam::333333333333:role/Admins"
    );
    assert!(
        seen[1]
            .authorization
            .as_deref()
            .unwrap_or_default()
            .contains("/us-gov-west-1/sts/aws4_request")
    );
}

#[test]
fn a_region_of_another_partition_never_picks_the_endpoint() {
    // The profile's region belongs to another partition: the assertion's partition default wins.
    run_probe("aws-us-gov|eu-west-1|sts.us-gov-west-1.amazonaws.com", &[]);
    run_probe("aws-cn|us-east-1|sts.cn-north-1.amazonaws.com.cn", &[]);
    run_probe(
        "aws-us-gov||sts.us-gov-west-1.amazonaws.com",
        &[("AWS_REGION", "eu-west-1")],
    );
    run_probe("aws|cn-north-1|sts.us-east-1.amazonaws.com", &[]);
    // A region of the right partition is used as it is.
    run_probe(
        "aws-us-gov|us-gov-east-1|sts.us-gov-east-1.amazonaws.com",
        &[],
    );
    run_probe(
        "aws-cn||sts.cn-northwest-1.amazonaws.com.cn",
        &[("AWS_DEFAULT_REGION", "cn-northwest-1")],
    );
}

mod answers;
