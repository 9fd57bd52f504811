use super::Launch;
use super::capture::{self, Paused};
use super::find::{self, Machine, NotFound};
use super::process;
use super::store::{BrowserStore, SavedCookie};
use crate::state::StateDir;
use base64::Engine;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A made-up machine: its variables and the executable files on it.
#[derive(Default)]
struct FakeMachine {
    vars: HashMap<String, String>,
    executables: HashSet<PathBuf>,
}

impl FakeMachine {
    fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }
    fn with_exe(mut self, path: &str) -> Self {
        self.executables.insert(PathBuf::from(path));
        self
    }
}

impl Machine for FakeMachine {
    fn var(&self, name: &str) -> Option<OsString> {
        self.vars.get(name).map(OsString::from)
    }
    fn is_executable(&self, path: &Path) -> bool {
        self.executables.contains(path)
    }
}

#[test]
fn chromium_in_path_is_found_before_chrome_in_path() {
    let m = FakeMachine::default()
        .with_var("PATH", "/usr/local/bin:/usr/bin")
        .with_exe("/usr/bin/google-chrome")
        .with_exe("/usr/bin/chromium");
    assert_eq!(find::find(&m, None), Ok(PathBuf::from("/usr/bin/chromium")));
}

#[test]
fn earlier_path_directories_win_for_the_same_browser() {
    let m = FakeMachine::default()
        .with_var("PATH", "/opt/x/bin:/usr/bin")
        .with_exe("/usr/bin/chromium")
        .with_exe("/opt/x/bin/chromium");
    assert_eq!(
        find::find(&m, None),
        Ok(PathBuf::from("/opt/x/bin/chromium"))
    );
}

