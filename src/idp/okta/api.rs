//! Okta's Authentication API as the sign-in sees it: the transaction documents it answers with
//! (`/api/v1/authn` and the factor links), and the one way they are posted — JSON, to Okta's own
//! host only, with Okta's error documents turned into the engine's errors.

use super::super::IdpError;
use super::super::http::IdpSession;
use super::super::urls::{host_of, without_query};
use crate::secret::Secret;
use serde::{Deserialize, Deserializer, Serialize};
use tracing::debug;
use url::Url;

/// An authentication transaction: where the sign-in stands after each call.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// SUCCESS, MFA_REQUIRED, MFA_CHALLENGE, LOCKED_OUT, PASSWORD_EXPIRED, MFA_ENROLL...
    #[serde(default)]
    pub status: String,
    /// What the next call must carry while the transaction is open.
    #[serde(default, deserialize_with = "secret")]
    pub state_token: Option<Secret>,
    /// The proof of sign-in that Okta swaps for its session cookie, once.
    #[serde(default, deserialize_with = "secret")]
    pub session_token: Option<Secret>,
    /// For MFA_CHALLENGE: WAITING, SUCCESS, REJECTED, TIMEOUT...
    pub factor_result: Option<String>,
    #[serde(default, rename = "_embedded")]
    pub embedded: Embedded,
    #[serde(default, rename = "_links")]
    pub links: Links,
    /// The endpoint that answered with this document, for messages.
    #[serde(skip)]
    pub endpoint: Option<Url>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Embedded {
    /// MFA_REQUIRED: the user's enrolled factors. (Some of Okta's examples put the challenged
    /// factor here as an object; both are read.)
    #[serde(default)]
    pub factors: Option<OneOrMany>,
    /// MFA_CHALLENGE: the factor being verified.
    pub factor: Option<Factor>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    Many(Vec<Factor>),
    One(Box<Factor>),
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    /// The next call: `poll` while a push waits, `verify` for a code sent by SMS.
    pub next: Option<Link>,
    /// A factor's own link.
    pub verify: Option<Link>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub href: String,
}

/// One enrolled factor.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Factor {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub factor_type: String,
    /// OKTA, GOOGLE, RSA, SYMANTEC, YUBICO, DUO...
    #[serde(default)]
    pub provider: String,
    /// Device name, phone number, e-mail address: what tells the person which one.
    #[serde(default)]
    pub profile: serde_json::Value,
    #[serde(default, rename = "_links")]
    pub links: Links,
    #[serde(default, rename = "_embedded")]
    pub embedded: serde_json::Value,
}

impl Transaction {
    /// The factors to choose from.
    pub fn factors(&self) -> Vec<Factor> {
        match &self.embedded.factors {
            Some(OneOrMany::Many(list)) => list.clone(),
            Some(OneOrMany::One(one)) => vec![(**one).clone()],
            None => Vec::new(),
        }
    }

    /// The factor being verified, wherever this answer put it.
    pub fn challenged_factor(&self) -> Option<&Factor> {
        match &self.embedded.factors {
            Some(OneOrMany::One(one)) => Some(one),
            _ => self.embedded.factor.as_ref(),
        }
    }

    /// The number Okta Verify asks the person to pick (`_embedded.factor._embedded.challenge`).
    pub fn correct_answer(&self) -> Option<String> {
        let answer = self
            .challenged_factor()?
            .embedded
            .pointer("/challenge/correctAnswer")?;
        match answer {
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        }
    }
}

impl Factor {
    /// A profile value, for messages (`name`, `phoneNumber`, `email`).
    pub fn profile_text(&self, key: &str) -> Option<&str> {
        self.profile.get(key)?.as_str().filter(|s| !s.is_empty())
    }
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::from))
}

/// Primary authentication: `{"username", "password", "options"}`.
#[derive(Serialize)]
pub struct PrimaryBody<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub options: AuthnOptions,
}

/// Opt-in steps of the transaction: none (no enrolment offers, no password warnings).
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AuthnOptions {
    pub multi_optional_factor_enroll: bool,
    pub warn_before_password_expired: bool,
}

/// `{"stateToken"}`, and the `passCode` when a code is verified: every call after the password.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateBody<'a> {
    pub state_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<&'a str>,
}

impl<'a> StateBody<'a> {
    pub fn new(state_token: &'a Secret) -> Self {
        StateBody {
            state_token: state_token.expose(),
            pass_code: None,
        }
    }

    pub fn with_code(state_token: &'a Secret, code: &'a Secret) -> Self {
        StateBody {
            state_token: state_token.expose(),
            pass_code: Some(code.expose().trim()),
        }
    }
}

/// Okta's error document (`{"errorCode":"E0000004","errorSummary":"Authentication failed",...}`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaError {
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    error_summary: String,
    #[serde(default)]
    error_causes: Vec<ErrorCause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorCause {
    #[serde(default)]
    error_summary: String,
}

