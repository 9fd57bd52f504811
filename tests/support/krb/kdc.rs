//! A real MIT KDC per test: its own realm on 127.0.0.1 (TCP, a free port), a database made by
//! `kdb5_util`, principals and a keytab made by `kadmin.local`, `krb5kdc -n` as the server; gone
//! (with everything it spawned) when the `Kdc` is dropped or the test process dies.
//!
//! ```ignore
//! let kdc = Kdc::start();                        // realm kdc.realm(), user alice / kdc::PASSWORD
//! let ccache = kdc.kinit("alice", PASSWORD)?;     // FILE: credential cache in the KDC's dir
//! cmd.envs(kdc.client_env(&ccache));             // KRB5_CONFIG + KRB5CCNAME for a client process
//! let stale = kdc.expired_ccache("alice", PASSWORD); // a ccache whose TGT has already expired
//! let none = kdc.empty_ccache();                 // KRB5CCNAME naming a cache that does not exist
//! kdc.keytab()                                   // HTTP/localhost + HTTP/127.0.0.1, for acceptors
//! kdc.rotate_service_keys();                     // new tickets no longer match the keytab: refused
//! kdc.stop();                                    // unreachable KDC (files kept; a TGT stays valid)
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The user every KDC has.
pub const USER: &str = "alice";
/// alice's password.
pub const PASSWORD: &str = "Kerberos-Pa55word";
/// The service principals the keytab holds: the IdP's host as a client writes it in the URL.
pub const SERVICE_HOSTS: [&str; 2] = ["localhost", "127.0.0.1"];

/// What is missing for a KDC on this machine (None: everything is here).
pub fn missing() -> Option<String> {
    let tools = ["krb5kdc", "kdb5_util", "kadmin.local", "kinit"];
    let absent: Vec<&str> = tools
        .into_iter()
        .filter(|t| find_program(t).is_none())
        .collect();
    (!absent.is_empty()).then(|| {
        format!(
            "an MIT KDC ({}: Debian packages krb5-kdc krb5-admin-server krb5-user)",
            absent.join(", ")
        )
    })
}

/// `name` on PATH or in the sbin directories, where Debian puts the KDC's programs.
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A running KDC. Dropping it stops the server and removes its directory.
pub struct Kdc {
    realm: String,
    port: u16,
    dir: tempfile::TempDir,
    /// The wrapper shell's stdin: closing it (Drop, or this process dying) stops krb5kdc.
    lifeline: Option<ChildStdin>,
    wrapper: Child,
}

