//! Install and uninstall against a scripted `systemctl`, in a temporary home.

use super::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::process::Command;

/// Answers `systemctl --user` from a script and records every call.
struct FakeSystemctl {
    calls: RefCell<Vec<String>>,
    answers: HashMap<&'static str, io::Result<SystemctlOutput>>,
    missing: bool,
}

impl FakeSystemctl {
    fn working() -> Self {
        FakeSystemctl {
            calls: RefCell::default(),
            answers: HashMap::new(),
            missing: false,
        }
    }

    fn without_manager() -> Self {
        let mut fake = Self::working();
        for verb in ["daemon-reload", "disable", "enable", "restart"] {
            fake.answers.insert(
                verb,
                answer(false, "Failed to connect to bus: No medium found"),
            );
        }
        fake
    }

    fn missing() -> Self {
        FakeSystemctl {
            missing: true,
            ..Self::working()
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

fn answer(success: bool, stderr: &str) -> io::Result<SystemctlOutput> {
    Ok(SystemctlOutput {
        success,
        stderr: stderr.into(),
    })
}

impl Systemctl for FakeSystemctl {
    fn run(&self, args: &[&str]) -> io::Result<SystemctlOutput> {
        if self.missing {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no systemctl"));
        }
        self.calls.borrow_mut().push(args.join(" "));
        match self.answers.get(args[0]) {
            Some(Ok(out)) => Ok(out.clone()),
            Some(Err(e)) => Err(io::Error::new(e.kind(), e.to_string())),
            None => answer(true, ""),
        }
    }
}

fn home() -> (tempfile::TempDir, ScheduleDirs) {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_str().unwrap().to_string();
    let dirs = ScheduleDirs::from_env(|k| (k == "HOME").then(|| home.clone())).unwrap();
    (tmp, dirs)
}

fn job(every: &str) -> RefreshJob {
    RefreshJob {
        exe: "/opt/sb/bin/samlbridge".into(),
        every: every.parse().unwrap(),
        env: vec![("AWS_CONFIG_FILE".into(), "/cfg/aws config".into())],
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn install_with_a_running_user_manager_writes_reloads_enables_and_restarts() {
    let (_tmp, dirs) = home();
    let systemctl = FakeSystemctl::working();
    let installed = install(&dirs, &job("15m"), &systemctl).unwrap();
    assert_eq!(installed.activation, Activation::Running);
    assert_eq!(
        systemctl.calls(),
        [
            "daemon-reload",
            "enable samlbridge-refresh.timer",
            "restart samlbridge-refresh.timer"
        ]
    );
    let service = read(&dirs.unit_dir.join(SERVICE_NAME));
    assert!(service.contains("ExecStart=/opt/sb/bin/samlbridge refresh --all --within 20m\n"));
    assert!(service.contains("Environment=\"AWS_CONFIG_FILE=/cfg/aws config\"\n"));
    assert!(read(&dirs.unit_dir.join(TIMER_NAME)).contains("OnUnitActiveSec=15min\n"));
    assert!(dirs.unit_dir.ends_with(".config/systemd/user"));
    assert!(installed.to_string().contains("enabled and running"));
}

#[test]
fn without_a_user_manager_the_timer_is_linked_to_start_at_next_login() {
    let (_tmp, dirs) = home();
    let systemctl = FakeSystemctl::without_manager();
    let installed = install(&dirs, &job("15m"), &systemctl).unwrap();
    assert_eq!(systemctl.calls(), ["daemon-reload"]);
    let link = dirs.unit_dir.join("timers.target.wants").join(TIMER_NAME);
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        dirs.unit_dir.join(TIMER_NAME)
    );
    let said = installed.to_string();
    assert!(said.contains("No medium found"), "{said}");
    assert!(said.contains("next login"), "{said}");
    assert!(
        said.contains("systemctl --user start samlbridge-refresh.timer"),
        "{said}"
    );
    assert!(said.contains(&dirs.unit_dir.join(SERVICE_NAME).display().to_string()));
}

#[test]
fn without_systemctl_the_files_are_written_and_the_error_says_what_to_run() {
    let (_tmp, dirs) = home();
    let err = install(&dirs, &job("15m"), &FakeSystemctl::missing()).unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Other);
    let said = err.to_string();
    assert!(
        said.contains("systemctl --user enable --now samlbridge-refresh.timer"),
        "{said}"
    );
    assert!(said.contains("--cron"), "{said}");
    assert!(dirs.unit_dir.join(SERVICE_NAME).exists());
}

#[test]
fn a_failing_enable_is_an_error_with_systemctls_words() {
    let (_tmp, dirs) = home();
    let mut systemctl = FakeSystemctl::working();
    systemctl
        .answers
        .insert("enable", answer(false, "Unit file is masked.\nsecond line"));
    let err = install(&dirs, &job("15m"), &systemctl).unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Other);
    assert_eq!(
        err.to_string(),
        "`systemctl --user enable samlbridge-refresh.timer` failed: Unit file is masked.; second line"
    );
}

#[test]
fn a_reinstall_replaces_the_interval() {
    let (_tmp, dirs) = home();
    install(&dirs, &job("15m"), &FakeSystemctl::working()).unwrap();
    install(&dirs, &job("1h"), &FakeSystemctl::working()).unwrap();
    let timer = read(&dirs.unit_dir.join(TIMER_NAME));
    assert!(
        timer.contains("OnUnitActiveSec=1h\n") && !timer.contains("15min"),
        "{timer}"
    );
    let leftovers = std::fs::read_dir(&dirs.unit_dir).unwrap().count();
    assert_eq!(leftovers, 2, "no temporary files left behind");
}

#[test]
fn uninstall_disables_and_removes_everything_it_wrote() {
    let (_tmp, dirs) = home();
    install(&dirs, &job("15m"), &FakeSystemctl::without_manager()).unwrap();
    let systemctl = FakeSystemctl::working();
    let removed = uninstall(&dirs, &systemctl).unwrap();
    assert_eq!(removed.len(), 3, "{removed:?}");
    assert_eq!(
        systemctl.calls(),
        ["disable --now samlbridge-refresh.timer", "daemon-reload"]
    );
    assert!(!dirs.unit_dir.join(TIMER_NAME).exists());
    assert!(!dirs.unit_dir.join(SERVICE_NAME).exists());
    let again = FakeSystemctl::working();
    assert!(uninstall(&dirs, &again).unwrap().is_empty());
    assert!(
        again.calls().is_empty(),
        "nothing installed: systemctl left alone"
    );
}

#[test]
fn uninstall_without_a_user_manager_still_removes_the_files() {
    let (_tmp, dirs) = home();
    install(&dirs, &job("15m"), &FakeSystemctl::working()).unwrap();
    let removed = uninstall(&dirs, &FakeSystemctl::without_manager()).unwrap();
    assert_eq!(removed.len(), 2);
    assert!(
        uninstall(&dirs, &FakeSystemctl::missing())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn xdg_dirs_are_honoured_when_absolute() {
    let env = |k: &str| match k {
        "HOME" => Some("/home/al".to_string()),
        "XDG_CONFIG_HOME" => Some("/cfg".to_string()),
        "XDG_STATE_HOME" => Some("relative/state".to_string()),
        _ => None,
    };
    let dirs = ScheduleDirs::from_env(env).unwrap();
    assert_eq!(dirs.unit_dir, Path::new("/cfg/systemd/user"));
    assert_eq!(
        dirs.cron_log,
        Path::new("/home/al/.local/state/samlbridge/refresh.log")
    );
    assert!(ScheduleDirs::from_env(|_| None).is_none());
}

#[test]
fn the_job_carries_file_locations_but_not_a_proxy_password() {
    let env = |k: &str| match k {
        "AWS_CONFIG_FILE" => Some("/c/config".to_string()),
        "HTTPS_PROXY" => Some("http://bob:s3cret@proxy:3128".to_string()),
        "NO_PROXY" => Some("localhost,.corp".to_string()),
        "SAMLBRIDGE_PASSWORD" => Some("hunter2".to_string()),
        _ => None,
    };
    let (job, warnings) = refresh_job(Path::new("/bin/samlbridge"), Every::DEFAULT, env).unwrap();
    let names: Vec<&str> = job.env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["AWS_CONFIG_FILE", "NO_PROXY"]);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].starts_with("HTTPS_PROXY") && !warnings[0].contains("s3cret"));
    let service = units::service_unit(&job).unwrap();
    assert!(!service.contains("s3cret") && !service.contains("hunter2"));
}

#[test]
fn a_relative_executable_path_is_refused() {
    let err = refresh_job(Path::new("target/samlbridge"), Every::DEFAULT, |_| None).unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Usage);
    assert!(err.to_string().contains("target/samlbridge"));
}

