//! Plans: which gateway, which hops, in which order, and every way a chain can be broken.

use super::super::{ChainHop, ChainSelect, ConfigError, ConfigFile, GatewayProfile, Plan};
use std::path::{Path, PathBuf};

const FILE: &str = "/home/alice/.aws/config";

/// corp (gateway) ← corp-admin ← prod ← prod-ro, corp ← audit; other (gateway) ← elsewhere.
const CHAINS: &str = "
[profile corp]
saml_url = https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices
saml_username = alice@corp.example
saml_role = GatewayAdmin
saml_provider = adfs
duration_seconds = 28800
region = eu-west-1
saml_ca_bundle = ~/certs/corp.pem

[profile prod]
saml_source = corp-admin
saml_role = arn:aws:iam::333333333333:role/Admins
saml_external_id = ext-42
duration_seconds = 3600

[profile corp-admin]
saml_source = corp
saml_role = arn:aws:iam::222222222222:role/OrgAdmin
region = us-east-1

[profile audit]
saml_source = corp
saml_role = arn:aws:iam::444444444444:role/Audit
credential_process = samlbridge credential-process --profile audit

[profile prod-ro]
saml_source = prod
saml_role = arn:aws:iam::333333333333:role/ReadOnly

[profile other]
saml_url = https://idp.other.example/sso

[profile elsewhere]
saml_source = other
saml_role = arn:aws:iam::555555555555:role/X

[profile plain]
region = eu-central-1
";

fn config(text: &str) -> ConfigFile {
    match ConfigFile::parse(Path::new(FILE), text) {
        Ok(config) => config.with_home(Path::new("/home/alice")),
        Err(e) => panic!("{e}"),
    }
}

fn planned(text: &str, profile: &str, select: &ChainSelect) -> Plan {
    config(text)
        .plan(profile, select)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str, profile: &str, select: &ChainSelect) -> ConfigError {
    match config(text).plan(profile, select) {
        Ok(plan) => panic!("planned: {plan:?}"),
        Err(e) => e,
    }
}

fn names(plan: &Plan) -> Vec<(&str, &str)> {
    plan.chain
        .iter()
        .map(|hop| (hop.profile.as_str(), hop.source.as_str()))
        .collect()
}

fn only(list: &[&str]) -> ChainSelect {
    ChainSelect::Only(list.iter().map(|s| s.to_string()).collect())
}

#[test]
fn a_gateway_profile_with_every_key() {
    let plan = planned(CHAINS, "corp", &ChainSelect::None);
    assert_eq!(
        plan.gateway,
        GatewayProfile {
            profile: "corp".into(),
            url: "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices".into(),
            username: Some("alice@corp.example".into()),
            role: Some("GatewayAdmin".into()),
            provider: Some("adfs".into()),
            duration_seconds: Some(28800),
            region: Some("eu-west-1".into()),
            ca_bundle: Some(PathBuf::from("/home/alice/certs/corp.pem")),
            uses_credential_process: false,
            ..GatewayProfile::default()
        }
    );
    assert!(plan.chain.is_empty());
}

#[test]
fn all_takes_every_chain_back_to_the_gateway_parents_first() {
    let plan = planned(CHAINS, "corp", &ChainSelect::All);
    assert_eq!(
        names(&plan),
        [
            ("audit", "corp"),
            ("corp-admin", "corp"),
            ("prod", "corp-admin"),
            ("prod-ro", "prod")
        ]
    );
    let prod = &plan.chain[2];
    assert_eq!(
        *prod,
        ChainHop {
            profile: "prod".into(),
            source: "corp-admin".into(),
            role_arn: "arn:aws:iam::333333333333:role/Admins".into(),
            external_id: Some("ext-42".into()),
            duration_seconds: Some(3600),
            // Not corp-admin's us-east-1: a hop without a region takes the gateway's.
            region: Some("eu-west-1".into()),
            uses_credential_process: false,
        }
    );
    assert_eq!(plan.chain[1].region.as_deref(), Some("us-east-1"));
    assert!(plan.chain[0].uses_credential_process);
}

#[test]
fn only_takes_the_listed_profiles_and_the_hops_on_their_way() {
    let plan = planned(CHAINS, "corp", &only(&["prod", "corp"]));
    assert_eq!(
        names(&plan),
        [("corp-admin", "corp"), ("prod", "corp-admin")]
    );
    let plan = planned(CHAINS, "corp", &only(&[]));
    assert!(plan.chain.is_empty());
}

