//! Issue 7, section 2: Role values whose ARNs are malformed are not offered as roles. They are
//! skipped (how many, said at -v), the well-formed ones are offered as usual, and an assertion with
//! nothing usable left exits 4 as one without roles does.

use crate::world::{self, ALICE, World};
use samlbridge_emulators::adfs::{AdfsConfig, AdfsUser};
use samlbridge_emulators::saml::SamlRole;

/// Role values of every malformed class, each with a good provider or a good role beside it.
fn malformed() -> Vec<SamlRole> {
    let provider = world::PROVIDER;
    let role = world::GATEWAY_READONLY;
    vec![
        SamlRole::new("arn:aws:iam::11111111111:role/ShortAccount", provider),
        SamlRole::new("arn:aws:iam::1111111111111:role/LongAccount", provider),
        SamlRole::new("arn:aws:iam::11111111111x:role/LetterAccount", provider),
        SamlRole::new("arn:aws:iam::111111111111:role/", provider),
        SamlRole::new(role, "arn:aws:iam::111111111111:saml-provider/"),
        SamlRole::new("arn:aws:iam::111111111111:user/NotARole", provider),
        SamlRole::new("arn:aws:s3:::111111111111:role/WrongService", provider),
        SamlRole::new("arn:aws:iam:eu-west-1:111111111111:role/Regional", provider),
        SamlRole::new(role, "arn:aws:iam::111111111111:role/NotAProvider"),
        SamlRole::new("arn:aws:iam::111111111111:role/With Space", provider),
        SamlRole::new("arn:AWS:iam::111111111111:role/BadPartition", provider),
        SamlRole::new("arn:aws-:iam::111111111111:role/BadPartition", provider),
        SamlRole::new(
            &format!("arn:aws:iam::111111111111:role/{}", "L".repeat(3000)),
            provider,
        ),
    ]
}

fn world_offering(roles: Vec<SamlRole>) -> World {
    let user = roles
        .into_iter()
        .fold(
            AdfsUser::new(ALICE.username, ALICE.password),
            AdfsUser::role,
        )
        .session_duration(3600);
    World::with(AdfsConfig::default().user(user), world::roles(), ALICE)
}

#[test]
fn malformed_roles_are_skipped_counted_at_v_and_the_good_one_is_used() {
    let count = malformed().len();
    let mut roles = malformed();
    roles.push(SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER));
    let world = world_offering(roles);
    let out = world.login(&["--no-chain", "-v"]);
    out.expect_code(0)
        .expect_stderr_contains(&format!("skipped {count} Role value(s)"));
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
    for bad in ["ShortAccount", "NotARole", "With Space", "LLLLLLLLLL"] {
        assert!(
            !out.stderr.contains(bad),
            "a skipped value was echoed: {bad}\n{}",
            out.dump()
        );
    }
    // `roles` lists only what can be assumed.
    let listed = world.sandbox.run(&["roles", "--profile", "corp", "--json"]);
    listed.expect_code(0);
    let json: serde_json::Value = serde_json::from_str(listed.stdout.trim()).unwrap_or_default();
    let arns: Vec<&str> = json
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r["role_arn"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(arns, [world::GATEWAY_ADMIN], "{}", listed.dump());
}

#[test]
fn an_assertion_with_only_malformed_roles_exits_4_and_asks_nothing_of_sts() {
    let world = world_offering(malformed());
    world.sts.expect_unused();
    let out = world.login(&["--no-chain"]);
    out.expect_code(4)
        .expect_stderr_contains("offers no AWS role")
        .expect_stderr_contains(&format!("{} malformed", malformed().len()));
    assert!(world.sandbox.credentials_bytes().is_none());
}
