use super::*;
use crate::testing::idp::{Reply, TestIdp};
use samlbridge_emulators::tls::{TlsServer, fixture};
use std::path::PathBuf;

fn request(ca_bundle: Option<PathBuf>) -> LoginRequest {
    LoginRequest {
        url: String::new(),
        provider: None,
        ca_bundle,
        user_providers: None,
        mfa_factor: None,
        duo_device: None,
        browser: None,
        auth: Default::default(),
        principal: None,
        auth_hosts: Vec::new(),
        okta_api: Default::default(),
    }
}

fn session() -> IdpSession {
    IdpSession::new(&request(None)).unwrap()
}

#[test]
fn plain_http_is_allowed_only_to_this_machine() {
    for ok in [
        "https://adfs.example/adfs/ls/",
        "http://127.0.0.1:8080/x",
        "http://127.9.9.9/x",
        "http://localhost/x",
        "http://LOCALHOST:1/x",
        "http://[::1]:8080/x",
    ] {
        assert!(IdpSession::start_url(ok).is_ok(), "{ok}");
    }
    let err = IdpSession::start_url("http://adfs.example/adfs/ls/?token=SECRET").unwrap_err();
    assert!(matches!(err, IdpError::Setup(_)));
    let msg = err.to_string();
    assert!(msg.contains("http://adfs.example/adfs/ls/"), "{msg}");
    assert!(!msg.contains("SECRET"), "{msg}");
    for bad in [
        "ftp://adfs.example/",
        "http://10.0.0.1/",
        "http://localhost.evil.example/",
        "not a url",
    ] {
        assert!(
            matches!(IdpSession::start_url(bad), Err(IdpError::Setup(_))),
            "{bad}"
        );
    }
}

#[test]
fn messages_never_show_the_query_or_userinfo() {
    let url = Url::parse("https://user:pw@idp.example/a/b?SAMLRequest=x#f").unwrap();
    assert_eq!(without_query(&url), "https://idp.example/a/b");
}

#[tokio::test]
async fn every_redirect_hop_is_checked() {
    let idp = TestIdp::start(|_| Reply::redirect("http://idp.example/next?code=SECRET"));
    let err = session()
        .get(Url::parse(&idp.url("/start")).unwrap())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, IdpError::Setup(_)), "{err}");
    assert!(err.to_string().contains("http://idp.example/next"), "{err}");
    assert!(!err.to_string().contains("SECRET"), "{err}");
    assert_eq!(idp.hits().len(), 1);
}

#[tokio::test]
async fn more_than_ten_redirects_is_an_unexpected_answer() {
    let idp = TestIdp::start(|h| Reply::redirect(&format!("{}x", h.path())));
    let err = session()
        .get(Url::parse(&idp.url("/r")).unwrap())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, IdpError::UnexpectedPage { .. }), "{err}");
    assert!(err.to_string().contains("more than 10"), "{err}");
    assert_eq!(idp.hits().len(), MAX_REDIRECTS + 1);
}

#[tokio::test]
async fn a_post_redirected_by_302_becomes_a_get_and_307_keeps_the_body() {
    let idp = TestIdp::start(|h| match h.path() {
        "/post302" => Reply::redirect("/landing"),
        "/post307" => Reply {
            status: 307,
            headers: vec![("Location".into(), "/again".into())],
            body: String::new(),
        },
        _ => Reply::page("<title>ok</title>"),
    });
    let s = session();
    let sub = Submission {
        method: Method::Post,
        url: Url::parse(&idp.url("/post302")).unwrap(),
        pairs: vec![("a".into(), "1".into())],
    };
    let page = s.send(&sub).await.unwrap();
    assert_eq!(page.url.path(), "/landing");
    let sub = Submission {
        method: Method::Post,
        url: Url::parse(&idp.url("/post307")).unwrap(),
        pairs: vec![("a".into(), "1".into())],
    };
    s.send(&sub).await.unwrap();
    let hits = idp.hits();
    let seen: Vec<(&str, &str, Option<&str>)> = hits
        .iter()
        .map(|h| (h.method.as_str(), h.path(), h.field("a")))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", "/post302", Some("1")),
            ("GET", "/landing", None),
            ("POST", "/post307", Some("1")),
            ("POST", "/again", Some("1")),
        ]
    );
}

