//! `setup` against an IdP whose certificate the system does not trust (issue 12 §1): the probe stops
//! before any password is asked, naming saml_ca_bundle; with `--ca-bundle` the same IdP is trusted,
//! and the bundle is written as `saml_ca_bundle`.
//!
//! The IdP's front door is the emulators' TLS server with the test CA's certificate for 127.0.0.1
//! (tests/fixtures/tls), redirecting every request to the AD FS emulator (plain http on 127.0.0.1,
//! which the sign-in allows).

use crate::world::{self, ALICE, World};
use samlbridge_emulators::tls::{TlsServer, fixture};

#[test]
fn an_untrusted_certificate_stops_setup_before_any_password_naming_saml_ca_bundle() {
    let world = World::start(ALICE);
    world.sandbox.write_config("");
    world.sts.expect_unused();
    world.adfs.expect_unused();
    let idp = TlsServer::redirect(&world.adfs.sign_in_url());
    let url = idp.url("/adfs/ls/IdpInitiatedSignOn.aspx");
    let out = world.sandbox.run(&[
        "setup",
        "--profile",
        "corp",
        "--url",
        &url,
        "--username",
        ALICE.username,
    ]);
    out.expect_code(5).expect_stderr_contains("saml_ca_bundle");
    assert_eq!(idp.requests(), 0, "no request got past the handshake");
    assert_eq!(
        std::fs::read_to_string(&world.sandbox.config).unwrap_or_default(),
        ""
    );
}

#[test]
fn with_the_company_ca_the_same_idp_is_trusted_and_the_bundle_is_written() {
    let world = World::start(ALICE);
    world.sandbox.write_config("");
    world.sts.expect_unused();
    let idp = TlsServer::redirect(&world.adfs.sign_in_url());
    let url = idp.url("/adfs/ls/IdpInitiatedSignOn.aspx");
    let ca = fixture("ca.pem");
    let ca = ca.to_string_lossy();
    let out = world.sandbox.run(&[
        "setup",
        "--profile",
        "corp",
        "--url",
        &url,
        "--username",
        ALICE.username,
        "--ca-bundle",
        &ca,
    ]);
    out.expect_code(0);
    assert!(
        idp.requests() >= 2,
        "the probe and the sign-in came through TLS"
    );
    let ini = crate::harness::parse_ini(
        &std::fs::read_to_string(&world.sandbox.config).unwrap_or_default(),
    );
    let corp = ini.get("profile corp").cloned().unwrap_or_default();
    assert_eq!(
        corp.get("saml_ca_bundle").map(String::as_str),
        Some(ca.as_ref())
    );
    assert_eq!(corp.get("saml_url"), Some(&url));
    assert_eq!(
        corp.get("saml_role").map(String::as_str),
        Some(world::GATEWAY_ADMIN)
    );
}
