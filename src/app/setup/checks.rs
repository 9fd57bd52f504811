//! Everything `setup` can check before the network (a sign-in can cost an MFA prompt): profile names,
//! role ARNs, the URL, the region; missing answers asked when a person is there.

use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::SetupArgs;
use crate::config::{check_profile_name, check_role_choice};
use crate::saml::{IamResource, check_iam_arn};
use crate::shown::outside;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The flags, checked and completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupRequest {
    pub profile: String,
    pub url: String,
    pub username: Option<String>,
    pub role: Option<String>,
    pub all_roles: Option<String>,
    /// (profile, role ARN), as given.
    pub chain: Vec<(String, String)>,
    pub region: Option<String>,
    pub ca_bundle: Option<PathBuf>,
    /// How this sign-in was made, kept in the gateway profiles so that `login` signs in the same way
    /// (`--browser`, `--headless`, `--remember-password`, `--mfa-command`, `--aliases`).
    pub sign_in_keys: Vec<(&'static str, String)>,
}

pub fn checked(ctx: &Context, args: &SetupArgs) -> Result<SetupRequest> {
    let flags = &args.sign_in;
    let profile = given_or_asked(ctx, flags.profile.as_deref(), "--profile", "Profile name")?;
    check_name("--profile", &profile)?;
    let url = given_or_asked(ctx, flags.url.as_deref(), "--url", "IdP sign-in URL")?;
    check_url(&url)?;
    if let Some(role) = &args.role {
        check_role_choice(role)
            .map_err(|why| Error::Usage(format!("--role {}: {why}", quoted(role))))?;
    }
    if let Some(prefix) = &args.all_roles {
        check_name("--all-roles", prefix)?;
    }
    let chain = chain_entries(&profile, &args.chain)?;
    if let Some(region) = &args.region {
        check_region(region)?;
    }
    let username = match &flags.username {
        Some(user) => Some(check_one_line("--username", user)?),
        None if ctx.prompt.is_interactive() => Some(ask(ctx, "IdP username")?),
        None => None,
    };
    Ok(SetupRequest {
        profile,
        url,
        username,
        role: args.role.clone(),
        all_roles: args.all_roles.clone(),
        chain,
        region: args.region.clone(),
        // Relative to where the person typed it; written whole, because the config reads a
        // relative saml_ca_bundle from its own directory.
        ca_bundle: args
            .ca_bundle
            .as_deref()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())),
        sign_in_keys: sign_in_keys(args)?,
    })
}

/// The sign-in flags that have a config key, as those keys.
fn sign_in_keys(args: &SetupArgs) -> Result<Vec<(&'static str, String)>> {
    let flags = &args.sign_in;
    let yes = || "true".to_string();
    let mut keys = Vec::new();
    if flags.browser || flags.headless {
        keys.push(("saml_browser", yes()));
    }
    if flags.headless {
        keys.push(("saml_browser_headless", yes()));
    }
    if flags.remember_password {
        keys.push(("saml_keychain", yes()));
    }
    if let Some(command) = &flags.mfa_command {
        keys.push((
            "saml_mfa_command",
            check_one_line("--mfa-command", command)?,
        ));
    }
    if flags.aliases {
        keys.push(("saml_fetch_aliases", yes()));
    }
    Ok(keys)
}

fn given_or_asked(ctx: &Context, given: Option<&str>, flag: &str, label: &str) -> Result<String> {
    match given {
        Some(value) => Ok(value.to_string()),
        None if ctx.prompt.is_interactive() => ask(ctx, label),
        None => Err(Error::Usage(format!(
            "setup needs {flag} (there is no terminal to ask)"
        ))),
    }
}

fn ask(ctx: &Context, label: &str) -> Result<String> {
    let answer = ctx
        .prompt
        .text(label)
        .map_err(|e| Error::PersonMustAct(format!("could not ask for {label}: {e}")))?;
    Ok(answer.trim().to_string())
}

fn quoted(value: &str) -> String {
    outside(&format!("{value:?}"))
}

/// A name for a `[profile NAME]` section: what every AWS tool reads, and no whitespace (the AWS
/// CLI does not read `[profile a b]` as profile `a b`).
pub fn check_name(flag: &str, name: &str) -> Result<()> {
    let why = match check_profile_name(name) {
        Err(why) => why,
        Ok(()) if name.contains(char::is_whitespace) => "it contains a space",
        Ok(()) => return Ok(()),
    };
    Err(Error::Usage(format!(
        "{flag} {}: this cannot be a profile name: {why}; choose another name",
        quoted(name)
    )))
}

