//! Which way to verify is taken: `saml_mfa_factor` first, then a code when one is at hand, else a
//! phone, never one only a browser can do (issue 7, section 5).

use super::*;

fn choice(value: &str, label: &str) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
        field: None,
        argument: None,
    }
}

fn offered() -> Vec<Choice> {
    vec![
        choice("DuoAdfsAdapter", "Duo Security"),
        choice("AzureMfaServerAuthentication", "Call my phone"),
        choice("SymantecVipAdapter", "Symantec VIP"),
        choice("SmsOtp", "Send a text message"),
        choice(
            "CertificateAuthentication",
            "Sign in using an X.509 certificate",
        ),
    ]
}

#[test]
fn each_choice_says_what_answering_it_takes() {
    let answers: Vec<Answer> = offered().iter().map(Choice::answer).collect();
    assert_eq!(
        answers,
        [
            Answer::Browser,
            Answer::Push,
            Answer::Code,
            Answer::Sent,
            Answer::Browser
        ]
    );
    assert_eq!(choice("push", "push").answer(), Answer::Push);
    assert_eq!(choice("token", "token").answer(), Answer::Code);
    assert_eq!(
        choice(
            "AzureMfaAuthentication",
            "Approve a request on my Microsoft Authenticator app"
        )
        .answer(),
        Answer::Push
    );
    assert_eq!(
        choice(
            "AzureMfaAuthentication",
            "Use a verification code from my mobile app"
        )
        .answer(),
        Answer::Code
    );
}

