//! Reading ~/.aws/config and resolving plans: every rule of config/mod.rs and config/plan.rs.

use super::*;

const FILE: &str = "/home/alice/.aws/config";

fn parse(text: &str) -> ConfigFile {
    match ConfigFile::parse(Path::new(FILE), text) {
        Ok(config) => config.with_home(Path::new("/home/alice")),
        Err(e) => panic!("{e}"),
    }
}

fn keys(config: &ConfigFile, profile: &str) -> Vec<(String, String)> {
    let section = config.profiles.get(profile).cloned().unwrap_or_default();
    section.keys.into_iter().collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn comments_crlf_and_odd_spacing() {
    let text = "# top\r\n; also\r\n[profile corp]   # gateway\r\n  saml_url=https://idp.example/sso?a=b#frag\r\nregion   =   eu-west-1   ; inline\r\nsaml_username :alice@example.com\r\n   # indented comment\r\n\r\nduration_seconds = 3600 # one hour\r\n";
    let config = parse(text);
    assert_eq!(config.profiles.keys().collect::<Vec<_>>(), ["corp"]);
    assert_eq!(
        keys(&config, "corp"),
        pairs(&[
            ("duration_seconds", "3600"),
            ("region", "eu-west-1"),
            ("saml_url", "https://idp.example/sso?a=b#frag"),
            ("saml_username", "alice@example.com"),
        ])
    );
}

#[test]
fn duplicate_keys_and_sections_last_wins() {
    let config = parse(
        "[profile a]\nregion = one\nregion = two\nk = 1\n[profile b]\n[profile a]\nregion = three\n",
    );
    assert_eq!(
        keys(&config, "a"),
        pairs(&[("k", "1"), ("region", "three")])
    );
    assert_eq!(config.profiles["a"].name, "a");
}

#[test]
fn only_default_and_profile_sections_are_profiles() {
    let text = "[default]\nregion = bare\n[sso-session s]\nsso_region = x\n[services dev]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[corp]\nsaml_url = https://x\n[profilex]\nk=v\n[profile]\nk=v\n[profile default]\nregion = prefixed\n[profile  spaced ]\nk = v\n";
    let config = parse(text);
    assert_eq!(
        config.profiles.keys().collect::<Vec<_>>(),
        ["default", "spaced"]
    );
    // [profile default] wins over [default], whatever the order (as the AWS SDKs do).
    assert_eq!(keys(&config, "default"), pairs(&[("region", "prefixed")]));
    assert_eq!(
        keys(&parse("[default]\nregion = bare\n"), "default"),
        pairs(&[("region", "bare")])
    );
}

#[test]
fn continuation_lines_fold_into_the_key_above() {
    let config = parse(
        "[profile a]\ns3 =\n  max_concurrent_requests = 20\n\n  addressing_style = path\nregion = x\n",
    );
    assert_eq!(
        keys(&config, "a"),
        pairs(&[
            ("region", "x"),
            (
                "s3",
                "\nmax_concurrent_requests = 20\naddressing_style = path"
            )
        ])
    );
}

#[test]
fn keys_keep_their_case() {
    let config = parse("[profile a]\nSAML_URL = https://x\nsaml_url = https://y\n");
    assert_eq!(
        keys(&config, "a"),
        pairs(&[("SAML_URL", "https://x"), ("saml_url", "https://y")])
    );
}

fn parse_error(text: &str) -> String {
    match ConfigFile::parse(Path::new(FILE), text) {
        Ok(config) => panic!("parsed: {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn lines_the_aws_cli_rejects_are_errors_naming_the_line_not_its_text() {
    let e = parse_error("[profile a]\nk = v\naws_secret_access_key SECRETVALUE\n");
    assert!(
        e.starts_with(FILE) && e.contains("line 3") && !e.contains("SECRETVALUE"),
        "{e}"
    );
    let e = parse_error("region = x\n[profile a]\n");
    assert!(
        e.contains("line 1") && e.contains("before any [section]"),
        "{e}"
    );
    let e = parse_error("[profile a]\n[profile broken\n");
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn a_missing_file_is_empty_and_an_unreadable_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("config");
    let config = ConfigFile::load(&missing).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.profiles.is_empty());
    assert!(matches!(
        config.plan("corp", &ChainSelect::All),
        Err(ConfigError::NoSuchProfile { .. })
    ));

    std::fs::write(&missing, b"[profile a]\nk = \xff\n").unwrap_or_else(|e| panic!("{e}"));
    let e = ConfigFile::load(&missing)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("config: is not UTF-8"), "{e}");

    let e = ConfigFile::load(dir.path())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read it"), "{e}");

    std::fs::write(&missing, "[profile corp]\nsaml_url = https://idp\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let paths = AwsPaths::from_env(|k| match k {
        "HOME" => Some("/h".into()),
        "AWS_CONFIG_FILE" => Some(missing.to_string_lossy().into_owned()),
        _ => None,
    });
    let config = paths.map(|p| ConfigFile::load_from(&p));
    assert!(
        matches!(config, Some(Ok(ConfigFile { home: Some(ref h), .. })) if h == Path::new("/h"))
    );
}

