//! The Entra emulator itself (tests/support/entra), proven without samlbridge: its JSON endpoints
//! over plain HTTP, and its pages in a real headless Chromium driven by DevTools steps (type into
//! `loginfmt`, click `idSIButton9`…), each flow ending in the SAMLResponse POST to AWS, which the
//! driver takes as samlbridge would. If it drifts from Entra's sign-in, the Entra provider's tests
//! prove nothing.

use crate::browser_signin::have_chromium;
use base64::Engine as _;
use chrome::{Chrome, profile};
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::entra::{
    AccountState, EntraConfig, EntraEmulator, EntraUser, Method, PushAnswer, SignIn, pages, totp,
};
use samlbridge_emulators::saml::{self, SamlRole};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Entra";
const TOTP_SECRET: &[u8] = b"entra-emulator-totp-secret";
const SMS_CODE: &str = "482913";
const WAIT: Duration = Duration::from_secs(20);

fn user(name: &str) -> EntraUser {
    EntraUser::new(name, "Corr3ct-horse", vec![SamlRole::new(ROLE, PROVIDER)])
}

/// Every kind of account the emulator knows.
fn tenant() -> EntraConfig {
    EntraConfig::default()
        .user(user("alice@corp.example"))
        .user(user("bob@corp.example"))
        .user(user("carol@corp.example").totp(TOTP_SECRET))
        .user(user("pat@corp.example").push(PushAnswer::ApproveAfterPolls(3)))
        .user(user("denis@corp.example").push(PushAnswer::DenyAfterPolls(2)))
        .user(user("tim@corp.example").push(PushAnswer::Never))
        .user(
            user("maya@corp.example")
                .push(PushAnswer::Manual)
                .totp(TOTP_SECRET)
                .method(Method::Sms {
                    phone: "+1 555 0100 42".into(),
                    code: SMS_CODE.into(),
                }),
        )
        .user(user("lou@corp.example").locked())
        .user(user("exa@corp.example").password_expired())
        .user(user("kim@corp.example").passkey_only())
        .user(user("reg@corp.example").state(AccountState::NeedsRegistration))
        .user(user("dev@corp.example").state(AccountState::DeviceNotCompliant))
        .push_timeout_polls(4)
        .poll_interval(Duration::from_millis(200))
}

