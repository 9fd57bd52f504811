//! Okta's own IDX client library (@okta/okta-auth-js, as npm installs it) signs in to the emulated
//! Identity Engine org: its remediators must get from the page's stateToken to `success`, so the
//! emulator answers like Okta, not like samlbridge expects. Runs when SAMLBRIDGE_OKTA_AUTH_JS names
//! a folder holding `node_modules/@okta/okta-auth-js`; skipped otherwise.

use samlbridge_emulators::okta::{OieOrg, OktaEmulator, OktaFactor, OktaUser, PushOutcome};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/okta/okta_auth_js_idx.js"
);

fn okta_auth_js() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("SAMLBRIDGE_OKTA_AUTH_JS")?);
    dir.join("node_modules/@okta/okta-auth-js")
        .is_dir()
        .then_some(dir)
}

/// The stateToken the org's app page bootstraps, unescaped.
fn page_token(org: &OktaEmulator) -> String {
    let url = format!("{}/app/amazon_aws/exk1sb2aws3okta4emu/sso/saml", org.base);
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let page = rt
        .block_on(crate::browser::fetch(crate::browser::browser().get(url)))
        .body;
    let start = page.find("var stateToken = '").map_or(0, |i| i + 18);
    let end = page[start..].find('\'').map_or(start, |i| start + i);
    page[start..end].replace("\\x2D", "-")
}

fn run_node(dir: &Path, org: &OktaEmulator, args: &[&str]) -> (i32, String) {
    let token = page_token(org);
    let out = Command::new("node")
        .arg(SCRIPT)
        .args([org.base.as_str(), token.as_str()])
        .args(args)
        .env("NODE_PATH", dir.join("node_modules"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn okta_idx_real_okta_auth_js_signs_in_with_password_and_totp() {
    let Some(dir) = okta_auth_js() else {
        eprintln!("SAMLBRIDGE_OKTA_AUTH_JS is not set: skipped");
        return;
    };
    let user = OktaUser::new("ida@corp.example", "pw").with(OktaFactor::Totp {
        provider: "GOOGLE".into(),
        code: "246810".into(),
    });
    let org = OktaEmulator::start_oie(vec![user], "<samlp:Response/>", OieOrg::default());
    let (code, out) = run_node(&dir, &org, &["ida@corp.example", "pw", "totp", "246810"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("/login/token/redirect?stateToken="), "{out}");
}

#[test]
fn okta_idx_real_okta_auth_js_reads_a_wrong_password_in_oktas_words() {
    let Some(dir) = okta_auth_js() else {
        return;
    };
    let user = OktaUser::new("ida@corp.example", "pw");
    let org = OktaEmulator::start_oie(vec![user], "<samlp:Response/>", OieOrg::default());
    let (code, out) = run_node(&dir, &org, &["ida@corp.example", "nope", "wrong-password"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Password is incorrect"), "{out}");
}

#[test]
fn okta_idx_real_okta_auth_js_waits_for_a_push_identifier_first() {
    let Some(dir) = okta_auth_js() else {
        return;
    };
    let user = OktaUser::new("ida@corp.example", "pw").with(OktaFactor::Push {
        polls: 2,
        outcome: PushOutcome::Approve,
        number: Some(7),
    });
    let oie = OieOrg {
        identifier_first: true,
        refresh_ms: 100,
        ..OieOrg::default()
    };
    let org = OktaEmulator::start_oie(vec![user], "<samlp:Response/>", oie);
    let (code, out) = run_node(&dir, &org, &["ida@corp.example", "pw", "push"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"challenge-poll\""), "{out}");
    assert!(out.contains("/login/token/redirect?stateToken="), "{out}");
}

/// A user with `factors`, on an org that asks for the method (`method_step`) or not.
fn sent_code_org(factors: Vec<OktaFactor>, method_step: bool) -> OktaEmulator {
    let user = factors
        .into_iter()
        .fold(OktaUser::new("ida@corp.example", "pw"), OktaUser::with);
    let oie = OieOrg {
        method_step,
        ..OieOrg::default()
    };
    OktaEmulator::start_oie(vec![user], "<samlp:Response/>", oie)
}

fn posts(org: &OktaEmulator, path: &str) -> Vec<serde_json::Value> {
    org.idx_hits()
        .iter()
        .filter(|h| h.path == path)
        .map(|h| h.json())
        .collect()
}

#[test]
fn okta_idx_real_okta_auth_js_signs_in_with_an_email_code_after_a_resend() {
    let Some(dir) = okta_auth_js() else {
        return;
    };
    for method_step in [false, true] {
        let email = OktaFactor::Email {
            email: "ida@corp.example".into(),
            code: "864200".into(),
        };
        let org = sent_code_org(vec![email], method_step);
        let (code, out) = run_node(&dir, &org, &["ida@corp.example", "pw", "email", "864200"]);
        assert_eq!(code, 0, "method step {method_step}: {out}");
        assert!(out.contains("/login/token/redirect?stateToken="), "{out}");
        // okta-auth-js reads the masked address and the resend and magic-link poll actions.
        assert!(out.contains(r#""email":"i***a@corp.example""#), "{out}");
        assert!(out.contains("currentAuthenticatorEnrollment-poll"), "{out}");
        assert_eq!(posts(&org, "/idp/idx/challenge/resend").len(), 1, "{out}");
        let answers = posts(&org, "/idp/idx/challenge/answer");
        assert_eq!(answers.len(), 1, "{out}");
        assert_eq!(answers[0]["credentials"]["passcode"], "864200");
        assert_eq!(
            out.contains(r#""next":"authenticator-verification-data""#),
            method_step,
            "{out}"
        );
    }
}

#[test]
fn okta_idx_real_okta_auth_js_picks_sms_or_voice_on_oktas_method_step() {
    let Some(dir) = okta_auth_js() else {
        return;
    };
    for method in ["sms", "voice"] {
        let phone = "+44 20 7946 0321";
        let factors = vec![
            OktaFactor::Sms {
                phone: phone.into(),
                code: "135790".into(),
            },
            OktaFactor::Call {
                phone: phone.into(),
                code: "135790".into(),
            },
        ];
        let org = sent_code_org(factors, false);
        let (code, out) = run_node(&dir, &org, &["ida@corp.example", "pw", method, "135790"]);
        assert_eq!(code, 0, "{method}: {out}");
        assert!(out.contains("/login/token/redirect?stateToken="), "{out}");
        // okta-auth-js chooses the phone by its id; Okta asks how to send the code.
        assert!(
            out.contains(r#""next":"authenticator-verification-data""#),
            "{out}"
        );
        assert!(out.contains(r#""phoneNumber":"+44 XXX-XXX-0321""#), "{out}");
        let chosen = posts(&org, "/idp/idx/challenge");
        assert_eq!(chosen.len(), 2, "{out}");
        assert_eq!(chosen[1]["authenticator"]["methodType"], method, "{out}");
    }
}

#[test]
fn okta_idx_real_okta_auth_js_reads_a_wrong_sms_code_in_oktas_words() {
    let Some(dir) = okta_auth_js() else {
        return;
    };
    let sms = OktaFactor::Sms {
        phone: "+1 555 010 4586".into(),
        code: "135790".into(),
    };
    let org = sent_code_org(vec![sms], false);
    let (code, out) = run_node(&dir, &org, &["ida@corp.example", "pw", "sms", "000000"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Invalid code. Try again."), "{out}");
    assert!(!out.contains("/login/token/redirect"), "{out}");
}
