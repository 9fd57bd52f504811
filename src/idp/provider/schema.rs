//! The provider file format: what a TOML file in `providers/` may say, with the engine's rule for
//! each key that is left out. `providers/README.md` is the short form of this file.

use scraper::Selector;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A CSS selector, checked when the file is read.
#[derive(Debug, Clone)]
pub struct Css(Selector, String);

impl TryFrom<String> for Css {
    type Error = String;
    fn try_from(css: String) -> Result<Self, String> {
        Selector::parse(&css)
            .map(|sel| Css(sel, css.clone()))
            .map_err(|e| format!("'{css}' is not a CSS selector the engine understands ({e})"))
    }
}

impl<'de> Deserialize<'de> for Css {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let css = String::deserialize(d)?;
        Css::try_from(css).map_err(serde::de::Error::custom)
    }
}

impl Css {
    pub fn selector(&self) -> &Selector {
        &self.0
    }

    /// The selector as written, for a page's own `querySelectorAll` in a browser.
    pub fn source(&self) -> &str {
        &self.1
    }
}

/// One IdP, as a provider file describes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// The file name without `.toml`; not written in the file.
    #[serde(skip)]
    pub name: String,
    /// One line for people: which product and versions the file is for.
    #[serde(default)]
    pub description: String,
    /// How its pages are recognised when no provider is named.
    #[serde(default)]
    pub detect: Detect,
    /// Its pages are drawn by script (Entra ID): a page it recognises selects the browser engine.
    #[serde(default)]
    pub browser: bool,
    /// A service that IdPs hand the user to (Duo's Universal Prompt): a page it recognises by its
    /// content is read with its rules, whichever provider the profile names.
    #[serde(default)]
    pub service: bool,
    /// The sign-in form (username and password, or a page of one of them).
    #[serde(default)]
    pub login: LoginStep,
    /// The one-time-code page.
    #[serde(default)]
    pub mfa: MfaStep,
    /// A page that waits for the user to approve on another device (push), if the IdP has one.
    #[serde(default)]
    pub push: Option<PushStep>,
    /// Pages to accept as they are, pressing a button (Shibboleth's attribute-release consent).
    #[serde(default)]
    pub confirm: Vec<ConfirmStep>,
    /// Pages that offer several ways to verify, one to pick (AD FS's authentication methods).
    #[serde(default)]
    pub choose: Vec<ChooseStep>,
    /// Pages the engine recognises but cannot drive: the sign-in stops with their message.
    #[serde(default)]
    pub unsupported: Vec<Unsupported>,
    /// Script calls that load the next page (NetIQ's `getToContent('/nidp/app/login?…')`).
    #[serde(default)]
    pub script_links: Vec<ScriptLink>,
    /// Where the IdP writes why it said no.
    #[serde(default)]
    pub errors: ErrorText,
    /// Forms never to post, whatever they contain (AD FS's hidden `options` form).
    #[serde(default)]
    pub ignore_forms: Vec<Css>,
}

/// A page belongs to the provider when one of `selectors` matches an element of the page, or else
/// when its URL path contains one of `url_paths` (without case). A provider with neither is used only
/// by name. Selectors are tried for every provider before any URL path: what a page holds says more
/// than where it lives (AD FS 2.0 and AD FS 3+ share `/adfs/ls/`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    #[serde(default)]
    pub url_paths: Vec<String>,
    #[serde(default)]
    pub selectors: Vec<Css>,
    /// Markers in the page's inline scripts (Entra's embedded `$Config` names), for pages whose
    /// elements a script draws: what an HTTP fetch sees before any script ran.
    #[serde(default)]
    pub scripts: Vec<String>,
}

/// Which pages a rule is for: one of `selectors` matches an element, or the page's visible text
/// contains one of `texts` (compared without case). Empty: no page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMatch {
    #[serde(default)]
    pub selectors: Vec<Css>,
    #[serde(default)]
    pub texts: Vec<String>,
}

/// The sign-in form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginStep {
    /// The form. Without it: a form holding a visible password field, or a form whose only typed
    /// field is named in `username` (the first page of a paginated sign-in).
    pub form: Option<Css>,
    /// Names of the username field. Without a match: the first visible text field before the password.
    #[serde(default)]
    pub username: Vec<String>,
    /// Names of the password field. Without a match: the form's first visible password field.
    #[serde(default)]
    pub password: Vec<String>,
    /// The name of the submit button to press. Without it: the first submit button, as Enter does.
    pub click: Option<String>,
    /// Fields to set (added when missing) on every post of this form: what the IdP's script would set
    /// (AD FS: `AuthMethod = "FormsAuthentication"`; PingFederate: `"pf.ok" = "clicked"`).
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// The one-time-code page: a form with a visible field named in `fields`, or whose `autocomplete` is
/// in `autocomplete`. When that form also has an empty visible username field (NetIQ's RSA form
/// asks for both), the username is sent with the code.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaStep {
    /// Restricts the search to this form.
    pub form: Option<Css>,
    #[serde(default)]
    pub fields: Vec<String>,
    /// `autocomplete` values that mark a code field (`one-time-code`).
    #[serde(default)]
    pub autocomplete: Vec<String>,
    /// Parts of a name that mark a code field (`otp`, `code`), compared without case; used only on
    /// forms without a visible password field, so a sign-in form's captcha is not taken for one.
    #[serde(default)]
    pub name_contains: Vec<String>,
    /// What to call the code when the page has no label for it.
    pub label: Option<String>,
    /// As in `[login]`.
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// A code page asking for the code that follows the one just sent (RSA SecurID's next-tokencode
    /// mode). Asking again is then not a refusal: a fresh code is fetched and sent.
    #[serde(default)]
    pub next_code: PageMatch,
}

