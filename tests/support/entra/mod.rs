//! An Entra ID-like IdP on 127.0.0.1 that behaves like Entra's "Sign in to your account" rather
//! than like samlbridge expects: the HTML it serves has no form, only `$Config = {...}` and a script
//! ([`pages::SCRIPT`], `signin.js`) that draws each page from it, talks to JSON endpoints, polls for
//! a push, and posts the forms; the end is a SAMLResponse auto-posted to
//! `https://signin.aws.amazon.com/saml`, which the client must intercept.
//!
//! Routes (TENANT = [`EntraConfig::tenant_id`], APP = [`EntraConfig::app_id`]):
//! - `GET /api/signin/APP?tenantId=TENANT` ([`EntraEmulator::sign_in_url`], the launcher URL a user
//!   puts in `saml_url`) → 302 to `GET /TENANT/saml2?SAMLRequest=…`, which answers: the sign-in page
//!   (`pgid` `ConvergedSignIn`); or, when a session cookie knows one account, the SAMLResponse page at
//!   once (silent); or "Pick an account" when it knows several; `&prompt=login` on the launcher URL
//!   asks for credentials whatever the session knows (how a second account joins a session). An unknown app is AADSTS700016, an
//!   unknown tenant AADSTS90002 (Entra's error page, no script).
//! - `POST /common/GetCredentialType` (JSON, from the "Next" of the username view): `IfExistsResult`
//!   1 = no such account; `Credentials.HasPassword`, `Credentials.FidoParams` (passkey-only),
//!   `Credentials.FederationRedirectUrl` (federated domain: the script navigates there).
//! - `POST /TENANT/login` (the page's form `f1`, `urlPost`): `type=11` password (`login`, `loginfmt`,
//!   `passwd`); `type=20` a tile of "Pick an account" (`login`); `type=23` a passkey assertion;
//!   `type=12` the expired-password form, `type=13` the "More information required" Next (both
//!   answered by an AADSTS error page: a person finishes them elsewhere).
//!   Answers the next page: sign-in page again with `sErrorCode`/`sErrTxt` (50126 wrong password,
//!   50053 locked, 50034 unknown), `ConvergedChangePassword` (50055), `ConvergedProofUpRedirect`
//!   ("More information required", 50079), `ConvergedError` ("You can't get there from here", 53000,
//!   a device-compliance block), `ConvergedTFA`, `KmsiInterrupt`, or the SAMLResponse page.
//! - `POST /common/SAS/BeginAuth`, `POST /common/SAS/EndAuth` (JSON, Entra's field names:
//!   `AuthMethodId`, `SessionId`, `FlowToken`, `Ctx`, `AdditionalAuthData` = the code, `PollCount`):
//!   BeginAuth of a push answers `Entropy`, the number shown in `#idRichContext_DisplaySign`;
//!   EndAuth answers `Success` or `ResultValue` `AuthenticationPending` / `PhoneAppDenied` /
//!   `PhoneAppNoResponse` / `OathCodeIncorrect` / `SMSAuthFailedWrongCodeEntered`.
//! - `POST /common/SAS/ProcessAuth` (`type=22`, `request`=ctx, `mfaAuthMethod`) after EndAuth said
//!   Success → "Stay signed in?" or the SAMLResponse page.
//! - `POST /kmsi` (`LoginOptions` 1 = Yes / 3 = No, `DontShowAgain`) → the SAMLResponse page, with the
//!   session cookie `ESTSAUTH` and, only after Yes, the persistent `ESTSAUTHPERSISTENT` (90 days):
//!   a browser restarted with the same profile signs in silently only then. A client that keeps
//!   ESTSAUTH itself across restarts stays signed in, unless
//!   [`EntraConfig::session_cookie_lifetime`] has passed since it was set.
//! - Federated domain: GetCredentialType's `FederationRedirectUrl` (and a password post for such an
//!   account: a 302) is the user's IdP URL plus `username`, `wa=wsignin1.0`,
//!   `wtrealm=urn:federation:MicrosoftOnline`, `wreply=http://HOST/login.srf`, `wctx`=ctx.
//! - `POST /login.srf` (`SAMLResponse` from the federated IdP, `wctx`): the way back; the IdP's
//!   assertion must name the account (RoleSessionName); then "Stay signed in?" as after a password.
//!
//! Pages (all titled "Sign in to your account"; views drawn by the script into `#lightbox`, heading
//! `#loginHeader`): username (`input[name=loginfmt]`, Next = `#idSIButton9`, error
//! `#usernameError`); password (`input[name=passwd]`, Sign in = `#idSIButton9`, error
//! `#passwordError`); "Pick an account" (tiles `div[role=button][data-test-id=ACCOUNT]`,
//! `#otherTile` "Use another account"); "Sign in with a passkey" (calls navigator.credentials.get,
//! mentions "passkey or security key", error `#fidoError`); "Verify your identity" (method list,
//! tiles `div[role=button][data-value=AUTH_METHOD_ID]`, reached by the link `#signInAnotherWay`
//! "Sign in another way" when a user has several methods); "Approve sign in request" (number in
//! `#idRichContext_DisplaySign`, polls EndAuth every [`EntraConfig::poll_interval`]; denied → heading
//! "Request denied", timed out → "We didn't hear from you", words in `#idDiv_SAASDS_Error`); "Enter
//! code" (`input[name=otc]`, Verify = `#idSubmit_SAOTCC_Continue`, error
//! `#idSpan_SAOTCC_Error_OTC`); "Stay signed in?" (checkbox `#KmsiCheckboxField` "Don't show this
//! again", Yes = `#idSIButton9`, No = `#idBtn_Back`); "Update your password". The words are the
//! constants of [`pages`] (Entra's: "This username may be incorrect…", "Your account or password is
//! incorrect…", "Your account is locked…", "Your password has expired.", "You didn't enter the
//! expected verification code…").
//!
//! Users ([`EntraUser`]): password only; with methods ([`Method`]): a real RFC 6238 code
//! ([`totp::code_now`] gives the test the same code), a fixed code, SMS, push with number matching
//! ([`PushAnswer`]: approved or denied after N polls, never answered, or decided by the test with
//! [`EntraEmulator::approve_push`]); several methods (the first is the default; the page starts on it,
//! or on the list with `start_with_method_list`); locked; expired password; "More information
//! required" (registration); not-compliant device; passkey-only (on `localhost` a CDP virtual
//! authenticator completes it: the server checks the clientDataJSON's type and challenge, not the
//! signature; on 127.0.0.1 the browser refuses the RP ID and the page shows its error); federated
//! (`EntraUser::federated(adfs.sign_in_url())` with `AdfsConfig::federated_behind_entra()`: the AD FS
//! emulator then posts back to `wreply` instead of to AWS).
//!
//! Test control: [`EntraEmulator::sign_ins`] (who signed in, silently or not, with which method),
//! [`EntraEmulator::kmsi_answers`], [`EntraEmulator::polls`], [`EntraEmulator::numbers_shown`],
//! [`EntraEmulator::issued_assertions`], [`EntraEmulator::cookie_values`] (secrets no log may show).

