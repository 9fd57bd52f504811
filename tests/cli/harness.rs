//! Runs the built samlbridge the way a user's shell would, but sealed in a temp dir: HOME,
//! AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into it, the environment is otherwise
//! empty, stdin is not a terminal, and a run that hangs is killed and reported.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_samlbridge");
const RUN_TIMEOUT: Duration = Duration::from_secs(90);

/// A private HOME with the AWS files where the test wants them.
pub struct Sandbox {
    dir: tempfile::TempDir,
    pub home: PathBuf,
    /// AWS_CONFIG_FILE: outside ~/.aws, so samlbridge is the one that creates ~/.aws.
    pub config: PathBuf,
    /// AWS_SHARED_CREDENTIALS_FILE: ~/.aws/credentials.
    pub credentials: PathBuf,
    env: Vec<(String, String)>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = match tempfile::Builder::new().prefix("samlbridge-test").tempdir() {
            Ok(d) => d,
            Err(e) => panic!("cannot make a temp dir: {e}"),
        };
        let home = dir.path().join("home");
        mkdir(&home);
        Sandbox {
            config: dir.path().join("aws-config"),
            credentials: home.join(".aws").join("credentials"),
            home,
            dir,
            env: Vec::new(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_config(&self, text: &str) {
        write(&self.config, text);
    }

    /// A credentials file as the user already has it (~/.aws made 0700, the file 0600).
    pub fn seed_credentials(&self, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        let aws = self.home.join(".aws");
        mkdir(&aws);
        let _ = std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o700));
        write(&self.credentials, text);
        let _ = std::fs::set_permissions(&self.credentials, std::fs::Permissions::from_mode(0o600));
    }

    pub fn credentials_bytes(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.credentials).ok()
    }

    pub fn credentials_text(&self) -> String {
        match std::fs::read_to_string(&self.credentials) {
            Ok(t) => t,
            Err(e) => panic!("{}: {e}", self.credentials.display()),
        }
    }

    /// The credentials file parsed: section → key → value.
    pub fn credentials_ini(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        parse_ini(&self.credentials_text())
    }

    /// Names in ~/.aws but lock files (a persistent lock file is a fair design), to see that a run
    /// left no stray temp files.
    pub fn aws_dir_listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.home.join(".aws"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| !name.ends_with(".lock"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
    }

    pub fn remove_env(&mut self, name: &str) {
        self.env.retain(|(n, _)| n != name);
    }

    /// Runs samlbridge with stdin closed (not a terminal).
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with(args, None)
    }

    /// Runs samlbridge with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Outcome {
        self.run_with(args, Some(input))
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("AWS_CONFIG_FILE", &self.config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &self.credentials)
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_DEFAULT_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run_with(&self, args: &[&str], input: Option<&str>) -> Outcome {
        let cmd = self.command(BIN, args);
        run_command(cmd, input, &format!("samlbridge {}", args.join(" ")))
    }

    /// Runs samlbridge with stdout a pipe whose reader has already gone, as in
    /// `samlbridge … | head -c0`: every write to stdout fails with EPIPE.
    pub fn run_with_stdout_closed(&self, args: &[&str]) -> Outcome {
        let (reader, writer) = match std::io::pipe() {
            Ok(pair) => pair,
            Err(e) => panic!("cannot make a pipe: {e}"),
        };
        drop(reader);
        let mut cmd = self.command(BIN, args);
        cmd.stdout(writer);
        let what = format!("samlbridge {} | (reader gone)", args.join(" "));
        run_prepared(cmd, None, &what)
    }

    /// Runs samlbridge with both stdout and stderr going into a pipe nobody reads (`2>&1 | head -c0`);
    /// returns the exit code (101 is a panic).
    pub fn run_with_output_closed(&self, args: &[&str]) -> Option<i32> {
        let (reader, writer) = match std::io::pipe() {
            Ok(pair) => pair,
            Err(e) => panic!("cannot make a pipe: {e}"),
        };
        drop(reader);
        let both = match writer.try_clone() {
            Ok(w) => w,
            Err(e) => panic!("cannot clone a pipe: {e}"),
        };
        let mut cmd = self.command(BIN, args);
        cmd.stdin(Stdio::null()).stdout(writer).stderr(both);
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start samlbridge {}: {e}", args.join(" ")),
        };
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return status.code(),
                Ok(None) if started.elapsed() > RUN_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "samlbridge {} still running after {RUN_TIMEOUT:?}",
                        args.join(" ")
                    );
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("waiting for samlbridge: {e}"),
            }
        }
    }

    /// Starts samlbridge and leaves it running, all three streams discarded (to kill it mid-run).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = self.command(BIN, args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start samlbridge {}: {e}", args.join(" ")),
        }
    }

    /// Starts samlbridge and leaves it running, stdout and stderr piped for the test to read.
    pub fn spawn_piped(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = self.command(BIN, args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match cmd.spawn() {
            Ok(child) => child,
            Err(e) => panic!("cannot start samlbridge {}: {e}", args.join(" ")),
        }
    }

    /// Runs another program (the AWS CLI) in the same sealed environment.
    pub fn run_program(&self, program: &str, args: &[&str]) -> Outcome {
        let cmd = self.command(program, args);
        run_command(cmd, None, &format!("{program} {}", args.join(" ")))
    }
}

