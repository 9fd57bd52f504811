//! Relative paths in the config are the config file's, not the caller's (issue 18 §5): an SDK that
//! runs `credential_process` inside a cloned repository must not make samlbridge read a CA bundle
//! (or run a browser) the repository supplies. Before: `saml_ca_bundle = corp-ca.pem` was read from
//! the current directory.

use crate::harness::Sandbox;
use crate::world;
use samlbridge_emulators::sts::StsEmulator;
use samlbridge_emulators::tls::{TlsServer, fixture};

#[test]
fn a_relative_saml_ca_bundle_is_read_beside_the_config_file() {
    let server = TlsServer::page("<html><head><title>Sign In</title></head><body></body></html>");
    let sts = StsEmulator::start(world::roles());
    let mut sandbox = Sandbox::new();
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    // The config in a directory of its own; the current directory (the sandbox's root) holds a
    // planted bundle of the same name that is no bundle at all.
    let config_dir = sandbox.root().join("settings");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::copy(fixture("ca.pem"), config_dir.join("corp-ca.pem")).unwrap();
    std::fs::write(
        sandbox.root().join("corp-ca.pem"),
        "planted by the repository\n",
    )
    .unwrap();
    let config = config_dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile tls]\nsaml_url = {}\nsaml_username = a\nregion = eu-west-1\nsaml_ca_bundle = corp-ca.pem\n",
            server.url("/adfs/ls/IdpInitiatedSignOn.aspx")
        ),
    )
    .unwrap();
    sandbox.set_env("AWS_CONFIG_FILE", &config.to_string_lossy());
    let out = sandbox.run(&["doctor", "--profile", "tls"]);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("idp:") && l.contains("TLS trusted")),
        "{}",
        out.dump()
    );
    assert!(
        !out.all_output().contains("no PEM certificate"),
        "{}",
        out.dump()
    );
}
