//! The texts a scheduled refresh is made of: the systemd user service and timer, and the crontab line.
//! Pure functions, so every byte a user's scheduler will read is checked by a unit test.

use super::every::Every;
use std::path::Path;

pub const SERVICE_NAME: &str = "samlbridge-refresh.service";
pub const TIMER_NAME: &str = "samlbridge-refresh.timer";

/// What the scheduler runs: this executable's `refresh --all`, with the environment it needs to find
/// the same files as the user's shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshJob {
    /// Absolute path of the samlbridge executable.
    pub exe: String,
    pub every: Every,
    /// Variables copied from the installing shell (file locations, proxies without credentials).
    pub env: Vec<(String, String)>,
}

impl RefreshJob {
    fn args(&self) -> String {
        format!("refresh --all --within {}", self.every.refresh_window())
    }
}

/// `samlbridge-refresh.service`: one run of `refresh --all`; its stderr (a line per profile) goes to
/// the journal.
pub fn service_unit(job: &RefreshJob) -> Result<String, String> {
    if job.exe.contains(['"', '\'', '\\']) {
        return Err(format!(
            "{}: systemd cannot run a program whose path holds a quote or a backslash; move \
             samlbridge to another directory, or use --cron",
            job.exe
        ));
    }
    let exe = systemd_word(&job.exe)?;
    let mut env = String::new();
    for (key, value) in &job.env {
        let assignment = systemd_word(&format!("{key}={value}"))?;
        env.push_str(&format!("Environment={assignment}\n"));
    }
    Ok(format!(
        "# Written by `samlbridge refresh --install`; remove with `samlbridge refresh --uninstall`.\n\
         [Unit]\n\
         Description=samlbridge: renew AWS credentials from SAML before they expire\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={exe} {args}\n\
         {env}",
        args = job.args(),
    ))
}

/// `samlbridge-refresh.timer`. Monotonic timers only, so `Persistent=` (which acts on OnCalendar=
/// alone) has no place here. OnStartupSec= counts from the start of the user's service manager, i.e.
/// the first login, and elapses at once when already past, so the first run comes soon after install
/// or login; OnUnitActiveSec= then repeats it.
pub fn timer_unit(every: Every) -> String {
    format!(
        "# Written by `samlbridge refresh --install`; remove with `samlbridge refresh --uninstall`.\n\
         [Unit]\n\
         Description=samlbridge: renew AWS credentials every {span}\n\
         \n\
         [Timer]\n\
         OnStartupSec=2min\n\
         OnUnitActiveSec={span}\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        span = every.systemd_span(),
    )
}

/// One crontab line running the same refresh, its output appended to `log`.
pub fn crontab_line(job: &RefreshJob, log: &Path) -> Result<String, String> {
    let fields = job.every.cron_fields()?;
    let log = log
        .to_str()
        .ok_or_else(|| format!("{}: the log path is not UTF-8", log.display()))?;
    let mut command = String::new();
    for (key, value) in &job.env {
        command.push_str(&format!("{key}={} ", shell_word(value)?));
    }
    command.push_str(&format!(
        "{} {} >>{} 2>&1",
        shell_word(&job.exe)?,
        job.args(),
        shell_word(log)?
    ));
    // Cron turns an unescaped % into a newline.
    Ok(format!("{fields} {}", command.replace('%', "\\%")))
}