/// A page that waits for an approval elsewhere (AD FS with Azure MFA push: a form with
/// `AuthMethod=AzureMfaAuthentication` and no code field; Azure MFA Server, whose answer to the post
/// comes only once the phone call or app is answered). The engine shows `message` (and the number to
/// match), then re-posts the form every `interval_seconds` until the IdP answers with another page,
/// for at most `timeout_seconds` in all, each post allowed to wait that long for its answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushStep {
    /// The page is a push page when one of these matches.
    pub selectors: Vec<Css>,
    /// The form to re-post. Without a match: the form holding the first match of `selectors`, else
    /// the page's first form that is not ignored.
    pub form: Option<Css>,
    /// An element whose text is the number the user must pick on their phone.
    pub number: Option<Css>,
    /// How the number is told, `{number}` standing for it (default: "pick the number {number}";
    /// Duo's Verified Push: "type {number} in Duo Mobile").
    pub number_words: Option<String>,
    /// In the browser engine: the link to the page's other ways to verify, pressed instead of
    /// waiting when `saml_mfa_factor` asks for a code, or a code is at hand without it (Duo's
    /// "Other options" under a push it sent by itself).
    pub other: Option<Css>,
    #[serde(default = "PushStep::default_message")]
    pub message: String,
    #[serde(default = "PushStep::default_interval")]
    pub interval_seconds: u64,
    #[serde(default = "PushStep::default_timeout")]
    pub timeout_seconds: u64,
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

impl PushStep {
    fn default_message() -> String {
        "approve the sign-in request on your phone".into()
    }
    fn default_interval() -> u64 {
        3
    }
    fn default_timeout() -> u64 {
        120
    }
}

/// A page the engine accepts as the IdP shows it (boxes ticked as they are), pressing `click`. Seen
/// at most twice in one sign-in: an IdP that keeps showing it wants something else.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmStep {
    /// The pages: as in a page match.
    #[serde(default)]
    pub selectors: Vec<Css>,
    #[serde(default)]
    pub texts: Vec<String>,
    /// The form to post. Without it: the form holding the first match of `selectors`, else the
    /// page's first form that is not ignored.
    pub form: Option<Css>,
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// What is being accepted, for the log (`-v`).
    #[serde(default = "ConfirmStep::default_message")]
    pub message: String,
    /// The other answer, given when the profile says no to staying signed in
    /// (`saml_entra_stay_signed_in = false`): Entra's "Stay signed in?" No.
    pub decline: Option<Decline>,
}

/// How a confirm page is declined.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    #[serde(default = "ConfirmStep::default_message")]
    pub message: String,
}

impl ConfirmStep {
    fn default_message() -> String {
        "accepting the page as it is".into()
    }
}

/// A page that offers several ways to verify, of which one is picked: the one `saml_mfa_factor`
/// names, else a code method when a code is at hand, else one a phone answers (push, call), else a
/// code method; never one only a browser can do (Duo, certificates, security keys). Its value is
/// posted in `field` of `form`, as the option's script would, and the adapter's page follows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChooseStep {
    /// The pages: as in a page match; there must also be at least one option.
    #[serde(default)]
    pub selectors: Vec<Css>,
    #[serde(default)]
    pub texts: Vec<String>,
    /// The form to post. Without a match: the page's first form.
    pub form: Option<Css>,
    /// Names of the field the option sets (the first the form has, else the first): `AuthMethod`.
    /// An option whose script is ASP.NET's `__doPostBack` sets `__EVENTTARGET` and
    /// `__EVENTARGUMENT` instead.
    #[serde(default)]
    pub field: Vec<String>,
    /// The option elements. Each one's value is the first quoted argument of its `onclick` (or
    /// `javascript:` link), else its `data-value`, `value` or `id`; its label is its text.
    pub options: Vec<Css>,
    pub click: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// A page that needs a person in a browser (a factor only a browser can use, an enrolment step): the
/// sign-in stops with exit 4 and `message` as the next step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsupported {
    #[serde(default)]
    pub selectors: Vec<Css>,
    #[serde(default)]
    pub texts: Vec<String>,
    pub message: String,
}

/// An inline script calling `call` with a quoted URL as its first argument loads the next page: the
/// engine gets that URL (against the page), with `append_query` added to its query when set. Used
/// only for pages that have nothing else to act on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptLink {
    /// The function name as written before its `(`: `getToContent`.
    pub call: String,
    /// `name=value` added to the URL's query (NetIQ: `uiDestination=contentDiv`).
    pub append_query: Option<String>,
}

/// Where the IdP says why it refused, read only after credentials or a code were sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorText {
    /// Elements whose visible text, when not empty, is the IdP's answer.
    #[serde(default)]
    pub selectors: Vec<Css>,
    /// Elements that carry a code instead of words, which script turns into text in a browser.
    #[serde(default)]
    pub codes: Vec<ErrorCodes>,
}

/// An error told by a code in an attribute (LemonLDAP::NG: `<span trmsg="5">`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    pub selector: Css,
    pub attribute: String,
    /// Code → the words to show.
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    /// What to show for a code not in `messages`; `{code}` is replaced by the code.
    #[serde(default = "ErrorCodes::default_unknown")]
    pub unknown: String,
    /// Codes that are not refusals (information messages); ignored.
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl ErrorCodes {
    fn default_unknown() -> String {
        "error code {code}".into()
    }

    /// The words for `code`.
    pub fn words(&self, code: &str) -> String {
        match self.messages.get(code) {
            Some(words) => words.clone(),
            None => self.unknown.replace("{code}", code),
        }
    }
}
