//! `SdkSts`: the `Sts` trait on aws-sdk-sts. Configured the way aws-config configures any AWS tool
//! (endpoint overrides such as AWS_ENDPOINT_URL_STS, retries, FIPS/dual-stack), except that samlbridge
//! always names the region (the SDK would otherwise wait for the EC2 metadata service) and never
//! looks for credentials: AssumeRoleWithSAML is unsigned, and each hop is signed with its source's.

use super::answer::{cut_short, with_clock_note};
use super::budget::StsBudget;
use super::response_facts::{ResponseFacts, credentials};
use super::{Credentials, HopRequest, SamlRoleRequest, Sts, StsError};
use crate::saml::Partition;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_sts::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Connector, proxy::ProxyConfig};
use aws_types::service_config::ServiceConfigKey;
use std::path::Path;
use time::OffsetDateTime;
use tracing::debug;

/// aws-sdk-sts behind the `Sts` trait. One per login: hops share its HTTP connection pool.
#[derive(Debug, Clone)]
pub struct SdkSts {
    config: SdkConfig,
    /// No credentials at all: AssumeRoleWithSAML is authorised by the assertion alone.
    unsigned: aws_sdk_sts::Client,
    /// `host[:port]` of the STS endpoint, for messages.
    endpoint: String,
    /// The partition the assertion is addressed to: every hop's role must be in it.
    partition: Partition,
    /// The run's STS deadline, shared by every call (and every client) of the run.
    budget: StsBudget,
}

impl SdkSts {
    /// `region` is the profile's; without it AWS_REGION, then AWS_DEFAULT_REGION, then the partition's
    /// default STS region (a region of another partition than the assertion's is skipped). `ca_bundle`
    /// adds PEM roots to the system's, as `saml_ca_bundle` does for the IdP. Every call made through
    /// this client (or another given a clone of `budget`) ends within the budget.
    pub async fn new(
        region: Option<&str>,
        partition: Partition,
        ca_bundle: Option<&Path>,
        budget: &StsBudget,
    ) -> Result<SdkSts, StsError> {
        let region = resolve_region(region, partition, |name| std::env::var(name).ok());
        Self::from_loader(loader(&region, ca_bundle, budget)?, partition, budget).await
    }

    pub(crate) async fn from_loader(
        loader: ConfigLoader,
        partition: Partition,
        budget: &StsBudget,
    ) -> Result<SdkSts, StsError> {
        let config = loader.load().await;
        let endpoint = endpoint_host(&config).await?;
        debug!(%endpoint, region = ?config.region(), "STS client ready");
        Ok(SdkSts {
            unsigned: aws_sdk_sts::Client::new(&config),
            config,
            endpoint,
            partition,
            budget: budget.clone(),
        })
    }

    /// The STS endpoint calls go to (`host[:port]`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The region the client signs for.
    pub fn region(&self) -> String {
        self.config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }

    /// STS's clock, for `doctor`: one GetCallerIdentity signed with keys that belong to nobody, which
    /// STS refuses (nothing is signed in, nothing is issued); its answer's `Date` is what is wanted.
    /// An answer without a readable Date is `Ok(None)`; no answer at all is the network error.
    pub async fn server_date(&self, profile: &str) -> Result<Option<OffsetDateTime>, StsError> {
        const ACTION: &str = "GetCallerIdentity";
        let facts = ResponseFacts::new(ACTION);
        let nobody = aws_sdk_sts::config::Credentials::new(
            "AKIAEXAMPLEDOCTOR000",
            "samlbridge-doctor-probe-holds-no-secret",
            None,
            None,
            "samlbridge-doctor",
        );
        let config = aws_sdk_sts::config::Builder::from(&self.config)
            .credentials_provider(nobody)
            .build();
        let call = aws_sdk_sts::Client::from_conf(config)
            .get_caller_identity()
            .customize()
            .interceptor(facts.clone())
            .send();
        match self.budget.run(call).await {
            None => Err(self.timed_out(profile)),
            Some(Ok(_)) | Some(Err(SdkError::ServiceError(_) | SdkError::ResponseError(_))) => {
                Ok(facts.date())
            }
            Some(Err(e)) => Err(self.error(e, profile, ACTION, facts.date())),
        }
    }

