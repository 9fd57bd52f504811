//! A SAML Response built from roles and attributes, encoded as IdPs encode it, must read back as
//! built: every well-formed role in order without duplicates, the first session name and duration,
//! the expiry, the partition; the depth and size limits hold; no error shows what the assertion
//! says about the user.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing::{self, MAX_XML_BYTES, Partition, SamlClaims};
use samlbridge_fuzz::assertion::{AssertionDoc, MARKER, RoleValue, unescaped};

fuzz_target!(|doc: AssertionDoc| {
    let xml = doc.xml();
    let value = doc.form_value(&xml);
    let read = fuzzing::read_saml_response(&value, "idp.example");
    if let Err(e) = &read {
        let message = e.to_string();
        assert!(
            !message.contains(MARKER),
            "the assertion's content is in an error: {message}"
        );
        assert!(
            !message.contains(&value[..value.len().min(40)]),
            "the assertion is in an error"
        );
    }
    if xml.len() > MAX_XML_BYTES {
        assert!(read.is_err(), "an assertion over the size limit was read");
        return;
    }
    if doc.depth() > 128 {
        let e = read.expect_err("an assertion nested deeper than the limit was read");
        assert!(e.to_string().contains("deeper"), "{e}");
        return;
    }
    let good: Vec<(&str, &str)> = doc
        .roles
        .iter()
        .filter_map(|r| match r {
            RoleValue::Good(g) => Some((g.role_arn.as_str(), g.principal_arn.as_str())),
            RoleValue::Junk(_) => None,
        })
        .collect();
    match read {
        Ok(claims) => check_claims(&doc, &claims, &good),
        Err(e) => assert!(good.is_empty(), "well-formed roles were offered, and: {e}"),
    }
});

fn check_claims(doc: &AssertionDoc, claims: &SamlClaims, good: &[(&str, &str)]) {
    let got: Vec<(&str, &str)> = claims
        .roles
        .iter()
        .map(|r| (r.role_arn.as_str(), r.principal_arn.as_str()))
        .collect();
    // Each role read comes from one value; the well-formed ones all come, in order, once.
    for (i, role) in got.iter().enumerate() {
        assert!(!got[..i].contains(role), "a role is listed twice: {role:?}");
        let from_a_value = doc.roles.iter().any(|v| {
            let text = unescaped(v.written());
            text.contains(role.0) && text.contains(role.1)
        });
        assert!(from_a_value, "a role that no value offers: {role:?}");
    }
    let mut expected: Vec<(&str, &str)> = Vec::new();
    for g in good {
        if !expected.contains(g) {
            expected.push(*g);
        }
    }
    let kept: Vec<&(&str, &str)> = got.iter().filter(|r| expected.contains(r)).collect();
    assert_eq!(
        kept.len(),
        expected.len(),
        "well-formed roles were dropped: {expected:?} -> {got:?}"
    );
    assert!(
        kept.iter().zip(&expected).all(|(a, b)| *a == b),
        "roles out of order"
    );
    let name = doc
        .session_names
        .iter()
        .map(|n| unescaped(n))
        .map(|n| n.trim().to_string())
        .find(|n| !n.is_empty());
    assert_eq!(claims.session_name, name, "RoleSessionName");
    let duration = doc
        .durations
        .iter()
        .map(|d| d.to_string())
        .next()
        .and_then(|d| d.parse::<i32>().ok());
    assert_eq!(claims.session_duration, duration, "SessionDuration");
    assert_eq!(
        claims.not_on_or_after,
        doc.not_on_or_after(),
        "NotOnOrAfter"
    );
    assert_eq!(claims.partition, partition(doc, claims), "partition");
}

fn partition(doc: &AssertionDoc, claims: &SamlClaims) -> Partition {
    let signin = |url: &str| -> Option<Partition> {
        let host = url::Url::parse(url.trim())
            .ok()?
            .host_str()?
            .to_ascii_lowercase();
        [
            ("signin.aws.amazon.com", Partition::Aws),
            ("signin.amazonaws-us-gov.com", Partition::AwsUsGov),
            ("signin.amazonaws.cn", Partition::AwsCn),
        ]
        .into_iter()
        .find(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
        .map(|(_, p)| p)
    };
    let audience = |a: &str| match a {
        "urn:amazon:webservices" => Some(Partition::Aws),
        "urn:amazon:webservices:govcloud" => Some(Partition::AwsUsGov),
        "urn:amazon:webservices:cn" => Some(Partition::AwsCn),
        _ => None,
    };
    let destination = [doc.destination(), doc.recipient()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|d| !d.is_empty());
    destination
        .and_then(signin)
        .or_else(|| doc.audience().and_then(audience))
        .or_else(|| fuzzing::partitions_of_arn(&claims.roles[0].role_arn).1)
        .unwrap_or_default()
}
