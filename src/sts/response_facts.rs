//! An STS response as samlbridge reads it from the SDK, and what the SDK does not keep of it: the
//! `Date` header (which tells a wrong local clock from a broken answer, see `answer`) and whether a
//! 2xx body was whole. The SDK fills a cut body's missing elements with defaults, so a body cut after
//! the last element it reads would pass for a complete answer: the closing root tag proves it whole.

use super::answer::{StsAnswer, parse_http_date};
use super::{Credentials, StsError};
use aws_sdk_sts::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeDeserializationInterceptorContextRef,
};
use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One call's interceptor: facts of the last response the call received.
#[derive(Debug, Clone)]
pub(super) struct ResponseFacts {
    /// `</AssumeRoleResponse>`: how the action's answer ends.
    closing_tag: String,
    seen: Arc<Mutex<Seen>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    date: Option<OffsetDateTime>,
    /// A 2xx body that does not end with the closing root tag.
    cut: bool,
}

impl ResponseFacts {
    pub(super) fn new(action: &str) -> ResponseFacts {
        ResponseFacts {
            closing_tag: format!("</{action}Response>"),
            seen: Arc::default(),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The last response's Date, if it had a readable one.
    pub(super) fn date(&self) -> Option<OffsetDateTime> {
        self.seen().date
    }

    /// The last successful answer's body stopped before its end.
    pub(super) fn cut(&self) -> bool {
        self.seen().cut
    }
}

impl Intercept for ResponseFacts {
    fn name(&self) -> &'static str {
        "samlbridge::ResponseFacts"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let date = context.response().headers().get("date");
        *self.seen() = Seen {
            date: date.and_then(parse_http_date),
            cut: false,
        };
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        if response.status().is_success() {
            // The body is in memory by now (the SDK reads it whole before deserializing).
            let whole = response
                .body()
                .bytes()
                .is_some_and(|body| body.trim_ascii_end().ends_with(self.closing_tag.as_bytes()));
            self.seen().cut = !whole;
        }
        Ok(())
    }
}

/// The answer's credentials, checked (see `answer`): nothing unchecked leaves this module.
pub(super) fn credentials(
    answer: Option<&aws_sdk_sts::types::Credentials>,
    facts: &ResponseFacts,
    profile: &str,
    action: &'static str,
) -> Result<Credentials, StsError> {
    let server_date = facts.date();
    let answer = match answer {
        Some(c) => StsAnswer {
            access_key_id: c.access_key_id(),
            secret_access_key: c.secret_access_key(),
            session_token: c.session_token(),
            expiration: expiration(c.expiration()),
            server_date,
            cut: facts.cut(),
        },
        None => StsAnswer {
            access_key_id: "",
            secret_access_key: "",
            session_token: "",
            expiration: None,
            server_date,
            cut: facts.cut(),
        },
    };
    Credentials::from_sts(&answer, OffsetDateTime::now_utc(), profile, action)
}

/// The SDK reads a missing (or cut) Expiration as the epoch: None then.
fn expiration(at: &aws_smithy_types::DateTime) -> Option<OffsetDateTime> {
    if at.secs() == 0 {
        return None;
    }
    let whole = OffsetDateTime::from_unix_timestamp(at.secs()).ok()?;
    Some(whole + time::Duration::nanoseconds(at.subsec_nanos().into()))
}
