//! The Entra emulator itself (tests/support/entra), proven without samlbridge: its JSON endpoints
//! over plain HTTP, and its pages in a real headless Chromium driven by DevTools steps (type into
//! `loginfmt`, click `idSIButton9`…), each flow ending in the SAMLResponse POST to AWS, which the
//! driver takes as samlbridge would. If it drifts from Entra's sign-in, the Entra provider's tests
//! prove nothing.

use crate::browser_signin::{chromium, have_chromium, processes_under};
use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::fetch::{
    EnableParams, EventRequestPaused, FulfillRequestParams, RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::entra::{
    AccountState, EntraConfig, EntraEmulator, EntraUser, Method, PushAnswer, SignIn, pages, totp,
};
use samlbridge_emulators::saml::{self, SamlRole};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

const ROLE: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Entra";
const TOTP_SECRET: &[u8] = b"entra-emulator-totp-secret";
const SMS_CODE: &str = "482913";
const WAIT: Duration = Duration::from_secs(20);

fn user(name: &str) -> EntraUser {
    EntraUser::new(name, "Corr3ct-horse", vec![SamlRole::new(ROLE, PROVIDER)])
}

/// Every kind of account the emulator knows.
fn tenant() -> EntraConfig {
    EntraConfig::default()
        .user(user("alice@corp.example"))
        .user(user("bob@corp.example"))
        .user(user("carol@corp.example").totp(TOTP_SECRET))
        .user(user("pat@corp.example").push(PushAnswer::ApproveAfterPolls(3)))
        .user(user("denis@corp.example").push(PushAnswer::DenyAfterPolls(2)))
        .user(user("tim@corp.example").push(PushAnswer::Never))
        .user(
            user("maya@corp.example")
                .push(PushAnswer::Manual)
                .totp(TOTP_SECRET)
                .method(Method::Sms {
                    phone: "+1 555 0100 42".into(),
                    code: SMS_CODE.into(),
                }),
        )
        .user(user("lou@corp.example").locked())
        .user(user("exa@corp.example").password_expired())
        .user(user("kim@corp.example").passkey_only())
        .user(user("reg@corp.example").state(AccountState::NeedsRegistration))
        .user(user("dev@corp.example").state(AccountState::DeviceNotCompliant))
        .push_timeout_polls(4)
        .poll_interval(Duration::from_millis(200))
}

/// A headless Chromium on its own profile directory, with the POSTs to AWS taken (and answered by
/// a small page) instead of sent.
struct Chrome {
    browser: Browser,
    page: Page,
    posted: Arc<Mutex<Vec<String>>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Notes in every document whether its script asked for a WebAuthn credential.
const NOTE_WEBAUTHN: &str = "(() => { const c = navigator.credentials; if (!c) return; const get = c.get.bind(c); \
    c.get = (o) => { window.__webauthn = !!(o && o.publicKey); return get(o); }; })();";

impl Chrome {
    async fn launch(profile: &Path) -> Chrome {
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

    async fn take_aws_posts(&mut self) {
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

    async fn open(&self, url: &str) {
        self.page.goto(url).await.expect("the page opens");
    }

    /// The value of a JavaScript expression in the page (null when it throws).
    async fn eval(&self, expression: &str) -> serde_json::Value {
        let wrapped = format!(
            "(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()"
        );
        match self.page.evaluate(wrapped).await {
            Ok(result) => result.value().cloned().unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Waits until the expression is true; false after [`WAIT`].
    async fn until(&self, expression: &str) -> bool {
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
    async fn expect(&self, selector: &str) {
        let found = self
            .until(&format!("!!document.querySelector({selector:?})"))
            .await;
        assert!(found, "no {selector} on the page: {}", self.text().await);
    }

    async fn text(&self) -> String {
        let text = self
            .eval("document.title + ' | ' + document.body.innerText")
            .await;
        text.as_str().unwrap_or_default().to_string()
    }

    /// Types into the element once it is there (a page may still be replacing the last one).
    async fn fill(&self, selector: &str, value: &str) {
        let js = format!(
            "(e => {{ e.value = {value:?}; return true; }})(document.querySelector({selector:?}))"
        );
        let done = self.until(&js).await;
        assert!(done, "no {selector} to type into: {}", self.text().await);
    }

    async fn click(&self, selector: &str) {
        let js = format!("(document.querySelector({selector:?}).click(), true)");
        let done = self.until(&js).await;
        assert!(done, "no {selector} to click: {}", self.text().await);
    }

    /// The text of an element once it is not empty.
    async fn words_of(&self, selector: &str) -> String {
        let js = format!("(document.querySelector({selector:?}) || {{}}).textContent || ''");
        self.until(&format!("({js}).length > 0")).await;
        self.eval(&js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The SAMLResponse the page posted to AWS, decoded.
    async fn taken(&self) -> saml::ParsedResponse {
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

    async fn posts(&self) -> usize {
        self.posted.lock().unwrap().len()
    }

    /// Username, Next, password, Sign in.
    async fn password_sign_in(&self, username: &str, password: &str) {
        self.fill("input[name=loginfmt]", username).await;
        self.click("#idSIButton9").await;
        self.fill("input[name=passwd]", password).await;
        self.click("#idSIButton9").await;
    }

    /// Closes the browser as a person would (its cookies saved), and checks nothing of it is left.
    async fn close(mut self, profile: &Path) {
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

fn profile() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

fn assert_aws_role(taken: &saml::ParsedResponse, username: &str) {
    assert_eq!(taken.destination.as_deref(), Some(saml::AWS_SIGNIN));
    assert_eq!(
        taken.role_pairs(),
        vec![(ROLE.to_string(), PROVIDER.to_string())]
    );
    assert_eq!(taken.first(saml::SESSION_NAME_ATTR), Some(username));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_password_then_stay_signed_in_then_silent_after_a_browser_restart() {
    if !have_chromium("entra_password_then_stay_signed_in") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    assert!(chrome.text().await.starts_with("Sign in to your account"));
    assert_eq!(
        chrome
            .eval("document.documentElement.outerHTML.includes('$Config=')")
            .await,
        true
    );
    chrome
        .password_sign_in("alice@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    assert!(chrome.text().await.contains("Stay signed in?"));
    assert!(chrome.text().await.contains("Don't show this again"));
    chrome.click("#idSIButton9").await;
    assert_aws_role(&chrome.taken().await, "alice@corp.example");
    assert!(idp.kmsi_answers()[0].stay_signed_in);
    chrome.close(dir.path()).await;

    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    assert_aws_role(&chrome.taken().await, "alice@corp.example");
    chrome.close(dir.path()).await;
    let sign_ins = idp.sign_ins();
    assert_eq!(sign_ins.len(), 2);
    assert!(!sign_ins[0].silent && sign_ins[1].silent, "{sign_ins:?}");
    assert_eq!(
        idp.password_posts(),
        1,
        "the second sign-in asked no password"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_no_on_stay_signed_in_keeps_no_session_across_a_restart() {
    if !have_chromium("entra_no_on_stay_signed_in") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("bob@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idBtn_Back").await;
    assert_aws_role(&chrome.taken().await, "bob@corp.example");
    chrome.close(dir.path()).await;

    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome.expect("input[name=loginfmt]").await;
    assert_eq!(chrome.posts().await, 0);
    chrome.close(dir.path()).await;
    assert!(!idp.kmsi_answers()[0].stay_signed_in);
    assert_eq!(idp.sign_ins().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_refusals_are_entras_words() {
    if !have_chromium("entra_refusals") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "nobody@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert_eq!(
        chrome.words_of("#usernameError").await,
        pages::UNKNOWN_ACCOUNT
    );

    chrome.open(&idp.sign_in_url()).await;
    chrome.password_sign_in("alice@corp.example", "wrong").await;
    assert_eq!(
        chrome.words_of("#passwordError").await,
        pages::WRONG_PASSWORD
    );
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50126");
    // and the password page after a refusal still signs in
    chrome.fill("input[name=passwd]", "Corr3ct-horse").await;
    chrome.click("#idSIButton9").await;
    chrome.expect("#KmsiCheckboxField").await;

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("lou@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(chrome.words_of("#passwordError").await, pages::LOCKED);
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50053");

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("exa@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#passwordError").await,
        pages::PASSWORD_EXPIRED
    );
    assert!(chrome.text().await.contains("Update your password"));
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50055");
    assert_eq!(chrome.posts().await, 0);
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_registration_and_a_device_block_are_pages_for_a_person() {
    if !have_chromium("entra_pages_for_a_person") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("reg@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idDiv_ProofUp_Description").await;
    let text = chrome.text().await;
    assert!(
        text.contains("More information required") && text.contains(pages::MORE_INFORMATION),
        "{text}"
    );
    chrome.click("#idSIButton9").await;
    assert!(
        chrome
            .until("document.body.innerText.includes('AADSTS50079')")
            .await
    );

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("dev@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_Error").await,
        pages::DEVICE_NOT_COMPLIANT
    );
    let text = chrome.text().await;
    assert!(
        text.contains("You can't get there from here") && text.contains("Error Code: 53000"),
        "{text}"
    );
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_authenticator_code_wrong_then_right() {
    if !have_chromium("entra_authenticator_code") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("carol@corp.example", "Corr3ct-horse")
        .await;
    chrome.fill("input[name=otc]", "000000").await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_eq!(
        chrome.words_of("#idSpan_SAOTCC_Error_OTC").await,
        pages::WRONG_CODE
    );
    chrome
        .fill("input[name=otc]", &totp::code_now(TOTP_SECRET))
        .await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_aws_role(&chrome.taken().await, "carol@corp.example");
    chrome.close(dir.path()).await;
    let expected = SignIn {
        username: "carol@corp.example".into(),
        silent: false,
        method: Some("PhoneAppOTP".into()),
    };
    assert_eq!(idp.sign_ins(), vec![expected]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_push_shows_the_number_and_is_approved_after_three_polls() {
    if !have_chromium("entra_push_approved") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("pat@corp.example", "Corr3ct-horse")
        .await;
    let shown = chrome.words_of("#idRichContext_DisplaySign").await;
    assert!(chrome.text().await.contains("Approve sign in request"));
    assert_eq!(shown, idp.numbers_shown()[0].to_string());
    assert_aws_role(&chrome.taken().await, "pat@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.polls("pat@corp.example"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_push_denied_or_unanswered_ends_in_words() {
    if !have_chromium("entra_push_denied") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("denis@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_SAASDS_Error").await,
        pages::PUSH_DENIED
    );
    assert!(chrome.text().await.contains("Request denied"));

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("tim@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_SAASDS_Error").await,
        pages::PUSH_TIMED_OUT
    );
    chrome.close(dir.path()).await;
    assert_eq!(idp.polls("denis@corp.example"), 2);
    assert_eq!(idp.polls("tim@corp.example"), 4);
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_sign_in_another_way_lists_the_methods_and_a_texted_code_signs_in() {
    if !have_chromium("entra_method_list") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("maya@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idRichContext_DisplaySign").await;
    chrome.click("#signInAnotherWay").await;
    chrome.expect("[data-value=OneWaySMS]").await;
    let text = chrome.text().await;
    assert!(text.contains("Verify your identity"), "{text}");
    for entry in [
        "Approve a request on my Microsoft Authenticator app",
        "Use a verification code",
        "Text +X XXXXXXX42",
    ] {
        assert!(text.contains(entry), "{entry} missing: {text}");
    }
    chrome.click("[data-value=OneWaySMS]").await;
    chrome.expect("input[name=otc]").await;
    assert!(
        chrome
            .text()
            .await
            .contains("We texted your phone +X XXXXXXX42")
    );
    chrome.fill("input[name=otc]", SMS_CODE).await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_aws_role(&chrome.taken().await, "maya@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("OneWaySMS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_a_push_the_test_approves() {
    if !have_chromium("entra_push_manual") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi().push_timeout_polls(200));
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("maya@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idRichContext_DisplaySign").await;
    assert!(
        chrome
            .until("document.body.innerText.includes('Sign in another way')")
            .await
    );
    assert!(chrome.posts().await == 0);
    idp.approve_push("maya@corp.example");
    assert_aws_role(&chrome.taken().await, "maya@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(
        idp.sign_ins()[0].method.as_deref(),
        Some("PhoneAppNotification")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_passkey_only_account_asks_the_browser_for_a_passkey() {
    if !have_chromium("entra_passkey_only") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "kim@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert!(
        chrome.until("window.__webauthn === true").await,
        "{}",
        chrome.text().await
    );
    let text = chrome.text().await;
    assert!(
        text.contains("Sign in with a passkey") && text.contains("security key"),
        "{text}"
    );
    assert_eq!(
        chrome
            .eval("!!document.querySelector('input[name=passwd]')")
            .await,
        false
    );
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

/// What a person with a passkey does in window mode, done by Chromium's virtual authenticator (a
/// passkey's relying party must be a domain name: the page is opened on `localhost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_passkey_signs_in_with_a_virtual_authenticator() {
    use chromiumoxide::Binary;
    use chromiumoxide::cdp::browser_protocol::web_authn::{
        AddCredentialParams, AddVirtualAuthenticatorParams, AuthenticatorProtocol,
        AuthenticatorTransport, Credential, EnableParams, VirtualAuthenticatorOptions,
    };
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
    if !have_chromium("entra_passkey_virtual_authenticator") {
        return;
    }
    let b64 = |bytes: &[u8]| Binary::from(base64::engine::general_purpose::STANDARD.encode(bytes));
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome
        .page
        .execute(EnableParams::default())
        .await
        .expect("WebAuthn.enable");
    let options = VirtualAuthenticatorOptions::builder()
        .protocol(AuthenticatorProtocol::Ctap2)
        .transport(AuthenticatorTransport::Internal)
        .has_resident_key(true)
        .has_user_verification(true)
        .is_user_verified(true)
        .automatic_presence_simulation(true)
        .build()
        .expect("authenticator options");
    let added = chrome
        .page
        .execute(AddVirtualAuthenticatorParams::new(options))
        .await
        .expect("a virtual authenticator");
    let key = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        &ring::rand::SystemRandom::new(),
    )
    .expect("a P-256 key");
    let credential = Credential::builder()
        .credential_id(b64(b"kim-passkey-1"))
        .is_resident_credential(true)
        .rp_id("localhost")
        .private_key(b64(key.as_ref()))
        .user_handle(b64(b"kim"))
        .sign_count(0)
        .build()
        .expect("a credential");
    chrome
        .page
        .execute(AddCredentialParams::new(
            added.result.authenticator_id.clone(),
            credential,
        ))
        .await
        .expect("the passkey");
    chrome
        .open(&idp.sign_in_url().replace("127.0.0.1", "localhost"))
        .await;
    chrome
        .fill("input[name=loginfmt]", "kim@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert_aws_role(&chrome.taken().await, "kim@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("PasskeyFido"));
    assert_eq!(idp.password_posts(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_pick_an_account_when_the_session_knows_two() {
    if !have_chromium("entra_pick_an_account") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("alice@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    chrome.taken().await;
    chrome
        .open(&format!("{}&prompt=login", idp.sign_in_url()))
        .await;
    chrome
        .password_sign_in("bob@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    assert!(chrome.until("document.title === 'AWS (taken)'").await);

    chrome.open(&idp.sign_in_url()).await;
    chrome.expect("[data-test-id='bob@corp.example']").await;
    let text = chrome.text().await;
    assert!(
        text.contains("Pick an account") && text.contains("alice@corp.example"),
        "{text}"
    );
    assert!(text.contains("Use another account"), "{text}");
    chrome.click("[data-test-id='bob@corp.example']").await;
    assert!(chrome.until("document.title === 'AWS (taken)'").await);
    chrome.close(dir.path()).await;
    let last = idp.sign_ins().pop().expect("sign-ins");
    assert_eq!(
        (last.username.as_str(), last.silent),
        ("bob@corp.example", true)
    );
    assert_eq!(idp.password_posts(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_federated_domain_goes_to_adfs_and_comes_back() {
    if !have_chromium("entra_federated_domain") {
        return;
    }
    let adfs = AdfsEmulator::start(AdfsConfig::default().federated_behind_entra().user(
        AdfsUser::new("fed@fabrikam.example", "Adfs-pa55").role(SamlRole::new(ROLE, PROVIDER)),
    ));
    let idp = EntraEmulator::start(
        tenant().user(user("fed@fabrikam.example").federated(&adfs.sign_in_url())),
    );
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "fed@fabrikam.example")
        .await;
    chrome.click("#idSIButton9").await;
    chrome.fill("#userNameInput", "fed@fabrikam.example").await;
    chrome.fill("#passwordInput", "Adfs-pa55").await;
    // the AD FS emulator's "Sign in" has no script of its own: the form is posted as a client does
    assert!(
        chrome
            .until("(document.getElementById('loginForm').submit(), true)")
            .await
    );
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    let taken = chrome.taken().await;
    assert_aws_role(&taken, "fed@fabrikam.example");
    assert!(
        taken
            .issuer
            .as_deref()
            .unwrap_or_default()
            .starts_with("https://sts.windows.net/"),
        "{:?}",
        taken.issuer
    );
    chrome.close(dir.path()).await;
    assert_eq!(adfs.issued_assertions().len(), 1);
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("Federated"));
    assert_eq!(idp.password_posts(), 0);
}

/// The JSON endpoints as a script calls them.
mod over_http {
    use super::*;
    use serde_json::{Value, json};

    /// The `$Config` object embedded in a page.
    fn config_of(html: &str) -> Value {
        let start = html.find("$Config=").expect("$Config") + "$Config=".len();
        let end = html[start..].find(";\n//]]>").expect("end of $Config") + start;
        serde_json::from_str(&html[start..end]).expect("$Config is JSON")
    }

    async fn first_page(client: &reqwest::Client, idp: &EntraEmulator) -> Value {
        let page = client.get(idp.sign_in_url()).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            !html.contains("<form") && !html.contains("loginfmt"),
            "{html}"
        );
        assert!(html.contains("<title>Sign in to your account</title>"));
        config_of(&html)
    }

    /// A cookie jar that follows redirects, as a browser does.
    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    async fn post_json(c: &reqwest::Client, url: &str, body: &Value) -> Value {
        let answer = c
            .post(url)
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        serde_json::from_str(&answer.text().await.unwrap()).expect("a JSON answer")
    }

    #[tokio::test]
    async fn entra_credential_type_knows_unknown_federated_and_passkey_accounts() {
        let idp = EntraEmulator::start(
            tenant().user(user("fed@fabrikam.example").federated("http://127.0.0.1:9/adfs/ls/")),
        );
        let c = client();
        let mut config = first_page(&c, &idp).await;
        assert_eq!(config["pgid"], "ConvergedSignIn");
        assert!(config["iMaxStackForKnockoutAsyncComponents"].is_number());
        let base = idp.server().base_url();
        let mut ask = async |name: &str| -> Value {
            let body = json!({"username": name, "originalRequest": config["sCtx"], "flowToken": config["sFT"]});
            let answer = post_json(
                &c,
                &format!("{base}/common/GetCredentialType?mkt=en-US"),
                &body,
            )
            .await;
            config["sFT"] = answer["FlowToken"].clone();
            answer
        };
        assert_eq!(ask("nobody@corp.example").await["IfExistsResult"], 1);
        let alice = ask("ALICE@corp.example").await;
        assert_eq!(
            (
                alice["IfExistsResult"].clone(),
                alice["Credentials"]["HasPassword"].clone()
            ),
            (json!(0), json!(true))
        );
        let kim = ask("kim@corp.example").await;
        assert_eq!(kim["Credentials"]["HasPassword"], false);
        assert!(kim["Credentials"]["FidoParams"]["Challenge"].is_string());
        let fed = ask("fed@fabrikam.example").await;
        let url = fed["Credentials"]["FederationRedirectUrl"]
            .as_str()
            .unwrap_or_default();
        assert!(
            url.starts_with(
                "http://127.0.0.1:9/adfs/ls/?username=fed%40fabrikam.example&wa=wsignin1.0"
            ),
            "{url}"
        );
        // an old flow token is refused
        let stale = json!({"username": "alice@corp.example", "originalRequest": config["sCtx"], "flowToken": "old"});
        let answer = post_json(&c, &format!("{base}/common/GetCredentialType"), &stale).await;
        assert!(
            answer["ErrorHTML"]
                .as_str()
                .unwrap_or_default()
                .contains("AADSTS90100")
        );
    }

    #[tokio::test]
    async fn entra_unknown_app_and_tenant_are_aadsts_errors() {
        let idp = EntraEmulator::start(tenant());
        let c = client();
        let base = idp.server().base_url();
        let app = c
            .get(format!(
                "{base}/api/signin/00000000-0000-0000-0000-000000000000?tenantId=x"
            ))
            .send()
            .await
            .unwrap();
        assert!(app.text().await.unwrap().contains("AADSTS700016"));
        let tenant = c
            .get(format!("{base}/not-a-tenant/saml2"))
            .send()
            .await
            .unwrap();
        assert!(tenant.text().await.unwrap().contains("AADSTS90002"));
    }

    async fn post_form(
        c: &reqwest::Client,
        url: &str,
        pairs: &[(&str, &str)],
    ) -> (Vec<String>, String) {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let answer = c
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let cookies = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect();
        (cookies, answer.text().await.unwrap())
    }

    /// Username and password posted as the page's form would; the next page's HTML and cookies.
    async fn password_post(
        c: &reqwest::Client,
        idp: &EntraEmulator,
        url: &str,
        password: &str,
    ) -> (Vec<String>, String) {
        let page = c.get(url).send().await.unwrap().text().await.unwrap();
        let config = config_of(&page);
        let login = format!(
            "{}{}",
            idp.server().base_url(),
            config["urlPost"].as_str().unwrap()
        );
        let (ctx, ft) = (
            config["sCtx"].as_str().unwrap(),
            config["sFT"].as_str().unwrap(),
        );
        let fields = [
            ("login", "alice@corp.example"),
            ("loginfmt", "alice@corp.example"),
            ("passwd", password),
            ("type", "11"),
            ("ctx", ctx),
            ("flowToken", ft),
            ("LoginOptions", "3"),
        ];
        post_form(c, &login, &fields).await
    }

    #[tokio::test]
    async fn entra_dont_show_again_skips_the_question_and_only_yes_sets_a_persistent_cookie() {
        let idp = EntraEmulator::start(tenant());
        let c = client();
        let (_, kmsi) = password_post(&c, &idp, &idp.sign_in_url(), "Corr3ct-horse").await;
        let config = config_of(&kmsi);
        assert_eq!(config["pgid"], "KmsiInterrupt");
        let fields = [
            ("LoginOptions", "1"),
            ("type", "28"),
            ("DontShowAgain", "true"),
            ("ctx", config["sCtx"].as_str().unwrap()),
            ("flowToken", config["sFT"].as_str().unwrap()),
        ];
        let (cookies, done) =
            post_form(&c, &format!("{}/kmsi", idp.server().base_url()), &fields).await;
        assert!(
            done.contains(&format!("action=\"{}\"", saml::AWS_SIGNIN)),
            "{done}"
        );
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("ESTSAUTH=") && !c.contains("expires")),
            "{cookies:?}"
        );
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("ESTSAUTHPERSISTENT=") && c.contains("expires=")),
            "{cookies:?}"
        );

        // a stale flow token is Entra's AADSTS90100, not a sign-in
        let (_, stale) = post_form(&c, &format!("{}/kmsi", idp.server().base_url()), &fields).await;
        assert!(stale.contains("AADSTS90100"), "{stale}");

        // the next sign-in, asked with prompt=login, skips "Stay signed in?" as answered before
        let again = format!("{}&prompt=login", idp.sign_in_url());
        let (cookies, done) = password_post(&c, &idp, &again, "Corr3ct-horse").await;
        assert!(done.contains("SAMLResponse"), "{done}");
        assert!(
            cookies.iter().any(|c| c.starts_with("ESTSAUTHPERSISTENT=")),
            "{cookies:?}"
        );
        assert_eq!(idp.kmsi_answers().len(), 1);
        assert_eq!(idp.sign_ins().len(), 2);

        // and a wrong password earns 50126 in $Config, with no cookie
        let (cookies, refused) = password_post(&c, &idp, &again, "wrong").await;
        let config = config_of(&refused);
        assert_eq!(
            (config["sErrorCode"].as_str(), config["sErrTxt"].as_str()),
            (Some("50126"), Some(pages::WRONG_PASSWORD))
        );
        assert!(cookies.is_empty(), "{cookies:?}");
    }
}
