//! A scripted IdP on 127.0.0.1 for the login engines' tests (form engine, HTTP session, providers,
//! Okta): each request is answered by the test's own function, every request is recorded, and the
//! server stops when the value is dropped.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    /// Path and query.
    pub url: String,
    pub form: Vec<(String, String)>,
    pub cookie: String,
}

impl Hit {
    pub fn path(&self) -> &str {
        self.url.split('?').next().unwrap_or("")
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn names(&self) -> Vec<&str> {
        self.form.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// An answer: status, extra headers, HTML body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn page(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: String::new(),
        }
    }

    pub fn cookie(mut self, set_cookie: &str) -> Reply {
        self.headers.push(("Set-Cookie".into(), set_cookie.into()));
        self
    }
}

pub struct TestIdp {
    pub base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestIdp {
    /// Serves `answer(hit)` for every request until dropped.
    pub fn start(answer: impl Fn(&Hit) -> Reply + Send + 'static) -> TestIdp {
        let server = Arc::new(samlbridge_emulators::http::loopback_server(
            "the scripted IdP",
        ));
        let port = server.server_addr().to_ip().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (srv, log) = (server.clone(), hits.clone());
        let thread = std::thread::spawn(move || {
            // Bounded: a test that forgets to drop its server still ends.
            while let Ok(Some(mut request)) = srv.recv_timeout(Duration::from_secs(60)) {
                let hit = read_hit(&mut request);
                log.lock().unwrap().push(hit.clone());
                let reply = answer(&hit);
                let mut response = tiny_http::Response::from_string(reply.body)
                    .with_status_code(reply.status)
                    .with_header(header("Content-Type", "text/html; charset=utf-8"));
                for (name, value) in &reply.headers {
                    response.add_header(header(name, value));
                }
                let _ = request.respond(response);
            }
        });
        TestIdp {
            base: format!("http://127.0.0.1:{port}"),
            hits,
            server,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// The requests that posted a form.
    pub fn posts(&self) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.method == "POST")
            .collect()
    }
}

impl Drop for TestIdp {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

fn read_hit(request: &mut tiny_http::Request) -> Hit {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let cookie = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Cookie"))
        .map(|h| h.value.to_string())
        .unwrap_or_default();
    Hit {
        method: request.method().to_string(),
        url: request.url().to_string(),
        form: url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect(),
        cookie,
    }
}
