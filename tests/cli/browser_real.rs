//! Browser sign-in (issue 9) through Chromium, headless, against the real SimpleSAMLphp
//! (../shared/real-idp) paired with the STS emulator: alice signs in and a role is chosen, the chained
//! profile is written; a wrong password comes back in SimpleSAMLphp's words; the next sign-in is
//! silent with no password anywhere (its session cookies were saved and restored); after `logout` the
//! sign-in ends with exit 3. No browser process is left after any run.

use crate::browser_signin::{assert_no_browser_left, have_chromium};
use crate::harness::Sandbox;
use crate::real_peers::{self, Peer, Tool};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

const READONLY: &str = "arn:aws:iam::111111111111:role/GatewayReadOnly";
const ADMIN: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const BILLING: &str = "arn:aws:iam::222222222222:role/Billing";
const CHILD: &str = "arn:aws:iam::333333333333:role/Admins";

struct Setup {
    sts: StsEmulator,
    sandbox: Sandbox,
    _idp: Peer,
}

fn setup(password: &str) -> Setup {
    let idp = real_peers::start_simplesamlphp();
    let sts = StsEmulator::start(
        StsConfig::default()
            .role(StsRole::new(ADMIN).max_session(43200))
            .role(StsRole::new(READONLY).max_session(43200))
            .role(StsRole::new(BILLING))
            .role(StsRole::new(CHILD).trust(READONLY)),
    );
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile ssp]\nsaml_url = {}\nsaml_username = alice\nsaml_browser = true\n\
         saml_browser_headless = true\nregion = eu-west-1\n\n\
         [profile ssp-child]\nsaml_source = ssp\nsaml_role = {CHILD}\n",
        real_peers::simplesamlphp_sign_in_url(&idp)
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", password);
    Setup {
        sts,
        sandbox,
        _idp: idp,
    }
}

fn ready(test: &str) -> bool {
    have_chromium(test) && real_peers::available(test, &[Tool::SimpleSamlPhp])
}

#[test]
fn simplesamlphp_through_chromium_signs_in_then_silently_then_not_after_logout() {
    if !ready("simplesamlphp_through_chromium") {
        return;
    }
    let mut s = setup("alice-Pass-1");
    let login = [
        "login",
        "--profile",
        "ssp",
        "--role",
        "GatewayReadOnly",
        "--force",
    ];
    let first = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    first.expect_code(0);
    let ini = s.sandbox.credentials_ini();
    for (profile, role) in [("ssp", READONLY), ("ssp-child", CHILD)] {
        let key = ini
            .get(profile)
            .and_then(|p| p.get("aws_access_key_id"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            s.sts.session(&key).map(|i| i.role_arn),
            Some(role.to_string()),
            "[{profile}]\n{}",
            first.dump()
        );
    }

    s.sandbox.remove_env("SAMLBRIDGE_PASSWORD");
    let silent = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    silent.expect_code(0);
    let calls = s.sts.calls_to("AssumeRoleWithSAML").len();
    assert!(
        calls >= 2,
        "the silent sign-in reached the STS:\n{}",
        s.sts.log_text()
    );

    s.sandbox
        .run(&["logout", "--profile", "ssp"])
        .expect_code(0);
    let after = s.sandbox.run(&login);
    assert_no_browser_left(&s.sandbox);
    after.expect_code(3);
    assert_eq!(
        s.sts.calls_to("AssumeRoleWithSAML").len(),
        calls,
        "no assertion after logout"
    );
}

#[test]
fn simplesamlphp_through_chromium_wrong_password_is_exit_3_with_its_words() {
    if !ready("simplesamlphp_through_chromium_wrong_password") {
        return;
    }
    let s = setup("not-alices-password");
    s.sts.expect_unused();
    let out = s
        .sandbox
        .run(&["login", "--profile", "ssp", "--role", "GatewayAdmin"]);
    assert_no_browser_left(&s.sandbox);
    out.expect_code(3)
        .expect_stderr_contains("Incorrect username or password");
    assert!(s.sandbox.credentials_bytes().is_none());
}

/// LemonLDAP::NG (its error texts are filled in by its own scripts) with dwho.
fn lemonldap(password: &str) -> Option<Setup> {
    let test = "lemonldap_through_chromium";
    if !(have_chromium(test) && real_peers::available(test, &[Tool::LemonLdap])) {
        return None;
    }
    let idp = real_peers::start_lemonldap();
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(ADMIN)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile llng]\nsaml_url = {}/saml/singleSignOn?IDPInitiated=1&spConfKey=aws\n\
         saml_username = dwho\nsaml_browser = true\nregion = eu-west-1\n",
        idp.base_url()
    ));
    sandbox.set_env("AWS_ENDPOINT_URL_STS", &sts.endpoint());
    sandbox.set_env("SAMLBRIDGE_PASSWORD", password);
    Some(Setup {
        sts,
        sandbox,
        _idp: idp,
    })
}

// A LemonLDAP::NG sign-in through Chromium does not complete here: on plain http its cookies are
// `SameSite=None` without `Secure`, which Chromium refuses (so would a person's Chrome); the form
// engine's cookie store takes them. Its refusal is still read from the page its scripts wrote.

#[test]
fn lemonldap_through_chromium_a_wrong_password_is_refused_in_words() {
    let Some(s) = lemonldap("not-dwho") else {
        return;
    };
    s.sts.expect_unused();
    let out = s.sandbox.run(&[
        "login",
        "--profile",
        "llng",
        "--headless",
        "--mfa-code",
        "000000",
    ]);
    assert_no_browser_left(&s.sandbox);
    out.expect_code(3)
        .expect_stderr_contains("rong username or password");
}
