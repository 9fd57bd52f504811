//! An HTTPS server on 127.0.0.1 with the test CA's certificate (tests/fixtures/tls: `ca.pem` signs
//! `server.pem` for 127.0.0.1 and localhost, a CA no machine trusts; `impostor.pem` is self-signed):
//! every request gets the same canned answer.
//! For the tests of untrusted and trusted certificates (the form engine, `setup`, `doctor`). It counts
//! the requests it read (a handshake the client refused reads none) and stops by itself.

use crate::http::nodelay_listener;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a server accepts connections.
const LIFETIME: Duration = Duration::from_secs(60);

/// A file of tests/fixtures/tls.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/tls")
        .join(name)
}

pub struct TlsServer {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Answers every request with a 200 HTML `body`.
    pub fn page(body: &str) -> TlsServer {
        TlsServer::start(page_answer(body))
    }

    /// Answers every request with a redirect to `location`.
    pub fn redirect(location: &str) -> TlsServer {
        TlsServer::start(format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ))
    }

    /// An impostor for another host: its own self-signed certificate (`impostor.pem`, which no
    /// bundle holds) followed by the real IdP's public leaf (`server.pem`), answering every request
    /// with `body`. A client that trusts any chain merely *containing* the IdP's key accepts it.
    pub fn impostor(body: &str) -> TlsServer {
        let mut chain = certs("impostor.pem");
        chain.extend(certs("server.pem"));
        let config = config_for(chain, key("impostor.key"));
        TlsServer::start_with(config, page_answer(body))
    }

    fn start(answer: String) -> TlsServer {
        TlsServer::start_with(server_config(), answer)
    }

    fn start_with(config: Arc<rustls::ServerConfig>, answer: String) -> TlsServer {
        let listener = nodelay_listener("tls server");
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
                    Ok((stream, _)) => serve(&config, stream, &answer, &counted),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TlsServer { port, requests }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    /// The requests read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn page_answer(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(fixture(name))
        .and_then(|it| it.collect::<Result<_, _>>())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn key(name: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn server_config() -> Arc<rustls::ServerConfig> {
    config_for(certs("server.pem"), key("server.key"))
}

fn config_for(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .unwrap_or_else(|e| panic!("TLS config: {e}"));
    Arc::new(config)
}

fn serve(
    config: &Arc<rustls::ServerConfig>,
    stream: std::net::TcpStream,
    answer: &str,
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
    let _ = tls.write_all(answer.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}
