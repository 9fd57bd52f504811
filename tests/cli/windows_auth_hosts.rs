//! Issue 18 §3, attacked: integrated sign-in answers only the `saml_url`'s host and the hosts named
//! in `saml_auth_hosts`. The IdP here (`saml_url` on 127.0.0.1) redirects to a second host name for
//! this machine (`localhost`) that asks for NTLM or Negotiate and records what it is sent: before
//! the fix it got a full NTLMv2 AUTHENTICATE for `CORP\alice` (and, with Kerberos, a service ticket
//! for HTTP/localhost); now it gets no `Authorization` at all, and the sign-in stops naming the
//! host and the key that would let it answer.

use crate::harness::{Outcome, Sandbox};
use crate::real_peers::{Tool, available};
use crate::world;
use samlbridge_emulators::http::{HttpRequest, HttpResponse, TestServer};
use samlbridge_emulators::krb::{self, IntegratedTrap, Kdc};
use samlbridge_emulators::sts::StsEmulator;
use std::sync::Arc;

const NTLM_USER: &str = "CORP\\alice";

/// The IdP's start page: every request is sent on to `to`.
fn lure(to: String) -> TestServer {
    let handler = Arc::new(move |_: &HttpRequest| HttpResponse::redirect(&to));
    TestServer::start("redirecting IdP", handler)
}

/// A sandbox whose `corp` starts at `lure` with `saml_auth = MODE` and the `extra` lines, and an
/// STS that must not be asked anything.
fn sandbox(lure: &TestServer, mode: &str, extra: &str) -> (Sandbox, StsEmulator) {
    let sts = StsEmulator::start(world::roles());
    sts.expect_unused();
    let mut sandbox = Sandbox::new();
    let url = format!("{}/adfs/ls/IdpInitiatedSignOn.aspx", lure.base_url());
    let config = world::config(&url, NTLM_USER).replace(
        "[profile corp]\n",
        &format!("[profile corp]\nsaml_auth = {mode}\n{extra}"),
    );
    sandbox.write_config(&config);
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", krb::PASSWORD);
    (sandbox, sts)
}

fn login(sandbox: &Sandbox) -> Outcome {
    sandbox.run(&[
        "login",
        "--profile",
        "corp",
        "--non-interactive",
        "--no-chain",
        "-vv",
    ])
}

#[test]
fn ntlm_is_not_sent_to_a_host_the_idp_redirects_to() {
    let trap = IntegratedTrap::start(&["NTLM"]);
    let lure = lure(trap.url_as("localhost", "/adfs/ls/wia"));
    let (sandbox, _sts) = sandbox(&lure, "ntlm", "");
    let out = login(&sandbox);
    out.expect_code(3)
        .expect_stderr_contains("localhost")
        .expect_stderr_contains("add it to saml_auth_hosts if it is your IdP");
    assert!(trap.total_hits() > 0, "the redirect was not followed");
    assert_eq!(
        trap.authorizations(),
        Vec::<String>::new(),
        "the second host got an Authorization header\n{}",
        out.dump()
    );
    assert!(!out.all_output().contains(krb::PASSWORD), "{}", out.dump());
}

#[test]
fn a_host_named_in_saml_auth_hosts_is_answered() {
    // The same redirect, the second host named by the user: the handshake goes on to AUTHENTICATE
    // (the trap is no IdP, so the sign-in then fails on its page). Proves the test above would see
    // the message if it were sent.
    let trap = IntegratedTrap::start(&["NTLM"]);
    let lure = lure(trap.url_as("localhost", "/adfs/ls/wia"));
    let (sandbox, _sts) = sandbox(
        &lure,
        "ntlm",
        "saml_auth_hosts = idp.corp.example, localhost\n",
    );
    let out = login(&sandbox);
    assert_ne!(out.code, Some(0), "{}", out.dump());
    assert_eq!(
        trap.authenticate_messages().len(),
        1,
        "{:?}\n{}",
        trap.authorizations(),
        out.dump()
    );
}

#[test]
fn kerberos_asks_no_ticket_for_a_host_the_idp_redirects_to() {
    if !available("kerberos_asks_no_ticket_for_a_redirect", &[Tool::Kerberos]) {
        return;
    }
    let kdc = Kdc::start();
    let ccache = match kdc.kinit(krb::USER, krb::PASSWORD) {
        Ok(c) => c,
        Err(e) => panic!("kinit: {e}\n{}", kdc.log()),
    };
    // The KDC knows HTTP/localhost: a ticket for it would be issued and sent.
    let trap = IntegratedTrap::start(&["Negotiate"]);
    let lure = lure(trap.url_as("localhost", "/adfs/ls/wia"));
    let (mut sandbox, _sts) = sandbox(&lure, "kerberos", "");
    for (name, value) in kdc.client_env(&ccache) {
        sandbox.set_env(&name, &value);
    }
    let out = login(&sandbox);
    out.expect_code(3)
        .expect_stderr_contains("localhost")
        .expect_stderr_contains("saml_auth_hosts");
    assert!(trap.total_hits() > 0, "the redirect was not followed");
    assert_eq!(
        trap.authorizations(),
        Vec::<String>::new(),
        "{}",
        out.dump()
    );
    assert!(
        !kdc.log().contains("HTTP/localhost"),
        "a ticket was asked for the second host:\n{}",
        kdc.log()
    );
}

#[test]
fn a_bad_saml_auth_hosts_is_exit_2_naming_the_profile_and_key() {
    let lure = lure("http://localhost/".into());
    lure.expect_unused();
    for bad in [
        "https://idp.corp.example",
        "idp.corp.example:443",
        "*.corp.example",
    ] {
        let (sandbox, _sts) = sandbox(&lure, "ntlm", &format!("saml_auth_hosts = {bad}\n"));
        login(&sandbox)
            .expect_code(2)
            .expect_stderr_contains("profile corp")
            .expect_stderr_contains("saml_auth_hosts");
    }
}
