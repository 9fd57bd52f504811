//! The end of an Entra emulator sign-in: "Stay signed in?", the SAMLResponse page, and the browser
//! session behind the cookies: ESTSAUTH (a session cookie) for every sign-in, ESTSAUTHPERSISTENT
//! (90 days) only after "Yes", and the accounts each session knows ("Pick an account").

use super::flow::stale;
use super::pages::{self, PageId};
use super::{KmsiAnswer, PERSISTENT_COOKIE, SESSION_COOKIE, SignIn, Tenant};
use crate::http::{HttpRequest, HttpResponse, field, lock};
use crate::saml::{self, AssertionSpec, XmlStyle};
use serde_json::json;
use std::time::{Duration, Instant};

/// A cookie value handed out: the browser session it stands for.
pub(super) struct IssuedCookie {
    session: String,
    issued: Instant,
    persistent: bool,
}

const PERSISTENT_DAYS: i64 = 90;

impl Tenant {
    /// Every proof done: "Stay signed in?" (unless the tenant or the person turned it off), else
    /// the SAMLResponse.
    pub(super) fn verified(
        &self,
        req: &HttpRequest,
        ctx: &str,
        username: &str,
        method: Option<&str>,
    ) -> HttpResponse {
        if let Some(f) = lock(&self.ledger).flows.get_mut(ctx) {
            f.verified = method.map(String::from);
        }
        let remembered = lock(&self.ledger)
            .kmsi_suppressed
            .get(&username.to_ascii_lowercase())
            .copied();
        if !self.config.kmsi || remembered.is_some() {
            return self.finish(
                req,
                ctx,
                username,
                false,
                method,
                remembered.map(|stay| (stay, true)),
            );
        }
        let Some(token) = self.rotate(ctx) else {
            return stale("The sign-in session (ctx) is unknown or has expired.");
        };
        let mut config = pages::base_config(PageId::Kmsi, ctx, &token, "/kmsi");
        config["sPOST_Username"] = json!(username);
        HttpResponse::html(200, pages::shell(&config))
    }

    /// `POST /kmsi`: Yes (LoginOptions=1) or No (3), then the SAMLResponse.
    pub(super) fn kmsi(&self, req: &HttpRequest) -> HttpResponse {
        let form = req.form();
        let (ctx, flow) = match self.posted_flow(&form) {
            Ok(found) => found,
            Err(page) => return page,
        };
        let Some(username) = flow.username.clone() else {
            return stale("Stay signed in? was answered before a sign-in.");
        };
        let stay = field(&form, "LoginOptions") == Some("1");
        let dont_show_again = field(&form, "DontShowAgain") == Some("true");
        {
            let mut ledger = lock(&self.ledger);
            ledger.kmsi.push(KmsiAnswer {
                username: username.clone(),
                stay_signed_in: stay,
                dont_show_again,
            });
            if dont_show_again {
                ledger
                    .kmsi_suppressed
                    .insert(username.to_ascii_lowercase(), stay);
            }
        }
        self.finish(
            req,
            &ctx,
            &username,
            false,
            flow.verified.as_deref(),
            Some((stay, dont_show_again)),
        )
    }

    /// The end: the SAMLResponse page, the account added to the browser's session, ESTSAUTH set
    /// and, when the person chose to stay signed in, ESTSAUTHPERSISTENT.
    pub(super) fn finish(
        &self,
        req: &HttpRequest,
        ctx: &str,
        username: &str,
        silent: bool,
        method: Option<&str>,
        kmsi: Option<(bool, bool)>,
    ) -> HttpResponse {
        let Some(user) = self.config.find(username) else {
            return stale("The session's account no longer exists.");
        };
        let xml = saml::response_xml(&AssertionSpec {
            issuer: self.config.issuer.clone(),
            name_id: user.username.clone(),
            session_name: user.session_name.clone(),
            roles: user.roles.clone(),
            session_duration: None,
            destination: saml::AWS_SIGNIN.into(),
            lifetime: Duration::from_secs(300),
            style: XmlStyle::AdfsDefaultNamespace,
        });
        let encoded = saml::encode(&xml, None);
        let relay = self.flow(ctx).map(|f| f.relay_state).unwrap_or_default();
        let mut response = HttpResponse::html(200, pages::saml_post_page(&encoded, &relay));
        {
            let mut ledger = lock(&self.ledger);
            ledger.flows.remove(ctx);
            ledger.assertions.push(encoded);
            ledger.sign_ins.push(SignIn {
                username: user.username.clone(),
                silent,
                method: method.map(String::from),
            });
        }
        if !silent {
            for cookie in self.remember(req, &user.username, kmsi.is_some_and(|(stay, _)| stay)) {
                response = response.with_header("Set-Cookie", &cookie);
            }
        }
        response
    }

    /// The accounts the browser's session cookies (ESTSAUTH or ESTSAUTHPERSISTENT) are signed in to.
    /// An ESTSAUTH older than [`EntraConfig::session_cookie_lifetime`](super::EntraConfig) counts
    /// for nothing (a client may keep a session cookie across restarts; Entra bounds its session).
    pub(super) fn session_accounts(&self, req: &HttpRequest) -> Vec<String> {
        let ledger = lock(&self.ledger);
        let lifetime = self.config.session_cookie_lifetime;
        [SESSION_COOKIE, PERSISTENT_COOKIE]
            .iter()
            .filter_map(|name| req.cookie(name))
            .filter_map(|value| ledger.cookies.get(&value))
            .filter(|c| c.persistent || lifetime.is_none_or(|l| c.issued.elapsed() < l))
            .find_map(|c| ledger.sessions.get(&c.session).cloned())
            .unwrap_or_default()
    }

    /// Adds `username` to the browser's session (a new one if it has none) and returns the cookies
    /// to set.
    fn remember(&self, req: &HttpRequest, username: &str, persistent: bool) -> Vec<String> {
        let existing = {
            let ledger = lock(&self.ledger);
            [SESSION_COOKIE, PERSISTENT_COOKIE]
                .iter()
                .filter_map(|name| req.cookie(name))
                .find_map(|value| ledger.cookies.get(&value).map(|c| c.session.clone()))
        };
        let sid = existing.unwrap_or_else(crate::uuid);
        let session_value = self.secret_value(96);
        let persistent_value = persistent.then(|| self.secret_value(96));
        let mut ledger = lock(&self.ledger);
        let accounts = ledger.sessions.entry(sid.clone()).or_default();
        if !accounts.iter().any(|a| a.eq_ignore_ascii_case(username)) {
            accounts.push(username.to_string());
        }
        let issued = Instant::now();
        let session_cookie = IssuedCookie {
            session: sid.clone(),
            issued,
            persistent: false,
        };
        ledger.cookies.insert(session_value.clone(), session_cookie);
        let mut cookies = vec![format!(
            "{SESSION_COOKIE}={session_value}; path=/; HttpOnly"
        )];
        if let Some(value) = persistent_value {
            let cookie = IssuedCookie {
                session: sid,
                issued,
                persistent: true,
            };
            ledger.cookies.insert(value.clone(), cookie);
            let expires = time::OffsetDateTime::now_utc() + time::Duration::days(PERSISTENT_DAYS);
            cookies.push(format!(
                "{PERSISTENT_COOKIE}={value}; expires={}; path=/; HttpOnly",
                crate::sts::spoil::http_date(expires)
            ));
        }
        cookies
    }
}
