//! The entra provider on Entra-shaped pages (issue 10): the shell an HTTP fetch sees is recognised
//! by its `$Config` names and needs the browser; the views its script draws (as the browser reads
//! them) are a username page, a password page, a method list without a form, a push page without
//! a form (the number read), a code page, "Stay signed in?", and pages for a person.

use super::{after_password, classify_page, login_fields};
use crate::idp::classify::{Answer, PageKind, Progress, pick};

const AT: &str = "https://login.example.test/tenant/saml2";

fn view(body: &str) -> String {
    format!(
        "<html><head><title>Sign in to your account</title></head><body>\
         <div id=\"lightbox\">{body}</div></body></html>"
    )
}

#[test]
fn the_shell_is_entras_by_its_config_and_needs_a_browser() {
    let shell = "<html><head><title>Sign in to your account</title><script>//<![CDATA[\n\
        $Config={\"pgid\":\"ConvergedSignIn\",\"sFTName\":\"flowToken\",\"urlGetCredentialType\":\"/x\"};\n\
        //]]></script></head><body><div id=\"lightbox\"></div></body></html>";
    let (name, _) = classify_page(AT, shell, &Progress::default());
    assert_eq!(name, "entra");
    let providers = crate::idp::provider::Providers::load(None).unwrap();
    assert!(providers.named("entra").unwrap().browser);
    // A page of another IdP's script that says `$Config` without Entra's names is not Entra's.
    let other = "<html><head><title>x</title><script>$Config={\"a\":1};</script></head>\
        <body><form><input name=u><input type=password name=p></form></body></html>";
    assert_ne!(classify_page(AT, other, &Progress::default()).0, "entra");
}

#[test]
fn username_and_password_views_are_the_sign_in_form() {
    let user = view(
        "<form name=\"f1\"><input type=\"email\" name=\"loginfmt\" id=\"i0116\">\
         <input type=\"submit\" id=\"idSIButton9\" value=\"Next\"></form>",
    );
    let (name, kind) = classify_page(AT, &user, &Progress::default());
    assert_eq!(name, "entra");
    assert_eq!(login_fields(&kind), (Some("loginfmt"), None));
    let password = view(
        "<form name=\"f1\"><input type=\"hidden\" name=\"login\" value=\"a@b.c\">\
         <input type=\"password\" name=\"passwd\" id=\"i0118\" autocomplete=\"current-password\">\
         <input type=\"submit\" id=\"idSIButton9\" value=\"Sign in\"></form>",
    );
    let (_, kind) = classify_page(AT, &password, &Progress::default());
    assert_eq!(login_fields(&kind).1, Some("passwd"));
}

#[test]
fn the_method_list_has_no_form_and_is_chosen_by_factor() {
    let list = view(
        "<div role=\"heading\" id=\"loginHeader\">Verify your identity</div>\
         <div id=\"idDiv_SAOTCS_Proofs\" role=\"list\">\
         <div role=\"button\" data-value=\"PhoneAppNotification\">Approve a request on my Microsoft Authenticator app</div>\
         <div role=\"button\" data-value=\"PhoneAppOTP\">Use a verification code</div>\
         <div role=\"button\" data-value=\"OneWaySMS\">Text +X XXXXXXXX12</div>\
         <div role=\"button\" data-value=\"TwoWayVoiceMobile\">Call +X XXXXXXXX12</div></div>",
    );
    let (_, kind) = classify_page(AT, &list, &after_password(None));
    let PageKind::Choose { form, choices, .. } = kind else {
        panic!("{}", kind.name());
    };
    assert_eq!(form, None);
    let value = |factor: Option<&str>, has_code: bool| {
        pick(&choices, factor, has_code, &[]).map(|i| choices[i].value.as_str())
    };
    assert_eq!(value(None, false), Some("PhoneAppNotification"));
    assert_eq!(value(None, true), Some("PhoneAppOTP"));
    assert_eq!(value(Some("code"), false), Some("PhoneAppOTP"));
    assert_eq!(value(Some("sms"), false), Some("OneWaySMS"));
    assert_eq!(value(Some("call"), false), Some("TwoWayVoiceMobile"));
    assert_eq!(value(Some("push"), true), Some("PhoneAppNotification"));
    assert_eq!(choices[0].answer(), Answer::Push);
}

