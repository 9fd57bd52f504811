//! The Duo client through the engine, against the AD FS emulator whose second factor is the Duo
//! emulator's Universal Prompt.

use crate::exit::ExitKind;
use crate::idp::{IdpError, LoginRequest, sign_in_fresh};
use crate::testing::answers::ScriptedAnswers;
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::duo::{self, DuoConfig, DuoDevice, DuoEmulator, DuoUser, PushAnswer};
use samlbridge_emulators::saml::SamlRole;
use std::time::Duration;

const USER: &str = "duo-user@corp.example";
const PASSWORD: &str = "duo-Pass-1";

fn farm(user: DuoUser) -> (DuoEmulator, AdfsEmulator) {
    farm_with(DuoConfig::default(), user)
}

fn farm_with(config: DuoConfig, user: DuoUser) -> (DuoEmulator, AdfsEmulator) {
    let duo = DuoEmulator::start(config.user(user));
    let adfs = AdfsEmulator::start(
        AdfsConfig::default().duo(duo.service()).user(
            AdfsUser::new(USER, PASSWORD)
                .role(SamlRole::new(
                    "arn:aws:iam::111111111111:role/GatewayAdmin",
                    "arn:aws:iam::111111111111:saml-provider/CorpADFS",
                ))
                .duo(),
        ),
    );
    (duo, adfs)
}

async fn login(
    adfs: &AdfsEmulator,
    factor: Option<&str>,
    a: &mut ScriptedAnswers,
) -> Result<crate::saml::SamlAssertion, IdpError> {
    let req = LoginRequest {
        url: adfs.sign_in_url(),
        mfa_factor: factor.map(str::to_string),
        ..LoginRequest::default()
    };
    sign_in_fresh(&req, a).await
}

fn phone() -> DuoDevice {
    DuoDevice::phone("iPhone", "4321")
}

#[tokio::test]
async fn a_push_approved_after_a_while_gives_the_assertion() {
    let (duo, adfs) = farm(
        DuoUser::new(USER)
            .device(phone())
            .push_answer(PushAnswer::Approve(Duration::from_millis(300))),
    );
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let assertion = login(&adfs, None, &mut a).await;
    assert!(assertion.is_ok(), "{assertion:?}");
    assert_eq!(duo.pushes(), ["iPhone"]);
    assert!(duo.status_polls() >= 2);
    assert_eq!(duo.codes_exchanged(), 1);
    assert!(
        a.notices
            .iter()
            .any(|n| n.contains("Duo Push sent to iPhone (…4321)")),
        "{:?}",
        a.notices
    );
}

#[tokio::test]
async fn a_denied_push_is_refused_in_duos_words() {
    let (duo, adfs) = farm(
        DuoUser::new(USER)
            .device(phone())
            .push_answer(PushAnswer::Deny(Duration::from_millis(200))),
    );
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let err = login(&adfs, Some("push"), &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.to_string().contains(duo::DENIED), "{err}");
    assert_eq!(duo.codes_exchanged(), 0);
}

#[tokio::test]
async fn a_passcode_at_hand_is_used_and_a_wrong_one_refused() {
    let user = DuoUser::new(USER).device(phone()).passcode("123456");
    let (duo, adfs) = farm(user);
    let mut wrong = ScriptedAnswers::new(USER, PASSWORD, &["654321"]).with_codes_at_hand();
    let err = login(&adfs, None, &mut wrong).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.to_string().contains(duo::WRONG_PASSCODE), "{err}");
    let mut right = ScriptedAnswers::new(USER, PASSWORD, &["123456"]).with_codes_at_hand();
    assert!(login(&adfs, None, &mut right).await.is_ok());
    assert_eq!(duo.passcodes_tried(), ["654321", "123456"]);
    assert!(duo.pushes().is_empty());
}

#[tokio::test]
async fn a_factor_duo_does_not_offer_names_the_choices() {
    let (_duo, adfs) = farm(DuoUser::new(USER).device(phone().without_push()));
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let err = login(&adfs, Some("push"), &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    let text = err.to_string();
    assert!(text.contains("phone call to iPhone (…4321)"), "{text}");
    assert!(text.contains("passcode"), "{text}");
    assert!(text.contains("saml_mfa_factor"), "{text}");
    let (_duo, adfs) = farm(DuoUser::new(USER).device(DuoDevice::tablet("iPad")));
    let err = login(&adfs, Some("sms"), &mut a).await.unwrap_err();
    assert!(
        err.to_string().contains("offers: push to iPad, passcode"),
        "{err}"
    );
}

#[tokio::test]
async fn the_single_page_prompt_after_the_plugin_form_takes_a_push() {
    let user = DuoUser::new(USER)
        .device(phone())
        .push_answer(PushAnswer::Approve(Duration::from_millis(100)));
    let config = DuoConfig::default().single_page_after_plugin_form();
    let (duo, adfs) = farm_with(config, user);
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let assertion = login(&adfs, None, &mut a).await;
    assert!(assertion.is_ok(), "{assertion:?}");
    assert_eq!(duo.pushes(), ["iPhone"]);
    assert_eq!(duo.codes_exchanged(), 1);
}

#[tokio::test]
async fn an_older_prompt_without_json_data_is_read_from_its_page() {
    let user = DuoUser::new(USER)
        .device(phone().without_push())
        .device(DuoDevice::phone("iPad", "2222"))
        .push_answer(PushAnswer::Approve(Duration::from_millis(100)));
    let (duo, adfs) = farm_with(DuoConfig::default().without_prompt_data(), user);
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let assertion = login(&adfs, None, &mut a).await;
    assert!(assertion.is_ok(), "{assertion:?}");
    assert_eq!(duo.pushes(), ["iPad"], "the page's preferred device");
}

#[tokio::test]
async fn text_messages_on_the_single_page_prompt_name_what_works_instead() {
    let (duo, adfs) = farm_with(
        DuoConfig::default().single_page(),
        DuoUser::new(USER).device(phone()),
    );
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let err = login(&adfs, Some("sms"), &mut a).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.to_string().contains("push, phone or passcode"), "{err}");
    assert!(duo.texts().is_empty() && duo.pushes().is_empty());
}

