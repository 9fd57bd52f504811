use super::*;
use crate::app::setup::checks::SetupRequest;

fn request(all_roles: Option<&str>) -> SetupRequest {
    SetupRequest {
        profile: "corp".into(),
        url: "https://idp.example/adfs".into(),
        username: Some("alice".into()),
        role: None,
        all_roles: all_roles.map(str::to_string),
        chain: vec![(
            "prod".into(),
            "arn:aws:iam::333333333333:role/Admins".into(),
        )],
        region: Some("eu-west-1".into()),
        ca_bundle: None,
        sign_in_keys: vec![(
            "saml_mfa_command",
            "ykman oath accounts code -s corp".into(),
        )],
    }
}

fn role(arn: &str) -> RoleOption {
    RoleOption {
        role_arn: arn.into(),
        principal_arn: "arn:aws:iam::111111111111:saml-provider/Corp".into(),
    }
}

#[test]
fn the_gateway_gets_the_chosen_role_and_chained_profiles_point_at_it() {
    let admin = role("arn:aws:iam::111111111111:role/Admin");
    let written = build(
        &request(None),
        Some("adfs"),
        Some(&admin),
        std::slice::from_ref(&admin),
        &AccountAliases::default(),
    );
    let gateway = written
        .gateway
        .clone()
        .unwrap_or_else(|| panic!("no gateway"));
    assert_eq!(
        gateway.keys,
        vec![
            ("saml_url", "https://idp.example/adfs".to_string()),
            ("saml_username", "alice".to_string()),
            ("saml_provider", "adfs".to_string()),
            ("saml_role", admin.role_arn.clone()),
            ("region", "eu-west-1".to_string()),
            (
                "saml_mfa_command",
                "ykman oath accounts code -s corp".to_string()
            ),
        ]
    );
    assert_eq!(
        written.chain[0].keys,
        vec![
            ("saml_source", "corp".to_string()),
            (
                "saml_role",
                "arn:aws:iam::333333333333:role/Admins".to_string()
            ),
        ]
    );
    assert!(written.per_role.is_empty());
    assert_eq!(written.gateways().collect::<Vec<_>>(), ["corp"]);
}

#[test]
fn all_roles_names_each_profile_by_alias_or_account_and_keeps_names_unique() {
    let roles = [
        role("arn:aws:iam::111111111111:role/Admin"),
        role("arn:aws:iam::222222222222:role/team a/Admin"),
        role("arn:aws:iam::222222222222:role/team b/Admin"),
    ];
    let aliases: AccountAliases = [("111111111111".to_string(), "main acct".to_string())]
        .into_iter()
        .collect();
    let written = build(&request(Some("corp")), None, None, &roles, &aliases);
    let names: Vec<&str> = written.per_role.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "corp-main-acct-Admin",
            "corp-222222222222-Admin",
            "corp-222222222222-Admin-2"
        ]
    );
    assert!(written.gateway.is_none());
    assert!(
        written
            .per_role
            .iter()
            .all(|p| !p.keys.iter().any(|(k, _)| *k == "saml_provider"))
    );
}