    /// A client that signs with `source`: the SDK's own config, only the credentials differ.
    fn signed_by(&self, source: &Credentials) -> aws_sdk_sts::Client {
        // No expiry given: a skewed local clock must not make the SDK refuse fresh credentials.
        let credentials = aws_sdk_sts::config::Credentials::new(
            &source.access_key_id,
            source.secret_access_key.expose(),
            Some(source.session_token.expose().to_owned()),
            None,
            "samlbridge-chain",
        );
        let config = aws_sdk_sts::config::Builder::from(&self.config)
            .credentials_provider(credentials)
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// AWS partitions share nothing: a session from one cannot assume a role in another, and STS
    /// would say so only as an access error. Said here, naming the profile and what to fix.
    fn check_partition(&self, req: &HopRequest<'_>) -> Result<(), StsError> {
        let Some(role_partition) = Partition::from_arn(req.role_arn) else {
            return Ok(());
        };
        if role_partition == self.partition {
            return Ok(());
        }
        Err(StsError::Setup(format!(
            "profile {}: its role {} is in the {} partition, but this login signed in to {} (the \
             assertion is addressed to {}); a role can only be chained from a session of its own \
             partition: fix saml_role, or chain it from a gateway that signs in to {}",
            req.profile,
            req.role_arn,
            role_partition.arn_partition(),
            self.partition.arn_partition(),
            self.partition.signin_host(),
            role_partition.signin_host(),
        )))
    }

    /// The run's deadline passed before STS answered.
    fn timed_out(&self, profile: &str) -> StsError {
        StsError::Network {
            profile: profile.to_owned(),
            endpoint: self.endpoint.clone(),
            reason: format!("no answer within {} s", self.budget.total().as_secs_f32()),
        }
    }

    /// `call`'s answer, or the error it ends in: no answer within the run's STS budget, or a failure.
    async fn within_budget<T, E>(
        &self,
        call: impl Future<Output = Result<T, SdkError<E>>>,
        profile: &str,
        action: &'static str,
        facts: &ResponseFacts,
    ) -> Result<T, StsError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.budget
            .run(call)
            .await
            .ok_or_else(|| self.timed_out(profile))?
            .map_err(|e| self.failed(e, profile, action, facts))
    }

    /// An answer cut short is that, whatever the SDK made of what it got; else see `error`.
    fn failed<E>(
        &self,
        err: SdkError<E>,
        profile: &str,
        action: &'static str,
        facts: &ResponseFacts,
    ) -> StsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        if facts.cut() {
            return cut_short(profile, action, facts.date());
        }
        self.error(err, profile, action, facts.date())
    }

    fn error<E>(
        &self,
        err: SdkError<E>,
        profile: &str,
        action: &'static str,
        server_date: Option<OffsetDateTime>,
    ) -> StsError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let profile = profile.to_owned();
        let network = |reason: String| StsError::Network {
            profile: profile.clone(),
            endpoint: self.endpoint.clone(),
            reason,
        };
        match &err {
            SdkError::ServiceError(ctx) => match ctx.err().code() {
                Some(code) => StsError::Service {
                    profile,
                    action,
                    code: code.to_owned(),
                    message: with_clock_note(
                        ctx.err().message().unwrap_or("(no message)"),
                        server_date,
                    ),
                },
                None => StsError::Unreadable {
                    profile,
                    reason: format!(
                        "{action} answered HTTP {} without an STS error document",
                        ctx.raw().status().as_u16()
                    ),
                },
            },
            SdkError::TimeoutError(_) => network("timed out".into()),
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                network("timed out".into())
            }
            SdkError::DispatchFailure(_) => network(causes(&err)),
            SdkError::ResponseError(response) => StsError::Unreadable {
                profile,
                reason: format!(
                    "{action} answered HTTP {}: {}",
                    response.raw().status().as_u16(),
                    DisplayErrorContext(&err)
                ),
            },
            SdkError::ConstructionFailure(_) => StsError::Setup(format!(
                "profile {profile}: cannot make the {action} request for {}: {}",
                self.endpoint,
                DisplayErrorContext(&err)
            )),
            _ => StsError::Unreadable {
                profile,
                reason: DisplayErrorContext(&err).to_string(),
            },
        }
    }
}

impl Sts for SdkSts {
    async fn assume_role_with_saml(
        &self,
        req: SamlRoleRequest<'_>,
    ) -> Result<Credentials, StsError> {
        const ACTION: &str = "AssumeRoleWithSAML";
        let facts = ResponseFacts::new(ACTION);
        let call = self
            .unsigned
            .assume_role_with_saml()
            .role_arn(req.role_arn)
            .principal_arn(req.principal_arn)
            .saml_assertion(req.assertion.base64().expose())
            .set_duration_seconds(req.duration_seconds)
            .customize()
            .interceptor(facts.clone())
            .send();
        let out = self
            .within_budget(call, req.profile, ACTION, &facts)
            .await?;
        credentials(out.credentials(), &facts, req.profile, ACTION)
    }

    async fn assume_role(&self, req: HopRequest<'_>) -> Result<Credentials, StsError> {
        const ACTION: &str = "AssumeRole";
        self.check_partition(&req)?;
        let facts = ResponseFacts::new(ACTION);
        let call = self
            .signed_by(req.source)
            .assume_role()
            .role_arn(req.role_arn)
            .role_session_name(req.session_name)
            .set_external_id(req.external_id.map(str::to_owned))
            .set_duration_seconds(req.duration_seconds)
            .customize()
            .interceptor(facts.clone())
            .send();
        let out = self
            .within_budget(call, req.profile, ACTION, &facts)
            .await?;
        credentials(out.credentials(), &facts, req.profile, ACTION)
    }
}

/// An error and its sources, one line, without the Debug dump `DisplayErrorContext` appends:
/// "io error: client error (Connect): tcp connect error: Connection refused (os error 111)".
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    if parts.is_empty() {
        parts.push(err.to_string());
    }
    parts.join(": ")
}

