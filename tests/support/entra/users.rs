//! Who can sign in to the Entra emulator and how: accounts with their password, verification
//! methods (authenticator code, push with number matching, SMS), passkey-only, federated, locked or
//! expired; and tenant-wide switches (poll interval, push time-out, KMSI prompt).

use crate::saml::SamlRole;
use std::time::Duration;

/// How the person answers a push notification ("Approve sign in request").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAnswer {
    /// Approved (the right number chosen) once the page has polled this many times.
    ApproveAfterPolls(u32),
    /// Denied ("No, it's not me") once the page has polled this many times.
    DenyAfterPolls(u32),
    /// Nobody answers: after the tenant's `push_timeout_polls` the page shows "We didn't hear from you".
    Never,
    /// The test decides with `EntraEmulator::approve_push` / `deny_push`.
    Manual,
}

/// One registered verification method, as Entra lists them under "Verify your identity".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// "Approve a request on my Microsoft Authenticator app" (authMethodId `PhoneAppNotification`).
    Push(PushAnswer),
    /// "Use a verification code" (`PhoneAppOTP`): a real RFC 6238 code (SHA-1, 6 digits, 30 s) from this secret.
    Totp { secret: Vec<u8> },
    /// The same method with one code the test fixed instead of a clock-based one.
    FixedCode(String),
    /// "Text +X XXXXXXXX12" (`OneWaySMS`): the "texted" code is this one.
    Sms { phone: String, code: String },
}

impl Method {
    /// Entra's authMethodId for this method.
    pub fn auth_method_id(&self) -> &'static str {
        match self {
            Method::Push(_) => "PhoneAppNotification",
            Method::Totp { .. } | Method::FixedCode(_) => "PhoneAppOTP",
            Method::Sms { .. } => "OneWaySMS",
        }
    }

    /// The entry's words in the method list.
    pub fn display(&self) -> String {
        match self {
            Method::Push(_) => "Approve a request on my Microsoft Authenticator app".into(),
            Method::Totp { .. } | Method::FixedCode(_) => "Use a verification code".into(),
            Method::Sms { phone, .. } => format!("Text {}", masked_phone(phone)),
        }
    }
}

/// `+1 5551234512` → `+X XXXXXXXX12`, as Entra masks a phone number.
pub fn masked_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let tail: String = digits.iter().skip(digits.len().saturating_sub(2)).collect();
    format!("+X {}{tail}", "X".repeat(digits.len().saturating_sub(3)))
}

/// What kind of account this is, beyond its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountState {
    Active,
    /// AADSTS50053: the account is locked (too many attempts or by an admin).
    Locked,
    /// AADSTS50055: the right password has expired; the page asks to update it.
    PasswordExpired,
    /// No password at all: only a passkey (FIDO2) signs in.
    PasskeyOnly,
    /// After the right password: "More information required" (a first-time MFA registration a
    /// person must do in a browser).
    NeedsRegistration,
    /// After the right password: AADSTS53000, "You can't get there from here" (conditional access
    /// wants a compliant, managed device).
    DeviceNotCompliant,
    /// The domain is federated: "Next" redirects to this IdP URL (an AD FS emulator's sign-in URL).
    Federated {
        idp_url: String,
    },
}

/// An account in the tenant.
#[derive(Debug, Clone)]
pub struct EntraUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub roles: Vec<SamlRole>,
    /// The RoleSessionName attribute (default: the user name).
    pub session_name: Option<String>,
    /// Registered methods; the first is the default one. Empty: password only.
    pub methods: Vec<Method>,
    /// Several methods: start on the "Verify your identity" list instead of the default method.
    pub start_with_method_list: bool,
    pub state: AccountState,
}

impl EntraUser {
    pub fn new(username: &str, password: &str, roles: Vec<SamlRole>) -> Self {
        EntraUser {
            username: username.into(),
            password: password.into(),
            display_name: username.split('@').next().unwrap_or(username).into(),
            roles,
            session_name: Some(username.into()),
            methods: Vec::new(),
            start_with_method_list: false,
            state: AccountState::Active,
        }
    }

    /// Adds a verification method (the first added is the default one).
    pub fn method(mut self, method: Method) -> Self {
        self.methods.push(method);
        self
    }

    pub fn totp(self, secret: &[u8]) -> Self {
        self.method(Method::Totp {
            secret: secret.to_vec(),
        })
    }

    pub fn push(self, answer: PushAnswer) -> Self {
        self.method(Method::Push(answer))
    }

    pub fn start_with_method_list(mut self) -> Self {
        self.start_with_method_list = true;
        self
    }

    pub fn state(mut self, state: AccountState) -> Self {
        self.state = state;
        self
    }

    pub fn locked(self) -> Self {
        self.state(AccountState::Locked)
    }

    pub fn password_expired(self) -> Self {
        self.state(AccountState::PasswordExpired)
    }

    pub fn passkey_only(self) -> Self {
        self.state(AccountState::PasskeyOnly)
    }

    pub fn federated(self, idp_url: &str) -> Self {
        self.state(AccountState::Federated {
            idp_url: idp_url.into(),
        })
    }
}

/// The tenant: its accounts and its sign-in switches.
#[derive(Debug, Clone)]
pub struct EntraConfig {
    pub users: Vec<EntraUser>,
    pub tenant_id: String,
    pub app_id: String,
    /// How often the push page polls (`iPollingInterval` in `$Config`).
    pub poll_interval: Duration,
    /// Polls without an answer after which a push times out (`PhoneAppNoResponse`).
    pub push_timeout_polls: u32,
    /// Show "Stay signed in?" after a sign-in (the tenant's KMSI setting; on in Entra by default).
    pub kmsi: bool,
    pub issuer: String,
    /// How long an ESTSAUTH (session cookie) is honoured without ESTSAUTHPERSISTENT: None, as long
    /// as the emulator runs.
    pub session_cookie_lifetime: Option<Duration>,
}

impl Default for EntraConfig {
    fn default() -> Self {
        EntraConfig {
            users: Vec::new(),
            tenant_id: "8f0c2d1e-5b7a-4c3e-9d21-6a4b3c2d1e0f".into(),
            app_id: "1c7e9a52-3b4d-4e6f-8a1b-2c3d4e5f6a7b".into(),
            poll_interval: Duration::from_millis(300),
            push_timeout_polls: 20,
            kmsi: true,
            issuer: "https://sts.windows.net/8f0c2d1e-5b7a-4c3e-9d21-6a4b3c2d1e0f/".into(),
            session_cookie_lifetime: None,
        }
    }
}

impl EntraConfig {
    pub fn user(mut self, user: EntraUser) -> Self {
        self.users.push(user);
        self
    }

    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    pub fn push_timeout_polls(mut self, polls: u32) -> Self {
        self.push_timeout_polls = polls;
        self
    }

    pub fn session_cookie_lifetime(mut self, lifetime: Duration) -> Self {
        self.session_cookie_lifetime = Some(lifetime);
        self
    }

    pub fn without_kmsi(mut self) -> Self {
        self.kmsi = false;
        self
    }

    pub fn find(&self, username: &str) -> Option<&EntraUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username.trim()))
    }
}
