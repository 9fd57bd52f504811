//! Signing in to the IdP for a gateway profile: the saved IdP session is loaded first, so that the
//! password and MFA are asked only if the IdP shows its sign-in form again; the session is saved after.

use crate::answers::CliAnswers;
use crate::answers::keychain::{self, Keychain};
use crate::answers::password::{KeychainAccount, PasswordSource, Remembered};
use crate::app::context::Context;
use crate::app::error::Result;
use crate::config::{BrowserPlan, BrowserWindow, GatewayProfile, Plan, SamlAuth};
use crate::idp::{
    self, BrowserOptions, IdpError, IdpSession, LoginAnswers, LoginRequest, SignInAuth, host_of,
};
use crate::role::aliases::{self, AccountAliases};
use crate::saml::{self, SamlAssertion, SamlClaims};
use crate::state::sessions::SavedSessions;
use tracing::{debug, info, warn};

/// A successful sign-in: the assertion and what it says.
pub struct SignedIn {
    pub assertion: SamlAssertion,
    pub claims: SamlClaims,
}

pub fn login_request(ctx: &Context, gateway: &GatewayProfile) -> LoginRequest {
    LoginRequest {
        url: gateway.url.clone(),
        provider: gateway.provider.clone(),
        ca_bundle: gateway.ca_bundle.clone(),
        user_providers: ctx.user_providers_dir(),
        mfa_factor: gateway.mfa_factor.clone(),
        duo_device: gateway.duo_device.clone(),
        browser: None,
        auth: match gateway.auth {
            SamlAuth::Form => SignInAuth::Form,
            SamlAuth::Kerberos => SignInAuth::Kerberos,
            SamlAuth::Ntlm => SignInAuth::Ntlm,
        },
        principal: gateway.username.clone(),
        auth_hosts: gateway.auth_hosts.clone(),
        okta_api: gateway.okta_api,
    }
}

/// The browser engine's options when the plan signs in through a browser: a window when the plan
/// says so, or when one can be shown and a person is there; else headless.
fn browser_options(ctx: &Context, plan: &Plan, username: Option<&str>) -> Option<BrowserOptions> {
    let browser = plan.browser.as_ref()?;
    let wants_window = match browser.window {
        BrowserWindow::Always => true,
        BrowserWindow::Never => false,
        BrowserWindow::IfInteractive => ctx.prompt.is_interactive(),
    };
    let headless = !wants_window || !idp::has_display();
    if wants_window && headless {
        info!("no display (DISPLAY, WAYLAND_DISPLAY): the browser runs headless");
    }
    Some(BrowserOptions {
        profile: plan.gateway.profile.clone(),
        path: browser.path.clone(),
        headless,
        timeout: browser.timeout.unwrap_or(idp::DEFAULT_WINDOW_TIMEOUT),
        username: username.map(str::to_string),
        state: ctx.state.clone(),
        decline_stay_signed_in: plan.gateway.decline_stay_signed_in,
    })
}

/// The browser options for an IdP whose pages were found to need a browser: the plan's, else
/// headless unless a person is there to see a window.
fn detected_browser_options(
    ctx: &Context,
    plan: &Plan,
    username: Option<&str>,
) -> Option<BrowserOptions> {
    let mut plan = plan.clone();
    plan.browser.get_or_insert_with(|| BrowserPlan {
        path: plan.gateway.browser_path.clone(),
        window: BrowserWindow::IfInteractive,
        timeout: None,
    });
    browser_options(ctx, &plan, username)
}

fn answers_for<'a>(
    ctx: &'a Context,
    plan: &Plan,
    username: Option<&str>,
    keychain: Option<&'a Keychain>,
) -> CliAnswers<'a> {
    let sources = &plan.answers;
    let host = host_of(&plan.gateway.url);
    let mut answers = CliAnswers::new(
        host.clone(),
        plan.gateway.profile.clone(),
        ctx.prompt.as_ref(),
    );
    answers.username = username.map(str::to_string);
    let passwords = &mut answers.passwords;
    passwords.stdin = sources.password_stdin;
    passwords.env = sources.password_env.clone();
    passwords.remember = sources.keychain;
    if let (Some(keychain), Some(username)) = (keychain, username) {
        passwords.keychain = Some(KeychainAccount {
            keychain,
            host,
            username: username.to_string(),
        });
    }
    answers.mfa_code = sources.mfa_code.clone();
    answers.mfa_command = sources.mfa_command.clone();
    answers
}

