//! An IdP behind a private CA (`saml_ca_bundle`) in the browser. Chromium takes no CA file, so
//! samlbridge checks the IdP's certificate itself, against the bundle only (chain, name, dates),
//! and lets Chromium accept exactly that certificate's key (`--ignore-certificate-errors-spki-list`
//! with its SPKI SHA-256). The CA's own key is never listed: Chromium matches the list against the
//! chain the server *presents*, and anyone can present a CA's public certificate beside a key of
//! their own. A certificate that does not chain to the bundle is left to Chromium's own roots.

use crate::idp::IdpError;
use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use sha2::{Digest, Sha256};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tracing::{debug, info};

/// How long the check of the IdP's certificate may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// The keys (base64 SPKI SHA-256) the browser may accept for the sign-in at `url`: the IdP's own
/// key when its certificate chains to `bundle`; none without a bundle, for http, or when it does
/// not chain to the bundle (the browser then decides, and says why it refuses).
pub async fn keys_for(url: &url::Url, bundle: Option<&Path>) -> Result<Vec<String>, IdpError> {
    let Some(bundle) = bundle else {
        return Ok(Vec::new());
    };
    if url.scheme() != "https" {
        return Ok(Vec::new());
    }
    let config = client_config(bundle)?;
    let Some(host) = url
        .host_str()
        .map(|h| h.trim_matches(['[', ']']).to_string())
    else {
        return Ok(Vec::new());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let checked =
        tokio::task::spawn_blocking(move || leaf_checked(config, &host, port).map(|l| (host, l)))
            .await;
    match checked {
        Ok(Ok((host, leaf))) => {
            let key = spki_sha256(&leaf).ok_or_else(|| IdpError::Network {
                host: host.clone(),
                reason: "its certificate could not be read".into(),
            })?;
            info!("{host}'s certificate chains to saml_ca_bundle: the browser accepts its key");
            Ok(vec![key])
        }
        Ok(Err(why)) => {
            debug!("the IdP's certificate is not taken from saml_ca_bundle: {why}");
            Ok(Vec::new())
        }
        Err(e) => {
            debug!("the certificate check did not run: {e}");
            Ok(Vec::new())
        }
    }
}

/// A TLS client trusting the certificates of `bundle` and nothing else.
fn client_config(bundle: &Path) -> Result<Arc<rustls::ClientConfig>, IdpError> {
    let unreadable = |why: String| {
        IdpError::Setup(format!(
            "CA bundle {}: {why}; fix saml_ca_bundle or SAMLBRIDGE_CA_BUNDLE",
            bundle.display()
        ))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(bundle)
        .map_err(|e| unreadable(format!("cannot read it ({e})")))?
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(format!("not a PEM file of certificates ({e})")))?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(unreadable("it holds no usable certificate".into()));
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The IdP's leaf certificate, once rustls verified it against the bundle for `host`; or why not.
fn leaf_checked(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    port: u16,
) -> Result<CertificateDer<'static>, String> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let mut sock = TcpStream::connect_timeout(&addr, CHECK_TIMEOUT).map_err(|e| e.to_string())?;
    let _ = sock.set_nodelay(true);
    sock.set_read_timeout(Some(CHECK_TIMEOUT))
        .and_then(|()| sock.set_write_timeout(Some(CHECK_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let mut conn = rustls::ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).map_err(|e| e.to_string())?;
    }
    let leaf = conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|c| c.clone().into_owned())
        .ok_or("no certificate")?;
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    Ok(leaf)
}

/// The base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium's list takes it.
pub fn spki_sha256(cert: &CertificateDer<'_>) -> Option<String> {
    let parsed = webpki::EndEntityCert::try_from(cert).ok()?;
    let spki = parsed.subject_public_key_info();
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki.as_ref())))
}
