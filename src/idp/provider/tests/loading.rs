//! Loading the provider files: the built-in ones and users' own, and the errors that name a bad one.

use crate::idp::provider::*;

const ALL: [&str; 12] = [
    "adfs",
    "adfs2",
    "duo",
    "entra",
    "f5apm",
    "generic",
    "keycloak",
    "lemonldap-ng",
    "netiq",
    "pingfederate",
    "shibboleth",
    "simplesamlphp",
];

#[test]
fn every_built_in_file_loads_and_the_fallback_is_last() {
    let providers = Providers::load(None).unwrap();
    assert_eq!(providers.names(), ALL);
    assert_eq!(built_in_names(), ALL);
    let order: Vec<&str> = providers
        .detection_order()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(order.last(), Some(&"generic"));
    assert_eq!(order.len(), ALL.len());
    let adfs = providers.named("adfs").unwrap();
    assert_eq!(adfs.login.set["AuthMethod"], "FormsAuthentication");
    assert!(adfs.mfa.fields.iter().any(|f| f == "VerificationCode"));
    assert!(adfs.push.as_ref().is_some_and(|p| p.interval_seconds == 3));
    assert!(!providers.named("generic").unwrap().detect.is_set());
}

#[test]
fn an_unknown_name_lists_the_available_ones() {
    let providers = Providers::load(None).unwrap();
    let err = providers.named("okta").unwrap_err();
    assert!(matches!(err, IdpError::Setup(_)));
    assert_eq!(
        err.to_string(),
        format!(
            "unknown provider 'okta'; set saml_provider or --provider to one of: {}",
            ALL.iter()
                .filter(|n| **n != "duo")
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    // Duo's prompt is a service IdPs hand over to: not an IdP to name, but a file all the same.
    assert!(providers.named("duo").unwrap().service);
    assert!(!providers.idp_names().contains(&"duo"));
}

#[test]
fn a_bad_file_names_its_line() {
    let text = "description = \"x\"\n\n[login]\nform = \"form#a[\"\n";
    let err = parse("mine", text, Path::new("/p/mine.toml")).unwrap_err();
    let IdpError::ProviderFile {
        file,
        line,
        message,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(file, Path::new("/p/mine.toml"));
    assert_eq!(*line, 4);
    assert!(message.contains("form#a["), "{message}");
    assert!(err.to_string().starts_with("/p/mine.toml:4: "), "{err}");

    let unknown = "[login]\nusername = [\"u\"]\nsubmit = \"go\"\n";
    let err = parse("mine", unknown, Path::new("mine.toml")).unwrap_err();
    assert!(err.to_string().starts_with("mine.toml:3: "), "{err}");
    assert!(err.to_string().contains("submit"), "{err}");

    let syntax = "[detect]\nurl_paths = [\"/a\"\n";
    let err = parse("mine", syntax, Path::new("mine.toml")).unwrap_err();
    assert!(matches!(err, IdpError::ProviderFile { .. }), "{err}");
}

#[test]
fn user_files_add_providers_and_replace_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mykeycloak.toml"),
        "description = \"Keycloak\"\n[detect]\nselectors = [\"form#kc-form-login\"]\n\
         [login]\nform = \"form#kc-form-login\"\n[mfa]\nfields = [\"otp\", \"totp\"]\n\
         [errors]\nselectors = [\"#input-error\", \".kc-feedback-text\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("adfs.toml"), "description = \"mine\"\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a provider").unwrap();
    let providers = Providers::load(Some(dir.path())).unwrap();
    assert_eq!(providers.names().len(), ALL.len() + 1);
    assert!(providers.names().contains(&"mykeycloak"));
    assert_eq!(providers.named("adfs").unwrap().description, "mine");
    let order: Vec<&str> = providers
        .detection_order()
        .map(|p| p.name.as_str())
        .collect();
    // The replaced adfs has no detection rules any more: used only by name.
    assert!(!order.contains(&"adfs"), "{order:?}");
    assert!(order.contains(&"mykeycloak"), "{order:?}");
    assert_eq!(order.last(), Some(&"generic"));

    let infos = providers.infos();
    let mine = infos.iter().find(|i| i.name == "adfs").unwrap();
    assert_eq!(
        mine.origin,
        ProviderOrigin::User(dir.path().join("adfs.toml"))
    );
    let shib = infos.iter().find(|i| i.name == "shibboleth").unwrap();
    assert_eq!(shib.origin, ProviderOrigin::BuiltIn);
    assert!(shib.description.contains("Shibboleth"), "{shib:?}");
}

#[test]
fn a_bad_user_file_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "[mfa]\nfields = \"otp\"\n").unwrap();
    let err = Providers::load(Some(dir.path())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:2: ", path.display())),
        "{err}"
    );
}

#[test]
fn a_missing_user_directory_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let providers = Providers::load(Some(&dir.path().join("nope"))).unwrap();
    assert_eq!(providers.names().len(), ALL.len());
}

/// The schema can say what the next providers need: clicked buttons, fixed fields, error codes.
#[test]
fn the_schema_expresses_other_idps() {
    let text = r##"
        description = "LemonLDAP::NG"
        [detect]
        selectors = ["#lform", "form#lform input[name='token']"]
        [login]
        form = "form#lform"
        username = ["user"]
        password = ["password"]
        click = "_eventId_proceed"
        set = { "pf.ok" = "clicked", "timezone" = "0" }
        [mfa]
        fields = ["code"]
        autocomplete = ["one-time-code"]
        [[errors.codes]]
        selector = "#errormsg span[trmsg]"
        attribute = "trmsg"
        messages = { "5" = "wrong username or password", "96" = "wrong code" }
        ignore = ["9"]
        [push]
        selectors = ["input[name='AuthMethod'][value='AzureMfaAuthentication']"]
        number = "#validEntropyNumber"
    "##;
    let p = parse("lemonldap", text, Path::new("lemonldap.toml")).unwrap();
    assert_eq!(p.login.click.as_deref(), Some("_eventId_proceed"));
    assert_eq!(p.login.set["pf.ok"], "clicked");
    assert_eq!(p.errors.codes[0].messages["96"], "wrong code");
    let push = p.push.unwrap();
    assert_eq!((push.interval_seconds, push.timeout_seconds), (3, 120));
}
