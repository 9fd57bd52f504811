//! One small function per subcommand, glueing the pipeline's steps: config → idp → saml → role → sts →
//! credentials file.

use crate::answers::CliAnswers;
use crate::cli::{Cli, Command, LoginArgs, RolesArgs, SignInArgs};
use crate::config::{ChainSelect, ConfigFile, GatewayProfile, Plan};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::saml::{RoleOption, SamlAssertion, SamlClaims};
use crate::secret::Secret;
use crate::{awsfiles, idp, role, saml, sts};
use time::format_description::well_known::Rfc3339;
use tracing::info;

/// Runs one command to the end. Synchronous: it owns the async runtime.
pub fn run(cli: Cli) -> Result<()> {
    crate::logging::init(cli.verbose);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("could not start the async runtime: {e}")))?;
    runtime.block_on(async {
        match cli.command {
            Command::Login(args) => login(args).await,
            Command::Roles(args) => roles(args).await,
        }
    })
}

/// A successful sign-in: the assertion and what it says.
struct SignedIn {
    assertion: SamlAssertion,
    claims: SamlClaims,
}

async fn login(args: LoginArgs) -> Result<()> {
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let select = chain_select(&args);
    let mut plan = plan_for(&ctx, &args.sign_in, &select)?;
    apply_login_flags(&mut plan.gateway, &args);
    let signed_in = sign_in(&ctx, &plan.gateway, &args.sign_in).await?;
    let chosen = role::choose(
        &plan.gateway.profile,
        &signed_in.claims.roles,
        plan.gateway.role.as_deref(),
        ctx.prompt.as_ref(),
    )?;
    let written = assume_all(&plan, &signed_in, &chosen).await?;
    awsfiles::write_credentials(&ctx.paths.credentials_file, &written)?;
    report_written(&ctx, &chosen, &written);
    Ok(())
}

async fn roles(args: RolesArgs) -> Result<()> {
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let plan = plan_for(&ctx, &args.sign_in, &ChainSelect::None)?;
    let signed_in = sign_in(&ctx, &plan.gateway, &args.sign_in).await?;
    let mut roles = signed_in.claims.roles.clone();
    roles.sort_by(|a, b| (a.account_id(), a.role_name()).cmp(&(b.account_id(), b.role_name())));
    if args.json {
        println!("{}", roles_json(&roles));
    } else {
        for r in &roles {
            println!("{}  {:<32} {}", r.account_id(), r.role_name(), r.role_arn);
        }
    }
    Ok(())
}

fn chain_select(args: &LoginArgs) -> ChainSelect {
    match (&args.chain, args.no_chain) {
        (_, true) => ChainSelect::None,
        (Some(only), false) => ChainSelect::Only(only.clone()),
        (None, false) => ChainSelect::All,
    }
}

/// Resolves the profile to a plan; with --url, a profile missing from the config is made from flags.
fn plan_for(ctx: &Context, flags: &SignInArgs, select: &ChainSelect) -> Result<Plan> {
    let profile = ctx.profile_name(flags.profile.as_deref());
    let config = ConfigFile::load_from(&ctx.paths)?;
    let mut plan = match (config.plan(&profile, select), &flags.url) {
        (Ok(plan), _) => plan,
        (Err(crate::config::ConfigError::NoSuchProfile { .. }), Some(url)) => Plan {
            gateway: GatewayProfile {
                profile: profile.clone(),
                url: url.clone(),
                username: None,
                role: None,
                provider: None,
                duration_seconds: None,
                region: None,
                ca_bundle: None,
                uses_credential_process: false,
            },
            chain: Vec::new(),
        },
        (Err(e), _) => return Err(e.into()),
    };
    let gateway = &mut plan.gateway;
    if let Some(url) = &flags.url {
        gateway.url = url.clone();
    }
    if let Some(user) = &flags.username {
        gateway.username = Some(user.clone());
    }
    if let Some(provider) = &flags.provider {
        gateway.provider = Some(provider.clone());
    }
    if gateway.ca_bundle.is_none() {
        gateway.ca_bundle = ctx.ca_bundle.clone();
    }
    Ok(plan)
}

