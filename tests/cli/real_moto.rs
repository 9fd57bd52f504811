//! moto as the STS and the real AWS CLI as the reader: samlbridge signs carol in at a real
//! SimpleSAMLphp, assumes her role at moto, writes the profile, and `aws sts get-caller-identity`
//! must then be answered as that role's session — proof the CLI used exactly the keys written.
//! The AWS CLI is also pointed at the STS emulator, whose SigV4 check then vouches for botocore's.

use crate::harness::Sandbox;
use crate::real_peers::{self, Tool};
use crate::world::{self, ALICE, World};
use samlbridge_emulators::http::{HttpRequest, HttpResponse, TestServer};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

const CAROL: &str = "carol";
const CAROL_PASSWORD: &str = "carol-Pass-1";
const CAROL_ROLE: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";

/// Forwards to moto, adding `x-moto-account-id` to AssumeRoleWithSAML so moto records the session
/// under the role's account (without it, moto answers GetCallerIdentity with a fallback identity).
fn moto_proxy(moto: SocketAddr, account: &'static str) -> TestServer {
    let handler = Arc::new(move |req: &HttpRequest| {
        let saml = String::from_utf8_lossy(&req.body).contains("Action=AssumeRoleWithSAML");
        let extra = if saml {
            vec![("x-moto-account-id".to_string(), account.to_string())]
        } else {
            vec![]
        };
        match forward(moto, req, &extra) {
            Ok(resp) => resp,
            Err(e) => HttpResponse::html(502, format!("proxy to moto failed: {e}")),
        }
    });
    TestServer::start("moto proxy", handler)
}

fn forward(
    to: SocketAddr,
    req: &HttpRequest,
    extra: &[(String, String)],
) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect(to)?;
    // head and body go in two writes: without this the body waits for moto's delayed ACK
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.path_and_query());
    let hop_by_hop = [
        "connection",
        "content-length",
        "transfer-encoding",
        "keep-alive",
        "expect",
    ];
    for (name, value) in req.headers.iter().chain(extra) {
        if !hop_by_hop.contains(&name.to_ascii_lowercase().as_str()) {
            head += &format!("{name}: {value}\r\n");
        }
    }
    head += &format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        req.body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&req.body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| std::io::Error::other("moto's answer is not HTTP"))
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        match name.to_ascii_lowercase().as_str() {
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "content-length" | "connection" | "date" | "server" => {}
            _ => headers.push((name, value)),
        }
    }
    if chunked {
        body = dechunk(&body)?;
    }
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

fn caller_arn(stdout: &str) -> String {
    let parsed: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_default();
    parsed
        .get("Arn")
        .and_then(|a| a.as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn moto_and_the_aws_cli_take_the_profile_samlbridge_wrote_for_carol() {
    let tools = [Tool::SimpleSamlPhp, Tool::Moto, Tool::AwsCli];
    if !real_peers::available(
        "moto_and_the_aws_cli_take_the_profile_samlbridge_wrote",
        &tools,
    ) {
        return;
    }
    let idp = real_peers::start_simplesamlphp();
    let moto = real_peers::start_moto();
    let proxy = moto_proxy(moto.addr(), "111111111111");
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile corp]\nsaml_url = {}\nsaml_username = {CAROL}\nsaml_provider = simplesamlphp\nregion = eu-west-1\n\n[profile child]\nsaml_source = corp\nsaml_role = arn:aws:iam::333333333333:role/Admins\n",
        real_peers::simplesamlphp_sign_in_url(&idp)
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &proxy.base_url());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", CAROL_PASSWORD);
    sandbox.run(&["login", "--profile", "corp"]).expect_code(0);

    let who = sandbox.run_program(
        "aws",
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "corp",
            "--output",
            "json",
        ],
    );
    who.expect_code(0);
    let role_name = CAROL_ROLE.rsplit('/').next().unwrap_or("");
    assert_eq!(
        caller_arn(&who.stdout),
        format!("arn:aws:sts::111111111111:assumed-role/{role_name}/carol@example.com"),
        "{}",
        who.dump()
    );
    let child = sandbox.run_program(
        "aws",
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "child",
            "--output",
            "json",
        ],
    );
    child.expect_code(0);
    assert!(
        caller_arn(&child.stdout).contains(":assumed-role/Admins/"),
        "{}",
        child.dump()
    );
    assert!(sandbox.home.join(".aws").join("credentials").exists());
}

#[test]
fn the_aws_cli_signs_with_a_written_chained_profile_and_the_sts_emulator_accepts_it() {
    if !real_peers::available(
        "the_aws_cli_signs_with_a_written_chained_profile",
        &[Tool::AwsCli],
    ) {
        return;
    }
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let who = world.sandbox.run_program(
        "aws",
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "prod",
            "--output",
            "json",
        ],
    );
    who.expect_code(0);
    assert_eq!(
        caller_arn(&who.stdout),
        format!(
            "arn:aws:sts::333333333333:assumed-role/Admins/{}",
            ALICE.username
        ),
        "{}\n{}",
        who.dump(),
        world.sts.log_text()
    );
    world.assert_profile_holds("prod", world::PROD_ADMINS);
    let asked = world.sts.calls_to("GetCallerIdentity");
    assert!(
        !asked.is_empty() && asked.iter().all(|c| c.outcome.is_ok()),
        "{}",
        world.sts.log_text()
    );
}
