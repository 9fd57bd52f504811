//! Browser sign-in (issue 9) through Chromium, headless, against the real SimpleSAMLphp
//! (../shared/real-idp) paired with the STS emulator: alice signs in and a role is chosen, the chained
//! profile is written; a wrong password comes back in SimpleSAMLphp's words; the next sign-in is
//! silent with no password anywhere (its session cookies were saved and restored); after `logout` the
//! sign-in ends with exit 3. No browser process is left after any run.

use crate::browser_signin::{assert_no_browser_left, have_chromium};
use crate::harness::Sandbox;
use crate::real_peers::{self, Peer, Tool};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

const READONLY: &str = "arn:aws:iam::111111111111:role/GatewayReadOnly";
const ADMIN: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const BILLING: &str = "arn:aws:iam::222222222222:role/Billing";
const CHILD: &str = "arn:aws:iam::333333333333:role/Admins";

struct Setup {
    sts: StsEmulator,
    sandbox: Sandbox,
    _idp: Peer,
}

fn setup(password: &str) -> Setup {
    let idp = real_peers::start_simplesamlphp();
    let sts = StsEmulator::start(
        StsConfig::default()
            .role(StsRole::new(ADMIN).max_session(43200))
            .role(StsRole::new(READONLY).max_session(43200))
            .role(StsRole::new(BILLING))
            .role(StsRole::new(CHILD).trust(READONLY)),
    );
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile ssp]\nsaml_url = {}\nsaml_username = alice\nsaml_browser = true\n\
         saml_browser_headless = true\nregion = eu-west-1\n\n\
         [profile ssp-child]\nsaml_source = ssp\nsaml_role = {CHILD}\n",
        real_peers::simplesamlphp_sign_in_url(&idp)
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", password);
    Setup {
        sts,
        sandbox,
        _idp: idp,
    }
}

fn ready(test: &str) -> bool {
    have_chromium(test) && real_peers::available(test, &[Tool::SimpleSamlPhp])
}

#[test]
fn simplesamlphp_through_chromium_signs_in_then_silently_then_not_after_logout() {
    if !ready("simplesamlphp_through_chromium") {
        return;
    }
    let mut s = setup("alice-Pass-1");
    let login = [
        "login",
        "--profile",
        "ssp",
        "--role",
        "GatewayReadOnly",
        "--force",
    ];
    let first = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    first.expect_code(0);
    let ini = s.sandbox.credentials_ini();
    for (profile, role) in [("ssp", READONLY), ("ssp-child", CHILD)] {
        let key = ini
            .get(profile)
            .and_then(|p| p.get("aws_access_key_id"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            s.sts.session(&key).map(|i| i.role_arn),
            Some(role.to_string()),
            "[{profile}]\n{}",
            first.dump()
        );
    }

    s.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let silent = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    silent.expect_code(0);
    let calls = s.sts.calls_to("AssumeRoleWithSAML").len();
    assert!(
        calls >= 2,
        "the silent sign-in reached the STS:\n{}",
        s.sts.log_text()
    );

    s.sandbox
        .run(&["logout", "--profile", "ssp"])
        .expect_code(0);
    let after = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    after.expect_code(3);
    assert_eq!(
        s.sts.calls_to("AssumeRoleWithSAML").len(),
        calls,
        "no assertion after logout"
    );
}

#[test]
fn simplesamlphp_through_chromium_wrong_password_is_exit_3_with_its_words() {
    if !ready("simplesamlphp_through_chromium_wrong_password") {
        return;
    }
    let s = setup("not-alices-password");
    s.sts.expect_unused();
    let out = s
        .sandbox
        .run(&["login", "--profile", "ssp", "--role", "GatewayAdmin"]);
    assert_no_browser_left(&s.sandbox);
    out.expect_code(3)
        .expect_stderr_contains("Incorrect username or password");
    assert!(s.sandbox.credentials_bytes().is_none());
}

/// LemonLDAP::NG (its error texts are filled in by its own scripts) with dwho.
fn lemonldap(password: &str) -> Option<Setup> {
    let test = "lemonldap_through_chromium";
    if !(have_chromium(test) && real_peers::available(test, &[Tool::LemonLdap])) {
        return None;
    }
    let idp = real_peers::start_lemonldap();
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(ADMIN)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile llng]\nsaml_url = {}/saml/singleSignOn?IDPInitiated=1&spConfKey=aws\n\
         saml_username = dwho\nsaml_browser = true\nregion = eu-west-1\n",
        idp.base_url()
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", password);
    Some(Setup {
        sts,
        sandbox,
        _idp: idp,
    })
}

// On plain http LemonLDAP::NG's cookies are `SameSite=None` without `Secure`, which Chromium refuses
// (so would a person's Chrome): a sign-in through Chromium there cannot complete, and the form
// engine's cookie store takes them. Its refusal is still read from the page its scripts wrote. A
// LemonLDAP::NG served over https (as any real one is) sets `Secure` and signs in: see below.

