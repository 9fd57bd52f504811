//! The SAMLResponse as any bytes: the form value (base64 with line breaks, character references,
//! missing padding) or, after a 0 byte, XML that the target encodes. Decoding and parsing must not
//! panic, must not show the assertion in an error, and what is read must be consistent.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing;

fuzz_target!(|data: &[u8]| {
    let value = match data.split_first() {
        Some((0, xml)) => base64::engine::general_purpose::STANDARD.encode(xml),
        _ => String::from_utf8_lossy(data).into_owned(),
    };
    match fuzzing::read_saml_response(&value, "idp.example") {
        Ok(claims) => {
            assert!(!claims.roles.is_empty(), "claims without a role");
            for (i, role) in claims.roles.iter().enumerate() {
                assert!(!claims.roles[..i].contains(role), "a role listed twice");
                assert!(
                    role.role_arn.starts_with("arn:") && role.principal_arn.starts_with("arn:")
                );
                assert!(!role.role_arn.contains(',') && !role.principal_arn.contains(','));
            }
        }
        Err(e) => {
            let message = e.to_string();
            let clean = fuzzing::SamlAssertion::from_form_value(&value);
            let sent = clean.base64().expose();
            if sent.len() >= 16 {
                assert!(
                    !message.contains(sent),
                    "the assertion is in an error: {message}"
                );
            }
        }
    }
});
