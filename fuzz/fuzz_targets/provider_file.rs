//! A provider file (TOML) as any text, read as a user's file is read; one that reads is then used on
//! a few pages of each kind. No panic (CSS selectors are compiled here), an error names a line of
//! the file, and a page read with the file satisfies what the engine relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, Reader, Sent};
use samlbridge_fuzz::pages::check_reading;

const PAGES: &[&str] = &[
    r#"<html><head><title>Sign in</title></head><body><div id="error" class="alert alert-error" role="alert">Incorrect user ID or password</div><form id="loginForm" method="post" action="/login"><label for="u">User</label><input id="u" name="UserName" type="text"><input name="Password" type="password"><input type="submit" name="submit" value="Sign in"></form></body></html>"#,
    r#"<html><body><form method="post" action="/mfa"><label for="otp">Verification code</label><input id="otp" name="otp" type="text" autocomplete="one-time-code"><button type="submit">Verify</button></form><p class="push">Approve the sign-in on your phone: 42</p></body></html>"#,
    r#"<html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4="><input type="hidden" name="RelayState" value=""></form></body></html>"#,
    r#"<html><head><meta http-equiv="refresh" content="0;url=/next"></head><body><script>window.location.href='/idp/go';</script><form id="consent" action="/consent" method="post"><input type="checkbox" name="accept" checked><input type="submit" name="_eventId_proceed" value="Accept"></form></body></html>"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = match fuzzing::provider_file("fuzzed", text) {
        Ok(file) => file,
        Err(e) => {
            let message = e.to_string();
            let line: usize = message
                .strip_prefix("fuzz.toml:")
                .and_then(|rest| rest.split(':').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("the error names no line of the file: {message}"));
            assert!(
                line >= 1 && line <= text.split('\n').count(),
                "line {line} is not in the file"
            );
            return;
        }
    };
    let url = url::Url::parse("https://idp.example.com/login").expect("a URL");
    for (i, page) in PAGES.iter().enumerate() {
        let sent = Sent {
            username: i % 2 == 1,
            password: i == 3,
            ..Sent::default()
        };
        let reading = fuzzing::read_page(Reader::File(&file), &url, 200, page, &sent)
            .unwrap_or_else(|e| panic!("a provider file that reads cannot read a page: {e}"));
        check_reading(&reading);
    }
});
