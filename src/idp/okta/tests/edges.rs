//! What is not the happy path of a factor: answers that are not usable transactions, the app page
//! without a response, links to other hosts, how Okta is recognised, the logs, and the emulator.

use super::*;
use crate::testing::idp::{Reply, TestIdp};

#[tokio::test]
async fn an_app_page_without_the_response_is_unexpected_and_named() {
    let okta = org(Vec::new());
    let req = LoginRequest {
        url: okta.app_url(),
        ..LoginRequest::default()
    };
    let session = IdpSession::new(&req).unwrap();
    let app = Url::parse(&okta.app_url()).unwrap();
    let api = OktaApi::new(&session, &app);
    // A token Okta never issued: no cookie, so the app sends the browser to Okta's sign-in page.
    let err = exchange::saml_assertion(&api, &session, &app, Secret::new("bogus"))
        .await
        .unwrap_err();
    let IdpError::UnexpectedPage { title, hint, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(title, "Example Org - Sign In");
    assert!(hint.contains("embed link"), "{hint}");
}

/// What an answer that is not a usable Okta transaction becomes, from an org scripted per test.
async fn odd_answer(status: u16, body: &'static str) -> IdpError {
    let idp = TestIdp::start(move |_| Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    });
    let req = LoginRequest {
        url: idp.url(APP_PATH),
        provider: Some("okta".into()),
        okta_api: crate::idp::OktaApi::Classic,
        ..LoginRequest::default()
    };
    let mut a = answers(PASSWORD, &[]);
    let err = crate::idp::sign_in_fresh(&req, &mut a).await.unwrap_err();
    assert_eq!(idp.hits().len(), 1);
    err
}

#[tokio::test]
async fn answers_that_are_not_usable_transactions_are_unexpected_and_name_the_endpoint() {
    let cases = [
        (
            200,
            r#"{"status":"UNAUTHENTICATED","stateToken":"00x"}"#,
            "status UNAUTHENTICATED",
        ),
        (200, "<html><title>Maintenance</title></html>", "HTTP 200"),
        (502, "<html>Bad gateway</html>", "HTTP 502"),
        (
            500,
            r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error"}"#,
            "HTTP 500",
        ),
    ];
    for (status, body, title_part) in cases {
        let err = odd_answer(status, body).await;
        assert_eq!(err.exit_kind(), ExitKind::Unexpected, "{err:?}");
        let IdpError::UnexpectedPage { url, title, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(url.ends_with("/api/v1/authn"), "{url}");
        assert!(title.contains(title_part), "{title}");
    }
    let err = odd_answer(
        500,
        r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error"}"#,
    )
    .await;
    assert!(
        err.to_string().contains("E0000009 'Internal Server Error'"),
        "{err}"
    );
}

#[test]
fn links_to_another_host_are_refused() {
    let session = IdpSession::new(&LoginRequest::default()).unwrap();
    let app = Url::parse("https://corp.okta.com/home/amazon_aws/0oa1/272").unwrap();
    let api = OktaApi::new(&session, &app);
    assert_eq!(
        api.url("/api/v1/authn").unwrap().as_str(),
        "https://corp.okta.com/api/v1/authn"
    );
    let err = api.url("https://evil.example/api/v1/authn").unwrap_err();
    assert!(matches!(err, IdpError::UnexpectedPage { .. }), "{err:?}");
}

#[test]
fn okta_is_recognised_by_name_host_or_app_link() {
    let req = |url: &str, provider: Option<&str>| LoginRequest {
        url: url.into(),
        provider: provider.map(str::to_string),
        ..LoginRequest::default()
    };
    for url in [
        "https://corp.okta.com/home/amazon_aws/0oa1/272",
        "https://corp.oktapreview.com/app/amazon_aws/exk1/sso/saml",
        "https://CORP.okta-emea.com/",
        "https://login.corp.example/home/amazon_aws/0oa1/272",
        "https://login.corp.example/app/amazon_aws/exk1/sso/saml",
    ] {
        assert!(applies(&req(url, None)), "{url}");
    }
    for url in [
        "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx",
        "https://notokta.com/home/other/1",
        "https://okta.com.evil.example/",
    ] {
        assert!(!applies(&req(url, None)), "{url}");
    }
    assert!(applies(&req("http://127.0.0.1:9/x", Some("okta"))));
    assert!(!applies(&req("https://corp.okta.com/", Some("generic"))));
    assert!(crate::idp::provider_names().contains(&"okta"));
    let listed = crate::idp::list_providers(None).unwrap();
    assert!(
        listed
            .iter()
            .any(|p| p.name == "okta" && p.description.contains("Okta"))
    );
}

/// At TRACE, the logs follow the steps and never hold the password, the code, Okta's tokens, the
/// session cookie or the assertion.
#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let capture = crate::testing::log::LogCapture::start();
    let okta = org(vec![totp("246810"), push(2, PushOutcome::Approve, Some(7))]);
    // A scoped subscriber can miss events while other tests register the same call sites (tracing's
    // interest cache): sign in again until the steps were seen, at most 3 times.
    let mut logs = String::new();
    for factor in ["totp", "push", "totp"] {
        tracing::callsite::rebuild_interest_cache();
        let mut a = answers(PASSWORD, &["246810"]);
        sign_in(&okta, &mut a, Some(factor), FAST).await.unwrap();
        logs = capture.text();
        if logs.contains("sent the SAMLResponse") && logs.contains("factorResult WAITING") {
            break;
        }
    }
    assert!(
        logs.contains("/api/v1/authn: HTTP 200, status MFA_REQUIRED"),
        "{logs}"
    );
    assert!(logs.contains("sent the SAMLResponse"), "{logs}");
    let mut secrets = okta.issued_tokens();
    assert!(secrets.len() >= 3, "{secrets:?}");
    secrets.extend([PASSWORD.into(), "246810".into()]);
    secrets.push(okta.saml_response()[..24].to_string());
    for secret in secrets {
        assert!(!logs.contains(&secret), "{secret} in logs:\n{logs}");
    }
}

#[test]
fn an_emulator_never_asked_anything_fails_its_test() {
    let unused = std::panic::catch_unwind(|| drop(org(Vec::new())));
    assert!(unused.is_err());
}
