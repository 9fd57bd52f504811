//! The local credential endpoint (issue 19): `exec --server` and `serve` against an STS whose
//! sessions live seconds, with botocore (a real SDK) as the job; and the endpoint attacked: no token
//! or a wrong one, the token in argv or at -vv, a listener off loopback, a port left open after the
//! job or after SIGTERM.

use crate::real_peers::{Tool, available};
use crate::world::{self, ALICE, World};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

/// How long the emulated STS's sessions live: a job of a few times this must see renewals.
const LIFETIME: Duration = Duration::from_secs(10);

fn short_lived_world() -> World {
    World::with(world::users(), world::roles().lifetime(LIFETIME), ALICE)
}

/// A botocore job: calls sts get-caller-identity every 0.3 s for `seconds`, printing the provider's
/// method and the access key used on each line; exits 1 on the first failed call.
const JOB: &str = r#"
import os, sys, time
import botocore.session
session = botocore.session.get_session()
client = session.create_client("sts", region_name="eu-west-1",
                               endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
end = time.time() + float(sys.argv[1])
while time.time() < end:
    try:
        client.get_caller_identity()
    except Exception as e:
        print("FAILED", type(e).__name__, e, flush=True)
        sys.exit(1)
    creds = session.get_credentials()
    print(creds.method, creds.get_frozen_credentials().access_key, flush=True)
    time.sleep(0.3)
"#;

fn write_job(world: &World) -> String {
    let path = world.sandbox.root().join("job.py");
    crate::harness::write(&path, JOB);
    path.display().to_string()
}

#[test]
fn exec_server_keeps_a_botocore_job_going_across_renewals_with_one_password_post() {
    if !available("exec --server with botocore", &[Tool::Botocore]) {
        return;
    }
    let mut world = short_lived_world();
    // Keys in the parent's environment must not reach the job: it asks the endpoint.
    world.sandbox.set_env("AWS_ACCESS_KEY_ID", "AKIAPARENTKEY");
    world
        .sandbox
        .set_env("AWS_SECRET_ACCESS_KEY", "parent-secret");
    world.sandbox.set_env("AWS_PROFILE", "corp");
    let job = write_job(&world);
    let seconds = (LIFETIME * 3).as_secs().to_string();
    let out = world.sandbox.run(&[
        "exec",
        "--profile",
        "prod",
        "--server",
        "--",
        "python3",
        &job,
        &seconds,
    ]);
    out.expect_code(0);
    let mut keys: Vec<String> = Vec::new();
    for line in out.stdout.lines() {
        let (method, key) = line.split_once(' ').unwrap_or(("", line));
        assert_eq!(method, "container-role", "{}", out.dump());
        if keys.last().map(String::as_str) != Some(key) {
            keys.push(key.to_string());
        }
    }
    assert!(
        keys.len() >= 3,
        "keys renewed as they neared expiry: {keys:?}\n{}",
        out.dump()
    );
    for key in &keys {
        let issued = world.sts.session(key);
        assert_eq!(
            issued.map(|s| s.role_arn),
            Some(world::PROD_ADMINS.to_string()),
            "{key} is prod's"
        );
    }
    let password_posts = world
        .adfs
        .posts()
        .iter()
        .filter(|p| p.iter().any(|(_, v)| v == ALICE.password))
        .count();
    assert_eq!(password_posts, 1, "the password only at the first sign-in");
}

#[test]
fn exec_server_serves_the_aws_cli_before_and_after_its_first_keys_expire() {
    if !available("exec --server with the AWS CLI", &[Tool::AwsCli]) {
        return;
    }
    let world = short_lived_world();
    let pause = (LIFETIME + Duration::from_secs(1)).as_secs();
    let script = format!(
        "aws sts get-caller-identity --output text --query Arn && sleep {pause} && aws sts get-caller-identity --output text --query Arn"
    );
    let out = world.sandbox.run(&[
        "exec",
        "--profile",
        "prod",
        "--server",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    out.expect_code(0);
    let arns: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(arns.len(), 2, "{}", out.dump());
    assert!(
        arns.iter().all(|a| a.contains(":assumed-role/Admins/")),
        "{}",
        out.dump()
    );
    assert!(
        world.sts.sessions_of(world::PROD_ADMINS).len() >= 2,
        "renewed between the calls"
    );
}

#[test]
fn exec_server_gives_the_endpoint_not_keys_passes_the_exit_code_and_closes_after() {
    let mut world = World::start(ALICE);
    world.sandbox.set_env("AWS_SESSION_TOKEN", "parent-token");
    world.sandbox.set_env("AWS_PROFILE", "corp");
    let script = "env | grep '^AWS_' | sort; exit 7";
    let out = world.sandbox.run(&[
        "exec",
        "--profile",
        "prod",
        "--server",
        "--",
        "sh",
        "-c",
        script,
    ]);
    out.expect_code(7);
    let vars: Vec<(&str, &str)> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .collect();
    let get = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    for gone in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        assert_eq!(get(gone), None, "{gone} reached the job\n{}", out.dump());
    }
    let uri = get("AWS_CONTAINER_CREDENTIALS_FULL_URI").unwrap_or_default();
    assert!(
        uri.starts_with("http://127.0.0.1:") && uri.ends_with("/profile/prod"),
        "{uri}"
    );
    let token = get("AWS_CONTAINER_AUTHORIZATION_TOKEN").unwrap_or_default();
    assert!(token.len() >= 43, "32 bytes of entropy at least: {token:?}");
    assert!(
        !out.stderr.contains(token),
        "the token is not said\n{}",
        out.dump()
    );
    let addr = addr_of(uri);
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "the endpoint closed when the job ended"
    );
    let missing = world.sandbox.run(&[
        "exec",
        "--profile",
        "prod",
        "--server",
        "--",
        "samlbridge-no-such-cmd",
    ]);
    missing
        .expect_code(127)
        .expect_stderr_contains("samlbridge-no-such-cmd: command not found");
}

#[test]
fn exec_server_passes_a_signal_on_and_reports_it() {
    let world = World::start(ALICE);
    let mut child = world.sandbox.spawn_piped(&[
        "exec",
        "--profile",
        "prod",
        "--server",
        "--",
        "sh",
        "-c",
        "echo started; sleep 30 & wait",
    ]);
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    let _ = stdout.read_line(&mut line);
    assert_eq!(line.trim(), "started");
    kill(&child, "TERM");
    let status = wait_for(&mut child, Duration::from_secs(10));
    assert_eq!(status, Some(128 + 15), "sh was ended by the TERM passed on");
}

/// A running `serve`: its child, the address and token it printed.
struct Served {
    child: Child,
    url: String,
    token: String,
    stdout: BufReader<std::process::ChildStdout>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Served {
    /// Everything it said on stderr (read all along, so that -vv never fills the pipe); call once
    /// it has ended.
    fn stderr(&mut self) -> String {
        self.stderr
            .take()
            .and_then(|reading| reading.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_serve(world: &World, args: &[&str]) -> Served {
    let mut all = vec!["serve"];
    all.extend_from_slice(args);
    let mut child = world.sandbox.spawn_piped(&all);
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut err = child.stderr.take().expect("piped");
    let stderr = Some(std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    }));
    let mut read = || {
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        line.trim_end().to_string()
    };
    let (first, second) = (read(), read());
    let url = first
        .strip_prefix("export AWS_CONTAINER_CREDENTIALS_FULL_URI=")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_string();
    let token = second
        .strip_prefix("export AWS_CONTAINER_AUTHORIZATION_TOKEN=")
        .unwrap_or_else(|| panic!("second line: {second:?}"))
        .to_string();
    Served {
        child,
        url,
        token,
        stdout,
        stderr,
    }
}

fn addr_of(url: &str) -> SocketAddr {
    let host_port = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    match host_port.parse() {
        Ok(addr) => addr,
        Err(e) => panic!("{url}: {e}"),
    }
}

fn path_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    rest.find('/')
        .map(|at| rest[at..].to_string())
        .unwrap_or_default()
}

/// One GET, as an SDK sends it; the status and the body.
fn get(url: &str, path: &str, authorization: Option<&str>) -> (u16, String) {
    let mut stream = match TcpStream::connect_timeout(&addr_of(url), Duration::from_secs(2)) {
        Ok(s) => s,
        Err(e) => panic!("{url}: {e}"),
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(40)));
    let header = authorization
        .map(|t| format!("Authorization: {t}\r\n"))
        .unwrap_or_default();
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n");
    if let Err(e) = stream.write_all(head.as_bytes()) {
        panic!("{url}: {e}");
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn kill(child: &Child, signal: &str) {
    let _ = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
}

/// The exit code (128 + signal when killed, as a shell says), None if still running at the end.
fn wait_for(child: &mut Child, limit: Duration) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().or(status.signal().map(|s| 128 + s));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Whether a listener on `port` is bound to 127.0.0.1 only (from /proc/net/tcp and tcp6).
fn listens_on_loopback_only(port: u16) -> bool {
    let hex_port = format!(":{port:04X}");
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() > 3 && fields[1].ends_with(&hex_port) && fields[3] == "0A" {
                found.push(fields[1].to_string());
            }
        }
    }
    !found.is_empty()
        && found
            .iter()
            .all(|local| local == &format!("0100007F{hex_port}"))
}

/// Every process's argument list that holds `needle`.
fn argv_holding(needle: &str) -> Vec<String> {
    let mut holders = Vec::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return holders;
    };
    for entry in procs.flatten() {
        let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).replace('\0', " ");
        if text.contains(needle) {
            holders.push(text);
        }
    }
    holders
}

