//! The credential endpoint under load (issue 19): `samlbridge serve` for a chained profile, signed in
//! once against the AD FS and STS emulators, then 50 clients asking at once, each as an SDK does (a
//! new connection, a GET with the token, the JSON read to its end). A benchmark, not a test: it
//! prints requests per second, latency percentiles and samlbridge's CPU time per request (from
//! /proc), and never fails on time.
//!
//! Run: `cargo bench --bench server` (BENCH_SECONDS, default 5; BENCH_CLIENTS, default 50).

use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::saml::SamlRole;
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/CorpADFS";
const GATEWAY: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const PROD: &str = "arn:aws:iam::333333333333:role/Admins";
const USER: &str = "alice@corp.example";
const PASSWORD: &str = "bench-Pass-1";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: state is 3rd, utime the 14th, stime the 15th.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0)
}

fn ask(addr: SocketAddr, request: &[u8]) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_nodelay(true);
    if stream.write_all(request).is_err() {
        return false;
    }
    let mut answer = Vec::with_capacity(2048);
    stream.read_to_end(&mut answer).is_ok() && answer.starts_with(b"HTTP/1.1 200")
}

fn main() {
    let seconds = setting("BENCH_SECONDS", 5);
    let clients = setting("BENCH_CLIENTS", 50) as usize;
    let adfs = AdfsEmulator::start(
        AdfsConfig::default()
            .user(AdfsUser::new(USER, PASSWORD).role(SamlRole::new(GATEWAY, PROVIDER))),
    );
    let sts = StsEmulator::start(
        StsConfig::default()
            .role(StsRole::new(GATEWAY).max_session(43200))
            .role(StsRole::new(PROD).trust(GATEWAY)),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("HOME");
    let config = dir.path().join("aws-config");
    let text = format!(
        "[profile corp]\nsaml_url = {}\nsaml_username = {USER}\nregion = eu-west-1\n\n[profile prod]\nsaml_source = corp\nsaml_role = {PROD}\n",
        adfs.sign_in_url()
    );
    std::fs::write(&config, text).expect("config");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_samlbridge-full"))
        .args(["serve", "--profile", "prod"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
        .env("AWS_ENDPOINT_URL_STS", sts.endpoint())
        .env("SAMLBRIDGE_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("samlbridge serve starts");
    let mut lines = BufReader::new(serve.stdout.take().expect("stdout")).lines();
    let mut value = |prefix: &str| {
        let line = lines.next().and_then(Result::ok).unwrap_or_default();
        line.strip_prefix(prefix).unwrap_or_default().to_string()
    };
    let url = value("export AWS_CONTAINER_CREDENTIALS_FULL_URI=");
    let token = value("export AWS_CONTAINER_AUTHORIZATION_TOKEN=");
    let rest = url.strip_prefix("http://").unwrap_or_default();
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let addr: SocketAddr = host.parse().expect("serve printed its address");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nUser-Agent: bench\r\n\r\n"
    )
    .into_bytes();
    assert!(ask(addr, &request), "the endpoint answers");

    let ticks_before = cpu_ticks(serve.id());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut failures = 0usize;
                while Instant::now() < deadline {
                    let asked = Instant::now();
                    if ask(addr, &request) {
                        latencies.push(asked.elapsed());
                    } else {
                        failures += 1;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for worker in workers {
        let (mine, failed) = worker.join().unwrap_or_default();
        latencies.extend(mine);
        failures += failed;
    }
    let elapsed = started.elapsed();
    let ticks = cpu_ticks(serve.id()).saturating_sub(ticks_before);
    let _ = serve.kill();
    let _ = serve.wait();

    latencies.sort();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(i).copied().unwrap_or_default()
    };
    let served = latencies.len();
    // Linux counts CPU time in ticks of 1/100 s (USER_HZ) for every architecture.
    let cpu = Duration::from_millis(ticks * 10);
    println!(
        "samlbridge serve, {clients} concurrent clients, {seconds} s, one connection per request"
    );
    println!(
        "  requests: {served} ok, {failures} failed; {:.0} req/s",
        served as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
    if served > 0 {
        println!(
            "  samlbridge CPU: {cpu:?} in all, {:.1} µs per request",
            cpu.as_secs_f64() * 1e6 / served as f64
        );
    }
}
