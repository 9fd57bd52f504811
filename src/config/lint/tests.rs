use super::*;
use std::path::Path;

fn file(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new("/home/a/.aws/config"), text).unwrap()
}

fn messages(lints: &[Lint]) -> String {
    lints
        .iter()
        .map(|l| l.message.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_typo_gets_the_closest_known_key() {
    assert_eq!(closest_key("saml_usrname"), Some("saml_username"));
    assert_eq!(closest_key("saml-url"), Some("saml_url"));
    assert_eq!(closest_key("SAML_ROLE"), Some("saml_role"));
    assert_eq!(closest_key("sml_role"), Some("saml_role"));
    assert_eq!(closest_key("saml_keychian"), Some("saml_keychain"));
    assert_eq!(closest_key("saml_ca_bundel"), Some("saml_ca_bundle"));
    assert_eq!(closest_key("saml_username"), None, "a known key is no typo");
}

#[test]
fn the_aws_tools_own_keys_are_not_mistaken_for_typos() {
    for key in [
        "region",
        "output",
        "role_arn",
        "source_profile",
        "credential_process",
        "duration_seconds",
        "mfa_serial",
        "sso_start_url",
        "sso_region",
        "external_id",
        "ca_bundle",
        "endpoint_url",
    ] {
        assert_eq!(closest_key(key), None, "{key}");
    }
}

#[test]
fn every_saml_key_read_by_config_is_in_the_one_list() {
    let sources = [
        include_str!("../profile.rs"),
        include_str!("../plan.rs"),
        include_str!("../resolve.rs"),
        include_str!("../mod.rs"),
    ];
    for source in sources {
        for piece in source.split('"').skip(1).step_by(2) {
            let is_key = piece.starts_with("saml_")
                && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if is_key {
                assert!(SAML_KEYS.contains(&piece), "{piece} is read but not listed");
            }
        }
    }
}

#[test]
fn unknown_saml_keys_are_problems_naming_profile_and_suggestion() {
    let f = file(
        "[profile corp]\nsaml_url = https://idp.example/sso\nsaml_usrname = a\nsaml_frobnicate = 1\nregion = eu-west-1\n",
    );
    let lints = f.lint(None);
    let text = messages(&lints);
    assert!(
        text.contains("profile corp: unknown key saml_usrname")
            && text.contains("did you mean saml_username?"),
        "{text}"
    );
    assert!(text.contains("unknown key saml_frobnicate"), "{text}");
    assert!(text.contains("samlbridge reads saml_url, "), "{text}");
    assert!(!text.contains("region"), "{text}");
    assert!(lints.iter().all(|l| l.problem));
}

#[test]
fn loops_missing_sources_and_non_arn_chained_roles_are_named() {
    let f = file(
        "[profile a]\nsaml_source = b\nsaml_role = arn:aws:iam::111111111111:role/A\n\
         [profile b]\nsaml_source = a\nsaml_role = arn:aws:iam::111111111111:role/B\n\
         [profile orphan]\nsaml_source = nowhere\nsaml_role = arn:aws:iam::111111111111:role/C\n\
         [profile gw]\nsaml_url = https://idp.example/sso\n\
         [profile child]\nsaml_source = gw\nsaml_role = Admins\n",
    );
    let text = messages(&f.lint(None));
    assert!(text.contains("loop"), "{text}");
    assert!(text.contains("saml_source = nowhere"), "{text}");
    assert!(
        text.contains("profile child: saml_role = 'Admins' is not valid"),
        "{text}"
    );
    assert!(!text.contains("profile gw:"), "{text}");
}

#[test]
fn only_the_profile_asked_for_and_its_gateway_are_looked_at() {
    let f = file(
        "[profile gw]\nsaml_url = https://idp.example/sso\nsaml_usrname = x\n\
         [profile child]\nsaml_source = gw\nsaml_role = arn:aws:iam::111111111111:role/A\n\
         [profile other]\nsaml_url = https://idp.example/sso\nsaml_rol = y\n",
    );
    let text = messages(&f.lint(Some("child")));
    assert!(text.contains("saml_usrname"), "{text}");
    assert!(!text.contains("saml_rol "), "{text}");
    let missing = messages(&f.lint(Some("nope")));
    assert!(missing.contains("profile nope not found"), "{missing}");
}

#[test]
fn a_clean_config_has_no_finding() {
    let f = file(
        "[default]\nregion = eu-west-1\n[profile gw]\nsaml_url = https://idp.example/sso\nsaml_username = a\n\
         [profile child]\nsaml_source = gw\nsaml_role = arn:aws:iam::111111111111:role/A\n",
    );
    assert_eq!(f.lint(None), Vec::new());
}

#[test]
fn duplicate_sections_are_found_with_their_lines() {
    let text = "[profile a]\nk=v\n[profile b]\n[ profile  a ]\n# [profile a]\n[profile a]\n";
    assert_eq!(
        duplicate_sections(text),
        vec![("profile a".to_string(), vec![1, 4, 6])]
    );
    assert!(duplicate_sections("[a]\n[b]\n").is_empty());
}

#[test]
fn a_missing_or_unreadable_file_is_one_problem_and_no_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AwsPaths {
        home: dir.path().to_path_buf(),
        config_file: dir.path().join("config"),
        credentials_file: dir.path().join("credentials"),
    };
    let missing = lint_config(&paths, None);
    assert!(missing.file.is_none());
    assert_eq!(missing.lints.len(), 1);
    assert!(missing.lints[0].message.contains("there is no config file"));
    std::fs::write(&paths.config_file, b"[profile a]\nsaml_url = \xff\n").unwrap();
    let binary = lint_config(&paths, None);
    assert!(
        binary.lints[0].message.contains("is not UTF-8"),
        "{binary:?}"
    );
    std::fs::write(
        &paths.config_file,
        "[profile a]\nsaml_url = https://idp.example/\n[profile a]\nsaml_usrname = x\n",
    )
    .unwrap();
    let linted = lint_config(&paths, None);
    assert!(linted.file.is_some());
    let text = messages(&linted.lints);
    assert!(
        text.contains("section [profile a] appears 2 times (lines 1, 3)"),
        "{text}"
    );
    assert!(text.contains("did you mean saml_username?"), "{text}");
}
