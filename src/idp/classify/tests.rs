use super::*;
use url::Url;

const ADFS: &str =
    "https://adfs.corp.example/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const SSP: &str = "http://127.0.0.1:18080/module.php/core/loginuserpass.php?AuthState=x";
const GENERIC: &str = "https://sso.example/login";

/// The provider detected for the page and what the page is.
fn kind_of(url: &str, html: &str, progress: &Progress) -> (String, PageKind) {
    let providers = Providers::load(None).unwrap();
    let page = Page::parse(Url::parse(url).unwrap(), 200, html);
    let provider = detect(&providers, &page, None).unwrap();
    let forms = page.forms();
    (
        provider.name.clone(),
        classify(&page, &forms, provider, progress),
    )
}

fn sent_password() -> Progress {
    Progress {
        sent_username: true,
        sent_password: true,
        sent_code: None,
        ..Progress::default()
    }
}

fn login_fields(kind: &PageKind) -> (usize, Option<&str>, Option<&str>) {
    match kind {
        PageKind::Login {
            form,
            username,
            password,
        } => (*form, username.as_deref(), password.as_deref()),
        other => panic!("not a login page: {other:?}"),
    }
}

#[test]
fn adfs_login_picks_the_login_form_not_the_options_form() {
    let html = include_str!("../../../tests/fixtures/adfs/login.html");
    let (provider, kind) = kind_of(ADFS, html, &Progress::default());
    assert_eq!(provider, "adfs");
    assert_eq!(login_fields(&kind), (0, Some("UserName"), Some("Password")));
    // Detected by its selectors too, wherever it lives.
    let (provider, _) = kind_of("https://login.corp.example/", html, &Progress::default());
    assert_eq!(provider, "adfs");
}

#[test]
fn adfs_wrong_password_is_rejected_with_its_words() {
    let html = include_str!("../../../tests/fixtures/adfs/wrong-password.html");
    let (_, kind) = kind_of(ADFS, html, &sent_password());
    let PageKind::Rejected(words) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(
        words,
        "Incorrect user ID or password. Type the correct user ID and password, and try again."
    );
    // Before anything was sent, an error element is not an answer to us.
    let (_, kind) = kind_of(ADFS, html, &Progress::default());
    assert!(matches!(kind, PageKind::Login { .. }), "{kind:?}");
}

#[test]
fn the_same_login_form_after_the_password_is_a_refusal() {
    let html = include_str!("../../../tests/fixtures/adfs/login.html");
    let (_, kind) = kind_of(ADFS, html, &sent_password());
    let PageKind::Rejected(words) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(words, "the IdP showed its sign-in form again");
}

#[test]
fn adfs_mfa_page_asks_for_the_code_with_its_label() {
    let html = include_str!("../../../tests/fixtures/adfs/mfa-code.html");
    let (_, kind) = kind_of(ADFS, html, &sent_password());
    let PageKind::Mfa {
        form, field, label, ..
    } = kind
    else {
        panic!("{kind:?}")
    };
    assert_eq!((form, field.as_str()), (0, "VerificationCode"));
    assert_eq!(
        label,
        "Enter the verification code sent to your mobile device"
    );
}

#[test]
fn a_wrong_code_is_rejected_with_the_idps_words_or_because_it_is_asked_again() {
    let mut progress = sent_password();
    progress.sent_code = Some("VerificationCode".into());
    let wrong = include_str!("../../../tests/fixtures/adfs/mfa-wrong-code.html");
    let (_, kind) = kind_of(ADFS, wrong, &progress);
    let PageKind::Rejected(words) = kind else {
        panic!("{kind:?}")
    };
    assert_eq!(
        words,
        "The verification code you entered is incorrect. Try again."
    );
    let again = include_str!("../../../tests/fixtures/adfs/mfa-code.html");
    let (_, kind) = kind_of(ADFS, again, &progress);
    assert!(
        matches!(&kind, PageKind::Rejected(w) if w.contains("code was not accepted")),
        "{kind:?}"
    );
}

#[test]
fn adfs_paginated_username_page_then_password_page() {
    let user_page = include_str!("../../../tests/fixtures/adfs/paginated-username.html");
    let (_, kind) = kind_of(ADFS, user_page, &Progress::default());
    // The options form comes first on this page and holds a UserName too: never it.
    assert_eq!(login_fields(&kind), (1, Some("UserName"), None));
    let after_username = Progress {
        sent_username: true,
        ..Progress::default()
    };
    let (_, kind) = kind_of(ADFS, user_page, &after_username);
    assert!(matches!(kind, PageKind::Rejected(_)), "{kind:?}");

    let pass_page = include_str!("../../../tests/fixtures/adfs/paginated-password.html");
    let (_, kind) = kind_of(ADFS, pass_page, &after_username);
    assert_eq!(login_fields(&kind), (0, Some("UserName"), Some("Password")));
}

