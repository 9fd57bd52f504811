//! The AWS console's federation endpoint on 127.0.0.1, as AWS's IAM guide describes it ("Enable
//! custom identity broker access to the AWS console"): `GET /federation?Action=getSigninToken` with
//! the session as JSON (`sessionId`, `sessionKey`, `sessionToken`) answers `{"SigninToken": …}`.
//! Like the real one it checks the session against the keys the STS emulator issued, takes
//! `SessionDuration` only in 900–43200 s, and refuses it for a role-chained session (HTTP 400).
//! Every token request is recorded so a test can see what samlbridge sent.

use crate::http::{HttpRequest, HttpResponse, TestServer, field, lock};
use crate::random_from;
use crate::sts::{SessionLookup, SessionSource};
use std::sync::{Arc, Mutex};

pub const PATH: &str = "/federation";

/// One `getSigninToken` request as the endpoint saw it.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub session_id: Option<String>,
    pub session_key: Option<String>,
    pub session_token: Option<String>,
    /// `SessionDuration` as sent, if it was.
    pub session_duration: Option<String>,
    /// The SigninToken answered, or why the request was refused.
    pub outcome: Result<String, String>,
}

/// A running endpoint; stops when dropped (failing the test if nobody asked it for a token).
pub struct FederationEmulator {
    server: TestServer,
    ledger: Arc<Mutex<Vec<TokenRequest>>>,
}

impl FederationEmulator {
    pub fn start(sts: SessionLookup) -> FederationEmulator {
        let ledger: Arc<Mutex<Vec<TokenRequest>>> = Arc::default();
        let handler = {
            let ledger = ledger.clone();
            Arc::new(move |req: &HttpRequest| answer(&sts, &ledger, req))
        };
        FederationEmulator {
            server: TestServer::start("federation endpoint emulator", handler),
            ledger,
        }
    }

    /// What to put in SAMLBRIDGE_FEDERATION_ENDPOINT.
    pub fn endpoint(&self) -> String {
        format!("{}{PATH}", self.server.base_url())
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    pub fn requests(&self) -> Vec<TokenRequest> {
        lock(&self.ledger).clone()
    }
}

fn answer(
    sts: &SessionLookup,
    ledger: &Mutex<Vec<TokenRequest>>,
    req: &HttpRequest,
) -> HttpResponse {
    if req.path != PATH {
        return HttpResponse::html(404, "<html><body>Not Found</body></html>");
    }
    let params = req.query_pairs();
    if req.method != "GET" || field(&params, "Action") != Some("getSigninToken") {
        return bad_request("only GET Action=getSigninToken is emulated");
    }
    let mut request = read_request(&params);
    request.outcome = check(sts, &request).map(|()| random_from(SIGNIN_TOKEN_ALPHABET, 320));
    lock(ledger).push(request.clone());
    match request.outcome {
        Ok(token) => HttpResponse::new(
            200,
            "application/json",
            serde_json::json!({ "SigninToken": token }).to_string(),
        ),
        Err(why) => bad_request(&why),
    }
}

const SIGNIN_TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn read_request(params: &[(String, String)]) -> TokenRequest {
    let session: serde_json::Value = field(params, "Session")
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(serde_json::Value::Null);
    let text = |name: &str| session.get(name).and_then(|v| v.as_str()).map(String::from);
    TokenRequest {
        session_id: text("sessionId"),
        session_key: text("sessionKey"),
        session_token: text("sessionToken"),
        session_duration: field(params, "SessionDuration").map(String::from),
        outcome: Err("unchecked".into()),
    }
}

/// The checks AWS makes before handing out a token.
fn check(sts: &SessionLookup, request: &TokenRequest) -> Result<(), String> {
    let (Some(id), Some(key), Some(token)) = (
        &request.session_id,
        &request.session_key,
        &request.session_token,
    ) else {
        return Err("Session must be JSON with sessionId, sessionKey and sessionToken".into());
    };
    let session = sts
        .session(id)
        .ok_or_else(|| format!("sessionId {id} was never issued"))?;
    if &session.secret_access_key != key || &session.session_token != token {
        return Err(format!("sessionKey or sessionToken is not {id}'s"));
    }
    if session.expiration < time::OffsetDateTime::now_utc() {
        return Err(format!("session {id} has expired"));
    }
    if let Some(duration) = &request.session_duration {
        let seconds: u32 = duration
            .parse()
            .map_err(|_| format!("SessionDuration {duration} is not a number"))?;
        if !(900..=43_200).contains(&seconds) {
            return Err(format!("SessionDuration {seconds} is outside 900-43200"));
        }
        if matches!(session.source, SessionSource::Chained { .. }) {
            return Err("SessionDuration cannot be used with a role-chained session".into());
        }
    }
    Ok(())
}

/// AWS answers a refused request with HTTP 400 and no token.
fn bad_request(why: &str) -> HttpResponse {
    HttpResponse::html(400, format!("<html><body>Bad Request: {why}</body></html>"))
}
