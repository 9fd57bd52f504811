//! Aliases from the config, from AWS's sign-in page (against a loopback emulator of it), merged.

use super::aws_signin_page::{fetch_at, signin_url};
use super::*;
use crate::saml::{Partition, RoleOption, SamlAssertion, SamlClaims};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use url::Url;

const PICKER: &str = include_str!("../../../tests/fixtures/aws-signin/role-picker.html");
const ASSERTION_B64: &str = "PHNhbWxwOlJlc3BvbnNlIElEPSJzZWNyZXQtYXNzZXJ0aW9uIi8+";

fn config(text: &str) -> Result<AccountAliases, ConfigError> {
    let config = ConfigFile::parse(Path::new("/home/alice/.aws/config"), text)
        .unwrap_or_else(|e| panic!("{e}"));
    AccountAliases::from_config(&config)
}

#[test]
fn config_aliases_are_read_and_checked() {
    let aliases = config(
        "[profile corp]\nsaml_url = https://idp\n[saml-aliases]\n111111111111 = prod-main\n222222222222 = Shared Services\n",
    )
    .unwrap();
    assert_eq!(aliases.get("111111111111"), Some("prod-main"));
    assert_eq!(aliases.get("222222222222"), Some("Shared Services"));
    assert_eq!(aliases.get("333333333333"), None);
    assert_eq!(aliases.len(), 2);
    assert!(config("[profile corp]\n").unwrap().is_empty());

    for (line, why) in [
        ("12345678901 = short", "12-digit"),
        ("prod = 111111111111", "12-digit"),
        ("111111111111 = team/prod", "'/'"),
        ("111111111111 =", "empty"),
        ("111111111111 = prod\n  main", "one line"),
    ] {
        let err = config(&format!("[saml-aliases]\n{line}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/home/alice/.aws/config: [saml-aliases] ") && err.contains(why),
            "{line}: {err}"
        );
    }
    let long = "x".repeat(65);
    assert!(config(&format!("[saml-aliases]\n111111111111 = {long}\n")).is_err());
}

#[test]
fn the_config_wins_a_merge_and_labels_show_both() {
    let mine: AccountAliases = [("111111111111", "prod"), ("222222222222", "dev")]
        .into_iter()
        .collect();
    let fetched: AccountAliases = [("111111111111", "prod-main"), ("333333333333", "audit")]
        .into_iter()
        .collect();
    let merged = mine.merge(fetched);
    assert_eq!(
        merged.iter().collect::<Vec<_>>(),
        [
            ("111111111111", "prod"),
            ("222222222222", "dev"),
            ("333333333333", "audit")
        ]
    );
    assert_eq!(merged.label("111111111111"), "prod (111111111111)");
    assert_eq!(merged.label("999999999999"), "999999999999");
}

fn role(account: &str, name: &str) -> RoleOption {
    RoleOption {
        role_arn: format!("arn:aws:iam::{account}:role/{name}"),
        principal_arn: format!("arn:aws:iam::{account}:saml-provider/Corp"),
    }
}

fn claims(destination: Option<&str>, roles: Vec<RoleOption>) -> SamlClaims {
    SamlClaims {
        roles,
        session_name: Some("alice".into()),
        session_duration: None,
        not_on_or_after: None,
        destination: destination.map(str::to_owned),
        partition: Partition::Aws,
    }
}

fn offered() -> Vec<RoleOption> {
    vec![
        role("111111111111", "Admin"),
        role("111111111111", "ReadOnly"),
        role("222222222222", "team/Deployer"),
        role("333333333333", "Auditor"),
    ]
}