/// One word of a systemd command line or assignment (systemd.service(5), "Command lines"): `%`
/// specifiers escaped, double-quoted with C escapes when it holds a space, quote or backslash. A `$`
/// stays as it is: systemd expands variables only in the arguments after the executable (ours have
/// none) and never in Environment=; systemd-analyze rejects `$$` in an executable's name.
fn systemd_word(word: &str) -> Result<String, String> {
    reject_control_chars(word)?;
    let escaped = word.replace('%', "%%");
    let plain = !escaped.contains(|c: char| c.is_whitespace() || "\"'\\;".contains(c));
    if plain {
        return Ok(escaped);
    }
    Ok(format!(
        "\"{}\"",
        escaped.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// One word for /bin/sh: as is when it has only safe characters, else single-quoted.
fn shell_word(word: &str) -> Result<String, String> {
    reject_control_chars(word)?;
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@+,-".contains(c));
    if safe {
        return Ok(word.to_string());
    }
    Ok(format!("'{}'", word.replace('\'', "'\\''")))
}

fn reject_control_chars(word: &str) -> Result<(), String> {
    match word.chars().any(char::is_control) {
        true => Err(format!(
            "'{}' holds a control character (a newline?); a scheduler cannot run it",
            word.escape_debug()
        )),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(exe: &str) -> RefreshJob {
        RefreshJob {
            exe: exe.into(),
            every: "15m".parse().unwrap(),
            env: vec![],
        }
    }

    #[test]
    fn the_service_is_a_oneshot_running_refresh_all() {
        let text = service_unit(&job("/home/al/.cargo/bin/samlbridge")).unwrap();
        assert!(text.contains("\n[Service]\nType=oneshot\n"), "{text}");
        assert!(
            text.contains(
                "\nExecStart=/home/al/.cargo/bin/samlbridge refresh --all --within 20m\n"
            ),
            "{text}"
        );
        assert!(!text.contains("Environment="));
    }

    #[test]
    fn a_path_with_spaces_and_specials_is_quoted_the_systemd_way() {
        let text = service_unit(&job("/home/a b/50%$/samlbridge")).unwrap();
        let expected = r#"ExecStart="/home/a b/50%%$/samlbridge" refresh"#;
        assert!(text.contains(expected), "{text}");
    }

    #[test]
    fn a_path_systemd_cannot_run_is_refused_naming_it() {
        for exe in [
            r"/opt/back\slash/samlbridge",
            "/opt/it's/samlbridge",
            "/opt/\"q\"/sb",
        ] {
            let err = service_unit(&job(exe)).unwrap_err();
            assert!(err.starts_with(exe) && err.contains("--cron"), "{err}");
        }
    }

    #[test]
    fn carried_variables_become_environment_lines() {
        let mut j = job("/usr/bin/samlbridge");
        j.env = vec![
            ("AWS_CONFIG_FILE".into(), "/home/al/aws conf/config".into()),
            ("XDG_CONFIG_HOME".into(), r#"/it's "q"\x"#.into()),
            ("HTTPS_PROXY".into(), "http://proxy:3128".into()),
            ("XDG_STATE_HOME".into(), "/s/$HOME%".into()),
        ];
        let text = service_unit(&j).unwrap();
        assert!(text.contains("\nEnvironment=\"AWS_CONFIG_FILE=/home/al/aws conf/config\"\n"));
        let quoted = r#"Environment="XDG_CONFIG_HOME=/it's \"q\"\\x""#;
        assert!(text.contains(&format!("\n{quoted}\n")), "{text}");
        assert!(text.contains("\nEnvironment=HTTPS_PROXY=http://proxy:3128\n"));
        assert!(
            text.contains("\nEnvironment=XDG_STATE_HOME=/s/$HOME%%\n"),
            "{text}"
        );
    }

    #[test]
    fn a_newline_in_the_path_is_refused() {
        let err = service_unit(&job("/tmp/a\nb/samlbridge")).unwrap_err();
        assert!(err.contains("a\\nb"), "{err}");
        assert!(crontab_line(&job("/tmp/a\nb"), Path::new("/l")).is_err());
    }

    #[test]
    fn the_timer_repeats_from_login_and_is_wanted_by_timers_target() {
        let text = timer_unit("2h".parse().unwrap());
        assert!(text.contains("\n[Timer]\nOnStartupSec=2min\nOnUnitActiveSec=2h\n"));
        assert!(text.contains("\n[Install]\nWantedBy=timers.target\n"));
        assert!(
            !text.contains("Persistent="),
            "Persistent= only acts on OnCalendar="
        );
    }

    #[test]
    fn the_crontab_line() {
        let line = crontab_line(
            &job("/usr/local/bin/samlbridge"),
            Path::new("/home/al/.local/state/samlbridge/refresh.log"),
        )
        .unwrap();
        assert_eq!(
            line,
            "*/15 * * * * /usr/local/bin/samlbridge refresh --all --within 20m \
             >>/home/al/.local/state/samlbridge/refresh.log 2>&1"
        );
    }

    #[test]
    fn the_crontab_line_quotes_for_the_shell_and_escapes_percent_for_cron() {
        let mut j = job("/home/a b/it's/samlbridge");
        j.env = vec![("AWS_CONFIG_FILE".into(), "/c/50%".into())];
        let line = crontab_line(&j, Path::new("/l/refresh.log")).unwrap();
        assert_eq!(
            line,
            "*/15 * * * * AWS_CONFIG_FILE='/c/50\\%' '/home/a b/it'\\''s/samlbridge' refresh --all \
             --within 20m >>/l/refresh.log 2>&1"
        );
    }

    #[test]
    fn an_interval_cron_cannot_express_is_an_error() {
        let mut j = job("/bin/samlbridge");
        j.every = "90m".parse().unwrap();
        assert!(
            crontab_line(&j, Path::new("/l"))
                .unwrap_err()
                .contains("90m")
        );
    }
}
