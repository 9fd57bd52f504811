//! An IdP behind a private CA, through a real Chromium (issue 9): Chromium takes no CA file, so
//! `saml_ca_bundle` must still make the browser sign in there, trusting that IdP and nothing else;
//! without it, exit 5 naming the certificate problem and the setting. No browser process is left.

use crate::browser_signin::{assert_no_browser_left, browser_config, have_chromium};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::tls::{TlsServer, fixture};

/// An IdP page served with the test CA's certificate that posts Alice's assertion to AWS.
fn idp_behind_the_test_ca() -> TlsServer {
    TlsServer::page(&crate::browser_attacks::auto_post_to_aws())
}

#[test]
fn an_idp_behind_a_private_ca_needs_saml_ca_bundle_in_the_browser_too() {
    if !have_chromium("an_idp_behind_a_private_ca") {
        return;
    }
    let idp = idp_behind_the_test_ca();
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    let url = idp.url("/idp/sso?app=aws");

    world
        .sandbox
        .write_config(&browser_config(&url, ALICE.username, ""));
    let untrusted = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    untrusted.expect_code(5);
    untrusted.expect_stderr_contains("ERR_CERT_AUTHORITY_INVALID");
    untrusted.expect_stderr_contains("saml_ca_bundle");

    // A bundle holding some other certificate trusts nothing here.
    let other = format!("saml_ca_bundle = {}\n", fixture("server.pem").display());
    world
        .sandbox
        .write_config(&browser_config(&url, ALICE.username, &other));
    let still = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    still.expect_code(5);

    let bundle = format!("saml_ca_bundle = {}\n", fixture("ca.pem").display());
    world
        .sandbox
        .write_config(&browser_config(&url, ALICE.username, &bundle));
    let trusted = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    trusted.expect_code(0);
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}