/// What a run left: exit code and both streams.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub what: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Fails the test with both streams shown unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Outcome {
        if self.code != Some(code) {
            panic!(
                "`{}` exited {:?}, expected {code}\n{}",
                self.what,
                self.code,
                self.dump()
            );
        }
        self
    }

    #[track_caller]
    pub fn expect_stderr_contains(&self, needle: &str) -> &Outcome {
        if !self.stderr.contains(needle) {
            panic!("`{}`: stderr lacks {needle:?}\n{}", self.what, self.dump());
        }
        self
    }

    pub fn dump(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }

    /// stdout and stderr together (where no secret may appear).
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn run_command(mut cmd: Command, input: Option<&str>, what: &str) -> Outcome {
    cmd.stdout(Stdio::piped());
    run_prepared(cmd, input, what)
}

/// Runs `cmd` with its stdout as already set (piped: captured).
fn run_prepared(mut cmd: Command, input: Option<&str>, what: &str) -> Outcome {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot start `{what}`: {e}"),
    };
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let _ = stdin.write_all(text.as_bytes());
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > RUN_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`{what}` still running after {RUN_TIMEOUT:?}; killed\n--- stderr ---\n{}",
                    err.join().unwrap_or_default()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("waiting for `{what}`: {e}"),
        }
    };
    Outcome {
        what: what.into(),
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let mut bytes = Vec::new();
            let _ = p.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

pub fn mkdir(path: &Path) {
    if let Err(e) = std::fs::create_dir_all(path) {
        panic!("{}: {e}", path.display());
    }
}

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        mkdir(parent);
    }
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o777,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// A plain INI reader for assertions: `[section]`, `key = value`, `#`/`;` comments.
pub fn parse_ini(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            out.entry(section.clone()).or_default();
        } else if let Some((k, v)) = line.split_once('=') {
            out.entry(section.clone())
                .or_default()
                .insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

/// The lines of an INI text that belong to `section`'s `key` lines.
pub fn is_key_line(line: &str, keys: &[&str]) -> bool {
    line.split_once('=')
        .is_some_and(|(k, _)| keys.contains(&k.trim()))
}

/// A secret and the pieces of it that would still give it away.
pub fn telltales(secret: &str) -> Vec<String> {
    let mut pieces = vec![secret.to_string()];
    if secret.len() >= 48 {
        let mid = secret.len() / 2;
        pieces.push(secret[mid - 12..mid + 12].to_string());
    }
    pieces
}
