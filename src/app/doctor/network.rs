//! The doctor's questions to the network, each bounded to a few seconds and none of them a sign-in:
//! one GET of each gateway's IdP start URL (reachable? TLS trusted? which provider? which proxy? its
//! clock) and one refused STS call (its endpoint, region, partition and clock).

use super::report::{Finding, Status};
use crate::app::context::Context;
use crate::app::sign_in::login_request;
use crate::config::Plan;
use crate::idp::host_of;
use crate::idp::probe::{Challenge, IdpProbe, ProviderMatch, probe, proxy_for};
use crate::saml::Partition;
use crate::shown::outside;
use crate::sts::{SdkSts, StsBudget, parse_http_date, partition_of_region};
use std::time::Duration;
use time::OffsetDateTime;

/// Each network question gets this long.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// A clock this far off breaks sign-ins: SAML assertions and STS signatures allow about 5 minutes.
pub const SKEW_PROBLEM: time::Duration = time::Duration::minutes(5);
/// A clock this far off is worth fixing before it drifts further.
pub const SKEW_WARNING: time::Duration = time::Duration::minutes(1);

pub async fn check(ctx: &Context, plans: &[Plan]) -> crate::app::error::Result<Vec<Finding>> {
    let each = plans.iter().map(|plan| check_plan(ctx, plan));
    Ok(futures::future::join_all(each)
        .await
        .into_iter()
        .flatten()
        .collect())
}

async fn check_plan(ctx: &Context, plan: &Plan) -> Vec<Finding> {
    let (idp, sts) = futures::join!(check_idp(ctx, plan), check_sts(plan));
    idp.into_iter().chain(sts).collect()
}

async fn check_idp(ctx: &Context, plan: &Plan) -> Vec<Finding> {
    let gateway = &plan.gateway;
    let profile = &gateway.profile;
    let host = host_of(&gateway.url);
    let var = |name: &str| std::env::var(name).ok();
    let route = match proxy_for(&gateway.url, var) {
        Some((name, proxy)) => format!("(through the proxy {name}={})", outside(&proxy)),
        None => "(directly: no HTTPS_PROXY/HTTP_PROXY applies)".to_string(),
    };
    match probe(&login_request(ctx, gateway), PROBE_TIMEOUT).await {
        Ok(answer) => {
            let mut findings = vec![idp_finding(profile, &host, &route, &answer)];
            if let Some(date) = answer.date.as_deref().and_then(parse_http_date) {
                let who = format!("the IdP {host} (profile {profile})");
                findings.push(clock_finding(&who, date, OffsetDateTime::now_utc()));
            }
            findings
        }
        Err(e) if e.is_untrusted_certificate() => vec![Finding::problem(
            "idp",
            format!(
                "profile {profile}: the TLS certificate chain of {host} is not trusted by this machine \
                 ({}); if your company has its own CA, set saml_ca_bundle = /path/to/company-ca.pem \
                 in [profile {profile}] (or SAMLBRIDGE_CA_BUNDLE)",
                e.certificate_detail().unwrap_or_default()
            ),
        )],
        Err(e) => vec![Finding::problem(
            "idp",
            format!("profile {profile}: {e} {route}"),
        )],
    }
}

fn idp_finding(profile: &str, host: &str, route: &str, answer: &IdpProbe) -> Finding {
    if let Some(finding) = integrated_finding(profile, host, route, answer) {
        return finding;
    }
    let provider = match &answer.provider {
        ProviderMatch::Named(name) => format!("provider {} (named in the config)", outside(name)),
        ProviderMatch::Detected(name) => {
            format!("its first page matches provider {}", outside(name))
        }
        ProviderMatch::Fallback => "no provider file recognises its first page (the generic forms \
             engine will try it; set saml_provider if you know the IdP's kind)"
            .to_string(),
    };
    let status = if answer.status >= 400 {
        Status::Warning
    } else {
        Status::Ok
    };
    Finding::new(
        "idp",
        status,
        format!(
            "profile {profile}: {host} answered HTTP {} at {} {route}{}; {provider}",
            answer.status,
            outside(&answer.landed),
            if answer.landed.starts_with("https:") {
                ", TLS trusted"
            } else {
                ""
            }
        ),
    )
}

