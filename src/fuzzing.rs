//! The one door the fuzz targets (`fuzz/`) come in by: thin forwards to the functions the binary runs
//! on what others wrote (IdP pages, SAML responses, STS and Okta answers, the AWS files, provider
//! files, the cache and saved sessions, durations and ARNs), so the targets keep working when the
//! modules behind them become `pub(crate)`. Not an API: hidden from the docs, changed at will.

use crate::answers::prompt::NoPrompt;
use crate::config::{ChainSelect, ConfigError, ConfigFile, Plan};
use crate::idp::classify::{self, PageKind, Progress};
use crate::idp::form::{Click, Form};
use crate::idp::http::IdpSession;
use crate::idp::okta::{api::OktaApi, factors};
use crate::idp::page::Page;
use crate::idp::provider::{self, Provider, Providers};
use crate::idp::{IdpError, LoginRequest};
use crate::role::RoleError;
use crate::sink::credentials_file::{self, FileError};
use crate::state::cache::{CacheKey, CachedSession, CredentialCache};
use crate::state::sessions::SavedSessions;
use crate::state::{StateDir, StateError};
use crate::sts::{HopRequest, SamlRoleRequest, SdkSts, Sts, StsError};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;
use time::OffsetDateTime;

pub use crate::config::duration::{DurationError, format_duration, parse_duration};
pub use crate::credentials::Credentials;
pub use crate::saml::{
    MAX_BASE64_BYTES, MAX_XML_BYTES, Partition, RoleOption, SamlAssertion, SamlClaims, SamlError,
};
pub use crate::secret::Secret;
pub use aws_sdk_sts::config::SharedHttpClient;

// ---------------------------------------------------------------- IdP pages

/// The built-in provider files, by name.
pub fn built_in_providers() -> Vec<&'static str> {
    provider::built_in_names()
}

static PROVIDERS: LazyLock<Result<Providers, String>> =
    LazyLock::new(|| Providers::load(None).map_err(|e| e.to_string()));

/// A provider file read by `provider_file`, to read pages with.
pub struct ProviderFile(Provider);

/// Reads a provider file as a user's `NAME.toml` is read.
pub fn provider_file(name: &str, text: &str) -> Result<ProviderFile, IdpError> {
    provider::parse(name, text, Path::new("fuzz.toml")).map(ProviderFile)
}

/// Which provider reads a page.
pub enum Reader<'a> {
    /// Found from the page, as when no provider is named (`sticky`: the previous page's).
    Detect {
        sticky: Option<&'a str>,
    },
    /// A built-in provider by name (`--provider`).
    Named(&'a str),
    /// No provider file: the rules of the engine alone (Okta's app page).
    Bare,
    File(&'a ProviderFile),
}

/// What the engine has sent before the page (it changes what a page means).
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub username: bool,
    pub password: bool,
    /// The code field last posted.
    pub code: Option<String>,
    pub next_code: bool,
    /// The confirm rules applied so far.
    pub confirmed: Vec<usize>,
}

/// One page as the engine reads it.
#[derive(Debug)]
pub struct PageReading {
    pub provider: String,
    pub kind: &'static str,
    pub title: String,
    /// Each form's field names, in page order.
    pub forms: Vec<Vec<String>>,
    /// The form the engine would act on.
    pub form: Option<usize>,
    /// The fields the engine would fill in that form.
    pub fills: Vec<String>,
    /// What a refusal, an unsupported or an unknown page says.
    pub words: Option<String>,
    pub assertion: Option<SamlAssertion>,
    pub follow: Option<url::Url>,
    /// Where the form would be posted, and the names sent.
    pub submission: Option<(url::Url, Vec<String>)>,
}

/// Parses and classifies one page, then builds the request the engine would send from it.
pub fn read_page(
    reader: Reader<'_>,
    url: &url::Url,
    status: u16,
    body: &str,
    sent: &Sent,
) -> Result<PageReading, IdpError> {
    let page = Page::parse(url.clone(), status, body);
    let bare = Provider::default();
    let providers = PROVIDERS.as_ref().map_err(|e| IdpError::Setup(e.clone()))?;
    let provider = match reader {
        Reader::Detect { sticky } => classify::detect(providers, &page, sticky)?,
        Reader::Named(name) => providers.named(name)?,
        Reader::Bare => &bare,
        Reader::File(file) => &file.0,
    };
    let progress = Progress {
        sent_username: sent.username,
        sent_password: sent.password,
        sent_code: sent.code.clone(),
        confirmed: sent.confirmed.clone(),
        sent_next_code: sent.next_code,
        ..Progress::default()
    };
    let forms = page.forms();
    let kind = classify::classify(&page, &forms, provider, &progress);
    Ok(reading(&page, &forms, provider, kind))
}