#[tokio::test]
async fn a_bare_prompt_page_is_enough_with_the_frameless_pages_session() {
    // The plugin form's post answers only the preferred factor and device: no _xsrf, no device
    // list, no JSON data (all that aws-adfs reads).
    let user = DuoUser::new(USER)
        .device(phone())
        .push_answer(PushAnswer::Approve(Duration::from_millis(100)));
    let (duo, adfs) = farm_with(DuoConfig::default().bare_prompt(), user);
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    let assertion = login(&adfs, None, &mut a).await;
    assert!(assertion.is_ok(), "{assertion:?}");
    assert_eq!(duo.pushes(), ["iPhone"]);
    assert_eq!(duo.codes_exchanged(), 1);
}

#[test]
fn the_prompt_is_known_by_its_address_or_by_what_its_page_holds() {
    let page = |url: &str, body: &str| crate::idp::http::Fetched {
        url: url::Url::parse(url).unwrap(),
        status: 200,
        body: body.into(),
        date: None,
        offered: Default::default(),
    };
    let duo = "https://api-1.duosecurity.com";
    assert!(super::is_prompt(&page(
        &format!("{duo}/frame/frameless/v4/auth?sid=x&tx=y"),
        ""
    )));
    assert!(super::is_prompt(&page(
        &format!("{duo}/prompt/DIX?authkey=k"),
        ""
    )));
    assert!(!super::is_prompt(&page(&format!("{duo}/prompt/DIX"), "")));
    let root = r#"<div id="pwl-prompt-root" data-akey="DIX" data-authkey="k1"></div>"#;
    assert!(super::is_prompt(&page(&format!("{duo}/elsewhere"), root)));
    let plugin =
        r#"<form id="plugin_form" method="post"><input type="hidden" name="tx" value="t"></form>"#;
    assert!(super::is_prompt(&page(&format!("{duo}/elsewhere"), plugin)));
    // An IdP's own page with a look-alike form or attribute is not Duo's.
    let lookalike =
        r#"<form id="plugin_form"><input name="user"></form><div data-authkey="k"></div>"#;
    assert!(!super::is_prompt(&page(
        "https://idp.example/login",
        lookalike
    )));
    let odd_keys = r#"<div data-akey="D I" data-authkey="k'1"></div>"#;
    assert!(!super::is_prompt(&page(
        "https://idp.example/login",
        odd_keys
    )));
    for one_odd in [
        r#"<div data-akey="DIX" data-authkey="k'1"></div>"#,
        r#"<div data-akey="D I" data-authkey="k1"></div>"#,
    ] {
        let lookalike = page("https://idp.example/login", one_odd);
        assert!(!super::is_prompt(&lookalike), "{one_odd}");
    }
}

#[tokio::test]
async fn the_single_page_prompt_checks_a_passcode_at_once() {
    let user = DuoUser::new(USER).device(phone()).passcode("123456");
    let (duo, adfs) = farm_with(DuoConfig::default().single_page(), user);
    let mut wrong = ScriptedAnswers::new(USER, PASSWORD, &["654321"]).with_codes_at_hand();
    let err = login(&adfs, None, &mut wrong).await.unwrap_err();
    assert_eq!(err.exit_kind(), ExitKind::AuthRejected);
    assert!(err.to_string().contains(duo::WRONG_PASSCODE), "{err}");
    let mut right = ScriptedAnswers::new(USER, PASSWORD, &["123456"]).with_codes_at_hand();
    assert!(login(&adfs, None, &mut right).await.is_ok());
    assert_eq!(duo.passcodes_tried(), ["654321", "123456"]);
    assert_eq!(duo.codes_exchanged(), 1);
}

#[tokio::test]
async fn a_call_and_a_verified_push_are_told_once() {
    let user = DuoUser::new(USER)
        .device(phone())
        .call_answer(PushAnswer::Approve(Duration::from_millis(100)));
    let (_duo, adfs) = farm(user);
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    assert!(login(&adfs, Some("phone"), &mut a).await.is_ok());
    assert_eq!(
        a.notices,
        ["127.0.0.1: Duo is calling iPhone (…4321): answer it and press a key"]
    );
    let user = DuoUser::new(USER)
        .device(phone())
        .verified_push("735")
        .push_answer(PushAnswer::Approve(Duration::from_millis(1200)));
    let (_duo, adfs) = farm(user);
    let mut a = ScriptedAnswers::new(USER, PASSWORD, &[]);
    assert!(login(&adfs, None, &mut a).await.is_ok());
    let told: Vec<&String> = a
        .notices
        .iter()
        .filter(|n| n.contains("type 735"))
        .collect();
    assert_eq!(told.len(), 1, "{:?}", a.notices);
}
