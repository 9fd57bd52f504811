//! The DevTools session with the launched browser: one page, the Fetch domain pausing the POSTs to
//! AWS (see `capture`), the page's DOM read after its scripts ran, scripts run in it, and the
//! cookies read and set.

use super::capture::{self, Paused};
use super::store::SavedCookie;
use crate::idp::IdpError;
use crate::saml::SamlAssertion;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FulfillRequestParams, HeaderEntry,
    RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{
    Cookie, CookieParam, CookieSameSite, TimeSinceEpoch,
};
use chromiumoxide::cdp::browser_protocol::page::{
    AddScriptToEvaluateOnNewDocumentParams, DialogType, EventJavascriptDialogOpening,
    HandleJavaScriptDialogParams, NavigateParams,
};
use chromiumoxide::error::CdpError;
use chromiumoxide::handler::HandlerConfig;
use chromiumoxide::{Browser, Page};
use futures::StreamExt;
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, info};

/// How long one DevTools command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// How long opening a page is waited for before it is read as it comes.
const NAVIGATE_WAIT: Duration = Duration::from_secs(8);

/// Notes in every document what the DOM does not show (see watch.js), read back by `snapshot`.
const PAGE_WATCH: &str = include_str!("watch.js");

/// The page as it is now, after its scripts ran.
#[derive(Deserialize, Default, Clone)]
pub struct Snapshot {
    pub url: String,
    pub html: String,
    /// What a person reads (document.body.innerText).
    pub text: String,
    pub ready: String,
    /// The page called navigator.credentials.get/create with publicKey.
    pub webauthn: bool,
    /// Tells one document from the next, even with the same URL and HTML.
    #[serde(default)]
    pub doc: String,
    /// Requests the page's scripts have in flight.
    #[serde(default)]
    pub busy: u32,
    /// The page started to leave (a form posted, a link followed).
    #[serde(default)]
    pub leaving: bool,
}

impl Snapshot {
    /// What changes when the page changes; digits count as one, so that a ticking clock or
    /// countdown on a page does not keep it from ever being still.
    pub fn key(&self) -> String {
        let html: String = self
            .html
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
        format!("{}\u{0}{}\u{0}{html}", self.doc, self.url)
    }
}

