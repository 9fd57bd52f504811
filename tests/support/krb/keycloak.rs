//! A Keycloak-style IdP with Kerberos in its browser flow: IdP-initiated sign-on for AWS answers
//! `401` with `WWW-Authenticate: Negotiate` *and* a page a browser without Kerberos can use — the
//! login form itself, or Keycloak's own "Kerberos Unsupported" page that posts on to the form. A
//! `Negotiate` token (checked by the real [`Acceptor`](super::Acceptor)) signs in without a form;
//! the form signs in with a password. Either way the answer is Keycloak's SAML POST page.
//!
//! ```ignore
//! let kc = KeycloakEmulator::start(KeycloakConfig::default()
//!     .user(AdfsUser::new("alice", "pw").role(..))
//!     .negotiate(IntegratedAuth::new(acceptor).schemes(&["Negotiate"])));
//! kc.sign_in_url();        // http://127.0.0.1:PORT/realms/corp/protocol/saml/clients/amazon-aws
//! kc.issued_assertions();  // every SAMLResponse (base64), for asserting who got one
//! ```

use super::integrated::{IntegratedAuth, Leg};
use crate::adfs::AdfsUser;
use crate::http::{HttpRequest, HttpResponse, TestServer, field, lock};
use crate::saml::{self, AssertionSpec, XmlStyle, escape};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SIGN_ON_PATH: &str = "/realms/corp/protocol/saml/clients/amazon-aws";
pub const AUTHENTICATE_PATH: &str = "/realms/corp/login-actions/authenticate";
const SESSION_COOKIE: &str = "AUTH_SESSION_ID";
/// Keycloak's words for a wrong password (the `#input-error` span).
pub const INVALID_CREDENTIALS: &str = "Invalid username or password.";
const COOKIE_NOT_FOUND: &str =
    "Cookie not found. Please make sure cookies are enabled in your browser.";

/// What the body of the `401 Negotiate` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChallengeBody {
    /// The login form itself: a client that ignores the challenge can sign in from it.
    #[default]
    LoginForm,
    /// Keycloak's "Kerberos Unsupported" page, a form that posts on to the login form.
    KerberosUnsupported,
}

#[derive(Debug, Clone, Default)]
pub struct KeycloakConfig {
    pub users: Vec<AdfsUser>,
    /// Kerberos (SPNEGO) through a real acceptor; None: a plain form realm, no challenge.
    pub negotiate: Option<IntegratedAuth>,
    pub body: ChallengeBody,
}

impl KeycloakConfig {
    pub fn user(mut self, user: AdfsUser) -> Self {
        self.users.push(user);
        self
    }

    pub fn negotiate(mut self, wia: IntegratedAuth) -> Self {
        self.negotiate = Some(wia);
        self
    }

    pub fn body(mut self, body: ChallengeBody) -> Self {
        self.body = body;
        self
    }
}

struct Realm {
    config: KeycloakConfig,
    issuer: Mutex<String>,
    sessions: Mutex<HashSet<String>>,
    assertions: Mutex<Vec<String>>,
}

/// A running emulator; stops when dropped (failing the test if nobody asked it anything).
pub struct KeycloakEmulator {
    server: TestServer,
    realm: Arc<Realm>,
}

impl KeycloakEmulator {
    pub fn start(config: KeycloakConfig) -> KeycloakEmulator {
        let realm = Arc::new(Realm {
            config,
            issuer: Mutex::default(),
            sessions: Mutex::default(),
            assertions: Mutex::default(),
        });
        let handler = {
            let realm = realm.clone();
            Arc::new(move |req: &HttpRequest| realm.answer(req))
        };
        let server = TestServer::start("Keycloak-style emulator", handler);
        *lock(&realm.issuer) = format!("{}/realms/corp", server.base_url());
        KeycloakEmulator { server, realm }
    }

    /// The IdP-initiated SSO URL for AWS, as a user would put in `saml_url`.
    pub fn sign_in_url(&self) -> String {
        format!("{}{SIGN_ON_PATH}", self.server.base_url())
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// Every SAMLResponse handed out, base64.
    pub fn issued_assertions(&self) -> Vec<String> {
        lock(&self.realm.assertions).clone()
    }
}

impl Realm {
    fn answer(&self, req: &HttpRequest) -> HttpResponse {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", SIGN_ON_PATH) => self.sign_on(req),
            ("POST", AUTHENTICATE_PATH) => self.authenticate(req),
            _ => HttpResponse::html(404, error_page("Page not found")),
        }
    }

    fn sign_on(&self, req: &HttpRequest) -> HttpResponse {
        let session = crate::random_hex(16);
        lock(&self.sessions).insert(session.clone());
        let cookie = format!("{SESSION_COOKIE}={session}; Path=/realms/corp/; HttpOnly");
        let action = action_url();
        let Some(wia) = &self.config.negotiate else {
            return HttpResponse::html(200, login_page(&action, "", None))
                .with_header("Set-Cookie", &cookie);
        };
        let body = match self.config.body {
            ChallengeBody::LoginForm => login_page(&action, "", None),
            ChallengeBody::KerberosUnsupported => kerberos_unsupported_page(&action),
        };
        let response = match wia.leg(req) {
            Leg::Missing => {
                HttpResponse::html(401, body).with_header("WWW-Authenticate", "Negotiate")
            }
            Leg::Continue(header) => {
                HttpResponse::html(401, body).with_header("WWW-Authenticate", &header)
            }
            Leg::SignedIn { user, mutual, .. } => {
                let response = self.signed_in(super::account_name(&user));
                match mutual {
                    Some(m) => response.with_header("WWW-Authenticate", &m),
                    None => response,
                }
            }
            // Keycloak gives up on Kerberos and shows the form, saying why.
            Leg::Refused(words) => HttpResponse::html(
                200,
                login_page(
                    &action,
                    "",
                    Some(&format!("Kerberos sign-in failed: {words}")),
                ),
            ),
        };
        response.with_header("Set-Cookie", &cookie)
    }