#[test]
fn only_refuses_a_profile_of_another_gateway() {
    let e = error(CHAINS, "corp", &only(&["audit", "elsewhere"]));
    assert!(
        matches!(&e, ConfigError::NotInChain { profile, actual, .. } if profile == "elsewhere" && actual == "other")
    );
    let message = e.to_string();
    assert!(
        message.starts_with(FILE) && message.contains("--profile other"),
        "{message}"
    );
    assert!(matches!(
        error(CHAINS, "corp", &only(&["nope"])),
        ConfigError::NoSuchProfile { .. }
    ));
    assert!(matches!(
        error(CHAINS, "corp", &only(&["plain"])),
        ConfigError::NotSaml { .. }
    ));
}

#[test]
fn a_chained_profile_plans_its_gateway_and_the_path_to_it() {
    for select in [ChainSelect::All, ChainSelect::None] {
        let plan = planned(CHAINS, "prod", &select);
        assert_eq!(plan.gateway.profile, "corp");
        assert_eq!(
            names(&plan),
            [("corp-admin", "corp"), ("prod", "corp-admin")]
        );
    }
    let plan = planned(CHAINS, "prod", &only(&["audit"]));
    assert_eq!(
        names(&plan),
        [
            ("audit", "corp"),
            ("corp-admin", "corp"),
            ("prod", "corp-admin")
        ]
    );
}

#[test]
fn other_gateways_plan_their_own_chains() {
    let plan = planned(CHAINS, "other", &ChainSelect::All);
    assert_eq!(names(&plan), [("elsewhere", "other")]);
    assert_eq!(plan.chain[0].region, None);
}

const LOOP: &str = "
[profile corp]
saml_url = https://idp.example/sso
[profile a]
saml_source = b
saml_role = arn:aws:iam::111111111111:role/A
[profile b]
saml_source = c
saml_role = arn:aws:iam::111111111111:role/B
[profile c]
saml_source = a
saml_role = arn:aws:iam::111111111111:role/C
[profile x]
saml_source = b
saml_role = arn:aws:iam::111111111111:role/X
";

#[test]
fn a_loop_of_three_is_named_in_order() {
    let e = error(LOOP, "a", &ChainSelect::All);
    assert!(
        matches!(&e, ConfigError::Loop { cycle, .. } if cycle == "a -> b -> c -> a"),
        "{e}"
    );
    let e = error(LOOP, "x", &ChainSelect::All);
    assert!(
        matches!(&e, ConfigError::Loop { cycle, .. } if cycle == "b -> c -> a -> b"),
        "{e}"
    );
    let message = error(LOOP, "corp", &ChainSelect::All).to_string();
    assert_eq!(
        message,
        format!("{FILE}: profiles form a loop: a -> b -> c -> a; fix their saml_source keys")
    );
    // Without All, a loop elsewhere does not stop a login that does not go through it.
    assert!(config(LOOP).plan("corp", &ChainSelect::None).is_ok());
}

#[test]
fn a_self_loop_is_named() {
    let text = "[profile me]\nsaml_source = me\nsaml_role = arn:aws:iam::111111111111:role/A\n";
    let e = error(text, "me", &ChainSelect::All);
    assert!(
        matches!(&e, ConfigError::Loop { cycle, .. } if cycle == "me -> me"),
        "{e}"
    );
}

#[test]
fn broken_chains_name_the_profile_and_the_fix() {
    let text = "[profile corp]\nsaml_url = https://idp\n[profile a]\nsaml_source = crop\nsaml_role = arn:aws:iam::111111111111:role/A\n[profile p]\nregion = x\n[profile b]\nsaml_source = p\n";
    let e = error(text, "a", &ChainSelect::All);
    assert!(
        matches!(&e, ConfigError::MissingSource { profile, source_profile, .. } if profile == "a" && source_profile == "crop")
    );
    assert!(e.to_string().contains("add [profile crop]"), "{e}");
    // A dangling saml_source anywhere is reported when planning every chain.
    assert!(matches!(
        error(text, "corp", &ChainSelect::All),
        ConfigError::MissingSource { .. }
    ));
    let e = error(text, "b", &ChainSelect::All).to_string();
    assert!(
        e.contains("profile b: saml_source = 'p'")
            && e.contains("neither saml_url nor saml_source"),
        "{e}"
    );
}

