//! The STS emulator (and the SAML, SigV4 and server plumbing under both emulators) driven over HTTP
//! the way an AWS client would: its answers, its errors, its checks, its knobs.

use crate::browser::{Page, browser, fetch};
use crate::world::{self, BOB};
use base64::Engine as _;
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::http::{HttpRequest, HttpResponse, TestServer};
use samlbridge_emulators::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use samlbridge_emulators::sts::sigv4::{self, SigningKeys};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};
use std::sync::Arc;
use std::time::Duration;

fn assertion_for(roles: Vec<SamlRole>, style: XmlStyle) -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "http://adfs.corp.example/adfs/services/trust".into(),
        name_id: "CORP\\bob".into(),
        session_name: Some(BOB.username.into()),
        roles,
        session_duration: Some(28800),
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style,
    });
    saml::encode(&xml, None)
}

/// The text of the first `<tag>` in an XML answer.
pub fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].to_string())
}

async fn sts_post(endpoint: &str, form: &[(&str, &str)], signed_by: Option<&SigningKeys>) -> Page {
    let c = browser();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut req = c.post(format!("{endpoint}/")).body(body.clone());
    let host = endpoint.trim_start_matches("http://");
    match signed_by {
        Some(keys) => {
            for (k, v) in sigv4::sign_post(
                keys,
                host,
                "/",
                body.as_bytes(),
                "eu-west-1",
                time::OffsetDateTime::now_utc(),
            ) {
                req = req.header(k, v);
            }
        }
        None => {
            req = req.header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
        }
    }
    fetch(req).await
}

fn keys_of(body: &str) -> SigningKeys {
    SigningKeys {
        access_key_id: xml_text(body, "AccessKeyId").unwrap_or_default(),
        secret_access_key: xml_text(body, "SecretAccessKey").unwrap_or_default(),
        session_token: xml_text(body, "SessionToken"),
    }
}

async fn gateway_session(sts: &StsEmulator) -> SigningKeys {
    let assertion = assertion_for(
        vec![SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)],
        XmlStyle::SamlPrefix,
    );
    let form = [
        ("Action", "AssumeRoleWithSAML"),
        ("Version", "2011-06-15"),
        ("RoleArn", world::GATEWAY_ADMIN),
        ("PrincipalArn", world::PROVIDER),
        ("SAMLAssertion", assertion.as_str()),
        ("DurationSeconds", "28800"),
    ];
    let page = sts_post(&sts.endpoint(), &form, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    keys_of(&page.body)
}

