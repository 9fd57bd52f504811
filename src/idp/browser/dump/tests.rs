use super::*;

#[test]
fn field_values_are_emptied_and_the_rest_kept() {
    let html = "<html><head><title>Odd</title></head><body><form>\
        <input type=\"password\" name=\"passwd\" value=\"hunter2\">\
        <INPUT name=otc VALUE=123456 type=tel>\
        <input type='hidden' name='SAMLResponse' value='PHNhbWw+'/>\
        <input name=\"x\" data-value=\"keep\" value = \"s3cr>et\">\
        <select><option value=\"a\" selected>A</option></select>\
        <textarea name=t>typed words</textarea><p title=\"value=\">value=hello</p>\
        </form></body></html>";
    let out = scrubbed(html);
    for secret in ["hunter2", "123456", "PHNhbWw+", "s3cr", "typed words"] {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
    for kept in [
        "<title>Odd</title>",
        "name=\"passwd\"",
        "name=otc",
        "data-value=\"keep\"",
        "<p title=\"value=\">value=hello</p>",
        ">A</option>",
        "</textarea>",
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

#[test]
fn broken_markup_does_not_panic() {
    for html in [
        "<",
        "<input value=",
        "<textarea>x",
        "<input value=é>ü",
        "a<b",
    ] {
        scrubbed(html);
    }
    assert_eq!(scrubbed("<input value=\"x"), "<input");
    assert_eq!(scrubbed("<input value=é>ü"), "<input>ü");
}

#[test]
fn the_dump_is_a_private_file_in_the_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::at(dir.path().join("state"));
    let path = write(&state, "<input type=password value=hunter2>").unwrap();
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