fn reading(page: &Page, forms: &[Form], provider: &Provider, kind: PageKind) -> PageReading {
    let mut out = PageReading {
        provider: provider.name.clone(),
        kind: kind.name(),
        title: page.title(),
        forms: forms
            .iter()
            .map(|f| f.fields.iter().map(|x| x.name.clone()).collect())
            .collect(),
        form: None,
        fills: Vec::new(),
        words: None,
        assertion: None,
        follow: None,
        submission: None,
    };
    match kind {
        PageKind::Assertion(a) => out.assertion = Some(a),
        PageKind::Rejected(w) | PageKind::Unsupported(w) | PageKind::Unknown(w) => {
            out.words = Some(w)
        }
        PageKind::Mfa { form, field, .. } => (out.form, out.fills) = (Some(form), vec![field]),
        PageKind::Choose { form, field, .. } => (out.form, out.fills) = (form, vec![field]),
        PageKind::Login {
            form,
            username,
            password,
        } => {
            out.form = Some(form);
            out.fills = username.into_iter().chain(password).collect();
        }
        PageKind::Push { form, .. } => out.form = form,
        PageKind::Notice { form, set, .. } => {
            out.form = Some(form);
            out.fills = set.into_iter().map(|(n, _)| n).collect();
        }
        PageKind::Confirm { form, .. } | PageKind::AutoPost { form, .. } => out.form = Some(form),
        PageKind::Refresh(u) | PageKind::ScriptLink(u) => out.follow = Some(u),
    }
    // The engine indexes `forms` with the kind's form: one out of range is a panic there.
    if let Some(form) = out.form.and_then(|i| forms.get(i)) {
        let fills: Vec<(&str, &str)> = out.fills.iter().map(|n| (n.as_str(), "x")).collect();
        let sub = form.submission(&fills, Click::Default);
        let names = sub.names().iter().map(|n| n.to_string()).collect();
        out.submission = Some((sub.url.clone(), names));
    }
    out
}

// ---------------------------------------------------------------- SAML

/// The SAMLResponse form value as the engine found it, decoded and read.
pub fn read_saml_response(form_value: &str, host: &str) -> Result<SamlClaims, SamlError> {
    crate::saml::parse(&SamlAssertion::from_form_value(form_value), host)
}

// ---------------------------------------------------------------- STS

/// The binary's STS client, answered by `http` instead of the network (no retries, so each call
/// is one answer).
pub struct StsReplay {
    runtime: tokio::runtime::Runtime,
    sts: SdkSts,
}

pub const STS_PROFILE: &str = "fuzz-profile";

impl StsReplay {
    pub fn new(http: SharedHttpClient) -> Result<StsReplay, StsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StsError::Setup(format!("no runtime: {e}")))?;
        let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .no_credentials()
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .http_client(http);
        let sts = runtime.block_on(SdkSts::from_loader(
            loader,
            Partition::Aws,
            &crate::sts::StsBudget::default(),
        ))?;
        Ok(StsReplay { runtime, sts })
    }

    /// AssumeRoleWithSAML, as the gateway step calls it.
    pub fn with_saml(&self, assertion: &SamlAssertion) -> Result<Credentials, StsError> {
        self.runtime
            .block_on(self.sts.assume_role_with_saml(SamlRoleRequest {
                profile: STS_PROFILE,
                role_arn: "arn:aws:iam::123456789012:role/fuzz",
                principal_arn: "arn:aws:iam::123456789012:saml-provider/fuzz",
                assertion,
                duration_seconds: Some(3600),
            }))
    }

    /// AssumeRole, as a chained hop calls it.
    pub fn assume(&self, source: &Credentials) -> Result<Credentials, StsError> {
        self.runtime.block_on(self.sts.assume_role(HopRequest {
            profile: STS_PROFILE,
            role_arn: "arn:aws:iam::210987654321:role/child",
            session_name: "fuzz",
            external_id: None,
            duration_seconds: None,
            source,
        }))
    }
}

