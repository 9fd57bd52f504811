//! `refresh` for timers (issue 3): exit 3 naming who must sign in, renewal from the saved IdP session
//! or by chaining again from a fresh gateway session, one journal line per profile, exit 5 when the
//! IdP cannot be reached.

use crate::harness::{Outcome, Sandbox};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::http::closed_port;

const CHAIN: [(&str, &str); 4] = [
    ("corp", world::GATEWAY_ADMIN),
    ("prod", world::PROD_ADMINS),
    ("staging", world::STAGING_DEPLOYER),
    ("audit", world::AUDITOR),
];

/// The lines of stderr that `refresh` wrote for `profile`.
fn refresh_lines<'a>(out: &'a Outcome, profile: &str) -> Vec<&'a str> {
    let prefix = format!("samlbridge refresh: {profile}:");
    out.stderr
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect()
}

#[test]
fn refresh_with_no_session_and_no_password_exits_3_naming_the_profile() {
    let mut world = World::start(ALICE);
    world.forget_password();
    world.sts.expect_unused();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "2h"]);
    out.expect_code(3)
        .expect_stderr_contains("corp")
        .expect_stderr_contains("samlbridge login --profile corp");
    assert!(world.sandbox.credentials_bytes().is_none());
}

#[test]
fn refresh_renews_from_the_saved_session_and_says_one_line_per_profile() {
    let mut world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let first = world.sandbox.credentials_ini();
    world.forget_password();

    // 10 h: more than the gateway's 8 h, so the IdP session is what renews it.
    let before = world.traffic();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "10h"]);
    out.expect_code(0);
    let after = world.traffic();
    assert_eq!(after.idp_posts, before.idp_posts, "a password was posted");
    assert_eq!(world.sts.calls_to("AssumeRoleWithSAML").len(), 2);
    let now = world.sandbox.credentials_ini();
    for (profile, role) in CHAIN {
        let lines = refresh_lines(&out, profile);
        assert_eq!(lines.len(), 1, "one line for {profile}\n{}", out.dump());
        assert!(lines[0].contains("renewed"), "{}", out.dump());
        world.assert_profile_holds(profile, role);
        assert_ne!(
            now[profile]["aws_access_key_id"], first[profile]["aws_access_key_id"],
            "{profile} was not renewed in the file"
        );
    }

    // 15 min: everything is fresh now; nobody is asked.
    let before = world.traffic();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "15m"]);
    out.expect_code(0);
    assert_eq!(world.traffic(), before, "{}", out.dump());
    for (profile, _) in CHAIN {
        let lines = refresh_lines(&out, profile);
        assert!(
            lines.len() == 1 && lines[0].contains("fresh"),
            "{}",
            out.dump()
        );
    }
}

#[test]
fn refresh_within_two_hours_chains_again_from_the_fresh_gateway_session() {
    let mut world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    world.forget_password();
    let before = world.traffic();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "2h"]);
    out.expect_code(0);
    let after = world.traffic();
    assert_eq!(
        after.idp_requests,
        before.idp_requests,
        "the gateway had 8 h left: the IdP need not be asked\n{}",
        out.dump()
    );
    assert_eq!(
        world.sts.calls_to("AssumeRole").len(),
        6,
        "the three hops again\n{}",
        world.sts.log_text()
    );
    for (profile, role) in CHAIN {
        world.assert_profile_holds(profile, role);
    }
}

/// The journal line must say what happened to each profile: with the gateway served from the cache,
/// only its chained profiles were renewed.
#[test]
fn refresh_says_renewed_only_for_the_profiles_it_renewed() {
    let mut world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    world.forget_password();
    let out = world.sandbox.run(&["refresh", "--all", "--within", "2h"]);
    out.expect_code(0);
    let corp = refresh_lines(&out, "corp");
    assert!(
        corp.len() == 1 && !corp[0].contains("renewed"),
        "the gateway was not renewed\n{}",
        out.dump()
    );
    for profile in ["prod", "staging", "audit"] {
        assert!(
            refresh_lines(&out, profile)[0].contains("renewed"),
            "{}",
            out.dump()
        );
    }
}

#[test]
fn refresh_with_the_idp_unreachable_exits_5() {
    let mut sandbox = Sandbox::new();
    let url = format!(
        "http://127.0.0.1:{}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
        closed_port()
    );
    sandbox.write_config(&world::config(&url, ALICE.username));
    sandbox.set_env(
        "AWS_ENDPOINT_URL_STS",
        &format!("http://127.0.0.1:{}", closed_port()),
    );
    sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    let out = sandbox.run(&["refresh", "--all", "--within", "2h"]);
    out.expect_code(5)
        .expect_stderr_contains("corp")
        .expect_stderr_contains("127.0.0.1");
    assert!(sandbox.credentials_bytes().is_none());
}