#[test]
fn the_cron_line_makes_its_log_directory() {
    let (_tmp, dirs) = home();
    let line = cron_line(&dirs, &job("30m")).unwrap();
    assert!(
        line.starts_with("*/30 * * * * AWS_CONFIG_FILE='/cfg/aws config' /opt/sb/bin/samlbridge")
    );
    assert!(line.ends_with(&format!(">>{} 2>&1", dirs.cron_log.display())));
    assert!(dirs.cron_log.parent().unwrap().is_dir());
    let err = cron_line(&dirs, &job("90m")).unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::Usage);
}

/// systemd's own parser reads the files `install` writes, for an executable whose path has a space,
/// `%` and `$` in it, and a variable with quotes. Skipped (said on stderr) without systemd-analyze.
#[test]
fn systemd_analyze_accepts_the_written_units() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd_analyze_accepts_the_written_units: skipped: no systemd-analyze");
        return;
    }
    let (tmp, dirs) = home();
    let bin = tmp.path().join("bin dir/50%$x");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("samlbridge");
    std::fs::write(&exe, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let env =
        |k: &str| (k == "AWS_CONFIG_FILE").then(|| r#"/home/a b/it's "aws"\conf"#.to_string());
    let (job, _) = refresh_job(&exe, "90m".parse().unwrap(), env).unwrap();
    install(&dirs, &job, &FakeSystemctl::working()).unwrap();
    let runtime = tmp.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--user"])
        .arg(dirs.unit_dir.join(SERVICE_NAME))
        .arg(dirs.unit_dir.join(TIMER_NAME))
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze: {said}"
    );
}
