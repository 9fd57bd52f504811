//! The integrated-auth peers themselves (issue 11), proven real without samlbridge: curl's own
//! GSS-API and NTLM against the AD FS emulator's `/adfs/ls/wia`, backed by an MIT KDC per test and
//! the python3-gssapi acceptor. Skipped when the packages are absent, failed when
//! SAMLBRIDGE_REAL_PEERS=required (CI).

use crate::real_peers::{Tool, available};
use crate::world;
use base64::Engine as _;
use samlbridge_emulators::adfs::{AdfsEmulator, AdfsUser};
use samlbridge_emulators::krb::keycloak::{self, ChallengeBody, KeycloakConfig, KeycloakEmulator};
use samlbridge_emulators::krb::{self, Acceptor, IntegratedAuth, Kdc, NtlmUser};
use samlbridge_emulators::saml::SamlRole;
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

/// A private directory for curl's cookie jars.
fn jar_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
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
        Farm {
            kdc,
            adfs,
            jar: jar_dir(),
        }
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

#[test]
fn ntlm_with_the_right_password_signs_in_and_a_wrong_one_is_refused() {
    if !available(
        "ntlm_with_the_right_password_signs_in_and_a_wrong_one_is_refused",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    let user = format!("CORP\\{}:{}", krb::USER, krb::PASSWORD);
    let got = farm.curl(&["--ntlm", "-u", &user], &[]);
    assert_eq!(got.status, 200, "{}", got.trace);
    assert!(got.body.contains("name=\"SAMLResponse\""), "{}", got.body);
    assert!(
        got.trace.contains("< WWW-Authenticate: NTLM TlRMTVNTUAAC"),
        "{}",
        got.trace
    );
    assert!(issued_xml(&farm.adfs).contains(world::GATEWAY_ADMIN));

    let wrong = format!("CORP\\{}:not-{}", krb::USER, krb::PASSWORD);
    let jar = farm.jar.path().join("other-cookies");
    let refused = curl(
        &jar,
        &farm.adfs.sign_in_url(),
        &["--ntlm", "-u", &wrong],
        &[],
    );
    assert_eq!(refused.status, 401, "{}", refused.trace);
    assert!(
        refused.body.contains("Your credentials were refused: "),
        "{}",
        refused.body
    );
    assert_eq!(
        farm.adfs.issued_assertions().len(),
        1,
        "no second assertion"
    );
}

/// NTLM's legs through pyspnego's initiator over two connections `a` and `b`; `third_on_b` sends
/// the AUTHENTICATE leg on `b`. Prints the two statuses.
const NTLM_LEGS: &str = r#"
import base64, http.client, sys, spnego
port, path, user, password, agent, third_on_b = sys.argv[1:7]
def leg(conn, token):
    auth = "NTLM " + base64.b64encode(token).decode()
    conn.request("GET", path, headers={"Authorization": auth, "User-Agent": agent})
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("WWW-Authenticate") or ""
client = spnego.client(user, password, protocol="ntlm", options=spnego.NegotiateOptions.use_ntlm)
a = http.client.HTTPConnection("127.0.0.1", int(port))
b = http.client.HTTPConnection("127.0.0.1", int(port))
first, challenge = leg(a, client.step())
if not challenge.startswith("NTLM "):
    sys.exit("no NTLM challenge: %d %r" % (first, challenge))
second, _ = leg(b if third_on_b == "yes" else a, client.step(base64.b64decode(challenge[5:])))
print(first, second)
"#;

fn ntlm_legs(farm: &Farm, third_on_other_connection: bool) -> String {
    let path = format!(
        "{}?loginToRp={}",
        samlbridge_emulators::adfs::WIA_PATH,
        samlbridge_emulators::adfs::RELYING_PARTY
    );
    let out = Command::new(krb::acceptor::python())
        .args(["-c", NTLM_LEGS])
        .arg(farm.adfs.server().addr().port().to_string())
        .arg(path)
        .arg(format!("CORP\\{}", krb::USER))
        .arg(krb::PASSWORD)
        .arg(krb::IE11_USER_AGENT)
        .arg(if third_on_other_connection {
            "yes"
        } else {
            "no"
        })
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(o) => panic!("{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("python: {e}"),
    }
}

#[test]
fn ntlm_is_bound_to_its_connection_as_iis_requires() {
    if !available(
        "ntlm_is_bound_to_its_connection_as_iis_requires",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    // the AUTHENTICATE leg on a connection that never negotiated: refused
    assert_eq!(ntlm_legs(&farm, true), "401 401");
    assert!(farm.adfs.issued_assertions().is_empty());
    // the same legs on one connection: signed in (302 back to the sign-on page)
    assert_eq!(ntlm_legs(&farm, false), "401 302");
}

#[test]
fn an_expired_ticket_is_a_real_one_that_no_longer_signs_in() {
    if !available(
        "an_expired_ticket_is_a_real_one_that_no_longer_signs_in",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    let ccache = farm.kdc.expired_ccache(krb::USER, krb::PASSWORD);
    let env = farm.kdc.client_env(&ccache);
    let klist = Command::new("klist")
        .arg("-e")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output();
    let klist = match klist {
        Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
        Err(e) => panic!("klist: {e}"),
    };
    assert!(
        klist.contains(&format!("krbtgt/{}", farm.kdc.realm())),
        "a TGT is there: {klist}"
    );
    let valid = Command::new("klist")
        .arg("-s")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status();
    assert!(
        valid.is_ok_and(|s| !s.success()),
        "klist -s: no valid ticket"
    );
    let got = farm.curl(&["--negotiate", "-u", ":"], &env);
    assert_eq!(got.status, 401, "{}", got.trace);
    assert!(farm.adfs.issued_assertions().is_empty());
}

fn keycloak(kdc: &Kdc, body: ChallengeBody) -> KeycloakEmulator {
    let acceptor = Arc::new(Acceptor::start(Some(kdc), &[]));
    KeycloakEmulator::start(
        KeycloakConfig::default()
            .user(
                AdfsUser::new(krb::USER, KC_PASSWORD)
                    .role(SamlRole::new(world::GATEWAY_ADMIN, world::PROVIDER)),
            )
            .negotiate(IntegratedAuth::new(acceptor).schemes(&["Negotiate"]))
            .body(body),
    )
}

/// alice's Keycloak password (not her Kerberos one: the form checks Keycloak's own).
const KC_PASSWORD: &str = "keycloak-form-pw";

/// The `action` of the page's first form, unescaped.
fn form_action(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("action=\"").map(|i| i + 8).unwrap_or(0);
    let end = start + body[start..].find('"').unwrap_or(0);
    body[start..end].replace("&amp;", "&")
}

#[test]
fn keycloak_style_401_negotiate_page_is_a_usable_login_form() {
    if !available(
        "keycloak_style_401_negotiate_page_is_a_usable_login_form",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let kdc = Kdc::start();
    let kc = keycloak(&kdc, ChallengeBody::LoginForm);
    let dir = jar_dir();
    let jar = dir.path().join("cookies");
    let first = curl(&jar, &kc.sign_in_url(), &["-A", "curl/8"], &[]);
    assert_eq!(first.status, 401, "{}", first.trace);
    assert!(
        first.trace.contains("< WWW-Authenticate: Negotiate\r"),
        "{}",
        first.trace
    );
    assert!(
        first.body.contains("id=\"kc-form-login\""),
        "{}",
        first.body
    );
    let action = format!("{}{}", kc.server().base_url(), form_action(&first.body));

    let wrong = format!("username={}&password=nope", krb::USER);
    let refused = curl(&jar, &action, &["-d", &wrong], &[]);
    assert_eq!(refused.status, 200);
    assert!(
        refused.body.contains(keycloak::INVALID_CREDENTIALS),
        "{}",
        refused.body
    );
    assert!(kc.issued_assertions().is_empty());

    let action = format!("{}{}", kc.server().base_url(), form_action(&refused.body));
    let right = format!("username={}&password={KC_PASSWORD}", krb::USER);
    let signed_in = curl(&jar, &action, &["-d", &right], &[]);
    assert_eq!(signed_in.status, 200, "{}", signed_in.trace);
    assert!(
        signed_in.body.contains("NAME=\"SAMLResponse\""),
        "{}",
        signed_in.body
    );
    assert_eq!(kc.issued_assertions().len(), 1);
}

#[test]
fn keycloak_style_negotiate_answered_with_a_ticket_signs_in_without_a_form() {
    if !available(
        "keycloak_style_negotiate_answered_with_a_ticket_signs_in_without_a_form",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let kdc = Kdc::start();
    let kc = keycloak(&kdc, ChallengeBody::KerberosUnsupported);
    let ccache = match kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}"),
    };
    let dir = jar_dir();
    let jar = dir.path().join("cookies");
    let got = curl(
        &jar,
        &kc.sign_in_url(),
        &["--negotiate", "-u", ":"],
        &kdc.client_env(&ccache),
    );
    assert_eq!(got.status, 200, "{}", got.trace);
    assert!(got.body.contains("NAME=\"SAMLResponse\""), "{}", got.body);
    assert!(
        got.trace.contains("< WWW-Authenticate: Negotiate oY"),
        "{}",
        got.trace
    );
    assert_eq!(kc.issued_assertions().len(), 1);

    // without a ticket: Keycloak's "Kerberos Unsupported" page, whose CONTINUE leads to the form
    let jar = jar.with_file_name("cookies2");
    let first = curl(&jar, &kc.sign_in_url(), &["-A", "curl/8"], &[]);
    assert_eq!(first.status, 401);
    assert!(
        first.body.contains("Kerberos Unsupported"),
        "{}",
        first.body
    );
    let action = format!("{}{}", kc.server().base_url(), form_action(&first.body));
    let form = curl(&jar, &action, &["-d", "continue=CONTINUE"], &[]);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("id=\"kc-form-login\""), "{}", form.body);
}

#[test]
fn a_ticket_the_idp_cannot_read_is_refused_in_words() {
    if !available(
        "a_ticket_the_idp_cannot_read_is_refused_in_words",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let farm = Farm::start();
    let ccache = match farm.kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}"),
    };
    // tokens that are no tokens: refused, and the acceptor lives on
    for junk in ["YIIBAAAA", "TlRMTVNTUAADAAAA", "not base64!"] {
        let header = format!("Authorization: Negotiate {junk}");
        let got = farm.curl(&["-H", &header], &[]);
        assert_eq!(got.status, 401, "{junk}: {}", got.trace);
        assert!(
            got.body.contains("Your credentials were refused: "),
            "{}",
            got.body
        );
    }
    farm.kdc.rotate_service_keys();
    let got = farm.curl(&["--negotiate", "-u", ":"], &farm.kdc.client_env(&ccache));
    assert_eq!(got.status, 401, "{}", got.trace);
    assert!(
        got.body.contains("Your credentials were refused: "),
        "{}",
        got.body
    );
    assert!(got.body.contains("keytab"), "MIT's own words: {}", got.body);
    assert!(farm.adfs.issued_assertions().is_empty());
}

#[test]
fn a_stopped_kdc_leaves_a_tgt_that_cannot_get_a_service_ticket() {
    if !available(
        "a_stopped_kdc_leaves_a_tgt_that_cannot_get_a_service_ticket",
        &[Tool::Kerberos],
    ) {
        return;
    }
    let mut farm = Farm::start();
    let ccache = match farm.kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}"),
    };
    farm.kdc.stop();
    let env = farm.kdc.client_env(&ccache);
    let valid = Command::new("klist")
        .arg("-s")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .status();
    assert!(valid.is_ok_and(|s| s.success()), "the TGT is still valid");
    let port = farm.kdc.port();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "KDC stopped"
    );
    let got = farm.curl(&["--negotiate", "-u", ":"], &env);
    assert_eq!(got.status, 401, "{}", got.trace);
    assert!(farm.adfs.issued_assertions().is_empty());
}
