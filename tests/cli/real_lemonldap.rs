//! Against a real LemonLDAP::NG (Debian's package) with TOTP, paired with the STS emulator: dwho
//! signs in with a password and a TOTP code from `--mfa-command`; a wrong password and a wrong code
//! end in exit 3 with words, not LemonLDAP's numeric codes.

use crate::harness::{Outcome, Sandbox};
use crate::real_peers::{self, Peer, Tool};
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};

const GATEWAY: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";

struct Setup {
    sts: StsEmulator,
    sandbox: Sandbox,
    _idp: Peer,
}

fn setup(password: &str) -> Option<Setup> {
    if !real_peers::available("lemonldap-ng", &[Tool::LemonLdap]) {
        return None;
    }
    let idp = real_peers::start_lemonldap();
    let sts = StsEmulator::start(StsConfig::default().role(StsRole::new(GATEWAY)));
    let mut sandbox = Sandbox::new();
    sandbox.write_config(&format!(
        "[profile llng]\nsaml_url = {}/saml/singleSignOn?IDPInitiated=1&spConfKey=aws\nsaml_username = dwho\nregion = eu-west-1\n",
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

fn totp_command() -> String {
    let script = real_peers::real_idp_dir().join("lemonldap-ng/totp.py");
    format!("python3 '{}'", script.display())
}

fn login(s: &Setup, mfa_command: &str) -> Outcome {
    s.sandbox
        .run(&["login", "--profile", "llng", "--mfa-command", mfa_command])
}

#[test]
fn lemonldap_dwho_signs_in_with_a_totp_from_the_mfa_command() {
    let Some(s) = setup("dwho") else { return };
    login(&s, &totp_command()).expect_code(0);
    let key = s
        .sandbox
        .credentials_ini()
        .get("llng")
        .and_then(|p| p.get("aws_access_key_id"))
        .cloned();
    let issued = s.sts.sessions_of(GATEWAY);
    assert!(
        key.is_some()
            && issued
                .iter()
                .any(|k| Some(&k.access_key_id) == key.as_ref()),
        "{}",
        s.sts.log_text()
    );
}

#[test]
fn lemonldap_a_wrong_password_is_refused_in_words() {
    let Some(s) = setup("not-dwho") else { return };
    s.sts.expect_unused();
    login(&s, &totp_command())
        .expect_code(3)
        .expect_stderr_contains("wrong username or password");
    assert!(s.sandbox.credentials_bytes().is_none());
}

#[test]
fn lemonldap_a_wrong_code_is_refused_in_words() {
    let Some(s) = setup("dwho") else { return };
    s.sts.expect_unused();
    login(&s, "echo 000000")
        .expect_code(3)
        .expect_stderr_contains("wrong verification code");
    assert!(s.sandbox.credentials_bytes().is_none());
}
