//! The credentials file checked before a sign-in (which can cost an MFA prompt): everything that
//! would make `write_credentials` fail after the IdP and STS have been asked is found now — a file
//! that is not UTF-8, a file or directory that cannot (or must not) be written, a path under a file.
//!
//! A file or directory without any write permission bit is refused even where the process could
//! write it anyway (as root): it was made read-only on purpose.

use super::FileError;
use super::store::{directory_of, read_existing, resolve_target};
use crate::state::private_file::{DirPolicy, ensure_dir};
use std::fs::{self, OpenOptions};
use std::io::ErrorKind;
use std::path::Path;

/// Ok when `write_credentials(path, …)` can be expected to succeed; creates the directory (0700)
/// when it is missing, as the write would.
pub fn check_credentials_writable(path: &Path) -> Result<(), FileError> {
    check_writable(path, super::PATH_VARIABLE)
}

/// The same check for any AWS file samlbridge edits (the config file too); `variable` is the
/// environment variable that moves it, named in the messages.
pub fn check_writable(path: &Path, variable: &str) -> Result<(), FileError> {
    let target = resolve_target(path)?;
    let dir = directory_of(&target);
    ensure_dir(dir, DirPolicy::Users)?;
    let exists = match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => {
            return Err(refuse(
                &target,
                &format!("is a directory, not a file; move it, or set {variable}"),
            ));
        }
        // Reading a pipe would wait forever, and a rename would replace a device node.
        Ok(meta) if !meta.is_file() => {
            return Err(refuse(
                &target,
                &format!(
                    "is not a regular file (a device, pipe or socket); set {variable} to a file"
                ),
            ));
        }
        Ok(_) => true,
        Err(e) if e.kind() == ErrorKind::NotFound => false,
        Err(e) => return Err(refuse(&target, &format!("cannot inspect it: {e}"))),
    };
    check_not_read_only(dir, "the directory", variable)?;
    probe_directory(dir, &target)?;
    if !exists {
        return Ok(());
    }
    check_not_read_only(&target, "it", variable)?;
    // Opened for writing, not changed: an immutable file or a read-only mount says no here.
    OpenOptions::new().write(true).open(&target).map_err(|e| {
        refuse(
            &target,
            &format!("cannot be written: {e}; check its permissions"),
        )
    })?;
    read_existing(&target, variable).map(drop)
}

fn refuse(path: &Path, reason: &str) -> FileError {
    FileError::Write {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}

fn check_not_read_only(path: &Path, what: &str, variable: &str) -> Result<(), FileError> {
    let meta = fs::metadata(path).map_err(|e| refuse(path, &format!("cannot inspect it: {e}")))?;
    if meta.permissions().readonly() {
        return Err(refuse(
            path,
            &format!("{what} is read-only; make it writable (chmod u+w), or set {variable}"),
        ));
    }
    Ok(())
}

/// Creates and removes an empty file where the write will put its temporary file, named as the
/// write names its own, so that the sweep removes one left by a killed run.
fn probe_directory(dir: &Path, target: &Path) -> Result<(), FileError> {
    let probe = crate::state::private_file::temp_path(dir, target);
    let created = OpenOptions::new().write(true).create_new(true).open(&probe);
    match created {
        Ok(file) => {
            drop(file);
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        // A probe left by a killed run of this very pid: the directory is writable.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(refuse(
            target,
            &format!(
                "cannot create files in {}: {e}; check the directory's permissions",
                dir.display()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_missing_file_in_a_missing_directory_is_writable_and_the_directory_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("home/.aws/credentials");
        check_credentials_writable(&path).unwrap();
        let aws = dir.path().join("home/.aws");
        assert_eq!(
            fs::metadata(&aws).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(fs::read_dir(&aws).unwrap().count(), 0, "the probe stayed");
    }

    #[test]
    fn an_ordinary_file_passes_and_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\naws_access_key_id = AKIA\n").unwrap();
        chmod(&path, 0o600);
        check_credentials_writable(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "[default]\naws_access_key_id = AKIA\n"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, b"[default]\naws_access_key_id = \xff\xfe\n").unwrap();
        let err = check_credentials_writable(&path).unwrap_err().to_string();
        assert!(
            err.contains("credentials") && err.contains("not UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn read_only_files_and_directories_are_refused_even_for_root() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\n").unwrap();
        chmod(&path, 0o444);
        let err = check_credentials_writable(&path).unwrap_err().to_string();
        assert!(err.contains("read-only"), "{err}");
        chmod(&path, 0o600);
        chmod(dir.path(), 0o555);
        let err = check_credentials_writable(&path).unwrap_err().to_string();
        chmod(dir.path(), 0o700);
        assert!(err.contains("directory is read-only"), "{err}");
    }

    #[test]
    fn a_directory_in_its_place_or_a_file_in_the_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::create_dir(&path).unwrap();
        let err = check_credentials_writable(&path).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
        let file = dir.path().join("plain");
        fs::write(&file, "x").unwrap();
        assert!(check_credentials_writable(&file.join("credentials")).is_err());
    }

    #[test]
    fn a_pipe_or_a_device_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("credentials");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = check_credentials_writable(&fifo).unwrap_err().to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
        let err = check_credentials_writable(Path::new("/dev/null"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_symlink_is_checked_at_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, b"\xff").unwrap();
        let link = dir.path().join("credentials");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = check_credentials_writable(&link).unwrap_err().to_string();
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
