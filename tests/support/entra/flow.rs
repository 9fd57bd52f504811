//! The sign-in flow of the Entra emulator: the launcher redirect, the sign-in page (or a silent
//! answer from a session cookie, or "Pick an account"), the credential-type lookup, the password,
//! passkey and federated steps, "Stay signed in?", and the SAMLResponse with the session cookies.

use super::pages::{self, PageId};
use super::users::AccountState;
use super::{Tenant, json};
use crate::http::{HttpRequest, HttpResponse, field, lock};
use crate::saml;
use base64::Engine as _;
use serde_json::{Value, json};

pub const FEDERATION_RETURN_PATH: &str = "/login.srf";

/// One sign-in in progress, keyed by its `sCtx`.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    pub relay_state: String,
    /// The current flow token: every step must send it and gets a new one.
    pub flow_token: String,
    /// The account whose password (or passkey, or federated IdP) was accepted.
    pub username: Option<String>,
    /// The account typed on the username view (before any proof).
    pub claimed: Option<String>,
    /// The second step passed, by authMethodId.
    pub verified: Option<String>,
    pub pending: Option<super::mfa::Pending>,
    pub fido_challenge: Option<String>,
}

impl Tenant {
    /// `GET /api/signin/APP?tenantId=…`: My Apps' launcher sends the browser to the tenant's SAML
    /// endpoint with a request for the app.
    pub(super) fn launch(&self, req: &HttpRequest, app_id: &str) -> HttpResponse {
        if !app_id.eq_ignore_ascii_case(&self.config.app_id) {
            return HttpResponse::html(
                400,
                pages::error_page(
                    "700016",
                    &format!(
                        "Application with identifier '{app_id}' was not found in the directory '{}'.",
                        self.config.tenant_id
                    ),
                ),
            );
        }
        let request = base64::engine::general_purpose::STANDARD.encode(format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{}\" ID=\"_{}\" Version=\"2.0\"><Issuer xmlns=\"{}\">urn:amazon:webservices</Issuer></samlp:AuthnRequest>",
            saml::PROTOCOL_NS,
            crate::uuid(),
            saml::ASSERTION_NS
        ));
        let tenant = query_value(req, "tenantId").unwrap_or_else(|| "common".into());
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("SAMLRequest", &request)
            .append_pair("RelayState", "")
            .append_pair("sso_reload", "true");
        if let Some(prompt) = query_value(req, "prompt") {
            query.append_pair("prompt", &prompt);
        }
        let query = query.finish();
        HttpResponse::redirect(&format!("/{tenant}/saml2?{query}"))
    }

    /// `GET /TENANT/saml2`: silent with one known account, "Pick an account" with several, else
    /// the sign-in page.
    pub(super) fn saml2(&self, req: &HttpRequest) -> HttpResponse {
        let relay = query_value(req, "RelayState").unwrap_or_default();
        let ctx = self.new_flow(relay);
        // prompt=login asks for credentials whatever the session knows (how a second account joins).
        let accounts = match query_value(req, "prompt").as_deref() {
            Some("login") => Vec::new(),
            _ => self.session_accounts(req),
        };
        match accounts.as_slice() {
            [one] => self.finish(req, &ctx, one, true, None, None),
            [] => self.sign_in_page(&ctx, None, None, &[]),
            several => self.sign_in_page(&ctx, None, None, several),
        }
    }

    fn new_flow(&self, relay_state: String) -> String {
        let ctx = self.secret_value(48);
        let flow = Flow {
            relay_state,
            flow_token: self.secret_value(64),
            ..Flow::default()
        };
        lock(&self.ledger).flows.insert(ctx.clone(), flow);
        ctx
    }

    /// A new flow token for the flow (Entra rotates it at every step); None if the flow is gone.
    pub(super) fn rotate(&self, ctx: &str) -> Option<String> {
        let token = self.secret_value(64);
        let mut ledger = lock(&self.ledger);
        let flow = ledger.flows.get_mut(ctx)?;
        flow.flow_token = token.clone();
        Some(token)
    }

    pub(super) fn flow(&self, ctx: &str) -> Option<Flow> {
        lock(&self.ledger).flows.get(ctx).cloned()
    }

    /// The flow of a form post, if its ctx and flow token are the current ones.
    pub(super) fn posted_flow(
        &self,
        form: &[(String, String)],
    ) -> Result<(String, Flow), HttpResponse> {
        let ctx = field(form, "ctx")
            .or_else(|| field(form, "request"))
            .unwrap_or_default();
        match self.flow(ctx) {
            Some(flow) if Some(flow.flow_token.as_str()) == field(form, "flowToken") => {
                Ok((ctx.to_string(), flow))
            }
            Some(_) => Err(stale("The flowToken is missing or no longer valid.")),
            None => Err(stale(
                "The sign-in session (ctx) is unknown or has expired.",
            )),
        }
    }

    /// The sign-in application's page: username view, or password view with an error, or "Pick an
    /// account" over `sessions`.
    pub(super) fn sign_in_page(
        &self,
        ctx: &str,
        username: Option<&str>,
        error: Option<(&str, &str)>,
        sessions: &[String],
    ) -> HttpResponse {
        let Some(token) = self.rotate(ctx) else {
            return stale("The sign-in session (ctx) is unknown or has expired.");
        };
        let mut config = pages::base_config(
            PageId::SignIn,
            ctx,
            &token,
            &format!("/{}/login", self.config.tenant_id),
        );
        config["urlGetCredentialType"] = json!("/common/GetCredentialType?mkt=en-US");
        config["sPOST_Username"] = json!(username.unwrap_or_default());
        config["fIsFidoSupported"] = json!(true);
        if let Some((code, text)) = error {
            config["sErrorCode"] = json!(code);
            config["sErrTxt"] = json!(text);
        }
        let tiles: Vec<Value> = sessions
            .iter()
            .map(|name| {
                let display = self.config.find(name).map(|u| u.display_name.clone());
                json!({"name": name, "displayName": display.unwrap_or_else(|| name.clone()), "isSignedIn": true})
            })
            .collect();
        config["arrSessions"] = Value::Array(tiles);
        HttpResponse::html(200, pages::shell(&config))
    }

    /// `POST /common/GetCredentialType`: does the account exist, and how does it sign in.
    pub(super) fn credential_type(&self, req: &HttpRequest) -> HttpResponse {
        let sent: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let username = sent["username"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string();
        let ctx = sent["originalRequest"].as_str().unwrap_or_default();
        let Some(flow) = self.flow(ctx) else {
            return json(
                &json!({"ErrorHTML": "AADSTS90100: originalRequest is empty or invalid.", "IfExistsResult": 1}),
            );
        };
        if sent["flowToken"].as_str() != Some(flow.flow_token.as_str()) {
            return json(
                &json!({"ErrorHTML": "AADSTS90100: flowToken is empty or invalid.", "IfExistsResult": 1}),
            );
        }
        let token = self.rotate(ctx).unwrap_or_default();
        let Some(user) = self.config.find(&username) else {
            return json(
                &json!({"Username": username, "Display": username, "IfExistsResult": 1,
                "ThrottleStatus": 0, "Credentials": {"PrefCredential": 1, "HasPassword": true},
                "IsSignupDisallowed": true, "FlowToken": token}),
            );
        };
        let mut credentials = json!({"PrefCredential": 1, "HasPassword": true, "RemoteNgcParams": null,
            "FidoParams": null, "SasParams": null, "CertAuthParams": null, "GoogleParams": null, "FacebookParams": null});
        let mut domain_type = 3;
        match &user.state {
            AccountState::PasskeyOnly => {
                let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(crate::random_bytes(32));
                if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
                    f.fido_challenge = Some(challenge.clone());
                    f.claimed = Some(user.username.clone());
                }
                credentials["PrefCredential"] = json!(7);
                credentials["HasPassword"] = json!(false);
                credentials["FidoParams"] =
                    json!({"Challenge": challenge, "Timeout": 60000, "AllowList": []});
            }
            AccountState::Federated { idp_url } => {
                if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
                    f.claimed = Some(user.username.clone());
                }
                domain_type = 4;
                credentials["PrefCredential"] = json!(4);
                credentials["FederationRedirectUrl"] =
                    json!(federation_url(req, idp_url, &user.username, ctx));
            }
            _ => {}
        }
        json(
            &json!({"Username": user.username, "Display": user.username, "IfExistsResult": 0,
            "IsUnmanaged": false, "ThrottleStatus": 0, "Credentials": credentials,
            "EstsProperties": {"DomainType": domain_type, "UserTenantBranding": null},
            "IsSignupDisallowed": true, "FlowToken": token}),
        )
    }

    /// `POST /TENANT/login`: the form of the sign-in application.
    pub(super) fn login_post(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let (ctx, flow) = match self.posted_flow(&form) {
            Ok(found) => found,
            Err(page) => return page,
        };
        let login = field(&form, "login")
            .or_else(|| field(&form, "loginfmt"))
            .unwrap_or_default()
            .trim()
            .to_string();
        match field(&form, "type") {
            Some("11") => self.password(req, &ctx, &login, field(&form, "passwd")),
            Some("20") => self.pick(req, &ctx, &login),
            Some("23") => self.passkey(req, &ctx, &flow, &form),
            Some("13") => HttpResponse::html(
                200,
                pages::error_page(
                    "50079",
                    "Registration of security information is not emulated: a person completes it at https://aka.ms/mysecurityinfo.",
                ),
            ),
            Some("12") => HttpResponse::html(
                200,
                pages::error_page(
                    "50055",
                    "The password is expired. Change it at https://aka.ms/sspr, then sign in again.",
                ),
            ),
            _ => stale("The sign-in request has no known type."),
        }
    }

    fn password(
        &self,
        req: &HttpRequest,
        ctx: &str,
        login: &str,
        passwd: Option<&str>,
    ) -> HttpResponse {
        lock(&self.ledger).password_posts += 1;
        let Some(user) = self.config.find(login) else {
            return self.sign_in_page(
                ctx,
                Some(login),
                Some(("50034", pages::UNKNOWN_ACCOUNT)),
                &[],
            );
        };
        if let AccountState::Federated { idp_url } = &user.state {
            return HttpResponse::redirect(&federation_url(req, idp_url, &user.username, ctx));
        }
        if user.state == AccountState::Locked {
            return self.sign_in_page(ctx, Some(login), Some(("50053", pages::LOCKED)), &[]);
        }
        let right =
            user.state != AccountState::PasskeyOnly && passwd == Some(user.password.as_str());
        if !right {
            return self.sign_in_page(
                ctx,
                Some(login),
                Some(("50126", pages::WRONG_PASSWORD)),
                &[],
            );
        }
        if user.state == AccountState::PasswordExpired {
            return self.person_page(
                ctx,
                &user.username,
                PageId::ChangePassword,
                "50055",
                pages::PASSWORD_EXPIRED,
            );
        }
        let stop = match user.state {
            AccountState::NeedsRegistration => {
                Some((PageId::ProofUp, "50079", pages::MORE_INFORMATION))
            }
            AccountState::DeviceNotCompliant => {
                Some((PageId::Error, "53000", pages::DEVICE_NOT_COMPLIANT))
            }
            _ => None,
        };
        if let Some((page, code, words)) = stop {
            return self.person_page(ctx, &user.username, page, code, words);
        }
        if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
            f.username = Some(user.username.clone());
        }
        if user.methods.is_empty() {
            return self.verified(req, ctx, &user.username, None);
        }
        self.tfa_page(ctx, user, None)
    }

    /// A page only a person can get past (update the password, register a method, use a managed
    /// device): its form leads nowhere the emulator follows.
    fn person_page(
        &self,
        ctx: &str,
        username: &str,
        page: PageId,
        code: &str,
        words: &str,
    ) -> HttpResponse {
        let token = self.rotate(ctx).unwrap_or_default();
        let post_to = format!("/{}/login", self.config.tenant_id);
        let mut config = pages::base_config(page, ctx, &token, &post_to);
        config["sPOST_Username"] = json!(username);
        config["sErrorCode"] = json!(code);
        config["sErrTxt"] = json!(words);
        HttpResponse::html(200, pages::shell(&config))
    }

    /// A tile of "Pick an account": silent if the browser's session knows the account.
    fn pick(&self, req: &HttpRequest, ctx: &str, login: &str) -> HttpResponse {
        let known = self
            .session_accounts(req)
            .into_iter()
            .find(|a| a.eq_ignore_ascii_case(login));
        match known {
            Some(account) => self.finish(req, ctx, &account, true, None, None),
            None => self.sign_in_page(ctx, Some(login), None, &[]),
        }
    }

    /// A passkey assertion: its clientDataJSON must be a `webauthn.get` over this flow's challenge
    /// (the signature is not checked: the emulator keeps no public keys).
    fn passkey(
        &self,
        req: &HttpRequest,
        ctx: &str,
        flow: &Flow,
        form: &[(String, String)],
    ) -> HttpResponse {
        let client_data = field(form, "clientDataJSON")
            .and_then(|d| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(d.trim_end_matches('='))
                    .ok()
            })
            .and_then(|d| serde_json::from_slice::<Value>(&d).ok())
            .unwrap_or_default();
        let fits = client_data["type"] == "webauthn.get"
            && flow.fido_challenge.is_some()
            && client_data["challenge"].as_str() == flow.fido_challenge.as_deref()
            && !field(form, "credentialId").unwrap_or_default().is_empty();
        match (fits, flow.claimed.clone()) {
            (true, Some(username)) => {
                if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
                    f.username = Some(username.clone());
                }
                self.verified(req, ctx, &username, Some("PasskeyFido"))
            }
            _ => self.sign_in_page(ctx, None, Some(("135011", pages::PASSKEY_FAILED)), &[]),
        }
    }

    /// `POST /login.srf`: the federated IdP's SAMLResponse for the account of flow `wctx`.
    pub(super) fn federation_return(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let ctx = field(&form, "wctx")
            .or_else(|| field(&form, "RelayState"))
            .unwrap_or_default();
        let Some(claimed) = self.flow(ctx).and_then(|f| f.claimed) else {
            return stale("The federated sign-in came back without a known wctx.");
        };
        let xml = field(&form, "SAMLResponse")
            .map(|b| b.split_whitespace().collect::<String>())
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|x| String::from_utf8(x).ok())
            .and_then(|x| saml::parse_response(&x).ok());
        let vouches = xml.is_some_and(|r| {
            r.first(saml::SESSION_NAME_ATTR)
                .is_some_and(|n| n.eq_ignore_ascii_case(&claimed))
        });
        if !vouches {
            return HttpResponse::html(
                200,
                pages::error_page(
                    "50107",
                    "The requested federation realm object does not exist or the federated token is not for this user.",
                ),
            );
        }
        if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
            f.username = Some(claimed.clone());
        }
        self.verified(req, ctx, &claimed, Some("Federated"))
    }
}

/// The federated IdP's address with Entra's WS-Federation parameters (`wctx` carries the flow).
/// `wreply` is this emulator's `/login.srf`, on the host the browser reached it by.
fn federation_url(req: &HttpRequest, idp_url: &str, username: &str, ctx: &str) -> String {
    let host = req.header("host").unwrap_or("127.0.0.1");
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("username", username)
        .append_pair("wa", "wsignin1.0")
        .append_pair("wtrealm", "urn:federation:MicrosoftOnline")
        .append_pair("wreply", &format!("http://{host}{FEDERATION_RETURN_PATH}"))
        .append_pair("wctx", ctx)
        .finish();
    let sep = if idp_url.contains('?') { '&' } else { '?' };
    format!("{idp_url}{sep}{query}")
}

fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.query_pairs()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Entra's error page for a request out of its flow (a stale ctx or flow token): AADSTS90100.
pub(super) fn stale(detail: &str) -> HttpResponse {
    HttpResponse::html(200, pages::error_page("90100", detail))
}
