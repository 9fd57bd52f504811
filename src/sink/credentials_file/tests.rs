//! The credentials writer on real files: whole-file comparisons, modes, symlinks, concurrent runs.

use super::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use time::macros::datetime;

fn creds(tag: &str) -> Credentials {
    Credentials {
        access_key_id: format!("ASIA{tag}"),
        secret_access_key: Secret::new(format!("secret/{tag}+x=")),
        session_token: Secret::new(format!("token/{tag}//==")),
        expiration: datetime!(2026-11-21 13:45:07.5 +01:00),
    }
}

fn section(name: &str, tag: &str, newline: &str) -> String {
    [
        format!("[{name}]"),
        format!("aws_access_key_id = ASIA{tag}"),
        format!("aws_secret_access_key = secret/{tag}+x="),
        format!("aws_session_token = token/{tag}//=="),
        "x_security_token_expires = 2026-11-21T12:45:07Z".to_string(),
    ]
    .iter()
    .map(|l| format!("{l}{newline}"))
    .collect()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

const EXISTING: &str = "# my credentials\n[default]\naws_access_key_id     = AKIADEFAULT\naws_secret_access_key = keep/this\n\n[corp]\n; written by samlbridge\naws_access_key_id=OLD\nregion   =   eu-west-1   # unknown key, kept\naws_session_token = OLDTOKEN\nx_security_token_expires = 2000-01-01T00:00:00Z\n\n# personal\n[home]\naws_access_key_id = AKIAHOME\naws_secret_access_key = home/secret";

#[test]
fn upserting_one_section_and_appending_another_keeps_every_other_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, EXISTING).unwrap();
    let profiles = [
        ("corp".to_string(), creds("CORP")),
        ("prod".to_string(), creds("PROD")),
    ];
    write_credentials(&path, &profiles).unwrap();
    let expected = format!(
        "# my credentials\n[default]\naws_access_key_id     = AKIADEFAULT\naws_secret_access_key = keep/this\n\n[corp]\n; written by samlbridge\naws_access_key_id=ASIACORP\nregion   =   eu-west-1   # unknown key, kept\naws_session_token = token/CORP//==\nx_security_token_expires = 2026-11-21T12:45:07Z\naws_secret_access_key = secret/CORP+x=\n\n# personal\n[home]\naws_access_key_id = AKIAHOME\naws_secret_access_key = home/secret\n\n{}",
        section("prod", "PROD", "\n")
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn crlf_files_keep_crlf_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let before = EXISTING.replace('\n', "\r\n");
    fs::write(&path, &before).unwrap();
    write_credentials(&path, &[("new".to_string(), creds("NEW"))]).unwrap();
    let expected = format!("{before}\r\n\r\n{}", section("new", "NEW", "\r\n"));
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
}

#[test]
fn a_new_file_is_0600_in_a_new_0700_directory() {
    let dir = tempfile::tempdir().unwrap();
    let aws = dir.path().join("home").join(".aws");
    let path = aws.join("credentials");
    write_credentials(&path, &[("corp".to_string(), creds("C"))]).unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        section("corp", "C", "\n")
    );
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&aws), 0o700);
    // Only the file and its lock are left: no temp file.
    let mut names: Vec<String> = fs::read_dir(&aws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["credentials", "credentials.samlbridge.lock"]);
    assert_eq!(mode(&aws.join("credentials.samlbridge.lock")), 0o600);
}

#[test]
fn an_existing_world_readable_file_becomes_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "[a]\nk = v\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    write_credentials(&path, &[("a".to_string(), creds("A"))]).unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_symlink_is_written_through_and_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("dotfiles");
    fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("aws-credentials");
    fs::write(&real, "[keep]\nk = v\n").unwrap();
    let aws = dir.path().join(".aws");
    fs::create_dir(&aws).unwrap();
    let link = aws.join("credentials");
    std::os::unix::fs::symlink("../dotfiles/aws-credentials", &link).unwrap();
    write_credentials(&link, &[("corp".to_string(), creds("C"))]).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let expected = format!("[keep]\nk = v\n\n{}", section("corp", "C", "\n"));
    assert_eq!(fs::read_to_string(&real).unwrap(), expected);
    assert_eq!(mode(&real), 0o600);
    assert!(real_dir.join("aws-credentials.samlbridge.lock").exists());
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("credentials");
    let real = dir.path().join("sub").join("real");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    write_credentials(&link, &[("corp".to_string(), creds("C"))]).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(&real).unwrap(),
        section("corp", "C", "\n")
    );
}

