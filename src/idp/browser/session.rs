//! The DevTools session with the launched browser: one page, the Fetch domain pausing the POSTs to
//! AWS (see `capture`), the page's DOM read after its scripts ran, scripts run in it, and the
//! cookies read and set.

use super::capture::{self, Paused};
use super::cdp::{COMMAND_TIMEOUT, Cdp, CdpError, Event};
use super::process::Devtools;
use super::store::SavedCookie;
use crate::idp::IdpError;
use crate::saml::SamlAssertion;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, info};

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
    cdp: Cdp,
    /// The DevTools session of samlbridge's own page (the one the driver reads and acts on).
    page: String,
    taken: mpsc::UnboundedReceiver<SamlAssertion>,
    /// What the page's alert() boxes said, once headless driving answers them.
    dialogs: mpsc::UnboundedReceiver<String>,
    answering: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the task reading the browser's events needs: every page, popup and frame the browser opens
/// is attached, paused until its POSTs to AWS are watched, then let go.
#[derive(Clone)]
struct Targets {
    cdp: Cdp,
    idp_on_loopback: bool,
    taken: mpsc::UnboundedSender<SamlAssertion>,
    attached: mpsc::UnboundedSender<(String, String)>,
    /// Headless: dialogs are accepted, and what samlbridge's page's alerts say is kept.
    answering: Arc<AtomicBool>,
    dialogs: mpsc::UnboundedSender<String>,
    main: Arc<OnceLock<String>>,
}

