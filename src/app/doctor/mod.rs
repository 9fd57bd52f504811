//! `samlbridge doctor [--profile P] [--json] [--fix]`: explains what is wrong and what to do, one line
//! per check, without signing in (no password, no MFA): the config file, the credentials file, the
//! IdP (reachable, TLS, provider, proxy), the clocks, STS, saved sessions and cached credentials, the
//! keychain, the scheduled refresh and the browser. Exit 0 when nothing is a problem, else 1.
//!
//! `config` (its `lint`) finds what is wrong in ~/.aws/config; `files` looks at the credentials file
//! (and `--fix` mends it); `network` asks the IdP and STS; `local` looks at this machine.

mod files;
mod local;
mod network;
mod report;
#[cfg(test)]
mod tests;

use super::{block_on, stdout};
use crate::app::context::Context;
use crate::app::error::Result;
use crate::cli::DoctorArgs;
use crate::config::lint::{Linted, lint_config};
use crate::config::{self, ChainSelect, ConfigFile, Overrides, Plan};
use report::Finding;

pub fn doctor(args: DoctorArgs) -> Result<u8> {
    let ctx = Context::from_env(true)?;
    let linted = lint_config(&ctx.paths, args.profile.as_deref());
    let mut findings = config_findings(&linted);
    // An unreadable config leaves no profile to look at; the files and the machine still are.
    let file = linted.file.clone().unwrap_or_default();
    let (plans, refused) = plans(&ctx, &file, args.profile.as_deref());
    findings.extend(refused.into_iter().filter(|_| linted.file.is_some()));
    let narrowed = args.profile.is_some();
    findings.extend(files::check(&ctx, &file, &plans, narrowed, args.fix));
    findings.extend(block_on(network::check(&ctx, &plans))?);
    findings.extend(local::check(&ctx, &plans));
    let mut seen = std::collections::BTreeSet::new();
    findings.retain(|f| seen.insert((f.check, f.message.clone())));
    if args.json {
        stdout::print(&report::json(&findings))?;
    } else {
        stdout::print(&report::lines(&findings))?;
    }
    Ok(report::exit_code(&findings))
}

fn config_findings(linted: &Linted) -> Vec<Finding> {
    let mut findings: Vec<Finding> = linted
        .lints
        .iter()
        .map(|lint| match lint.problem {
            true => Finding::problem("config", lint.message.clone()),
            false => Finding::warning("config", lint.message.clone()),
        })
        .collect();
    if let Some(file) = linted.file.as_ref().filter(|_| findings.is_empty()) {
        findings.push(Finding::ok(
            "config",
            format!(
                "{}: no unknown saml_ key, loop, missing source or duplicate section",
                file.path.display()
            ),
        ));
    }
    findings
}

/// The plans to look at: `--profile`'s (that profile and its gateway), or every gateway's with all of
/// its chained profiles. A plan config refuses is a finding (usually said by the lint already).
fn plans(ctx: &Context, file: &ConfigFile, only: Option<&str>) -> (Vec<Plan>, Vec<Finding>) {
    let wanted: Vec<(String, ChainSelect)> = match only {
        Some(name) => vec![(name.to_string(), ChainSelect::None)],
        None => file
            .gateway_names()
            .into_iter()
            .map(|g| (g, ChainSelect::All))
            .collect(),
    };
    let mut plans = Vec::new();
    let mut refused = Vec::new();
    for (profile, select) in wanted {
        let flags = Overrides {
            profile: Some(profile),
            ..Overrides::default()
        };
        // A bad chained profile must not hide its gateway: then the gateway alone is looked at.
        let resolved = config::resolve(file, &ctx.env, &flags, &select)
            .or_else(|_| config::resolve(file, &ctx.env, &flags, &ChainSelect::None));
        match resolved {
            Ok(plan) => plans.push(plan),
            Err(e) => refused.push(Finding::problem("config", e.to_string())),
        }
    }
    (plans, refused)
}
