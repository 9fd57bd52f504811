//! Who a cached session belongs to. A key is the profile plus everything that decides which session
//! STS would hand out for it — the role and where the call came from — so editing a profile's role,
//! IdP, username, source or external id never serves the old profile's credentials.

use crate::config::Plan;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Bumped when the identity of a session is derived differently, so old entries stop matching.
const KEY_VERSION: &str = "samlbridge-cache-v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    profile: String,
    /// Hex SHA-256 of the canonical identity (a JSON array of strings: unambiguous, and easy to
    /// reproduce with `printf … | sha256sum` in the benchmark script).
    digest: String,
    /// For a person reading the entry: `saml <url> as <user>` or `profile <source>`.
    source: String,
}

impl CacheKey {
    /// A gateway profile: signed in at `idp_url` as `username`, assuming `role` as configured (ARN, name,
    /// ACCOUNT_ID/NAME, or none when the assertion's only role is taken). Pass the values after any
    /// `--url`/`--username`/`--role` override.
    pub fn gateway(
        profile: &str,
        idp_url: &str,
        username: Option<&str>,
        role: Option<&str>,
    ) -> CacheKey {
        let user = username.unwrap_or("");
        let fields = [
            KEY_VERSION,
            "gateway",
            profile,
            role.unwrap_or(""),
            idp_url,
            user,
        ];
        CacheKey {
            profile: profile.to_string(),
            digest: digest(&fields),
            source: format!("saml {idp_url} as {user}"),
        }
    }

    /// A chained profile: `role_arn` assumed with the session of `source` (whose key carries its own
    /// chain back to the IdP), with `external_id` when set.
    pub fn hop(
        profile: &str,
        role_arn: &str,
        source: &CacheKey,
        external_id: Option<&str>,
    ) -> CacheKey {
        let fields = [
            KEY_VERSION,
            "hop",
            profile,
            role_arn,
            source.digest.as_str(),
            external_id.unwrap_or(""),
        ];
        CacheKey {
            profile: profile.to_string(),
            digest: digest(&fields),
            source: format!("profile {}", source.profile),
        }
    }

    /// The key of every profile in a plan: the gateway, then each hop from its source's key. A hop
    /// whose source is not in the plan gets no key (config guarantees this does not happen).
    pub fn for_plan(plan: &Plan) -> BTreeMap<String, CacheKey> {
        let gw = &plan.gateway;
        let mut keys = BTreeMap::new();
        let gateway = CacheKey::gateway(
            &gw.profile,
            &gw.url,
            gw.username.as_deref(),
            gw.role.as_deref(),
        );
        keys.insert(gw.profile.clone(), gateway);
        for hop in &plan.chain {
            let Some(source) = keys.get(&hop.source) else {
                tracing::debug!(profile = %hop.profile, source = %hop.source, "hop source not in plan");
                continue;
            };
            let key = CacheKey::hop(
                &hop.profile,
                &hop.role_arn,
                source,
                hop.external_id.as_deref(),
            );
            keys.insert(hop.profile.clone(), key);
        }
        keys
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// `<profile, sanitised>-<32 hex>.json`: readable in `ls`, unique by the identity digest.
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", file_prefix(&self.profile), &self.digest[..32])
    }
}

/// The profile name as a file name part: `[A-Za-z0-9._-]` kept, anything else `_`, at most 64 chars.
pub(super) fn file_prefix(profile: &str) -> String {
    profile
        .chars()
        .take(64)
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .collect()
}

