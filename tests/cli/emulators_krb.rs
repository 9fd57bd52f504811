//! The integrated-auth peers themselves (issue 11), proven real without samlbridge: curl's own
//! GSS-API and NTLM against the AD FS emulator's `/adfs/ls/wia`, backed by an MIT KDC per test and
//! the python3-gssapi acceptor. Skipped when the packages are absent, failed when
//! SAMLBRIDGE_REAL_PEERS=required (CI).

use crate::real_peers::{Tool, available};
use crate::world;
use base64::Engine as _;
use samlbridge_emulators::adfs::AdfsEmulator;
use samlbridge_emulators::krb::{self, Acceptor, IntegratedAuth, Kdc, NtlmUser};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// What one curl run came to: the last response's status and body, curl's stderr (verbose).
struct Curl {
    status: u16,
    body: String,
    trace: String,
}

/// `curl -sS -L` with a cookie jar, the IE 11 user agent unless `args` set one, and `env`.
fn curl(jar: &Path, url: &str, args: &[&str], env: &[(String, String)]) -> Curl {
    let out = Command::new("curl")
        .args([
            "-sS",
            "-v",
            "-L",
            "--max-time",
            "20",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
        ])
        .arg("-c")
        .arg(jar)
        .arg("-b")
        .arg(jar)
        .args(["-A", krb::IE11_USER_AGENT])
        .args(args)
        .arg(url)
        .env_remove("KRB5CCNAME")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("curl: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
    Curl {
        status: code.trim().parse().unwrap_or(0),
        body: body.to_string(),
        trace: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Farm {
    kdc: Kdc,
    adfs: AdfsEmulator,
    jar: tempfile::TempDir,
}

impl Farm {
    fn start() -> Farm {
        let kdc = Kdc::start();
        let ntlm = [NtlmUser::new("CORP", krb::USER, krb::PASSWORD)];
        let wia = IntegratedAuth::new(Arc::new(Acceptor::start(Some(&kdc), &ntlm)));
        let adfs = AdfsEmulator::start(world::users().integrated(wia));
        let jar = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temp dir: {e}"),
        };
        Farm { kdc, adfs, jar }
    }

    fn curl(&self, args: &[&str], env: &[(String, String)]) -> Curl {
        curl(
            &self.jar.path().join("cookies"),
            &self.adfs.sign_in_url(),
            args,
            env,
        )
    }
}

/// The one SAMLResponse the IdP handed out, decoded.
fn issued_xml(adfs: &AdfsEmulator) -> String {
    let issued = adfs.issued_assertions();
    assert_eq!(issued.len(), 1, "one assertion issued");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&issued[0])
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn kerberos_ticket_from_kinit_signs_in_with_curl_negotiate() {
    if !available(
        "kerberos_ticket_from_kinit_signs_in_with_curl_negotiate",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    let ccache = match farm.kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}\n{}", farm.kdc.log()),
    };
    let got = farm.curl(&["--negotiate", "-u", ":"], &farm.kdc.client_env(&ccache));
    assert_eq!(got.status, 200, "{}\n{}", got.trace, farm.kdc.log());
    assert!(got.body.contains("name=\"SAMLResponse\""), "{}", got.body);
    let xml = issued_xml(&farm.adfs);
    assert!(xml.contains(world::GATEWAY_ADMIN), "{xml}");
    // the acceptor's mutual-authentication token (an AP-REP in SPNEGO) came back, and curl took it
    assert!(
        got.trace.contains("< WWW-Authenticate: Negotiate oY"),
        "{}",
        got.trace
    );
    // the KDC issued the service ticket the acceptor took
    assert!(
        farm.kdc.log().contains("HTTP/127.0.0.1@"),
        "{}",
        farm.kdc.log()
    );
}

#[test]
fn no_ticket_gets_401_and_no_assertion() {
    if !available("no_ticket_gets_401_and_no_assertion", &[Tool::Kerberos]) {
        return;
    }
    let farm = Farm::start();
    let env = farm.kdc.client_env(&farm.kdc.empty_ccache());
    let got = farm.curl(&["--negotiate", "-u", ":"], &env);
    assert_eq!(got.status, 401, "{}", got.trace);
    assert!(got.body.contains("401 - Unauthorized"), "{}", got.body);
    assert!(
        got.trace.contains("< WWW-Authenticate: Negotiate\r"),
        "{}",
        got.trace
    );
    assert!(
        got.trace.contains("< WWW-Authenticate: NTLM\r"),
        "{}",
        got.trace
    );
    assert!(farm.adfs.issued_assertions().is_empty());
}

#[test]
fn a_non_wia_user_agent_gets_the_forms_page() {
    if !available(
        "a_non_wia_user_agent_gets_the_forms_page",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    let got = farm.curl(&["-A", "curl/8"], &[]);
    assert_eq!(got.status, 200, "{}", got.trace);
    assert!(got.body.contains("name=\"Password\""), "{}", got.body);
    assert!(!got.trace.contains("WWW-Authenticate"), "{}", got.trace);
}
