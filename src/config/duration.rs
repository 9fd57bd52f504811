//! Durations as people write them in flags and config keys (`300`, `90s`, `5m`, `1h30m`, `1d`):
//! the refresh window, `refresh --within`, `refresh --every`.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}' is not a duration; write seconds (300) or a number with a unit: 90s, 5m, 1h30m, 1d"
)]
pub struct DurationError {
    text: String,
}

/// Parses a bare number of seconds, or one or more `<number><unit>` parts with units s, m, h, d.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let bad = || DurationError {
        text: text.to_string(),
    };
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.parse().map(Duration::from_secs).map_err(|_| bad());
    }
    let mut total: u64 = 0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let seconds = unit_seconds(unit).ok_or_else(bad)?;
        let part = number.checked_mul(seconds).ok_or_else(bad)?;
        total = total.checked_add(part).ok_or_else(bad)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    if trimmed.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

fn unit_seconds(unit: char) -> Option<u64> {
    match unit {
        's' => Some(1),
        'm' => Some(60),
        'h' => Some(3600),
        'd' => Some(86_400),
        _ => None,
    }
}

/// The shortest way to write `d` in the same notation (whole seconds), for messages.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [('d', 86_400), ('h', 3600), ('m', 60), ('s', 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_people_write() {
        let cases = [
            ("300", 300),
            ("0", 0),
            ("90s", 90),
            ("5m", 300),
            ("15m", 900),
            ("1h", 3600),
            ("1h30m", 5400),
            ("1d", 86_400),
            (" 2m ", 120),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_text_and_examples() {
        for text in [
            "",
            "m",
            "5x",
            "5 m",
            "-5m",
            "1.5h",
            "h1",
            "99999999999999999999d",
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(err.to_string().contains("5m"), "{err}");
            assert!(err.to_string().contains(&format!("'{text}'")), "{err}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        for secs in [0, 59, 300, 5400, 90_061] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
    }
}
