use super::gssapi::{Gss, GssFailure};
use super::*;
use crate::exit::ExitKind;
use crate::idp::{IdpSession, LoginRequest};
use crate::secret::Secret;
use ntlmclient::{ChallengeMessage, Flags, Message};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn only_form_is_not_integrated() {
    assert!(!SignInAuth::default().is_integrated());
    assert!(SignInAuth::Kerberos.is_integrated() && SignInAuth::Ntlm.is_integrated());
    assert_eq!(SignInAuth::Ntlm.to_string(), "ntlm");
}

#[test]
fn the_user_agent_is_one_ad_fs_offers_integrated_sign_in_to() {
    // AD FS's default WIASupportedUserAgents matches entries as substrings.
    assert!(USER_AGENT.contains("Windows NT 10.0; Win64; x64; Trident/7.0"));
    assert!(USER_AGENT.contains("Trident/7.0"));
}

#[test]
fn challenges_are_read_from_several_headers_and_comma_lists() {
    let offered = Offered::read(["Negotiate", "NTLM"].into_iter());
    assert!(offered.negotiate_offered && offered.ntlm_offered);
    assert_eq!(offered.negotiate, None);
    let offered = Offered::read(["negotiate oRQwEqADCgEA, Basic realm=\"x\""].into_iter());
    assert!(offered.negotiate_offered && !offered.ntlm_offered);
    assert_eq!(
        offered.negotiate.as_deref(),
        Some(&[0xa1, 0x14, 0x30, 0x12, 0xa0, 0x03, 0x0a, 0x01, 0x00][..])
    );
    let offered = Offered::read(["Basic realm=\"x\"", "Bearer"].into_iter());
    assert!(!offered.any());
    // a token that is not base64 is no token
    let offered = Offered::read(["NTLM !!!"].into_iter());
    assert!(offered.ntlm_offered && offered.ntlm.is_none());
}

#[test]
fn a_missing_gssapi_library_is_a_setup_error_saying_what_to_install() {
    let err = match Gss::load(&["libsamlbridge-no-such-gssapi.so.9"]) {
        Ok(_) => panic!("loaded a library that does not exist"),
        Err(e) => e,
    };
    assert!(err.contains("libsamlbridge-no-such-gssapi.so.9"), "{err}");
    assert!(err.contains("install"), "{err}");
    assert!(err.contains("saml_auth = form"), "{err}");
    assert_eq!(IdpError::Setup(err).exit_kind(), ExitKind::Usage);
}

fn failure(routine: u32, minor: i32, message: &str) -> GssFailure {
    GssFailure {
        routine,
        minor,
        message: message.into(),
    }
}

#[test]
fn kerberos_failures_map_to_what_a_person_does() {
    let no_ccache = failure(7, -1765328189, "No credentials cache found");
    let err = kerberos_error("adfs.corp.example", Some("alice@CORP.EXAMPLE"), &no_ccache);
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    let msg = err.to_string();
    assert!(msg.contains("no Kerberos ticket"), "{msg}");
    assert!(msg.contains("run kinit alice@CORP.EXAMPLE"), "{msg}");
    assert!(!err.is_ticket_expired());

    let expired = failure(11, -1765328352, "Ticket expired");
    let err = kerberos_error("adfs.corp.example", None, &expired);
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.is_ticket_expired());
    assert!(err.to_string().contains(TICKET_EXPIRED), "{err}");
    assert!(err.to_string().contains("kinit"), "{err}");

    let unreachable = failure(13, -1765328228, "Cannot contact any KDC for realm 'CORP'");
    let err = kerberos_error("adfs.corp.example", None, &unreachable);
    assert_eq!(err.exit_kind(), ExitKind::Network);

    let unknown = failure(13, -1765328377, "Server not found in Kerberos database");
    let err = kerberos_error("adfs.corp.example", None, &unknown);
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.to_string().contains("HTTP/adfs.corp.example"), "{err}");

    // words from the library pass through shown::outside: no control characters
    let odd = failure(13, 1, "odd\u{1b}[31m words");
    let msg = kerberos_error("h", None, &odd).to_string();
    assert!(!msg.contains('\u{1b}'), "{msg}");
    assert_eq!(
        kerberos_error("h", None, &odd).exit_kind(),
        ExitKind::Unexpected
    );
}