mod flow;
mod mfa;
pub mod pages;
mod session;
pub mod totp;
pub mod users;

pub use users::{AccountState, EntraConfig, EntraUser, Method, PushAnswer};

use crate::http::{HttpRequest, HttpResponse, TestServer, lock};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SESSION_COOKIE: &str = "ESTSAUTH";
pub const PERSISTENT_COOKIE: &str = "ESTSAUTHPERSISTENT";

/// One completed sign-in: a SAMLResponse was handed out for `username`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub username: String,
    /// From a session cookie (or a "Pick an account" tile), without a password.
    pub silent: bool,
    /// The authMethodId of the second step, when there was one (`PasskeyFido` for a passkey,
    /// `Federated` for a federated IdP).
    pub method: Option<String>,
}

/// What the person answered on "Stay signed in?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsiAnswer {
    pub username: String,
    pub stay_signed_in: bool,
    pub dont_show_again: bool,
}

#[derive(Default)]
struct Ledger {
    flows: HashMap<String, flow::Flow>,
    /// Browser sessions by id: the accounts signed in to them.
    sessions: HashMap<String, Vec<String>>,
    /// Cookie value → the session it stands for.
    cookies: HashMap<String, session::IssuedCookie>,
    sign_ins: Vec<SignIn>,
    kmsi: Vec<KmsiAnswer>,
    /// "Don't show this again": the answer given then, by lower-case account.
    kmsi_suppressed: HashMap<String, bool>,
    /// A test's decision on the push of a user (`PushAnswer::Manual`): true = approved.
    push_decisions: HashMap<String, bool>,
    polls: HashMap<String, u32>,
    numbers_shown: Vec<u32>,
    password_posts: usize,
    assertions: Vec<String>,
    cookie_values: Vec<String>,
}

struct Tenant {
    config: EntraConfig,
    ledger: Mutex<Ledger>,
}

/// A running emulator; stops when dropped (failing the test if nobody asked it anything).
pub struct EntraEmulator {
    server: TestServer,
    tenant: Arc<Tenant>,
}

