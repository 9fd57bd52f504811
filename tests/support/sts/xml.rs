//! STS's Query-API answers, in the shapes AWS sends: `<ActionResponse xmlns=…><ActionResult>…`
//! with ResponseMetadata/RequestId, and `<ErrorResponse><Error><Type><Code><Message>` for errors.

use crate::http::HttpResponse;
use crate::saml::escape;
use time::OffsetDateTime;

pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An error as STS reports it: HTTP status, Sender/Receiver, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsFault {
    pub status: u16,
    pub sender: bool,
    pub code: String,
    pub message: String,
}

impl StsFault {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        StsFault {
            status,
            sender: status < 500,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn validation(message: &str) -> Self {
        Self::new(400, "ValidationError", message)
    }

    pub fn access_denied(message: &str) -> Self {
        Self::new(403, "AccessDenied", message)
    }

    pub fn render(&self, request_id: &str) -> HttpResponse {
        let body = format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>{}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
            if self.sender { "Sender" } else { "Receiver" },
            escape(&self.code),
            escape(&self.message),
        );
        HttpResponse::xml(self.status, body).with_header("x-amzn-RequestId", request_id)
    }
}

/// `2019-11-09T13:34:41Z`: STS's Expiration, whole seconds.
pub fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The Credentials element.
pub fn credentials(key_id: &str, secret: &str, token: &str, expiration: OffsetDateTime) -> String {
    format!(
        "<Credentials>\n      <AccessKeyId>{key_id}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <SessionToken>{}</SessionToken>\n      <Expiration>{}</Expiration>\n    </Credentials>",
        escape(secret),
        escape(token),
        timestamp(expiration)
    )
}

pub fn assumed_role_user(arn: &str, id: &str) -> String {
    format!(
        "<AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>{}</AssumedRoleId>\n    </AssumedRoleUser>",
        escape(arn),
        escape(id)
    )
}

/// `<{action}Response xmlns=…><{action}Result>{result}</…><ResponseMetadata>…`
pub fn success(action: &str, result: &str, request_id: &str) -> HttpResponse {
    let body = format!(
        "<{action}Response xmlns=\"{NAMESPACE}\">\n  <{action}Result>\n    {result}\n  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n"
    );
    HttpResponse::xml(200, body).with_header("x-amzn-RequestId", request_id)
}