/// The IdP's `401 Negotiate`/`NTLM` for an integrated sign-in profile: offered as configured (ok:
/// the sign-in will answer it), or at a host or with a scheme the sign-in will not answer.
fn integrated_finding(
    profile: &str,
    host: &str,
    route: &str,
    answer: &IdpProbe,
) -> Option<Finding> {
    let at = format!(
        "profile {profile}: {host} answered HTTP {} at {} {route}",
        answer.status,
        outside(&answer.landed)
    );
    Some(match answer.integrated.as_ref()? {
        Challenge::Offered(auth) => {
            Finding::ok("idp", format!("{at}: integrated sign-in offered ({auth})"))
        }
        Challenge::HostNotNamed { host, auth } => Finding::problem(
            "idp",
            format!(
                "{at}: {host} asks for integrated sign-in ({auth}), and it is neither the \
                 saml_url's host nor in saml_auth_hosts, so the sign-in will not answer it; add \
                 it to saml_auth_hosts in [profile {profile}] if it is your IdP"
            ),
        ),
        Challenge::OnlyNtlm => Finding::problem(
            "idp",
            format!(
                "{at}: it offers only NTLM integrated sign-in, not Kerberos (Negotiate); set \
                 saml_auth = ntlm in [profile {profile}]"
            ),
        ),
        Challenge::FormsProfile => return None,
    })
}

/// `server` against this machine's clock `local`.
pub fn clock_finding(who: &str, server: OffsetDateTime, local: OffsetDateTime) -> Finding {
    let skew = server - local;
    let size = skew.abs();
    let direction = if skew.is_positive() {
        "ahead of"
    } else {
        "behind"
    };
    let amount = if size >= time::Duration::minutes(2) {
        // Rounded: a Date has whole seconds, so 10 minutes off reads as 599.x s.
        format!("{} min", (size.whole_seconds() + 30) / 60)
    } else {
        format!("{} s", size.whole_seconds())
    };
    if size >= SKEW_PROBLEM {
        return Finding::problem(
            "clock",
            format!(
                "{who}: its clock is {amount} {direction} this machine's (clock skew); sign-ins fail with \
                 'assertion not yet valid / expired' or signature errors: set this machine's clock \
                 right (e.g. timedatectl set-ntp true), or tell the server's owners"
            ),
        );
    }
    if size >= SKEW_WARNING {
        return Finding::warning(
            "clock",
            format!(
                "{who}: its clock is {amount} {direction} this machine's; check NTP before it drifts further"
            ),
        );
    }
    Finding::ok(
        "clock",
        format!("{who}: its clock agrees with this machine's (within {amount})"),
    )
}

/// The partition a plan's STS calls go to: its roles' ARNs say it, else its region.
pub fn partition_of(plan: &Plan) -> Partition {
    let arns = plan
        .gateway
        .role
        .iter()
        .chain(plan.chain.iter().map(|h| &h.role_arn));
    arns.filter_map(|arn| Partition::from_arn(arn))
        .next()
        .or_else(|| plan.gateway.region.as_deref().map(partition_of_region))
        .unwrap_or_default()
}

async fn check_sts(plan: &Plan) -> Vec<Finding> {
    let profile = &plan.gateway.profile;
    let partition = partition_of(plan);
    let budget = StsBudget::new(PROBE_TIMEOUT);
    let ca_bundle = plan.gateway.ca_bundle.as_deref();
    let sts = match SdkSts::new(
        plan.gateway.region.as_deref(),
        partition,
        ca_bundle,
        &budget,
    )
    .await
    {
        Ok(sts) => sts,
        Err(e) => return vec![Finding::problem("sts", format!("profile {profile}: {e}"))],
    };
    let mut findings = vec![Finding::ok(
        "sts",
        format!(
            "profile {profile}: STS endpoint {}, region {}, partition {}",
            outside(sts.endpoint()),
            outside(&sts.region()),
            partition.arn_partition()
        ),
    )];
    let who = format!("STS {} (profile {profile})", outside(sts.endpoint()));
    match sts.server_date(profile).await {
        Ok(Some(date)) => findings.push(clock_finding(&who, date, OffsetDateTime::now_utc())),
        Ok(None) => findings.push(Finding::warning(
            "clock",
            format!("{who}: its answer had no Date header to compare clocks with"),
        )),
        Err(e) => findings.push(Finding::problem("sts", e.to_string())),
    }
    findings
}
