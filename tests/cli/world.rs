//! The emulated corporation most tests sign in to: an AD FS with a handful of users, an STS with the
//! gateway and child-account roles, and a sandbox whose ~/.aws/config chains three child profiles.

use crate::harness::{Outcome, Sandbox};
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::saml::SamlRole;
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

pub const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/CorpADFS";
pub const GATEWAY_ADMIN: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
pub const GATEWAY_READONLY: &str = "arn:aws:iam::111111111111:role/ReadOnly";
pub const OTHER_READONLY: &str = "arn:aws:iam::222222222222:role/ReadOnly";
pub const PROD_ADMINS: &str = "arn:aws:iam::333333333333:role/Admins";
pub const PROD_READONLY: &str = "arn:aws:iam::333333333333:role/ReadOnly";
pub const STAGING_DEPLOYER: &str = "arn:aws:iam::444444444444:role/Deployer";
pub const AUDITOR: &str = "arn:aws:iam::555555555555:role/Auditor";
pub const AUDIT_EXTERNAL_ID: &str = "audit-7f3a";

/// A user of the emulated IdP.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub username: &'static str,
    pub password: &'static str,
}

/// One role; its password has the characters forms must encode.
pub const ALICE: Person = Person {
    username: "alice@corp.example",
    password: "Corr3ct horse&battery=staple+%",
};
/// Three roles in two accounts, ReadOnly in both, written in both ARN orders.
pub const BOB: Person = Person {
    username: "bob@corp.example",
    password: "bob-Pass-2",
};
/// Must give a one-time code after the password.
pub const DANA: Person = Person {
    username: "dana@corp.example",
    password: "dana-Pass-3",
};
pub const DANA_CODE: &str = "904137";
/// Gets a maintenance page after the password.
pub const ERIN: Person = Person {
    username: "erin@corp.example",
    password: "erin-Pass-4",
};

