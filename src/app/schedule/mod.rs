//! `samlbridge refresh --install | --uninstall | --install --cron`: keep credentials fresh without a
//! person, by a systemd user timer (or a crontab line) that runs `refresh --all`.
//!
//! The unit texts are rendered by pure functions (units.rs); this file writes them and drives
//! `systemctl --user` through the `Systemctl` trait, so tests need no real systemd.

pub mod every;
pub mod status;
mod systemctl;
pub mod units;

pub use every::Every;
#[cfg(test)]
pub use systemctl::SystemctlOutput;
pub use systemctl::{Systemctl, UserSystemctl};
pub use units::{RefreshJob, SERVICE_NAME, TIMER_NAME};

use crate::exit::ExitKind;
use crate::state::private_file::{self, DirPolicy, DiskError};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where the scheduler files go, from HOME, XDG_CONFIG_HOME and XDG_STATE_HOME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleDirs {
    /// `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`.
    pub unit_dir: PathBuf,
    /// `$XDG_STATE_HOME/samlbridge/refresh.log`, else `~/.local/state/samlbridge/refresh.log`.
    pub cron_log: PathBuf,
}

impl ScheduleDirs {
    /// None when HOME is not set. Relative XDG values are ignored, as the XDG spec says.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<ScheduleDirs> {
        let home = PathBuf::from(var("HOME").filter(|h| !h.is_empty())?);
        let xdg = |name: &str, fallback: &[&str]| {
            var(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| fallback.iter().fold(home.clone(), |p, part| p.join(part)))
        };
        Some(ScheduleDirs {
            unit_dir: xdg("XDG_CONFIG_HOME", &[".config"]).join("systemd/user"),
            cron_log: xdg("XDG_STATE_HOME", &[".local", "state"]).join("samlbridge/refresh.log"),
        })
    }

    fn service_file(&self) -> PathBuf {
        self.unit_dir.join(SERVICE_NAME)
    }

    fn timer_file(&self) -> PathBuf {
        self.unit_dir.join(TIMER_NAME)
    }

    /// The link `systemctl --user enable` makes; made by hand when the user manager is not running.
    fn wants_link(&self) -> PathBuf {
        self.unit_dir.join("timers.target.wants").join(TIMER_NAME)
    }
}

/// Variables a scheduled run needs to see the same files and network as the installing shell. The
/// timer's environment is the service manager's, not the shell's.
const CARRIED_VARS: &[&str] = &[
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "SAMLBRIDGE_CA_BUNDLE",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The refresh job for this executable. Returns warnings for variables not carried over (a proxy URL
/// with a password in it must not land in a unit file or crontab).
pub fn refresh_job(
    exe: &Path,
    every: Every,
    var: impl Fn(&str) -> Option<String>,
) -> Result<(RefreshJob, Vec<String>), ScheduleError> {
    let exe = exe.to_str().filter(|_| exe.is_absolute()).ok_or_else(|| {
        ScheduleError::Usage(format!(
            "{}: the samlbridge executable needs an absolute UTF-8 path to be scheduled",
            exe.display()
        ))
    })?;
    let mut env = Vec::new();
    let mut warnings = Vec::new();
    for name in CARRIED_VARS {
        match var(name).filter(|v| !v.is_empty()) {
            Some(value) if name.ends_with("proxy") || name.ends_with("PROXY") => {
                if url_has_credentials(&value) {
                    warnings.push(format!(
                        "{name} holds a user name or password, so it was not copied into the \
                         schedule; give the scheduled job its proxy another way"
                    ));
                } else {
                    env.push((name.to_string(), value));
                }
            }
            Some(value) => env.push((name.to_string(), value)),
            None => {}
        }
    }
    let job = RefreshJob {
        exe: exe.to_string(),
        every,
        env,
    };
    Ok((job, warnings))
}

fn url_has_credentials(value: &str) -> bool {
    let after_scheme = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    authority.contains('@')
}

/// What `install` left running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// The timer is enabled and running now.
    Running,
    /// No user service manager could be reached (an SSH session, a container): the timer is enabled
    /// by its link and starts at the next login.
    AtNextLogin { why: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub files: Vec<PathBuf>,
    pub every: Every,
    pub activation: Activation,
}

/// The person-facing summary (stderr).
impl fmt::Display for Installed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "wrote {}", join_paths(&self.files))?;
        match &self.activation {
            Activation::Running => write!(
                f,
                "{TIMER_NAME} is enabled and running: `samlbridge refresh --all` every {}; \
                 see `systemctl --user list-timers` and `journalctl --user -u {SERVICE_NAME}`",
                self.every.systemd_span()
            ),
            Activation::AtNextLogin { why } => write!(
                f,
                "the systemd user manager is not reachable ({why}); {TIMER_NAME} is enabled and \
                 will start at your next login. To start it now from a login session: \
                 systemctl --user daemon-reload && systemctl --user start {TIMER_NAME}. To run it \
                 while you are logged out: loginctl enable-linger"
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0}")]
    Usage(String),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "systemctl was not found, so the timer is not enabled (wrote {}); on a systemd system run \
         `systemctl --user daemon-reload && systemctl --user enable --now {TIMER_NAME}`, \
         elsewhere use `samlbridge refresh --install --cron`",
        join_paths(files)
    )]
    SystemctlMissing { files: Vec<PathBuf> },
    #[error("`systemctl --user {command}` failed: {}", crate::shown::outside(.stderr))]
    SystemctlFailed { command: String, stderr: String },
}

