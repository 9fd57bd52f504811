//! Duo Security's Universal Prompt, as a protocol client of its own: any IdP whose second factor is
//! Duo (AD FS's Duo adapter, Shibboleth's and SimpleSAMLphp's Duo modules, Okta or Entra with Duo
//! as external MFA) sends the browser to Duo's authorize URL, and the engine that lands on the
//! prompt hands it here. The IdP side (the page that goes to Duo, the form that comes back) is data
//! in the provider files.
//!
//! Duo serves two prompts behind the same authorize URL: the "frame" prompt (`/frame/v4/…`, keyed
//! by `sid`, [`frame`]) and the newer single-page prompt (`/prompt/<akey>/…`, keyed by `authkey`,
//! [`spa`]). Both start at the frameless page, whose `plugin_form` posts itself back; what that
//! post answers says which prompt this is. Both read into one [`prompt::PromptData`], choose with
//! one chooser, and wait for a push or call with one [`status::Waiting`]; each ends in a redirect to the
//! IdP's callback, whose page the engine carries on with.

mod frame;
mod frameless;
mod prompt;
mod spa;
mod status;

pub use prompt::Wanted;

use super::http::{Fetched, IdpSession};
use super::urls::host_of;
use super::{IdpError, LoginAnswers};
use frameless::plugin_submission;
use tracing::{debug, info};

const FRAMELESS_PATH: &str = "/frame/frameless/v4/auth";

/// Whether `fetched` is Duo's Universal Prompt: its frameless page, or the single-page prompt an
/// authorize URL may lead to directly (`/prompt/<akey>?authkey=…`), known by its address or, at
/// another address, by what the page holds (the self-posting `plugin_form` with its `tx`, the
/// single-page prompt's root element with its keys).
pub fn is_prompt(fetched: &Fetched) -> bool {
    let url = &fetched.url;
    url.path().starts_with(FRAMELESS_PATH)
        || (spa::is_prompt_path(url.path()) && url.query_pairs().any(|(k, _)| k == "authkey"))
        || spa::Spa::found(fetched)
        || (fetched.body.contains("plugin_form") && plugin_submission(fetched).is_ok())
}

/// Passes Duo's prompt (the page `fetched` is its first) with the factor `wanted` or the one Duo's
/// data makes the default; returns the IdP's page that Duo's exit leads to.
pub async fn sign_in(
    session: &IdpSession,
    fetched: &Fetched,
    wanted: Wanted<'_>,
    answers: &mut dyn LoginAnswers,
) -> Result<Fetched, IdpError> {
    info!("{}: Duo Security's Universal Prompt", host_of(&fetched.url));
    let posted;
    // What the frameless page gave (its `sid`, the plugin form's `_xsrf`), for a prompt page
    // that does not repeat them.
    let mut known: Vec<(String, String)> = Vec::new();
    let landed = if spa::Spa::found(fetched) {
        fetched
    } else {
        let sub = plugin_submission(fetched)?;
        debug!("posting Duo's plugin form ({})", sub.names().join(", "));
        known.extend(sub.pairs.iter().filter(|(k, _)| k == "_xsrf").cloned());
        known.extend(
            fetched
                .url
                .query_pairs()
                .filter(|(k, _)| k == "sid")
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        posted = session.send(&sub).await?;
        &posted
    };
    match spa::Spa::open(session, landed) {
        Some(prompt) => prompt.sign_in(wanted, answers).await,
        None => {
            frame::Frame::open(session, landed, &known)?
                .sign_in(wanted, answers)
                .await
        }
    }
}

#[cfg(test)]
mod tests;
