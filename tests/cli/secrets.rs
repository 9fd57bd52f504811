//! The most verbose login must not print a secret: not the password, the one-time code, the SAML
//! assertion (whole or in part), a secret key, a session token, or a cookie value.

use crate::harness::telltales;
use crate::world::{self, DANA, DANA_CODE, World};

#[test]
fn a_vv_login_prints_no_password_code_assertion_key_token_or_cookie() {
    let mut users = world::users();
    users.wrap_base64 = Some(64);
    let world = World::with(users, world::roles(), DANA);
    let out = world.login(&["-vv", "--mfa-code", DANA_CODE]);
    out.expect_code(0);
    let said = out.all_output();
    assert!(
        said.lines().count() >= 5 && said.contains("127.0.0.1"),
        "-vv should log the steps and the hosts it talks to:\n{}",
        out.dump()
    );

    let mut secrets: Vec<(String, String)> = vec![
        ("password".into(), DANA.password.into()),
        ("MFA code".into(), DANA_CODE.into()),
    ];
    for assertion in world.adfs.issued_assertions() {
        secrets.push(("SAML assertion".into(), assertion.clone()));
        secrets.push((
            "SAML assertion's first line".into(),
            assertion[..64].to_string(),
        ));
    }
    for cookie in world.adfs.cookie_values() {
        secrets.push(("cookie value".into(), cookie));
    }
    let sessions = world.sts.sessions();
    assert!(sessions.len() >= 4, "{}", world.sts.log_text());
    for s in sessions {
        secrets.push((format!("secret key of {}", s.role_arn), s.secret_access_key));
        secrets.push((format!("session token of {}", s.role_arn), s.session_token));
    }
    for (what, secret) in secrets {
        for piece in telltales(&secret) {
            assert!(
                !said.contains(&piece),
                "the {what} appears in the -vv output:\n{}",
                out.dump()
            );
        }
    }
}
