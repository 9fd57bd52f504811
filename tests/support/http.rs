//! A loopback HTTP server for the emulators: one thread per request, stops on Drop, counts its hits,
//! and fails the test that started it if it was never asked anything (or was, when it must not be).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request as the emulators see it: owned, so handlers are plain functions easy to test.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    /// The path without the query, still percent-encoded.
    pub path: String,
    /// The raw query string (without `?`), empty when there is none.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's end of the connection (`ip:port`): what connection-bound auth (NTLM) keys on.
    pub remote: Option<SocketAddr>,
}

impl HttpRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header of that name, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The cookies the client sent, in order.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers_named("cookie")
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                Some((name.trim().to_string(), value.trim().to_string()))
            })
            .collect()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    /// The urlencoded form body, every pair in order (duplicates kept: AD FS rejects them).
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The path and query as the client asked for them.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

/// The first value of `name` among `pairs`.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "text/html; charset=utf-8", body)
    }

    pub fn xml(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "text/xml", body)
    }

    pub fn redirect(location: &str) -> Self {
        Self::html(302, format!("<html><head><title>Object moved</title></head><body><h2>Object moved to <a href=\"{location}\">here</a>.</h2></body></html>"))
            .with_header("Location", location)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub type Handler = Arc<dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync>;

/// What a server expects of its test, checked when it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expectation {
    Used,
    Unused,
    Either,
}

/// A running server. Dropping it stops it; if the test is not already failing, Drop panics when the
/// server was never hit (or was hit after `expect_unused`), so no test can pass against a dead peer.
pub struct TestServer {
    name: &'static str,
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    accept: Option<JoinHandle<()>>,
    hits: Arc<Mutex<BTreeMap<String, usize>>>,
    expectation: Mutex<Expectation>,
    stopped: Arc<AtomicBool>,
}

impl TestServer {
    /// Binds 127.0.0.1 on a free port and serves every request on its own thread.
    pub fn start(name: &'static str, handler: Handler) -> TestServer {
        let server = Arc::new(loopback_server(name));
        let addr = match server.server_addr().to_ip() {
            Some(a) => a,
            None => panic!("{name}: no IP address to listen on"),
        };
        let hits: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let stopped = Arc::new(AtomicBool::new(false));
        let accept = {
            let (server, hits, stopped) = (server.clone(), hits.clone(), stopped.clone());
            std::thread::Builder::new()
                .name(format!("{name}-accept"))
                .spawn(move || accept_loop(&server, &handler, &hits, &stopped))
                .ok()
        };
        TestServer {
            name,
            addr,
            server,
            accept,
            hits,
            expectation: Mutex::new(Expectation::Used),
            stopped,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests reached `METHOD path` (path without query; method upper-case).
    pub fn hits(&self, method: &str, path: &str) -> usize {
        let key = format!("{method} {path}");
        lock(&self.hits).get(&key).copied().unwrap_or(0)
    }

    /// How many requests reached the server at all.
    pub fn total_hits(&self) -> usize {
        lock(&self.hits).values().sum()
    }

    /// Every `METHOD path` with its count, for messages.
    pub fn hit_summary(&self) -> BTreeMap<String, usize> {
        lock(&self.hits).clone()
    }

    /// This test must NOT reach the server (e.g. a configuration error stops samlbridge first).
    pub fn expect_unused(&self) {
        *lock(&self.expectation) = Expectation::Unused;
    }

    /// No check on Drop: for the demo, which is not a test.
    pub fn expect_nothing(&self) {
        *lock(&self.expectation) = Expectation::Either;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
        if std::thread::panicking() {
            return;
        }
        let total = self.total_hits();
        match *lock(&self.expectation) {
            Expectation::Used if total == 0 => {
                panic!("the {} at {} was never hit", self.name, self.addr)
            }
            Expectation::Unused if total > 0 => panic!(
                "the {} at {} must not have been hit, but got {:?}",
                self.name,
                self.addr,
                self.hit_summary()
            ),
            _ => {}
        }
    }
}

fn accept_loop(
    server: &tiny_http::Server,
    handler: &Handler,
    hits: &Arc<Mutex<BTreeMap<String, usize>>>,
    stopped: &AtomicBool,
) {
    for request in server.incoming_requests() {
        if stopped.load(Ordering::SeqCst) {
            break;
        }
        let (handler, hits) = (handler.clone(), hits.clone());
        std::thread::spawn(move || serve(request, &handler, &hits));
    }
}

fn serve(
    mut request: tiny_http::Request,
    handler: &Handler,
    hits: &Mutex<BTreeMap<String, usize>>,
) {
    let (path, query) = match request.url().split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (request.url().to_string(), String::new()),
    };
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let ours = HttpRequest {
        method: request.method().as_str().to_ascii_uppercase(),
        path,
        query,
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_string(),
                    h.value.as_str().to_string(),
                )
            })
            .collect(),
        body,
        remote: request.remote_addr().copied(),
    };
    *lock(hits)
        .entry(format!("{} {}", ours.method, ours.path))
        .or_insert(0) += 1;
    let answer = handler(&ours);
    let mut response = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
    for (name, value) in &answer.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

/// A tiny_http server on 127.0.0.1 whose accepted connections have TCP_NODELAY: tiny_http writes a
/// response's head and body separately, and with Nagle on the body waits for the client's delayed
/// ACK (~40 ms per request on a kept-alive connection). Set on the listener, which accepted sockets
/// inherit (Linux, the BSDs, macOS): tiny_http accepts them itself. Every emulator starts here, and
/// so does every HTTP peer of samlbridge's unit tests.
pub fn loopback_server(name: &str) -> tiny_http::Server {
    match tiny_http::Server::from_listener(nodelay_listener(name), None) {
        Ok(s) => s,
        Err(e) => panic!("{name}: cannot serve on 127.0.0.1: {e}"),
    }
}

/// 127.0.0.1 on a free port, TCP_NODELAY set on the listening socket (see [`loopback_server`]).
pub fn nodelay_listener(name: &str) -> std::net::TcpListener {
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => panic!("{name}: cannot bind 127.0.0.1: {e}"),
    };
    if let Err(e) = socket2::SockRef::from(&listener).set_tcp_nodelay(true) {
        panic!("{name}: cannot set TCP_NODELAY: {e}");
    }
    listener
}

/// Locks a mutex even if a handler thread panicked while holding it: the data is test bookkeeping.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A port on 127.0.0.1 that nothing listens on (bound, read, released).
pub fn closed_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("cannot find a free port on 127.0.0.1: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    fn accepted_nodelay(listener: &TcpListener) -> bool {
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        accepted.nodelay().unwrap()
    }

    #[test]
    fn accepted_connections_inherit_nodelay() {
        assert!(accepted_nodelay(&nodelay_listener("test")));
        // and a plain listener's do not: the helper is what makes the difference
        assert!(!accepted_nodelay(
            &TcpListener::bind("127.0.0.1:0").unwrap()
        ));
    }

    #[test]
    fn the_server_listens_on_loopback() {
        let server = loopback_server("test");
        let addr = server.server_addr().to_ip().unwrap();
        assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    }
}
