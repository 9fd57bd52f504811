//! The login loop: fetch a page, classify it, act (fill and post a form, follow a refresh, wait for a
//! push approval), until a page carries the SAMLResponse — or a bounded number of steps has passed.

mod poll;
mod steps;

use super::classify::{self, Choice, PageKind, Progress};
use super::duo;
use super::fill::{Asked, CodeAsk};
use super::form::Click;
use super::http::{Fetched, IdpSession};
use super::page::Page;
use super::provider::{Provider, Providers};
use super::push::{DEFAULT_PUSH_SECONDS, PushWait};
use super::urls::without_query;
use super::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use std::time::Duration;
use steps::{Action, choose, confirm, fill_sign_in_form, push, send_code};
use tracing::{debug, info};

/// Pages fetched before the sign-in is declared stuck (push polls are not counted).
pub const MAX_STEPS: usize = 16;

/// What the engine keeps between pages.
struct SignInState<'a> {
    asked: Asked<'a>,
    progress: Progress,
    /// The push approval waited for.
    push: Option<PushWait>,
    /// (host, provider) of the last page a provider recognised by its own rules: that host's next
    /// pages are read with the same file when nothing else recognises them.
    sticky: Option<(String, String)>,
    /// `saml_mfa_factor`: the way to verify to pick where a page offers several.
    factor: Option<String>,
    /// The push page's poll, re-posted while its answers say nothing else (a JSON status).
    last_poll: Option<super::form::Submission>,
}

/// Signs in through `session` and returns the assertion.
pub async fn run(
    session: &IdpSession,
    req: &LoginRequest,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    let providers = Providers::load(req.user_providers.as_deref())?;
    let named = req
        .provider
        .as_deref()
        .map(|n| providers.named(n))
        .transpose()?;
    let mut state = SignInState {
        asked: Asked::new(answers),
        progress: Progress::default(),
        push: None,
        sticky: None,
        factor: req.mfa_factor.clone(),
        last_poll: None,
    };
    let mut fetched = session.get(IdpSession::start_url(&req.url)?).await?;
    let mut pages = 1;
    let mut posted = Posted::default();
    loop {
        if duo::is_prompt(&fetched) {
            // Duo's prompt is a protocol of its own; its exit lands on the IdP's next page.
            let wanted = duo::Wanted {
                factor: state.factor.as_deref(),
                device: req.duo_device.as_deref(),
            };
            fetched = duo::sign_in(session, &fetched, wanted, state.asked.answers).await?;
            pages += 1;
            continue;
        }
        match next_action(&fetched, &providers, named, &mut state)? {
            Action::Done(assertion) => return Ok(assertion),
            Action::Poll(sub, pause) => {
                // Bounded by the push step's own timeout, not by the page count.
                tokio::time::sleep(pause).await;
                fetched = poll(session, &sub, state.push).await?;
                continue;
            }
            Action::Send(_) | Action::Follow(_) if pages >= MAX_STEPS => {
                return Err(stuck(&fetched));
            }
            Action::Send(sub) => {
                if posted.again(&fetched, &sub) {
                    return Err(stuck_on_same_page(&fetched));
                }
                fetched = session.send(&sub).await?
            }
            Action::Follow(url) => fetched = session.get(url).await?,
        }
        pages += 1;
    }
}

/// One re-post of a push page, allowed to wait for what is left of the approval time: an IdP may
/// hold the request until the phone answers (Azure MFA Server).
async fn poll(
    session: &IdpSession,
    sub: &super::form::Submission,
    push: Option<PushWait>,
) -> Result<Fetched, IdpError> {
    let wait =
        push.unwrap_or_else(|| PushWait::since_now(Duration::from_secs(DEFAULT_PUSH_SECONDS)));
    let left = wait.left().max(Duration::from_secs(1));
    match session.send_within(sub, left).await {
        Err(IdpError::Network { host, .. }) if wait.is_over() => Err(wait.expired(&host)),
        other => other,
    }
}

/// How often each page was posted with the same fields: a page that comes back the same after
/// being posted twice the same way is stuck (issue 22), whatever the step count.
#[derive(Default)]
struct Posted(std::collections::HashMap<(u64, u64), usize>);

impl Posted {
    /// Notes that `sub` is posted from `page`; true when it already was, twice.
    fn again(&mut self, page: &Fetched, sub: &super::form::Submission) -> bool {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut p = DefaultHasher::new();
        (page.url.as_str(), page.status, &page.body).hash(&mut p);
        let mut s = DefaultHasher::new();
        (
            sub.method == super::form::Method::Get,
            sub.url.as_str(),
            &sub.pairs,
        )
            .hash(&mut s);
        let count = self.0.entry((p.finish(), s.finish())).or_default();
        *count += 1;
        *count > 2
    }
}