#[test]
fn the_alias_section_is_read_and_kept_apart_from_profiles() {
    let text = "[saml-aliases]\n123456789012 = prod-main   # the big one\n210987654321=dev\n\n[profile corp]\nsaml_url = https://idp\n\n[ saml-aliases ]\n333333333333 = shared services\n[sso-session x]\n444444444444 = not-an-alias\n";
    let config = parse(text);
    assert_eq!(config.profiles.keys().collect::<Vec<_>>(), ["corp"]);
    assert_eq!(
        config.alias_lines.into_iter().collect::<Vec<_>>(),
        pairs(&[
            ("123456789012", "prod-main"),
            ("210987654321", "dev"),
            ("333333333333", "shared services"),
        ])
    );
}

#[test]
fn a_continuation_line_under_an_alias_is_folded_in_for_the_check_to_reject() {
    let config = parse("[saml-aliases]\n123456789012 = prod\n  main\n");
    assert_eq!(config.alias_lines["123456789012"], "prod\nmain");
}

#[test]
fn saml_fetch_aliases_is_true_or_false() {
    let config = parse(
        "[profile a]\nsaml_fetch_aliases = true\n[profile b]\nsaml_fetch_aliases = FALSE\n[profile c]\nsaml_fetch_aliases = yes\n[profile d]\n",
    );
    assert!(config.fetch_aliases("a").unwrap());
    assert!(!config.fetch_aliases("b").unwrap());
    assert!(!config.fetch_aliases("d").unwrap());
    assert!(!config.fetch_aliases("missing").unwrap());
    let err = config.fetch_aliases("c").unwrap_err().to_string();
    assert!(
        err.contains("profile c")
            && err.contains("saml_fetch_aliases")
            && err.contains("true or false"),
        "{err}"
    );
}

#[test]
fn saml_auth_takes_form_kerberos_or_ntlm() {
    assert_eq!(SamlAuth::parse("form"), Some(SamlAuth::Form));
    assert_eq!(SamlAuth::parse(" Kerberos "), Some(SamlAuth::Kerberos));
    assert_eq!(SamlAuth::parse("NTLM"), Some(SamlAuth::Ntlm));
    for bad in ["", "kerb", "basic", "ntlmv2", "form kerberos", "negotiate"] {
        assert_eq!(SamlAuth::parse(bad), None, "{bad}");
    }
    assert_eq!(SamlAuth::default(), SamlAuth::Form);
}

#[test]
fn saml_okta_api_takes_idx_classic_or_auto() {
    use crate::idp::OktaApi;
    assert_eq!(OktaApi::parse("idx"), Some(OktaApi::Idx));
    assert_eq!(OktaApi::parse(" Classic "), Some(OktaApi::Classic));
    assert_eq!(OktaApi::parse("auto"), Some(OktaApi::Auto));
    for bad in ["", "oie idx", "authn-api", "v1"] {
        assert_eq!(OktaApi::parse(bad), None, "{bad}");
    }
    assert_eq!(OktaApi::default(), OktaApi::Auto);
}
