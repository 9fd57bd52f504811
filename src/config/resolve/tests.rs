//! Which value wins: a flag over the profile over its gateway over the environment over the default.

use super::*;
use std::path::Path;

const TEXT: &str = "
[profile corp]
saml_url = https://idp.corp.example/sso
saml_username = alice
saml_role = GatewayAdmin
saml_provider = adfs
saml_mfa_command = ykman oath code corp
duration_seconds = 28800
saml_refresh_window = 2h

[profile prod]
saml_source = corp
saml_role = arn:aws:iam::333333333333:role/Admins
saml_refresh_window = 30m
credential_process = samlbridge credential-process --profile prod

[profile stage]
saml_source = corp
saml_role = arn:aws:iam::444444444444:role/Deploy

[profile plain-gw]
saml_url = https://idp.other.example/sso
saml_keychain = true
saml_browser = true
saml_browser_headless = true
saml_ca_bundle = /etc/ca.pem

[saml-aliases]
333333333333 = prod-main
";

fn file(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("/home/alice/.aws/config"), text).unwrap_or_else(|e| panic!("{e}"))
}

fn plan_of(flags: &Overrides, env: &PlanEnv, select: &ChainSelect) -> Plan {
    resolve(&file(TEXT), env, flags, select).unwrap_or_else(|e| panic!("{e}"))
}

fn profile(name: &str) -> Overrides {
    Overrides {
        profile: Some(name.into()),
        ..Overrides::default()
    }
}

#[test]
fn the_refresh_window_is_the_flag_then_the_profile_then_its_gateway_then_the_default() {
    let env = PlanEnv::default();
    let none = ChainSelect::None;
    let flagged = Overrides {
        refresh_window: Some(Duration::from_secs(60)),
        ..profile("prod")
    };
    assert_eq!(
        plan_of(&flagged, &env, &none).refresh_window,
        Duration::from_secs(60)
    );
    let window = |name: &str| plan_of(&profile(name), &env, &none).refresh_window;
    assert_eq!(window("prod"), Duration::from_secs(30 * 60));
    assert_eq!(
        window("stage"),
        Duration::from_secs(2 * 3600),
        "its gateway's"
    );
    assert_eq!(window("corp"), Duration::from_secs(2 * 3600));
    assert_eq!(window("plain-gw"), DEFAULT_REFRESH_WINDOW);
}

#[test]
fn a_bad_refresh_window_names_the_profile_and_the_key() {
    let text = TEXT.replace("saml_refresh_window = 30m", "saml_refresh_window = soon");
    let err = resolve(
        &file(&text),
        &PlanEnv::default(),
        &profile("prod"),
        &ChainSelect::None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("profile prod"), "{err}");
    assert!(err.contains("saml_refresh_window = 'soon'"), "{err}");
    let flag = Overrides::duration_flag("--refresh-window", "forever").unwrap_err();
    assert!(flag.to_string().starts_with("--refresh-window: "), "{flag}");
}

#[test]
fn flags_win_over_the_gateways_keys() {
    let flags = Overrides {
        url: Some("https://idp.flag.example/sso".into()),
        username: Some("bob".into()),
        provider: Some("okta".into()),
        role: Some("ReadOnly".into()),
        duration_seconds: Some(3600),
        mfa_command: Some("pass otp corp".into()),
        ..profile("stage")
    };
    let plan = plan_of(&flags, &PlanEnv::default(), &ChainSelect::None);
    let gw = &plan.gateway;
    assert_eq!(gw.profile, "corp");
    assert_eq!(gw.url, "https://idp.flag.example/sso");
    assert_eq!(gw.username.as_deref(), Some("bob"));
    assert_eq!(gw.provider.as_deref(), Some("okta"));
    assert_eq!(gw.role.as_deref(), Some("ReadOnly"));
    assert_eq!(gw.duration_seconds, Some(3600));
    assert_eq!(plan.answers.mfa_command.as_deref(), Some("pass otp corp"));

    let plain = plan_of(&profile("stage"), &PlanEnv::default(), &ChainSelect::None);
    assert_eq!(plain.gateway.username.as_deref(), Some("alice"));
    assert_eq!(plain.gateway.role.as_deref(), Some("GatewayAdmin"));
    assert_eq!(plain.gateway.duration_seconds, Some(28800));
    assert_eq!(
        plain.answers.mfa_command.as_deref(),
        Some("ykman oath code corp")
    );
    assert_eq!(plain.target, "stage");
}

#[test]
fn the_environment_names_the_profile_and_fills_what_the_config_leaves_open() {
    let env = PlanEnv::from_env(|name| match name {
        "AWS_PROFILE" => Some("plain-gw".into()),
        "SAMLBRIDGE_PASSWORD" => Some("pw".into()),
        "SAMLBRIDGE_CA_BUNDLE" => Some("/env/ca.pem".into()),
        _ => None,
    });
    let plan = plan_of(&Overrides::default(), &env, &ChainSelect::None);
    assert_eq!(plan.gateway.profile, "plain-gw");
    assert_eq!(plan.answers.password_env, Some(Secret::new("pw")));
    assert_eq!(
        plan.gateway.ca_bundle.as_deref(),
        Some(Path::new("/etc/ca.pem")),
        "saml_ca_bundle wins over SAMLBRIDGE_CA_BUNDLE"
    );
    let corp = plan_of(&profile("corp"), &env, &ChainSelect::None);
    assert_eq!(
        corp.gateway.profile, "corp",
        "--profile wins over AWS_PROFILE"
    );
    assert_eq!(
        corp.gateway.ca_bundle.as_deref(),
        Some(Path::new("/env/ca.pem"))
    );
    let unset = PlanEnv::from_env(|_| Some(String::new()));
    assert_eq!(unset, PlanEnv::default(), "empty is unset");
}

