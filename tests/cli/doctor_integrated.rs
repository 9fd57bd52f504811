//! `samlbridge doctor` on integrated sign-in profiles (issue 18 §6). Doctor never signs in: it
//! asks as the sign-in would (the same User-Agent) and reports the IdP's `401 Negotiate`/`NTLM`,
//! with no `Authorization` ever sent. Before: an ntlm profile was "problem idp: … asks for NTLM, and
//! no username and password were given" (exit 1), and a kerberos one ran a real handshake.

use crate::harness::{Outcome, Sandbox};
use crate::world;
use samlbridge_emulators::http::{HttpRequest, HttpResponse, TestServer};
use samlbridge_emulators::krb::IntegratedTrap;
use samlbridge_emulators::sts::StsEmulator;
use std::sync::Arc;

/// `doctor --profile corp` with `corp` starting at `url`, `saml_auth = MODE` and `extra` lines.
fn doctor(url: &str, mode: &str, extra: &str) -> Outcome {
    let sts = StsEmulator::start(world::roles());
    let mut sandbox = Sandbox::new();
    let config = world::config(url, "CORP\\alice").replace(
        "[profile corp]\n",
        &format!("[profile corp]\nsaml_auth = {mode}\n{extra}"),
    );
    sandbox.write_config(&config);
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.run(&["doctor", "--profile", "corp"])
}

fn lines(out: &Outcome, status: &str) -> Vec<String> {
    out.stdout
        .lines()
        .filter(|l| l.starts_with(status) && l.contains("idp:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_offered_integrated_sign_in_is_ok_and_never_answered() {
    for (mode, schemes) in [
        ("ntlm", &["Negotiate", "NTLM"][..]),
        ("ntlm", &["NTLM"][..]),
        ("kerberos", &["Negotiate"][..]),
    ] {
        let trap = IntegratedTrap::start(schemes);
        let out = doctor(&trap.url_as("127.0.0.1", "/adfs/ls/wia"), mode, "");
        let ok = lines(&out, "ok");
        assert!(
            ok.iter().any(|l| l.contains("profile corp")
                && l.contains("HTTP 401")
                && l.contains(&format!("integrated sign-in offered ({mode})"))),
            "{mode} {schemes:?}:\n{}",
            out.dump()
        );
        assert!(lines(&out, "problem").is_empty(), "{}", out.dump());
        assert!(trap.total_hits() > 0);
        assert_eq!(trap.authorizations(), Vec::<String>::new(), "{mode}");
        assert!(!out.all_output().contains("no username and password"));
    }
}

#[test]
fn kerberos_where_only_ntlm_is_offered_is_a_problem_saying_what_to_set() {
    let trap = IntegratedTrap::start(&["NTLM"]);
    let out = doctor(&trap.url_as("127.0.0.1", "/adfs/ls/wia"), "kerberos", "");
    out.expect_code(1);
    let problems = lines(&out, "problem");
    assert!(
        problems.iter().any(|l| l.contains("saml_auth = ntlm")),
        "{}",
        out.dump()
    );
    assert_eq!(trap.authorizations(), Vec::<String>::new());
}

#[test]
fn a_challenge_at_a_host_not_named_is_a_problem_naming_saml_auth_hosts() {
    let trap = IntegratedTrap::start(&["Negotiate", "NTLM"]);
    let to = trap.url_as("localhost", "/adfs/ls/wia");
    let lure = TestServer::start(
        "redirecting IdP",
        Arc::new(move |_: &HttpRequest| HttpResponse::redirect(&to)),
    );
    let url = format!("{}/adfs/ls/IdpInitiatedSignOn.aspx", lure.base_url());
    let out = doctor(&url, "ntlm", "");
    out.expect_code(1);
    assert!(
        lines(&out, "problem")
            .iter()
            .any(|l| l.contains("localhost") && l.contains("add it to saml_auth_hosts")),
        "{}",
        out.dump()
    );
    // named: ok
    let out = doctor(&url, "ntlm", "saml_auth_hosts = localhost\n");
    assert!(
        lines(&out, "ok")
            .iter()
            .any(|l| l.contains("integrated sign-in offered (ntlm)")),
        "{}",
        out.dump()
    );
    assert_eq!(trap.authorizations(), Vec::<String>::new());
}
