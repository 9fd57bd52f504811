//! The AD FS emulator itself, driven over HTTP the way a browser would: if it drifts from how AD FS
//! behaves, every end-to-end test built on it is worthless.

use crate::browser::{absolute, attr, browser, count, fetch, set_cookies, submit};
use crate::world::{self, ALICE, DANA, DANA_CODE, ERIN};
use base64::Engine as _;
use samlbridge_emulators::adfs::{AdfsEmulator, pages};
use samlbridge_emulators::saml;

#[tokio::test]
async fn adfs_signs_in_with_a_form_then_a_redirect_then_the_working_page() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains(
        "IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices&amp;client-request-id="
    ));
    assert_eq!(
        count(&login.body, "input[name=UserName]"),
        2,
        "login form + hidden options form"
    );
    assert_eq!(
        count(
            &login.body,
            "form#options input[name=UserName][type=hidden]"
        ),
        1
    );
    assert_eq!(count(&login.body, "span#submitButton"), 1);
    assert!(
        set_cookies(&login)
            .iter()
            .any(|c| c.starts_with("MSISContext=") && !c.contains("Secure"))
    );

    let fields = [
        ("UserName", ALICE.username),
        ("Password", ALICE.password),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let redirect = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(redirect.status, 302, "{}", redirect.body);
    assert!(
        set_cookies(&redirect)
            .iter()
            .any(|c| c.starts_with("MSISAuth="))
    );
    let location = redirect
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        location.starts_with("/adfs/ls/IdpInitiatedSignOn.aspx?"),
        "relative Location: {location}"
    );

    let working = fetch(c.get(absolute(&redirect.url, location))).await;
    assert!(working.body.contains("<title>Working...</title>"));
    assert_eq!(
        attr(&working.body, "form[name=hiddenform]", "action").as_deref(),
        Some("https://signin.aws.amazon.com:443/saml")
    );
    let value = attr(&working.body, "input[name=SAMLResponse]", "value").unwrap_or_default();
    assert!(value.contains("\r\n"), "the base64 is line-wrapped");
    let flat: String = value.split_whitespace().collect();
    assert_eq!(idp.issued_assertions(), vec![flat.clone()]);
    let xml = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&flat)
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let parsed = saml::parse_response(&xml).unwrap_or_default();
    assert_eq!(
        parsed.role_pairs(),
        vec![(
            world::GATEWAY_ADMIN.to_string(),
            world::PROVIDER.to_string()
        )]
    );
    assert_eq!(parsed.first(saml::SESSION_NAME_ATTR), Some(ALICE.username));
    assert_eq!(parsed.first(saml::SESSION_DURATION_ATTR), Some("28800"));
    assert_eq!(parsed.destination.as_deref(), Some(saml::AWS_SIGNIN));
    assert_eq!(parsed.recipient.as_deref(), Some(saml::AWS_SIGNIN));
    assert!(
        parsed
            .not_on_or_after
            .is_some_and(|t| t > time::OffsetDateTime::now_utc())
    );

    let again = fetch(c.get(idp.sign_in_url())).await;
    assert!(
        again.body.contains("name=\"SAMLResponse\""),
        "the session cookie skips the form"
    );
    assert_eq!(idp.issued_assertions().len(), 2);
}

#[tokio::test]
async fn adfs_answers_a_wrong_password_with_its_own_words() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [
        ("UserName", ALICE.username),
        ("Password", "nope"),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let again = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains(pages::WRONG_PASSWORD));
    assert!(again.body.contains("id=\"errorText\""));
    assert!(
        !set_cookies(&again)
            .iter()
            .any(|c| c.starts_with("MSISAuth="))
    );
}