#[test]
fn profiles_that_are_not_saml_or_not_there() {
    let e = error(CHAINS, "plain", &ChainSelect::All);
    assert!(matches!(&e, ConfigError::NotSaml { profile, .. } if profile == "plain"));
    assert!(e.to_string().starts_with(FILE), "{e}");
    let e = error(CHAINS, "ghost", &ChainSelect::All);
    assert!(matches!(&e, ConfigError::NoSuchProfile { profile, .. } if profile == "ghost"));
    let e = error(
        "[profile both]\nsaml_url = https://i\nsaml_source = x\n",
        "both",
        &ChainSelect::None,
    );
    assert!(e.to_string().contains("not both"), "{e}");
}

fn bad_value(text: &str, profile: &str) -> (String, String) {
    match error(text, profile, &ChainSelect::All) {
        ConfigError::BadValue {
            key,
            value,
            profile: p,
            ..
        } => {
            assert_eq!(p, profile);
            (key, value)
        }
        other => panic!("{other}"),
    }
}

#[test]
fn bad_values_are_named() {
    for duration in ["abc", "899", "43201", "3600.5", "-1"] {
        let text = format!("[profile g]\nsaml_url = https://i\nduration_seconds = {duration}\n");
        assert_eq!(
            bad_value(&text, "g"),
            ("duration_seconds".into(), duration.into())
        );
    }
    let ok = "[profile g]\nsaml_url = https://i\nduration_seconds = 900\n";
    assert_eq!(
        planned(ok, "g", &ChainSelect::None)
            .gateway
            .duration_seconds,
        Some(900)
    );
    for url in ["not a url", "ftp://host/x", "https://"] {
        let text = format!("[profile g]\nsaml_url = {url}\n");
        assert_eq!(bad_value(&text, "g").0, "saml_url");
    }
    let gateway = "[profile g]\nsaml_url = https://i\n";
    for role in ["Admins", "222222222222/Admins", ""] {
        let text = format!("{gateway}[profile h]\nsaml_source = g\nsaml_role = {role}\n");
        assert_eq!(bad_value(&text, "h"), ("saml_role".into(), role.into()));
    }
    let text = format!("{gateway}[profile h]\nsaml_source = g\n");
    let message = error(&text, "h", &ChainSelect::All).to_string();
    assert!(
        message.contains("full role ARN") && message.contains("profile h"),
        "{message}"
    );
    let text = format!(
        "{gateway}[profile h]\nsaml_source = g\nsaml_role = arn:aws:iam::111111111111:role/A\nduration_seconds = 50000\n"
    );
    assert_eq!(bad_value(&text, "h").0, "duration_seconds");
    // A bad hop that the plan does not include does not stop the login.
    assert!(config(&text).plan("g", &ChainSelect::None).is_ok());
}

/// GovCloud and China: chained role ARNs of those partitions plan like commercial ones, and a hop
/// without a region of its own takes the gateway's.
#[test]
fn govcloud_and_china_chains_plan() {
    let text = "\
[profile gov]
saml_url = https://idp.example/sso
region = us-gov-west-1

[profile gov-prod]
saml_source = gov
saml_role = arn:aws-us-gov:iam::333333333333:role/Admins

[profile gov-deep]
saml_source = gov-prod
saml_role = arn:aws-us-gov:iam::444444444444:role/path/Deployer
region = us-gov-east-1

[profile cn]
saml_url = https://idp.example/sso
region = cn-north-1

[profile cn-prod]
saml_source = cn
saml_role = arn:aws-cn:iam::555555555555:role/Admins
";
    let plan = planned(text, "gov", &ChainSelect::All);
    assert_eq!(
        names(&plan),
        [("gov-prod", "gov"), ("gov-deep", "gov-prod")]
    );
    assert_eq!(plan.chain[0].region.as_deref(), Some("us-gov-west-1"));
    assert_eq!(plan.chain[1].region.as_deref(), Some("us-gov-east-1"));
    assert_eq!(
        plan.chain[1].role_arn,
        "arn:aws-us-gov:iam::444444444444:role/path/Deployer"
    );
    let plan = planned(text, "cn", &ChainSelect::All);
    assert_eq!(
        plan.chain[0].role_arn,
        "arn:aws-cn:iam::555555555555:role/Admins"
    );
}
