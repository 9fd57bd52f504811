//! Durations as people type them (`--refresh-window`, `saml_refresh_window`, `refresh --within`,
//! `refresh --every`): no panic, and round trips: what parses is written back in the shortest form,
//! which parses to the same duration; every duration written parses back; an interval parses back
//! to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{format_duration, parse_duration, parse_every};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    if data.len() >= 8 {
        let secs = u64::from_le_bytes(data[..8].try_into().unwrap_or_default());
        let written = format_duration(Duration::from_secs(secs));
        assert_eq!(
            parse_duration(&written),
            Ok(Duration::from_secs(secs)),
            "{written} does not parse back"
        );
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = parse_duration(text) {
        let written = format_duration(d);
        assert_eq!(
            parse_duration(&written),
            Ok(d),
            "{text:?} -> {written} does not parse back"
        );
        assert_eq!(
            format_duration(parse_duration(&written).unwrap_or_default()),
            written,
            "not the shortest form"
        );
    }
    if let Ok(every) = parse_every(text) {
        assert_eq!(
            parse_every(&every),
            Ok(every.clone()),
            "{text:?} -> {every} does not parse back"
        );
        let d = parse_duration(&every).expect("an interval is a duration");
        assert!(
            d >= Duration::from_secs(60) && d <= Duration::from_secs(86_400),
            "interval {every} out of 1m..24h"
        );
    }
});