#[tokio::test]
async fn cookies_with_a_dotted_ip_domain_are_kept_and_can_be_saved_and_loaded() {
    let idp = TestIdp::start(|h| match h.path() {
        // LemonLDAP::NG sets its session cookie like this.
        "/set" => Reply::redirect("/check")
            .cookie("lemonldap=abc123; domain=.127.0.0.1; path=/; HttpOnly")
            .cookie("gone=x; path=/; Max-Age=0")
            .cookie("persist=p1; path=/; Max-Age=3600"),
        _ => Reply::page(&format!("<title>{}</title>", h.cookie)),
    });
    let s = session();
    let page = s.get(Url::parse(&idp.url("/set")).unwrap()).await.unwrap();
    assert!(page.body.contains("lemonldap=abc123"), "{}", page.body);
    assert!(page.body.contains("persist=p1"), "{}", page.body);

    let saved = s.save_cookies().unwrap();
    assert!(saved.expose().contains("abc123"));
    assert!(!saved.expose().contains("gone"));
    assert_eq!(format!("{saved:?}"), "** redacted **");

    let next = session();
    next.load_cookies(&saved).unwrap();
    let page = next
        .get(Url::parse(&idp.url("/again")).unwrap())
        .await
        .unwrap();
    assert!(page.body.contains("lemonldap=abc123"), "{}", page.body);
    assert!(page.body.contains("persist=p1"), "{}", page.body);

    let err = next.load_cookies(&Secret::new("{not json")).unwrap_err();
    assert!(matches!(err, IdpError::Setup(_)));
}

/// Regression (issue 13, found by the saved_session fuzz target): a saved session whose cookie does
/// not parse, or sits where another type belongs, made serde quote the cookie in the error.
#[test]
fn an_unreadable_saved_session_never_shows_its_cookies() {
    let s = session();
    for saved in [
        r#"[{"raw_cookie":"SESSIONSECRET42","path":["/",false],"domain":"NotPresent","expires":"SessionEnd"}]"#,
        r#"[{"raw_cookie":"sid=SESSIONSECRET42","path":"sid=SESSIONSECRET42","domain":"NotPresent","expires":"SessionEnd"}]"#,
        r#"[{"raw_cookie":"sid=x","path":["/",false],"domain":{"HostOnly":"h"},"expires":{"AtUtc":"SESSIONSECRET42"}}]"#,
        r#"["SESSIONSECRET42"]"#,
    ] {
        let err = s.load_cookies(&Secret::new(saved)).unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains("SESSIONSECRET42"), "{msg}");
        assert!(
            msg.contains("saved IdP session") && msg.contains("line 1"),
            "{msg}"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_a_network_error_naming_the_host_only() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = Url::parse(&format!("http://127.0.0.1:{port}/adfs?token=SECRET")).unwrap();
    let err = session().get(url).await.err().unwrap();
    let IdpError::Network { host, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(host, "127.0.0.1");
    assert!(
        !reason.contains("SECRET") && !reason.contains("/adfs"),
        "{reason}"
    );
    assert!(reason.starts_with("cannot connect"), "{reason}");
}

#[test]
fn a_ca_bundle_must_exist_and_hold_certificates() {
    let err = IdpSession::new(&request(Some(PathBuf::from("/nonexistent/ca.pem"))))
        .err()
        .unwrap();
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let err = IdpSession::new(&request(Some(junk))).err().unwrap();
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
    assert!(IdpSession::new(&request(Some(fixture("ca.pem")))).is_ok());
}

#[tokio::test]
async fn the_ca_bundle_is_trusted_in_addition_to_the_system_roots() {
    let server = TlsServer::page("<title>over TLS</title>");
    let url = Url::parse(&server.url("/adfs/ls/")).unwrap();

    let err = session().get(url.clone()).await.err().unwrap();
    let IdpError::Network { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("SAMLBRIDGE_CA_BUNDLE"), "{reason}");

    let trusting = IdpSession::new(&request(Some(fixture("ca.pem")))).unwrap();
    let page = trusting.get(url).await.unwrap();
    assert_eq!(page.body, "<title>over TLS</title>");
}