    fn authenticate(&self, req: &HttpRequest) -> HttpResponse {
        let known = req
            .cookie(SESSION_COOKIE)
            .is_some_and(|c| lock(&self.sessions).contains(&c));
        if !known {
            return HttpResponse::html(400, error_page(COOKIE_NOT_FOUND));
        }
        let form = req.form();
        let action = action_url();
        let (Some(username), Some(password)) = (field(&form, "username"), field(&form, "password"))
        else {
            // the "Kerberos Unsupported" page's CONTINUE: on to the form
            return HttpResponse::html(200, login_page(&action, "", None));
        };
        let user =
            self.config.users.iter().find(|u| {
                u.username.eq_ignore_ascii_case(username.trim()) && u.password == password
            });
        match user {
            Some(user) => self.signed_in(&user.username.clone()),
            None => HttpResponse::html(
                200,
                login_page(&action, username, Some(INVALID_CREDENTIALS)),
            ),
        }
    }

    fn signed_in(&self, account: &str) -> HttpResponse {
        let user = self
            .config
            .users
            .iter()
            .find(|u| super::account_name(&u.username).eq_ignore_ascii_case(account));
        let Some(user) = user else {
            return HttpResponse::html(
                200,
                error_page(&format!("User {account} not found in realm corp.")),
            );
        };
        let xml = saml::response_xml(&AssertionSpec {
            issuer: lock(&self.issuer).clone(),
            name_id: user.username.clone(),
            session_name: user.session_name.clone(),
            roles: user.roles.clone(),
            session_duration: user.session_duration,
            destination: saml::AWS_SIGNIN.into(),
            lifetime: Duration::from_secs(300),
            style: XmlStyle::SamlPrefix,
        });
        let encoded = saml::encode(&xml, None);
        lock(&self.assertions).push(encoded.clone());
        HttpResponse::html(200, post_page(&encoded))
    }
}

/// The form's action: a fresh session code and tab, as Keycloak renders them.
fn action_url() -> String {
    format!(
        "{AUTHENTICATE_PATH}?session_code={}&execution={}&client_id=urn%3Aamazon%3Awebservices&tab_id={}",
        crate::random_hex(8),
        crate::uuid(),
        crate::random_hex(4)
    )
}

/// Keycloak's login page (theme `keycloak`): `#kc-form-login`, `#input-error` after a refusal.
pub fn login_page(action: &str, username: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                r#"<span id="input-error" class="kc-feedback-text" aria-live="polite">{}</span>"#,
                escape(e)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html class="login-pf"><head><meta charset="utf-8"><title>Sign in to Corp</title></head>
<body><div class="login-pf-page"><div id="kc-header" class="login-pf-page-header"><div id="kc-header-wrapper">Corp</div></div>
<div class="card-pf"><header class="login-pf-header"><h1 id="kc-page-title">Sign in to your account</h1></header>
<div id="kc-content"><div id="kc-content-wrapper"><div id="kc-form"><div id="kc-form-wrapper">
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="{action}" method="post">
<div class="form-group"><label for="username">Username or email</label>
<input tabindex="1" id="username" name="username" value="{username}" type="text" autofocus autocomplete="off" />{error}</div>
<div class="form-group"><label for="password">Password</label>
<input tabindex="2" id="password" name="password" type="password" autocomplete="off" /></div>
<div id="kc-form-buttons" class="form-group"><input type="hidden" id="id-hidden-input" name="credentialId" />
<input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In"/></div>
</form></div></div></div></div></div></div></body></html>
"#,
        action = escape(action),
        username = escape(username),
    )
}

/// What Keycloak's SPNEGO step sends with its challenge: a form that posts on without Kerberos.
pub fn kerberos_unsupported_page(action: &str) -> String {
    format!(
        r#"<HTML><HEAD><TITLE>Kerberos Unsupported</TITLE></HEAD><BODY Onload="document.forms[0].submit()"><FORM METHOD="POST" ACTION="{}"><NOSCRIPT><P>JavaScript is turned off in this browser, so the Kerberos sign-in could not happen. Press the button to sign in another way.</P><INPUT name="continue" TYPE="SUBMIT" VALUE="CONTINUE" /></NOSCRIPT></FORM></BODY></HTML>"#,
        escape(action)
    )
}

/// Keycloak's SAML POST binding page.
pub fn post_page(saml_response: &str) -> String {
    format!(
        r#"<HTML><HEAD><TITLE>Authentication Redirect</TITLE></HEAD><BODY Onload="document.forms[0].submit()"><FORM METHOD="POST" ACTION="{}"><INPUT TYPE="HIDDEN" NAME="SAMLResponse" VALUE="{}"/><NOSCRIPT><P>JavaScript is disabled. We strongly recommend to enable it. Click the button below to continue.</P><INPUT TYPE="SUBMIT" VALUE="CONTINUE" /></NOSCRIPT></FORM></BODY></HTML>"#,
        saml::AWS_SIGNIN,
        escape(saml_response)
    )
}

/// Keycloak's error page (`#kc-error-message`).
pub fn error_page(message: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><title>Sign in to Corp</title></head><body><div id="kc-content"><div id="kc-error-message"><p class="instruction">{}</p></div></div></body></html>"#,
        escape(message)
    )
}