fn apply_login_flags(gateway: &mut GatewayProfile, args: &LoginArgs) {
    if let Some(role) = &args.role {
        gateway.role = Some(role.clone());
    }
    if let Some(duration) = args.duration {
        gateway.duration_seconds = Some(duration);
    }
}

/// The IdP's host name, for messages; the whole URL may carry tokens.
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "the IdP".to_string())
}

async fn sign_in(ctx: &Context, gateway: &GatewayProfile, flags: &SignInArgs) -> Result<SignedIn> {
    let host = host_of(&gateway.url);
    let mut answers = CliAnswers::new(host.clone(), gateway.profile.clone(), ctx.prompt.as_ref());
    answers.username = gateway.username.clone();
    answers.password_stdin = flags.password_stdin;
    answers.env_password = ctx.env_password.clone();
    answers.mfa_code = flags.mfa_code.clone().map(Secret::new);
    let request = idp::LoginRequest {
        url: gateway.url.clone(),
        provider: gateway.provider.clone(),
        ca_bundle: gateway.ca_bundle.clone(),
        user_providers: ctx
            .paths
            .config_file
            .parent()
            .map(|d| d.join("samlbridge").join("providers")),
        // saml_mfa_factor is not read from the config yet.
        mfa_factor: None,
    };
    info!("signing in to {host} for profile {}", gateway.profile);
    let assertion = idp::login(&request, &mut answers).await?;
    let claims = saml::parse(&assertion, &host)?;
    info!("the assertion offers {} role(s)", claims.roles.len());
    Ok(SignedIn { assertion, claims })
}

/// AssumeRoleWithSAML into the gateway role, then every chained hop; nothing is written before all
/// succeeded.
async fn assume_all(
    plan: &Plan,
    signed_in: &SignedIn,
    chosen: &RoleOption,
) -> Result<Vec<(String, sts::Credentials)>> {
    let gateway = &plan.gateway;
    let client = sts::SdkSts::new(
        gateway.region.as_deref(),
        signed_in.claims.partition,
        gateway.ca_bundle.as_deref(),
    )
    .await?;
    let duration = gateway
        .duration_seconds
        .or(signed_in.claims.session_duration)
        .or(Some(3600));
    let request = sts::SamlRoleRequest {
        profile: &gateway.profile,
        role_arn: &chosen.role_arn,
        principal_arn: &chosen.principal_arn,
        assertion: &signed_in.assertion,
        duration_seconds: duration,
    };
    let session = sts::assume_gateway(&client, request).await?;
    if session.fitted {
        eprintln!(
            "warning: profile {}: {}s is more than the role {} allows; got a 3600s session instead (set duration_seconds to silence this)",
            gateway.profile,
            duration.unwrap_or_default(),
            chosen.role_name()
        );
    }
    let session_name = sts::session_name(
        signed_in
            .claims
            .session_name
            .as_deref()
            .unwrap_or("samlbridge"),
    );
    let hops = sts::walk_chain(
        &client,
        &gateway.profile,
        &session.credentials,
        &plan.chain,
        &session_name,
    )
    .await?;
    let mut written = vec![(gateway.profile.clone(), session.credentials)];
    written.extend(hops);
    Ok(written)
}

fn report_written(ctx: &Context, chosen: &RoleOption, written: &[(String, sts::Credentials)]) {
    let names: Vec<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
    let expires = written
        .first()
        .and_then(|(_, c)| c.expiration.format(&Rfc3339).ok())
        .unwrap_or_default();
    eprintln!(
        "Assumed {} in account {}; wrote {} to {} (gateway expires {expires})",
        chosen.role_name(),
        chosen.account_id(),
        names.join(", "),
        ctx.paths.credentials_file.display()
    );
}

fn roles_json(roles: &[RoleOption]) -> String {
    let list: Vec<serde_json::Value> = roles
        .iter()
        .map(|r| {
            serde_json::json!({
                "account_id": r.account_id(),
                "role_name": r.role_name(),
                "role_arn": r.role_arn,
                "principal_arn": r.principal_arn,
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_string())
}
