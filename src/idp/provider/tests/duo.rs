//! The duo provider on Duo's Universal Prompt as the browser reads it after its script ran (issue
//! 20): the push view (a Verified Push's code read), "Other options" chosen by factor, the passcode
//! view, Duo's refusals in its words, "Trust this browser?", the exit form never posted by
//! samlbridge, and Duo's pages read with its rules whichever provider the profile names.

use super::{after_password, classify_page, mfa_field, rejected};
use crate::idp::classify::{self, PageKind, pick};
use crate::idp::page::Page;
use crate::idp::provider::Providers;

const AT: &str = "https://api-1234abcd.duosecurity.com/frame/prompt?sid=frameless-1";

/// The prompt page with `view` drawn by its script (its form for older clients removed).
fn prompt(view: &str) -> String {
    format!(
        "<html><head><title>Two-Factor Authentication</title></head><body>\
         <div class=\"oidc-wrapper\"><div id=\"app\">{view}</div>\
         <form class=\"oidc-exit-form\" action=\"/frame/v4/oidc/exit\" method=\"POST\">\
         <input type=\"hidden\" name=\"txid\" value=\"\"><input type=\"hidden\" name=\"sid\" \
         value=\"frameless-1\"><input type=\"hidden\" name=\"_xsrf\" value=\"x1\"></form></div>\
         <script>document.querySelector('form.oidc-exit-form').submit();</script></body></html>"
    )
}

const PUSH: &str = "<h1 id=\"header-text\">Check for a Duo Push</h1>\
    <p class=\"device-label\">Sent to \"Sam's Pixel\" (•••-•••-4455)</p>\
    <a href=\"#\" class=\"button--link other-options-link\">Other options</a>";

#[test]
fn the_push_view_is_a_push_page_and_a_verified_push_gives_its_code() {
    let (name, kind) = classify_page(AT, &prompt(PUSH), &after_password(None));
    assert_eq!(name, "duo");
    assert!(
        matches!(kind, PageKind::Push { number: None, .. }),
        "{}",
        kind.name()
    );
    let verified = "<h1 id=\"header-text\">Enter code in Duo Mobile</h1>\
        <p class=\"device-label\">Sent to \"Sam's Pixel\"</p>\
        <p>Enter this code in Duo Mobile</p><div class=\"verification-code\">482</div>\
        <a href=\"#\" class=\"other-options-link\">Other options</a>";
    let (_, kind) = classify_page(AT, &prompt(verified), &after_password(None));
    assert!(
        matches!(&kind, PageKind::Push { number: Some(n), .. } if n == "482"),
        "{}",
        kind.name()
    );
    let providers = Providers::load(None).unwrap();
    let push = providers.named("duo").unwrap().push.clone().unwrap();
    assert_eq!(
        push.other.map(|o| o.source().to_string()).as_deref(),
        Some(".other-options-link")
    );
    assert_eq!(push.timeout_seconds, crate::idp::push::DEFAULT_PUSH_SECONDS);
}

#[test]
fn other_options_are_a_choice_taken_by_factor_or_a_code_at_hand() {
    let options = "<h1 id=\"header-text\">Other options to log in</h1>\
        <ul class=\"auth-method-list\" role=\"list\">\
        <li><a href=\"#\" class=\"auth-method-link\" id=\"auth-method-push-phone1\">\
        <span class=\"method-label\">Duo Push</span></a>\
        <span class=\"method-description\">Send a request to Sam's Pixel</span></li>\
        <li><a href=\"#\" class=\"auth-method-link\" id=\"auth-method-mobile-otp\">\
        <span class=\"method-label\">Duo Mobile passcode</span></a></li></ul>";
    let (_, kind) = classify_page(AT, &prompt(options), &after_password(None));
    let PageKind::Choose { choices, .. } = kind else {
        panic!("not a choice: {}", kind.name())
    };
    let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["Duo Push", "Duo Mobile passcode"]);
    let passcode = Some(1);
    assert_eq!(pick(&choices, None, true, &[]), passcode);
    assert_eq!(pick(&choices, Some("passcode"), false, &[]), passcode);
    assert_eq!(pick(&choices, Some("push"), true, &[]), Some(0));
}