#[tokio::test]
async fn adfs_rejects_the_options_forms_username_and_a_missing_context_cookie() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let twice = [
        ("UserName", ALICE.username),
        ("Password", ALICE.password),
        ("AuthMethod", "FormsAuthentication"),
        ("UserName", ""),
    ];
    let dup = submit(&c, &login, "loginForm", &twice).await;
    assert!(
        dup.body.contains(pages::ERROR_PAGE_TEXT) && dup.body.contains("Duplicate post parameter")
    );

    let cookieless = browser();
    let fields = [
        ("UserName", ALICE.username),
        ("Password", ALICE.password),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let lost = submit(&cookieless, &login, "loginForm", &fields).await;
    assert!(lost.body.contains(pages::ERROR_PAGE_TEXT), "{}", lost.body);
    assert!(idp.issued_assertions().is_empty());
}

#[tokio::test]
async fn adfs_asks_for_a_verification_code_bound_to_its_context() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [
        ("UserName", DANA.username),
        ("Password", DANA.password),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let mfa = submit(&c, &login, "loginForm", &fields).await;
    assert_eq!(
        count(&mfa.body, "input[name=VerificationCode]"),
        1,
        "{}",
        mfa.body
    );
    let context = attr(&mfa.body, "input[name=Context]", "value").unwrap_or_default();
    let method =
        attr(&mfa.body, "form#loginForm input[name=AuthMethod]", "value").unwrap_or_default();
    assert_eq!(method, "AzureMfaAuthentication");

    let wrong = [
        ("AuthMethod", method.as_str()),
        ("Context", context.as_str()),
        ("VerificationCode", "000000"),
    ];
    let retry = submit(&c, &mfa, "loginForm", &wrong).await;
    assert!(retry.body.contains(pages::WRONG_CODE));

    let no_context = [
        ("AuthMethod", method.as_str()),
        ("VerificationCode", DANA_CODE),
    ];
    let broken = submit(&c, &mfa, "loginForm", &no_context).await;
    assert!(broken.body.contains(pages::ERROR_PAGE_TEXT));

    let right = [
        ("AuthMethod", method.as_str()),
        ("Context", context.as_str()),
        ("VerificationCode", DANA_CODE),
    ];
    let done = submit(&c, &retry, "loginForm", &right).await;
    assert_eq!(done.status, 302, "{}", done.body);
}

#[tokio::test]
async fn adfs_2019_paginated_asks_the_username_then_the_password() {
    let idp = AdfsEmulator::start(world::users().paginated());
    let c = browser();
    let first = fetch(c.get(idp.sign_in_url())).await;
    assert_eq!(
        count(&first.body, "form#loginFormPaginated input[name=UserName]"),
        1
    );
    assert_eq!(count(&first.body, "input[name=Password]"), 0);
    let bad = submit(
        &c,
        &first,
        "loginFormPaginated",
        &[("UserName", "alice"), ("AuthMethod", "FormsAuthentication")],
    )
    .await;
    assert!(bad.body.contains("user@domain"));
    let second = submit(
        &c,
        &first,
        "loginFormPaginated",
        &[
            ("UserName", ALICE.username),
            ("AuthMethod", "FormsAuthentication"),
        ],
    )
    .await;
    assert_eq!(
        count(&second.body, "form#loginForm input[name=Password]"),
        1,
        "{}",
        second.body
    );
    let carried = attr(&second.body, "form#loginForm input[name=UserName]", "value");
    assert_eq!(carried.as_deref(), Some(ALICE.username));
    let fields = [
        ("UserName", ALICE.username),
        ("Password", ALICE.password),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let done = submit(&c, &second, "loginForm", &fields).await;
    assert_eq!(done.status, 302, "{}", done.body);
}

#[tokio::test]
async fn adfs_can_answer_with_a_page_nobody_expects() {
    let idp = AdfsEmulator::start(world::users());
    let c = browser();
    let login = fetch(c.get(idp.sign_in_url())).await;
    let fields = [
        ("UserName", ERIN.username),
        ("Password", ERIN.password),
        ("AuthMethod", "FormsAuthentication"),
    ];
    let page = submit(&c, &login, "loginForm", &fields).await;
    assert!(page.body.contains("<title>Scheduled maintenance</title>"));
    assert_eq!(count(&page.body, "form"), 0);
}