#[test]
fn concurrent_writers_of_different_profiles_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, "# shared\n[default]\nregion = x\n").unwrap();
    let writers: Vec<_> = (0..12)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                write_credentials(&path, &[(format!("p{i}"), creds(&format!("P{i}")))])
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap().unwrap();
    }
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# shared\n[default]\nregion = x\n\n"));
    for i in 0..12 {
        let stored = read_credentials(&path, &format!("p{i}")).unwrap().unwrap();
        assert_eq!(stored.access_key_id, Some(format!("ASIAP{i}")));
        assert!(text.contains(&section(&format!("p{i}"), &format!("P{i}"), "\n")));
    }
}

#[test]
fn malformed_lines_are_kept_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    let before = "[broken\nno equals sign\n[corp]\ngarbage\n";
    fs::write(&path, before).unwrap();
    write_credentials(&path, &[("corp".to_string(), creds("C"))]).unwrap();
    let expected = format!(
        "[broken\nno equals sign\n[corp]\ngarbage\n{}",
        &section("corp", "C", "\n")[7..]
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
}

#[test]
fn refusals_change_nothing_and_never_show_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::write(&path, b"[a]\nk = \xff\n").unwrap();
    let err = write_credentials(&path, &[("a".to_string(), creds("A"))]).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), b"[a]\nk = \xff\n");

    let mut bad = creds("B");
    bad.session_token = Secret::new("s3cr3t-value\n[evil]");
    let err = write_credentials(&path, &[("b".to_string(), bad)]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("aws_session_token") && !message.contains("s3cr3t"),
        "{message}"
    );

    let err = write_credentials(&path, &[("x]y".to_string(), creds("C"))]).unwrap_err();
    assert!(
        err.to_string().contains("cannot be a section name"),
        "{err}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"[a]\nk = \xff\n");
}

#[test]
fn a_path_that_cannot_be_created_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, "[a]\n").unwrap();
    let path = blocker.join(".aws").join("credentials");
    let err = write_credentials(&path, &[("a".to_string(), creds("A"))]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("not-a-dir/.aws"), "{message}");
    assert!(message.ends_with("nothing was written"), "{message}");
    assert_eq!(fs::read_to_string(&blocker).unwrap(), "[a]\n");
}

#[test]
fn a_directory_in_place_of_the_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    fs::create_dir(&path).unwrap();
    let err = write_credentials(&path, &[("a".to_string(), creds("A"))]).unwrap_err();
    assert!(err.to_string().contains("cannot read it"), "{err}");
    assert!(path.is_dir());
}

#[test]
fn reading_back_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    assert_eq!(read_credentials(&path, "corp").unwrap(), None);
    write_credentials(&path, &[("corp".to_string(), creds("C"))]).unwrap();
    let stored = read_credentials(&path, "corp").unwrap().unwrap();
    assert_eq!(stored.access_key_id.as_deref(), Some("ASIAC"));
    assert_eq!(
        stored.secret_access_key.as_ref().map(Secret::expose),
        Some("secret/C+x=")
    );
    assert_eq!(
        stored.session_token.as_ref().map(Secret::expose),
        Some("token/C//==")
    );
    assert_eq!(stored.expires, Some(datetime!(2026-11-21 12:45:07 UTC)));
    assert_eq!(read_credentials(&path, "other").unwrap(), None);
}

#[test]
fn nothing_to_write_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".aws").join("credentials");
    write_credentials(&path, &[]).unwrap();
    assert!(!dir.path().join(".aws").exists());
}