fn digest(fields: &[&str]) -> String {
    // serde_json never fails on an array of strings; the fallback joins with a separator no INI
    // value can hold, so the key would still be unambiguous.
    let canonical = serde_json::to_string(fields).unwrap_or_else(|_| fields.join("\n"));
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ChainHop, GatewayProfile};

    fn gateway() -> CacheKey {
        CacheKey::gateway(
            "corp",
            "https://idp.example/sso",
            Some("alice"),
            Some("Admin"),
        )
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_documented_canonical_form() {
        // Also computed by benches/credential_process.sh: printf '%s' '<json>' | sha256sum
        let key = CacheKey::gateway(
            "bench",
            "https://idp.invalid/sso",
            Some("bench"),
            Some("arn:aws:iam::111111111111:role/Bench"),
        );
        assert_eq!(
            key.digest(),
            "bf080e0fcadff55ea12a2266b685feff8367cef6b7604cb8b68c76c7a4828525"
        );
    }

    #[test]
    fn every_part_of_a_gateway_identity_changes_the_key() {
        let base = gateway();
        let others = [
            CacheKey::gateway(
                "corp2",
                "https://idp.example/sso",
                Some("alice"),
                Some("Admin"),
            ),
            CacheKey::gateway(
                "corp",
                "https://idp2.example/sso",
                Some("alice"),
                Some("Admin"),
            ),
            CacheKey::gateway(
                "corp",
                "https://idp.example/sso",
                Some("bob"),
                Some("Admin"),
            ),
            CacheKey::gateway(
                "corp",
                "https://idp.example/sso",
                Some("alice"),
                Some("Dev"),
            ),
            CacheKey::gateway("corp", "https://idp.example/sso", Some("alice"), None),
        ];
        for other in others {
            assert_ne!(base.digest(), other.digest(), "{other:?}");
        }
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let a = CacheKey::gateway("p", "u", Some("a,b"), Some(""));
        let b = CacheKey::gateway("p", "u", Some("a"), Some("b"));
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn a_hop_depends_on_its_source_and_external_id() {
        let role = "arn:aws:iam::333333333333:role/Admins";
        let base = CacheKey::hop("prod", role, &gateway(), None);
        let other_source = CacheKey::gateway("corp", "https://idp.example/sso", Some("bob"), None);
        assert_ne!(base, CacheKey::hop("prod", role, &other_source, None));
        assert_ne!(base, CacheKey::hop("prod", role, &gateway(), Some("x")));
        assert_ne!(
            base,
            CacheKey::hop(
                "prod",
                "arn:aws:iam::333333333333:role/Dev",
                &gateway(),
                None
            )
        );
        assert_eq!(base.source(), "profile corp");
    }

    #[test]
    fn file_names_are_safe_and_readable() {
        let key = CacheKey::gateway("../we ird/é", "u", None, None);
        let name = key.file_name();
        assert!(name.starts_with(".._we_ird__-"), "{name}");
        assert!(!name.contains('/'));
        assert_eq!(name.len(), "../we ird/é".chars().count() + 1 + 32 + 5);
    }

    #[test]
    fn a_plan_gives_keys_along_its_chain() {
        let plan = Plan {
            gateway: GatewayProfile {
                profile: "corp".into(),
                url: "https://idp.example/sso".into(),
                username: Some("alice".into()),
                role: Some("Admin".into()),
                provider: None,
                duration_seconds: None,
                region: None,
                ca_bundle: None,
                uses_credential_process: false,
                ..Default::default()
            },
            chain: vec![
                hop("prod", "corp", "arn:aws:iam::3:role/A"),
                hop("deep", "prod", "arn:aws:iam::4:role/B"),
            ],
            ..Plan::default()
        };
        let keys = CacheKey::for_plan(&plan);
        assert_eq!(keys["corp"], gateway());
        let prod = CacheKey::hop("prod", "arn:aws:iam::3:role/A", &gateway(), None);
        assert_eq!(keys["prod"], prod);
        assert_eq!(
            keys["deep"],
            CacheKey::hop("deep", "arn:aws:iam::4:role/B", &prod, None)
        );
    }

    fn hop(profile: &str, source: &str, role_arn: &str) -> ChainHop {
        ChainHop {
            profile: profile.into(),
            source: source.into(),
            role_arn: role_arn.into(),
            external_id: None,
            duration_seconds: None,
            region: None,
            uses_credential_process: false,
        }
    }
}