#[test]
fn the_passcode_view_asks_a_code_and_duos_refusals_are_its_words() {
    let view = "<h1 id=\"header-text\">Enter code from Duo Mobile</h1>{error}\
        <form class=\"passcode-form\" method=\"post\"><label for=\"passcode-input\">Passcode</label>\
        <input id=\"passcode-input\" name=\"passcode-input\" type=\"text\" autocomplete=\"one-time-code\">\
        <button type=\"submit\" class=\"button--primary verify-button\">Verify</button></form>\
        <a href=\"#\" class=\"other-options-link\">Other options</a>";
    let fresh = prompt(&view.replace("{error}", ""));
    let (_, kind) = classify_page(AT, &fresh, &after_password(None));
    assert_eq!(mfa_field(&kind).0, "passcode-input");
    let wrong = prompt(&view.replace(
        "{error}",
        "<div class=\"error-message\" role=\"alert\">Incorrect passcode. Please try again.</div>",
    ));
    let (_, kind) = classify_page(AT, &wrong, &after_password(Some("passcode-input")));
    assert_eq!(rejected(&kind), "Incorrect passcode. Please try again.");
    let denied = prompt(
        "<h1 id=\"header-text\">Check for a Duo Push</h1>\
         <div class=\"error-message\" role=\"alert\">Login request denied.</div>\
         <button type=\"button\" class=\"try-again-button\">Try again</button>\
         <a href=\"#\" class=\"other-options-link\">Other options</a>",
    );
    let (_, kind) = classify_page(AT, &denied, &after_password(None));
    assert_eq!(rejected(&kind), "Login request denied.");
}

#[test]
fn trust_this_browser_is_answered_in_its_own_form_and_the_exit_form_is_never_posted() {
    let trust = prompt(
        "<h1 id=\"trust-this-browser-label\">Trust this browser?</h1>\
         <form id=\"trust-browser-form\">\
         <button type=\"submit\" id=\"trust-browser-button\" value=\"true\">Yes, this is my device</button>\
         <button type=\"submit\" id=\"dont-trust-browser-button\" value=\"false\">No, other people use this device</button>\
         </form>",
    );
    let page = Page::parse(url::Url::parse(AT).unwrap(), 200, &trust);
    let forms = page.forms();
    let (_, kind) = classify_page(AT, &trust, &after_password(None));
    let PageKind::Confirm { form, rule } = kind else {
        panic!("not a page to accept: {}", kind.name())
    };
    assert_eq!(forms[form].id.as_deref(), Some("trust-browser-form"));
    let providers = Providers::load(None).unwrap();
    let confirm = &providers.named("duo").unwrap().confirm[rule];
    assert_eq!(confirm.click.as_deref(), Some("trust-browser-button"));
    let decline = confirm.decline.as_ref().and_then(|d| d.click.as_deref());
    assert_eq!(decline, Some("dont-trust-browser-button"));
    // Between views ("Success! Logging you in…"), the exit form that its script posts is not
    // posted by samlbridge without the transaction the script puts in it.
    let between = prompt("<h1 id=\"header-text\">Success! Logging you in…</h1>");
    let (_, kind) = classify_page(AT, &between, &after_password(None));
    assert!(
        !matches!(kind, PageKind::AutoPost { .. }),
        "{}",
        kind.name()
    );
}

#[test]
fn duos_pages_are_read_with_its_rules_whatever_provider_is_named() {
    let providers = Providers::load(None).unwrap();
    let page = Page::parse(url::Url::parse(AT).unwrap(), 200, &prompt(PUSH));
    for named in ["adfs", "entra", "generic", "keycloak"] {
        let named = providers.named(named).unwrap();
        let mut sticky = None;
        let p = classify::provider_for(&page, &providers, Some(named), &mut sticky).unwrap();
        assert_eq!(p.name, "duo", "named {}", named.name);
    }
    // A page of the named IdP stays its own, even where another file would recognise it.
    let adfs_page = super::fixture("adfs/login.html");
    let page = Page::parse(
        url::Url::parse("https://adfs.corp.example/adfs/ls/").unwrap(),
        200,
        &adfs_page,
    );
    let keycloak = providers.named("keycloak").unwrap();
    let p = classify::provider_for(&page, &providers, Some(keycloak), &mut None).unwrap();
    assert_eq!(p.name, "keycloak");
}
