//! Real third-party peers (SimpleSAMLphp, moto, the AWS CLI) as test servers: found or skipped (or
//! failed when SAMLBRIDGE_REAL_PEERS=required), started on free loopback ports, and always stopped —
//! by Drop, and by a detached watchdog if the test process dies first.

use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The real-idp scripts: beside the repository as ../shared/real-idp, or where
/// SAMLBRIDGE_REAL_IDP_DIR says (a checkout elsewhere, a git worktree).
pub fn real_idp_dir() -> PathBuf {
    match std::env::var_os("SAMLBRIDGE_REAL_IDP_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-idp"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    SimpleSamlPhp,
    LemonLdap,
    Moto,
    AwsCli,
    /// python3 with botocore (the AWS CLI's and boto3's SDK), as a real SDK client.
    Botocore,
    /// An MIT KDC, the GSSAPI/NTLM acceptor and curl with GSS-API (the integrated-auth peers).
    Kerberos,
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn missing(tool: Tool) -> Option<String> {
    match tool {
        Tool::SimpleSamlPhp => {
            let script = real_idp_dir().join("simplesamlphp/start.sh");
            if !script.exists() {
                Some(format!(
                    "SimpleSAMLphp's start script ({})",
                    script.display()
                ))
            } else if !runs("php", &["--version"])
                || !PathBuf::from("/usr/share/simplesamlphp/www").exists()
            {
                Some(
                    "SimpleSAMLphp (Debian packages simplesamlphp php-cli php-xml php-mbstring)"
                        .into(),
                )
            } else {
                None
            }
        }
        Tool::LemonLdap => {
            let script = real_idp_dir().join("lemonldap-ng/start.sh");
            if !script.exists() {
                Some(format!(
                    "LemonLDAP::NG's start script ({})",
                    script.display()
                ))
            } else if !runs(
                "dpkg",
                &[
                    "-s",
                    "lemonldap-ng",
                    "lemonldap-ng-fastcgi-server",
                    "liblasso-perl",
                ],
            ) {
                Some("LemonLDAP::NG (Debian packages lemonldap-ng lemonldap-ng-fastcgi-server liblasso-perl libdigest-hmac-perl)".into())
            } else {
                None
            }
        }
        Tool::Moto => (!runs("moto_server", &["--help"]))
            .then(|| "moto_server (pip install 'moto[server]')".into()),
        Tool::Kerberos => samlbridge_emulators::krb::missing().or_else(|| {
            (!runs("curl", &["--version"])).then(|| "curl (Debian package curl)".into())
        }),
        Tool::Botocore => (!runs("python3", &["-c", "import botocore"]))
            .then(|| "python3 with botocore (pip install botocore)".into()),
        Tool::AwsCli => {
            (!runs("aws", &["--version"])).then(|| "the AWS CLI (pip install awscli)".into())
        }
    }
}

/// True when every tool is here. Otherwise: a failure if SAMLBRIDGE_REAL_PEERS=required, else a
/// skip note on stderr and false.
pub fn available(test: &str, tools: &[Tool]) -> bool {
    let absent: Vec<String> = tools.iter().filter_map(|t| missing(*t)).collect();
    if absent.is_empty() {
        return true;
    }
    let what = absent.join(", ");
    if std::env::var("SAMLBRIDGE_REAL_PEERS").as_deref() == Ok("required") {
        panic!(
            "{test}: SAMLBRIDGE_REAL_PEERS=required but missing: {what}; run .ci/run or install them"
        );
    }
    eprintln!(
        "skipping {test}: missing {what} (set SAMLBRIDGE_REAL_PEERS=required to fail instead)"
    );
    false
}

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    samlbridge_emulators::http::closed_port()
}

/// A server process this test started. Dropping it kills it.
pub struct Peer {
    pub name: &'static str,
    pub port: u16,
    pid: u32,
    child: Option<Child>,
    watchdog: Option<Child>,
    _state: Option<tempfile::TempDir>,
}

impl Peer {
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn adopt(
        name: &'static str,
        port: u16,
        pid: u32,
        child: Option<Child>,
        state: Option<tempfile::TempDir>,
    ) -> Peer {
        Peer {
            name,
            port,
            pid,
            child,
            watchdog: watchdog(pid),
            _state: state,
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.pid.to_string())
            .stderr(Stdio::null())
            .status();
        if let Some(child) = &mut self.child {
            let _ = child.wait();
        } else {
            let deadline = Instant::now() + Duration::from_secs(5);
            while runs("kill", &["-0", &self.pid.to_string()]) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill")
                .args(["-9", &self.pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        if let Some(mut dog) = self.watchdog.take() {
            let _ = dog.kill();
            let _ = dog.wait();
        }
    }
}

/// A detached shell (own process group, so a Ctrl-C or kill of the test's group spares it) that
/// kills `server_pid` once this test process is gone.
fn watchdog(server_pid: u32) -> Option<Child> {
    let script = "while kill -0 \"$0\" 2>/dev/null && kill -0 \"$1\" 2>/dev/null; do sleep 1; done; kill \"$1\" 2>/dev/null";
    Command::new("sh")
        .args([
            "-c",
            script,
            &std::process::id().to_string(),
            &server_pid.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()
}

fn wait_for_port(name: &str, port: u16, limit: Duration) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > limit {
            panic!("{name} did not listen on 127.0.0.1:{port} within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SimpleSAMLphp from ../shared/real-idp/simplesamlphp/start.sh, state in a temp dir.
pub fn start_simplesamlphp() -> Peer {
    start_real_idp(
        "SimpleSAMLphp",
        "simplesamlphp/start.sh",
        Duration::from_secs(10),
    )
}

/// LemonLDAP::NG from ../shared/real-idp/lemonldap-ng/start.sh (dwho has TOTP), state in a temp dir.
pub fn start_lemonldap() -> Peer {
    start_real_idp(
        "LemonLDAP::NG",
        "lemonldap-ng/start.sh",
        Duration::from_secs(30),
    )
}

/// Runs a real-idp start script (`start.sh DIR PORT`, which prints the server's PID) and adopts it.
fn start_real_idp(name: &'static str, script: &str, limit: Duration) -> Peer {
    let state = match tempfile::Builder::new().prefix("samlbridge-idp").tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    };
    let port = free_port();
    let script = real_idp_dir().join(script);
    let out = Command::new("bash")
        .arg(&script)
        .arg(state.path())
        .arg(port.to_string())
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("{}: {e}", script.display()),
    };
    let pid: u32 = match String::from_utf8_lossy(&out.stdout).trim().parse() {
        Ok(pid) if out.status.success() => pid,
        _ => panic!(
            "{} failed ({}):\n{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
    };
    let peer = Peer::adopt(name, port, pid, None, Some(state));
    wait_for_port(peer.name, port, limit);
    peer
}

/// SimpleSAMLphp's IdP-initiated sign-on URL for AWS.
pub fn simplesamlphp_sign_in_url(peer: &Peer) -> String {
    format!(
        "{}/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices",
        peer.base_url()
    )
}

/// `moto_server -H 127.0.0.1 -p PORT`, as a child of this test.
pub fn start_moto() -> Peer {
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => panic!("moto_server: {e}"),
    };
    let pid = child.id();
    let peer = Peer::adopt("moto", port, pid, Some(child), None);
    wait_for_port(peer.name, port, Duration::from_secs(30));
    peer
}
