use super::sweep::{is_stale, writer_of};
use super::*;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::time::{Duration, Instant, SystemTime};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The pid of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn make_old(path: &Path) {
    let file = fs::OpenOptions::new().write(true).open(path).unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    file.set_modified(long_ago).unwrap();
}

#[test]
fn replace_writes_the_whole_file_0600_and_leaves_no_temp_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("entry.json");
    fs::write(&path, b"a much longer first version").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    replace(&path, b"second").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(names(tmp.path()), ["entry.json"]);
}

#[test]
fn the_named_fallback_writes_a_complete_private_temp_file_the_sweep_can_attribute() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("credentials");
    let staged = stage_named(tmp.path(), &target, b"[p]\nkey = v\n").unwrap();
    assert_eq!(fs::read(&staged).unwrap(), b"[p]\nkey = v\n");
    assert_eq!(mode(&staged), 0o600);
    let name = staged.file_name().unwrap().to_str().unwrap();
    assert_eq!(writer_of(name, Legacy::No), Some(std::process::id()));
}

#[cfg(target_os = "linux")]
#[test]
fn on_linux_the_content_is_written_before_the_temp_file_has_a_name() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("credentials");
    // Where the file system cannot, the named way is taken; tmpfs and ext4 can.
    if let Some(staged) = unnamed::stage(tmp.path(), &target, b"secret") {
        assert_eq!(fs::read(&staged).unwrap(), b"secret");
        assert_eq!(mode(&staged), 0o600);
        assert_eq!(names(tmp.path()).len(), 1);
    }
}

#[test]
fn a_symlink_at_a_temp_path_is_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim");
    let link = tmp.path().join(".credentials.samlbridge-1-0.tmp");
    symlink(&victim, &link).unwrap();
    let err = create_new_private(&link).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert!(!victim.exists(), "the link's target was created");
}

#[test]
fn a_symlink_at_the_target_is_replaced_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::write(&elsewhere, "keep").unwrap();
    let path = tmp.path().join("entry.json");
    symlink(&elsewhere, &path).unwrap();
    replace(&path, b"new").unwrap();
    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "keep");
    assert!(
        !fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_write_into_a_missing_directory_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("missing/entry.json");
    let err = replace(&path, b"x").unwrap_err();
    assert!(err.to_string().contains("missing/entry.json"), "{err}");
}

#[test]
fn own_directories_are_made_and_kept_0700_the_users_are_left_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let own = tmp.path().join("state/samlbridge");
    ensure_dir(&own, DirPolicy::Own).unwrap();
    assert_eq!(mode(&own), 0o700);
    fs::set_permissions(&own, fs::Permissions::from_mode(0o755)).unwrap();
    ensure_dir(&own, DirPolicy::Own).unwrap();
    assert_eq!(mode(&own), 0o700);

    let users = tmp.path().join("home/.aws");
    ensure_dir(&users, DirPolicy::Users).unwrap();
    assert_eq!(mode(&users), 0o700);
    fs::set_permissions(&users, fs::Permissions::from_mode(0o755)).unwrap();
    ensure_dir(&users, DirPolicy::Users).unwrap();
    assert_eq!(mode(&users), 0o755);
}

#[test]
fn a_dangling_symlink_at_a_lock_path_is_refused_and_its_target_not_created() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("planted-target");
    let path = tmp.path().join(".refresh.lock");
    symlink(&target, &path).unwrap();
    let err = FileLock::acquire(&path, Duration::ZERO, "another samlbridge").unwrap_err();
    let message = err.to_string();
    assert!(message.contains(".refresh.lock"), "{message}");
    assert!(message.contains("symbolic link"), "{message}");
    assert!(!target.exists(), "the link's target was created");
}

#[test]
fn a_directory_at_a_lock_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.lock");
    fs::create_dir(&path).unwrap();
    assert!(FileLock::acquire(&path, Duration::ZERO, "another samlbridge").is_err());
}

#[test]
fn a_second_holder_waits_then_gives_up_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(".refresh.lock");
    let first = FileLock::acquire(&path, Duration::ZERO, "x").unwrap();
    assert_eq!(mode(&path), 0o600);
    let started = Instant::now();
    let err = FileLock::acquire(
        &path,
        Duration::from_millis(200),
        "another samlbridge renewing",
    )
    .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(
        err.to_string().contains("another samlbridge renewing"),
        "{err}"
    );
    drop(first);
    // Not ZERO: a test elsewhere in this process may fork while `first` closes, and the child holds
    // the lock's open file until it execs (microseconds later).
    assert!(FileLock::acquire(&path, Duration::from_secs(5), "x").is_ok());
}

#[test]
fn a_waiter_gets_the_lock_when_the_holder_lets_go() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(".refresh.lock");
    let first = FileLock::acquire(&path, Duration::ZERO, "x").unwrap();
    let waiter = {
        let path = path.clone();
        std::thread::spawn(move || FileLock::acquire(&path, Duration::from_secs(10), "x").is_ok())
    };
    std::thread::sleep(Duration::from_millis(150));
    drop(first);
    assert!(waiter.join().unwrap());
}