#[tokio::test]
async fn sts_assumes_a_saml_role_only_within_the_assertion_and_the_roles_maximum() {
    let sts = StsEmulator::start(world::roles());
    let bob_roles = vec![
        SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER),
        SamlRole::new(world::GATEWAY_READONLY, world::PROVIDER).provider_first(),
    ];
    let assertion = assertion_for(bob_roles, XmlStyle::AdfsDefaultNamespace);
    let ask = |role: &'static str, duration: &'static str| {
        let a = assertion.clone();
        let endpoint = sts.endpoint();
        async move {
            let form = [
                ("Action", "AssumeRoleWithSAML"),
                ("Version", "2011-06-15"),
                ("RoleArn", role),
                ("PrincipalArn", world::PROVIDER),
                ("SAMLAssertion", a.as_str()),
                ("DurationSeconds", duration),
            ];
            sts_post(&endpoint, &form, None).await
        }
    };
    let ok = ask(world::GATEWAY_READONLY, "3600").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.starts_with(
        "<AssumeRoleWithSAMLResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    ));
    assert!(ok.body.contains("<RequestId>") && ok.body.contains("<AssumedRoleUser>"));
    let issued = sts.session(&keys_of(&ok.body).access_key_id);
    assert!(
        issued
            .as_ref()
            .is_some_and(|s| s.session_name == BOB.username && s.duration_seconds == 3600)
    );

    let too_long = ask(world::GATEWAY_READONLY, "28800").await;
    assert_eq!(too_long.status, 400);
    assert_eq!(
        xml_text(&too_long.body, "Code").as_deref(),
        Some("ValidationError")
    );
    assert_eq!(
        xml_text(&too_long.body, "Message").as_deref(),
        Some("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    );
    assert!(
        too_long.body.contains("<ErrorResponse") && too_long.body.contains("<Type>Sender</Type>")
    );

    let not_offered = ask(world::PROD_ADMINS, "3600").await;
    assert_eq!(
        (
            not_offered.status,
            xml_text(&not_offered.body, "Code").as_deref()
        ),
        (403, Some("AccessDenied"))
    );

    let wrapped = saml::encode(
        &String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(&assertion)
                .unwrap_or_default(),
        ),
        Some(76),
    );
    let form = [
        ("Action", "AssumeRoleWithSAML"),
        ("RoleArn", world::GATEWAY_ADMIN),
        ("PrincipalArn", world::PROVIDER),
        ("SAMLAssertion", wrapped.as_str()),
    ];
    let spaced = sts_post(&sts.endpoint(), &form, None).await;
    assert_eq!(
        xml_text(&spaced.body, "Code").as_deref(),
        Some("InvalidIdentityToken")
    );
}

#[tokio::test]
async fn sts_chains_only_signed_calls_from_trusted_sessions_for_an_hour_at_most() {
    let sts = StsEmulator::start(world::roles());
    let gateway = gateway_session(&sts).await;
    let endpoint = sts.endpoint();
    let hop = |role: &'static str, duration: &'static str, external: Option<&'static str>| {
        let mut form = vec![
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", role),
            ("RoleSessionName", "bob@corp.example"),
            ("DurationSeconds", duration),
        ];
        if let Some(id) = external {
            form.push(("ExternalId", id));
        }
        form
    };
    let code = |p: &Page| (p.status, xml_text(&p.body, "Code").unwrap_or_default());

    let unsigned = sts_post(&endpoint, &hop(world::PROD_ADMINS, "3600", None), None).await;
    assert_eq!(code(&unsigned), (403, "MissingAuthenticationToken".into()));
    let stranger = SigningKeys {
        access_key_id: "ASIAUNKNOWNUNKNOWN00".into(),
        ..gateway.clone()
    };
    let unknown = sts_post(
        &endpoint,
        &hop(world::PROD_ADMINS, "3600", None),
        Some(&stranger),
    )
    .await;
    assert_eq!(code(&unknown), (403, "InvalidClientTokenId".into()));
    let forged = SigningKeys {
        secret_access_key: "not-the-secret".into(),
        ..gateway.clone()
    };
    let bad_sig = sts_post(
        &endpoint,
        &hop(world::PROD_ADMINS, "3600", None),
        Some(&forged),
    )
    .await;
    assert_eq!(code(&bad_sig), (403, "SignatureDoesNotMatch".into()));

    let too_long = sts_post(
        &endpoint,
        &hop(world::STAGING_DEPLOYER, "7200", None),
        Some(&gateway),
    )
    .await;
    assert_eq!(code(&too_long), (400, "ValidationError".into()));
    assert_eq!(
        xml_text(&too_long.body, "Message").as_deref(),
        Some(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    );

    let no_external = sts_post(
        &endpoint,
        &hop(world::AUDITOR, "3600", None),
        Some(&gateway),
    )
    .await;
    assert_eq!(code(&no_external), (403, "AccessDenied".into()));
    let audited = sts_post(
        &endpoint,
        &hop(world::AUDITOR, "3600", Some(world::AUDIT_EXTERNAL_ID)),
        Some(&gateway),
    )
    .await;
    assert_eq!(audited.status, 200, "{}", audited.body);

    let untrusted = sts_post(
        &endpoint,
        &hop(world::PROD_READONLY, "3600", None),
        Some(&gateway),
    )
    .await;
    assert_eq!(code(&untrusted), (403, "AccessDenied".into()));
    let prod = sts_post(
        &endpoint,
        &hop(world::PROD_ADMINS, "3600", None),
        Some(&gateway),
    )
    .await;
    assert_eq!(prod.status, 200, "{}", prod.body);
    let deeper = sts_post(
        &endpoint,
        &hop(world::PROD_READONLY, "900", None),
        Some(&keys_of(&prod.body)),
    )
    .await;
    assert_eq!(deeper.status, 200, "{}", deeper.body);

    let last = sts.calls().pop().unwrap_or_default();
    assert_eq!(last.source_key_id, Some(keys_of(&prod.body).access_key_id));
    assert_eq!(last.duration_seconds, Some(900));
}

#[tokio::test]
async fn sts_throttles_the_first_calls_and_counts_calls_in_flight() {
    let config = StsConfig::default()
        .role(StsRole::new(world::GATEWAY_ADMIN))
        .latency(Duration::from_millis(300))
        .throttle_first(1);
    let sts = StsEmulator::start(config);
    let form = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
    let endpoint = sts.endpoint();
    let (a, b, c) = tokio::join!(
        sts_post(&endpoint, &form, None),
        sts_post(&endpoint, &form, None),
        sts_post(&endpoint, &form, None)
    );
    let mut codes: Vec<String> = [a, b, c]
        .iter()
        .filter_map(|p| xml_text(&p.body, "Code"))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "MissingAuthenticationToken",
            "MissingAuthenticationToken",
            "Throttling"
        ]
    );
    assert_eq!(sts.max_in_flight(), 3);
}