impl Session {
    /// Takes over the started browser: every target it opens (samlbridge's page, a popup, a new
    /// tab, an out-of-process frame) has its POSTs to AWS paused; then samlbridge's page is opened.
    pub async fn open(
        devtools: Devtools,
        idp_on_loopback: bool,
        host: &str,
    ) -> Result<Session, IdpError> {
        let Devtools { cdp, events } = devtools;
        let (taken_tx, taken) = mpsc::unbounded_channel();
        let (attached_tx, mut attached) = mpsc::unbounded_channel();
        let (dialogs_tx, dialogs) = mpsc::unbounded_channel();
        let targets = Targets {
            cdp: cdp.clone(),
            idp_on_loopback,
            taken: taken_tx,
            attached: attached_tx,
            answering: Arc::new(AtomicBool::new(false)),
            dialogs: dialogs_tx,
            main: Arc::new(OnceLock::new()),
        };
        let answering = targets.answering.clone();
        let main = targets.main.clone();
        let reader = tokio::spawn(read_events(events, targets));
        let mut session = Session {
            cdp: cdp.clone(),
            page: String::new(),
            taken,
            dialogs,
            answering,
            tasks: vec![reader],
        };
        let auto_attach =
            json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true});
        cdp.call(None, "Target.setAutoAttach", auto_attach)
            .await
            .map_err(|e| cdp_failed(host, "watch the browser's pages", &e))?;
        let created = cdp
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await
            .map_err(|e| cdp_failed(host, "open a page", &e))?;
        let target = created["targetId"].as_str().unwrap_or_default().to_string();
        let wait = async {
            while let Some((id, page)) = attached.recv().await {
                if id == target {
                    return Some(page);
                }
            }
            None
        };
        session.page = match tokio::time::timeout(COMMAND_TIMEOUT, wait).await {
            Ok(Some(page)) => page,
            _ => return Err(cdp_failed(host, "open a page", &CdpError::Closed)),
        };
        let _ = main.set(session.page.clone());
        close_other_tabs(&cdp, &target).await;
        Ok(session)
    }

    /// Headless, nobody else closes the page's alert and confirm boxes: accept each, and keep what
    /// an alert on samlbridge's page says (a script's way to say no).
    pub async fn answer_dialogs(&mut self) {
        self.answering.store(true, Ordering::SeqCst);
    }

    /// The last thing an alert box said since the previous call.
    pub fn last_alert(&mut self) -> Option<String> {
        let mut last = None;
        while let Ok(message) = self.dialogs.try_recv() {
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
        // The browser answers once the navigation is under way; the driver waits for the page to
        // settle either way, so a navigation that takes long is read as it comes.
        let call = self
            .cdp
            .call(Some(&self.page), "Page.navigate", json!({"url": url}));
        let done = match tokio::time::timeout(NAVIGATE_WAIT, call).await {
            Err(_) | Ok(Err(CdpError::Timeout(_))) => {
                debug!("the browser is still loading the page; reading it as it comes");
                return Ok(());
            }
            Ok(done) => done.map_err(|e| cdp_failed(host, "open the sign-in page", &e))?,
        };
        match done["errorText"].as_str() {
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
        let json = self.run(script).await?;
        serde_json::from_str(&json).ok()
    }

    /// Runs `script` (an expression) in the page and gives its string result.
    pub async fn run(&self, script: &str) -> Option<String> {
        let params = json!({"expression": script, "returnByValue": true, "awaitPromise": true});
        let done = self
            .cdp
            .call(Some(&self.page), "Runtime.evaluate", params)
            .await
            .ok()?;
        if done.get("exceptionDetails").is_some() {
            return None;
        }
        done["result"]["value"].as_str().map(str::to_string)
    }

    /// Sets the cookies saved after the last sign-in, before the first page is opened; one at a
    /// time, so that one the browser refuses does not cost the others.
    pub async fn restore_cookies(&self, cookies: &[SavedCookie]) {
        let mut restored = 0;
        for cookie in cookies {
            let params = json!({"cookies": [to_param(cookie)]});
            match self.cdp.call(None, "Storage.setCookies", params).await {
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
        match self.cdp.call(None, "Storage.getCookies", json!({})).await {
            Ok(all) => all["cookies"]
                .as_array()
                .map(|all| all.iter().filter_map(from_cookie).collect())
                .unwrap_or_default(),
            Err(e) => {
                debug!("could not read the browser's cookies: {e}");
                Vec::new()
            }
        }
    }

    /// Asks the browser to close (it writes its profile), and stops the session's tasks.
    pub async fn close(mut self) {
        let close = self.cdp.call(None, "Browser.close", json!({}));
        let _ = tokio::time::timeout(Duration::from_secs(3), close).await;
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

/// Reads the browser's events until it closes the pipe.
async fn read_events(mut events: mpsc::UnboundedReceiver<Event>, targets: Targets) {
    while let Some(event) = events.recv().await {
        // Attached to the browser (a page) or to a page (its frames and workers) alike.
        if event.method == "Target.attachedToTarget" {
            tokio::spawn(targets.clone().prepare(event.params));
            continue;
        }
        let Some(session) = event.session.clone() else {
            continue;
        };
        match event.method.as_str() {
            "Fetch.requestPaused" => {
                let targets = targets.clone();
                tokio::spawn(async move {
                    answer_paused(&targets, &session, &event.params).await;
                });
            }
            "Page.javascriptDialogOpening" => targets.dialog(&session, &event.params),
            _ => {}
        }
    }
}

impl Targets {
    /// A newly attached target: its POSTs to AWS are paused before it runs (pages and frames
    /// alike, so that a popup's or a frame's POST is taken too), then it is let go.
    async fn prepare(self, params: Value) {
        let Some(session) = params["sessionId"].as_str().map(str::to_string) else {
            return;
        };
        let target = params["targetInfo"]["targetId"]
            .as_str()
            .unwrap_or_default();
        let kind = params["targetInfo"]["type"].as_str().unwrap_or_default();
        let on = Some(session.as_str());
        debug!("the browser opened a target ({kind}); its POSTs to AWS are watched");
        if matches!(kind, "page" | "iframe") {
            let patterns: Vec<Value> = capture::patterns(self.idp_on_loopback)
                .into_iter()
                .map(|p| json!({"urlPattern": p, "requestStage": "Request"}))
                .collect();
            let steps = [
                ("Fetch.enable", json!({"patterns": patterns})),
                ("Page.enable", json!({})),
                (
                    "Page.addScriptToEvaluateOnNewDocument",
                    json!({"source": PAGE_WATCH}),
                ),
                (
                    "Target.setAutoAttach",
                    json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
                ),
            ];
            for (method, step) in steps {
                if let Err(e) = self.cdp.call(on, method, step).await {
                    debug!("{kind} target: {method}: {e}");
                }
            }
        }
        let _ = self
            .cdp
            .call(on, "Runtime.runIfWaitingForDebugger", json!({}))
            .await;
        let _ = self.attached.send((target.to_string(), session));
    }

    /// A dialog box: left to the person in a window; accepted headless, and an alert on
    /// samlbridge's own page kept as the page's words.
    fn dialog(&self, session: &str, params: &Value) {
        if !self.answering.load(Ordering::SeqCst) {
            return;
        }
        if params["type"] == "alert" && self.main.get().is_some_and(|m| m == session) {
            let said = params["message"].as_str().unwrap_or_default();
            let _ = self.dialogs.send(said.to_string());
        }
        let cdp = self.cdp.clone();
        let session = session.to_string();
        tokio::spawn(async move {
            let accept = json!({"accept": true});
            let _ = cdp
                .call(Some(&session), "Page.handleJavaScriptDialog", accept)
                .await;
        });
    }
}

/// Closes the tab the browser opened by itself, so that a window shows only the sign-in.
async fn close_other_tabs(cdp: &Cdp, ours: &str) {
    let Ok(targets) = cdp.call(None, "Target.getTargets", json!({})).await else {
        return;
    };
    let infos = targets["targetInfos"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for target in infos {
        let id = target["targetId"].as_str().unwrap_or_default();
        if target["type"] == "page" && id != ours {
            let _ = cdp
                .call(None, "Target.closeTarget", json!({"targetId": id}))
                .await;
        }
    }
}

/// Takes, stops or lets go one paused request (of the target `session`).
async fn answer_paused(targets: &Targets, session: &str, event: &Value) {
    let request = &event["request"];
    let body = match request["postDataEntries"].as_array() {
        Some(entries) => Some(capture::join_entries(
            entries.iter().filter_map(|e| e["bytes"].as_str()),
        )),
        None => request["postData"].as_str().map(|b| b.as_bytes().to_vec()),
    };
    let decided = capture::decide(
        request["url"].as_str().unwrap_or_default(),
        request["method"].as_str().unwrap_or_default(),
        body.as_deref(),
        targets.idp_on_loopback,
    );
    let id = event["requestId"].clone();
    let on = Some(session);
    let page_html = match decided {
        Paused::Continue => {
            let go_on = json!({"requestId": id});
            let _ = targets.cdp.call(on, "Fetch.continueRequest", go_on).await;
            return;
        }
        Paused::Taken(assertion) => {
            info!("the browser posted the SAMLResponse; it goes no further");
            let _ = targets.taken.send(assertion);
            capture::TAKEN_PAGE
        }
        Paused::Stopped => {
            debug!("a POST to AWS without a SAMLResponse was stopped");
            capture::STOPPED_PAGE
        }
    };
    use base64::Engine;
    let fulfil = json!({
        "requestId": id,
        "responseCode": 200,
        "responseHeaders": [{"name": "Content-Type", "value": "text/html; charset=utf-8"}],
        "body": base64::engine::general_purpose::STANDARD.encode(page_html),
    });
    let _ = targets.cdp.call(on, "Fetch.fulfillRequest", fulfil).await;
}

/// A saved cookie as the browser's Storage.setCookies takes it.
fn to_param(saved: &SavedCookie) -> Value {
    let mut param = json!({
        "name": saved.name,
        "value": saved.value,
        "domain": saved.domain,
        "path": saved.path,
        "secure": saved.secure,
        "httpOnly": saved.http_only,
    });
    if let Some(same_site @ ("Strict" | "Lax" | "None")) = saved.same_site.as_deref() {
        param["sameSite"] = Value::from(same_site);
    }
    if let Some(expires) = saved.expires {
        param["expires"] = Value::from(expires);
    }
    param
}

/// One of the browser's cookies as samlbridge saves it; None for one without a name or domain.
fn from_cookie(cookie: &Value) -> Option<SavedCookie> {
    let text = |key: &str| cookie[key].as_str().map(str::to_string);
    let flag = |key: &str| cookie[key].as_bool().unwrap_or(false);
    let expires = cookie["expires"].as_f64().unwrap_or(-1.0);
    Some(SavedCookie {
        name: text("name")?,
        value: text("value").unwrap_or_default(),
        domain: text("domain")?,
        path: text("path").unwrap_or_else(|| "/".into()),
        secure: flag("secure"),
        http_only: flag("httpOnly"),
        same_site: text("sameSite"),
        expires: (!flag("session") && expires > 0.0).then_some(expires),
    })
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