#[test]
fn the_working_page_carries_the_assertion() {
    let html = include_str!("../../../tests/fixtures/adfs/working.html");
    let (_, kind) = kind_of(ADFS, html, &sent_password());
    let PageKind::Assertion(a) = kind else {
        panic!("{kind:?}")
    };
    assert!(a.base64().expose().starts_with("PHNhbWxwOlJlc3BvbnNl"));
}

#[test]
fn adfs_push_page_waits_with_the_number() {
    let html = include_str!("../../../tests/fixtures/adfs/push.html");
    let (_, kind) = kind_of(ADFS, html, &sent_password());
    assert!(
        matches!(&kind, PageKind::Push { form: Some(0), number: Some(n) } if n == "42"),
        "{kind:?}"
    );
}

#[test]
fn simplesamlphp_pages() {
    let login = include_str!("../../../tests/fixtures/simplesamlphp/login.html");
    let (provider, kind) = kind_of(SSP, login, &Progress::default());
    assert_eq!(provider, "simplesamlphp");
    assert_eq!(login_fields(&kind), (0, Some("username"), Some("password")));

    let wrong = include_str!("../../../tests/fixtures/simplesamlphp/wrong-password.html");
    let (_, kind) = kind_of(SSP, wrong, &sent_password());
    assert!(
        matches!(&kind, PageKind::Rejected(w) if w == "Incorrect username or password"),
        "{kind:?}"
    );

    let done = include_str!("../../../tests/fixtures/simplesamlphp/post-response.html");
    let (_, kind) = kind_of(SSP, done, &sent_password());
    assert!(matches!(kind, PageKind::Assertion(_)), "{kind:?}");
}

#[test]
fn generic_pages() {
    let login = include_str!("../../../tests/fixtures/generic/login.html");
    let (provider, kind) = kind_of(GENERIC, login, &Progress::default());
    assert_eq!(provider, "generic");
    // The search form above it has a text field but no password: not the login form.
    assert_eq!(login_fields(&kind), (1, Some("login"), Some("secret")));

    let otp = include_str!("../../../tests/fixtures/generic/otp.html");
    let (_, kind) = kind_of(GENERIC, otp, &sent_password());
    assert!(
        matches!(&kind, PageKind::Mfa { field, label, .. }
            if field == "code" && label == "Code from your authenticator app"),
        "{kind:?}"
    );

    let hop = include_str!("../../../tests/fixtures/generic/saml-post-hop.html");
    let (_, kind) = kind_of(GENERIC, hop, &sent_password());
    assert!(
        matches!(
            kind,
            PageKind::AutoPost {
                form: 0,
                press: false
            }
        ),
        "{kind:?}"
    );

    let refresh = include_str!("../../../tests/fixtures/generic/refresh.html");
    let (_, kind) = kind_of(GENERIC, refresh, &Progress::default());
    assert!(matches!(kind, PageKind::Refresh(_)), "{kind:?}");

    let portal = include_str!("../../../tests/fixtures/generic/portal.html");
    let (_, kind) = kind_of(GENERIC, portal, &Progress::default());
    assert!(matches!(kind, PageKind::Unknown(_)), "{kind:?}");
}

#[test]
fn a_generic_username_page_needs_a_username_named_field_alone() {
    let html = r#"<form method=post><input name=email type=email><button>Next</button></form>"#;
    let (_, kind) = kind_of(GENERIC, html, &Progress::default());
    assert_eq!(login_fields(&kind), (0, Some("email"), None));
    let search = r#"<form><input name=q><button>Go</button></form>"#;
    let (_, kind) = kind_of(GENERIC, search, &Progress::default());
    assert!(matches!(kind, PageKind::Unknown(_)), "{kind:?}");
}

/// LemonLDAP::NG writes a code, not words (`<span trmsg="5">`); a provider file maps it.
#[test]
fn error_codes_map_to_words() {
    let text = r##"
        [[errors.codes]]
        selector = "#errormsg span[trmsg]"
        attribute = "trmsg"
        messages = { "5" = "Wrong username or password", "96" = "Wrong code" }
        ignore = ["9"]
    "##;
    let provider = super::super::provider::parse("ll", text, std::path::Path::new("ll")).unwrap();
    let page_with = |code: &str| {
        let html = format!(
            r#"<div id="errormsg"><div class="message message-negative alert"><span trmsg="{code}"></span></div></div>"#
        );
        Page::parse(Url::parse(GENERIC).unwrap(), 200, &html)
    };
    let words = |code: &str| error_words(&page_with(code), &provider.errors);
    assert_eq!(words("5").as_deref(), Some("Wrong username or password"));
    assert_eq!(words("96").as_deref(), Some("Wrong code"));
    assert_eq!(words("77").as_deref(), Some("error code 77"));
    assert_eq!(words("9"), None);
}

#[test]
fn long_error_text_is_capped() {
    let long = "word ".repeat(100);
    let capped = cap(&long);
    assert_eq!(capped.chars().count(), MAX_MESSAGE_CHARS + 1);
    assert!(capped.ends_with('…'));
}

