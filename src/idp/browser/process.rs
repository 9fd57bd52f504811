//! The browser process: started in a process group of its own with samlbridge's user-data-dir and a
//! loopback-only DevTools port, and ended with its whole group on every way out — drop, error,
//! Ctrl-C, SIGTERM, and (on Linux) samlbridge itself dying.

use super::Launch;
use crate::idp::IdpError;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;
use tracing::debug;

/// How long Chromium may take to open its DevTools endpoint.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the browser's stderr kept to explain a failed start.
const KEPT_LINES: usize = 6;

/// A running browser; dropping it kills the browser and every process it started.
pub struct BrowserProcess {
    child: Child,
    alive: Arc<AtomicBool>,
    /// The DevTools WebSocket URL (loopback; it lives as long as the browser).
    pub ws_url: String,
}

/// The command line: samlbridge's own profile directory, no first-run pages, no background
/// traffic, the DevTools port chosen by the browser on 127.0.0.1.
pub fn arguments(launch: &Launch) -> Vec<String> {
    let mut args = vec![
        "--remote-debugging-port=0".to_string(),
        format!("--user-data-dir={}", launch.profile_dir.display()),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-default-apps".into(),
        "--disable-extensions".into(),
        "--disable-sync".into(),
        "--disable-breakpad".into(),
        "--disable-crash-reporter".into(),
        "--disable-features=Translate,MediaRouter,OptimizationHints".into(),
        "--metrics-recording-only".into(),
        "--password-store=basic".into(),
        "--use-mock-keychain".into(),
    ];
    if launch.headless {
        args.push("--headless=new".into());
        args.push("--window-size=1280,900".into());
    }
    if launch.no_sandbox {
        args.push("--no-sandbox".into());
    }
    if !launch.trusted_keys.is_empty() {
        // Honoured with a user-data-dir of its own only; the keys are leaves samlbridge checked.
        args.push(format!(
            "--ignore-certificate-errors-spki-list={}",
            launch.trusted_keys.join(",")
        ));
    }
    args.push("about:blank".into());
    args
}

/// Whether this process runs as root, where Chromium refuses to start with its sandbox.
pub fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

impl BrowserProcess {
    /// Starts the browser and waits for its DevTools endpoint; a browser that exits before it is
    /// ready is given one more try (a busy machine, a profile lock just released).
    pub async fn start(launch: &Launch) -> Result<BrowserProcess, IdpError> {
        match Self::start_once(launch).await {
            Err(StartError::Exited(said)) => {
                debug!("the browser exited before it was ready ({said}); starting it again");
                Self::start_once(launch)
                    .await
                    .map_err(|e| e.into_idp(launch))
            }
            other => other.map_err(|e| e.into_idp(launch)),
        }
    }

    async fn start_once(launch: &Launch) -> Result<BrowserProcess, StartError> {
        let mut cmd = Command::new(&launch.executable);
        cmd.args(arguments(launch))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        own_group(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| {
            StartError::Setup(IdpError::Setup(format!(
                "profile {}: could not start the browser {}: {e}; check saml_browser_path or \
                 SAMLBRIDGE_BROWSER",
                launch.profile,
                launch.executable.display()
            )))
        })?;
        let alive = Arc::new(AtomicBool::new(true));
        end_on_signals(child.id(), alive.clone());
        let (tx, rx) = oneshot::channel();
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || read_stderr(stderr, tx));
        }
        let mut process = BrowserProcess {
            child,
            alive,
            ws_url: String::new(),
        };
        match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(Ok(url))) => {
                debug!("the browser's DevTools endpoint is open on loopback");
                process.ws_url = url;
                Ok(process)
            }
            Ok(Ok(Err(said))) => Err(StartError::Exited(said)),
            Ok(Err(_)) => Err(StartError::Exited("it stopped before it was ready".into())),
            Err(_) => Err(StartError::Setup(start_failed(
                launch,
                &format!("no DevTools endpoint after {} s", START_TIMEOUT.as_secs()),
            ))),
        }
    }

    /// Whether the browser is still running (a person may close its window).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `grace` for the browser to exit by itself (after a CDP Browser.close), then
    /// kills what is left of its group.
    pub async fn finish(mut self, grace: Duration) {
        let started = std::time::Instant::now();
        while started.elapsed() < grace && !self.has_exited() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Drop kills the group and reaps the leader.
    }
}

