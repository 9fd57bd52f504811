//! A hostile or broken STS (issue 7): successful answers spoiled on their way out — cut inside
//! `<Credentials>`, an element left out, an Expiration already past — and a clock of its own, which
//! shows in its `Date` header and in the Expirations it hands out.

use std::time::Duration;
use time::OffsetDateTime;

/// What happens to a successful answer's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spoil {
    #[default]
    Nothing,
    /// The body stops inside `<Credentials>`, right after this element's text began (HTTP 200, a
    /// Content-Length that matches what is sent: the proxy cut it, not the connection).
    CutAfter(&'static str),
    /// The body stops just before `</Credentials>`: every element is there, the document is not.
    CutBeforeCredentialsEnd,
    /// This element of `<Credentials>` left out.
    Without(&'static str),
    /// The Expiration set this long before the emulator's clock.
    ExpiredFor(Duration),
}

impl Spoil {
    pub fn apply(self, body: &str, now: OffsetDateTime) -> String {
        match self {
            Spoil::Nothing => body.to_owned(),
            Spoil::CutAfter(tag) => match body.find(&format!("<{tag}>")) {
                Some(at) => body[..(at + tag.len() + 2 + 4).min(body.len())].to_owned(),
                None => body.to_owned(),
            },
            Spoil::CutBeforeCredentialsEnd => match body.find("</Credentials>") {
                Some(at) => body[..at].to_owned(),
                None => body.to_owned(),
            },
            Spoil::Without(tag) => {
                let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
                match (body.find(&open), body.find(&close)) {
                    (Some(start), Some(end)) => {
                        format!("{}{}", &body[..start], &body[end + close.len()..])
                    }
                    _ => body.to_owned(),
                }
            }
            Spoil::ExpiredFor(ago) => {
                let (open, close) = ("<Expiration>", "</Expiration>");
                match (body.find(open), body.find(close)) {
                    (Some(start), Some(end)) => format!(
                        "{}{open}{}{}",
                        &body[..start],
                        super::xml::timestamp(now - ago),
                        &body[end..]
                    ),
                    _ => body.to_owned(),
                }
            }
        }
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`: an HTTP Date.
pub fn http_date(at: OffsetDateTime) -> String {
    use aws_smithy_types::date_time::{DateTime, Format};
    match DateTime::from_secs(at.unix_timestamp()).fmt(Format::HttpDate) {
        Ok(text) => text,
        Err(e) => panic!("{at} as an HTTP date: {e}"),
    }
}
