//! An AD FS-like IdP on 127.0.0.1 that behaves like AD FS 2016/2019 rather than like samlbridge
//! expects: IdP-initiated sign-on for `urn:amazon:webservices`, a context cookie that must come back
//! with the form, `Duplicate post parameter` errors, the Azure MFA step bound to a `Context` value,
//! the paginated 2019 flow, a 302 that sets the session cookie, session reuse, and the Working page.

pub mod pages;
pub mod users;

pub use users::{AdfsConfig, AdfsUser};

use crate::http::{HttpRequest, HttpResponse, TestServer, field, lock};
use crate::saml::{self, AssertionSpec};
use crate::{random_bytes, uuid};
use base64::Engine as _;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SIGN_ON_PATH: &str = "/adfs/ls/IdpInitiatedSignOn.aspx";
/// Where AD FS sends a browser that does Windows integrated authentication.
pub const WIA_PATH: &str = "/adfs/ls/wia";
pub const RELYING_PARTY: &str = "urn:amazon:webservices";
const CONTEXT_COOKIE: &str = "MSISContext";
const SESSION_COOKIE: &str = "MSISAuth";

/// Where one browser stands in a sign-in, keyed by its context cookie.
#[derive(Debug, Clone)]
enum Stage {
    Credentials {
        username: Option<String>,
    },
    Mfa {
        username: String,
        context: String,
    },
    /// Sent to Duo's Universal Prompt; back with `state` and a `duo_code` to redeem.
    Duo {
        username: String,
        context: String,
        state: String,
        redirect_uri: String,
    },
}

#[derive(Default)]
struct Ledger {
    contexts: HashMap<String, Stage>,
    sessions: HashMap<String, String>,
    assertions: Vec<String>,
    cookie_values: Vec<String>,
    posts: Vec<Vec<(String, String)>>,
}

struct Idp {
    config: AdfsConfig,
    ledger: Mutex<Ledger>,
}

/// A running emulator; stops when dropped (failing the test if nobody signed in to it).
pub struct AdfsEmulator {
    server: TestServer,
    idp: Arc<Idp>,
}

impl AdfsEmulator {
    pub fn start(config: AdfsConfig) -> AdfsEmulator {
        let idp = Arc::new(Idp {
            config,
            ledger: Mutex::default(),
        });
        let handler = {
            let idp = idp.clone();
            Arc::new(move |req: &HttpRequest| idp.handle(req))
        };
        AdfsEmulator {
            server: TestServer::start("AD FS emulator", handler),
            idp,
        }
    }

    /// The IdP-initiated sign-on URL for AWS, as a user would put in `saml_url`.
    pub fn sign_in_url(&self) -> String {
        format!(
            "{}{SIGN_ON_PATH}?loginToRp={RELYING_PARTY}",
            self.server.base_url()
        )
    }

    pub fn server(&self) -> &TestServer {
        &self.server
    }

    pub fn expect_unused(&self) {
        self.server.expect_unused();
    }

    /// Requests to the sign-on page (GET and POST).
    pub fn sign_on_hits(&self) -> usize {
        self.server.hits("GET", SIGN_ON_PATH) + self.server.hits("POST", SIGN_ON_PATH)
    }

    /// Every SAMLResponse handed out, base64 without line breaks.
    pub fn issued_assertions(&self) -> Vec<String> {
        lock(&self.idp.ledger).assertions.clone()
    }

    /// Every cookie value it set (secrets a log must never show).
    pub fn cookie_values(&self) -> Vec<String> {
        lock(&self.idp.ledger).cookie_values.clone()
    }

    /// Ends every sign-in session (as an IdP does at its session's end): the next sign-in needs the
    /// password again.
    pub fn forget_sessions(&self) {
        lock(&self.idp.ledger).sessions.clear();
    }

    /// Every form body posted to it, pairs in order.
    pub fn posts(&self) -> Vec<Vec<(String, String)>> {
        lock(&self.idp.ledger).posts.clone()
    }
}

impl Idp {
    fn handle(&self, req: &HttpRequest) -> HttpResponse {
        let response = self.answer(req);
        if self.config.clock_offset.is_zero() {
            return response;
        }
        let now = time::OffsetDateTime::now_utc() + self.config.clock_offset;
        response.with_header("Date", &crate::sts::spoil::http_date(now))
    }