/// The generic file takes a field named like a code for a code field, but not on a sign-in form.
#[test]
fn generic_code_fields_by_name() {
    let html = r#"<title>Verify</title><form method=post action=/v>
        <input type=hidden name=state value=s1><input name=twoFactorCode inputmode=numeric>
        <button>Verify</button></form>"#;
    let (_, kind) = kind_of(GENERIC, html, &sent_password());
    assert!(
        matches!(&kind, PageKind::Mfa { field, .. } if field == "twoFactorCode"),
        "{kind:?}"
    );
    let login = r#"<form method=post><input name=email><input name=password type=password>
        <input name=captcha_code><button>Go</button></form>"#;
    let (_, kind) = kind_of(GENERIC, login, &Progress::default());
    assert_eq!(login_fields(&kind), (0, Some("email"), Some("password")));
}

/// Issue 7, section 5: a form with nothing to fill in is posted as a browser would: by its script
/// (an empty form too, as Keycloak's "Kerberos Unsupported" page), or by its one button.
#[test]
fn forms_with_nothing_to_fill_are_posted() {
    let kerberos = include_str!("../../../tests/fixtures/keycloak/kerberos-unsupported.html");
    let (_, kind) = kind_of(GENERIC, kerberos, &Progress::default());
    assert!(
        matches!(kind, PageKind::AutoPost { press: false, .. }),
        "{kind:?}"
    );
    let scripted = r#"<html><body><form method="post" action="/next"></form>
        <script>window.addEventListener('load', function () { document.forms[0].requestSubmit(); });</script></body></html>"#;
    let (_, kind) = kind_of(GENERIC, scripted, &Progress::default());
    assert!(
        matches!(kind, PageKind::AutoPost { press: false, .. }),
        "{kind:?}"
    );
    let button = r#"<title>Continue</title><p>Your session is ready.</p>
        <form method="post" action="/continue"><input type="hidden" name="state" value="s1">
        <button type="submit" name="go" value="1">Continue</button></form>"#;
    for progress in [Progress::default(), sent_password()] {
        let (_, kind) = kind_of(GENERIC, button, &progress);
        assert!(
            matches!(
                kind,
                PageKind::AutoPost {
                    form: 0,
                    press: true
                }
            ),
            "{kind:?}"
        );
    }
    // A way out, or a choice of two: not pressed.
    let logout = button.replace("/continue", "/idp/logout");
    let two = format!("{button}{}", button.replace("/continue", "/other"));
    for html in [logout, two] {
        let (_, kind) = kind_of(GENERIC, &html, &Progress::default());
        assert!(matches!(kind, PageKind::Unknown(_)), "{kind:?}");
    }
    // After the password, an error on such a page is the refusal, not a button to press.
    let refused = button.replace(
        "<p>Your session is ready.</p>",
        "<p class=\"login-error\">Compte verrouillé</p>",
    );
    let (_, kind) = kind_of(GENERIC, &refused, &sent_password());
    assert_eq!(rejected_words(&kind), "Compte verrouillé");
}

/// Issue 7, section 5: a page with no way on after the password, whose message is in a bare
/// feedback element, is the IdP's refusal in its words; the same form again too.
#[test]
fn bare_feedback_elements_carry_the_refusal() {
    let dead_end = r#"<title>Sign in</title><div class="card"><span class="kc-feedback-text">Konto gesperrt.</span></div>"#;
    let (_, kind) = kind_of(GENERIC, dead_end, &sent_password());
    assert_eq!(rejected_words(&kind), "Konto gesperrt.");
    let again = r#"<form method=post><div aria-live="polite">  Nom d'utilisateur ou mot de passe invalide. </div>
        <input name=username value=alice><input type=password name=password></form>"#;
    let (_, kind) = kind_of(GENERIC, again, &sent_password());
    assert_eq!(
        rejected_words(&kind),
        "Nom d'utilisateur ou mot de passe invalide."
    );
    // The form again with nothing said keeps the engine's own words.
    let silent =
        r#"<form method=post><input name=username><input type=password name=password></form>"#;
    let (_, kind) = kind_of(GENERIC, silent, &sent_password());
    assert!(
        rejected_words(&kind).contains("sign-in form again"),
        "{kind:?}"
    );
}

fn rejected_words(kind: &PageKind) -> &str {
    match kind {
        PageKind::Rejected(words) => words,
        other => panic!("not a refusal: {other:?}"),
    }
}

/// Keycloak's "Kerberos Unsupported" page without its onload script: the button is only in a
/// `<noscript>`, which a browser with script keeps as text; the empty form is still posted.
#[test]
fn a_form_with_only_a_noscript_button_is_posted() {
    let kerberos = include_str!("../../../tests/fixtures/keycloak/kerberos-unsupported.html")
        .replace(" Onload=\"document.forms[0].submit()\"", "");
    assert!(!kerberos.contains("Onload"));
    let (_, kind) = kind_of(GENERIC, &kerberos, &Progress::default());
    assert!(
        matches!(kind, PageKind::AutoPost { form: 0, .. }),
        "{kind:?}"
    );
}