impl Kdc {
    /// A fresh realm with alice and the HTTP services, its KDC answering on 127.0.0.1.
    pub fn start() -> Kdc {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::try_start() {
                Ok(kdc) => return kdc,
                Err(e) => last = e,
            }
        }
        panic!("the test KDC did not start: {last}")
    }

    fn try_start() -> Result<Kdc, String> {
        let dir = tempfile::Builder::new()
            .prefix("samlbridge-kdc")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let realm = format!(
            "SB{}.TEST",
            crate::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 6)
        );
        let port = crate::http::closed_port();
        write_configs(dir.path(), &realm, port)?;
        let mut kdc = Kdc::spawn(dir, realm, port)?;
        kdc.create_database()?;
        kdc.wait_until_listening()?;
        Ok(kdc)
    }

    /// The realm's database, alice, the services and their keytab, before the server starts.
    fn create_database(&mut self) -> Result<(), String> {
        let master = crate::random_hex(16);
        self.run(
            "kdb5_util",
            &["create", "-s", "-r", &self.realm, "-P", &master],
            "",
        )?;
        self.kadmin(&format!("addprinc -pw {PASSWORD} {USER}"))?;
        for host in SERVICE_HOSTS {
            self.kadmin(&format!("addprinc -randkey HTTP/{host}"))?;
            let keytab = self.keytab();
            self.kadmin(&format!("ktadd -k {} HTTP/{host}", keytab.display()))?;
        }
        self.start_server()
    }

    fn spawn(dir: tempfile::TempDir, realm: String, port: u16) -> Result<Kdc, String> {
        // Started before the database exists: the wrapper waits for a "start" line, so that one
        // process owns the KDC's life from the beginning (see start_server).
        let script = r#"read go || exit 0; "$0" -n -r "$1" & kdc=$!; read _; kill "$kdc" 2>/dev/null; wait "$kdc""#;
        let krb5kdc = find_program("krb5kdc").ok_or("krb5kdc is not installed")?;
        let mut wrapper = Command::new("sh")
            .args(["-c", script])
            .arg(&krb5kdc)
            .arg(&realm)
            .envs(profile_env(dir.path()))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("sh: {e}"))?;
        let lifeline = wrapper.stdin.take();
        Ok(Kdc {
            realm,
            port,
            dir,
            lifeline,
            wrapper,
        })
    }

    fn start_server(&mut self) -> Result<(), String> {
        let Some(line) = self.lifeline.as_mut() else {
            return Err("the KDC's wrapper has no stdin".into());
        };
        line.write_all(b"start\n")
            .and_then(|()| line.flush())
            .map_err(|e| format!("cannot start krb5kdc: {e}"))
    }

    fn wait_until_listening(&mut self) -> Result<(), String> {
        let started = Instant::now();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = self.wrapper.try_wait() {
                return Err(format!("krb5kdc exited ({status}): {}", self.log()));
            }
            if started.elapsed() > Duration::from_secs(10) {
                return Err(format!("krb5kdc did not listen on {addr}: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The KDC's TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The KDC's private directory (0700): configuration, database, keytab, ccaches.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The client profile: this realm, its KDC on 127.0.0.1, no DNS, no reverse DNS.
    pub fn krb5_conf(&self) -> PathBuf {
        self.dir().join("krb5.conf")
    }

    /// The keytab with `HTTP/localhost` and `HTTP/127.0.0.1`.
    pub fn keytab(&self) -> PathBuf {
        self.dir().join("http.keytab")
    }

    /// `user@REALM`.
    pub fn principal(&self, user: &str) -> String {
        format!("{user}@{}", self.realm)
    }

    /// Adds a user principal with that password.
    pub fn add_user(&self, user: &str, password: &str) {
        if let Err(e) = self.kadmin(&format!("addprinc -pw {password} {user}")) {
            panic!("kadmin.local addprinc {user}: {e}")
        }
    }

    /// Runs `kinit user` with that password into a new FILE: ccache; returns the ccache's path.
    pub fn kinit(&self, user: &str, password: &str) -> Result<PathBuf, String> {
        self.kinit_with(user, password, &[])
    }

    /// A ccache holding alice's TGT that has already expired (a real ticket with a 1 s lifetime).
    pub fn expired_ccache(&self, user: &str, password: &str) -> PathBuf {
        let ccache = match self.kinit_with(user, password, &["-l", "1s"]) {
            Ok(c) => c,
            Err(e) => panic!("kinit -l 1s {user}: {e}"),
        };
        std::thread::sleep(Duration::from_millis(2100));
        ccache
    }

    /// The path of a ccache that does not exist: a client with it holds no ticket.
    pub fn empty_ccache(&self) -> PathBuf {
        self.dir()
            .join(format!("ccache-none-{}", crate::random_hex(6)))
    }

    /// What a client process needs: `KRB5_CONFIG` (this realm) and `KRB5CCNAME=FILE:<ccache>`.
    pub fn client_env(&self, ccache: &Path) -> Vec<(String, String)> {
        vec![
            ("KRB5_CONFIG".into(), self.krb5_conf().display().to_string()),
            ("KRB5CCNAME".into(), format!("FILE:{}", ccache.display())),
        ]
    }

    /// Stops the server but keeps the realm's files: clients with a TGT can no longer get a
    /// service ticket (a KDC that cannot be reached).
    pub fn stop(&mut self) {
        drop(self.lifeline.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.wrapper.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.wrapper.kill();
        let _ = self.wrapper.wait();
    }

    /// Gives the HTTP services new keys in the KDC only: the keytab (the acceptor's) still holds
    /// the old ones, so the tickets the KDC now issues are refused by the IdP.
    pub fn rotate_service_keys(&self) {
        for host in SERVICE_HOSTS {
            if let Err(e) = self.kadmin(&format!("cpw -randkey HTTP/{host}")) {
                panic!("kadmin.local cpw HTTP/{host}: {e}")
            }
        }
    }

    /// The KDC's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir().join("kdc.log")).unwrap_or_default()
    }

    fn kinit_with(&self, user: &str, password: &str, extra: &[&str]) -> Result<PathBuf, String> {
        let ccache = self
            .dir()
            .join(format!("ccache-{user}-{}", crate::random_hex(6)));
        let mut cmd = command("kinit")?;
        cmd.args(extra)
            .arg(self.principal(user))
            .envs(self.client_env(&ccache));
        run_with_input(cmd, &format!("{password}\n"))?;
        Ok(ccache)
    }

    fn kadmin(&self, query: &str) -> Result<String, String> {
        self.run("kadmin.local", &["-r", &self.realm, "-q", query], "")
    }

    fn run(&self, program: &str, args: &[&str], input: &str) -> Result<String, String> {
        let mut cmd = command(program)?;
        cmd.args(args).envs(profile_env(self.dir()));
        run_with_input(cmd, input)
    }
}

impl Drop for Kdc {
    fn drop(&mut self) {
        // EOF on the wrapper's stdin: it kills krb5kdc and waits for it.
        self.stop();
    }
}

fn command(program: &str) -> Result<Command, String> {
    let path = find_program(program).ok_or_else(|| format!("{program} is not installed"))?;
    Ok(Command::new(path))
}

/// Runs a command with `input` on stdin; its stdout, or an error with its stderr.
fn run_with_input(mut cmd: Command, input: &str) -> Result<String, String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| format!("{e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            cmd.get_program().to_string_lossy(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The environment the KDC's own tools run with: its profiles, nothing from the machine's.
fn profile_env(dir: &Path) -> Vec<(String, String)> {
    vec![
        (
            "KRB5_CONFIG".into(),
            dir.join("krb5.conf").display().to_string(),
        ),
        (
            "KRB5_KDC_PROFILE".into(),
            dir.join("kdc.conf").display().to_string(),
        ),
    ]
}

fn write_configs(dir: &Path, realm: &str, port: u16) -> Result<(), String> {
    let d = dir.display();
    let kdc_conf = format!(
        "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n\n\
         [realms]\n {realm} = {{\n  database_name = {d}/principal\n  key_stash_file = {d}/stash\n  \
         acl_file = {d}/kadm5.acl\n  max_life = 10h\n  max_renewable_life = 0\n  \
         supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n }}\n\n\
         [logging]\n kdc = FILE:{d}/kdc.log\n admin_server = FILE:{d}/kadmin.log\n default = FILE:{d}/krb5lib.log\n"
    );
    let mut domains = String::new();
    for host in SERVICE_HOSTS {
        domains.push_str(&format!(" {host} = {realm}\n"));
    }
    let krb5_conf = format!(
        "[libdefaults]\n default_realm = {realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n \
         rdns = false\n dns_canonicalize_hostname = false\n udp_preference_limit = 1\n\n\
         [realms]\n {realm} = {{\n  kdc = 127.0.0.1:{port}\n }}\n\n[domain_realm]\n{domains}"
    );
    for (name, text) in [("kdc.conf", kdc_conf), ("krb5.conf", krb5_conf)] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))?;
    }
    std::fs::write(dir.join("kadm5.acl"), "").map_err(|e| format!("kadm5.acl: {e}"))
}
