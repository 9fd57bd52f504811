//! The browser process: started in a process group of its own with samlbridge's user-data-dir,
//! DevTools over a pipe (no port: nothing else on the machine can drive it), an environment that
//! holds none of samlbridge's secrets, and ended with its whole group on every way out — drop,
//! error, Ctrl-C, SIGTERM, and (on Linux) samlbridge itself dying.

use super::Launch;
use super::cdp::{Cdp, CdpError, Event};
use super::pipe::DevtoolsPipes;
use crate::idp::IdpError;
use serde_json::json;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tracing::debug;

/// How long Chromium may take to answer its first DevTools command.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the browser's stderr kept to explain a failed start.
const KEPT_LINES: usize = 6;

/// A running browser; dropping it kills the browser and every process it started.
pub struct BrowserProcess {
    child: Child,
    alive: Arc<AtomicBool>,
}

/// The DevTools connection to a started browser and the events it sends.
pub struct Devtools {
    pub cdp: Cdp,
    pub events: mpsc::UnboundedReceiver<Event>,
}

/// The command line: samlbridge's own profile directory, no first-run pages, no background
/// traffic, DevTools over the pipe on file descriptors 3 and 4. No flag that weakens certificate
/// checks: an IdP behind a private CA is trusted through the browser's own store (see `trust`).
pub fn arguments(launch: &Launch) -> Vec<String> {
    let mut args = vec![
        "--remote-debugging-pipe".to_string(),
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
    args.push("about:blank".into());
    args
}

/// The variables the browser needs to run, show a window, find fonts and reach a proxy; nothing
/// else of samlbridge's environment (SAMLBRIDGE_PASSWORD, AWS keys) reaches the browser.
const KEPT_VARIABLES: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_DATA_DIRS",
    "XDG_CONFIG_DIRS",
    "DBUS_SESSION_BUS_ADDRESS",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "SYSTEMROOT",
    "LOCALAPPDATA",
    "PROGRAMFILES",
];

/// The browser's environment, from samlbridge's (`vars`): the kept variables and the locale's,
/// with HOME replaced by `home` where the browser has a private one.
pub fn environment(
    vars: impl Iterator<Item = (OsString, OsString)>,
    home: Option<&std::path::Path>,
) -> Vec<(OsString, OsString)> {
    let mut kept: Vec<(OsString, OsString)> = vars
        .filter(|(name, _)| {
            let name = name.to_string_lossy();
            KEPT_VARIABLES.contains(&name.as_ref()) || name.starts_with("LC_")
        })
        .filter(|(name, _)| home.is_none() || name != "HOME")
        .collect();
    if let Some(home) = home {
        kept.push(("HOME".into(), home.as_os_str().to_owned()));
    }
    kept
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
    /// Starts the browser and waits for it to answer over DevTools; a browser that exits before it
    /// is ready is given one more try (a busy machine, a profile lock just released).
    pub async fn start(launch: &Launch) -> Result<(BrowserProcess, Devtools), IdpError> {
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

    async fn start_once(launch: &Launch) -> Result<(BrowserProcess, Devtools), StartError> {
        let pipes = DevtoolsPipes::new().map_err(|e| {
            StartError::Setup(IdpError::Setup(format!(
                "profile {}: cannot open the pipes to the browser: {e}",
                launch.profile
            )))
        })?;
        let mut cmd = Command::new(&launch.executable);
        cmd.args(arguments(launch))
            .env_clear()
            .envs(environment(std::env::vars_os(), launch.home.as_deref()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        own_group(&mut cmd);
        pipes.give_to(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| {
            StartError::Setup(IdpError::Setup(format!(
                "profile {}: could not start the browser {}: {e}; check saml_browser_path or \
                 SAMLBRIDGE_BROWSER",
                launch.profile,
                launch.executable.display()
            )))
        })?;
        let ends = pipes.into_parent_ends();
        let alive = Arc::new(AtomicBool::new(true));
        end_on_signals(child.id(), alive.clone());
        let said = Arc::new(Mutex::new(StderrLines::default()));
        if let Some(stderr) = child.stderr.take() {
            let said = said.clone();
            std::thread::spawn(move || read_stderr(stderr, &said));
        }
        let process = BrowserProcess { child, alive };
        let (cdp, events) = Cdp::start(ends.from_browser, ends.to_browser);
        let version = tokio::time::timeout(
            START_TIMEOUT,
            cdp.call(None, "Browser.getVersion", json!({})),
        )
        .await;
        match version {
            Ok(Ok(_)) => {
                debug!("the browser answers over its DevTools pipe");
                Ok((process, Devtools { cdp, events }))
            }
            Ok(Err(CdpError::Closed)) => Err(StartError::Exited(exited_saying(&said).await)),
            Ok(Err(e)) => Err(StartError::Setup(start_failed(launch, &e.to_string()))),
            Err(_) => Err(StartError::Setup(start_failed(
                launch,
                &format!("no DevTools answer after {} s", START_TIMEOUT.as_secs()),
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
    if said.contains("SingletonLock") || said.contains("profile appears to be in use") {
        return IdpError::Setup(format!(
            "profile {}: the browser profile {} is in use by another browser process (its \
             SingletonLock is held); end that browser, or remove the directory if no browser \
             runs, and try again",
            launch.profile,
            launch.profile_dir.display()
        ));
    }
    IdpError::Setup(format!(
        "profile {}: the browser {} did not start: {}; check that it runs on this machine \
         (`{} --version`), or set saml_browser_path or SAMLBRIDGE_BROWSER to another one",
        launch.profile,
        launch.executable.display(),
        crate::shown::outside(said),
        launch.executable.display()
    ))
}

/// The last lines the browser wrote on stderr, and whether it closed stderr (it exited).
#[derive(Default)]
struct StderrLines {
    kept: Vec<String>,
    ended: bool,
}

/// Reads the browser's stderr: the last lines are kept to explain a failed start; the rest is
/// drained so the browser never blocks on a full pipe.
fn read_stderr(stderr: std::process::ChildStderr, said: &Mutex<StderrLines>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if is_noise(&line) || line.trim().is_empty() {
            continue;
        }
        let mut said = said.lock().unwrap_or_else(|p| p.into_inner());
        said.kept.push(line);
        if said.kept.len() > KEPT_LINES {
            said.kept.remove(0);
        }
    }
    said.lock().unwrap_or_else(|p| p.into_inner()).ended = true;
}

/// What the browser said before it closed its pipe (waiting a moment for its last lines).
async fn exited_saying(said: &Mutex<StderrLines>) -> String {
    for _ in 0..20 {
        if said.lock().unwrap_or_else(|p| p.into_inner()).ended {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let said = said.lock().unwrap_or_else(|p| p.into_inner());
    let lines = said
        .kept
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" / ");
    if lines.is_empty() {
        "it exited without a word".to_string()
    } else {
        format!("it exited saying: {lines}")
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