/// https, or plain http to this machine only (as the sign-in itself allows).
fn check_url(url: &str) -> Result<()> {
    let refuse = |why: &str| Error::Usage(format!("--url {}: {why}", quoted(url)));
    let parsed = url::Url::parse(url).map_err(|e| {
        refuse(&format!(
            "not a URL ({e}); copy the IdP's sign-in URL from the browser"
        ))
    })?;
    if parsed.host().is_none() {
        return Err(refuse(
            "the URL has no host; copy the IdP's sign-in URL from the browser",
        ));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if crate::urls::is_loopback(&parsed) => Ok(()),
        _ => Err(refuse(
            "use an https:// URL (plain http:// only to 127.0.0.1, ::1 or localhost)",
        )),
    }
}

/// `--chain NAME=ROLE_ARN` entries: names valid and unique (and not the gateway's), ARNs role ARNs.
fn chain_entries(gateway: &str, given: &[String]) -> Result<Vec<(String, String)>> {
    let mut seen = BTreeSet::from([gateway.to_string()]);
    let mut entries = Vec::with_capacity(given.len());
    for entry in given {
        let Some((name, arn)) = entry.split_once('=') else {
            return Err(Error::Usage(format!(
                "--chain {}: write it as NAME=ROLE_ARN, e.g. prod=arn:aws:iam::123456789012:role/Admins",
                quoted(entry)
            )));
        };
        let (name, arn) = (name.trim(), arn.trim());
        check_name("--chain", name)?;
        check_iam_arn(arn, IamResource::Role).map_err(|why| {
            Error::Usage(format!(
                "--chain {name}={}: not a role ARN: {why}; give the full ARN, e.g. arn:aws:iam::123456789012:role/Admins",
                quoted(arn)
            ))
        })?;
        if !seen.insert(name.to_string()) {
            return Err(Error::Usage(format!(
                "--chain {name}: the name is used twice (or is the gateway profile's); give each profile its own name"
            )));
        }
        entries.push((name.to_string(), arn.to_string()));
    }
    Ok(entries)
}

/// `eu-west-1`, `us-gov-west-1`, `cn-north-1`: lower-case letters, digits and single hyphens.
fn check_region(region: &str) -> Result<()> {
    let shaped = !region.is_empty()
        && region.len() <= 32
        && region.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if shaped {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--region {}: not an AWS region name (like eu-west-1)",
            quoted(region)
        )))
    }
}

fn check_one_line(flag: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_control) {
        return Err(Error::Usage(format!(
            "{flag} {}: give one line of text",
            quoted(value)
        )));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_entries_are_name_equals_role_arn() {
        let ok = chain_entries(
            "corp",
            &["prod=arn:aws:iam::333333333333:role/Admins".to_string()],
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![(
                "prod".into(),
                "arn:aws:iam::333333333333:role/Admins".into()
            )]
        );
        for bad in [
            "prod",
            "prod=arn:aws:iam::33333333333:role/Admins",
            "prod=arn:aws:s3:::bucket",
            "prod=Admins",
            "a b=arn:aws:iam::333333333333:role/Admins",
            "[x]=arn:aws:iam::333333333333:role/Admins",
            "corp=arn:aws:iam::333333333333:role/Admins",
        ] {
            assert!(chain_entries("corp", &[bad.to_string()]).is_err(), "{bad}");
        }
        let twice = [
            "p=arn:aws:iam::333333333333:role/A".to_string(),
            "p=arn:aws:iam::333333333333:role/B".to_string(),
        ];
        assert!(chain_entries("corp", &twice).is_err());
    }

    #[test]
    fn urls_are_https_or_loopback_http() {
        assert!(check_url("https://sts.corp.example/adfs/ls/IdpInitiatedSignOn.aspx").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://idp.corp.example/").is_err());
        assert!(check_url("ftp://idp/").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn regions_and_names() {
        assert!(check_region("eu-west-1").is_ok() && check_region("us-gov-west-1").is_ok());
        for bad in ["", "EU-west-1", "eu--west", "eu west", "-eu"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
        assert!(check_name("--profile", "corp").is_ok());
        for bad in ["", "a b", "a]", "x;y", " corp"] {
            assert!(check_name("--profile", bad).is_err(), "{bad}");
        }
    }
}
