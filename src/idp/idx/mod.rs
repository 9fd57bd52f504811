//! Okta's Identity Engine sign-in (IDX), the protocol the Okta Sign-In Widget speaks: the app's
//! sign-in page bootstraps a `stateToken`, `/idp/idx/introspect` turns it into the first document,
//! and each answer lists the `remediation` forms that may be posted next. They are followed by
//! name, as the widget does, not in an assumed order: `identify`, `challenge-authenticator`,
//! `authenticator-verification-data` (how a code is to be sent), `select-authenticator-authenticate`,
//! `challenge-poll`; until Okta answers with `success`, whose link leads a browser back to the app
//! with Okta's session cookie. Codes from an app and codes Okta sends (e-mail, SMS, voice call) are
//! answered alike: the person is told where a sent code went, then asked as for any code.
//!
//! A protocol client of its own: the Okta provider calls it when the org runs the Identity Engine.

mod authenticators;
mod bootstrap;
mod document;

pub use bootstrap::bootstrap_state_token;

use super::http::IdpSession;
use super::push::PushWait;
use super::urls::{host_of, without_query};
use super::{IdpError, LoginAnswers};
use crate::secret::Secret;
use authenticators::{Choice, Method, SentCode};
use document::{Field, IdxDoc, Remediation};
use serde_json::{Map, Value};
use std::time::Duration;
use tracing::{debug, info};
use url::Url;

/// What IDX wants both ways.
const ION: &str = "application/ion+json; okta-version=1.0.0";
/// Forms posted before the sign-in is declared stuck (polls are not counted).
const MAX_STEPS: usize = 12;
/// The longest pause between polls, whatever `refresh` says.
const MAX_REFRESH: Duration = Duration::from_secs(10);

/// How long a push is waited for, and the pause between polls when Okta gives no `refresh`.
#[derive(Debug, Clone, Copy)]
pub struct PushTiming {
    pub default_refresh: Duration,
    pub timeout: Duration,
}

/// The org's IDX endpoint as this sign-in reaches it (its cookies go along).
struct IdxClient<'a> {
    session: &'a IdpSession,
    /// The org: every form goes there and nowhere else.
    org: Url,
    host: String,
}

/// One IDX sign-in in progress.
pub struct IdxSignIn<'a> {
    client: IdxClient<'a>,
    host: String,
    answers: &'a mut dyn LoginAnswers,
    /// `saml_mfa_factor`.
    preferred: Option<String>,
    timing: PushTiming,
    password_given: bool,
    /// The method last chosen (`sms`, `voice`...), to say how a code was sent.
    method_chosen: Option<String>,
}

impl<'a> IdxSignIn<'a> {
    pub fn new(
        session: &'a IdpSession,
        org: &Url,
        answers: &'a mut dyn LoginAnswers,
        preferred: Option<String>,
        timing: PushTiming,
    ) -> Self {
        let org = super::urls::origin_root(org);
        let host = host_of(&org);
        IdxSignIn {
            client: IdxClient {
                session,
                org,
                host: host.clone(),
            },
            host,
            answers,
            preferred,
            timing,
            password_given: false,
            method_chosen: None,
        }
    }

    /// From the page's stateToken to Okta's success link.
    pub async fn run(mut self, state_token: Secret) -> Result<Url, IdpError> {
        info!(
            "{}: signing in through Okta's Identity Engine (IDX)",
            self.host
        );
        let introspect = self.client.url("/idp/idx/introspect")?;
        let mut body = Map::new();
        body.insert(
            "stateToken".into(),
            Value::String(state_token.expose().into()),
        );
        let mut doc = self.client.post(&introspect, &body).await?;
        let mut wait: Option<PushWait> = None;
        let mut number_shown: Option<String> = None;
        let mut steps = 0;
        loop {
            let errors = doc.errors();
            if !errors.is_empty() {
                return Err(IdpError::Rejected {
                    host: self.host.clone(),
                    message: errors.join("; "),
                });
            }
            if let Some(success) = &doc.success {
                info!("{}: Okta signed the user in", self.host);
                return self.client.url(&success.href);
            }
            if let Some(poll) = doc.remediation("challenge-poll").cloned() {
                let number = doc.correct_answer();
                if number.is_some() && number != number_shown {
                    self.answers.notice(&format!(
                        "{}: Okta Verify asks you to pick a number: pick {}",
                        self.host,
                        number.as_deref().unwrap_or_default()
                    ));
                    number_shown = number;
                }
                doc = self.poll(&doc, &poll, &mut wait).await?;
                continue;
            }
            if wait.is_some() {
                // The wait ended without success or Okta's words (a push answered no, or expired):
                // never send the push again on our own.
                return Err(IdpError::Rejected {
                    host: self.host.clone(),
                    message: "the Okta Verify push was not approved".into(),
                });
            }
            steps += 1;
            if steps > MAX_STEPS {
                return Err(self.client.unexpected(
                    &self.client.org,
                    "no end",
                    &format!("the sign-in did not finish after {MAX_STEPS} steps"),
                ));
            }
            doc = self.step(&doc).await?;
        }
    }