fn assert_aws_role(taken: &saml::ParsedResponse, username: &str) {
    assert_eq!(taken.destination.as_deref(), Some(saml::AWS_SIGNIN));
    assert_eq!(
        taken.role_pairs(),
        vec![(ROLE.to_string(), PROVIDER.to_string())]
    );
    assert_eq!(taken.first(saml::SESSION_NAME_ATTR), Some(username));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_password_then_stay_signed_in_then_silent_after_a_browser_restart() {
    if !have_chromium("entra_password_then_stay_signed_in") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    assert!(chrome.text().await.starts_with("Sign in to your account"));
    assert_eq!(
        chrome
            .eval("document.documentElement.outerHTML.includes('$Config=')")
            .await,
        true
    );
    chrome
        .password_sign_in("alice@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    assert!(chrome.text().await.contains("Stay signed in?"));
    assert!(chrome.text().await.contains("Don't show this again"));
    chrome.click("#idSIButton9").await;
    assert_aws_role(&chrome.taken().await, "alice@corp.example");
    assert!(idp.kmsi_answers()[0].stay_signed_in);
    chrome.close(dir.path()).await;

    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    assert_aws_role(&chrome.taken().await, "alice@corp.example");
    chrome.close(dir.path()).await;
    let sign_ins = idp.sign_ins();
    assert_eq!(sign_ins.len(), 2);
    assert!(!sign_ins[0].silent && sign_ins[1].silent, "{sign_ins:?}");
    assert_eq!(
        idp.password_posts(),
        1,
        "the second sign-in asked no password"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_no_on_stay_signed_in_keeps_no_session_across_a_restart() {
    if !have_chromium("entra_no_on_stay_signed_in") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("bob@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idBtn_Back").await;
    assert_aws_role(&chrome.taken().await, "bob@corp.example");
    chrome.close(dir.path()).await;

    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome.expect("input[name=loginfmt]").await;
    assert_eq!(chrome.posts().await, 0);
    chrome.close(dir.path()).await;
    assert!(!idp.kmsi_answers()[0].stay_signed_in);
    assert_eq!(idp.sign_ins().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_refusals_are_entras_words() {
    if !have_chromium("entra_refusals") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "nobody@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert_eq!(
        chrome.words_of("#usernameError").await,
        pages::UNKNOWN_ACCOUNT
    );

    chrome.open(&idp.sign_in_url()).await;
    chrome.password_sign_in("alice@corp.example", "wrong").await;
    assert_eq!(
        chrome.words_of("#passwordError").await,
        pages::WRONG_PASSWORD
    );
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50126");
    // and the password page after a refusal still signs in
    chrome.fill("input[name=passwd]", "Corr3ct-horse").await;
    chrome.click("#idSIButton9").await;
    chrome.expect("#KmsiCheckboxField").await;

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("lou@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(chrome.words_of("#passwordError").await, pages::LOCKED);
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50053");

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("exa@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#passwordError").await,
        pages::PASSWORD_EXPIRED
    );
    assert!(chrome.text().await.contains("Update your password"));
    assert_eq!(chrome.eval("$Config.sErrorCode").await, "50055");
    assert_eq!(chrome.posts().await, 0);
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_registration_and_a_device_block_are_pages_for_a_person() {
    if !have_chromium("entra_pages_for_a_person") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("reg@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idDiv_ProofUp_Description").await;
    let text = chrome.text().await;
    assert!(
        text.contains("More information required") && text.contains(pages::MORE_INFORMATION),
        "{text}"
    );
    chrome.click("#idSIButton9").await;
    assert!(
        chrome
            .until("document.body.innerText.includes('AADSTS50079')")
            .await
    );

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("dev@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_Error").await,
        pages::DEVICE_NOT_COMPLIANT
    );
    let text = chrome.text().await;
    assert!(
        text.contains("You can't get there from here") && text.contains("Error Code: 53000"),
        "{text}"
    );
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_authenticator_code_wrong_then_right() {
    if !have_chromium("entra_authenticator_code") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("carol@corp.example", "Corr3ct-horse")
        .await;
    chrome.fill("input[name=otc]", "000000").await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_eq!(
        chrome.words_of("#idSpan_SAOTCC_Error_OTC").await,
        pages::WRONG_CODE
    );
    chrome
        .fill("input[name=otc]", &totp::code_now(TOTP_SECRET))
        .await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_aws_role(&chrome.taken().await, "carol@corp.example");
    chrome.close(dir.path()).await;
    let expected = SignIn {
        username: "carol@corp.example".into(),
        silent: false,
        method: Some("PhoneAppOTP".into()),
    };
    assert_eq!(idp.sign_ins(), vec![expected]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_push_shows_the_number_and_is_approved_after_three_polls() {
    if !have_chromium("entra_push_approved") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("pat@corp.example", "Corr3ct-horse")
        .await;
    let shown = chrome.words_of("#idRichContext_DisplaySign").await;
    assert!(chrome.text().await.contains("Approve sign in request"));
    assert_eq!(shown, idp.numbers_shown()[0].to_string());
    assert_aws_role(&chrome.taken().await, "pat@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.polls("pat@corp.example"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_push_denied_or_unanswered_ends_in_words() {
    if !have_chromium("entra_push_denied") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("denis@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_SAASDS_Error").await,
        pages::PUSH_DENIED
    );
    assert!(chrome.text().await.contains("Request denied"));

    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("tim@corp.example", "Corr3ct-horse")
        .await;
    assert_eq!(
        chrome.words_of("#idDiv_SAASDS_Error").await,
        pages::PUSH_TIMED_OUT
    );
    chrome.close(dir.path()).await;
    assert_eq!(idp.polls("denis@corp.example"), 2);
    assert_eq!(idp.polls("tim@corp.example"), 4);
    assert!(idp.sign_ins().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_sign_in_another_way_lists_the_methods_and_a_texted_code_signs_in() {
    if !have_chromium("entra_method_list") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("maya@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idRichContext_DisplaySign").await;
    chrome.click("#signInAnotherWay").await;
    chrome.expect("[data-value=OneWaySMS]").await;
    let text = chrome.text().await;
    assert!(text.contains("Verify your identity"), "{text}");
    for entry in [
        "Approve a request on my Microsoft Authenticator app",
        "Use a verification code",
        "Text +X XXXXXXX42",
    ] {
        assert!(text.contains(entry), "{entry} missing: {text}");
    }
    chrome.click("[data-value=OneWaySMS]").await;
    chrome.expect("input[name=otc]").await;
    assert!(
        chrome
            .text()
            .await
            .contains("We texted your phone +X XXXXXXX42")
    );
    chrome.fill("input[name=otc]", SMS_CODE).await;
    chrome.click("#idSubmit_SAOTCC_Continue").await;
    assert_aws_role(&chrome.taken().await, "maya@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("OneWaySMS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_a_push_the_test_approves() {
    if !have_chromium("entra_push_manual") {
        return;
    }
    let idp = EntraEmulator::start(tenant().without_kmsi().push_timeout_polls(200));
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("maya@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#idRichContext_DisplaySign").await;
    assert!(
        chrome
            .until("document.body.innerText.includes('Sign in another way')")
            .await
    );
    assert!(chrome.posts().await == 0);
    idp.approve_push("maya@corp.example");
    assert_aws_role(&chrome.taken().await, "maya@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(
        idp.sign_ins()[0].method.as_deref(),
        Some("PhoneAppNotification")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_passkey_only_account_asks_the_browser_for_a_passkey() {
    if !have_chromium("entra_passkey_only") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "kim@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert!(
        chrome.until("window.__webauthn === true").await,
        "{}",
        chrome.text().await
    );
    let text = chrome.text().await;
    assert!(
        text.contains("Sign in with a passkey") && text.contains("security key"),
        "{text}"
    );
    assert_eq!(
        chrome
            .eval("!!document.querySelector('input[name=passwd]')")
            .await,
        false
    );
    chrome.close(dir.path()).await;
    assert!(idp.sign_ins().is_empty());
}

/// What a person with a passkey does in window mode, done by Chromium's virtual authenticator (a
/// passkey's relying party must be a domain name: the page is opened on `localhost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_passkey_signs_in_with_a_virtual_authenticator() {
    use chromiumoxide::Binary;
    use chromiumoxide::cdp::browser_protocol::web_authn::{
        AddCredentialParams, AddVirtualAuthenticatorParams, AuthenticatorProtocol,
        AuthenticatorTransport, Credential, EnableParams, VirtualAuthenticatorOptions,
    };
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
    if !have_chromium("entra_passkey_virtual_authenticator") {
        return;
    }
    let b64 = |bytes: &[u8]| Binary::from(base64::engine::general_purpose::STANDARD.encode(bytes));
    let idp = EntraEmulator::start(tenant().without_kmsi());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome
        .page
        .execute(EnableParams::default())
        .await
        .expect("WebAuthn.enable");
    let options = VirtualAuthenticatorOptions::builder()
        .protocol(AuthenticatorProtocol::Ctap2)
        .transport(AuthenticatorTransport::Internal)
        .has_resident_key(true)
        .has_user_verification(true)
        .is_user_verified(true)
        .automatic_presence_simulation(true)
        .build()
        .expect("authenticator options");
    let added = chrome
        .page
        .execute(AddVirtualAuthenticatorParams::new(options))
        .await
        .expect("a virtual authenticator");
    let key = EcdsaKeyPair::generate_pkcs8(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        &ring::rand::SystemRandom::new(),
    )
    .expect("a P-256 key");
    let credential = Credential::builder()
        .credential_id(b64(b"kim-passkey-1"))
        .is_resident_credential(true)
        .rp_id("localhost")
        .private_key(b64(key.as_ref()))
        .user_handle(b64(b"kim"))
        .sign_count(0)
        .build()
        .expect("a credential");
    chrome
        .page
        .execute(AddCredentialParams::new(
            added.result.authenticator_id.clone(),
            credential,
        ))
        .await
        .expect("the passkey");
    chrome
        .open(&idp.sign_in_url().replace("127.0.0.1", "localhost"))
        .await;
    chrome
        .fill("input[name=loginfmt]", "kim@corp.example")
        .await;
    chrome.click("#idSIButton9").await;
    assert_aws_role(&chrome.taken().await, "kim@corp.example");
    chrome.close(dir.path()).await;
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("PasskeyFido"));
    assert_eq!(idp.password_posts(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_pick_an_account_when_the_session_knows_two() {
    if !have_chromium("entra_pick_an_account") {
        return;
    }
    let idp = EntraEmulator::start(tenant());
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .password_sign_in("alice@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    chrome.taken().await;
    chrome
        .open(&format!("{}&prompt=login", idp.sign_in_url()))
        .await;
    chrome
        .password_sign_in("bob@corp.example", "Corr3ct-horse")
        .await;
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    assert!(chrome.until("document.title === 'AWS (taken)'").await);

    chrome.open(&idp.sign_in_url()).await;
    chrome.expect("[data-test-id='bob@corp.example']").await;
    let text = chrome.text().await;
    assert!(
        text.contains("Pick an account") && text.contains("alice@corp.example"),
        "{text}"
    );
    assert!(text.contains("Use another account"), "{text}");
    chrome.click("[data-test-id='bob@corp.example']").await;
    assert!(chrome.until("document.title === 'AWS (taken)'").await);
    chrome.close(dir.path()).await;
    let last = idp.sign_ins().pop().expect("sign-ins");
    assert_eq!(
        (last.username.as_str(), last.silent),
        ("bob@corp.example", true)
    );
    assert_eq!(idp.password_posts(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_federated_domain_goes_to_adfs_and_comes_back() {
    if !have_chromium("entra_federated_domain") {
        return;
    }
    let adfs = AdfsEmulator::start(AdfsConfig::default().federated_behind_entra().user(
        AdfsUser::new("fed@fabrikam.example", "Adfs-pa55").role(SamlRole::new(ROLE, PROVIDER)),
    ));
    let idp = EntraEmulator::start(
        tenant().user(user("fed@fabrikam.example").federated(&adfs.sign_in_url())),
    );
    let dir = profile();
    let chrome = Chrome::launch(dir.path()).await;
    chrome.open(&idp.sign_in_url()).await;
    chrome
        .fill("input[name=loginfmt]", "fed@fabrikam.example")
        .await;
    chrome.click("#idSIButton9").await;
    chrome.fill("#userNameInput", "fed@fabrikam.example").await;
    chrome.fill("#passwordInput", "Adfs-pa55").await;
    // the AD FS emulator's "Sign in" has no script of its own: the form is posted as a client does
    assert!(
        chrome
            .until("(document.getElementById('loginForm').submit(), true)")
            .await
    );
    chrome.expect("#KmsiCheckboxField").await;
    chrome.click("#idSIButton9").await;
    let taken = chrome.taken().await;
    assert_aws_role(&taken, "fed@fabrikam.example");
    assert!(
        taken
            .issuer
            .as_deref()
            .unwrap_or_default()
            .starts_with("https://sts.windows.net/"),
        "{:?}",
        taken.issuer
    );
    chrome.close(dir.path()).await;
    assert_eq!(adfs.issued_assertions().len(), 1);
    assert_eq!(idp.sign_ins()[0].method.as_deref(), Some("Federated"));
    assert_eq!(idp.password_posts(), 0);
}

mod chrome;
mod over_http;
