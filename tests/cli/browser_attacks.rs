//! Attacks on the browser engine (issue 18), each against a real Chromium: another local process
//! looking for a DevTools port during a headless sign-in; an impostor that presents the IdP's own
//! (public) certificate after its own, reached by a redirect from a saml_ca_bundle IdP; a password
//! asked over plain http; a SAMLResponse posted from a frame of another site or a popup; two
//! sign-ins through one browser profile at once; a page that never settles.

use crate::browser_signin::{
    alice_config, alice_config_roles, assert_no_browser_left, browser_config, chromium,
    have_chromium, processes_under,
};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::http::{HttpResponse, TestServer};
use samlbridge_emulators::jsidp::JsIdp;
use samlbridge_emulators::saml::{self, AssertionSpec, XmlStyle};
use samlbridge_emulators::tls::{TlsServer, fixture};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The socket inodes held open by the processes whose command line names `root`.
fn socket_inodes_under(root: &std::path::Path) -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for process in processes_under(root) {
        let Some(pid) = process.split_whitespace().next() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.filter_map(|e| e.ok()) {
            let target = std::fs::read_link(fd.path()).unwrap_or_default();
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// The inodes of every listening TCP socket on the machine (IPv4 and IPv6), as another user sees
/// them in /proc/net.
fn listening_tcp_inodes() -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // st 0A: LISTEN; the inode is the tenth column.
            if cols.get(3) == Some(&"0A")
                && let Some(inode) = cols.get(9).and_then(|i| i.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

#[test]
fn no_browser_process_listens_on_a_port_during_a_headless_sign_in() {
    if !have_chromium("no_browser_process_listens") {
        return;
    }
    let idp = JsIdp::start(alice_config().approval());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    let sandbox = &world.sandbox;
    let (outcome, seen) = std::thread::scope(|scope| {
        let run = scope.spawn(|| sandbox.run(&["login", "--profile", "corp"]));
        let started = Instant::now();
        // The sign-in waits for a phone approval: the browser is up, the password typed.
        while started.elapsed() < Duration::from_secs(30) && idp.approval_polls() < 2 {
            std::thread::sleep(Duration::from_millis(100));
        }
        let browsers = processes_under(sandbox.root());
        let held = socket_inodes_under(sandbox.root());
        let listening: Vec<u64> = listening_tcp_inodes()
            .intersection(&held)
            .copied()
            .collect();
        idp.approve();
        (run.join(), (browsers, listening))
    });
    let (browsers, listening) = seen;
    let Ok(outcome) = outcome else {
        panic!("the login thread panicked")
    };
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(0);
    assert!(!browsers.is_empty(), "no browser ran during the sign-in");
    assert!(
        browsers
            .iter()
            .all(|p| !p.contains("--remote-debugging-port")),
        "a DevTools port was asked for: {browsers:?}"
    );
    assert!(
        listening.is_empty(),
        "a browser process listens on TCP (inodes {listening:?}): anyone on the machine can drive it"
    );
}

/// A sign-in page that types into whatever host serves it.
const LOGIN_FORM: &str = "<!doctype html><html><head><title>Corp sign-in</title></head><body>\
    <form method=\"post\" action=\"/login\"><input name=\"username\"><input type=\"password\" \
    name=\"password\"><button type=\"submit\">Sign in</button></form></body></html>";

#[test]
fn an_impostor_presenting_the_idps_certificate_after_its_own_gets_nothing() {
    if !have_chromium("an_impostor_presenting_the_idps_certificate") {
        return;
    }
    let impostor = TlsServer::impostor(LOGIN_FORM);
    // The IdP itself (its certificate from the bundle's CA) sends the browser to another host name.
    let idp = TlsServer::redirect(&format!("https://localhost:{}/login", impostor.port()));
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    let bundle = format!("saml_ca_bundle = {}\n", fixture("ca.pem").display());
    world.sandbox.write_config(&browser_config(
        &idp.url("/idp/sso?app=aws"),
        ALICE.username,
        &bundle,
    ));
    let outcome = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(5);
    outcome.expect_stderr_contains("ERR_CERT");
    assert!(idp.requests() >= 1, "the trusted IdP was never reached");
    assert_eq!(
        impostor.requests(),
        0,
        "the browser sent a request (and would type the password) to the impostor"
    );
    assert!(!outcome.stderr.contains(ALICE.password));
}

#[test]
fn a_password_is_never_typed_for_plain_http_off_this_machine() {
    if !have_chromium("a_password_is_never_typed_for_plain_http") {
        return;
    }
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    // saml_url itself over plain http to another machine: refused before any browser starts.
    world.sandbox.write_config(&browser_config(
        "http://idp.corp.example/adfs/ls/IdpInitiatedSignOn.aspx",
        ALICE.username,
        "",
    ));
    let direct = world.login(&[]);
    direct.expect_code(2);
    direct.expect_stderr_contains("plain http");
    assert!(processes_under(world.sandbox.root()).is_empty());

    // An https page whose sign-in form posts over plain http: nothing is typed.
    let page = LOGIN_FORM.replace(
        "action=\"/login\"",
        "action=\"http://collector.invalid/login\"",
    );
    let idp = TlsServer::page(&page);
    let bundle = format!("saml_ca_bundle = {}\n", fixture("ca.pem").display());
    world
        .sandbox
        .write_config(&browser_config(&idp.url("/sso"), ALICE.username, &bundle));
    let posted = world.login(&[]);
    assert_no_browser_left(&world.sandbox);
    posted.expect_code(2);
    posted.expect_stderr_contains("plain http to http://collector.invalid/login");
    assert!(idp.requests() >= 1, "the page was never loaded");
}

/// Alice's SAMLResponse, posted to AWS by a page's script.
pub fn auto_post_to_aws() -> String {
    let xml = saml::response_xml(&AssertionSpec {
        issuer: "https://idp.corp.example/".into(),
        name_id: ALICE.username.into(),
        session_name: Some(ALICE.username.into()),
        roles: alice_config_roles(),
        session_duration: None,
        destination: saml::AWS_SIGNIN.into(),
        lifetime: Duration::from_secs(300),
        style: XmlStyle::SamlPrefix,
    });
    format!(
        "<!doctype html><html><head><title>Posting</title></head><body>\
         <form method=\"POST\" action=\"{}\"><input type=\"hidden\" name=\"SAMLResponse\" \
         value=\"{}\"></form><script>document.forms[0].submit()</script></body></html>",
        saml::AWS_SIGNIN,
        saml::encode(&xml, None)
    )
}

/// A page at 127.0.0.1 whose SAMLResponse is posted by `outer`'s frame or popup at `localhost`
/// (another site: an out-of-process frame, a target of its own).
fn idp_posting_from(outer: &'static str) -> TestServer {
    let post = auto_post_to_aws();
    TestServer::start(
        "posting idp",
        Arc::new(move |req| {
            let port = req
                .header("host")
                .and_then(|h| h.rsplit_once(':'))
                .map(|(_, p)| p.to_string())
                .unwrap_or_default();
            match req.path_and_query().as_str() {
                "/post" => HttpResponse::html(200, post.clone()),
                _ => HttpResponse::html(
                    200,
                    outer.replace("{FRAME}", &format!("http://localhost:{port}/post")),
                ),
            }
        }),
    )
}

#[test]
fn a_saml_post_from_a_frame_of_another_site_or_a_popup_is_taken_too() {
    if !have_chromium("a_saml_post_from_a_frame_or_a_popup") {
        return;
    }
    let pages: [(&str, &'static str); 2] = [
        (
            "frame",
            "<!doctype html><html><head><title>Framed</title></head><body>\
             <iframe src=\"{FRAME}\"></iframe></body></html>",
        ),
        (
            "popup",
            "<!doctype html><html><head><title>Opener</title></head><body><p>Signing in</p>\
             <script>window.open('{FRAME}', 'signin')</script></body></html>",
        ),
    ];
    for (what, outer) in pages {
        let idp = idp_posting_from(outer);
        let mut world = World::start(ALICE);
        if what == "popup" {
            // A popup opens on a person's click; headless, nobody clicks, so this browser lets
            // the page open it by itself (the flag is the test's, through SAMLBRIDGE_BROWSER).
            let wrapper = world.sandbox.root().join("chromium-popups");
            let chromium = chromium().unwrap_or_else(|| panic!("no chromium"));
            std::fs::write(
                &wrapper,
                format!(
                    "#!/bin/sh\nexec {} --disable-popup-blocking \"$@\"\n",
                    chromium.display()
                ),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("{e}"));
            world
                .sandbox
                .set_env("SAMLBRIDGE_BROWSER", &wrapper.to_string_lossy());
        }
        world.adfs.expect_unused();
        world.sandbox.write_config(&browser_config(
            &format!("{}/sso", idp.base_url()),
            ALICE.username,
            "",
        ));
        let started = Instant::now();
        let outcome = world.login(&["--browser-timeout", "40", "-vv"]);
        if what == "frame" {
            outcome.expect_stderr_contains("opened a target (iframe)");
        }
        assert_no_browser_left(&world.sandbox);
        outcome.expect_code(0);
        world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what}: the assertion was taken only after {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn two_sign_ins_through_one_browser_profile_at_once_both_succeed() {
    if !have_chromium("two_sign_ins_through_one_browser_profile") {
        return;
    }
    let idp = JsIdp::start(alice_config());
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world
        .sandbox
        .write_config(&browser_config(&idp.sign_in_url(), ALICE.username, ""));
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| world.login(&[]));
        let second = scope.spawn(|| world.login(&[]));
        (first.join(), second.join())
    });
    let (Ok(first), Ok(second)) = (first, second) else {
        panic!("a login thread panicked")
    };
    assert_no_browser_left(&world.sandbox);
    first.expect_code(0);
    second.expect_code(0);
    for said in [&first.stderr, &second.stderr] {
        assert!(!said.contains("SingletonLock"), "{said}");
        assert!(!said.contains("saml_browser_path"), "{said}");
    }
    world.assert_profile_holds("corp", world::GATEWAY_ADMIN);
}

#[test]
fn a_page_that_never_settles_ends_a_headless_sign_in_within_its_step() {
    if !have_chromium("a_page_that_never_settles") {
        return;
    }
    let restless = TestServer::start(
        "restless page",
        Arc::new(|_| {
            HttpResponse::html(
                200,
                "<!doctype html><html><head><title>Please wait</title></head><body><p id=w>.</p>\
                 <script>setInterval(function () { var s = ''; for (var i = 0; i < 8; i++) \
                 { s += String.fromCharCode(97 + Math.floor(Math.random() * 26)); } \
                 document.getElementById('w').textContent = s; }, 150)</script></body></html>",
            )
        }),
    );
    let world = World::start(ALICE);
    world.adfs.expect_unused();
    world.sts.expect_unused();
    world.sandbox.write_config(&browser_config(
        &format!("{}/sso", restless.base_url()),
        ALICE.username,
        "",
    ));
    let started = Instant::now();
    let outcome = world.login(&["--browser-timeout", "150"]);
    let took = started.elapsed();
    assert_no_browser_left(&world.sandbox);
    outcome.expect_code(3);
    outcome.expect_stderr_contains("Please wait");
    assert!(
        took < Duration::from_secs(50),
        "a never-settling page held the sign-in for {took:?}"
    );
}
