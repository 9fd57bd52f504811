//! Which plans share a sign-in, and what a multi-profile login resolves to.

use super::*;
use std::path::Path;

const TEXT: &str = "
[profile admin]
saml_url = https://idp.corp.example/sso
saml_username = alice
saml_role = arn:aws:iam::111111111111:role/Admin

[profile read]
saml_url = https://idp.corp.example/sso
saml_username = alice
saml_role = 111111111111/ReadOnly
region = us-west-2

[profile bob-read]
saml_url = https://idp.corp.example/sso
saml_username = bob
saml_role = ReadOnly

[profile other-idp]
saml_url = https://idp.other.example/sso
saml_username = alice
saml_role = Admin

[profile trusted]
saml_url = https://idp.corp.example/sso
saml_username = alice
saml_role = Audit
saml_ca_bundle = /etc/corp-ca.pem

[profile no-role]
saml_url = https://idp.corp.example/sso
saml_username = alice

[profile prod]
saml_source = admin
saml_role = arn:aws:iam::333333333333:role/Admins

[profile prod-read]
saml_source = prod
saml_role = arn:aws:iam::333333333333:role/ReadOnly

[profile stage]
saml_source = admin
saml_role = arn:aws:iam::444444444444:role/Deploy

[profile audit]
saml_source = other-idp
saml_role = arn:aws:iam::555555555555:role/Audit
";

fn file() -> ConfigFile {
    ConfigFile::parse(Path::new("/home/alice/.aws/config"), TEXT).unwrap_or_else(|e| panic!("{e}"))
}

fn many(names: &[&str], select: &ChainSelect) -> Result<Vec<SignInGroup>, ConfigError> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    resolve_many(
        &file(),
        &PlanEnv::default(),
        &Overrides::default(),
        select,
        &names,
    )
}

/// Each group as its gateways, each gateway as `name:chained,profiles`.
fn shape(groups: &[SignInGroup]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            g.plans
                .iter()
                .map(|p| {
                    let chain: Vec<&str> = p.chain.iter().map(|h| h.profile.as_str()).collect();
                    format!("{}:{}", p.gateway.profile, chain.join(","))
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_same_idp_and_user_share_a_sign_in_whatever_the_role_or_region() {
    let groups = many(&["admin", "read"], &ChainSelect::All).unwrap();
    assert_eq!(
        shape(&groups),
        [vec!["admin:prod,stage,prod-read", "read:"]]
    );
    assert_eq!(groups[0].gateway_names(), "admin,read");
}

#[test]
fn another_user_another_idp_or_another_trust_is_another_sign_in() {
    let groups = many(
        &["admin", "bob-read", "other-idp", "trusted", "read"],
        &ChainSelect::None,
    )
    .unwrap();
    assert_eq!(
        shape(&groups),
        [
            vec!["admin:", "read:"],
            vec!["bob-read:"],
            vec!["other-idp:"],
            vec!["trusted:"],
        ]
    );
}

#[test]
fn flags_that_change_the_sign_in_for_every_profile_keep_one_group() {
    let flags = Overrides {
        username: Some("carol".into()),
        ..Overrides::default()
    };
    let names: Vec<String> = ["admin", "bob-read"].map(String::from).to_vec();
    let groups = resolve_many(
        &file(),
        &PlanEnv::default(),
        &flags,
        &ChainSelect::None,
        &names,
    )
    .unwrap();
    assert_eq!(shape(&groups), [vec!["admin:", "bob-read:"]]);
}

#[test]
fn a_browser_or_keychain_setting_splits_a_group() {
    let plans: Vec<Plan> = ["admin", "read"]
        .iter()
        .map(|name| {
            let flags = Overrides {
                profile: Some(name.to_string()),
                ..Overrides::default()
            };
            resolve(&file(), &PlanEnv::default(), &flags, &ChainSelect::None).unwrap()
        })
        .collect();
    assert_eq!(group_plans(plans.clone()).len(), 1);
    let mut keychain = plans.clone();
    keychain[1].answers.keychain = true;
    assert_eq!(group_plans(keychain).len(), 2);
    let mut browser = plans;
    browser[0].browser = Some(BrowserPlan {
        path: None,
        window: super::super::BrowserWindow::Never,
        timeout: None,
    });
    assert_eq!(group_plans(browser).len(), 2);
}

#[test]
fn a_chained_profile_named_joins_its_gateways_plan() {
    // Named with its gateway: the gateway's chain (all of it) once.
    let groups = many(&["prod", "admin", "prod"], &ChainSelect::All).unwrap();
    assert_eq!(shape(&groups), [vec!["admin:prod,stage,prod-read"]]);
    // Without it: the gateway and the hops on the way, the first named as the target.
    let groups = many(&["prod-read", "read"], &ChainSelect::All).unwrap();
    assert_eq!(shape(&groups), [vec!["admin:prod,prod-read", "read:"]]);
    assert_eq!(groups[0].plans[0].target, "prod-read");
    // --no-chain still logs in to a chained profile named.
    let groups = many(&["admin", "stage", "read"], &ChainSelect::None).unwrap();
    assert_eq!(shape(&groups), [vec!["admin:stage", "read:"]]);
}

#[test]
fn chain_lists_go_to_their_own_gateway() {
    let only = ChainSelect::Only(vec!["stage".into(), "audit".into()]);
    let groups = many(&["admin", "other-idp", "read"], &only).unwrap();
    assert_eq!(
        shape(&groups),
        [vec!["admin:stage", "read:"], vec!["other-idp:audit"]]
    );
    let stray = ChainSelect::Only(vec!["audit".into()]);
    match many(&["admin", "read"], &stray) {
        Err(ConfigError::NotInChain {
            profile,
            gateway,
            actual,
            ..
        }) => {
            assert_eq!(
                (profile.as_str(), gateway.as_str(), actual.as_str()),
                ("audit", "admin, read", "other-idp")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn several_gateways_each_need_a_role_and_every_missing_one_is_named() {
    let err = many(&["admin", "no-role", "read"], &ChainSelect::All).unwrap_err();
    let said = err.to_string();
    assert!(matches!(err, ConfigError::NoRoleForMany { .. }), "{said}");
    assert!(
        said.contains("no-role") && said.contains("saml_role"),
        "{said}"
    );
    assert!(
        !said.contains("admin,") && !said.contains(" read"),
        "{said}"
    );
    // Alone (with its chained profiles) it is an ordinary login: the role may be picked later.
    let alone = many(&["no-role"], &ChainSelect::All).unwrap();
    assert_eq!(shape(&alone), [vec!["no-role:"]]);
}

#[test]
fn unknown_and_unusable_profile_names_are_config_errors_naming_them() {
    assert!(matches!(
        many(&["admin", "nope"], &ChainSelect::All),
        Err(ConfigError::NoSuchProfile { profile, .. }) if profile == "nope"
    ));
    assert!(matches!(
        many(&["admin", "bad]name"], &ChainSelect::All),
        Err(ConfigError::BadProfileName { .. })
    ));
}