#[test]
fn the_push_view_has_no_form_and_its_number_is_read() {
    let push = view(
        "<div role=\"heading\" id=\"loginHeader\">Approve sign in request</div>\
         <div id=\"idDiv_SAOTCAS_Description\">Open your Authenticator app, and enter the number shown to sign in.</div>\
         <div id=\"idRichContext_DisplaySign\" class=\"displaySign\" aria-live=\"polite\">47</div>",
    );
    let (_, kind) = classify_page(AT, &push, &after_password(None));
    assert!(
        matches!(&kind, PageKind::Push { form: None, number: Some(n) } if n == "47"),
        "{}",
        kind.name()
    );
}

#[test]
fn a_wrong_code_is_a_refusal_in_entras_words() {
    let code = view(
        "<form name=\"f1\"><div id=\"idSpan_SAOTCC_Error_OTC\" role=\"alert\">You didn't enter the \
         expected verification code. Please try again.</div>\
         <input type=\"tel\" name=\"otc\" autocomplete=\"one-time-code\">\
         <input type=\"submit\" id=\"idSubmit_SAOTCC_Continue\" value=\"Verify\"></form>",
    );
    let (_, kind) = classify_page(AT, &code, &after_password(Some("otc")));
    assert!(
        matches!(&kind, PageKind::Rejected(w) if w.contains("expected verification code")),
        "{}",
        kind.name()
    );
    let fresh = code.replace(
        "You didn't enter the expected verification code. Please try again.",
        "",
    );
    let (_, kind) = classify_page(AT, &fresh, &after_password(None));
    assert!(
        matches!(&kind, PageKind::Mfa { field, .. } if field == "otc"),
        "{}",
        kind.name()
    );
}

#[test]
fn stay_signed_in_is_confirmed_and_pages_for_a_person_are_unsupported() {
    let kmsi = view(
        "<form name=\"f1\"><input type=\"hidden\" name=\"LoginOptions\" value=\"1\">\
         <input type=\"checkbox\" name=\"DontShowAgain\" id=\"KmsiCheckboxField\">\
         <input type=\"button\" id=\"idBtn_Back\" value=\"No\">\
         <input type=\"submit\" id=\"idSIButton9\" value=\"Yes\"></form>",
    );
    let (_, kind) = classify_page(AT, &kmsi, &after_password(None));
    assert!(matches!(kind, PageKind::Confirm { .. }), "{}", kind.name());
    for body in [
        "<div id=\"loginHeader\">Sign in with a passkey</div><div id=\"fidoDescription\">When you are prompted, use your passkey or security key to sign in.</div>",
        "<div id=\"loginHeader\">More information required</div><div>Your organization needs more information to keep your account secure</div><input type=\"submit\" id=\"idSIButton9\" value=\"Next\">",
        "<div id=\"loginHeader\">You can't get there from here</div><div>AADSTS53000: Device is not in required device state: compliant.</div><input type=\"submit\" id=\"idSIButton9\" value=\"Back\">",
    ] {
        let (name, kind) = classify_page(AT, &view(body), &after_password(None));
        assert_eq!(name, "entra");
        assert!(
            matches!(kind, PageKind::Unsupported(_)),
            "{body}: {}",
            kind.name()
        );
    }
}

/// Issue 18, section 7: Entra's page whose scripts could not run (its body kept `display: none`,
/// its `$Config` in a `//<![CDATA[` script) has no words to quote: never the script's source.
#[test]
fn a_page_whose_scripts_did_not_run_has_no_words_from_its_scripts() {
    let html = super::fixture("entra/scripts-not-run.html");
    let page = crate::idp::page::Page::parse(url::Url::parse(AT).unwrap(), 200, &html);
    assert_eq!(page.words(), "");
    let shown = html.replace(" style=\"display: none\"", "");
    let page = crate::idp::page::Page::parse(url::Url::parse(AT).unwrap(), 200, &shown);
    let words = page.words();
    for source in [
        "CDATA",
        "$Config",
        "flow-s3cret",
        "appendLog",
        "ko component",
    ] {
        assert!(!words.contains(source), "{source} in {words}");
    }
    let (name, kind) = classify_page(AT, &html, &Progress::default());
    assert_eq!(name, "entra");
    assert!(!matches!(kind, PageKind::Refresh(_)), "{kind:?}");
}
