//! Signing in with a window: the person completes whatever the IdP asks, bounded by
//! `--browser-timeout`; samlbridge only types the known username when the sign-in form asks for it,
//! and takes the assertion when the page posts it.

use super::act;
use super::session::Session;
use super::watch::Watch;
use crate::idp::classify::{self, PageKind, Progress};
use crate::idp::page::Page;
use crate::idp::provider::Providers;
use crate::idp::{IdpError, LoginRequest};
use crate::saml::SamlAssertion;
use std::time::{Duration, Instant};
use tracing::info;

/// Waits for the person to complete the sign-in in the window; the known username is typed into
/// the sign-in form when it shows.
pub async fn window(
    session: &mut Session,
    watch: &mut Watch<'_>,
    req: &LoginRequest,
) -> Result<SamlAssertion, IdpError> {
    let providers = Providers::load(req.user_providers.as_deref())?;
    let deadline = Instant::now() + watch.timeout;
    tell!(
        "Complete the sign-in to {} in the browser window (samlbridge waits up to {} s).",
        watch.host,
        watch.timeout.as_secs()
    );
    let mut typed = watch.username.is_none();
    loop {
        if let Some(assertion) = session.taken_within(Duration::from_millis(250)).await {
            info!("{} sent the SAMLResponse", watch.host);
            return Ok(assertion);
        }
        if let Some(gone) = watch.gone() {
            return Err(gone);
        }
        if Instant::now() >= deadline {
            return Err(IdpError::Browser {
                host: watch.host.clone(),
                message: format!(
                    "the sign-in was not completed in the window within {} s; run it again, or \
                     give more time with --browser-timeout",
                    watch.timeout.as_secs()
                ),
                person: true,
            });
        }
        if !typed {
            typed = type_username(session, watch, &providers, req).await;
        }
    }
}

/// Types the known username into a sign-in form that asks for it; true once typed.
async fn type_username(
    session: &Session,
    watch: &Watch<'_>,
    providers: &Providers,
    req: &LoginRequest,
) -> bool {
    let (Some(user), Some(snap)) = (watch.username.as_deref(), session.snapshot().await) else {
        return false;
    };
    let Ok(url) = url::Url::parse(&snap.url) else {
        return false;
    };
    let Some((form, field, empty)) = username_field(url, &snap.html, providers, req) else {
        return false;
    };
    if !empty {
        return true;
    }
    let gathered = snap.html.contains("data-samlbridge-gathered");
    act::type_username(session, form, &field, gathered, user).await;
    true
}

/// The sign-in form's username field on this page, and whether it is still empty.
fn username_field(
    url: url::Url,
    html: &str,
    providers: &Providers,
    req: &LoginRequest,
) -> Option<(usize, String, bool)> {
    let page = Page::parse(url, 200, html);
    let provider = match req.provider.as_deref() {
        Some(name) if !name.trim().eq_ignore_ascii_case(crate::idp::okta::NAME) => {
            providers.named(name).ok()
        }
        _ => classify::detect(providers, &page, None).ok(),
    }?;
    let forms = page.forms();
    let PageKind::Login {
        form,
        username: Some(field),
        ..
    } = classify::classify(&page, &forms, provider, &Progress::default())
    else {
        return None;
    };
    let empty = forms
        .get(form)
        .and_then(|f| f.field(&field))
        .is_none_or(|f| f.value.is_empty());
    Some((form, field, empty))
}
