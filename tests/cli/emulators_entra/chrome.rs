//! A headless Chromium driven by DevTools steps for the Entra emulator's self-test: its own profile
//! directory, the POSTs to AWS taken instead of sent, and small waits on the page's DOM.

use super::WAIT;
use crate::browser_signin::{chromium, processes_under};
use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::fetch::{
    EnableParams, EventRequestPaused, FulfillRequestParams, RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use samlbridge_emulators::saml;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A headless Chromium on its own profile directory, with the POSTs to AWS taken (and answered by
/// a small page) instead of sent.
pub struct Chrome {
    browser: Browser,
    pub page: Page,
    posted: Arc<Mutex<Vec<String>>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Notes in every document whether its script asked for a WebAuthn credential.
const NOTE_WEBAUTHN: &str = "(() => { const c = navigator.credentials; if (!c) return; const get = c.get.bind(c); \
    c.get = (o) => { window.__webauthn = !!(o && o.publicKey); return get(o); }; })();";

impl Chrome {
    pub async fn launch(profile: &Path) -> Chrome {
        let Some(executable) = chromium() else {
            panic!("no Chromium")
        };
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .user_data_dir(profile)
            .new_headless_mode()
            .no_sandbox()
            .launch_timeout(Duration::from_secs(60))
            .request_timeout(Duration::from_secs(30))
            .build()
            .expect("a browser configuration");
        let (browser, mut handler) = Browser::launch(config).await.expect("Chromium starts");
        let driver = tokio::spawn(async move { while handler.next().await.is_some() {} });
        let page = browser.new_page("about:blank").await.expect("a page");
        page.execute(AddScriptToEvaluateOnNewDocumentParams::new(NOTE_WEBAUTHN))
            .await
            .expect("the WebAuthn note");
        let mut chrome = Chrome {
            browser,
            page,
            posted: Arc::default(),
            tasks: vec![driver],
        };
        chrome.take_aws_posts().await;
        chrome
    }

    pub async fn take_aws_posts(&mut self) {
        let mut paused = self
            .page
            .event_listener::<EventRequestPaused>()
            .await
            .expect("request events");
        let pattern = RequestPattern::builder()
            .url_pattern("https://signin.aws.amazon.com/*")
            .request_stage(RequestStage::Request)
            .build();
        self.page
            .execute(EnableParams::builder().patterns(vec![pattern]).build())
            .await
            .expect("Fetch.enable");
        let (page, posted) = (self.page.clone(), self.posted.clone());
        self.tasks.push(tokio::spawn(async move {
            while let Some(event) = paused.next().await {
                let body: Vec<u8> = event
                    .request
                    .post_data_entries
                    .iter()
                    .flatten()
                    .filter_map(|e| e.bytes.as_ref())
                    .filter_map(|b| {
                        base64::engine::general_purpose::STANDARD
                            .decode(AsRef::<str>::as_ref(b))
                            .ok()
                    })
                    .flatten()
                    .collect();
                let saml = url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == "SAMLResponse")
                    .map(|(_, v)| v.into_owned());
                posted.lock().unwrap().push(saml.unwrap_or_default());
                let page_body = base64::engine::general_purpose::STANDARD.encode(
                    "<html><head><title>AWS (taken)</title></head><body>taken</body></html>",
                );
                let fulfil = FulfillRequestParams::builder()
                    .request_id(event.request_id.clone())
                    .response_code(200)
                    .body(page_body)
                    .build()
                    .expect("a fulfil");
                let _ = page.execute(fulfil).await;
            }
        }));
    }

    pub async fn open(&self, url: &str) {
        self.page.goto(url).await.expect("the page opens");
    }

    /// The value of a JavaScript expression in the page (null when it throws).
    pub async fn eval(&self, expression: &str) -> serde_json::Value {
        let wrapped = format!(
            "(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()"
        );
        match self.page.evaluate(wrapped).await {
            Ok(result) => result.value().cloned().unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Waits until the expression is true; false after [`WAIT`].
    pub async fn until(&self, expression: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < WAIT {
            if self.eval(expression).await == serde_json::Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Waits for an element, then fails the test with the page's words if it never comes.
    pub async fn expect(&self, selector: &str) {
        let found = self
            .until(&format!("!!document.querySelector({selector:?})"))
            .await;
        assert!(found, "no {selector} on the page: {}", self.text().await);
    }

    pub async fn text(&self) -> String {
        let text = self
            .eval("document.title + ' | ' + document.body.innerText")
            .await;
        text.as_str().unwrap_or_default().to_string()
    }

    /// Types into the element once it is there (a page may still be replacing the last one).
    pub async fn fill(&self, selector: &str, value: &str) {
        let js = format!(
            "(e => {{ e.value = {value:?}; return true; }})(document.querySelector({selector:?}))"
        );
        let done = self.until(&js).await;
        assert!(done, "no {selector} to type into: {}", self.text().await);
    }

    pub async fn click(&self, selector: &str) {
        let js = format!("(document.querySelector({selector:?}).click(), true)");
        let done = self.until(&js).await;
        assert!(done, "no {selector} to click: {}", self.text().await);
    }

    /// The text of an element once it is not empty.
    pub async fn words_of(&self, selector: &str) -> String {
        let js = format!("(document.querySelector({selector:?}) || {{}}).textContent || ''");
        self.until(&format!("({js}).length > 0")).await;
        self.eval(&js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The SAMLResponse the page posted to AWS, decoded.
    pub async fn taken(&self) -> saml::ParsedResponse {
        let started = Instant::now();
        while started.elapsed() < WAIT {
            if let Some(b64) = self.posted.lock().unwrap().first().cloned() {
                let xml = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64");
                return saml::parse_response(&String::from_utf8_lossy(&xml)).expect("a Response");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no SAMLResponse was posted to AWS; the page says: {}",
            self.text().await
        )
    }

    pub async fn posts(&self) -> usize {
        self.posted.lock().unwrap().len()
    }

    /// Username, Next, password, Sign in.
    pub async fn password_sign_in(&self, username: &str, password: &str) {
        self.fill("input[name=loginfmt]", username).await;
        self.click("#idSIButton9").await;
        self.fill("input[name=passwd]", password).await;
        self.click("#idSIButton9").await;
    }

    /// Closes the browser as a person would (its cookies saved), and checks nothing of it is left.
    pub async fn close(mut self, profile: &Path) {
        let _ = self.browser.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.browser.wait()).await;
        for task in &self.tasks {
            task.abort();
        }
        let started = Instant::now();
        while !processes_under(profile).is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "browser processes left: {:?}",
                processes_under(profile)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub fn profile() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}