/// The API of one Okta org, reached through the sign-in's session (its cookies go along).
pub struct OktaApi<'s> {
    session: &'s IdpSession,
    /// `https://ORG.okta.com/`: every call goes there and nowhere else.
    pub org: Url,
    pub host: String,
}

impl<'s> OktaApi<'s> {
    /// The org of the start URL (its scheme, host and port).
    pub fn new(session: &'s IdpSession, start: &Url) -> OktaApi<'s> {
        OktaApi {
            session,
            host: host_of(start),
            org: crate::idp::urls::origin_root(start),
        }
    }

    /// An address on the org: a path of Okta's API, or an href Okta answered with.
    pub fn url(&self, path_or_href: &str) -> Result<Url, IdpError> {
        // Tokens go to Okta's own host only, whatever a link says.
        crate::idp::urls::on_origin(&self.org, path_or_href).map_err(|why| {
            let why = format!("{why}; samlbridge sends Okta's tokens only to the host of saml_url");
            self.unexpected(&self.org, "a link", &why)
        })
    }

    /// Posts `body` (which may hold the password or a token) to `url` and reads the transaction
    /// Okta answers with; Okta's error documents become Rejected or UnexpectedPage.
    pub async fn post(&self, url: &Url, body: &impl Serialize) -> Result<Transaction, IdpError> {
        let json = serde_json::to_string(body)
            .map(Secret::new)
            .map_err(|e| IdpError::Setup(format!("cannot write an Okta request: {e}")))?;
        let fetched = self.session.post_json(url.clone(), &json).await?;
        self.read_answer(url, fetched.status, &fetched.body)
    }

    /// Okta's answer from `url`: a transaction, or its error document as an error.
    pub fn read_answer(&self, url: &Url, status: u16, body: &str) -> Result<Transaction, IdpError> {
        let path = url.path();
        if !(200..300).contains(&status) {
            return Err(self.refusal(url, status, body));
        }
        let mut tx: Transaction = serde_json::from_str(body).map_err(|e| {
            self.unexpected(
                url,
                &format!("HTTP {status}"),
                &format!("the answer is not an Okta transaction ({e})"),
            )
        })?;
        debug!(
            "Okta {path}: HTTP {}, status {}{}",
            status,
            tx.status,
            tx.factor_result
                .as_deref()
                .map(|r| format!(", factorResult {r}"))
                .unwrap_or_default()
        );
        tx.endpoint = Some(url.clone());
        Ok(tx)
    }

    /// An error answer: Okta's refusals (bad password, bad code, locked, rate-limited) in Okta's
    /// words; anything else is unexpected.
    fn refusal(&self, url: &Url, status: u16, body: &str) -> IdpError {
        let error: OktaError = serde_json::from_str(body).unwrap_or_default();
        debug!(
            "Okta {}: HTTP {status}, errorCode {}",
            url.path(),
            if error.error_code.is_empty() {
                "(none)"
            } else {
                &error.error_code
            }
        );
        if error.error_summary.is_empty() {
            return self.unexpected(
                url,
                &format!("HTTP {status}"),
                "the answer is not an Okta error document; check that saml_url is your Okta org's \
                 app link",
            );
        }
        let causes: Vec<&str> = error
            .error_causes
            .iter()
            .map(|c| c.error_summary.trim())
            .filter(|c| !c.is_empty() && *c != error.error_summary)
            .collect();
        let mut message = error.error_summary.trim().to_string();
        if !causes.is_empty() {
            message = format!("{message}: {}", causes.join("; "));
        }
        match status {
            401 | 403 | 429 => IdpError::Rejected {
                host: self.host.clone(),
                message,
            },
            _ => self.unexpected(
                url,
                &format!("HTTP {status}"),
                &format!("Okta answered {} '{message}'", error.error_code),
            ),
        }
    }

    /// A transaction the sign-in cannot go on from, naming the endpoint and Okta's status.
    pub fn unexpected_status(&self, tx: &Transaction, why: &str) -> IdpError {
        let url = tx.endpoint.as_ref().unwrap_or(&self.org);
        let result = tx
            .factor_result
            .as_deref()
            .map(|r| format!(", factorResult {r}"))
            .unwrap_or_default();
        self.unexpected(url, &format!("status {}{result}", tx.status), why)
    }

    /// An answer the sign-in cannot use, naming the endpoint and what Okta said.
    pub fn unexpected(&self, url: &Url, what: &str, why: &str) -> IdpError {
        IdpError::UnexpectedPage {
            host: self.host.clone(),
            url: without_query(url),
            title: format!("Okta API: {what}"),
            hint: format!("{why}; run with -vv to see each step"),
        }
    }
}
