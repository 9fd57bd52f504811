//! The credentials-file editor on an INI document built from sections, keys, comments and line
//! endings (or any text): after each profile written, every byte outside its section is unchanged,
//! the section holds the new values (old lines kept, owned values replaced in place), the file still
//! reads, writing the same again changes nothing, and a refusal shows no secret.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing;
use samlbridge_fuzz::ini::{IniDoc, Upsert, check_upsert};

#[derive(Debug, Arbitrary)]
struct Input {
    doc: IniDoc,
    raw: Option<String>,
    upserts: Vec<Upsert>,
}

fuzz_target!(|input: Input| {
    let start = input.raw.clone().unwrap_or_else(|| input.doc.text.clone());
    let readable = fuzzing::read_config(&start).is_ok();
    let mut text = start.clone();
    let mut written = Vec::new();
    for up in input.upserts.iter().take(4) {
        let one = [(up.profile.clone(), up.credentials.clone())];
        match fuzzing::upsert_credentials(&text, &one) {
            Err(e) => {
                let message = e.to_string();
                let c = &up.credentials;
                // The profile's name is shown; a secret that is part of it is not told apart.
                let secrets: Vec<&str> = [c.secret_access_key.expose(), c.session_token.expose()]
                    .into_iter()
                    .filter(|s| !up.profile.contains(s.trim()))
                    .collect();
                samlbridge_fuzz::assert_no_secret(&message, &secrets);
            }
            Ok(after) => {
                check_upsert(&text, &after, up);
                let again = fuzzing::upsert_credentials(&after, &one)
                    .expect("a write that worked once fails");
                assert_eq!(
                    again, after,
                    "writing the same credentials again changed the file"
                );
                if readable {
                    assert!(
                        fuzzing::read_config(&after).is_ok(),
                        "the file no longer reads after a write"
                    );
                }
                written.push(one[0].clone());
                text = after;
            }
        }
    }
    // write_credentials writes all profiles in one go: the same text as one at a time.
    let together = fuzzing::upsert_credentials(&start, &written)
        .expect("profiles that were written one by one fail together");
    assert_eq!(
        together, text,
        "writing profiles together differs from one at a time"
    );
});
