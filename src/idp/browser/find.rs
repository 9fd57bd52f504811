//! Finding the browser to drive: the one the user named (`saml_browser_path`, SAMLBRIDGE_BROWSER),
//! else Chromium, Chrome, Edge or Brave where they are usually installed. samlbridge never downloads
//! one, and a named browser that is missing is an error, never a reason to take another.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// What the search looks at, so that tests can give it a made-up machine.
pub trait Machine {
    fn var(&self, name: &str) -> Option<OsString>;
    fn is_executable(&self, path: &Path) -> bool;
}

/// The real machine.
pub struct ThisMachine;

impl Machine for ThisMachine {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name).filter(|v| !v.is_empty())
    }

    fn is_executable(&self, path: &Path) -> bool {
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            meta.is_file() && meta.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        {
            meta.is_file()
        }
    }
}

/// Program names looked up in PATH, in order of preference.
const PATH_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "microsoft-edge-stable",
    "brave-browser",
    "brave",
];

/// Where the browsers install themselves outside PATH.
#[cfg(all(unix, not(target_os = "macos")))]
const FIXED_PLACES: &[&str] = &[
    "/opt/google/chrome/chrome",
    "/opt/microsoft/msedge/msedge",
    "/opt/brave.com/brave/brave",
];
#[cfg(target_os = "macos")]
const FIXED_PLACES: &[&str] = &[
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
];
#[cfg(windows)]
const FIXED_PLACES: &[&str] = &[];

/// Windows installs under one of these directories (the variable's value), then the suffix.
const WINDOWS_ROOTS: &[&str] = &["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"];
const WINDOWS_SUFFIXES: &[&str] = &[
    r"Chromium\Application\chrome.exe",
    r"Google\Chrome\Application\chrome.exe",
    r"Microsoft\Edge\Application\msedge.exe",
    r"BraveSoftware\Brave-Browser\Application\brave.exe",
];

/// Why no browser could be used; the message says what to install or set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// The named browser (from `source`) is not an executable file.
    Named { value: String, source: &'static str },
    /// Nothing in the usual places.
    Nowhere,
}

impl NotFound {
    pub fn message(&self, profile: &str) -> String {
        match self {
            NotFound::Named { value, source } => format!(
                "profile {profile}: the browser {source} names, '{}', is not an executable file; \
                 set {source} to the path of Chromium, Chrome, Edge or Brave (samlbridge does not \
                 fall back to another browser)",
                crate::shown::outside(value)
            ),
            NotFound::Nowhere => format!(
                "profile {profile} signs in through a browser, and none was found (looked for \
                 Chromium, Chrome, Edge and Brave in PATH and their usual places); install one \
                 (Debian/Ubuntu: apt-get install chromium), or set saml_browser_path or \
                 SAMLBRIDGE_BROWSER to its path"
            ),
        }
    }
}

/// The browser to launch: `configured` (saml_browser_path) first, else SAMLBRIDGE_BROWSER, else the
/// first browser found in the usual places.
pub fn find(machine: &dyn Machine, configured: Option<&Path>) -> Result<PathBuf, NotFound> {
    let named = match configured {
        Some(path) => Some((path.as_os_str().to_os_string(), "saml_browser_path")),
        None => machine
            .var("SAMLBRIDGE_BROWSER")
            .map(|v| (v, "SAMLBRIDGE_BROWSER")),
    };
    if let Some((value, source)) = named {
        return named_browser(machine, &value).ok_or_else(|| NotFound::Named {
            value: value.to_string_lossy().into_owned(),
            source,
        });
    }
    usual_places(machine).ok_or(NotFound::Nowhere)
}

/// A path is taken as it is; a bare name is looked up in PATH.
fn named_browser(machine: &dyn Machine, value: &OsString) -> Option<PathBuf> {
    let path = Path::new(value);
    if path.components().count() > 1 || path.is_absolute() {
        return machine.is_executable(path).then(|| path.to_path_buf());
    }
    in_path(machine, &value.to_string_lossy())
}

fn usual_places(machine: &dyn Machine) -> Option<PathBuf> {
    if let Some(found) = PATH_NAMES.iter().find_map(|name| in_path(machine, name)) {
        return Some(found);
    }
    let fixed = FIXED_PLACES.iter().map(PathBuf::from);
    let windows = WINDOWS_ROOTS
        .iter()
        .filter_map(|root| machine.var(root))
        .flat_map(|root| {
            WINDOWS_SUFFIXES
                .iter()
                .map(move |suffix| Path::new(&root).join(suffix))
        });
    let windows: Vec<PathBuf> = if cfg!(windows) {
        windows.collect()
    } else {
        Vec::new()
    };
    fixed
        .chain(windows)
        .find(|path| machine.is_executable(path))
}

/// `name` in PATH's directories. An empty, `.` or other relative entry names the caller's current
/// directory, which a `credential_process` run from a cloned repository does not choose: skipped,
/// so a `chromium` planted there is never run (issue 18 §5).
pub fn in_path(machine: &dyn Machine, name: &str) -> Option<PathBuf> {
    let path_var = machine.var("PATH")?;
    std::env::split_paths(&path_var)
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| {
            let plain = dir.join(name);
            let exe = dir.join(format!("{name}.exe"));
            [plain, exe]
        })
        .find(|candidate| machine.is_executable(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine with only a PATH, and a `chromium` in every directory of `planted`.
    struct Planted {
        path: &'static str,
        planted: &'static [&'static str],
    }

    impl Machine for Planted {
        fn var(&self, name: &str) -> Option<OsString> {
            (name == "PATH").then(|| self.path.into())
        }
        fn is_executable(&self, path: &Path) -> bool {
            self.planted
                .iter()
                .any(|dir| path == Path::new(dir).join("chromium"))
        }
    }

    #[test]
    fn relative_path_entries_are_not_searched() {
        // Empty entries and `.` mean the current directory; so does any relative one.
        let cwd_only = Planted {
            path: ":.:bin:./tools:/usr/bin",
            planted: &["", ".", "bin", "./tools"],
        };
        assert_eq!(in_path(&cwd_only, "chromium"), None);
        let also_usr = Planted {
            path: ".:/usr/bin",
            planted: &[".", "/usr/bin"],
        };
        assert_eq!(
            in_path(&also_usr, "chromium"),
            Some(PathBuf::from("/usr/bin/chromium"))
        );
        assert_eq!(
            find(&also_usr, Some(Path::new("chromium"))),
            Ok(PathBuf::from("/usr/bin/chromium"))
        );
    }
}