#[test]
fn serve_demands_its_token_binds_loopback_keeps_it_out_of_argv_and_ends_on_sigterm() {
    let world = World::start(ALICE);
    let mut served = start_serve(&world, &["-vv", "--profile", "prod"]);
    let (url, token) = (served.url.clone(), served.token.clone());
    let path = path_of(&url);
    assert_eq!(path, "/profile/prod");
    assert!(token.len() >= 43);

    let (status, body) = get(&url, &path, Some(&token));
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let key = json["AccessKeyId"].as_str().unwrap_or_default().to_string();
    let issued = world.sts.session(&key);
    let Some(issued) = issued else {
        panic!("served {key:?}, never issued: {body}");
    };
    assert_eq!(issued.role_arn, world::PROD_ADMINS);
    assert_eq!(json["SecretAccessKey"], issued.secret_access_key.as_str());
    assert_eq!(json["Token"], issued.session_token.as_str());
    assert!(
        json["Expiration"]
            .as_str()
            .is_some_and(|e| e.ends_with('Z'))
    );

    let secrets = [
        key.as_str(),
        &issued.secret_access_key,
        &issued.session_token,
    ];
    let no_key = |body: &str| secrets.iter().all(|s| !body.contains(s));
    let (status, body) = get(&url, &path, None);
    assert_eq!(status, 401, "no token");
    assert!(no_key(&body), "{body}");
    for wrong in [&token[..token.len() - 1], "Bearer x", &format!("{token}x")] {
        let (status, body) = get(&url, &path, Some(wrong));
        assert_eq!(status, 403, "wrong token {wrong:?}");
        assert!(no_key(&body), "{body}");
    }

    let port = addr_of(&url).port();
    assert!(listens_on_loopback_only(port), "bound to 127.0.0.1 only");
    assert_eq!(
        argv_holding(&token),
        Vec::<String>::new(),
        "the token in argv"
    );

    kill(&served.child, "TERM");
    assert_eq!(
        wait_for(&mut served.child, Duration::from_secs(10)),
        Some(0)
    );
    assert!(
        TcpStream::connect_timeout(&addr_of(&url), Duration::from_secs(1)).is_err(),
        "the port closed"
    );
    let mut rest = String::new();
    let _ = served.stdout.read_to_string(&mut rest);
    assert_eq!(rest, "", "nothing but the two export lines on stdout");
    let stderr = served.stderr();
    assert!(!stderr.contains(&token), "the token at -vv:\n{stderr}");
    assert!(no_key(&stderr), "a key at -vv:\n{stderr}");
}

