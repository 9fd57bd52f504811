use super::*;
use crate::config::GatewayProfile;

#[test]
fn a_run_builds_one_sts_client_whatever_asks_for_it() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plan = Plan {
        gateway: GatewayProfile {
            profile: "corp".into(),
            region: Some("eu-west-1".into()),
            ..GatewayProfile::default()
        },
        ..Plan::default()
    };
    let budget = sts::StsBudget::default();
    let client = RunClient {
        plan: &plan,
        budget: &budget,
        built: OnceCell::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The sign-in builds it for the assertion's partition; the chain asks again and gets it.
        let first = client.get(Partition::Aws).await.unwrap();
        let again = client.get(Partition::AwsCn).await.unwrap();
        assert!(std::ptr::eq(first, again));
        assert!(std::ptr::eq(first, client.built.get().unwrap()));
    });
}

#[test]
fn only_the_file_sink_goes_to_the_credentials_file() {
    let mut plan = Plan::default();
    plan.sinks.file = vec!["corp".into(), "stage".into()];
    plan.sinks.process = vec!["prod".into()];
    let creds = Credentials {
        access_key_id: "ASIA".into(),
        secret_access_key: crate::secret::Secret::new("s"),
        session_token: crate::secret::Secret::new("t"),
        expiration: OffsetDateTime::UNIX_EPOCH,
    };
    let obtained = Obtained {
        profiles: ["corp", "prod", "stage"]
            .map(|p| (p.to_string(), creds.clone()))
            .to_vec(),
        role_arn: String::new(),
        renewed: true,
        gateway_cached: false,
    };
    let names: Vec<String> = file_profiles(&plan, &obtained)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(names, ["corp", "stage"]);
}