fn stuck_on_same_page(fetched: &Fetched) -> IdpError {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: "the IdP answered the same page each time samlbridge posted it with the same                fields, so the sign-in is stuck there; run with -vv to see the page, or sign in                once in a browser to get past it"
            .to_string(),
    }
}

fn stuck(fetched: &Fetched) -> IdpError {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: format!(
            "the sign-in did not finish after {MAX_STEPS} steps (the IdP keeps sending new pages); \
             run with -vv to see them"
        ),
    }
}

/// Reads one page and decides what to do; the parsed page does not outlive this call.
fn next_action(
    fetched: &Fetched,
    providers: &Providers,
    named: Option<&Provider>,
    state: &mut SignInState<'_>,
) -> Result<Action, IdpError> {
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    let provider = classify::provider_for(&page, providers, named, &mut state.sticky)?;
    if provider.browser {
        return Err(IdpError::NeedsBrowser {
            host: page.host(),
            provider: provider.name.clone(),
        });
    }
    let forms = page.forms();
    let kind = classify::classify(&page, &forms, provider, &state.progress);
    debug!(
        "page {} (HTTP {}, '{}'): {} [provider {}]",
        without_query(&page.url),
        page.status,
        page.title(),
        kind.name(),
        provider.name
    );
    let host = page.host();
    if let PageKind::Unknown(_) = &kind
        && let Some(action) = poll::while_waiting(&fetched.body, provider, state, &host)
    {
        return action;
    }
    let unexpected = |hint: String| IdpError::UnexpectedPage {
        host: host.clone(),
        url: without_query(&page.url),
        title: page.title(),
        hint,
    };
    match kind {
        PageKind::Assertion(assertion) => {
            info!("{host} sent the SAMLResponse");
            Ok(Action::Done(assertion))
        }
        PageKind::Rejected(message) => Err(IdpError::Rejected {
            host: host.clone(),
            message,
        }),
        PageKind::Mfa {
            form,
            field,
            label,
            next,
            on_login_form,
            methods,
        } => {
            let ask = CodeAsk {
                field: &field,
                label: &label,
                next,
                on_login_form,
                methods: methods.as_ref(),
            };
            send_code(state, provider, &forms[form], ask, &host)
        }
        PageKind::Push { form, number } => match form.and_then(|f| forms.get(f)) {
            Some(form) => push(state, provider, form, number, &host),
            None => Err(unexpected(
                "it waits for an approval whose page only a browser follows; sign in with \
                 --browser"
                    .to_string(),
            )),
        },
        PageKind::Confirm { form, rule } => confirm(state, provider, &forms[form], rule, &host),
        PageKind::Choose {
            form,
            rule,
            field,
            choices,
        } => form
            .and_then(|form| forms.get(form))
            .and_then(|form| choose(state, provider, form, (rule, &field), &choices, &host))
            .ok_or_else(|| {
                let offered: Vec<String> = choices.iter().map(Choice::shown_label).collect();
                unexpected(format!(
                    "it offers ways to verify that samlbridge cannot use without a browser ({}); \
                     set saml_mfa_factor to one of them, or sign in with a browser",
                    offered.join(", ")
                ))
            }),
        PageKind::Login {
            form,
            username,
            password,
        } => fill_sign_in_form(
            state,
            provider,
            &forms[form],
            (username.as_deref(), password.as_deref()),
            &host,
        ),
        PageKind::AutoPost { form, press } => {
            let click = if press { Click::Default } else { Click::Script };
            let sub = forms[form].submission(&[], click);
            debug!(
                "posting the page's own form to {} (fields: {})",
                without_query(&sub.url),
                sub.names().join(", ")
            );
            Ok(Action::Send(sub))
        }
        PageKind::Notice { form, set, message } => {
            state.asked.answers.notice(&format!("{host}: {message}"));
            let fills: Vec<(&str, &str)> =
                set.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let sub = forms[form].submission(&fills, Click::Script);
            debug!("fields sent: {}", sub.names().join(", "));
            Ok(Action::Send(sub))
        }
        PageKind::Refresh(url) | PageKind::ScriptLink(url) => {
            debug!("following the page to {}", without_query(&url));
            Ok(Action::Follow(url))
        }
        PageKind::Unsupported(message) => Err(unexpected(message)),
        PageKind::Unknown(reason) => Err(unexpected(format!(
            "{reason}; run with -vv to see each step, or name the IdP's provider with \
             --provider or saml_provider (one of: {})",
            providers.idp_names().join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests;
