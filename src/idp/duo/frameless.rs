//! Duo's frameless page, where every Universal Prompt starts: its `plugin_form` of browser facts,
//! which its script posts back to the same address.

use crate::idp::IdpError;
use crate::idp::form::{Click, Submission};
use crate::idp::http::Fetched;
use crate::idp::page::Page;
use crate::idp::urls::without_query;

/// The prompt's first page's `plugin_form` (with Duo's `tx`), as its script posts it.
pub(super) fn plugin_submission(fetched: &Fetched) -> Result<Submission, IdpError> {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let forms = page.forms();
    let plugin = forms
        .iter()
        .find(|f| f.id.as_deref() == Some("plugin_form") && f.field("tx").is_some())
        .ok_or_else(|| unexpected(&page, "Duo's prompt page has no plugin_form"))?;
    Ok(plugin.submission(&[], Click::Script))
}

/// A Duo page that is not what samlbridge expects, with `hint` as the next step.
pub(super) fn unexpected(page: &Page, hint: &str) -> IdpError {
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: hint.to_string(),
    }
}
