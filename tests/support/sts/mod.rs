//! An STS on 127.0.0.1 that answers like AWS's: the Query API (form POSTs), AssumeRoleWithSAML checked
//! against the assertion's Role values, AssumeRole that must be SigV4-signed with keys it issued
//! (so chains are proven to use the right source), MaxSessionDuration and the 1-hour chaining limit
//! with AWS's own messages, ExternalId, and knobs tests need: latency, throttling, a call log, and
//! the highest number of calls it had in flight at once.

mod actions;
pub mod sigv4;
pub mod silent;
pub mod spoil;
pub mod xml;

pub use spoil::Spoil;

use crate::http::{HttpRequest, HttpResponse, TestServer, lock};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// A role that exists in the emulated AWS.
#[derive(Debug, Clone)]
pub struct StsRole {
    pub arn: String,
    /// The role's MaxSessionDuration (AWS default: 3600).
    pub max_session_duration: i32,
    /// Required ExternalId for AssumeRole, if the trust policy asks for one.
    pub external_id: Option<String>,
    /// Sessions of these roles may AssumeRole into it; empty: any session this STS issued.
    pub trusted_roles: Vec<String>,
}

impl StsRole {
    pub fn new(arn: &str) -> Self {
        StsRole {
            arn: arn.into(),
            max_session_duration: 3600,
            external_id: None,
            trusted_roles: Vec::new(),
        }
    }

    pub fn max_session(mut self, seconds: i32) -> Self {
        self.max_session_duration = seconds;
        self
    }

    pub fn external_id(mut self, id: &str) -> Self {
        self.external_id = Some(id.into());
        self
    }

    pub fn trust(mut self, role_arn: &str) -> Self {
        self.trusted_roles.push(role_arn.into());
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct StsConfig {
    pub roles: Vec<StsRole>,
    /// Added to every answer while the call counts as in flight.
    pub latency: Duration,
    /// The first N calls answer 400 Throttling "Rate exceeded".
    pub throttle_first: usize,
    /// What happens to successful answers (of `spoil_action` only, when set).
    pub spoil: Spoil,
    pub spoil_action: Option<&'static str>,
    /// The emulator's clock minus the real one: shown in its Date header, used for Expirations.
    pub clock_offset: time::Duration,
    /// Every session issued expires this long after it is issued, whatever duration was asked: a
    /// job longer than its credentials live, in seconds rather than hours.
    pub lifetime: Option<Duration>,
}

impl StsConfig {
    pub fn role(mut self, role: StsRole) -> Self {
        self.roles.push(role);
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn throttle_first(mut self, calls: usize) -> Self {
        self.throttle_first = calls;
        self
    }

    /// Every successful answer spoiled this way.
    pub fn spoil(mut self, spoil: Spoil) -> Self {
        self.spoil = spoil;
        self
    }

    /// Only `action`'s successful answers spoiled this way.
    pub fn spoil_only(mut self, action: &'static str, spoil: Spoil) -> Self {
        self.spoil = spoil;
        self.spoil_action = Some(action);
        self
    }

    /// Sessions live only `lifetime` (their Expiration says so, and their keys stop working then).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// The emulator's clock runs this far from the real one (negative: behind).
    pub fn clock_offset(mut self, offset: time::Duration) -> Self {
        self.clock_offset = offset;
        self
    }
}

/// How a session came to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSource {
    Saml {
        principal_arn: String,
    },
    /// AssumeRole signed with this access key id.
    Chained {
        source_key_id: String,
    },
}

/// Credentials this STS handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedSession {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: OffsetDateTime,
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: i32,
    pub source: SessionSource,
}

impl IssuedSession {
    pub fn account(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or("")
    }

    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or("")
    }

    pub fn assumed_role_arn(&self) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            self.account(),
            self.role_name(),
            self.session_name
        )
    }
}

/// One call as the emulator saw it (the request log).
#[derive(Debug, Clone)]
pub struct StsCall {
    pub action: String,
    pub role_arn: Option<String>,
    pub principal_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<i32>,
    pub external_id: Option<String>,
    /// The access key id in the Authorization header, if signed.
    pub source_key_id: Option<String>,
    /// How many calls were in flight when this one arrived (itself included).
    pub in_flight_at_start: usize,
    /// The issued access key id, or the error code.
    pub outcome: Result<String, String>,
    /// Why a call was refused, for failure messages (e.g. the canonical request of a bad signature).
    pub detail: Option<String>,
}

#[derive(Default)]
struct Ledger {
    sessions: HashMap<String, IssuedSession>,
    calls: Vec<StsCall>,
}

pub(crate) struct Sts {
    config: StsConfig,
    ledger: Mutex<Ledger>,
    received: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running STS emulator; stops when dropped (failing the test if nobody called it).
pub struct StsEmulator {
    server: TestServer,
    sts: Arc<Sts>,
}

impl StsEmulator {
    pub fn start(config: StsConfig) -> StsEmulator {
        let sts = Arc::new(Sts {
            config,
            ledger: Mutex::default(),
            received: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let handler = {
            let sts = sts.clone();
            Arc::new(move |req: &HttpRequest| sts.handle(req))
        };
        StsEmulator {
            server: TestServer::start("STS emulator", handler),
            sts,
        }
    }

    /// What to put in AWS_ENDPOINT_URL_STS.
    pub fn endpoint(&self) -> String {
        self.server.base_url()
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    pub fn expect_unused(&self) {
        self.server.expect_unused();
    }

    pub fn calls(&self) -> Vec<StsCall> {
        lock(&self.sts.ledger).calls.clone()
    }

    /// Calls of one action, in arrival order.
    pub fn calls_to(&self, action: &str) -> Vec<StsCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.action == action)
            .collect()
    }

    /// The most calls it ever had in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.sts.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn session(&self, access_key_id: &str) -> Option<IssuedSession> {
        lock(&self.sts.ledger).sessions.get(access_key_id).cloned()
    }

