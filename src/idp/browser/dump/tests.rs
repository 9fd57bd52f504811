use super::*;

#[test]
fn the_dump_is_a_private_file_in_the_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::at(dir.path().join("state"));
    let html = "<!-- don't edit --><form><input type=password value=hunter2></form>";
    let path = write(&state, html).unwrap();
    assert!(path.starts_with(state.path()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