impl EntraEmulator {
    pub fn start(config: EntraConfig) -> EntraEmulator {
        let tenant = Arc::new(Tenant {
            config,
            ledger: Mutex::default(),
        });
        let handler = {
            let tenant = tenant.clone();
            Arc::new(move |req: &HttpRequest| tenant.answer(req))
        };
        EntraEmulator {
            server: TestServer::start("Entra emulator", handler),
            tenant,
        }
    }

    /// The launcher URL a user puts in `saml_url` (My Apps' "sign in to this application").
    pub fn sign_in_url(&self) -> String {
        let c = &self.tenant.config;
        format!(
            "{}/api/signin/{}?tenantId={}",
            self.server.base_url(),
            c.app_id,
            c.tenant_id
        )
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    pub fn expect_unused(&self) {
        self.server.expect_unused();
    }

    /// The person taps "Approve" (with the right number) on the pending push of `username`.
    pub fn approve_push(&self, username: &str) {
        self.decide(username, true);
    }

    /// The person taps "No, it's not me".
    pub fn deny_push(&self, username: &str) {
        self.decide(username, false);
    }

    fn decide(&self, username: &str, approved: bool) {
        lock(&self.tenant.ledger)
            .push_decisions
            .insert(username.to_ascii_lowercase(), approved);
    }

    /// EndAuth polls the push page of `username` made so far (all sign-ins).
    pub fn polls(&self, username: &str) -> u32 {
        let ledger = lock(&self.tenant.ledger);
        ledger
            .polls
            .get(&username.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// The numbers push pages showed, in order (what the person must type in the app).
    pub fn numbers_shown(&self) -> Vec<u32> {
        lock(&self.tenant.ledger).numbers_shown.clone()
    }

    /// Completed sign-ins, in order.
    pub fn sign_ins(&self) -> Vec<SignIn> {
        lock(&self.tenant.ledger).sign_ins.clone()
    }

    /// Answers given on "Stay signed in?", in order.
    pub fn kmsi_answers(&self) -> Vec<KmsiAnswer> {
        lock(&self.tenant.ledger).kmsi.clone()
    }

    /// Every SAMLResponse handed out, base64.
    pub fn issued_assertions(&self) -> Vec<String> {
        lock(&self.tenant.ledger).assertions.clone()
    }

    /// Every cookie value and flow token it set (secrets a log must never show).
    pub fn cookie_values(&self) -> Vec<String> {
        lock(&self.tenant.ledger).cookie_values.clone()
    }

    /// Passwords posted to it (right or wrong).
    pub fn password_posts(&self) -> usize {
        lock(&self.tenant.ledger).password_posts
    }
}

impl Tenant {
    fn answer(&self, req: &HttpRequest) -> HttpResponse {
        let tenant_prefix = format!("/{}/", self.config.tenant_id);
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", pages::SCRIPT_PATH) => {
                HttpResponse::new(200, "application/javascript; charset=utf-8", pages::SCRIPT)
            }
            ("GET", p) if p.starts_with("/api/signin/") => self.launch(req, &p[12..]),
            ("POST", "/common/GetCredentialType") => self.credential_type(req),
            ("POST", "/common/SAS/BeginAuth") => self.begin_auth(req),
            ("POST", "/common/SAS/EndAuth") => self.end_auth(req),
            ("POST", "/common/SAS/ProcessAuth") => self.process_auth(req),
            ("POST", "/kmsi") => self.kmsi(req),
            ("POST", flow::FEDERATION_RETURN_PATH) => self.federation_return(req),
            ("GET", p) if p.eq_ignore_ascii_case(&format!("{tenant_prefix}saml2")) => {
                self.saml2(req)
            }
            ("POST", p) if p.eq_ignore_ascii_case(&format!("{tenant_prefix}login")) => {
                self.login_post(req)
            }
            (_, p) if p.ends_with("/saml2") || p.ends_with("/login") => HttpResponse::html(
                400,
                pages::error_page(
                    "90002",
                    "Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
                ),
            ),
            _ => HttpResponse::new(404, "text/plain", "Not Found"),
        }
    }

    /// A fresh opaque value remembered as a secret no log may show.
    fn secret_value(&self, bytes: usize) -> String {
        let value = crate::random_hex(bytes);
        lock(&self.ledger).cookie_values.push(value.clone());
        value
    }
}

/// A JSON answer.
fn json(value: &serde_json::Value) -> HttpResponse {
    HttpResponse::new(200, "application/json; charset=utf-8", value.to_string())
}
