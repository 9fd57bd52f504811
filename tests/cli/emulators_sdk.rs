//! The STS emulator against the real AWS SDK for Rust (the client samlbridge uses): the SDK's
//! parser must read its answers and errors, and its SigV4 signer must pass the emulator's check.

use crate::world::{self, ALICE};
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use samlbridge_emulators::saml::{self, AssertionSpec, SamlRole, XmlStyle};
use samlbridge_emulators::sts::{SessionSource, StsEmulator};
use std::time::Duration;

fn client(endpoint: &str, keys: Option<Credentials>) -> aws_sdk_sts::Client {
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http());
    if let Some(keys) = keys {
        config = config.credentials_provider(keys);
    }
    aws_sdk_sts::Client::from_conf(config.build())
}

fn alice_assertion() -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "http://adfs.corp.example/adfs/services/trust".into(),
        name_id: "CORP\\alice".into(),
        session_name: Some(ALICE.username.into()),
        roles: vec![SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)],
        session_duration: Some(28800),
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style: XmlStyle::AdfsDefaultNamespace,
    });
    saml::encode(&xml, None)
}

#[tokio::test]
async fn the_aws_sdk_reads_the_emulators_answers_and_its_signatures_pass() {
    let sts = StsEmulator::start(world::roles());
    let anonymous = client(&sts.endpoint(), None);
    let gateway = anonymous
        .assume_role_with_saml()
        .role_arn(world::GATEWAY_ADMIN)
        .principal_arn(world::PROVIDER)
        .saml_assertion(alice_assertion())
        .duration_seconds(28800)
        .send()
        .await;
    let gateway = match gateway {
        Ok(out) => out,
        Err(e) => panic!("AssumeRoleWithSAML: {e:?}\n{}", sts.log_text()),
    };
    let Some(creds) = gateway.credentials() else {
        panic!("no Credentials in the answer");
    };
    let issued = sts.session(creds.access_key_id());
    assert!(
        issued
            .as_ref()
            .is_some_and(|s| s.secret_access_key == creds.secret_access_key())
    );
    let keys = Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_string()),
        None,
        "test",
    );
    let signed = client(&sts.endpoint(), Some(keys));

    let hop = signed
        .assume_role()
        .role_arn(world::PROD_ADMINS)
        .role_session_name(ALICE.username)
        .send()
        .await;
    let hop = match hop {
        Ok(out) => out,
        Err(e) => panic!("AssumeRole: {e:?}\n{}", sts.log_text()),
    };
    let hop_key = hop
        .credentials()
        .map(|c| c.access_key_id().to_string())
        .unwrap_or_default();
    let chained = sts.session(&hop_key).map(|s| s.source);
    assert_eq!(
        chained,
        Some(SessionSource::Chained {
            source_key_id: creds.access_key_id().to_string()
        })
    );

    let refused = signed
        .assume_role()
        .role_arn(world::STAGING_DEPLOYER)
        .role_session_name(ALICE.username)
        .duration_seconds(7200)
        .send()
        .await;
    match refused {
        Ok(_) => panic!("a chained 2-hour session was granted"),
        Err(e) => {
            assert_eq!(e.code(), Some("ValidationError"));
            assert_eq!(
                e.message(),
                Some(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
                )
            );
        }
    }

    let who = signed.get_caller_identity().send().await;
    match who {
        Ok(id) => assert_eq!(
            id.arn(),
            Some(
                format!(
                    "arn:aws:sts::111111111111:assumed-role/GatewayAdmin/{}",
                    ALICE.username
                )
                .as_str()
            )
        ),
        Err(e) => panic!("GetCallerIdentity: {e:?}\n{}", sts.log_text()),
    }
}