impl ScheduleError {
    pub fn exit_kind(&self) -> ExitKind {
        match self {
            ScheduleError::Usage(_) => ExitKind::Usage,
            _ => ExitKind::Other,
        }
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(" and ")
}

/// Writes the service and timer, reloads the user manager, enables and (re)starts the timer.
pub fn install(
    dirs: &ScheduleDirs,
    job: &RefreshJob,
    systemctl: &dyn Systemctl,
) -> Result<Installed, ScheduleError> {
    let service = units::service_unit(job).map_err(ScheduleError::Usage)?;
    let timer = units::timer_unit(job.every);
    // The user's folder, left as it is when it exists; systemd never reads half a unit file.
    private_file::ensure_dir(&dirs.unit_dir, DirPolicy::Users)?;
    private_file::replace(&dirs.service_file(), service.as_bytes())?;
    private_file::replace(&dirs.timer_file(), timer.as_bytes())?;
    let files = vec![dirs.service_file(), dirs.timer_file()];
    let activation = match systemctl::reach(systemctl)? {
        systemctl::Reach::Missing => return Err(ScheduleError::SystemctlMissing { files }),
        systemctl::Reach::NoManager(why) => {
            link_wants(dirs)?;
            Activation::AtNextLogin { why }
        }
        systemctl::Reach::Reloaded => {
            systemctl::must(systemctl, &["enable", TIMER_NAME])?;
            // restart, not start: a re-install with a new --every must re-arm a running timer.
            systemctl::must(systemctl, &["restart", TIMER_NAME])?;
            Activation::Running
        }
    };
    Ok(Installed {
        files,
        every: job.every,
        activation,
    })
}

/// Stops and disables the timer, removes the files. Returns the paths removed (empty: nothing was
/// installed).
pub fn uninstall(
    dirs: &ScheduleDirs,
    systemctl: &dyn Systemctl,
) -> Result<Vec<PathBuf>, ScheduleError> {
    let ours = [dirs.wants_link(), dirs.timer_file(), dirs.service_file()];
    if !ours.iter().any(|p| p.symlink_metadata().is_ok()) {
        return Ok(Vec::new());
    }
    match systemctl.run(&["disable", "--now", TIMER_NAME]) {
        Ok(out) if out.success || systemctl::no_manager(&out.stderr).is_some() => {}
        Ok(out) => return Err(systemctl::failed(&["disable", "--now", TIMER_NAME], &out)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(systemctl::failed_to_run(&["disable"], e)),
    }
    let mut removed = Vec::new();
    for path in ours {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(ScheduleError::Io { path, source }),
        }
    }
    // Best effort: forget the removed units now rather than at the next login.
    let _ = systemctl.run(&["daemon-reload"]);
    Ok(removed)
}

/// The crontab line (for stdout), after making sure its log directory exists.
pub fn cron_line(dirs: &ScheduleDirs, job: &RefreshJob) -> Result<String, ScheduleError> {
    let line = units::crontab_line(job, &dirs.cron_log).map_err(ScheduleError::Usage)?;
    // The log goes in samlbridge's state directory (by default), which is kept 0700.
    if let Some(dir) = dirs.cron_log.parent() {
        private_file::ensure_dir(dir, DirPolicy::Own)?;
    }
    Ok(line)
}

impl From<DiskError> for ScheduleError {
    fn from(e: DiskError) -> ScheduleError {
        ScheduleError::Io {
            path: e.path,
            source: io::Error::other(e.reason),
        }
    }
}

#[cfg(unix)]
fn link_wants(dirs: &ScheduleDirs) -> Result<(), ScheduleError> {
    let link = dirs.wants_link();
    if let Some(dir) = link.parent() {
        private_file::ensure_dir(dir, DirPolicy::Users)?;
    }
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(dirs.timer_file(), &link)
        .map_err(|source| ScheduleError::Io { path: link, source })
}

#[cfg(not(unix))]
fn link_wants(_dirs: &ScheduleDirs) -> Result<(), ScheduleError> {
    Err(ScheduleError::Usage(
        "systemd timers exist only on Linux; use `samlbridge refresh --install --cron`".into(),
    ))
}

#[cfg(test)]
mod tests;