    /// Takes the one remediation this sign-in can: identify, answer a challenge, say how a code
    /// is to be sent, pick an authenticator.
    async fn step(&mut self, doc: &IdxDoc) -> Result<IdxDoc, IdpError> {
        for name in [
            "identify",
            "challenge-authenticator",
            "authenticator-verification-data",
            "select-authenticator-authenticate",
        ] {
            let Some(form) = doc.remediation(name) else {
                continue;
            };
            debug!("IDX: taking the '{name}' remediation");
            let body = match name {
                "identify" => self.identify(doc, form)?,
                "challenge-authenticator" => self.challenge(doc, form)?,
                // Both post an `authenticator` to choose: from a list, or the method of the one chosen.
                _ => self.select(doc, form)?,
            };
            return self.client.submit(form, &body).await;
        }
        let offered: Vec<&str> = doc.remediations().iter().map(|r| r.name.as_str()).collect();
        Err(self.needs_browser(&format!(
            "Okta asks for a step samlbridge cannot take ({})",
            if offered.is_empty() {
                "none offered".to_string()
            } else {
                offered.join(", ")
            }
        )))
    }

    /// `identify`: the username, and the password when the form takes it too.
    fn identify(
        &mut self,
        doc: &IdxDoc,
        form: &Remediation,
    ) -> Result<Map<String, Value>, IdpError> {
        let username = self.answers.username()?;
        let mut body = self.fill(doc, form, |name| match name {
            "identifier" => Some(Value::String(username.clone())),
            "rememberMe" => Some(Value::Bool(false)),
            _ => None,
        })?;
        if has_field(form, "credentials") {
            let password = self.password()?;
            body.insert("credentials".into(), passcode(&password));
        }
        info!(
            "{}: sending the username{}",
            self.host,
            if has_field(form, "credentials") {
                " and password"
            } else {
                ""
            }
        );
        Ok(body)
    }

    fn password(&mut self) -> Result<Secret, IdpError> {
        if self.password_given {
            return Err(self.client.unexpected(
                &self.client.org,
                "the password asked again",
                "Okta asks for the password a second time; samlbridge sends it once",
            ));
        }
        self.password_given = true;
        self.answers.password()
    }

    /// `challenge-authenticator`: the password, or a code, for the authenticator being verified.
    fn challenge(
        &mut self,
        doc: &IdxDoc,
        form: &Remediation,
    ) -> Result<Map<String, Value>, IdpError> {
        let current = doc.current_authenticator().cloned().unwrap_or(Value::Null);
        let key = current["key"]
            .as_str()
            .or(current["type"].as_str())
            .unwrap_or("");
        let sent = authenticators::sent_code(&current, self.method_chosen.as_deref());
        let secret = match (key, sent) {
            ("okta_password" | "password", _) => {
                info!("{}: sending the password", self.host);
                self.password()?
            }
            ("google_otp", _) => self.one_time_code("Google Authenticator code")?,
            ("okta_verify" | "app", _) => self.one_time_code("Okta Verify code")?,
            (_, Some(SentCode { label, notice })) => {
                self.answers.notice(&format!("{}: {notice}", self.host));
                self.one_time_code(&label)?
            }
            (other, None) => {
                let name = current["displayName"].as_str().unwrap_or(other);
                return Err(self.needs_browser(&format!(
                    "Okta asks to verify with {name}, which samlbridge cannot answer"
                )));
            }
        };
        let mut body = self.fill(doc, form, |_| None)?;
        body.insert("credentials".into(), passcode(&secret));
        Ok(body)
    }

    /// A one-time code, from an app or sent by Okta, from wherever codes come (`--mfa-code`,
    /// `--mfa-command`, the terminal).
    fn one_time_code(&mut self, label: &str) -> Result<Secret, IdpError> {
        let code = self.answers.mfa_code(label)?;
        info!("{}: sending the one-time code", self.host);
        Ok(Secret::new(code.expose().trim().to_string()))
    }

    /// `select-authenticator-authenticate`: the password first, then the authenticator chosen;
    /// `authenticator-verification-data`: the method (`sms`, `voice`, `email`) to send a code by.
    fn select(&mut self, doc: &IdxDoc, form: &Remediation) -> Result<Map<String, Value>, IdpError> {
        let field = form
            .value
            .iter()
            .find(|f| f.name == "authenticator")
            .cloned()
            .unwrap_or_default();
        let all = authenticators::choices(doc, &field);
        let code_at_hand = self.answers.has_mfa_code();
        let chosen: Option<Choice> = authenticators::choose(
            &all,
            self.password_given,
            self.preferred.as_deref(),
            code_at_hand,
        )
        .map_err(IdpError::Setup)?
        .cloned();
        let Some(choice) = chosen else {
            let offered: Vec<&Choice> = all.iter().collect();
            return Err(self.needs_browser(&format!(
                "Okta offers only authenticators samlbridge cannot use here ({})",
                authenticators::names(&offered)
            )));
        };
        info!(
            "{}: verifying with {} ({})",
            self.host,
            choice.label,
            choice.name()
        );
        if choice.method == Method::Push {
            self.answers.notice(&format!(
                "{}: approve the sign-in request in Okta Verify",
                self.host
            ));
        }
        self.method_chosen = choice.method_type.clone();
        let mut body = self.fill(doc, form, |_| None)?;
        body.insert("authenticator".into(), Value::Object(choice.value));
        Ok(body)
    }