#[test]
fn serve_serves_several_profiles_by_path_and_ends_on_sigint() {
    let world = World::start(ALICE);
    let mut served = start_serve(&world, &["--profile", "prod,staging"]);
    let (url, token) = (served.url.clone(), served.token.clone());
    for (path, role) in [
        ("/profile/prod", world::PROD_ADMINS),
        ("/profile/staging", world::STAGING_DEPLOYER),
    ] {
        let (status, body) = get(&url, path, Some(&token));
        assert_eq!(status, 200, "{path}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let key = json["AccessKeyId"].as_str().unwrap_or_default();
        assert_eq!(
            world.sts.session(key).map(|s| s.role_arn),
            Some(role.into())
        );
    }
    let (status, _) = get(&url, "/profile/audit", Some(&token));
    assert_eq!(status, 404, "a profile not served");
    assert_eq!(world.adfs.posts().len(), 1, "one sign-in for both");
    kill(&served.child, "INT");
    assert_eq!(
        wait_for(&mut served.child, Duration::from_secs(10)),
        Some(0)
    );
}

#[test]
fn when_a_person_must_sign_in_requests_get_the_command_and_then_succeed_again() {
    let mut world = short_lived_world();
    world.login(&[]).expect_code(0);
    // From here on only the saved IdP session can sign in again.
    world.forget_password();
    let mut served = start_serve(&world, &["--profile", "prod"]);
    let (url, token) = (served.url.clone(), served.token.clone());
    let path = path_of(&url);
    assert_eq!(get(&url, &path, Some(&token)).0, 200);
    world.adfs.forget_sessions();

    // Once the keys are gone, the answer is quick and names the command.
    let deadline = Instant::now() + LIFETIME * 3;
    let refused = loop {
        let asked = Instant::now();
        let (status, body) = get(&url, &path, Some(&token));
        assert!(
            asked.elapsed() < Duration::from_secs(35),
            "answered in time"
        );
        if status != 200 {
            break (status, body);
        }
        assert!(Instant::now() < deadline, "never refused");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(refused.0, 503, "{}", refused.1);
    let json: serde_json::Value = serde_json::from_str(&refused.1).unwrap_or_default();
    let message = json["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("samlbridge login --profile corp"),
        "{message}"
    );
    assert!(json["code"].as_str().is_some());

    // The person signs in from another terminal; the job's endpoint serves again.
    world.sandbox.set_env("SAMLBRIDGE_PASSWORD", ALICE.password);
    world.login(&[]).expect_code(0);
    std::thread::sleep(Duration::from_secs(3));
    let (status, body) = get(&url, &path, Some(&token));
    assert_eq!(status, 200, "{body}");

    kill(&served.child, "TERM");
    assert_eq!(
        wait_for(&mut served.child, Duration::from_secs(10)),
        Some(0)
    );
    let stderr = served.stderr();
    let said = stderr.matches("samlbridge login --profile corp").count();
    assert_eq!(said, 1, "said once on stderr:\n{stderr}");
}

#[test]
fn fifty_clients_across_renewals_never_fail_and_cause_one_renewal_at_a_time() {
    let world = short_lived_world();
    let served = start_serve(&world, &["--profile", "prod"]);
    let (url, token) = (served.url.clone(), served.token.clone());
    let path = path_of(&url);
    let deadline = Instant::now() + LIFETIME + LIFETIME / 5;
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let (url, token, path) = (url.clone(), token.clone(), path.clone());
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                while Instant::now() < deadline {
                    answers.push(get(&url, &path, Some(&token)));
                    std::thread::sleep(Duration::from_millis(20));
                }
                answers
            })
        })
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    for client in clients {
        for (status, body) in client.join().unwrap_or_default() {
            assert_eq!(status, 200, "{body}");
            let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            keys.insert(json["AccessKeyId"].as_str().unwrap_or_default().to_string());
        }
    }
    let hops = world.sts.calls_to("AssumeRole").len();
    assert!(keys.len() >= 2, "renewed while the clients asked: {keys:?}");
    // The first sign-in, then one renewal each half of a 10 s session, whatever the load.
    assert!(
        hops <= 5,
        "{hops} AssumeRole calls for 12 s of 50 clients\n{}",
        world.sts.log_text()
    );
    assert!(keys.len() <= hops, "only keys the STS issued for prod");
}