    pub fn sessions(&self) -> Vec<IssuedSession> {
        lock(&self.sts.ledger).sessions.values().cloned().collect()
    }

    /// A handle on the sessions this STS issued, for another emulated AWS service that must check
    /// the keys it is given (the console's federation endpoint); it lives as long as it is held.
    pub fn session_lookup(&self) -> SessionLookup {
        SessionLookup(self.sts.clone())
    }

    /// Sessions issued for one role.
    pub fn sessions_of(&self, role_arn: &str) -> Vec<IssuedSession> {
        self.sessions()
            .into_iter()
            .filter(|s| s.role_arn == role_arn)
            .collect()
    }

    /// The call log, one line per call, for assertion messages.
    pub fn log_text(&self) -> String {
        self.calls()
            .iter()
            .map(|c| {
                format!(
                    "{} role={} duration={:?} source={} in_flight={} -> {}",
                    c.action,
                    c.role_arn.as_deref().unwrap_or("-"),
                    c.duration_seconds,
                    c.source_key_id.as_deref().unwrap_or("-"),
                    c.in_flight_at_start,
                    match &c.outcome {
                        Ok(key) => format!("issued {key}"),
                        Err(code) => format!("error {code}"),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Looks up the sessions an `StsEmulator` issued (see `StsEmulator::session_lookup`).
#[derive(Clone)]
pub struct SessionLookup(Arc<Sts>);

impl SessionLookup {
    pub fn session(&self, access_key_id: &str) -> Option<IssuedSession> {
        self.0.issued(access_key_id)
    }
}

impl Sts {
    fn handle(&self, req: &HttpRequest) -> HttpResponse {
        let request_id = crate::uuid();
        let arrival = self.received.fetch_add(1, Ordering::SeqCst);
        let in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(in_flight, Ordering::SeqCst);
        std::thread::sleep(self.config.latency);
        let params = params(req);
        let mut call = StsCall::from_params(&params, in_flight);
        let result = if arrival < self.config.throttle_first {
            Err(xml::StsFault::new(400, "Throttling", "Rate exceeded"))
        } else if req.path != "/" {
            Err(xml::StsFault::new(404, "UnknownOperationException", ""))
        } else {
            self.dispatch(req, &params, &mut call)
        };
        let mut response = match result {
            Ok((action, body)) => self.spoiled(&action, xml::success(&action, &body, &request_id)),
            Err(fault) => {
                call.outcome = Err(fault.code.clone());
                fault.render(&request_id)
            }
        };
        if !self.config.clock_offset.is_zero() {
            response = response.with_header("Date", &spoil::http_date(self.now()));
        }
        lock(&self.ledger).calls.push(call);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        response
    }

    fn dispatch(
        &self,
        req: &HttpRequest,
        params: &[(String, String)],
        call: &mut StsCall,
    ) -> Result<(String, String), xml::StsFault> {
        let action = call.action.clone();
        let body = match action.as_str() {
            "AssumeRoleWithSAML" => actions::assume_role_with_saml(self, params, call)?,
            "AssumeRole" => actions::assume_role(self, req, params, call)?,
            "GetCallerIdentity" => actions::get_caller_identity(self, req, call)?,
            "" => return Err(xml::StsFault::new(400, "MissingAction", "Missing Action")),
            other => {
                return Err(xml::StsFault::new(
                    400,
                    "InvalidAction",
                    &format!("Could not find operation {other} for version 2011-06-15"),
                ));
            }
        };
        Ok((action, body))
    }

    /// The emulator's clock.
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.config.clock_offset
    }

    fn spoiled(&self, action: &str, mut response: HttpResponse) -> HttpResponse {
        if self.config.spoil_action.is_none_or(|only| only == action) {
            let body = self.config.spoil.apply(&response.body_text(), self.now());
            response.body = body.into_bytes();
        }
        response
    }

    fn role(&self, arn: &str) -> Option<&StsRole> {
        self.config.roles.iter().find(|r| r.arn == arn)
    }

    fn remember(&self, session: IssuedSession) {
        lock(&self.ledger)
            .sessions
            .insert(session.access_key_id.clone(), session);
    }

    fn issued(&self, key_id: &str) -> Option<IssuedSession> {
        lock(&self.ledger).sessions.get(key_id).cloned()
    }
}

impl Default for StsCall {
    fn default() -> Self {
        StsCall::from_params(&[], 0)
    }
}

impl StsCall {
    fn from_params(params: &[(String, String)], in_flight: usize) -> StsCall {
        let get = |name: &str| crate::http::field(params, name).map(String::from);
        StsCall {
            action: get("Action").unwrap_or_default(),
            role_arn: get("RoleArn"),
            principal_arn: get("PrincipalArn"),
            role_session_name: get("RoleSessionName"),
            duration_seconds: get("DurationSeconds").and_then(|d| d.parse().ok()),
            external_id: get("ExternalId"),
            source_key_id: None,
            in_flight_at_start: in_flight,
            outcome: Err("unanswered".into()),
            detail: None,
        }
    }
}

/// Query-string and form-body parameters together, as the Query API takes either.
fn params(req: &HttpRequest) -> Vec<(String, String)> {
    let mut all = req.query_pairs();
    let is_form = req
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if req.method == "POST" && is_form {
        all.extend(req.form());
    }
    all
}