/// Why a start failed: the browser exited first (worth one more try), or anything else.
enum StartError {
    Exited(String),
    Setup(IdpError),
}

impl StartError {
    fn into_idp(self, launch: &Launch) -> IdpError {
        match self {
            StartError::Exited(said) => start_failed(launch, &said),
            StartError::Setup(err) => err,
        }
    }
}

impl Drop for BrowserProcess {
    fn drop(&mut self) {
        self.alive.store(false, Ordering::SeqCst);
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_failed(launch: &Launch, said: &str) -> IdpError {
    IdpError::Setup(format!(
        "profile {}: the browser {} did not start: {}; check that it runs on this machine \
         (`{} --version`), or set saml_browser_path or SAMLBRIDGE_BROWSER to another one",
        launch.profile,
        launch.executable.display(),
        crate::shown::outside(said),
        launch.executable.display()
    ))
}

/// Reads the browser's stderr: the DevTools URL is sent once found (or the last lines when the
/// browser exits first); the rest is drained so the browser never blocks on a full pipe.
fn read_stderr(stderr: std::process::ChildStderr, tx: oneshot::Sender<Result<String, String>>) {
    let mut tx = Some(tx);
    let mut kept: Vec<String> = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Some(url) = devtools_url(&line) {
            if let Some(tx) = tx.take() {
                let _ = tx.send(Ok(url));
            }
            continue;
        }
        if tx.is_some() && !is_noise(&line) {
            kept.push(line);
            if kept.len() > KEPT_LINES {
                kept.remove(0);
            }
        }
    }
    if let Some(tx) = tx.take() {
        let said = kept
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ");
        let said = if said.is_empty() {
            "it exited without a word".to_string()
        } else {
            format!("it exited saying: {said}")
        };
        let _ = tx.send(Err(said));
    }
}

/// Lines every Chromium prints on a machine without a D-Bus session or a desktop, and Debian's
/// wrapper script's own complaint: never the reason it stopped.
fn is_noise(line: &str) -> bool {
    [
        "dbus",
        "D-Bus",
        "unexpected operator",
        "Fontconfig",
        "libva",
    ]
    .iter()
    .any(|n| line.contains(n))
}

/// The WebSocket URL from Chromium's "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"
/// line; only a loopback endpoint is accepted.
pub fn devtools_url(line: &str) -> Option<String> {
    let (_, url) = line.split_once("DevTools listening on ")?;
    let url = url.trim();
    let parsed = url::Url::parse(url).ok()?;
    let loopback = crate::idp::http::is_loopback(&parsed);
    (parsed.scheme() == "ws" && loopback && parsed.path().starts_with("/devtools/browser/"))
        .then(|| url.to_string())
}

/// The browser leads a process group of its own, so that one kill reaches every helper process;
/// on Linux it also dies with samlbridge, whatever kills samlbridge.
#[cfg(unix)]
fn own_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn own_group(_cmd: &mut Command) {}

#[cfg(unix)]
fn kill_group(leader: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(leader)
        && pgid > 1
    {
        // SAFETY: killpg only sends a signal; the group is the browser's own.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_leader: u32) {}

/// Ctrl-C and SIGTERM end the browser's group before samlbridge exits as the signal asks
/// (128 + its number). The listener stays for the rest of the run, so that the signals keep
/// ending samlbridge after the browser is closed.
fn end_on_signals(leader: u32, alive: Arc<AtomicBool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::spawn(async move {
            let code = tokio::select! {
                _ = int.recv() => 130,
                _ = term.recv() => 143,
            };
            if alive.load(Ordering::SeqCst) {
                kill_group(leader);
            }
            std::process::exit(code);
        });
    }
    #[cfg(not(unix))]
    {
        let _ = (leader, alive);
    }
}