#[test]
fn only_aws_sign_in_endpoints_receive_the_assertion() {
    let no_env = |_: &str| None;
    for ok in [
        "https://signin.aws.amazon.com/saml",
        "https://us-east-1.signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/saml/acs/SAMLSP1234",
        "https://signin.amazonaws-us-gov.com/saml",
        "https://signin.amazonaws.cn/saml",
    ] {
        let url = signin_url(&claims(Some(ok), offered()), no_env).unwrap();
        assert_eq!(url.as_str(), ok);
    }
    for refused in [
        "http://signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com.evil.example/saml",
        "https://evilsignin.aws.amazon.com/saml",
        "https://a.b.signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com:8443/saml",
        "https://user@signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/federation",
        "http://127.0.0.1:9/saml",
        "not a url",
    ] {
        assert!(
            signin_url(&claims(Some(refused), offered()), no_env).is_err(),
            "{refused}"
        );
    }
    // No Destination: the partition's own endpoint.
    let mut gov = claims(None, offered());
    gov.partition = Partition::AwsUsGov;
    assert_eq!(
        signin_url(&gov, no_env).unwrap().as_str(),
        "https://signin.amazonaws-us-gov.com/saml"
    );
}

#[test]
fn the_override_is_https_or_loopback_http() {
    let with = |value: &'static str| {
        move |name: &str| (name == SIGNIN_URL_OVERRIDE).then(|| value.to_string())
    };
    let c = claims(Some("https://signin.aws.amazon.com/saml"), offered());
    for ok in [
        "http://127.0.0.1:8080/saml",
        "http://localhost/saml",
        "https://signin.mirror.example/saml",
    ] {
        assert_eq!(signin_url(&c, with(ok)).unwrap().as_str(), ok);
    }
    for bad in ["http://10.0.0.1/saml", "ftp://127.0.0.1/", "::"] {
        let err = signin_url(&c, with(bad)).unwrap_err();
        assert!(err.contains(SIGNIN_URL_OVERRIDE), "{err}");
    }
}

/// A loopback emulator of the AWS sign-in endpoint: answers each POST with `status` and `page`
/// after `delay`, records the form it got, and stops after `expected` requests or `wait` without one.
struct SignIn {
    url: Url,
    forms: mpsc::Receiver<Vec<(String, String)>>,
    thread: JoinHandle<()>,
}

impl SignIn {
    fn start(status: u16, page: &str, delay: Duration, expected: usize) -> SignIn {
        Self::start_waiting(status, page, delay, expected, Duration::from_secs(10))
    }

    fn start_waiting(
        status: u16,
        page: &str,
        delay: Duration,
        expected: usize,
        wait: Duration,
    ) -> SignIn {
        let server = samlbridge_emulators::http::loopback_server("the AWS sign-in page");
        let port = server.server_addr().to_ip().unwrap().port();
        let page = page.to_string();
        let (send, forms) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for _ in 0..expected {
                let Ok(Some(mut request)) = server.recv_timeout(wait) else {
                    return;
                };
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let form = url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
                let _ = send.send(form);
                std::thread::sleep(delay);
                let header =
                    tiny_http::Header::from_bytes("Location", "https://console.aws.amazon.com/")
                        .unwrap();
                let mut response =
                    tiny_http::Response::from_string(page.clone()).with_status_code(status);
                if (300..400).contains(&status) {
                    response.add_header(header);
                }
                let _ = request.respond(response);
            }
        });
        SignIn {
            url: Url::parse(&format!("http://127.0.0.1:{port}/saml")).unwrap(),
            forms,
            thread,
        }
    }

    /// The forms posted, once the emulator has stopped.
    fn finish(self) -> Vec<Vec<(String, String)>> {
        self.thread.join().unwrap();
        self.forms.try_iter().collect()
    }
}

async fn fetch(url: &Url, roles: Vec<RoleOption>, timeout: Duration) -> AccountAliases {
    let assertion = SamlAssertion::from_form_value(ASSERTION_B64);
    let c = claims(Some("https://signin.aws.amazon.com/saml"), roles);
    fetch_at(url, &assertion, &c, None, timeout).await
}