// ---------------------------------------------------------------- AWS files

/// One line of an AWS INI file as the readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniLine<'a> {
    pub start: usize,
    pub raw: &'a str,
    pub ending: &'a str,
    /// `[name]`: the name.
    pub section: Option<&'a str>,
    /// `key = value`: both, and where the value is in `raw`.
    pub property: Option<(&'a str, &'a str)>,
    pub value_at: Option<(usize, usize)>,
    /// A line that opens a section, a broken header included.
    pub opens_section: bool,
}

/// The lines of `text`, as the config reader and the credentials editor see them.
pub fn ini_lines(text: &str) -> Vec<IniLine<'_>> {
    use crate::config::ini::{LineKind, scan};
    scan(text)
        .into_iter()
        .map(|l| IniLine {
            start: l.start,
            raw: l.raw,
            ending: l.ending,
            section: match l.kind {
                LineKind::Section(name) => Some(name),
                _ => None,
            },
            property: match l.kind {
                LineKind::Property { key, value, .. } => Some((key, value)),
                _ => None,
            },
            value_at: match l.kind {
                LineKind::Property { value_at, .. } => Some(value_at),
                _ => None,
            },
            opens_section: l.opens_section(),
        })
        .collect()
}

/// What `write_credentials` makes of the file's `text` (without the disk: no lock, no rename).
pub fn upsert_credentials(
    text: &str,
    profiles: &[(String, Credentials)],
) -> Result<String, FileError> {
    let path = Path::new("credentials");
    let mut text = text.to_string();
    for (profile, credentials) in profiles {
        let (profile, entries) = credentials_file::section_entries(path, profile, credentials)?;
        let pairs: Vec<(&str, &str)> = entries.iter().map(|(k, v)| (*k, v.as_str())).collect();
        text = credentials_file::edit::upsert_section(&text, profile, &pairs);
    }
    Ok(text)
}

/// The keys of `[section]` as `read_credentials` sees them (every copy, later values winning).
pub fn credentials_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    credentials_file::edit::read_section(text, section)
}

/// The expiry as the credentials file holds it.
pub fn format_expiry(at: OffsetDateTime) -> Option<String> {
    crate::credentials::rfc3339_utc(at)
}

/// ~/.aws/config read as the binary reads it, then every profile in it planned as `login` would,
/// and its `[saml-aliases]` section read.
pub fn read_config(text: &str) -> Result<ConfigReading, ConfigError> {
    let config = ConfigFile::parse(Path::new("config"), text)?;
    let names: Vec<String> = config.profiles.keys().cloned().collect();
    let plans = names
        .iter()
        .map(|name| config.plan(name, &ChainSelect::All))
        .collect();
    let aliases = crate::role::aliases::AccountAliases::from_config(&config).map(|a| a.len());
    Ok(ConfigReading {
        profiles: names,
        plans,
        aliases,
    })
}

/// What `read_config` found.
#[derive(Debug)]
pub struct ConfigReading {
    pub profiles: Vec<String>,
    pub plans: Vec<Result<Plan, ConfigError>>,
    /// How many account aliases `[saml-aliases]` names.
    pub aliases: Result<usize, ConfigError>,
}

// ---------------------------------------------------------------- state files

/// The state directory's cache, for one gateway profile.
pub struct CacheProbe {
    cache: CredentialCache,
    key: CacheKey,
    pub entry_path: PathBuf,
}

impl CacheProbe {
    pub fn new(state: &Path, profile: &str) -> CacheProbe {
        let dir = StateDir::at(state);
        let key = CacheKey::gateway(profile, "https://idp.example/sso", Some("alice"), None);
        CacheProbe {
            entry_path: dir.join("cache").join(key.file_name()),
            cache: CredentialCache::new(&dir),
            key,
        }
    }

    /// The digest an entry must carry to be this key's.
    pub fn digest(&self) -> &str {
        self.key.digest()
    }

    /// `credential-process`'s read of the entry.
    pub fn lookup(&self, now: OffsetDateTime, window: Duration) -> Option<CachedSession> {
        self.cache.lookup(&self.key, now, window)
    }

    /// `logout`'s removal of the profile's entries.
    pub fn remove_profile(&self, profile: &str) -> Result<usize, StateError> {
        self.cache.remove_profile(profile)
    }