#[test]
fn edge_and_brave_are_found_when_they_are_all_there_is() {
    let edge = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_exe("/usr/bin/microsoft-edge");
    assert_eq!(
        find::find(&edge, None),
        Ok(PathBuf::from("/usr/bin/microsoft-edge"))
    );
    let brave = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_exe("/usr/bin/brave-browser");
    assert_eq!(
        find::find(&brave, None),
        Ok(PathBuf::from("/usr/bin/brave-browser"))
    );
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn chrome_outside_path_is_found_in_opt() {
    let m = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_exe("/opt/google/chrome/chrome");
    assert_eq!(
        find::find(&m, None),
        Ok(PathBuf::from("/opt/google/chrome/chrome"))
    );
}

#[test]
fn no_browser_anywhere_says_what_to_install_or_set() {
    let m = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_exe("/usr/bin/firefox");
    let err = find::find(&m, None);
    assert_eq!(err, Err(NotFound::Nowhere));
    let text = NotFound::Nowhere.message("corp");
    assert!(text.contains("profile corp"), "{text}");
    assert!(text.contains("apt-get install chromium"), "{text}");
    assert!(text.contains("SAMLBRIDGE_BROWSER"), "{text}");
}

#[test]
fn a_configured_path_that_is_missing_is_an_error_with_no_fallback() {
    let m = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_exe("/usr/bin/chromium");
    let err = find::find(&m, Some(Path::new("/nowhere/chrome")));
    assert_eq!(
        err,
        Err(NotFound::Named {
            value: "/nowhere/chrome".into(),
            source: "saml_browser_path"
        })
    );
}

#[test]
fn the_variable_names_the_browser_when_the_profile_does_not() {
    let m = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_var("SAMLBRIDGE_BROWSER", "/srv/chrome")
        .with_exe("/usr/bin/chromium")
        .with_exe("/srv/chrome");
    assert_eq!(find::find(&m, None), Ok(PathBuf::from("/srv/chrome")));
    assert_eq!(
        find::find(&m, Some(Path::new("/usr/bin/chromium"))),
        Ok(PathBuf::from("/usr/bin/chromium")),
        "saml_browser_path comes first"
    );
    let missing = FakeMachine::default()
        .with_var("PATH", "/usr/bin")
        .with_var("SAMLBRIDGE_BROWSER", "/srv/none")
        .with_exe("/usr/bin/chromium");
    let Err(NotFound::Named { source, .. }) = find::find(&missing, None) else {
        panic!("a missing SAMLBRIDGE_BROWSER must not fall back");
    };
    assert_eq!(source, "SAMLBRIDGE_BROWSER");
}

#[test]
fn a_bare_name_is_looked_up_in_path() {
    let m = FakeMachine::default()
        .with_var("PATH", "/a:/b")
        .with_var("SAMLBRIDGE_BROWSER", "my-chrome")
        .with_exe("/b/my-chrome");
    assert_eq!(find::find(&m, None), Ok(PathBuf::from("/b/my-chrome")));
    let absent = FakeMachine::default()
        .with_var("PATH", "/a:/b")
        .with_var("SAMLBRIDGE_BROWSER", "my-chrome");
    assert!(find::find(&absent, None).is_err());
}

#[test]
fn aws_saml_endpoints_of_every_partition_are_known() {
    for url in [
        "https://signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com:443/saml",
        "https://signin.aws.amazon.com/saml/",
        "https://eu-west-1.signin.aws.amazon.com/saml",
        "https://us-east-2.signin.aws.amazon.com/saml?x=1",
        "https://signin.amazonaws-us-gov.com/saml",
        "https://us-gov-west-1.signin.amazonaws-us-gov.com/saml",
        "https://signin.amazonaws.cn/saml",
        "https://cn-north-1.signin.amazonaws.cn/saml",
        "HTTPS://SIGNIN.AWS.AMAZON.COM/saml",
    ] {
        let parsed = url::Url::parse(url).unwrap();
        assert!(capture::is_aws_saml_endpoint(&parsed), "{url}");
    }
}

#[test]
fn look_alikes_of_aws_endpoints_are_not_taken() {
    for url in [
        "http://signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/saml2",
        "https://signin.aws.amazon.com/federation",
        "https://signin.aws.amazon.com.evil.example/saml",
        "https://evilsignin.aws.amazon.com/saml",
        "https://a.b.signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com:8443/saml",
        "https://127.0.0.1/saml",
        "https://signin.amazonaws.com/saml",
    ] {
        let parsed = url::Url::parse(url).unwrap();
        assert!(!capture::is_aws_saml_endpoint(&parsed), "{url}");
    }
}

fn form_body(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

#[test]
fn the_post_to_aws_is_taken_with_its_saml_response() {
    let body = form_body(&[("SAMLResponse", "PHNhbWw+"), ("RelayState", "x")]);
    let decided = capture::decide(
        "https://signin.aws.amazon.com/saml",
        "POST",
        Some(&body),
        false,
    );
    let Paused::Taken(assertion) = decided else {
        panic!("not taken: {decided:?}");
    };
    assert_eq!(assertion.base64().expose(), "PHNhbWw+");
}

#[test]
fn a_post_to_aws_without_an_assertion_is_stopped_and_other_requests_go_on() {
    let body = form_body(&[("other", "1")]);
    assert!(matches!(
        capture::decide(
            "https://signin.aws.amazon.com/saml",
            "POST",
            Some(&body),
            false
        ),
        Paused::Stopped
    ));
    assert!(matches!(
        capture::decide("https://idp.example/saml", "POST", Some(&body), false),
        Paused::Continue
    ));
}

#[test]
fn loopback_stands_in_for_aws_only_for_an_idp_on_loopback() {
    let body = form_body(&[("SAMLResponse", "PHNhbWw+")]);
    let url = "http://127.0.0.1:8080/saml";
    assert!(matches!(
        capture::decide(url, "POST", Some(&body), true),
        Paused::Taken(_)
    ));
    assert!(
        matches!(
            capture::decide(url, "POST", Some(&body), false),
            Paused::Continue
        ),
        "a real IdP's sign-in never hands the assertion to a loopback page"
    );
    assert!(matches!(
        capture::decide("http://127.0.0.1:8080/login", "POST", Some(b"user=a"), true),
        Paused::Continue
    ));
    assert!(
        !capture::patterns(false)
            .iter()
            .any(|p| p.contains("127.0.0.1"))
    );
    assert!(
        capture::patterns(true)
            .iter()
            .any(|p| p.contains("127.0.0.1"))
    );
}

#[test]
fn post_data_entries_are_joined_from_base64() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let parts = [
        b64.encode("SAMLResponse=PHN"),
        b64.encode("hbWw%2B&RelayState=r"),
    ];
    let body = capture::join_entries(parts.iter().map(String::as_str));
    assert_eq!(capture::saml_response(&body).as_deref(), Some("PHNhbWw+"));
}

fn launch(headless: bool, no_sandbox: bool) -> Launch {
    Launch {
        profile: "corp".into(),
        executable: PathBuf::from("/usr/bin/chromium"),
        profile_dir: PathBuf::from("/state/browser/abc/profile"),
        headless,
        no_sandbox,
        home: None,
    }
}

#[test]
fn the_command_line_keeps_the_sandbox_unless_root_and_uses_its_own_profile() {
    let args = process::arguments(&launch(true, false));
    assert!(args.contains(&"--user-data-dir=/state/browser/abc/profile".to_string()));
    // DevTools over the pipe only: no port another process could connect to.
    assert!(args.contains(&"--remote-debugging-pipe".to_string()));
    assert!(
        !args
            .iter()
            .any(|a| a.starts_with("--remote-debugging-port"))
    );
    assert!(args.contains(&"--headless=new".to_string()));
    assert!(!args.iter().any(|a| a.contains("sandbox")));
    let root = process::arguments(&launch(false, true));
    assert!(root.contains(&"--no-sandbox".to_string()));
    assert!(!root.iter().any(|a| a.starts_with("--headless")));
    assert!(!root.iter().any(|a| a.contains("certificate")));
}

#[test]
fn no_flag_weakens_the_browsers_certificate_checks() {
    for launch in [launch(true, false), launch(false, true)] {
        let args = process::arguments(&launch);
        assert!(
            !args.iter().any(|a| a.contains("certificate-errors")),
            "{args:?}"
        );
        assert!(
            !args.iter().any(|a| a.contains("allow-insecure")),
            "{args:?}"
        );
    }
}

#[test]
fn the_browser_gets_no_secret_of_samlbridges_environment() {
    let parent = [
        ("PATH", "/usr/bin"),
        ("HOME", "/home/alice"),
        ("DISPLAY", ":0"),
        ("LC_ALL", "C.UTF-8"),
        ("https_proxy", "http://proxy:3128"),
        ("SAMLBRIDGE_PASSWORD", "hunter2"),
        ("SAMLBRIDGE_MFA_CODE", "123456"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
        ("SSH_AUTH_SOCK", "/tmp/agent"),
    ]
    .map(|(k, v)| (OsString::from(k), OsString::from(v)));
    let env = process::environment(parent.clone().into_iter(), None);
    let names: Vec<String> = env
        .iter()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["PATH", "HOME", "DISPLAY", "LC_ALL", "https_proxy"]);
    let private = process::environment(parent.into_iter(), Some(Path::new("/state/home")));
    let homes: Vec<_> = private.iter().filter(|(k, _)| k == "HOME").collect();
    assert_eq!(
        homes,
        [&(OsString::from("HOME"), OsString::from("/state/home"))]
    );
}

#[test]
fn the_bundle_becomes_the_private_homes_only_added_trust_anchor() {
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap_or_else(|e| panic!("{e}"));
    let made = super::trust::prepare_home(&home, &ca, "idp.corp.example");
    if !Path::new("/usr/bin/certutil").exists() {
        // Without NSS's tools nothing is trusted beyond the system: fail closed, as a TLS problem.
        let refused = made.expect_err("no certutil");
        assert_eq!(refused.exit_kind(), crate::exit::ExitKind::Network);
        assert!(refused.to_string().contains("libnss3-tools"), "{refused}");
        return;
    }
    made.unwrap_or_else(|e| panic!("{e}"));
    let db = format!("sql:{}", home.join(".pki/nssdb").display());
    let listed = std::process::Command::new("certutil")
        .args(["-L", "-d", &db])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("saml_ca_bundle #0"), "{listed}");
    assert!(listed.contains("C,,"), "{listed}");
    // Made anew: a second start does not pile up or keep what the bundle no longer holds.
    super::trust::prepare_home(&home, &ca, "idp.corp.example").unwrap_or_else(|e| panic!("{e}"));
    let leftovers: Vec<_> = std::fs::read_dir(home.join(".pki/nssdb"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".der"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn an_unreadable_bundle_is_said_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = super::trust::prepare_home(dir.path(), Path::new("/nowhere/ca.pem"), "idp");
    assert!(matches!(missing, Err(crate::idp::IdpError::Setup(m)) if m.contains("saml_ca_bundle")));
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap_or_else(|e| panic!("{e}"));
    let none = super::trust::prepare_home(dir.path(), &empty, "idp");
    assert!(matches!(none, Err(crate::idp::IdpError::Setup(m)) if m.contains("no certificate")));
}

fn cookie(name: &str, expires: Option<f64>) -> SavedCookie {
    SavedCookie {
        name: name.into(),
        value: "v".into(),
        domain: "idp.example".into(),
        path: "/".into(),
        secure: true,
        http_only: true,
        same_site: Some("Lax".into()),
        expires,
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn profiles_and_cookies_are_private_per_host_and_user_and_logout_removes_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = BrowserStore::new(&StateDir::at(dir.path().join("state")));
    let alice = store.profile_dir("idp.example", "alice").unwrap();
    let bob = store.profile_dir("idp.example", "bob").unwrap();
    let other = store.profile_dir("other.example", "alice").unwrap();
    assert_ne!(alice, bob);
    assert_ne!(alice, other);
    let saved = vec![cookie("sid", None), cookie("keep", Some(2e9))];
    store.save_cookies("idp.example", "alice", &saved).unwrap();
    assert!(store.load_cookies("idp.example", "alice") == saved);
    assert!(store.load_cookies("idp.example", "bob").is_empty());
    #[cfg(unix)]
    {
        assert_eq!(mode(&alice), 0o700);
        assert_eq!(mode(alice.parent().unwrap()), 0o700);
        assert_eq!(mode(&alice.parent().unwrap().join("cookies.json")), 0o600);
    }
    assert_eq!(store.forget("idp.example", Some("alice")).unwrap(), 1);
    assert!(!alice.exists());
    assert!(store.load_cookies("idp.example", "alice").is_empty());
    assert!(bob.exists());
    assert_eq!(store.forget("idp.example", None).unwrap(), 1);
    assert!(!bob.exists());
    assert!(other.exists(), "another host's profile stays");
}

#[test]
fn unreadable_saved_cookies_are_no_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let store = BrowserStore::new(&StateDir::at(dir.path()));
    let profile = store.profile_dir("idp.example", "alice").unwrap();
    std::fs::write(profile.parent().unwrap().join("cookies.json"), b"{not json").unwrap();
    assert!(store.load_cookies("idp.example", "alice").is_empty());
}

#[test]
fn a_saml_response_sent_by_script_as_json_or_form_data_is_read_too() {
    let json = br#"{"SAMLResponse":"PHNhbWw+","RelayState":""}"#;
    assert_eq!(capture::saml_response(json).as_deref(), Some("PHNhbWw+"));
    let multipart = "------b7\r\nContent-Disposition: form-data; name=\"RelayState\"\r\n\r\nr\r\n\
                     ------b7\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\nPHNhbWw+\r\n\
                     ------b7--\r\n";
    assert_eq!(
        capture::saml_response(multipart.as_bytes()).as_deref(),
        Some("PHNhbWw+")
    );
    assert_eq!(capture::saml_response(b"SAMLResponse=&x=1"), None);
    assert_eq!(capture::saml_response(b"{\"other\":1}"), None);
}

#[test]
fn words_asking_for_a_security_key_are_recognised() {
    use super::drive::asks_for_security_key;
    for text in [
        "insert your security key and touch it",
        "sign in with a passkey",
        "use windows hello to continue",
        "verify with touch id",
    ] {
        assert!(asks_for_security_key(text), "{text}");
    }
    assert!(!asks_for_security_key(
        "enter the code from your authenticator app"
    ));
}

#[test]
fn the_browsers_error_page_is_said_by_its_net_error() {
    let said = super::session::error_page_reason(
        "Your connection is not private\nNET::ERR_CERT_AUTHORITY_INVALID\nAdvanced",
    );
    assert!(
        said.contains("ERR_CERT_AUTHORITY_INVALID") && said.contains("saml_ca_bundle"),
        "{said}"
    );
    let refused =
        super::session::error_page_reason("This site can't be reached\nERR_CONNECTION_REFUSED");
    assert!(refused.contains("ERR_CONNECTION_REFUSED") && !refused.contains("saml_ca_bundle"));
    assert!(super::session::error_page_reason("").contains("could not load"));
}

#[test]
fn a_verified_duo_push_code_is_told_in_the_providers_words() {
    // Issue 20: Duo's Verified Push shows a code to type in Duo Mobile, not a number to pick.
    let providers = crate::idp::provider::Providers::load(None).unwrap();
    let duo = providers.named("duo").unwrap().push.clone().unwrap();
    let (said, left) = super::act::push_notice(&duo, Some("482".into()));
    assert_eq!(
        said,
        "Duo Push sent: approve it in Duo Mobile (Verified Duo Push: type 482 in Duo Mobile)"
    );
    assert_eq!(left, None);
    assert_eq!(
        super::act::push_notice(&duo, None),
        ("Duo Push sent: approve it in Duo Mobile".to_string(), None)
    );
    // Entra's number matching is still a number to pick, told by the push wait.
    let entra = providers.named("entra").unwrap().push.clone().unwrap();
    let (said, left) = super::act::push_notice(&entra, Some("47".into()));
    assert_eq!(said, entra.message);
    assert_eq!(left.as_deref(), Some("47"));
}
