//! The browser engine: signs in through the Chromium-family browser already on the machine, driven
//! over the DevTools protocol, for IdPs whose sign-in is a JavaScript application or asks for what
//! only a browser can do. The POST of the SAMLResponse to AWS is taken in the browser and never
//! sent; the rest of the pipeline is the same as for the form engine.
//!
//! The parts: `find` (which browser), `process` (its process and its end), `session` (DevTools:
//! the page, the paused POSTs, cookies), `capture` (which POSTs are AWS's and what they carry),
//! `drive` and `act` (headless: the provider files' rules on the live DOM), `window` (the person
//! signs in),
//! `store` (the browser's profile and saved cookies per IdP host and user), `trust` (an IdP behind
//! the private CA of saml_ca_bundle).

mod act;
mod capture;
mod cdp;
mod drive;
mod dump;
mod find;
mod guard;
mod pipe;
mod process;
mod session;
mod store;
mod trust;
mod watch;
mod window;

use super::{IdpError, LoginAnswers, LoginRequest};
use crate::saml::SamlAssertion;
use crate::state::StateDir;
use process::BrowserProcess;
use session::Session;
use std::path::PathBuf;
use std::time::Duration;
use store::BrowserStore;
use tracing::{info, warn};

/// The browser a sign-in of `profile` would launch (`configured`: saml_browser_path), or why there is
/// none, said for that profile (`doctor`).
pub fn locate(profile: &str, configured: Option<&std::path::Path>) -> Result<PathBuf, String> {
    find::find(&find::ThisMachine, configured).map_err(|e| e.message(profile))
}

pub use super::browser_options::{BrowserOptions, DEFAULT_WINDOW_TIMEOUT, has_display};

/// Everything needed to start the browser.
pub struct Launch {
    pub profile: String,
    pub executable: PathBuf,
    pub profile_dir: PathBuf,
    pub headless: bool,
    pub no_sandbox: bool,
    /// A private HOME whose NSS database trusts saml_ca_bundle; None: the user's own.
    pub home: Option<PathBuf>,
}

/// Signs in through the browser and returns the assertion it tried to post to AWS.
pub async fn sign_in(
    req: &LoginRequest,
    options: &BrowserOptions,
    answers: &mut dyn LoginAnswers,
) -> Result<SamlAssertion, IdpError> {
    let start = url::Url::parse(&req.url)
        .map_err(|e| IdpError::Setup(format!("profile {}: saml_url: {e}", options.profile)))?;
    let host = start.host_str().unwrap_or("the IdP").to_string();
    guard::may_open(&start)?;
    let executable = find::find(&find::ThisMachine, options.path.as_deref())
        .map_err(|e| IdpError::Setup(e.message(&options.profile)))?;
    let user = options.username.clone().unwrap_or_default();
    let store = BrowserStore::new(&options.state);
    let _in_use = hold_profile(&store, &host, &user, options).await?;
    let profile_dir = store
        .profile_dir(&host, &user)
        .map_err(|e| IdpError::Setup(e.to_string()))?;
    let home = match req.ca_bundle.as_deref() {
        Some(bundle) => {
            let home = store
                .home_dir(&host, &user)
                .map_err(|e| IdpError::Setup(e.to_string()))?;
            trust::prepare_home(&home, bundle, &host)?;
            Some(home)
        }
        None => None,
    };
    let launch = Launch {
        profile: options.profile.clone(),
        executable,
        profile_dir,
        headless: options.headless,
        no_sandbox: process::running_as_root(),
        home,
    };
    info!(
        "starting {} ({}) for {host}",
        launch.executable.display(),
        if launch.headless {
            "headless"
        } else {
            "in a window"
        }
    );
    let (mut browser, devtools) = BrowserProcess::start(&launch).await?;
    let outcome = sign_in_while_open(
        (&mut browser, devtools),
        &launch,
        req,
        options,
        answers,
        &store,
        &host,
    )
    .await;
    if outcome.is_ok() {
        // Asked to close, the browser writes its profile; whatever is left is killed after.
        browser.finish(Duration::from_secs(3)).await;
    }
    outcome
}

/// The part of the sign-in that runs while the browser does; the caller ends the browser.
async fn sign_in_while_open(
    (browser, devtools): (&mut BrowserProcess, process::Devtools),
    launch: &Launch,
    req: &LoginRequest,
    options: &BrowserOptions,
    answers: &mut dyn LoginAnswers,
    store: &BrowserStore,
    host: &str,
) -> Result<SamlAssertion, IdpError> {
    let on_loopback = url::Url::parse(&req.url).is_ok_and(|u| capture::is_loopback(&u));
    let mut session = Session::open(devtools, on_loopback, host).await?;
    let user = options.username.clone().unwrap_or_default();
    session
        .restore_cookies(&store.load_cookies(host, &user))
        .await;
    session.navigate(&req.url, host).await?;
    let mut watch = watch::Watch {
        browser,
        host: host.to_string(),
        profile: options.profile.clone(),
        timeout: options.timeout,
        username: options.username.clone(),
    };
    let assertion = if launch.headless {
        drive::headless(&mut session, &mut watch, req, answers).await?
    } else {
        window::window(&mut session, &mut watch, req).await?
    };
    let cookies = session.cookies().await;
    if let Err(e) = store.save_cookies(host, &user, &cookies) {
        warn!("could not keep the browser's IdP session for next time: {e}");
    }
    session.close().await;
    Ok(assertion)
}

/// Waits for the browser profile of (host, user) to be free, for as long as a sign-in through it
/// may take; says so when it has to wait.
async fn hold_profile(
    store: &BrowserStore,
    host: &str,
    user: &str,
    options: &BrowserOptions,
) -> Result<crate::state::private_file::FileLock, IdpError> {
    let quick = store.hold_profile(host, user, Duration::ZERO);
    if let Ok(held) = quick {
        return Ok(held);
    }
    info!("another samlbridge is signing in to {host} through the browser; waiting for it");
    let (store, host, user) = (
        BrowserStore::new(&options.state),
        host.to_string(),
        user.to_string(),
    );
    let wait = options.timeout + Duration::from_secs(15);
    let held = tokio::task::spawn_blocking(move || store.hold_profile(&host, &user, wait)).await;
    match held {
        Ok(Ok(held)) => Ok(held),
        Ok(Err(e)) => Err(IdpError::Setup(format!("profile {}: {e}", options.profile))),
        Err(e) => Err(IdpError::Local(format!(
            "profile {}: waiting for the browser profile failed: {e}",
            options.profile
        ))),
    }
}

/// Removes the browser profiles and saved cookies kept for `host` (one user's, or every user's);
/// how many were removed.
pub fn forget(state: &StateDir, host: &str, username: Option<&str>) -> Result<usize, IdpError> {
    BrowserStore::new(state)
        .forget(host, username)
        .map_err(|e| IdpError::Setup(e.to_string()))
}

#[cfg(test)]
mod tests;
