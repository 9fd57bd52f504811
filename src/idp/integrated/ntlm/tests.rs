use super::*;

#[test]
fn usernames_split_into_account_and_domain() {
    let c = NtlmCredentials::new("CORP\\alice", Secret::new("x"));
    assert_eq!((c.user.as_str(), c.domain.as_str()), ("alice", "CORP"));
    let c = NtlmCredentials::new("alice@corp.example", Secret::new("x"));
    assert_eq!(
        (c.user.as_str(), c.domain.as_str()),
        ("alice", "corp.example")
    );
    let c = NtlmCredentials::new(" alice ", Secret::new("x"));
    assert_eq!((c.user.as_str(), c.domain.as_str()), ("alice", ""));
}

#[test]
fn debug_never_shows_the_password() {
    let c = NtlmCredentials::new("CORP\\alice", Secret::new("hunter2-secret"));
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("alice"), "{shown}");
}

#[test]
fn the_negotiate_message_is_ntlmssp_type_1() {
    let bytes = negotiate().unwrap();
    assert_eq!(&bytes[..8], b"NTLMSSP\0");
    assert_eq!(bytes[8], 1);
}

#[test]
fn a_challenge_that_is_not_one_is_an_error_not_a_panic() {
    let creds = NtlmCredentials::new("CORP\\alice", Secret::new("x"));
    for bad in [
        &b""[..],
        b"NTLMSSP\0",
        b"garbage garbage garbage",
        &negotiate().unwrap(),
    ] {
        assert!(authenticate(bad, &creds).is_err());
    }
    // a truncated CHALLENGE (type 2) with lengths pointing past its end
    let mut truncated = b"NTLMSSP\0\x02\0\0\0".to_vec();
    truncated.extend_from_slice(&[0xff; 20]);
    assert!(authenticate(&truncated, &creds).is_err());
}