#[test]
fn answer_sources_and_the_browser_come_from_flags_or_keys() {
    let env = PlanEnv::default();
    let gw = plan_of(&profile("plain-gw"), &env, &ChainSelect::None);
    assert!(gw.answers.keychain, "saml_keychain");
    assert_eq!(
        gw.browser.as_ref().map(|b| b.window),
        Some(BrowserWindow::Never)
    );
    let flags = Overrides {
        browser: Some(BrowserWindow::Always),
        browser_timeout: Some(Duration::from_secs(9)),
        ..profile("plain-gw")
    };
    let browser = plan_of(&flags, &env, &ChainSelect::None).browser;
    assert_eq!(
        browser,
        Some(BrowserPlan {
            path: None,
            window: BrowserWindow::Always,
            timeout: Some(Duration::from_secs(9)),
        })
    );
    let corp = plan_of(&profile("corp"), &env, &ChainSelect::None);
    assert_eq!(corp.browser, None);
    assert!(!corp.answers.keychain);
    let flags = Overrides {
        remember_password: true,
        password_stdin: true,
        mfa_code: Some(Secret::new("123456")),
        ..profile("corp")
    };
    let answers = plan_of(&flags, &env, &ChainSelect::None).answers;
    assert!(answers.keychain && answers.password_stdin);
    assert_eq!(answers.mfa_code, Some(Secret::new("123456")));
}

#[test]
fn aliases_and_sinks_are_part_of_the_plan() {
    let plan = plan_of(&profile("corp"), &PlanEnv::default(), &ChainSelect::All);
    assert_eq!(
        plan.aliases
            .configured
            .get("333333333333")
            .map(String::as_str),
        Some("prod-main")
    );
    assert!(!plan.aliases.fetch);
    assert_eq!(plan.sinks.file, ["corp", "stage"]);
    assert_eq!(plan.sinks.process, ["prod"]);
    let fetch = Overrides {
        fetch_aliases: true,
        ..profile("corp")
    };
    assert!(
        plan_of(&fetch, &PlanEnv::default(), &ChainSelect::None)
            .aliases
            .fetch
    );
}

#[test]
fn with_url_a_missing_profile_is_a_gateway_made_from_the_flags() {
    let flags = Overrides {
        url: Some("https://idp.new.example/sso".into()),
        username: Some("carol".into()),
        ..profile("new")
    };
    let plan = plan_of(&flags, &PlanEnv::default(), &ChainSelect::All);
    assert_eq!(plan.gateway.profile, "new");
    assert_eq!(plan.gateway.url, "https://idp.new.example/sso");
    assert_eq!(plan.gateway.username.as_deref(), Some("carol"));
    assert!(plan.chain.is_empty());
    assert_eq!(plan.sinks.file, ["new"]);
    assert_eq!(plan.refresh_window, DEFAULT_REFRESH_WINDOW);
    let err = resolve(
        &file(TEXT),
        &PlanEnv::default(),
        &profile("new"),
        &ChainSelect::All,
    );
    assert!(matches!(err, Err(ConfigError::NoSuchProfile { .. })));
}

/// Issue 10: `saml_provider = entra` signs in through the browser without a `saml_browser` line,
/// and `saml_entra_stay_signed_in` is a checked boolean whose absence means Yes.
#[test]
fn entra_selects_the_browser_and_stay_signed_in_is_checked() {
    let env = PlanEnv::default();
    let none = ChainSelect::None;
    let text = TEXT.replace("saml_provider = adfs", "saml_provider = Entra");
    let plan =
        resolve(&file(&text), &env, &profile("corp"), &none).unwrap_or_else(|e| panic!("{e}"));
    let browser = plan.browser.unwrap_or_else(|| panic!("no browser plan"));
    assert_eq!(browser.window, BrowserWindow::IfInteractive);
    assert!(!plan.gateway.decline_stay_signed_in);
    assert!(
        plan_of(&profile("corp"), &env, &none).browser.is_none(),
        "adfs: forms"
    );

    for (value, declined) in [
        ("false", true),
        ("no", true),
        ("true", false),
        ("on", false),
    ] {
        let text = text.replace(
            "saml_username = alice",
            &format!("saml_username = alice\nsaml_entra_stay_signed_in = {value}"),
        );
        let plan =
            resolve(&file(&text), &env, &profile("corp"), &none).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.gateway.decline_stay_signed_in, declined, "{value}");
    }
    let bad = text.replace(
        "saml_username = alice",
        "saml_username = alice\nsaml_entra_stay_signed_in = maybe",
    );
    let err = resolve(&file(&bad), &env, &profile("corp"), &none)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("saml_entra_stay_signed_in") && err.contains("corp"),
        "{err}"
    );
}
