//! The real acceptor behind the integrated-auth endpoints: MIT GSSAPI (Kerberos, SPNEGO, through
//! python3-gssapi) and pyspnego's NTLM, driven by `acceptor.py`, a long-running child that keeps one
//! security context per client connection. Nothing here parses a token.
//!
//! ```ignore
//! let acceptor = Acceptor::start(Some(&kdc), &[NtlmUser::new("CORP", "alice", "pw")]);
//! match acceptor.step("127.0.0.1:40112", token_base64) {
//!     Step::Continue(out) => /* 401, WWW-Authenticate: <scheme> out */,
//!     Step::Complete { user, token, .. } => /* signed in; token: mutual-auth answer */,
//!     Step::Rejected(words) => /* 401 with words */,
//! }
//! ```

use crate::http::lock;
use crate::krb::Kdc;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

/// The acceptor script, beside this file.
pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/krb/acceptor.py");

/// An NTLM account the acceptor knows (an NTLM_USER_FILE line `DOMAIN:user:password`).
#[derive(Debug, Clone)]
pub struct NtlmUser {
    pub domain: String,
    pub user: String,
    pub password: String,
}

impl NtlmUser {
    pub fn new(domain: &str, user: &str, password: &str) -> Self {
        NtlmUser {
            domain: domain.into(),
            user: user.into(),
            password: password.into(),
        }
    }
}

/// One leg's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// More legs needed: send this token back in a 401 challenge.
    Continue(String),
    /// Authenticated: `user` as the mechanism names it (`alice@REALM`, `CORP\alice`), `mech`
    /// (`krb5`, `ntlm`), and the token for mutual authentication if the mechanism has one.
    Complete {
        user: String,
        mech: String,
        token: Option<String>,
    },
    /// The mechanism refused the token; its words.
    Rejected(String),
}

struct Pipe {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// A running acceptor process; stops when dropped (its stdin closes).
pub struct Acceptor {
    pipe: Mutex<Pipe>,
    _dir: tempfile::TempDir,
}

/// What is missing for the acceptor on this machine (None: everything is here).
pub fn missing() -> Option<String> {
    let python = python();
    let ok = Command::new(&python)
        .args(["-c", "import gssapi, spnego"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    (!ok).then(|| {
        format!(
            "a GSSAPI/NTLM acceptor ({} cannot import gssapi and spnego: Debian package python3-gssapi, \
             and pyspnego in a venv made with --system-site-packages, named by {PYTHON_ENV} as .ci/run does)",
            python.display()
        )
    })
}

/// Names the python that runs the acceptor (one with python3-gssapi and pyspnego).
pub const PYTHON_ENV: &str = "SAMLBRIDGE_ACCEPTOR_PYTHON";

/// `$SAMLBRIDGE_ACCEPTOR_PYTHON`, else the venv .ci/run makes, else Debian's python3 (where
/// python3-gssapi is), whatever python3 comes first on PATH. Tests may drive pyspnego's and
/// python3-gssapi's initiators with it too.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let venv = std::env::temp_dir().join("samlbridge-ci-krb-venv/bin/python");
    if venv.is_file() {
        return venv;
    }
    PathBuf::from("/usr/bin/python3")
}

impl Acceptor {
    /// Accepts Kerberos for the KDC's `HTTP/` services (if a KDC is given) and NTLM for `ntlm`.
    pub fn start(kdc: Option<&Kdc>, ntlm: &[NtlmUser]) -> Acceptor {
        match Self::try_start(kdc, ntlm) {
            Ok(a) => a,
            Err(e) => panic!("the GSSAPI acceptor ({SCRIPT}) did not start: {e}"),
        }
    }

    fn try_start(kdc: Option<&Kdc>, ntlm: &[NtlmUser]) -> Result<Acceptor, String> {
        let dir = tempfile::Builder::new()
            .prefix("samlbridge-acceptor")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let users: String = ntlm
            .iter()
            .map(|u| format!("{}:{}:{}\n", u.domain, u.user, u.password))
            .collect();
        let user_file = dir.path().join("ntlm-users");
        std::fs::write(&user_file, users).map_err(|e| format!("{}: {e}", user_file.display()))?;
        let mut cmd = Command::new(python());
        cmd.arg(SCRIPT)
            .env("NTLM_USER_FILE", &user_file)
            .env("KRB5RCACHEDIR", dir.path())
            .env_remove("KRB5CCNAME")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        match kdc {
            Some(kdc) => cmd
                .env("KRB5_CONFIG", kdc.krb5_conf())
                .env("KRB5_KTNAME", format!("FILE:{}", kdc.keytab().display())),
            None => cmd.env("KRB5_CONFIG", dir.path().join("krb5.conf")).env(
                "KRB5_KTNAME",
                format!("FILE:{}", dir.path().join("none.keytab").display()),
            ),
        };
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("{}: {e}", python().display()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("no pipes to the acceptor".into());
        };
        let mut pipe = Pipe {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        };
        let ready = read_answer(&mut pipe)?;
        if ready.get("state").and_then(|s| s.as_str()) != Some("ready") {
            return Err(format!("it said {ready}"));
        }
        Ok(Acceptor {
            pipe: Mutex::new(pipe),
            _dir: dir,
        })
    }

    /// Feeds one base64 token from the client connection `conn` (its `ip:port`) to that
    /// connection's context (a new one for a first leg).
    pub fn step(&self, conn: &str, token: &str) -> Step {
        let request = serde_json::json!({"op": "step", "conn": conn, "token": token});
        let answer = match self.ask(&request) {
            Ok(a) => a,
            Err(e) => return Step::Rejected(format!("the acceptor failed: {e}")),
        };
        let text = |k: &str| answer.get(k).and_then(|v| v.as_str()).map(String::from);
        match text("state").as_deref() {
            Some("continue") => Step::Continue(text("token").unwrap_or_default()),
            Some("complete") => Step::Complete {
                user: text("user").unwrap_or_default(),
                mech: text("mech").unwrap_or_default(),
                token: text("token"),
            },
            _ => Step::Rejected(text("error").unwrap_or_else(|| answer.to_string())),
        }
    }

    /// Drops the context of a connection (its handshake is abandoned).
    pub fn forget(&self, conn: &str) {
        let _ = self.ask(&serde_json::json!({"op": "forget", "conn": conn}));
    }

    fn ask(&self, request: &serde_json::Value) -> Result<serde_json::Value, String> {
        let mut pipe = lock(&self.pipe);
        let line = format!("{request}\n");
        pipe.stdin
            .write_all(line.as_bytes())
            .and_then(|()| pipe.stdin.flush())
            .map_err(|e| format!("write: {e}"))?;
        read_answer(&mut pipe)
    }
}

fn read_answer(pipe: &mut Pipe) -> Result<serde_json::Value, String> {
    let mut line = String::new();
    match pipe.stdout.read_line(&mut line) {
        Ok(0) => Err("the acceptor process exited".into()),
        Ok(_) => serde_json::from_str(&line).map_err(|e| format!("{e}: {line}")),
        Err(e) => Err(format!("read: {e}")),
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        let pipe = match self.pipe.get_mut() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        // EOF on stdin ends the script's loop; kill in case it is stuck in a library call.
        let _ = pipe.child.kill();
        let _ = pipe.child.wait();
    }
}