#[test]
fn sigv4_reproduces_the_example_in_aws_documentation() {
    let headers = vec![
        (
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        ),
        ("Host".to_string(), "iam.amazonaws.com".to_string()),
        ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
    ];
    let signed: Vec<String> = ["content-type", "host", "x-amz-date"]
        .map(String::from)
        .to_vec();
    let canonical = sigv4::canonical_request(
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        &headers,
        &signed,
        &sigv4::sha256_hex(b""),
    );
    assert_eq!(
        sigv4::sha256_hex(canonical.as_bytes()),
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
    let signature = sigv4::signature(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "20150830T123600Z",
        "us-east-1",
        "iam",
        &canonical,
    );
    assert_eq!(
        signature,
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    );
}

#[test]
fn saml_reader_is_namespace_aware_and_refuses_doctypes() {
    let roles = vec![
        SamlRole::new(world::OTHER_READONLY, world::PROVIDER)
            .spaced()
            .provider_first(),
    ];
    for style in [XmlStyle::AdfsDefaultNamespace, XmlStyle::SamlPrefix] {
        let xml = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(assertion_for(roles.clone(), style))
                .unwrap_or_default(),
        )
        .unwrap_or_default();
        let parsed = saml::parse_response(&xml).unwrap_or_default();
        assert_eq!(
            parsed.role_pairs(),
            vec![(
                world::OTHER_READONLY.to_string(),
                world::PROVIDER.to_string()
            )],
            "{style:?}"
        );
        assert_eq!(parsed.name_id.as_deref(), Some("CORP\\bob"));
    }
    let evil = "<!DOCTYPE r [<!ENTITY x \"y\">]><r/>";
    assert!(saml::parse_response(evil).is_err());
}

#[test]
#[should_panic(expected = "was never hit")]
fn a_server_nobody_called_fails_its_test() {
    let handler = Arc::new(|_: &HttpRequest| HttpResponse::html(200, ""));
    let _server = TestServer::start("idle server", handler);
}

#[test]
#[should_panic(expected = "must not have been hit")]
fn a_server_that_must_stay_unused_fails_its_test_when_called() {
    let idp = AdfsEmulator::start(AdfsConfig::default().user(AdfsUser::new("x@y", "z")));
    idp.expect_unused();
    let _ = std::net::TcpStream::connect(idp.server().addr()).and_then(|mut s| {
        use std::io::{Read, Write};
        s.write_all(b"GET /adfs/ls/IdpInitiatedSignOn.aspx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf)
    });
}
