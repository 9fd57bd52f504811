//! Who can sign in to the AD FS emulator and how the farm is set up: users with their roles, MFA
//! step or surprise page, and farm-wide switches (paginated sign-in, base64 wrapping, XML style).

use crate::saml::{SamlRole, XmlStyle};

/// The one-time-code step a user must pass after the password.
#[derive(Debug, Clone)]
pub struct MfaChallenge {
    /// The input's name: `VerificationCode` (Azure MFA), `OathCode`, `SecurityCode`, `Passcode`…
    pub field: String,
    pub code: String,
    /// The hidden AuthMethod the page carries, e.g. `AzureMfaAuthentication`.
    pub auth_method: String,
}

/// An account on the IdP.
#[derive(Debug, Clone)]
pub struct AdfsUser {
    pub username: String,
    pub password: String,
    pub roles: Vec<SamlRole>,
    pub session_name: Option<String>,
    pub session_duration: Option<i32>,
    pub mfa: Option<MfaChallenge>,
    /// After a right password, this page (title, text) instead of a session: a page nobody expects.
    pub unexpected_page: Option<(String, String)>,
    /// Second factor through Duo's adapter (Universal Prompt), with the farm's `duo` service.
    pub duo: bool,
}

impl AdfsUser {
    /// RoleSessionName defaults to the user name, as AD FS rules usually map it from the UPN.
    pub fn new(username: &str, password: &str) -> Self {
        AdfsUser {
            username: username.into(),
            password: password.into(),
            roles: Vec::new(),
            session_name: Some(username.into()),
            session_duration: None,
            mfa: None,
            unexpected_page: None,
            duo: false,
        }
    }

    pub fn role(mut self, role: SamlRole) -> Self {
        self.roles.push(role);
        self
    }

    pub fn session_duration(mut self, seconds: i32) -> Self {
        self.session_duration = Some(seconds);
        self
    }

    pub fn session_name(mut self, name: Option<&str>) -> Self {
        self.session_name = name.map(String::from);
        self
    }

    /// Azure MFA-style code step with the given input name (`VerificationCode`, `OathCode`…).
    pub fn mfa(mut self, field: &str, code: &str) -> Self {
        self.mfa = Some(MfaChallenge {
            field: field.into(),
            code: code.into(),
            auth_method: "AzureMfaAuthentication".into(),
        });
        self
    }

    /// The second factor is Duo's Universal Prompt (the farm must have a `duo` service).
    pub fn duo(mut self) -> Self {
        self.duo = true;
        self
    }

    pub fn unexpected_page(mut self, title: &str, text: &str) -> Self {
        self.unexpected_page = Some((title.into(), text.into()));
        self
    }
}

/// The whole IdP: its users and how it renders.
#[derive(Debug, Clone)]
pub struct AdfsConfig {
    pub users: Vec<AdfsUser>,
    /// AD FS 2019 paginated sign-in (EnablePaginatedAuthenticationPages): a farm-wide switch.
    pub paginated: bool,
    /// Wrap the SAMLResponse's base64 at this width (None: one line).
    pub wrap_base64: Option<usize>,
    pub style: XmlStyle,
    pub issuer: String,
    /// What the error element says after a wrong password (a customised theme may say anything).
    pub wrong_password_text: String,
    /// The IdP's clock minus the real one, shown in its `Date` header (a farm with a wrong clock).
    pub clock_offset: time::Duration,
    /// Windows integrated authentication for the user agents it supports (`/adfs/ls/wia`).
    pub integrated: Option<crate::krb::IntegratedAuth>,
    /// Federated behind an Entra ID: a sign-in that came with WS-Federation's `wreply` and `wctx`
    /// (as Entra's redirect sends them) posts its SAMLResponse back to `wreply`, not to AWS.
    pub federated_behind_entra: bool,
    /// Duo's AD FS adapter, for users whose second factor is Duo.
    pub duo: Option<crate::duo::DuoService>,
    /// Accepts a first POST of credentials without the context cookie, as AD FS does for
    /// IdP-initiated sign-on (aws-adfs posts at once); otherwise such a post is MSIS7042.
    pub direct_post: bool,
}

impl Default for AdfsConfig {
    fn default() -> Self {
        AdfsConfig {
            users: Vec::new(),
            paginated: false,
            wrap_base64: Some(76),
            style: XmlStyle::AdfsDefaultNamespace,
            issuer: "http://adfs.corp.example/adfs/services/trust".into(),
            wrong_password_text: super::pages::WRONG_PASSWORD.into(),
            clock_offset: time::Duration::ZERO,
            integrated: None,
            federated_behind_entra: false,
            duo: None,
            direct_post: false,
        }
    }
}

impl AdfsConfig {
    /// The farm's clock runs this far from the real one (negative: behind); its `Date` says so.
    pub fn clock_offset(mut self, offset: time::Duration) -> Self {
        self.clock_offset = offset;
        self
    }

    /// Offers integrated auth (Kerberos, NTLM) to WIA user agents, forms to the others, as AD FS.
    pub fn integrated(mut self, wia: crate::krb::IntegratedAuth) -> Self {
        self.integrated = Some(wia);
        self
    }

    /// Sign-ins sent by a federating Entra ID go back to it (see `federated_behind_entra`).
    pub fn federated_behind_entra(mut self) -> Self {
        self.federated_behind_entra = true;
        self
    }

    /// Duo Security's AD FS adapter, talking to this Duo.
    pub fn duo(mut self, duo: crate::duo::DuoService) -> Self {
        self.duo = Some(duo);
        self
    }

    /// See `direct_post`.
    pub fn direct_post(mut self) -> Self {
        self.direct_post = true;
        self
    }

    pub fn user(mut self, user: AdfsUser) -> Self {
        self.users.push(user);
        self
    }

    pub fn paginated(mut self) -> Self {
        self.paginated = true;
        self
    }

    pub fn wrong_password_text(mut self, text: &str) -> Self {
        self.wrong_password_text = text.into();
        self
    }
}