    /// The writer, for round trips.
    pub fn put(&self, role_arn: &str, credentials: &Credentials) -> Result<(), StateError> {
        self.cache.put(&self.key, role_arn, credentials)
    }
}

static IDP_SESSION: LazyLock<Result<IdpSession, String>> =
    LazyLock::new(|| IdpSession::new(&LoginRequest::default()).map_err(|e| e.to_string()));

/// A saved IdP session as the sign-in uses it: saved, read back from the state directory, loaded
/// into a cookie jar. Returns what was read back, and whether the jar then holds a cookie.
pub fn restore_session(
    state: &Path,
    host: &str,
    username: &str,
    saved: &Secret,
) -> Result<(Option<Secret>, Result<bool, IdpError>), StateError> {
    let sessions = SavedSessions::new(&StateDir::at(state));
    sessions.save(host, username, saved)?;
    let read = sessions.load(host, username);
    let loaded = match (&read, IDP_SESSION.as_ref()) {
        (_, Err(e)) => Err(IdpError::Setup(e.clone())),
        (None, Ok(_)) => Ok(false),
        (Some(json), Ok(session)) => session.load_cookies(json).map(|()| session.has_cookies()),
    };
    Ok((read, loaded))
}

// ---------------------------------------------------------------- Okta

/// An Okta answer as the sign-in reads it.
#[derive(Debug)]
pub struct OktaReading {
    pub status: String,
    pub debug: String,
    pub has_state_token: bool,
    pub has_session_token: bool,
    pub factors: Vec<String>,
    /// The factor the sign-in would verify, with its link checked against the org.
    pub chosen: Option<Result<String, IdpError>>,
    pub correct_answer: Option<String>,
    /// `_links.next`, checked against the org.
    pub next: Option<Result<url::Url, IdpError>>,
}

/// Reads Okta's answer to a call on `start`'s org, then chooses a factor as the sign-in would.
pub fn read_okta_answer(
    start: &url::Url,
    status: u16,
    body: &str,
    preferred: Option<&str>,
    code_at_hand: bool,
) -> Result<OktaReading, IdpError> {
    let session = IDP_SESSION
        .as_ref()
        .map_err(|e| IdpError::Setup(e.clone()))?;
    let api = OktaApi::new(session, start);
    let call = api.url("/api/v1/authn")?;
    let tx = api.read_answer(&call, status, body)?;
    let list = tx.factors();
    let chosen = (!list.is_empty()).then(|| {
        factors::choose(&list, preferred, code_at_hand, &api.host).and_then(|f| {
            let href = f.links.verify.as_ref().map_or("", |l| l.href.as_str());
            api.url(href)
                .map(|u| format!("{} {u}", factors::describe(f)))
        })
    });
    Ok(OktaReading {
        status: tx.status.clone(),
        debug: format!("{tx:?}"),
        has_state_token: tx.state_token.is_some(),
        has_session_token: tx.session_token.is_some(),
        factors: list.iter().map(factors::describe).collect(),
        chosen,
        correct_answer: tx.correct_answer(),
        next: tx.links.next.as_ref().map(|l| api.url(&l.href)),
    })
}

// ---------------------------------------------------------------- AWS's sign-in page

/// The account aliases AWS's sign-in role picker shows for the accounts of `offered`; Err: why the
/// page is not the picker.
pub fn read_signin_page(
    html: &str,
    offered: &[RoleOption],
) -> Result<Vec<(String, String)>, String> {
    crate::role::aliases::page::aliases(html, offered).map(|a| {
        a.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

// ---------------------------------------------------------------- durations and ARNs

/// `refresh --every` / the timer's interval, as text when it parses.
pub fn parse_every(text: &str) -> Result<String, String> {
    text.parse::<crate::app::schedule::Every>()
        .map(|e| e.to_string())
}

/// `--role` / `saml_role` matched against the roles an assertion offers, with nobody to ask.
pub fn choose_role(roles: &[RoleOption], wanted: Option<&str>) -> Result<RoleOption, RoleError> {
    crate::role::choose("fuzz-profile", roles, wanted, &NoPrompt)
}

/// The partition of an ARN, as the console and the chain read it.
pub fn partitions_of_arn(arn: &str) -> (Partition, Option<Partition>) {
    (
        Partition::from_arn(arn).unwrap_or_default(),
        Partition::from_arn(arn),
    )
}