#[test]
fn the_factor_then_a_code_at_hand_then_a_phone() {
    let c = offered();
    assert_eq!(pick(&c, None, true, &[]), Some(2));
    assert_eq!(pick(&c, None, false, &[]), Some(1));
    assert_eq!(pick(&c, Some("sms"), false, &[]), Some(3));
    assert_eq!(pick(&c, Some("SymantecVipAdapter"), false, &[]), Some(2));
    assert_eq!(pick(&c, Some("push"), true, &[]), Some(1));
    assert_eq!(pick(&c, Some("totp/google"), false, &[]), Some(2));
    // A factor the page does not offer falls back to the usual order.
    assert_eq!(pick(&c, Some("email"), true, &[]), Some(2));
    // A choice already taken is not taken again; only browser ones left: none.
    let tried = ["AzureMfaServerAuthentication".to_string()];
    assert_eq!(pick(&c, None, false, &tried), Some(2));
    let tried: Vec<String> = [
        "AzureMfaServerAuthentication",
        "SymantecVipAdapter",
        "SmsOtp",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(pick(&c, None, false, &tried), None);
}

#[test]
fn script_calls_give_the_value_and_argument() {
    assert_eq!(
        script_call("return SelectOption('AzureMfaAuthentication');"),
        Some(("SelectOption".into(), vec!["AzureMfaAuthentication".into()]))
    );
    assert_eq!(
        script_call("javascript:__doPostBack(\"ctl00$Mfa\", '')"),
        Some((
            "__doPostBack".into(),
            vec!["ctl00$Mfa".into(), String::new()]
        ))
    );
    assert_eq!(script_call("return Paginated.next();"), None);
}

fn form_of(html: &str) -> Form {
    let url = url::Url::parse("https://idp.example/mfa").unwrap();
    crate::idp::page::Page::parse(url, 200, html)
        .forms()
        .remove(0)
}

#[test]
fn a_method_select_or_radio_group_is_a_chooser_but_device_radios_are_not() {
    let select = form_of(
        r#"<form><SELECT NAME="MfaMethod"><OPTION VALUE="push">Envoyer une notification</OPTION>
        <OPTION VALUE="token" SELECTED>Code</OPTION></SELECT><input name=mfatoken></form>"#,
    );
    let (field, choices) = method_select(&select).unwrap();
    assert_eq!(field.name, "MfaMethod");
    assert_eq!(choices[0].answer(), Answer::Push);
    let radios = form_of(
        r#"<form><label><input type=radio name=method value=push checked> Push notification</label>
        <label><input type=radio name=method value=otp> One-time passcode</label><input name=code></form>"#,
    );
    let (field, choices) = method_select(&radios).unwrap();
    assert_eq!((field.name.as_str(), choices.len()), ("method", 2));
    // Keycloak's OTP devices: radios named after phones, not ways to verify.
    let devices = form_of(
        r#"<form><label><input type=radio name=selectedCredentialId value=a checked> iPhone</label>
        <label><input type=radio name=selectedCredentialId value=b> Authenticator on my tablet</label>
        <input name=otp></form>"#,
    );
    assert!(method_select(&devices).is_none());
    let language = form_of(
        r#"<form><select name=lang><option>English</option><option>Deutsch</option></select><input name=otp></form>"#,
    );
    assert!(method_select(&language).is_none());
}

/// Issue 18, section 7: a page matching a choose rule whose only "options" cannot be pressed (a
/// hidden input with a script, a hidden tile, the form itself) offers no choice.
#[test]
fn only_what_a_person_can_press_is_a_choice() {
    let choices = |body: &str| {
        let html = format!("<html><body>{body}</body></html>");
        let page = Page::parse(
            url::Url::parse("https://idp.example/mfa").unwrap(),
            200,
            &html,
        );
        let sel = scraper::Selector::parse("#authOptions [onclick], #authOptions form").unwrap();
        page.select(&sel).filter_map(choice_of).count()
    };
    let hidden_only = r#"<div id="authOptions"><form id="options" onclick="SelectOption('x')">
        <input id="optionSelection" type="hidden" name="AuthMethod" onclick="SelectOption('SecurIDAuthentication')">
        <div hidden><span onclick="return SelectOption('AzureMfaAuthentication')">Azure</span></div>
        <div style="display: none" onclick="return SelectOption('Sms')">SMS</div></form></div>"#;
    assert_eq!(choices(hidden_only), 0);
    let one = r#"<div id="authOptions"><form id="options"><input type="hidden" name="AuthMethod">
        <div class="idp" role="button" onclick="return SelectOption('SymantecVipAdapter')">VIP</div></form></div>"#;
    assert_eq!(choices(one), 1);
}

#[test]
fn duos_own_factor_names_are_a_push_and_a_code_but_duo_alone_needs_a_browser() {
    // Issue 20: the options of Duo's prompt, as its "Other options" list shows them.
    let push = choice(
        "auth-method-push-phone1",
        "Duo Push Send a request to iPhone",
    );
    let passcode = choice("auth-method-mobile-otp", "Duo Mobile passcode Enter a code");
    assert_eq!(push.answer(), Answer::Push);
    assert_eq!(passcode.answer(), Answer::Code);
    // An IdP's method that hands over to Duo is still one only a browser passes.
    assert_eq!(
        choice("DuoAdfsAdapter", "Duo Security").answer(),
        Answer::Browser
    );
    assert_eq!(choice("DuoPush", "Duo Push").answer(), Answer::Browser);
    let both = [push, passcode];
    assert_eq!(pick(&both, None, false, &[]), Some(0));
    assert_eq!(pick(&both, None, true, &[]), Some(1));
    assert_eq!(pick(&both, Some("passcode"), false, &[]), Some(1));
    assert_eq!(pick(&both, Some("totp"), false, &[]), Some(1));
}

#[test]
fn a_code_is_wanted_when_the_factor_names_one_or_a_code_is_at_hand() {
    for factor in ["passcode", "code", " TOTP ", "token", "totp/google"] {
        assert!(wants_code(Some(factor), false), "{factor}");
    }
    for factor in ["push", "call", "sms"] {
        assert!(!wants_code(Some(factor), true), "{factor}");
    }
    assert!(wants_code(None, true));
    assert!(wants_code(Some("duo"), true));
    assert!(!wants_code(None, false));
    assert!(!wants_code(Some(""), false));
}