    /// `challenge-poll`: waits Okta's `refresh` (bounded), then asks again.
    async fn poll(
        &mut self,
        doc: &IdxDoc,
        form: &Remediation,
        wait: &mut Option<PushWait>,
    ) -> Result<IdxDoc, IdpError> {
        let started = *wait.get_or_insert_with(|| PushWait::since_now(self.timing.timeout));
        if started.is_over() {
            return Err(started.expired(&self.host));
        }
        let pace = form
            .refresh
            .map_or(self.timing.default_refresh, Duration::from_millis)
            .min(MAX_REFRESH)
            .min(started.left());
        tokio::time::sleep(pace).await;
        let body = self.fill(doc, form, |_| None)?;
        self.client.submit(form, &body).await
    }

    /// The form's fields: every value Okta set (the state handle among them), plus what
    /// `answer` gives; a required field that neither fills is a step samlbridge cannot take.
    fn fill(
        &self,
        doc: &IdxDoc,
        form: &Remediation,
        answer: impl Fn(&str) -> Option<Value>,
    ) -> Result<Map<String, Value>, IdpError> {
        let mut body = Map::new();
        for field in &form.value {
            let value = answer(&field.name).or_else(|| field.value.clone());
            let value = match (value, field.name.as_str(), &doc.state_handle) {
                (Some(v), _, _) => v,
                (None, "stateHandle", Some(h)) => Value::String(h.expose().to_string()),
                (None, "credentials" | "authenticator", _) => continue,
                (None, name, _) if field.required => {
                    return Err(self.needs_browser(&format!(
                        "Okta's '{}' form asks for '{name}', which samlbridge cannot fill",
                        form.name
                    )));
                }
                (None, _, _) => continue,
            };
            body.insert(field.name.clone(), value);
        }
        Ok(body)
    }

    fn needs_browser(&self, why: &str) -> IdpError {
        IdpError::Browser {
            host: self.host.clone(),
            message: format!("{why}; sign in with a browser instead: `samlbridge login --browser`"),
            person: true,
        }
    }
}

impl IdxClient<'_> {
    async fn submit(
        &self,
        form: &Remediation,
        body: &Map<String, Value>,
    ) -> Result<IdxDoc, IdpError> {
        let method = form.method.as_deref().unwrap_or("POST");
        let url = self.url(&form.href)?;
        if !method.eq_ignore_ascii_case("POST") {
            return Err(self.unexpected(
                &url,
                &format!("the '{}' form", form.name),
                &format!("it is to be sent with {method}, not POST"),
            ));
        }
        self.post(&url, body).await
    }

    async fn post(&self, url: &Url, body: &Map<String, Value>) -> Result<IdxDoc, IdpError> {
        let json = serde_json::to_string(body)
            .map(Secret::new)
            .map_err(|e| IdpError::Setup(format!("cannot write an IDX request: {e}")))?;
        let fetched = self.session.post_typed(url.clone(), &json, ION).await?;
        drop(json);
        let doc = IdxDoc::parse(&fetched.body).unwrap_or_default();
        let names: Vec<&str> = doc.remediations().iter().map(|r| r.name.as_str()).collect();
        debug!(
            "IDX {}: HTTP {}, remediations [{}]{}",
            url.path(),
            fetched.status,
            names.join(", "),
            if doc.success.is_some() {
                ", success"
            } else {
                ""
            }
        );
        if !doc.looks_like_idx() {
            return Err(self.unexpected(
                url,
                &format!("HTTP {}", fetched.status),
                "the answer is not an IDX document; check that saml_url is your Okta org's AWS \
                 app link, or set saml_okta_api = classic",
            ));
        }
        // Okta's refusals (HTTP 400/401/403/429) are IDX documents with messages: read on.
        Ok(doc)
    }

    /// An address on the org: tokens and the password go to the org's own host only.
    fn url(&self, path_or_href: &str) -> Result<Url, IdpError> {
        super::urls::on_origin(&self.org, path_or_href).map_err(|why| {
            let why =
                format!("{why}; samlbridge sends Okta's state handle only to the host of saml_url");
            self.unexpected(&self.org, "a link", &why)
        })
    }

    fn unexpected(&self, url: &Url, what: &str, why: &str) -> IdpError {
        IdpError::UnexpectedPage {
            host: self.host.clone(),
            url: without_query(url),
            title: format!("Okta IDX: {what}"),
            hint: format!("{why}; run with -vv to see each step"),
        }
    }
}

fn has_field(form: &Remediation, name: &str) -> bool {
    form.value.iter().any(|f: &Field| f.name == name)
}

fn passcode(secret: &Secret) -> Value {
    let mut credentials = Map::new();
    credentials.insert(
        "passcode".into(),
        Value::String(secret.expose().to_string()),
    );
    Value::Object(credentials)
}