#[test]
fn temp_names_say_whose_they_are() {
    let me = Legacy::No;
    assert_eq!(
        writer_of(".credentials.samlbridge-4242-0.tmp", me),
        Some(4242)
    );
    assert_eq!(
        writer_of(".corp-ab12.json.samlbridge-7-13.tmp", me),
        Some(7)
    );
    for unrelated in [
        "credentials",
        ".credentials.bak",
        "notes.tmp",
        ".tmp",
        ".samlbridge-1-2.tmp",
        "credentials.samlbridge.lock",
        ".credentials.samlbridge-x1-0.tmp",
        ".credentials.samlbridge-12-.tmp",
        ".credentials.samlbridge--0.tmp",
        ".credentials.samlbridge-99999999999-0.tmp",
        ".corp-ab12.json.123.4.tmp",
    ] {
        assert_eq!(writer_of(unrelated, me), None, "{unrelated}");
    }
    assert_eq!(
        writer_of(".corp-ab12.json.123.4.tmp", Legacy::Yes),
        Some(123)
    );
    assert_eq!(writer_of(".entry.json.5.0.tmp", Legacy::Yes), Some(5));
    assert_eq!(writer_of(".json.x.0.tmp", Legacy::Yes), None);
    assert_eq!(writer_of("..1.0.tmp", Legacy::Yes), None);
}

#[test]
fn staleness_is_a_gone_writer_or_an_age_no_write_takes() {
    let now = SystemTime::now();
    let me = std::process::id();
    assert!(!is_stale(me, Some(now), now));
    assert!(!is_stale(me, None, now));
    assert!(is_stale(me, Some(now - Duration::from_secs(7200)), now));
    assert!(is_stale(dead_pid(), Some(now), now));
    assert!(is_stale(0, Some(now), now), "pid 0 is never a writer");
}

#[test]
fn the_sweep_removes_dead_writers_temp_files_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let dead = dead_pid();
    let me = std::process::id();
    let write = |name: &str| fs::write(dir.join(name), "secret").unwrap();
    // Left by killed runs: removed.
    write(&format!(".credentials.samlbridge-{dead}-0.tmp"));
    write(&format!(".corp-ab.json.samlbridge-{dead}-7.tmp"));
    let old_live = format!(".credentials.samlbridge-{me}-900.tmp");
    write(&old_live);
    make_old(&dir.join(&old_live));
    // A live writer's, and files that are not samlbridge's temp files: kept.
    let live = format!(".credentials.samlbridge-{me}-901.tmp");
    write(&live);
    let keep = [
        "credentials".to_string(),
        "credentials.samlbridge.lock".to_string(),
        ".credentials.bak".to_string(),
        "notes.tmp".to_string(),
        format!(".credentials.{dead}.0.tmp"),
        format!("credentials.samlbridge-{dead}-0.tmp"),
    ];
    for name in &keep {
        write(name);
    }
    // A link or a directory named like a dead writer's temp file is not one: kept, target untouched.
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("target"), "keep").unwrap();
    let link = format!(".link.samlbridge-{dead}-1.tmp");
    symlink(outside.join("target"), dir.join(&link)).unwrap();
    let subdir = format!(".dir.samlbridge-{dead}-2.tmp");
    fs::create_dir(dir.join(&subdir)).unwrap();

    assert_eq!(sweep(dir, Legacy::No), 3);

    let mut expected: Vec<String> = keep.to_vec();
    expected.extend([live, link, subdir, "outside".to_string()]);
    expected.sort();
    assert_eq!(names(dir), expected);
    assert_eq!(fs::read_to_string(outside.join("target")).unwrap(), "keep");
}

#[test]
fn another_running_processs_temp_file_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut other = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let name = format!(".credentials.samlbridge-{}-0.tmp", other.id());
    fs::write(tmp.path().join(&name), "secret").unwrap();
    let removed = sweep(tmp.path(), Legacy::Yes);
    let _ = other.kill();
    let _ = other.wait();
    assert_eq!(removed, 0);
    assert_eq!(names(tmp.path()), [name]);
    // Once it has gone, its file is stale.
    assert_eq!(sweep(tmp.path(), Legacy::Yes), 1);
}

#[test]
fn in_the_state_directory_the_sweep_also_knows_the_older_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dead = dead_pid();
    let me = std::process::id();
    let old_name = format!(".corp-ab.json.{dead}.3.tmp");
    let live_name = format!(".corp-ab.json.{me}.4.tmp");
    fs::write(tmp.path().join(&old_name), "secret").unwrap();
    fs::write(tmp.path().join(&live_name), "secret").unwrap();
    assert_eq!(sweep(tmp.path(), Legacy::Yes), 1);
    assert_eq!(names(tmp.path()), [live_name]);
}

#[test]
fn a_missing_directory_has_nothing_to_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(sweep(&tmp.path().join("missing"), Legacy::Yes), 0);
}

#[test]
fn a_write_sweeps_what_a_killed_run_left_beside_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let dead = dead_pid();
    let left = tmp
        .path()
        .join(format!(".credentials.samlbridge-{dead}-0.tmp"));
    fs::write(&left, "a whole copy of the secrets").unwrap();
    replace(&tmp.path().join("credentials"), b"new").unwrap();
    assert!(!left.exists());
    assert_eq!(names(tmp.path()), ["credentials"]);
}