/// One request as the IIS-like server below saw it: which connection, which Authorization.
#[derive(Debug, Clone)]
struct Seen {
    connection: usize,
    authorization: Option<String>,
}

/// An IIS-like NTLM endpoint on 127.0.0.1: a challenge is good only on the connection that
/// asked for it (as IIS's is), and only `CORP\alice` is let in. Stops after `seconds`.
fn ntlm_server(seconds: u64) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/adfs/ls/wia", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
        let mut connection = 0;
        while std::time::Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    connection += 1;
                    let log = log.clone();
                    let id = connection;
                    std::thread::spawn(move || serve_connection(stream, id, &log));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (url, seen)
}

fn serve_connection(stream: TcpStream, id: usize, log: &Mutex<Vec<Seen>>) {
    stream.set_nodelay(true).ok();
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut challenged = false;
    loop {
        let mut authorization = None;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("authorization")
            {
                authorization = Some(value.trim().to_string());
            }
        }
        log.lock().unwrap().push(Seen {
            connection: id,
            authorization: authorization.clone(),
        });
        let (status, header, body) = ntlm_leg(authorization.as_deref(), &mut challenged);
        let response = format!(
            "HTTP/1.1 {status}\r\n{header}Content-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The server's side of one leg: (status line, extra header, body).
fn ntlm_leg(authorization: Option<&str>, challenged: &mut bool) -> (String, String, String) {
    let refused = || {
        (
            "401 Unauthorized".to_string(),
            "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n".to_string(),
            "<html><head><title>401 - Unauthorized: Access is denied</title></head></html>".into(),
        )
    };
    let Some(token) = authorization.and_then(|a| a.strip_prefix("NTLM ")) else {
        return refused();
    };
    let Ok(bytes) = STANDARD.decode(token) else {
        return refused();
    };
    // A type-1 message by its header: the crate's parser wants fields a short NEGOTIATE leaves out.
    let negotiate = bytes.len() >= 12 && bytes.starts_with(b"NTLMSSP\0") && bytes[8] == 1;
    match Message::try_from(bytes.as_slice()) {
        _ if negotiate => {
            *challenged = true;
            let challenge = Message::Challenge(ChallengeMessage {
                target_name: "CORP".into(),
                flags: Flags::NEGOTIATE_UNICODE
                    | Flags::NEGOTIATE_NTLM
                    | Flags::NEGOTIATE_TARGET_INFO,
                challenge: *b"\x01\x23\x45\x67\x89\xab\xcd\xef",
                context: (0, 0),
                target_information: Vec::new(),
                os_version: Default::default(),
            });
            let b64 = STANDARD.encode(challenge.to_bytes().unwrap());
            (
                "401 Unauthorized".into(),
                format!("WWW-Authenticate: NTLM {b64}\r\n"),
                String::new(),
            )
        }
        Ok(Message::Authenticate(auth))
            if *challenged && auth.user_name == "alice" && auth.domain_name == "CORP" =>
        {
            (
                "200 OK".into(),
                String::new(),
                "<html><head><title>signed in</title></head></html>".into(),
            )
        }
        _ => refused(),
    }
}

/// A sign-in whose `saml_url` is `url`: its host is the one integrated sign-in answers.
fn request(auth: SignInAuth, url: &str) -> LoginRequest {
    LoginRequest {
        url: url.to_string(),
        auth,
        ..LoginRequest::default()
    }
}

#[tokio::test]
async fn ntlm_legs_share_one_connection_and_sign_in() {
    let (url, seen) = ntlm_server(10);
    let session = IdpSession::new(&request(SignInAuth::Ntlm, &url)).unwrap();
    session.use_ntlm(NtlmCredentials::new("CORP\\alice", Secret::new("pw")));
    let fetched = session.get(url::Url::parse(&url).unwrap()).await;
    let seen = seen.lock().unwrap().clone();
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => panic!("{e}: {seen:?}"),
    };
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    assert!(fetched.body.contains("signed in"));
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[0].authorization.is_none());
    assert!(
        seen[1]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("NTLM TlRMTVNTUAAB")
    );
    assert!(
        seen[2]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("NTLM TlRMTVNTUAAD")
    );
    assert!(
        seen.iter().all(|s| s.connection == seen[0].connection),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_refused_ntlm_answer_is_rejected_in_the_servers_words() {
    let (url, _seen) = ntlm_server(10);
    let session = IdpSession::new(&request(SignInAuth::Ntlm, &url)).unwrap();
    session.use_ntlm(NtlmCredentials::new("bob@CORP", Secret::new("pw")));
    let Err(err) = session.get(url::Url::parse(&url).unwrap()).await else {
        panic!("signed in");
    };
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected, "{err}");
    assert!(
        err.to_string()
            .contains("401 - Unauthorized: Access is denied"),
        "{err}"
    );
}

#[tokio::test]
async fn with_form_a_401_challenge_is_read_as_the_page_it_carries() {
    let (url, seen) = ntlm_server(10);
    let session = IdpSession::new(&request(SignInAuth::Form, &url)).unwrap();
    let fetched = session.get(url::Url::parse(&url).unwrap()).await.unwrap();
    assert_eq!(fetched.status, 401);
    assert!(fetched.body.contains("401 - Unauthorized"));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn kerberos_against_an_ntlm_only_server_says_to_use_ntlm() {
    let (url, _seen) = ntlm_only_server();
    let session = IdpSession::new(&request(SignInAuth::Kerberos, &url)).unwrap();
    let Err(err) = session.get(url::Url::parse(&url).unwrap()).await else {
        panic!("signed in");
    };
    assert_eq!(err.exit_kind(), ExitKind::Usage, "{err}");
    assert!(err.to_string().contains("saml_auth = ntlm"), "{err}");
}

/// A server whose 401 offers NTLM alone.
fn ntlm_only_server() -> (String, ()) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/wia", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_nodelay(true).ok();
            stream.set_read_timeout(Some(Duration::from_secs(3))).ok();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n",
            );
        }
    });
    (url, ())
}