/// The loader: aws-config's defaults (environment, config file, retries), a fixed region, no
/// credentials, and our own HTTP client.
fn loader(
    region: &str,
    ca_bundle: Option<&Path>,
    budget: &StsBudget,
) -> Result<ConfigLoader, StsError> {
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .no_credentials()
        .http_client(http_client(tls_context(ca_bundle)?))
        .timeout_config(budget.timeouts()))
}

/// rustls on ring, the system roots plus `ca_bundle`, and the proxy from HTTPS_PROXY/NO_PROXY.
fn http_client(tls_context: TlsContext) -> aws_sdk_sts::config::SharedHttpClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The plain `build_https()` has no proxy support; this is the builder's hook for a custom
    // connector, used the way its own `build_https` uses it.
    aws_smithy_http_client::Builder::new().build_with_connector_fn(move |settings, components| {
        let mut builder = Connector::builder().proxy_config(ProxyConfig::from_env());
        builder.set_connector_settings(settings.cloned());
        builder.set_sleep_impl(components.and_then(|c| c.sleep_impl()));
        builder
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls_context.clone())
            .build()
    })
}

fn tls_context(ca_bundle: Option<&Path>) -> Result<TlsContext, StsError> {
    let mut store = TrustStore::default();
    if let Some(path) = ca_bundle {
        let setup = |why: String| StsError::Setup(format!("{}: {why}", path.display()));
        let pem = std::fs::read(path).map_err(|e| setup(e.to_string()))?;
        // The HTTP client parses the PEM only when it connects, and panics on a bad one: check first.
        check_pem(&pem)
            .map_err(|why| setup(format!("{why}; the CA bundle must hold PEM certificates")))?;
        store = store.with_pem_certificate(pem);
    }
    TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| StsError::Setup(format!("TLS setup for STS: {e}")))
}

fn check_pem(pem: &[u8]) -> Result<(), String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM ({e})"))?;
    if certs.is_empty() {
        return Err("no certificate in it".into());
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| format!("a certificate is not usable ({e})"))?;
    }
    Ok(())
}

/// The profile's region, else AWS_REGION, else AWS_DEFAULT_REGION, else the partition's default.
fn resolve_region(
    profile_region: Option<&str>,
    partition: Partition,
    var: impl Fn(&str) -> Option<String>,
) -> String {
    let candidates = [
        profile_region.map(str::to_owned),
        var("AWS_REGION"),
        var("AWS_DEFAULT_REGION"),
    ];
    for region in candidates.into_iter().flatten() {
        let region = region.trim();
        if region.is_empty() {
            continue;
        }
        if in_partition(region, partition) {
            return region.to_owned();
        }
        debug!(
            region,
            partition = partition.arn_partition(),
            "region skipped: not in the assertion's partition"
        );
    }
    partition.sts_region_default().to_owned()
}

/// The partition a region belongs to (`cn-…`, `us-gov-…`, else the commercial one).
pub fn partition_of_region(region: &str) -> Partition {
    [Partition::AwsCn, Partition::AwsUsGov]
        .into_iter()
        .find(|p| in_partition(region, *p))
        .unwrap_or(Partition::Aws)
}

fn in_partition(region: &str, partition: Partition) -> bool {
    let gov = region.starts_with("us-gov-");
    let cn = region.starts_with("cn-");
    match partition {
        Partition::Aws => !gov && !cn,
        Partition::AwsUsGov => gov,
        Partition::AwsCn => cn,
    }
}

/// Where the SDK will send requests, resolved the way the SDK resolves it: an endpoint set in code,
/// else AWS_ENDPOINT_URL_STS / `[services]`, else AWS_ENDPOINT_URL / `endpoint_url`, else the
/// endpoint rules for the region.
async fn endpoint_host(config: &SdkConfig) -> Result<String, StsError> {
    let configured = if config.get_origin("endpoint_url").is_client_config() {
        config.endpoint_url().map(str::to_owned)
    } else {
        let key = ServiceConfigKey::builder()
            .service_id("STS")
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .map_err(|e| StsError::Setup(format!("STS endpoint: {e}")))?;
        config
            .service_config()
            .and_then(|c| c.load_config(key))
            .or_else(|| config.endpoint_url().map(str::to_owned))
    };
    let bad = |why: String| {
        StsError::Setup(format!(
            "the STS endpoint {} is not usable: {why}; check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and endpoint_url",
            configured.as_deref().unwrap_or("(from the region)")
        ))
    };
    let params = Params::builder()
        .set_region(config.region().map(|r| r.to_string()))
        .set_endpoint(configured.clone())
        .use_fips(config.use_fips().unwrap_or(false))
        .use_dual_stack(config.use_dual_stack().unwrap_or(false))
        .use_global_endpoint(false)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let url = url::Url::parse(endpoint.url()).map_err(|e| bad(e.to_string()))?;
    let host = url.host_str().ok_or_else(|| bad("it has no host".into()))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests;