#[test]
fn lemonldap_through_chromium_a_wrong_password_is_refused_in_words() {
    let Some(s) = lemonldap("not-dwho") else {
        return;
    };
    s.sts.expect_unused();
    let out = s.sandbox.run(&[
        "login",
        "--profile",
        "llng",
        "--headless",
        "--mfa-code",
        "000000",
    ]);
    assert_no_browser_left(&s.sandbox);
    out.expect_code(3)
        .expect_stderr_contains("rong username or password");
}

/// The kit's LemonLDAP::NG as it runs in production: over https (with the test CA's certificate, a
/// CA no machine trusts: the profile names it in saml_ca_bundle), its portal URL https and its
/// cookies `Secure`. The kit's own start script sets it up on http; its portal is then restarted
/// with TLS on the same port.
struct LemonLdapHttps {
    portal: std::process::Child,
    port: u16,
    _state: tempfile::TempDir,
}

impl Drop for LemonLdapHttps {
    fn drop(&mut self) {
        let _ = self.portal.kill();
        let _ = self.portal.wait();
    }
}

impl LemonLdapHttps {
    fn start() -> LemonLdapHttps {
        use std::process::{Command, Stdio};
        let state = tempfile::Builder::new()
            .prefix("samlbridge-llng-https")
            .tempdir()
            .unwrap_or_else(|e| panic!("temp dir: {e}"));
        let dir = state.path();
        let port = real_peers::free_port();
        let kit = real_peers::real_idp_dir().join("lemonldap-ng");
        let out = Command::new("bash")
            .arg(kit.join("start.sh"))
            .arg(dir)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("lemonldap-ng/start.sh: {e}"));
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success() && !pid.is_empty(),
            "lemonldap-ng/start.sh failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stop(&pid);
        let conf = dir.join("conf/lmConf-1.json");
        let text = std::fs::read_to_string(&conf).unwrap_or_else(|e| panic!("{e}"));
        let mut json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        json["portal"] = format!("https://127.0.0.1:{port}/").into();
        json["securedCookie"] = 1.into();
        std::fs::write(&conf, json.to_string()).unwrap_or_else(|e| panic!("{e}"));
        // Its configuration cache would still hold the http portal.
        let _ = std::fs::remove_dir_all(dir.join("cache"));
        let _ = std::fs::create_dir_all(dir.join("cache"));
        let tls = |name: &str| {
            samlbridge_emulators::tls::fixture(name)
                .display()
                .to_string()
        };
        let portal = Command::new("plackup")
            .args(["-s", "HTTP::Server::PSGI", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--ssl", "1", "--ssl-key-file", &tls("server.key")])
            .args(["--ssl-cert-file", &tls("server.pem")])
            .arg(kit.join("portal.psgi"))
            .env("LLNG_DEFAULTCONFFILE", dir.join("lemonldap-ng.ini"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("plackup: {e}"));
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "LemonLDAP::NG over https did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        LemonLdapHttps {
            portal,
            port,
            _state: state,
        }
    }
}

/// Ends the kit's first portal (started in a session of its own) and waits until it is gone.
fn stop(pid: &str) {
    let _ = std::process::Command::new("kill").arg(pid).status();
    let started = std::time::Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists()
        && started.elapsed() < std::time::Duration::from_secs(5)
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn lemonldap_over_https_through_chromium_signs_in_with_totp_from_the_mfa_command() {
    let test = "lemonldap_over_https_through_chromium";
    if !(have_chromium(test) && real_peers::available(test, &[Tool::LemonLdap])) {
        return;
    }
    // Its portal serves TLS through Perl's IO::Socket::SSL (a dependency of LemonLDAP::NG's LDAP
    // backend on Debian).
    let tls = std::process::Command::new("perl")
        .args(["-MIO::Socket::SSL", "-e1"])
        .status()
        .is_ok_and(|s| s.success());
    if !tls {
        assert!(
            std::env::var("SAMLBRIDGE_REAL_PEERS").as_deref() != Ok("required"),
            "{test}: Perl's IO::Socket::SSL is missing (apt-get install libio-socket-ssl-perl)"
        );
        eprintln!("skipping {test}: Perl's IO::Socket::SSL is missing");
        return;
    }
    let idp = LemonLdapHttps::start();
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(ADMIN)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile llng]\nsaml_url = https://127.0.0.1:{}/saml/singleSignOn?IDPInitiated=1&spConfKey=aws\n\
         saml_username = dwho\nsaml_browser = true\nsaml_ca_bundle = {}\nregion = eu-west-1\n",
        idp.port,
        samlbridge_emulators::tls::fixture("ca.pem").display()
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", "dwho");
    let totp = real_peers::real_idp_dir().join("lemonldap-ng/totp.py");
    let command = format!("python3 {}", totp.display());
    let out = sandbox.run(&[
        "login",
        "--profile",
        "llng",
        "--headless",
        "--mfa-command",
        &command,
    ]);
    assert_no_browser_left(&sandbox);
    out.expect_code(0);
    assert_eq!(sts.calls_to("AssumeRoleWithSAML").len(), 1);
    let written =
        String::from_utf8_lossy(&sandbox.credentials_bytes().unwrap_or_default()).into_owned();
    assert!(written.contains("[llng]"), "{written}");
}
