//! Choosing the gateway role: `roles --json`, the several-roles error without a terminal, and
//! `--role` / `saml_role` by name, ACCOUNT_ID/NAME and ARN.
//!
//! `roles --json` prints one JSON array on stdout, one object per role the assertion offers:
//! `{"account_id": "111111111111", "role_name": "ReadOnly", "role_arn": "arn:…:role/ReadOnly",
//! "principal_arn": "arn:…:saml-provider/CorpADFS"}`.

use crate::world::{self, ALICE, BOB, World};

const BOB_ROLES: [(&str, &str, &str, &str); 3] = [
    (
        "111111111111",
        "GatewayAdmin",
        world::GATEWAY_ADMIN,
        world::PROVIDER,
    ),
    (
        "111111111111",
        "ReadOnly",
        world::GATEWAY_READONLY,
        world::PROVIDER,
    ),
    (
        "222222222222",
        "ReadOnly",
        world::OTHER_READONLY,
        "arn:aws:iam::222222222222:saml-provider/CorpADFS",
    ),
];

#[test]
fn roles_json_lists_every_role_with_its_account_name_arn_and_provider() {
    let world = World::start(BOB);
    world.sts.expect_unused();
    let out = world.sandbox.run(&["roles", "--profile", "corp", "--json"]);
    out.expect_code(0);
    let parsed: serde_json::Value = match serde_json::from_str(out.stdout.trim()) {
        Ok(v) => v,
        Err(e) => panic!("stdout is not JSON ({e})\n{}", out.dump()),
    };
    let Some(items) = parsed.as_array() else {
        panic!("not a JSON array: {parsed}");
    };
    let mut got: Vec<(String, String, String, String)> = items
        .iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            (
                s("account_id"),
                s("role_name"),
                s("role_arn"),
                s("principal_arn"),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String, String)> = BOB_ROLES
        .iter()
        .map(|(a, n, r, p)| (a.to_string(), n.to_string(), r.to_string(), p.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn roles_without_json_lists_them_for_a_person() {
    let world = World::start(BOB);
    world.sts.expect_unused();
    let out = world.sandbox.run(&["roles", "--profile", "corp"]);
    out.expect_code(0);
    for (account, _, arn, _) in BOB_ROLES {
        assert!(
            out.all_output().contains(account) && out.all_output().contains(arn),
            "{}",
            out.dump()
        );
    }
}

#[test]
fn several_roles_without_a_terminal_exit_2_naming_them() {
    let world = World::start(BOB);
    world.sts.expect_unused();
    let out = world.login(&[]);
    out.expect_code(2).expect_stderr_contains("--role");
    for (account, name, _, _) in BOB_ROLES {
        out.expect_stderr_contains(account)
            .expect_stderr_contains(name);
    }
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn a_role_name_in_two_accounts_is_ambiguous() {
    let world = World::start(BOB);
    world.sts.expect_unused();
    let out = world.login(&["--role", "ReadOnly"]);
    out.expect_code(2)
        .expect_stderr_contains("111111111111")
        .expect_stderr_contains("222222222222");
}

#[test]
fn role_by_name_picks_the_only_match() {
    let world = World::start(BOB);
    world.login(&["--role", "GatewayAdmin"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    world.assert_profile_holds("prod", world::PROD_ADMINS);
}

#[test]
fn role_by_account_and_name_picks_that_account_with_its_provider() {
    let world = World::start(BOB);
    world
        .login(&["--role", "222222222222/ReadOnly", "--no-chain"])
        .expect_code(0);
    let calls = world.sts.calls_to("AssumeRoleWithSAML");
    let first = calls.first().cloned().unwrap_or_default();
    assert_eq!(first.role_arn.as_deref(), Some(world::OTHER_READONLY));
    assert_eq!(
        first.principal_arn.as_deref(),
        Some("arn:aws:iam::222222222222:saml-provider/CorpADFS")
    );
    world.assert_profile_holds("corp", world::OTHER_READONLY);
}

#[test]
fn role_by_arn_picks_it() {
    let world = World::start(BOB);
    world
        .login(&[
            "--role",
            world::GATEWAY_READONLY,
            "--no-chain",
            "--duration",
            "3600",
        ])
        .expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_READONLY);
}

#[test]
fn saml_role_in_the_config_chooses_when_no_flag_does() {
    let world = World::start(BOB);
    let config = world::config(&world.adfs.sign_in_url(), BOB.username).replace(
        "[profile corp]\n",
        "[profile corp]\nsaml_role = GatewayAdmin\n",
    );
    world.sandbox.write_config(&config);
    world.login(&["--no-chain"]).expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn a_role_the_assertion_does_not_offer_exits_2() {
    let world = World::start(ALICE);
    world.sts.expect_unused();
    let out = world.login(&["--role", "Billing"]);
    out.expect_code(2)
        .expect_stderr_contains("Billing")
        .expect_stderr_contains("GatewayAdmin");
}