pub async fn sign_in(ctx: &Context, plan: &Plan) -> Result<SignedIn> {
    let gateway = &plan.gateway;
    let host = host_of(&gateway.url);
    let mut request = login_request(ctx, gateway);
    // The session and the keychain item are kept per user: know the user before looking for them.
    let mut username = gateway.username.clone();
    if username.is_none() && ctx.prompt.is_interactive() {
        let mut ask = CliAnswers::new(host.clone(), gateway.profile.clone(), ctx.prompt.as_ref());
        username = Some(ask.username()?);
    }
    let keychain = plan.answers.keychain.then(|| keychain_for(ctx));
    let mut answers = answers_for(ctx, plan, username.as_deref(), keychain.as_ref());
    request.browser = browser_options(ctx, plan, username.as_deref());
    let session = IdpSession::new(&request)?;
    let saved = SavedSessions::new(&ctx.state);
    if let Some(cookies) = username.as_deref().and_then(|user| saved.load(&host, user)) {
        match session.load_cookies(&cookies) {
            Ok(()) => info!("trying the saved session at {host}"),
            Err(e) => debug!("the saved session for {host} is unusable: {e}"),
        }
    }
    info!("signing in to {host} for profile {}", gateway.profile);
    let mut signed = idp::sign_in(&session, &request, &mut answers).await;
    if let Err(IdpError::NeedsBrowser { provider, .. }) = &signed
        && request.browser.is_none()
    {
        // The IdP's pages are drawn by script (Entra): the browser engine, as `saml_provider` would.
        info!("{host} is {provider}: signing in through the browser");
        request.provider = Some(provider.clone());
        request.browser = detected_browser_options(ctx, plan, username.as_deref());
        signed = idp::sign_in(&session, &request, &mut answers).await;
    }
    let assertion =
        signed.map_err(|e| explain_keychain_rejection(e, &answers, &gateway.profile))?;
    remember_password(&answers, &host);
    // The browser keeps its own session (src/idp/browser/store.rs); the form session is unused.
    let form_user = username.as_deref().or(answers.username.as_deref());
    if let Some(user) = form_user.filter(|_| request.browser.is_none()) {
        let kept = session
            .save_cookies()
            .map_err(|e| e.to_string())
            .and_then(|cookies| saved.save(&host, user, &cookies).map_err(|e| e.to_string()));
        if let Err(e) = kept {
            warn!("could not keep the IdP session for next time: {e}");
        }
    }
    let claims = saml::parse(&assertion, &host)?;
    info!("the assertion offers {} role(s)", claims.roles.len());
    Ok(SignedIn { assertion, claims })
}

fn keychain_for(ctx: &Context) -> Keychain {
    let timeout = if ctx.prompt.is_interactive() {
        keychain::INTERACTIVE_TIMEOUT
    } else {
        keychain::DEFAULT_TIMEOUT
    };
    Keychain::system().with_timeout(timeout)
}

/// A rejected password that came from the keychain is stale there: say how to drop it.
fn explain_keychain_rejection(err: IdpError, answers: &CliAnswers, profile: &str) -> IdpError {
    match err {
        IdpError::Rejected { host, message }
            if answers.passwords.source() == Some(PasswordSource::Keychain) =>
        {
            IdpError::Rejected {
                host,
                message: format!(
                    "{message}' (the password came from the keychain; run `samlbridge forget --profile {profile}` and sign in again"
                ),
            }
        }
        other => other,
    }
}

/// After the IdP accepted it, keep the password in the keychain when asked to (`--remember-password`,
/// `saml_keychain = true`); a keychain failure is a warning, the sign-in stands.
fn remember_password(answers: &CliAnswers, host: &str) {
    match answers.passwords.remember_after_login() {
        Ok(Remembered::Stored) => tell!("Kept the password for {host} in the keychain."),
        Ok(Remembered::NothingToDo) => {}
        Err(e) => tell!(
            "warning: could not keep the password in the keychain: {}",
            crate::shown::outside(&e.to_string())
        ),
    }
}

/// Account names for the picker and `roles`: the config's `[saml-aliases]`, and when the plan says
/// so (`--aliases`, `saml_fetch_aliases = true`) those AWS's sign-in page shows; never fatal.
pub async fn account_aliases(plan: &Plan, signed_in: &SignedIn) -> AccountAliases {
    let mine: AccountAliases = plan.aliases.configured.clone().into_iter().collect();
    if !plan.aliases.fetch {
        return mine;
    }
    let fetched = aliases::fetch_from_signin(
        &signed_in.assertion,
        &signed_in.claims,
        plan.gateway.ca_bundle.as_deref(),
    )
    .await;
    mine.merge(fetched)
}
