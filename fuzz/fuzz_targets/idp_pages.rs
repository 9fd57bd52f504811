//! An IdP page read by each built-in provider file (named, detected, sticky) or by the engine alone:
//! parse, classify, extract the forms, build the request. Input: 4 control bytes, then the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlbridge::fuzzing;
use samlbridge_fuzz::pages::{check_reading, page_input};
use std::sync::LazyLock;

static PROVIDERS: LazyLock<Vec<&'static str>> = LazyLock::new(fuzzing::built_in_providers);

fuzz_target!(|data: &[u8]| {
    let Some(input) = page_input(data, &PROVIDERS) else {
        return;
    };
    match fuzzing::read_page(
        input.reader,
        &input.url,
        input.status,
        &input.body,
        &input.sent,
    ) {
        Ok(reading) => check_reading(&reading),
        // Only a provider that is not there is an error here, and every name comes from the list.
        Err(e) => panic!("a built-in provider failed to read a page: {e}"),
    }
});
