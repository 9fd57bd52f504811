//! Whether the scheduled refresh is installed and how its last run went, for `samlbridge doctor`:
//! the unit files on disk, then `systemctl --user show` for the timer's state and the service's last
//! exit (when a user manager answers).

use super::{ScheduleDirs, Systemctl};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What is known of the timer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimerStatus {
    /// The unit files that exist (the service and the timer).
    pub files: Vec<PathBuf>,
    /// The timer's ActiveState (`active`, `inactive`, …), when systemd answered.
    pub active: Option<String>,
    /// When the service last ended, as systemd prints it.
    pub last_run: Option<String>,
    /// The service's last exit status.
    pub last_exit: Option<i32>,
    /// Why systemd could not be asked, when it could not.
    pub unknown: Option<String>,
}

impl TimerStatus {
    pub fn installed(&self) -> bool {
        !self.files.is_empty()
    }
}

pub fn status(dirs: &ScheduleDirs, systemctl: &dyn Systemctl) -> TimerStatus {
    let files: Vec<PathBuf> = [dirs.service_file(), dirs.timer_file()]
        .into_iter()
        .filter(|f| f.exists())
        .collect();
    let mut status = TimerStatus {
        files,
        ..TimerStatus::default()
    };
    if !status.installed() {
        return status;
    }
    let timer = systemctl.show(super::TIMER_NAME, "ActiveState");
    let service = systemctl.show(super::SERVICE_NAME, "ExecMainStatus,ExecMainExitTimestamp");
    match (timer, service) {
        (Ok(timer), Ok(service)) => {
            let timer = properties(&timer);
            let service = properties(&service);
            status.active = timer.get("ActiveState").cloned();
            status.last_run = service.get("ExecMainExitTimestamp").cloned();
            // Before any run, systemd says ExecMainStatus=0 with no exit timestamp.
            if status.last_run.is_some() {
                status.last_exit = service.get("ExecMainStatus").and_then(|s| s.parse().ok());
            }
        }
        (Err(e), _) | (_, Err(e)) => status.unknown = Some(e.to_string()),
    }
    status
}

/// `systemctl show`'s `Key=value` lines; empty values count as absent.
fn properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::schedule::SystemctlOutput;
    use std::io;

    struct Shown {
        timer: &'static str,
        service: &'static str,
    }

    impl Systemctl for Shown {
        fn run(&self, _args: &[&str]) -> io::Result<SystemctlOutput> {
            Err(io::Error::other("not used"))
        }
        fn show(&self, unit: &str, _properties: &str) -> io::Result<String> {
            Ok(if unit.ends_with(".timer") {
                self.timer
            } else {
                self.service
            }
            .to_string())
        }
    }

    fn dirs(with_units: bool) -> (tempfile::TempDir, ScheduleDirs) {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = ScheduleDirs {
            unit_dir: tmp.path().join("systemd/user"),
            cron_log: tmp.path().join("refresh.log"),
        };
        if with_units {
            std::fs::create_dir_all(&dirs.unit_dir).unwrap();
            std::fs::write(dirs.service_file(), "[Service]\n").unwrap();
            std::fs::write(dirs.timer_file(), "[Timer]\n").unwrap();
        }
        (tmp, dirs)
    }

    #[test]
    fn not_installed_asks_nobody() {
        let (_tmp, dirs) = dirs(false);
        let asked = Shown {
            timer: "ActiveState=active\n",
            service: "",
        };
        assert_eq!(status(&dirs, &asked), TimerStatus::default());
    }

    #[test]
    fn last_run_and_exit_code_come_from_systemd() {
        let (_tmp, dirs) = dirs(true);
        let shown = Shown {
            timer: "ActiveState=active\n",
            service: "ExecMainStatus=3\nExecMainExitTimestamp=Thu 2026-11-26 17:00:01 UTC\n",
        };
        let got = status(&dirs, &shown);
        assert_eq!(got.files.len(), 2);
        assert_eq!(got.active.as_deref(), Some("active"));
        assert_eq!(got.last_exit, Some(3));
        assert_eq!(got.last_run.as_deref(), Some("Thu 2026-11-26 17:00:01 UTC"));
    }

    #[test]
    fn never_run_has_no_exit_code_and_a_silent_systemd_is_said() {
        let (_tmp, dirs) = dirs(true);
        let never = Shown {
            timer: "ActiveState=inactive\n",
            service: "ExecMainStatus=0\nExecMainExitTimestamp=\n",
        };
        let got = status(&dirs, &never);
        assert_eq!((got.last_run, got.last_exit), (None, None));
        struct Silent;
        impl Systemctl for Silent {
            fn run(&self, _args: &[&str]) -> io::Result<SystemctlOutput> {
                Err(io::Error::other("x"))
            }
        }
        let got = status(&dirs, &Silent);
        assert!(got.installed());
        assert!(got.unknown.is_some());
    }
}
