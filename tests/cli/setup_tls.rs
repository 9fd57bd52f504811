//! `setup` against an IdP whose certificate the system does not trust (issue 12 §1): the probe stops
//! before any password is asked, naming saml_ca_bundle; with `--ca-bundle` the same IdP is trusted,
//! and the bundle is written as `saml_ca_bundle`.
//!
//! The IdP's front door is a TLS server with the test CA's certificate for 127.0.0.1
//! (tests/fixtures/tls) that redirects every request to the AD FS emulator (plain http on 127.0.0.1,
//! which the sign-in allows).

use crate::world::{self, ALICE, World};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use samlbridge_emulators::http::nodelay_listener;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// A TLS server on 127.0.0.1 answering every request with a redirect to `location`; stops by itself
/// after `LIFETIME`. Counts the requests it read (a handshake refused by the client reads none).
struct TlsRedirector {
    port: u16,
    requests: Arc<AtomicUsize>,
}

const LIFETIME: Duration = Duration::from_secs(60);

impl TlsRedirector {
    fn start(location: String) -> TlsRedirector {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixture("server.pem"))
                .and_then(|it| it.collect::<Result<_, _>>())
                .unwrap_or_else(|e| panic!("server.pem: {e}"));
        let key = PrivateKeyDer::from_pem_file(fixture("server.key"))
            .unwrap_or_else(|e| panic!("server.key: {e}"));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
            .unwrap_or_else(|e| panic!("TLS config: {e}"));
        let config = Arc::new(config);
        let listener = nodelay_listener("tls redirector");
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = listener.set_nonblocking(true);
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        std::thread::spawn(move || {
            let end = Instant::now() + LIFETIME;
            while Instant::now() < end {
                match listener.accept() {
                    Ok((stream, _)) => serve(&config, stream, &location, &counted),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TlsRedirector { port, requests }
    }

    fn url(&self) -> String {
        format!(
            "https://127.0.0.1:{}/adfs/ls/IdpInitiatedSignOn.aspx",
            self.port
        )
    }
}

fn serve(
    config: &Arc<rustls::ServerConfig>,
    stream: std::net::TcpStream,
    location: &str,
    requests: &AtomicUsize,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut reader = BufReader::new(&mut tls);
    let mut line = String::new();
    // The request head, up to its blank line; a refused handshake ends here with an error.
    let mut read_any = false;
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        read_any = true;
        if line == "\r\n" || line == "\n" {
            break;
        }
        line.clear();
    }
    if !read_any {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let answer = format!(
        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = tls.write_all(answer.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

#[test]
fn an_untrusted_certificate_stops_setup_before_any_password_naming_saml_ca_bundle() {
    let world = World::start(ALICE);
    world.sandbox.write_config("");
    world.sts.expect_unused();
    world.adfs.expect_unused();
    let idp = TlsRedirector::start(world.adfs.sign_in_url());
    let url = idp.url();
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
    assert_eq!(
        idp.requests.load(Ordering::SeqCst),
        0,
        "no request got past the handshake"
    );
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
    let idp = TlsRedirector::start(world.adfs.sign_in_url());
    let url = idp.url();
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
        idp.requests.load(Ordering::SeqCst) >= 2,
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