/// The server's URL under another name for this machine: a host the sign-in did not start at.
fn as_localhost(url: &str) -> String {
    url.replace("127.0.0.1", "localhost")
}

#[tokio::test]
async fn a_challenge_from_a_host_not_named_gets_no_answer() {
    // Issue 18 §3: the saml_url is on 127.0.0.1; the challenge comes from `localhost`.
    let (url, seen) = ntlm_server(10);
    let session = IdpSession::new(&request(SignInAuth::Ntlm, &url)).unwrap();
    session.use_ntlm(NtlmCredentials::new("CORP\\alice", Secret::new("pw")));
    let elsewhere = url::Url::parse(&as_localhost(&url)).unwrap();
    let Err(err) = session.get(elsewhere.clone()).await else {
        panic!("signed in at a host nobody named");
    };
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected, "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("localhost: "), "{msg}");
    assert!(
        msg.contains("add it to saml_auth_hosts if it is your IdP"),
        "{msg}"
    );
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().all(|s| s.authorization.is_none()), "{seen:?}");

    // named in saml_auth_hosts: answered
    let named = LoginRequest {
        auth_hosts: vec!["localhost".into()],
        ..request(SignInAuth::Ntlm, &url)
    };
    let session = IdpSession::new(&named).unwrap();
    session.use_ntlm(NtlmCredentials::new("CORP\\alice", Secret::new("pw")));
    assert_eq!(session.get(elsewhere).await.unwrap().status, 200);
}

#[tokio::test]
async fn a_probing_session_reports_the_challenge_and_answers_nothing() {
    let (url, seen) = ntlm_server(10);
    let session = IdpSession::probing(&request(SignInAuth::Ntlm, &url)).unwrap();
    let fetched = session.get(url::Url::parse(&url).unwrap()).await.unwrap();
    assert_eq!(fetched.status, 401);
    assert!(fetched.offered.ntlm_offered && fetched.offered.negotiate_offered);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].authorization.is_none());
}