pub fn users() -> AdfsConfig {
    AdfsConfig::default()
        .user(
            AdfsUser::new(ALICE.username, ALICE.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .session_duration(28800),
        )
        .user(
            AdfsUser::new(BOB.username, BOB.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .role(SamlRole::new(GATEWAY_READONLY, PROVIDER).provider_first())
                .role(
                    SamlRole::new(
                        OTHER_READONLY,
                        "arn:aws:iam::222222222222:saml-provider/CorpADFS",
                    )
                    .spaced(),
                )
                .session_duration(28800),
        )
        .user(
            AdfsUser::new(DANA.username, DANA.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .mfa("VerificationCode", DANA_CODE),
        )
        .user(
            AdfsUser::new(ERIN.username, ERIN.password)
                .role(SamlRole::new(GATEWAY_ADMIN, PROVIDER))
                .unexpected_page(
                    "Scheduled maintenance",
                    "The sign-in service is being updated. Try again after 22:00 UTC.",
                ),
        )
}

pub fn roles() -> StsConfig {
    StsConfig::default()
        .role(StsRole::new(GATEWAY_ADMIN).max_session(43200))
        .role(StsRole::new(GATEWAY_READONLY))
        .role(StsRole::new(OTHER_READONLY))
        .role(StsRole::new(PROD_ADMINS).trust(GATEWAY_ADMIN))
        .role(
            StsRole::new(STAGING_DEPLOYER)
                .max_session(43200)
                .trust(GATEWAY_ADMIN),
        )
        .role(
            StsRole::new(AUDITOR)
                .trust(GATEWAY_ADMIN)
                .external_id(AUDIT_EXTERNAL_ID),
        )
        .role(StsRole::new(PROD_READONLY).trust(PROD_ADMINS))
}

/// The gateway `corp` and three profiles chained from it; `staging` asks for more than an hour.
pub fn config(sign_in_url: &str, username: &str) -> String {
    format!(
        "[default]
region = eu-west-1

[profile corp]
saml_url = {sign_in_url}
saml_username = {username}
region = eu-west-1

[profile prod]
saml_source = corp
saml_role = {PROD_ADMINS}

[profile staging]
saml_source = corp
saml_role = {STAGING_DEPLOYER}
duration_seconds = 7200

[profile audit]
saml_source = corp
saml_role = {AUDITOR}
saml_external_id = {AUDIT_EXTERNAL_ID}

[profile unrelated]
region = us-east-1
output = json
"
    )
}

/// How much the IdP and the STS had been asked at one moment: equal snapshots around a run prove
/// the run asked neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Every request to the IdP (GETs with a saved session included).
    pub idp_requests: usize,
    /// Form posts to the IdP: a username, password or code was sent.
    pub idp_posts: usize,
    pub sts_calls: usize,
}

/// The IdP, the STS and a sandbox wired together.
pub struct World {
    pub adfs: AdfsEmulator,
    pub sts: StsEmulator,
    pub sandbox: Sandbox,
}

impl World {
    /// The standard users and roles, no latency, `config(…, username)` written.
    pub fn start(person: Person) -> World {
        Self::with(users(), roles(), person)
    }

    pub fn with(adfs: AdfsConfig, sts: StsConfig, person: Person) -> World {
        let adfs = AdfsEmulator::start(adfs);
        let sts = StsEmulator::start(sts);
        let mut sandbox = Sandbox::new();
        sandbox.write_config(&config(&adfs.sign_in_url(), person.username));
        sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
        sandbox.set_env("SAMLBRIDGE_PASSWORD", person.password);
        World { adfs, sts, sandbox }
    }

    pub fn traffic(&self) -> Traffic {
        Traffic {
            idp_requests: self.adfs.server().total_hits(),
            idp_posts: self.adfs.posts().len(),
            sts_calls: self.sts.calls().len(),
        }
    }

    /// How many of the AD FS's POSTs carried a password.
    pub fn password_posts(&self) -> usize {
        self.adfs
            .posts()
            .iter()
            .filter(|p| p.iter().any(|(k, _)| k == "Password"))
            .count()
    }

    /// Runs with no password anywhere but the saved IdP session: not in the environment, no stdin.
    pub fn forget_password(&mut self) {
        self.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    }

    /// `samlbridge login --profile corp ARGS…`
    pub fn login(&self, args: &[&str]) -> Outcome {
        let mut all = vec!["login", "--profile", "corp"];
        all.extend_from_slice(args);
        self.sandbox.run(&all)
    }

    /// The profile's written keys must be exactly what the STS issued, for the role expected.
    #[track_caller]
    pub fn assert_profile_holds(&self, profile: &str, role_arn: &str) {
        let ini = self.sandbox.credentials_ini();
        let Some(section) = ini.get(profile) else {
            panic!(
                "[{profile}] not in the credentials file:\n{}",
                self.sandbox.credentials_text()
            );
        };
        let key = section
            .get("aws_access_key_id")
            .cloned()
            .unwrap_or_default();
        let Some(issued) = self.sts.session(&key) else {
            panic!(
                "[{profile}] holds key {key:?}, which the STS never issued\n{}",
                self.sts.log_text()
            );
        };
        assert_eq!(
            issued.role_arn, role_arn,
            "[{profile}] holds keys of another role"
        );
        assert_eq!(
            section.get("aws_secret_access_key"),
            Some(&issued.secret_access_key),
            "[{profile}] secret"
        );
        assert_eq!(
            section.get("aws_session_token"),
            Some(&issued.session_token),
            "[{profile}] token"
        );
        let written = section
            .get("x_security_token_expires")
            .cloned()
            .unwrap_or_default();
        let parsed =
            time::OffsetDateTime::parse(&written, &time::format_description::well_known::Rfc3339);
        match parsed {
            Ok(t) => assert_eq!(t, issued.expiration, "[{profile}] x_security_token_expires"),
            Err(e) => {
                panic!("[{profile}] x_security_token_expires = {written:?} is not RFC 3339: {e}")
            }
        }
        assert!(
            written.ends_with('Z') || written.ends_with("+00:00"),
            "[{profile}] x_security_token_expires = {written:?} is not UTC"
        );
    }
}
