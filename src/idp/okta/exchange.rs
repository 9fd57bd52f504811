//! From Okta's session token to the SAMLResponse: the token is swapped for Okta's session cookie
//! (`/login/sessionCookieRedirect`), which redirects to the AWS app link, whose page holds the form
//! a browser would post to AWS. The page is read by the engine's own page and form model.

use super::api::OktaApi;
use crate::idp::IdpError;
use crate::idp::classify::{self, PageKind, Progress};
use crate::idp::form::{Click, Submission};
use crate::idp::http::IdpSession;
use crate::idp::page::Page;
use crate::idp::provider::Provider;
use crate::idp::urls::without_query;
use crate::saml::SamlAssertion;
use crate::secret::Secret;
use tracing::{debug, info};
use url::Url;

/// Pages between the cookie swap and the SAMLResponse (a script-posted hop or a refresh at most).
const MAX_HOPS: usize = 4;

enum Hop {
    Send(Submission),
    Follow(Url),
}

/// Opens `app` with the session `token` proves, and reads the SAMLResponse off its page.
pub async fn saml_assertion(
    api: &OktaApi<'_>,
    session: &IdpSession,
    app: &Url,
    token: Secret,
) -> Result<SamlAssertion, IdpError> {
    let mut url = api.url("/login/sessionCookieRedirect")?;
    url.query_pairs_mut()
        .append_pair("checkAccountSetupComplete", "true")
        .append_pair("token", token.expose())
        .append_pair("redirectUrl", app.as_str());
    drop(token);
    info!("{}: opening the AWS app with the new session", api.host);
    let fetched = session.get(url).await?;
    read_app_page(api, session, fetched).await
}

/// With a saved Okta session (its `sid` cookie) the app link answers with the SAMLResponse at once;
/// signed out, Okta sends the browser to its sign-in page. None then: sign in with the password.
pub async fn with_saved_session(
    api: &OktaApi<'_>,
    session: &IdpSession,
    app: &Url,
) -> Result<Option<SamlAssertion>, IdpError> {
    if !session.has_cookies() {
        return Ok(None);
    }
    let fetched = session.get(app.clone()).await?;
    match read_app_page(api, session, fetched).await {
        Ok(assertion) => Ok(Some(assertion)),
        Err(IdpError::UnexpectedPage { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Follows the app's page (a script-posted hop or a refresh at most) to the SAMLResponse.
pub async fn read_app_page(
    api: &OktaApi<'_>,
    session: &IdpSession,
    mut fetched: crate::idp::http::Fetched,
) -> Result<SamlAssertion, IdpError> {
    for _ in 0..MAX_HOPS {
        // The parsed page is not Send: it ends before the next request.
        let hop = {
            let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
            let forms = page.forms();
            let kind =
                classify::classify(&page, &forms, &Provider::default(), &Progress::default());
            debug!(
                "page {} (HTTP {}, '{}'): {}",
                without_query(&page.url),
                page.status,
                page.title(),
                kind.name()
            );
            match kind {
                PageKind::Assertion(assertion) => {
                    info!("{} sent the SAMLResponse", api.host);
                    return Ok(assertion);
                }
                PageKind::AutoPost { form, press } => {
                    let click = if press { Click::Default } else { Click::Script };
                    Hop::Send(forms[form].submission(&[], click))
                }
                PageKind::Refresh(next) => Hop::Follow(next),
                _ => return Err(no_assertion(&page)),
            }
        };
        fetched = match hop {
            Hop::Send(sub) => session.send(&sub).await?,
            Hop::Follow(next) => session.get(next).await?,
        };
    }
    let page = Page::parse(fetched.url.clone(), fetched.status, &fetched.body);
    Err(no_assertion(&page))
}

/// The app's page did not carry the assertion: most often saml_url is not the AWS app's link, or
/// the app asks for another sign-on step that only a browser can give.
fn no_assertion(page: &Page) -> IdpError {
    let status = if page.is_error_status() {
        format!(" (HTTP {})", page.status)
    } else {
        String::new()
    };
    IdpError::UnexpectedPage {
        host: page.host(),
        url: without_query(&page.url),
        title: page.title(),
        hint: format!(
            "Okta signed in but the app page{status} holds no SAMLResponse; set saml_url to the \
             AWS app's embed link (https://ORG.okta.com/home/amazon_aws/APP_ID/272), and check \
             that the app does not ask for another sign-on step"
        ),
    }
}
