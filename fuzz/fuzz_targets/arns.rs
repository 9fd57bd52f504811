//! ARNs and role names as users type them and assertions carry them: a role ARN in the config (the
//! profile is planned as login plans it), `--role` / `saml_role` matched against the roles offered,
//! and the partition read from an ARN. No panic; a role chosen is one of those offered, and a full
//! role ARN offered picks exactly that role.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, Partition, RoleOption};

#[derive(Debug, Arbitrary)]
struct Input {
    typed: String,
    offered: Vec<(String, String)>,
    pick: Option<u8>,
    external_id: Option<String>,
}

fuzz_target!(|input: Input| {
    let typed = input.typed.as_str();
    let (console, chain) = fuzzing::partitions_of_arn(typed);
    if let Some(p) = chain {
        assert_eq!(
            console, p,
            "the console and the chain disagree on the partition of {typed:?}"
        );
        let name = match p {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
        };
        assert_eq!(typed.split(':').nth(1), Some(name));
    }
    // A role ARN in the config, on one line as the file holds it.
    if !typed.contains(['\n', '\r']) {
        let external = input
            .external_id
            .as_deref()
            .filter(|e| !e.contains(['\n', '\r']))
            .map(|e| format!("external_id = {e}\n"))
            .unwrap_or_default();
        let config = format!(
            "[profile gw]\nsaml_url = https://idp.example.com/sso\nsaml_role = {typed}\n\n[profile child]\nsaml_source = gw\nrole_arn = {typed}\n{external}"
        );
        if let Ok(read) = fuzzing::read_config(&config) {
            for plan in read.plans.into_iter().flatten() {
                for hop in &plan.chain {
                    let arn = hop.role_arn.as_str();
                    let parts: Vec<&str> = arn.splitn(6, ':').collect();
                    assert!(
                        parts.len() == 6 && parts[0] == "arn" && parts[2] == "iam",
                        "accepted role ARN {arn:?}"
                    );
                    assert!(
                        parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit()),
                        "accepted account in {arn:?}"
                    );
                    assert!(
                        parts[5].starts_with("role/") && parts[5].len() > 5,
                        "accepted resource in {arn:?}"
                    );
                }
            }
        }
    }
    let roles: Vec<RoleOption> = input
        .offered
        .iter()
        .take(16)
        .map(|(role, provider)| RoleOption {
            role_arn: role.clone(),
            principal_arn: provider.clone(),
        })
        .collect();
    let wanted = match input.pick {
        Some(i) if !roles.is_empty() => roles[usize::from(i) % roles.len()].role_arn.clone(),
        _ => typed.to_string(),
    };
    if let Ok(chosen) = fuzzing::choose_role(&roles, Some(&wanted)) {
        assert!(
            roles.contains(&chosen),
            "a role chosen that was not offered"
        );
        let exact: Vec<&RoleOption> = roles
            .iter()
            .filter(|r| r.role_arn == wanted.trim())
            .collect();
        if exact.len() == 1 && wanted.trim().starts_with("arn:") {
            assert_eq!(&chosen, exact[0], "a full role ARN picked another role");
        }
    }
});
