//! What the SDK does not keep of an STS response but samlbridge must know: the `Date` header (which
//! tells a wrong local clock from a broken answer, see `answer`) and whether a 2xx body was whole.
//! The SDK fills a cut body's missing elements with defaults, so a body cut after the last element it
//! reads would pass for a complete answer: the closing root tag is what proves it was not cut.

use super::answer::parse_http_date;
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
