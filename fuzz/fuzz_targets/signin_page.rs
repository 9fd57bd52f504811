//! AWS's sign-in page (the role picker an assertion with several roles is answered with), read for
//! the account aliases. Input: 1 control byte (which roles the assertion offered), then the page.
//! No panic; an alias is taken only for an account offered and only when it is a valid IAM alias;
//! an unreadable page is said in a bounded line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, RoleOption};

/// The roles of tests/fixtures/aws-signin/role-picker.html, and one in another partition.
const ROLES: &[(&str, &str)] = &[
    (
        "arn:aws:iam::111111111111:role/Admin",
        "arn:aws:iam::111111111111:saml-provider/Corp",
    ),
    (
        "arn:aws:iam::111111111111:role/ReadOnly",
        "arn:aws:iam::111111111111:saml-provider/Corp",
    ),
    (
        "arn:aws:iam::222222222222:role/team/Deployer",
        "arn:aws:iam::222222222222:saml-provider/Corp",
    ),
    (
        "arn:aws:iam::333333333333:role/Auditor",
        "arn:aws:iam::333333333333:saml-provider/Corp",
    ),
    (
        "arn:aws-us-gov:iam::444455556666:role/Read",
        "arn:aws-us-gov:iam::444455556666:saml-provider/Gov",
    ),
];

fn valid_alias(alias: &str) -> bool {
    (3..=63).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !alias.starts_with('-')
        && !alias.ends_with('-')
        && !alias.contains("--")
}

fuzz_target!(|data: &[u8]| {
    let Some((pick, page)) = data.split_first() else {
        return;
    };
    let offered: Vec<RoleOption> = ROLES
        .iter()
        .enumerate()
        .filter(|(i, _)| pick & (1 << i) != 0)
        .map(|(_, (r, p))| RoleOption {
            role_arn: r.to_string(),
            principal_arn: p.to_string(),
        })
        .collect();
    let html = String::from_utf8_lossy(page);
    match fuzzing::read_signin_page(&html, &offered) {
        Ok(aliases) => {
            for (account, alias) in &aliases {
                assert!(
                    offered.iter().any(|r| r.account_id() == account),
                    "an alias for an account not offered: {account}"
                );
                assert!(valid_alias(alias), "not an IAM alias: {alias:?}");
            }
        }
        Err(why) => assert!(
            why.chars().count() <= 250,
            "an unbounded reason: {} chars",
            why.chars().count()
        ),
    }
});
