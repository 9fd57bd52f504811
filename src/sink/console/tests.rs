//! The sign-in flow against a local emulator of the federation endpoint that checks what AWS checks.

use super::*;
use crate::saml::Partition;
use std::collections::HashMap;
use std::thread::JoinHandle;
use time::macros::datetime;

const SECRET_KEY: &str = "wJalr/K7MDENG+bPxRfi&CY=";
const TOKEN: &str = "IQoJb3JpZ2luX2Vj+token/=";

fn creds() -> Credentials {
    Credentials {
        access_key_id: "ASIAGATEWAY".into(),
        secret_access_key: Secret::new(SECRET_KEY),
        session_token: Secret::new(TOKEN),
        expiration: datetime!(2026-05-01 13:00:00 UTC),
    }
}

/// What the emulator saw: the query of each request.
type Seen = Vec<HashMap<String, String>>;

/// A federation endpoint on 127.0.0.1 that answers `answers` requests in order (status, body),
/// then stops; it also stops after 10 s so a broken test never hangs.
fn emulator(answers: Vec<(u16, &'static str)>) -> (FederationEndpoints, JoinHandle<Seen>) {
    let server = samlbridge_emulators::http::loopback_server("the federation endpoint");
    let port = server.server_addr().to_ip().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in answers {
            let Ok(Some(request)) = server.recv_timeout(Duration::from_secs(10)) else {
                break;
            };
            let url = Url::parse(&format!("http://x{}", request.url())).unwrap();
            assert_eq!(url.path(), "/federation");
            assert_eq!(request.method(), &tiny_http::Method::Get);
            seen.push(url.query_pairs().into_owned().collect());
            let _ =
                request.respond(tiny_http::Response::from_string(body).with_status_code(status));
        }
        seen
    });
    let endpoint = format!("http://127.0.0.1:{port}/federation");
    let endpoints =
        FederationEndpoints::from_env(Partition::Aws, |_| Some(endpoint.clone())).unwrap();
    (endpoints, handle)
}

fn request<'a>(
    credentials: &'a Credentials,
    chained: bool,
    duration: Option<u32>,
) -> ConsoleRequest<'a> {
    ConsoleRequest {
        profile: "corp",
        credentials,
        chained,
        session_duration: duration,
        region: Some("eu-west-1"),
    }
}

#[tokio::test]
async fn a_gateway_session_gets_a_sign_in_url() {
    let (endpoints, server) = emulator(vec![(200, r#"{"SigninToken":"sign-in/token+1="}"#)]);
    let client = http_client().unwrap();
    let credentials = creds();
    let url = signin_url(
        &client,
        &endpoints,
        &request(&credentials, false, Some(43_200)),
    )
    .await
    .unwrap();
    let seen = server.join().unwrap();
    assert_eq!(seen.len(), 1, "the endpoint was called once");
    let query = &seen[0];
    assert_eq!(query["Action"], "getSigninToken");
    assert_eq!(query["SessionDuration"], "43200");
    let session: serde_json::Value = serde_json::from_str(&query["Session"]).unwrap();
    assert_eq!(
        session,
        serde_json::json!({"sessionId": "ASIAGATEWAY", "sessionKey": SECRET_KEY, "sessionToken": TOKEN})
    );

    let login = Url::parse(url.expose()).unwrap();
    assert_eq!(login.host_str(), Some("127.0.0.1"));
    let pairs: Vec<(String, String)> = login.query_pairs().into_owned().collect();
    let expected = [
        ("Action", "login"),
        ("Issuer", "samlbridge"),
        (
            "Destination",
            "https://console.aws.amazon.com/console/home?region=eu-west-1",
        ),
        ("SigninToken", "sign-in/token+1="),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs, expected);
}

#[tokio::test]
async fn a_chained_session_never_sends_a_session_duration() {
    let (endpoints, server) = emulator(vec![(200, r#"{"SigninToken":"t"}"#)]);
    let client = http_client().unwrap();
    let credentials = creds();
    signin_url(
        &client,
        &endpoints,
        &request(&credentials, true, Some(43_200)),
    )
    .await
    .unwrap();
    let seen = server.join().unwrap();
    assert!(
        !seen[0].contains_key("SessionDuration"),
        "{:?}",
        seen[0].keys()
    );
    assert!(seen[0].contains_key("Session"));
}

#[tokio::test]
async fn a_refusal_names_the_profile_and_hides_the_session() {
    let (endpoints, server) = emulator(vec![(400, "Invalid credentials parameter")]);
    let client = http_client().unwrap();
    let credentials = creds();
    let err = signin_url(&client, &endpoints, &request(&credentials, false, None))
        .await
        .unwrap_err();
    assert_eq!(server.join().unwrap().len(), 1, "the endpoint was called");
    let text = err.to_string();
    assert!(
        matches!(err, ConsoleError::Refused { status: 400, .. }),
        "{text}"
    );
    assert!(text.contains("profile corp") && text.contains("samlbridge login --profile corp"));
    assert!(
        !text.contains(SECRET_KEY) && !text.contains("wJalr"),
        "{text}"
    );
}

#[tokio::test]
async fn an_answer_without_a_token_is_unreadable() {
    let (endpoints, server) = emulator(vec![
        (200, "<html>maintenance</html>"),
        (200, r#"{"SigninToken":""}"#),
    ]);
    let client = http_client().unwrap();
    let credentials = creds();
    for _ in 0..2 {
        let err = signin_url(&client, &endpoints, &request(&credentials, false, None))
            .await
            .unwrap_err();
        assert!(matches!(err, ConsoleError::Unreadable { .. }), "{err}");
    }
    assert_eq!(server.join().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error_without_the_secret() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}/federation");
    let endpoints =
        FederationEndpoints::from_env(Partition::Aws, |_| Some(endpoint.clone())).unwrap();
    let client = http_client().unwrap();
    let credentials = creds();
    let err = signin_url(&client, &endpoints, &request(&credentials, false, None))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ConsoleError::Network { .. }), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(
        !text.contains("wJalr") && !text.contains("Session="),
        "{text}"
    );
}

#[tokio::test]
async fn a_duration_outside_the_range_is_refused_before_any_request() {
    let credentials = creds();
    let endpoints = FederationEndpoints::for_partition(Partition::Aws);
    let client = http_client().unwrap();
    for seconds in [899, 43_201] {
        let err = signin_url(
            &client,
            &endpoints,
            &request(&credentials, false, Some(seconds)),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ConsoleError::BadDuration { .. }), "{err}");
    }
}
