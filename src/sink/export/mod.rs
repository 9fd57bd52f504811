//! A profile's session as environment variables: printed as shell lines (`samlbridge env`) or given to
//! a command (`samlbridge exec`). Secrets travel in the environment only, never in argv.

mod exec;
mod shell;

pub use exec::{ExecError, command, exit_code, run, spawn};
pub use shell::{Shell, write_exports};

use crate::credentials::Credentials;
use crate::secret::Secret;

/// Variables that would point the AWS tools at something other than the session given, so they are
/// removed: a profile (it would win over the keys in some tools) and a stale token from an older
/// session (boto2 and some tools still read `AWS_SECURITY_TOKEN`).
pub const REMOVED: [&str; 3] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/// The other ways an SDK finds credentials in its environment: each is removed unless the session
/// sets it, so that CMD uses the session given (its keys, or `exec --server`'s endpoint) and no
/// leftover of the parent's.
pub const OTHER_SOURCES: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The variables of one session, in the order they are printed.
#[derive(Debug, Clone)]
pub struct SessionEnv {
    vars: Vec<(&'static str, Secret)>,
}

impl SessionEnv {
    /// The keys, the token, the expiry (RFC 3339 UTC, as the SDKs read `AWS_CREDENTIAL_EXPIRATION`),
    /// and `AWS_REGION`/`AWS_DEFAULT_REGION` when the profile has a region.
    pub fn new(credentials: &Credentials, region: Option<&str>) -> SessionEnv {
        let mut vars = vec![
            (
                "AWS_ACCESS_KEY_ID",
                Secret::new(credentials.access_key_id.as_str()),
            ),
            (
                "AWS_SECRET_ACCESS_KEY",
                credentials.secret_access_key.clone(),
            ),
            ("AWS_SESSION_TOKEN", credentials.session_token.clone()),
            (
                "AWS_CREDENTIAL_EXPIRATION",
                Secret::new(credentials.expiration_text().unwrap_or_default()),
            ),
        ];
        if let Some(region) = region.filter(|r| !r.is_empty()) {
            vars.push(("AWS_REGION", Secret::new(region)));
            vars.push(("AWS_DEFAULT_REGION", Secret::new(region)));
        }
        SessionEnv { vars }
    }

    /// What `exec --server` gives CMD: where to ask for credentials and the token to ask with (no
    /// keys: the SDK's container-credentials provider fetches fresh ones), and the region.
    pub fn container(uri: &str, token: &str, region: Option<&str>) -> SessionEnv {
        let mut vars = vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", Secret::new(uri)),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", Secret::new(token)),
        ];
        if let Some(region) = region.filter(|r| !r.is_empty()) {
            vars.push(("AWS_REGION", Secret::new(region)));
            vars.push(("AWS_DEFAULT_REGION", Secret::new(region)));
        }
        SessionEnv { vars }
    }

    /// Whether the session sets `name`.
    pub fn sets(&self, name: &str) -> bool {
        self.vars.iter().any(|(n, _)| *n == name)
    }

    pub fn vars(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.vars
            .iter()
            .map(|(name, value)| (*name, value.expose()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    pub(super) fn session(region: Option<&str>) -> SessionEnv {
        let credentials = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("se'cr\"et$`\\x"),
            session_token: Secret::new("to‘ken’\nline2"),
            expiration: datetime!(2026-05-01 14:00:00 +02:00),
        };
        SessionEnv::new(&credentials, region)
    }

    #[test]
    fn the_variables_of_a_session() {
        let names: Vec<_> = session(Some("eu-west-1")).vars().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWS_REGION",
                "AWS_DEFAULT_REGION"
            ]
        );
        let env = session(None);
        let vars: Vec<_> = env.vars().collect();
        assert_eq!(vars.len(), 4, "no region variables without a region");
        assert_eq!(
            vars[3],
            ("AWS_CREDENTIAL_EXPIRATION", "2026-05-01T12:00:00Z")
        );
    }

    #[test]
    fn the_container_session_has_no_keys() {
        let env = SessionEnv::container("http://127.0.0.1:1/profile/p", "tok", Some("eu-west-1"));
        assert!(env.sets("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        assert!(env.sets("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        assert!(!env.sets("AWS_ACCESS_KEY_ID") && !env.sets("AWS_SESSION_TOKEN"));
        assert!(env.sets("AWS_REGION"));
        assert!(!format!("{env:?}").contains("tok\""));
    }

    #[test]
    fn debug_hides_the_values() {
        let text = format!("{:?}", session(None));
        assert!(
            !text.contains("ASIAEXAMPLE") && !text.contains("cr\\\"et"),
            "{text}"
        );
    }
}
