use super::super::renewal::{CredentialSource, Renewer};
use super::*;
use crate::secret::Secret;
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET";
const SESSION: &str = "IQoJb3JpZ2luX2VjSESSIONTOKEN";

struct Fixed;

impl CredentialSource for Fixed {
    async fn fetch(&self) -> Result<Credentials, SourceError> {
        Err(SourceError::Failed("not asked in these tests".into()))
    }
}

fn routes() -> (Routes, String) {
    let credentials = Credentials {
        access_key_id: "ASIAFIXED".into(),
        secret_access_key: Secret::new(SECRET),
        session_token: Secret::new(SESSION),
        expiration: OffsetDateTime::now_utc() + Duration::from_secs(3600),
    };
    let (_renewer, route) =
        Renewer::new("prod", Fixed, Duration::from_secs(300), Some(credentials));
    let token = AuthToken::generate().unwrap();
    let text = token.expose().to_string();
    (Routes::new(token, vec![("prod".into(), route)]), text)
}

fn request(method: &str, path: &str, authorization: Option<&str>) -> Request {
    Request {
        method: method.into(),
        path: path.into(),
        authorization: authorization.map(|a| a.as_bytes().to_vec()),
    }
}

fn holds_no_key(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    !text.contains(SECRET) && !text.contains(SESSION) && !text.contains("ASIAFIXED")
}

#[test]
fn a_profile_is_served_at_a_path_safe_in_a_shell_line() {
    assert_eq!(route_path("prod"), "/profile/prod");
    assert_eq!(route_path("team.a_b-1"), "/profile/team.a_b-1");
    assert_eq!(route_path("a b;$x'"), "/profile/a%20b%3B%24x%27");
    let addr = SocketAddr::from(([127, 0, 0, 1], 4321));
    assert_eq!(
        route_url(addr, "prod"),
        "http://127.0.0.1:4321/profile/prod"
    );
}

#[tokio::test]
async fn no_token_is_401_and_a_wrong_one_403_without_keys() {
    let (routes, token) = routes();
    let (status, body) = answer(&request("GET", "/profile/prod", None), &routes).await;
    assert_eq!(status, 401);
    assert!(holds_no_key(&body));
    for wrong in ["", "x", &token[..42], &format!("Bearer {token}")] {
        let (status, body) = answer(&request("GET", "/profile/prod", Some(wrong)), &routes).await;
        assert_eq!(status, 403, "{wrong:?}");
        assert!(holds_no_key(&body));
    }
    // The token is checked before the path: an unknown path does not reveal the served ones.
    let (status, _) = answer(&request("GET", "/nowhere", Some("x")), &routes).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_token_gets_the_container_credentials_json() {
    let (routes, token) = routes();
    let (status, body) = answer(&request("GET", "/profile/prod", Some(&token)), &routes).await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["AccessKeyId"], "ASIAFIXED");
    assert_eq!(json["SecretAccessKey"], SECRET);
    assert_eq!(json["Token"], SESSION);
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));
    let (status, _) = answer(&request("GET", "/profile/other", Some(&token)), &routes).await;
    assert_eq!(status, 404);
    let (status, body) = answer(&request("POST", "/profile/prod", Some(&token)), &routes).await;
    assert_eq!(status, 405);
    assert!(holds_no_key(&body));
}

#[tokio::test]
async fn over_tcp_on_loopback() {
    let (routes, token) = routes();
    let listener = bind_loopback().await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let serving = tokio::spawn(serve(listener, routes));
    let ask = |head: String| async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        out
    };
    let ok = ask(format!(
        "GET /profile/prod HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n"
    ))
    .await;
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    assert!(ok.contains(SECRET));
    let bad = ask("GARBAGE\r\n\r\n".into()).await;
    assert!(bad.starts_with("HTTP/1.1 400 "), "{bad}");
    serving.abort();
}
