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
