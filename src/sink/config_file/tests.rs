use super::*;
use std::os::unix::fs::PermissionsExt;

fn gateway(name: &str, url: &str) -> ProfileKeys {
    ProfileKeys {
        name: name.to_string(),
        keys: vec![
            ("saml_url", url.to_string()),
            (
                "saml_role",
                "arn:aws:iam::111111111111:role/Admin".to_string(),
            ),
        ],
    }
}

#[test]
fn new_profiles_are_appended_as_profile_sections_and_default_as_default() {
    let path = Path::new("config");
    let text = edited(
        path,
        "",
        &[
            gateway("corp", "https://idp/x"),
            gateway("default", "https://idp/y"),
        ],
    )
    .unwrap();
    assert_eq!(
        text,
        "[profile corp]\nsaml_url = https://idp/x\nsaml_role = arn:aws:iam::111111111111:role/Admin\n\n[default]\nsaml_url = https://idp/y\nsaml_role = arn:aws:iam::111111111111:role/Admin\n"
    );
}

#[test]
fn an_existing_profile_is_found_by_any_spacing_and_every_other_byte_stays() {
    let before = "# mine\r\n[default]\r\nregion=eu-west-1\r\n\r\n[profile   corp]  ; gateway\r\nsaml_url  =  https://old/  # keep\r\noutput = json\r\n\r\n[corp]\r\nsaml_url = not-a-profile\r\n";
    let after = edited(
        Path::new("config"),
        before,
        &[gateway("corp", "https://new/")],
    )
    .unwrap();
    assert_eq!(
        after,
        "# mine\r\n[default]\r\nregion=eu-west-1\r\n\r\n[profile   corp]  ; gateway\r\nsaml_url  =  https://new/  # keep\r\noutput = json\r\nsaml_role = arn:aws:iam::111111111111:role/Admin\r\n\r\n[corp]\r\nsaml_url = not-a-profile\r\n"
    );
}

#[test]
fn values_that_would_not_read_back_are_refused() {
    for bad in [
        "https://idp/x\n[profile evil]",
        "a # comment",
        "b ;c",
        " padded",
        "",
        "line\rbreak",
    ] {
        let err = edited(Path::new("config"), "", &[gateway("corp", bad)]);
        assert!(err.is_err(), "{bad:?} was accepted: {err:?}");
    }
    // A '#' that does not follow whitespace is part of the value, as the AWS tools read it.
    assert!(
        edited(
            Path::new("config"),
            "",
            &[gateway("corp", "https://idp/#frag")]
        )
        .is_ok()
    );
}

#[test]
fn a_file_that_does_not_parse_is_not_edited() {
    let err = edited(
        Path::new("config"),
        "junk line\n",
        &[gateway("corp", "https://x/")],
    );
    assert!(err.is_err());
}

#[test]
fn writing_keeps_the_mode_of_an_existing_file_and_makes_a_new_one_private() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("aws/config");
    write_profiles(&new, &[gateway("corp", "https://idp/")]).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&new), 0o600);
    assert_eq!(mode(&dir.path().join("aws")), 0o700);
    let old = dir.path().join("config");
    std::fs::write(&old, "[default]\nregion = x\n").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_profiles(&old, &[gateway("corp", "https://idp/")]).unwrap();
    assert_eq!(mode(&old), 0o644);
    let text = std::fs::read_to_string(&old).unwrap();
    assert!(
        text.starts_with("[default]\nregion = x\n\n[profile corp]\n"),
        "{text}"
    );
}

#[test]
fn a_symlinked_config_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::write(&real, "[default]\n").unwrap();
    let link = dir.path().join("config");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    write_profiles(&link, &[gateway("corp", "https://idp/")]).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("[profile corp]")
    );
}
