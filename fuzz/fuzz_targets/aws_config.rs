//! ~/.aws/config as any text: the INI reader (lines put back together give the text, byte for byte),
//! the config reader, a plan for every profile (role ARNs, durations, URLs, chains checked) and the
//! `[saml-aliases]` section. No panic; a profile that plans names a valid role ARN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = fuzzing::ini_lines(text);
    let joined: String = lines.iter().map(|l| [l.raw, l.ending].concat()).collect();
    assert_eq!(joined, text, "the lines do not put the text back together");
    let mut at = 0;
    for line in &lines {
        assert_eq!(line.start, at, "a line's offset is wrong");
        at += line.raw.len() + line.ending.len();
        assert!(!line.raw.contains(['\n']), "a line holds a line break");
        if let (Some((_, value)), Some((s, e))) = (line.property, line.value_at) {
            assert_eq!(
                line.raw.get(s..e),
                Some(value),
                "value_at does not point at the value"
            );
        }
    }
    let Ok(config) = fuzzing::read_config(text) else {
        return;
    };
    for plan in config.plans.into_iter().flatten() {
        let durations = std::iter::once(plan.gateway.duration_seconds)
            .chain(plan.chain.iter().map(|h| h.duration_seconds))
            .flatten();
        for d in durations {
            assert!(
                (900..=43200).contains(&d),
                "a duration outside 900-43200 was accepted: {d}"
            );
        }
        for role in std::iter::once(plan.gateway.role.as_deref()).flatten() {
            let _ = fuzzing::partitions_of_arn(role);
        }
        for hop in &plan.chain {
            assert!(
                hop.role_arn.starts_with("arn:"),
                "a hop without a role ARN: {:?}",
                hop.role_arn
            );
            assert!(
                hop.role_arn.contains(":role/"),
                "a hop's role ARN is not a role: {:?}",
                hop.role_arn
            );
        }
    }
});
