use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-26 14:00:00 UTC);
const KEY: &str = "ASIAQWERTYUIOPASDFGH";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=";

fn answer<'a>(
    key: &'a str,
    secret: &'a str,
    token: &'a str,
    exp: Option<OffsetDateTime>,
) -> StsAnswer<'a> {
    StsAnswer {
        access_key_id: key,
        secret_access_key: secret,
        session_token: token,
        expiration: exp,
        server_date: Some(NOW),
        cut: false,
    }
}

fn check(a: &StsAnswer<'_>) -> Result<Credentials, StsError> {
    Credentials::from_sts(a, NOW, "corp", "AssumeRoleWithSAML")
}

fn refusal(a: &StsAnswer<'_>) -> String {
    let err = check(a).expect_err("must be refused");
    assert!(matches!(err, StsError::Unusable { .. }), "{err}");
    assert_eq!(err.exit_kind(), crate::exit::ExitKind::Unexpected);
    let text = err.to_string();
    assert!(
        text.starts_with("profile corp: STS's AssumeRoleWithSAML answer"),
        "{text}"
    );
    assert!(text.contains("nothing was cached or written"), "{text}");
    for secret in [SECRET, TOKEN] {
        assert!(!text.contains(secret), "a secret in: {text}");
    }
    text
}

#[test]
fn a_complete_answer_becomes_credentials() {
    let exp = NOW + Duration::from_secs(3600);
    let c = check(&answer(KEY, SECRET, TOKEN, Some(exp))).unwrap();
    assert_eq!(c.access_key_id, KEY);
    assert_eq!(c.secret_access_key.expose(), SECRET);
    assert_eq!(c.session_token.expose(), TOKEN);
    assert_eq!(c.expiration, exp);
    let longest = NOW + MAX_SESSION;
    assert!(check(&answer(KEY, SECRET, TOKEN, Some(longest))).is_ok());
}

/// Issue 7: a body cut inside <Credentials> gave `ASIA`, empty secret and token, and the epoch.
#[test]
fn the_truncated_answer_of_the_issue_is_refused_naming_every_problem() {
    let text = refusal(&answer("ASIA", "", "", None));
    for problem in [
        "AccessKeyId is not 16 to 128",
        "SecretAccessKey is empty",
        "SessionToken is empty",
        "it has no Expiration",
    ] {
        assert!(text.contains(problem), "{problem}: {text}");
    }
}

#[test]
fn a_cut_answer_is_refused_even_when_every_element_was_read() {
    let exp = Some(NOW + Duration::from_secs(3600));
    let cut = StsAnswer {
        cut: true,
        ..answer(KEY, SECRET, TOKEN, exp)
    };
    let text = refusal(&cut);
    assert!(text.contains("the answer is cut short"), "{text}");
}

#[test]
fn each_missing_or_malformed_element_is_refused() {
    let exp = Some(NOW + Duration::from_secs(3600));
    let long_key = "A".repeat(129);
    let cases = [
        (answer("", SECRET, TOKEN, exp), "AccessKeyId is empty"),
        (
            answer("ASIA SHORT", SECRET, TOKEN, exp),
            "AccessKeyId is not",
        ),
        (
            answer("ASIAQWERTYUIOPASD\u{1b}]0;x", SECRET, TOKEN, exp),
            "AccessKeyId is not",
        ),
        (answer(&long_key, SECRET, TOKEN, exp), "AccessKeyId is not"),
        (answer(KEY, "", TOKEN, exp), "SecretAccessKey is empty"),
        (
            answer(KEY, "sec ret", TOKEN, exp),
            "SecretAccessKey holds spaces",
        ),
        (answer(KEY, SECRET, "", exp), "SessionToken is empty"),
        (answer(KEY, SECRET, "tok\nen", exp), "SessionToken holds"),
        (answer(KEY, SECRET, "tokén", exp), "SessionToken holds"),
        (answer(KEY, SECRET, TOKEN, None), "no Expiration"),
    ];
    for (a, problem) in &cases {
        let text = refusal(a);
        assert!(text.contains(problem), "{problem}: {text}");
    }
}

#[test]
fn an_expiration_already_past_or_absurdly_far_is_refused() {
    for past in [
        NOW,
        NOW - Duration::from_secs(1),
        datetime!(1970-01-01 0:00 UTC),
    ] {
        let text = refusal(&answer(KEY, SECRET, TOKEN, Some(past)));
        assert!(text.contains("is already past"), "{text}");
        // The clock agrees with STS's: the next step is not about the clock.
        assert!(!text.contains("clock looks wrong"), "{text}");
        assert!(text.contains("AWS_ENDPOINT_URL_STS"), "{text}");
    }
    for far in [
        NOW + Duration::from_secs(14 * 3600),
        datetime!(9999-12-31 23:59:59 UTC),
    ] {
        let text = refusal(&answer(KEY, SECRET, TOKEN, Some(far)));
        assert!(text.contains("further away than any STS session"), "{text}");
    }
}

#[test]
fn a_local_clock_far_from_stss_date_is_named_as_the_cause() {
    let exp = NOW + Duration::from_secs(3600);
    // This machine is 2 h ahead: STS's fresh 1-hour session looks expired here.
    let ahead = NOW + Duration::from_secs(2 * 3600);
    let a = answer(KEY, SECRET, TOKEN, Some(exp));
    let err = Credentials::from_sts(&a, ahead, "corp", "AssumeRole").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("already past"), "{text}");
    assert!(text.contains("the local clock looks wrong"), "{text}");
    assert!(text.contains("2026-11-26T14:00:00Z"), "STS's date: {text}");
    assert!(text.contains("120 min ahead"), "{text}");
    assert!(text.contains("enable NTP"), "{text}");
}

#[test]
fn clock_notes_only_beyond_the_tolerance_and_only_with_a_date() {
    assert_eq!(clock_note(None, NOW), None);
    assert_eq!(clock_note(Some(NOW + CLOCK_TOLERANCE), NOW), None);
    assert_eq!(clock_note(Some(NOW - CLOCK_TOLERANCE), NOW), None);
    let behind = clock_note(Some(NOW + Duration::from_secs(3600)), NOW).unwrap();
    assert!(behind.contains("60 min behind"), "{behind}");
}

#[test]
fn http_dates_in_every_form_http_allows() {
    let expected = Some(datetime!(1994-11-06 08:49:37 UTC));
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
    assert_eq!(parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT "), expected);
    for junk in ["", "yesterday", "Sun, 06 Nov 1994 08:49:37", "\u{1b}[2J"] {
        assert_eq!(parse_http_date(junk), None, "{junk:?}");
    }
}