#[tokio::test]
async fn the_role_picker_gives_the_aliases_of_the_offered_accounts() {
    let aws = SignIn::start(200, PICKER, Duration::ZERO, 1);
    let aliases = fetch(&aws.url, offered(), FETCH_TIMEOUT).await;
    assert_eq!(
        aliases.iter().collect::<Vec<_>>(),
        [
            ("111111111111", "prod-main"),
            ("222222222222", "dev-sandbox")
        ]
    );
    // 333333333333 has no alias on the page; 444444444444 is not offered by the assertion.
    let forms = aws.finish();
    assert_eq!(forms.len(), 1);
    assert_eq!(
        forms[0],
        [("SAMLResponse".to_string(), ASSERTION_B64.to_string())]
    );
}

#[tokio::test]
async fn a_changed_page_gives_no_aliases_and_no_error() {
    let relabelled = PICKER.replace("saml-account-name", "account-title");
    let error_page = "<html><head><title>Amazon Web Services Sign-In</title></head><body>\
        <div id=\"main_error\">Your request included an invalid SAML response.</div></body></html>";
    let no_roles = PICKER.replace("arn:aws:iam::", "arn:aws:iam::9");
    for page in [relabelled.as_str(), error_page, no_roles.as_str(), ""] {
        let aws = SignIn::start(200, page, Duration::ZERO, 1);
        assert!(fetch(&aws.url, offered(), FETCH_TIMEOUT).await.is_empty());
        assert_eq!(aws.finish().len(), 1);
    }
    for status in [302, 403, 500] {
        let aws = SignIn::start(status, PICKER, Duration::ZERO, 1);
        assert!(fetch(&aws.url, offered(), FETCH_TIMEOUT).await.is_empty());
        assert_eq!(aws.finish().len(), 1, "HTTP {status}");
    }
}

#[tokio::test]
async fn one_role_is_not_posted_at_all() {
    let aws = SignIn::start_waiting(200, PICKER, Duration::ZERO, 1, Duration::from_secs(2));
    let one = vec![role("111111111111", "Admin")];
    assert!(fetch(&aws.url, one, FETCH_TIMEOUT).await.is_empty());
    // The emulator gives up after its wait, having been sent nothing.
    assert!(aws.finish().is_empty());
}

#[tokio::test]
async fn a_silent_or_closed_endpoint_gives_no_aliases_within_the_timeout() {
    let timeout = Duration::from_millis(500);
    let aws = SignIn::start(200, PICKER, Duration::from_secs(2), 1);
    let started = Instant::now();
    assert!(fetch(&aws.url, offered(), timeout).await.is_empty());
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(aws.finish().len(), 1);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = Url::parse(&format!("http://{}/saml", closed.local_addr().unwrap())).unwrap();
    drop(closed);
    let started = Instant::now();
    assert!(fetch(&url, offered(), timeout).await.is_empty());
    assert!(started.elapsed() < Duration::from_millis(1500));
}

/// At the most verbose level, the note names the host and the count, never the assertion (which the
/// real page echoes back).
#[tokio::test]
async fn the_assertion_never_reaches_the_logs() {
    let capture = crate::testing::log::LogCapture::start();
    let echoing = PICKER.replace("{{SAMLRESPONSE}}", ASSERTION_B64);
    let mut logs = String::new();
    // See idp's no-secret test: a scoped subscriber may miss events while the interest cache settles.
    for _ in 0..3 {
        tracing::callsite::rebuild_interest_cache();
        let aws = SignIn::start(200, &echoing, Duration::ZERO, 1);
        assert_eq!(fetch(&aws.url, offered(), FETCH_TIMEOUT).await.len(), 2);
        aws.finish();
        logs = capture.text();
        if logs.contains("account alias") {
            break;
        }
    }
    assert!(
        logs.contains("127.0.0.1: read 2 account alias(es)"),
        "{logs}"
    );
    assert!(!logs.contains(ASSERTION_B64), "{logs}");
}