    fn answer(&self, req: &HttpRequest) -> HttpResponse {
        if let Some(wia) = &self.config.integrated
            && req.path.eq_ignore_ascii_case(WIA_PATH)
        {
            return self.integrated(wia, req);
        }
        if !req.path.eq_ignore_ascii_case(SIGN_ON_PATH) {
            return HttpResponse::html(
                404,
                pages::plain_page(
                    "404 - File or directory not found.",
                    "The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.",
                ),
            );
        }
        let rp = req
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == "loginToRp");
        if rp.as_ref().map(|(_, v)| v.as_str()) != Some(RELYING_PARTY) {
            return self.error("MSIS7012: An error occurred while processing the request. The relying party given by loginToRp is not known.");
        }
        match req.method.as_str() {
            "GET" => self.get(req),
            "POST" => self.post(req),
            _ => HttpResponse::html(405, pages::plain_page("405 - Method not allowed", "")),
        }
    }

    /// The form posts back to the page's own URL plus a client-request-id, as AD FS's forms do.
    fn action(req: &HttpRequest) -> String {
        if req.query.contains("client-request-id=") {
            req.path_and_query()
        } else {
            format!("{}&client-request-id={}", req.path_and_query(), uuid())
        }
    }

    fn get(&self, req: &HttpRequest) -> HttpResponse {
        if let Some(page) = self.back_from_duo(req) {
            return page;
        }
        let session_user = req
            .cookie(SESSION_COOKIE)
            .and_then(|c| lock(&self.ledger).sessions.get(&c).cloned());
        if let Some(username) = session_user {
            return self.working(req, &username);
        }
        let user_agent = req.header("user-agent").unwrap_or_default();
        if let Some(wia) = &self.config.integrated
            && wia.supports(user_agent)
        {
            return HttpResponse::redirect(&format!("{WIA_PATH}?{}", req.query));
        }
        let context = self.new_cookie_value(48);
        lock(&self.ledger)
            .contexts
            .insert(context.clone(), Stage::Credentials { username: None });
        let action = Self::action(req);
        let page = if self.config.paginated {
            pages::username_page(&action, None)
        } else {
            pages::login_page(&action, "", None)
        };
        HttpResponse::html(200, page).with_header(
            "Set-Cookie",
            &format!("{CONTEXT_COOKIE}={context}; path=/adfs; HttpOnly"),
        )
    }

    fn post(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        lock(&self.ledger).posts.push(form.clone());
        if form.iter().filter(|(k, _)| k == "UserName").count() > 1 {
            return self.error("Microsoft.IdentityServer.Web.InvalidRequestException: Duplicate post parameter \"UserName\".");
        }
        let context = req.cookie(CONTEXT_COOKIE).unwrap_or_default();
        let stage = lock(&self.ledger).contexts.get(&context).cloned();
        match stage {
            None if self.config.direct_post
                && field(&form, "AuthMethod") == Some("FormsAuthentication") =>
            {
                // AD FS starts a sign-in from a first POST of credentials (scripts do that).
                let context = self.new_cookie_value(48);
                lock(&self.ledger)
                    .contexts
                    .insert(context.clone(), Stage::Credentials { username: None });
                self.credentials(req, &form, &context, None).with_header(
                    "Set-Cookie",
                    &format!("{CONTEXT_COOKIE}={context}; path=/adfs; HttpOnly"),
                )
            }
            None => self.error("MSIS7042: The same client browser session has made requests without the sign-in context cookie."),
            Some(Stage::Credentials { username }) => {
                self.credentials(req, &form, &context, username)
            }
            Some(Stage::Mfa { username, context: expected }) => {
                self.second_factor(req, &form, &username, &expected)
            }
            Some(Stage::Duo { username, context: expected, state, redirect_uri }) => {
                self.duo_redeemed(req, &form, &username, (&expected, &state, &redirect_uri))
            }
        }
    }

    fn credentials(
        &self,
        req: &HttpRequest,
        form: &[(String, String)],
        context: &str,
        known_username: Option<String>,
    ) -> HttpResponse {
        if field(form, "AuthMethod") != Some("FormsAuthentication") {
            return self.error("MSIS7000: The sign in request did not select an authentication method (AuthMethod).");
        }
        let action = Self::action(req);
        let username = field(form, "UserName")
            .map(String::from)
            .or(known_username)
            .unwrap_or_default();
        let password = field(form, "Password");
        if self.config.paginated && password.is_none() {
            if !username.contains('@') && !username.contains('\\') {
                let page = pages::username_page(&action, Some(pages::BAD_USERNAME_FORMAT));
                return HttpResponse::html(200, page);
            }
            lock(&self.ledger).contexts.insert(
                context.to_string(),
                Stage::Credentials {
                    username: Some(username.clone()),
                },
            );
            return HttpResponse::html(200, pages::password_page(&action, &username, None));
        }
        let user = self.config.users.iter().find(|u| {
            u.username.eq_ignore_ascii_case(&username) && Some(u.password.as_str()) == password
        });
        let Some(user) = user else {
            let said = Some(self.config.wrong_password_text.as_str());
            let page = if self.config.paginated {
                pages::password_page(&action, &username, said)
            } else {
                pages::login_page(&action, &username, said)
            };
            return HttpResponse::html(200, page);
        };
        if let Some((title, text)) = &user.unexpected_page {
            return HttpResponse::html(200, pages::plain_page(title, text));
        }
        if user.duo
            && let Some(duo) = &self.config.duo
        {
            return self.to_duo(req, duo, context, &user.username);
        }
        match &user.mfa {
            Some(mfa) => {
                let mfa_context = opaque(300);
                lock(&self.ledger).contexts.insert(
                    context.to_string(),
                    Stage::Mfa {
                        username: user.username.clone(),
                        context: mfa_context.clone(),
                    },
                );
                let page = pages::mfa_page(
                    &action,
                    &user.username,
                    &mfa.auth_method,
                    &mfa_context,
                    &mfa.field,
                    None,
                );
                HttpResponse::html(200, page)
            }
            None => self.signed_in(req, context, &user.username),
        }
    }

    fn second_factor(
        &self,
        req: &HttpRequest,
        form: &[(String, String)],
        username: &str,
        expected_context: &str,
    ) -> HttpResponse {
        let Some(mfa) = self.user(username).and_then(|u| u.mfa.clone()) else {
            return self
                .error("MSIS7065: no additional authentication is configured for this user.");
        };
        if field(form, "AuthMethod") != Some(mfa.auth_method.as_str())
            || field(form, "Context") != Some(expected_context)
        {
            return self.error(
                "MSIS9002: The additional authentication post lacked its AuthMethod or Context.",
            );
        }
        let context_cookie = req.cookie(CONTEXT_COOKIE).unwrap_or_default();
        match field(form, &mfa.field) {
            Some(code) if code.trim() == mfa.code => self.signed_in(req, &context_cookie, username),
            _ => {
                let page = pages::mfa_page(
                    &Self::action(req),
                    username,
                    &mfa.auth_method,
                    expected_context,
                    &mfa.field,
                    Some(pages::WRONG_CODE),
                );
                HttpResponse::html(200, page)
            }
        }
    }

    /// Duo's adapter: the page that hands the browser to Duo's authorize URL. Duo comes back to
    /// this same address (`redirect_uri`) with `state` and `duo_code`.
    fn to_duo(
        &self,
        req: &HttpRequest,
        duo: &crate::duo::DuoService,
        context: &str,
        username: &str,
    ) -> HttpResponse {
        let action = Self::action(req);
        let host = req.header("host").unwrap_or("127.0.0.1");
        let redirect_uri = format!("http://{host}{action}");
        let state = opaque(27);
        let mfa_context = opaque(300);
        let duo_url = duo.authorize_url(username, &redirect_uri, &state);
        lock(&self.ledger).contexts.insert(
            context.to_string(),
            Stage::Duo {
                username: username.to_string(),
                context: mfa_context.clone(),
                state,
                redirect_uri,
            },
        );
        HttpResponse::html(
            200,
            pages::duo_page(&duo_url, &mfa_context, &action, username),
        )
    }

    /// The GET of the redirect_uri with Duo's `state` and `duo_code`: the adapter's return form.
    fn back_from_duo(&self, req: &HttpRequest) -> Option<HttpResponse> {
        let query = req.query_pairs();
        let code = field(&query, "duo_code")?;
        let context = req.cookie(CONTEXT_COOKIE).unwrap_or_default();
        let stage = lock(&self.ledger).contexts.get(&context).cloned();
        let Some(Stage::Duo { context: mfa, .. }) = stage else {
            return Some(self.error(
                "MSIS7042: The same client browser session has made requests without the sign-in context cookie.",
            ));
        };
        let back: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| k != "duo_code" && k != "state")
            .cloned()
            .collect();
        // Absolute, as the adapter writes it (clients such as aws-adfs post to it verbatim).
        let host = req.header("host").unwrap_or("127.0.0.1");
        let action = format!(
            "http://{host}{}?{}",
            req.path,
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(back)
                .finish()
        );
        let said_state = field(&query, "state").unwrap_or_default();
        Some(HttpResponse::html(
            200,
            pages::duo_return_page(&action, &mfa, code, said_state),
        ))
    }

    /// The return form posted: the code redeemed at Duo (its token endpoint), then signed in.
    fn duo_redeemed(
        &self,
        req: &HttpRequest,
        form: &[(String, String)],
        username: &str,
        (context, state, redirect_uri): (&str, &str, &str),
    ) -> HttpResponse {
        if field(form, "authMethod") != Some("DuoAdfsAdapter")
            || field(form, "context") != Some(context)
            || field(form, "state") != Some(state)
        {
            return self.error(
                "MSIS9002: The Duo adapter's post lacked its authMethod, context or state.",
            );
        }
        let Some(duo) = &self.config.duo else {
            return self.error("MSIS7065: no Duo integration is configured.");
        };
        match duo.exchange(field(form, "duo_code").unwrap_or_default(), redirect_uri) {
            Ok(user) if user.eq_ignore_ascii_case(username) => {
                let cookie = req.cookie(CONTEXT_COOKIE).unwrap_or_default();
                self.signed_in(req, &cookie, username)
            }
            Ok(_) | Err(_) => self.error(
                "MSIS7068: Duo Security did not confirm the second factor (the duo_code was refused).",
            ),
        }
    }

    /// Success: forget the context, set the session cookies, send the browser back to the page.
    fn signed_in(&self, req: &HttpRequest, context: &str, username: &str) -> HttpResponse {
        let session = self.new_cookie_value(96);
        let marker = self.new_cookie_value(24);
        {
            let mut ledger = lock(&self.ledger);
            ledger.contexts.remove(context);
            ledger
                .sessions
                .insert(session.clone(), username.to_string());
        }
        HttpResponse::redirect(&req.path_and_query())
            .with_header(
                "Set-Cookie",
                &format!("{SESSION_COOKIE}={session}; path=/adfs; HttpOnly"),
            )
            .with_header(
                "Set-Cookie",
                &format!("MSISAuthenticated={marker}; path=/adfs; HttpOnly"),
            )
            .with_header(
                "Set-Cookie",
                &format!("{CONTEXT_COOKIE}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/adfs"),
            )
    }

    /// `/adfs/ls/wia`: the Negotiate/NTLM handshake; signed in, back to the sign-on page with the
    /// session cookie (and the server's mutual-authentication token on that 302, as IIS sends it).
    fn integrated(&self, wia: &crate::krb::IntegratedAuth, req: &HttpRequest) -> HttpResponse {
        let (user, mutual) = match wia.negotiate(req) {
            crate::krb::Negotiated::Answer(response) => return response,
            crate::krb::Negotiated::SignedIn { user, mutual, .. } => (user, mutual),
        };
        let account = crate::krb::account_name(&user);
        let Some(known) = self
            .config
            .users
            .iter()
            .find(|u| crate::krb::account_name(&u.username).eq_ignore_ascii_case(account))
        else {
            return self.error(&format!(
                "MSIS7068: Access denied. The account {account} is not known to this federation service."
            ));
        };
        let back = HttpRequest {
            path: SIGN_ON_PATH.into(),
            ..req.clone()
        };
        let response = self.signed_in(&back, "", &known.username.clone());
        match mutual {
            Some((name, value)) => response.with_header(&name, &value),
            None => response,
        }
    }

    fn working(&self, req: &HttpRequest, username: &str) -> HttpResponse {
        let Some(user) = self.user(username) else {
            return self.error("MSIS7066: the session's user no longer exists.");
        };
        let xml = saml::response_xml(&AssertionSpec {
            issuer: self.config.issuer.clone(),
            name_id: format!("CORP\\{}", user.username.split('@').next().unwrap_or("")),
            session_name: user.session_name.clone(),
            roles: user.roles.clone(),
            session_duration: user.session_duration,
            destination: saml::AWS_SIGNIN.into(),
            lifetime: Duration::from_secs(300),
            style: self.config.style,
        });
        let wrapped = saml::encode(&xml, self.config.wrap_base64);
        lock(&self.ledger).assertions.push(saml::encode(&xml, None));
        let query = req.query_pairs();
        let ws_fed = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        if let (true, Some(reply), Some(wctx)) = (
            self.config.federated_behind_entra,
            ws_fed("wreply"),
            ws_fed("wctx"),
        ) {
            return HttpResponse::html(200, pages::return_page(reply, &wrapped, wctx));
        }
        HttpResponse::html(200, pages::working_page(&wrapped))
    }

    fn user(&self, username: &str) -> Option<&AdfsUser> {
        self.config
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    fn error(&self, detail: &str) -> HttpResponse {
        HttpResponse::html(200, pages::error_page(&uuid(), detail))
    }

    /// A fresh cookie value, remembered as a secret that no log may show.
    fn new_cookie_value(&self, bytes: usize) -> String {
        let value = opaque(bytes);
        lock(&self.ledger).cookie_values.push(value.clone());
        value
    }
}

/// `bytes` random bytes as URL-safe base64: AD FS's opaque cookie and context values.
fn opaque(bytes: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}