pub struct Session {
    browser: Browser,
    pub page: Page,
    taken: mpsc::UnboundedReceiver<SamlAssertion>,
    /// What the page's alert() boxes said, once headless driving answers them.
    dialogs: Option<mpsc::UnboundedReceiver<String>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Session {
    /// Connects to the browser at `ws_url`, opens the page and starts pausing the POSTs to AWS.
    pub async fn open(
        ws_url: &str,
        idp_on_loopback: bool,
        host: &str,
    ) -> Result<Session, IdpError> {
        let config = HandlerConfig {
            // Certificate errors stay errors: the browser must check the IdP as it would for a person.
            ignore_https_errors: false,
            viewport: None,
            request_timeout: COMMAND_TIMEOUT,
            ..HandlerConfig::default()
        };
        let (browser, mut handler) = Browser::connect_with_config(ws_url, config)
            .await
            .map_err(|e| cdp_failed(host, "connect to the browser", &e))?;
        let driver = tokio::spawn(async move { while handler.next().await.is_some() {} });
        let page = browser
            .new_page("about:blank")
            .await
            .map_err(|e| cdp_failed(host, "open a page", &e))?;
        let (tx, taken) = mpsc::unbounded_channel();
        close_other_tabs(&browser, &page).await;
        let mut session = Session {
            browser,
            page,
            taken,
            dialogs: None,
            tasks: vec![driver],
        };
        session.watch_aws_posts(idp_on_loopback, tx, host).await?;
        session
            .page
            .execute(AddScriptToEvaluateOnNewDocumentParams::new(PAGE_WATCH))
            .await
            .map_err(|e| cdp_failed(host, "prepare the page", &e))?;
        Ok(session)
    }

    async fn watch_aws_posts(
        &mut self,
        idp_on_loopback: bool,
        tx: mpsc::UnboundedSender<SamlAssertion>,
        host: &str,
    ) -> Result<(), IdpError> {
        let mut paused = self
            .page
            .event_listener::<EventRequestPaused>()
            .await
            .map_err(|e| cdp_failed(host, "watch the page's requests", &e))?;
        let patterns = capture::patterns(idp_on_loopback).into_iter().map(|p| {
            RequestPattern::builder()
                .url_pattern(p)
                .request_stage(RequestStage::Request)
                .build()
        });
        self.page
            .execute(EnableParams::builder().patterns(patterns).build())
            .await
            .map_err(|e| cdp_failed(host, "watch the page's requests", &e))?;
        let page = self.page.clone();
        self.tasks.push(tokio::spawn(async move {
            while let Some(event) = paused.next().await {
                answer_paused(&page, &event, idp_on_loopback, &tx).await;
            }
        }));
        Ok(())
    }

    /// Headless, nobody else closes the page's alert and confirm boxes: accept each, and keep what
    /// an alert says (a script's way to say no).
    pub async fn answer_dialogs(&mut self) {
        let Ok(mut opening) = self
            .page
            .event_listener::<EventJavascriptDialogOpening>()
            .await
        else {
            return;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        self.dialogs = Some(rx);
        let page = self.page.clone();
        self.tasks.push(tokio::spawn(async move {
            while let Some(dialog) = opening.next().await {
                if dialog.r#type == DialogType::Alert {
                    let _ = tx.send(dialog.message.clone());
                }
                let _ = page.execute(HandleJavaScriptDialogParams::new(true)).await;
            }
        }));
    }

    /// The last thing an alert box said since the previous call.
    pub fn last_alert(&mut self) -> Option<String> {
        let rx = self.dialogs.as_mut()?;
        let mut last = None;
        while let Ok(message) = rx.try_recv() {
            last = Some(message);
        }
        last
    }

    /// Waits up to `pause` for the assertion.
    pub async fn taken_within(&mut self, pause: Duration) -> Option<SamlAssertion> {
        tokio::time::timeout(pause, self.taken.recv())
            .await
            .ok()
            .flatten()
    }

    /// Opens `url`; a page the browser could not load at all is a network error.
    pub async fn navigate(&self, url: &str, host: &str) -> Result<(), IdpError> {
        // The DevTools client answers a navigation once it saw the page load; a page that changes
        // its address by script while loading (history.replaceState) can keep it from noticing.
        // The page is read as it is after a while either way: the driver waits for it to settle.
        let done =
            match tokio::time::timeout(NAVIGATE_WAIT, self.page.execute(NavigateParams::new(url)))
                .await
            {
                Err(_) | Ok(Err(CdpError::Timeout)) => {
                    debug!("the browser is still loading the page; reading it as it comes");
                    return Ok(());
                }
                Ok(done) => done.map_err(|e| cdp_failed(host, "open the sign-in page", &e))?,
            };
        match &done.result.error_text {
            Some(error) if !error.is_empty() && error != "net::ERR_ABORTED" => {
                Err(IdpError::Network {
                    host: host.to_string(),
                    reason: load_failed(error),
                })
            }
            _ => Ok(()),
        }
    }

    /// The page now; None while it is between documents.
    pub async fn snapshot(&self) -> Option<Snapshot> {
        let script = concat!(include_str!("deep.js"), include_str!("snapshot.js"));
        let value = tokio::time::timeout(COMMAND_TIMEOUT, self.page.evaluate(script))
            .await
            .ok()?
            .ok()?;
        let json: String = value.into_value().ok()?;
        serde_json::from_str(&json).ok()
    }

    /// Runs `script` (an expression) in the page and gives its string result.
    pub async fn run(&self, script: &str) -> Option<String> {
        let value = tokio::time::timeout(COMMAND_TIMEOUT, self.page.evaluate(script))
            .await
            .ok()?
            .ok()?;
        value.into_value().ok()
    }

    /// Sets the cookies saved after the last sign-in, before the first page is opened; one at a
    /// time, so that one the browser refuses does not cost the others.
    pub async fn restore_cookies(&self, cookies: &[SavedCookie]) {
        let mut restored = 0;
        for param in cookies.iter().filter_map(to_param) {
            match self.browser.set_cookies(vec![param]).await {
                Ok(_) => restored += 1,
                Err(e) => debug!("the browser refused a saved cookie: {e}"),
            }
        }
        if restored > 0 {
            info!("restored {restored} saved cookie(s) of the last sign-in");
        }
    }

    /// Every cookie the browser holds now.
    pub async fn cookies(&self) -> Vec<SavedCookie> {
        match self.browser.get_cookies().await {
            Ok(all) => all.iter().map(from_cookie).collect(),
            Err(e) => {
                debug!("could not read the browser's cookies: {e}");
                Vec::new()
            }
        }
    }

    /// Asks the browser to close (it writes its profile), and stops the session's tasks.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.close()).await;
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Closes the tab the browser opened by itself, so that a window shows only the sign-in.
async fn close_other_tabs(browser: &Browser, ours: &Page) {
    use chromiumoxide::cdp::browser_protocol::target::{CloseTargetParams, GetTargetsParams};
    let Ok(targets) = browser.execute(GetTargetsParams::default()).await else {
        return;
    };
    for target in &targets.result.target_infos {
        if target.r#type == "page" && &target.target_id != ours.target_id() {
            let _ = browser
                .execute(CloseTargetParams::new(target.target_id.clone()))
                .await;
        }
    }
}

/// Takes, stops or lets go one paused request.
async fn answer_paused(
    page: &Page,
    event: &EventRequestPaused,
    idp_on_loopback: bool,
    tx: &mpsc::UnboundedSender<SamlAssertion>,
) {
    let request = &event.request;
    let body = request.post_data_entries.as_ref().map(|entries| {
        capture::join_entries(
            entries
                .iter()
                .filter_map(|e| e.bytes.as_ref().map(|b| b.as_ref())),
        )
    });
    let decided = capture::decide(
        &request.url,
        &request.method,
        body.as_deref(),
        idp_on_loopback,
    );
    let id = event.request_id.clone();
    let page_html = match decided {
        Paused::Continue => {
            let _ = page.execute(ContinueRequestParams::new(id)).await;
            return;
        }
        Paused::Taken(assertion) => {
            info!("the browser posted the SAMLResponse; it goes no further");
            let _ = tx.send(assertion);
            capture::TAKEN_PAGE
        }
        Paused::Stopped => {
            debug!("a POST to AWS without a SAMLResponse was stopped");
            capture::STOPPED_PAGE
        }
    };
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(page_html);
    let fulfil = FulfillRequestParams::builder()
        .request_id(id.clone())
        .response_code(200)
        .response_header(HeaderEntry::new("Content-Type", "text/html; charset=utf-8"))
        .body(body)
        .build();
    match fulfil {
        Ok(params) => {
            let _ = page.execute(params).await;
        }
        Err(_) => {
            let _ = page.execute(ContinueRequestParams::new(id)).await;
        }
    }
}

fn to_param(saved: &SavedCookie) -> Option<CookieParam> {
    let mut param = CookieParam::builder()
        .name(saved.name.clone())
        .value(saved.value.clone())
        .domain(saved.domain.clone())
        .path(saved.path.clone())
        .secure(saved.secure)
        .http_only(saved.http_only)
        .build()
        .ok()?;
    param.same_site = match saved.same_site.as_deref() {
        Some("Strict") => Some(CookieSameSite::Strict),
        Some("Lax") => Some(CookieSameSite::Lax),
        Some("None") => Some(CookieSameSite::None),
        _ => None,
    };
    param.expires = saved.expires.map(TimeSinceEpoch::new);
    Some(param)
}

fn from_cookie(cookie: &Cookie) -> SavedCookie {
    SavedCookie {
        name: cookie.name.clone(),
        value: cookie.value.clone(),
        domain: cookie.domain.clone(),
        path: cookie.path.clone(),
        secure: cookie.secure,
        http_only: cookie.http_only,
        same_site: cookie.same_site.as_ref().map(|s| s.as_ref().to_string()),
        expires: (!cookie.session && cookie.expires > 0.0).then_some(cookie.expires),
    }
}

fn cdp_failed(host: &str, what: &str, err: &dyn std::fmt::Display) -> IdpError {
    IdpError::UnexpectedPage {
        host: host.to_string(),
        url: String::new(),
        title: String::new(),
        hint: format!(
            "samlbridge could not {what} over DevTools ({}); run with -vv and try again",
            crate::shown::outside(&err.to_string())
        ),
    }
}

/// Why the browser shows its error page, from the net error its text names (`ERR_…`).
pub fn error_page_reason(text: &str) -> String {
    let code = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("ERR_") && w.len() > 4);
    match code {
        Some(code) => load_failed(&format!("net::{code}")),
        None => "the browser could not load the IdP's page".into(),
    }
}

/// Why the browser could not load a page, said for a person (`error`: Chromium's net error).
fn load_failed(error: &str) -> String {
    let error = crate::shown::outside(error);
    if error.contains("ERR_CERT") || error.contains("ERR_SSL") {
        format!(
            "the browser does not trust the IdP's certificate ({error}); if your company has its \
             own CA, set saml_ca_bundle = /path/to/company-ca.pem"
        )
    } else {
        format!("the browser could not load the sign-in page ({error})")
    }
}
