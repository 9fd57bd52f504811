//! Serving sessions to other programs (issue 3): `exec` (the chained profile's keys in CMD's
//! environment, CMD's exit code), `env` (lines a real bash evaluates, fish and PowerShell lines),
//! `console` (against the federation endpoint emulator), and no secret at -vv in any of them nor in
//! `credential-process` and `refresh`.

use crate::harness::{BIN, Outcome, telltales};
use crate::sessions::process_answer;
use crate::world::{self, ALICE, World};
use samlbridge_emulators::federation::FederationEmulator;
use std::collections::BTreeMap;

/// prod in its own region, so that AWS_REGION is seen to come from the profile.
const PROD_REGION: &str = "ap-southeast-2";

fn world_with_prod_region() -> World {
    let world = World::start(ALICE);
    let config = world::config(&world.adfs.sign_in_url(), ALICE.username).replace(
        "[profile prod]\n",
        &format!("[profile prod]\nregion = {PROD_REGION}\n"),
    );
    world.sandbox.write_config(&config);
    world
}

/// `NAME=value` lines of `env` output.
fn env_vars(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn exec_runs_the_command_with_the_chained_profiles_keys_and_no_profile() {
    let mut world = world_with_prod_region();
    world.sandbox.set_env("AWS_PROFILE", "corp");
    world.sandbox.set_env("AWS_DEFAULT_PROFILE", "corp");
    let out = world
        .sandbox
        .run(&["exec", "--profile", "prod", "--", "env"]);
    out.expect_code(0);
    let vars = env_vars(&out.stdout);
    let key = vars.get("AWS_ACCESS_KEY_ID").cloned().unwrap_or_default();
    let Some(issued) = world.sts.session(&key) else {
        panic!("CMD got {key:?}, never issued\n{}", out.dump());
    };
    assert_eq!(
        issued.role_arn,
        world::PROD_ADMINS,
        "the chained profile's keys"
    );
    assert_eq!(
        vars.get("AWS_SECRET_ACCESS_KEY"),
        Some(&issued.secret_access_key)
    );
    assert_eq!(vars.get("AWS_SESSION_TOKEN"), Some(&issued.session_token));
    let expiry = vars
        .get("AWS_CREDENTIAL_EXPIRATION")
        .cloned()
        .unwrap_or_default();
    let parsed =
        time::OffsetDateTime::parse(&expiry, &time::format_description::well_known::Rfc3339);
    assert_eq!(parsed.ok(), Some(issued.expiration), "{expiry:?}");
    assert_eq!(
        vars.get("AWS_REGION").map(String::as_str),
        Some(PROD_REGION)
    );
    assert_eq!(
        vars.get("AWS_DEFAULT_REGION").map(String::as_str),
        Some(PROD_REGION)
    );
    for gone in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
        assert!(
            !vars.contains_key(gone),
            "{gone} reached CMD\n{}",
            out.dump()
        );
    }
}

#[test]
fn exec_after_login_gives_the_chained_session_login_wrote() {
    let world = World::start(ALICE);
    world.login(&[]).expect_code(0);
    let before = world.traffic();
    let out = world
        .sandbox
        .run(&["exec", "--profile", "prod", "--", "env"]);
    out.expect_code(0);
    assert_eq!(world.traffic(), before, "served from the cache");
    let written = world.sandbox.credentials_ini()["prod"].clone();
    let vars = env_vars(&out.stdout);
    for (var, key) in [
        ("AWS_ACCESS_KEY_ID", "aws_access_key_id"),
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
        ("AWS_SESSION_TOKEN", "aws_session_token"),
    ] {
        assert_eq!(vars.get(var), written.get(key), "{var}");
    }
}

#[test]
fn exec_exits_with_the_commands_code_and_127_for_a_missing_command() {
    let world = World::start(ALICE);
    world
        .sandbox
        .run(&["exec", "--profile", "prod", "--", "sh", "-c", "exit 7"])
        .expect_code(7);
    let before = world.traffic();
    let out = world.sandbox.run(&[
        "exec",
        "--profile",
        "prod",
        "--",
        "samlbridge-no-such-command",
        "arg",
    ]);
    out.expect_code(127)
        .expect_stderr_contains("samlbridge-no-such-command");
    assert_eq!(
        world.traffic(),
        before,
        "the second exec was served from the cache"
    );
}

#[test]
fn env_lines_evaluated_by_bash_give_the_chained_session() {
    let mut world = world_with_prod_region();
    world.sandbox.set_env("AWS_PROFILE", "corp");
    let script = format!(
        "eval \"$('{BIN}' env --profile prod --shell bash)\" || exit 9; \
         printf '%s\\n' \"AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID\" \
         \"AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY\" \"AWS_SESSION_TOKEN=$AWS_SESSION_TOKEN\" \
         \"AWS_REGION=$AWS_REGION\" \"AWS_PROFILE=${{AWS_PROFILE-unset}}\""
    );
    let out = world.sandbox.run_program("bash", &["-c", &script]);
    out.expect_code(0);
    let vars = env_vars(&out.stdout);
    let prod = world.sts.sessions_of(world::PROD_ADMINS);
    assert_eq!(prod.len(), 1, "{}", world.sts.log_text());
    assert_eq!(vars["AWS_ACCESS_KEY_ID"], prod[0].access_key_id);
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], prod[0].secret_access_key);
    assert_eq!(vars["AWS_SESSION_TOKEN"], prod[0].session_token);
    assert_eq!(vars["AWS_REGION"], PROD_REGION);
    assert_eq!(vars["AWS_PROFILE"], "unset", "{}", out.dump());
}

#[test]
fn env_lines_for_fish_and_powershell_have_their_shapes() {
    let world = World::start(ALICE);
    let fish = world
        .sandbox
        .run(&["env", "--profile", "prod", "--shell", "fish"]);
    fish.expect_code(0);
    let ps = world
        .sandbox
        .run(&["env", "--profile", "prod", "--shell", "powershell"]);
    ps.expect_code(0);
    let prod = world.sts.sessions_of(world::PROD_ADMINS);
    assert_eq!(prod.len(), 1, "the second run was served from the cache");
    let s = &prod[0];
    for line in fish.stdout.lines() {
        assert!(
            (line.starts_with("set -gx AWS_") || line.starts_with("set -e AWS_"))
                && line.ends_with(';'),
            "not a fish line: {line:?}"
        );
    }
    for wanted in [
        format!("set -gx AWS_ACCESS_KEY_ID '{}';", s.access_key_id),
        format!("set -gx AWS_SECRET_ACCESS_KEY '{}';", s.secret_access_key),
        format!("set -gx AWS_SESSION_TOKEN '{}';", s.session_token),
        "set -e AWS_PROFILE;".to_string(),
    ] {
        assert!(fish.stdout.lines().any(|l| l == wanted), "{}", fish.dump());
    }
    for line in ps.stdout.lines() {
        assert!(
            line.starts_with("$Env:AWS_") || line.starts_with("Remove-Item Env:AWS_"),
            "not a PowerShell line: {line:?}"
        );
    }
    for wanted in [
        format!("$Env:AWS_ACCESS_KEY_ID = '{}'", s.access_key_id),
        format!("$Env:AWS_SECRET_ACCESS_KEY = '{}'", s.secret_access_key),
        format!("$Env:AWS_SESSION_TOKEN = '{}'", s.session_token),
        "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue".to_string(),
    ] {
        assert!(ps.stdout.lines().any(|l| l == wanted), "{}", ps.dump());
    }
}

/// The query of a URL as pairs, and the URL without it.
fn split_url(text: &str) -> (String, BTreeMap<String, String>) {
    let url = match url::Url::parse(text.trim()) {
        Ok(u) => u,
        Err(e) => panic!("not a URL ({e}): {text:?}"),
    };
    let query = url.query_pairs().into_owned().collect();
    let mut bare = url.clone();
    bare.set_query(None);
    (bare.to_string(), query)
}

fn console_world() -> (World, FederationEmulator) {
    let mut world = World::start(ALICE);
    let federation = FederationEmulator::start(world.sts.session_lookup());
    world
        .sandbox
        .set_env("SAMLBRIDGE_FEDERATION_ENDPOINT", &federation.endpoint());
    (world, federation)
}

#[test]
fn console_print_gives_a_login_url_for_the_chained_session_without_a_session_duration() {
    let (world, federation) = console_world();
    let out = world.sandbox.run(&[
        "console",
        "--profile",
        "prod",
        "--print",
        "--duration",
        "3600",
    ]);
    out.expect_code(0);
    assert_eq!(out.stdout.trim_end().lines().count(), 1, "{}", out.dump());
    let asked = federation.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let token = match &asked[0].outcome {
        Ok(token) => token.clone(),
        Err(why) => panic!("the federation endpoint refused: {why}\n{}", out.dump()),
    };
    let prod = world.sts.sessions_of(world::PROD_ADMINS);
    assert_eq!(asked[0].session_id.as_ref(), Some(&prod[0].access_key_id));
    assert_eq!(
        asked[0].session_duration, None,
        "chained: no SessionDuration"
    );

    let (bare, query) = split_url(&out.stdout);
    assert_eq!(bare, federation.endpoint());
    assert_eq!(query.get("Action").map(String::as_str), Some("login"));
    assert_eq!(query.get("SigninToken"), Some(&token));
    let destination = query.get("Destination").cloned().unwrap_or_default();
    assert!(
        destination.starts_with("https://console.aws.amazon.com/"),
        "{destination}"
    );
    assert!(
        destination.contains("eu-west-1"),
        "prod's region: {destination}"
    );
}

#[test]
fn console_for_the_gateway_sends_the_session_duration_asked() {
    let (world, federation) = console_world();
    let out = world.sandbox.run(&[
        "console",
        "--profile",
        "corp",
        "--print",
        "--duration",
        "7200",
    ]);
    out.expect_code(0);
    let asked = federation.requests();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].outcome.is_ok(), "{asked:?}");
    assert_eq!(asked[0].session_duration.as_deref(), Some("7200"));
    let gateway = world.sts.sessions_of(world::GATEWAY_ADMIN);
    assert_eq!(
        asked[0].session_id.as_ref(),
        Some(&gateway[0].access_key_id)
    );
    let (_, query) = split_url(&out.stdout);
    assert_eq!(
        query.get("SigninToken").map(String::as_str),
        asked[0].outcome.as_deref().ok()
    );
}

#[test]
fn console_without_a_browser_prints_the_url_and_says_why() {
    let (world, federation) = console_world();
    let out = world.sandbox.run(&["console", "--profile", "prod"]);
    out.expect_code(0)
        .expect_stderr_contains("could not open a browser");
    let (bare, query) = split_url(&out.stdout);
    assert_eq!(bare, federation.endpoint());
    assert_eq!(
        query.get("SigninToken").map(String::as_str),
        federation.requests()[0].outcome.as_deref().ok()
    );
}

#[test]
fn no_secret_at_vv_in_credential_process_refresh_exec_or_console() {
    let mut world = World::start(ALICE);
    let federation = FederationEmulator::start(world.sts.session_lookup());
    world
        .sandbox
        .set_env("SAMLBRIDGE_FEDERATION_ENDPOINT", &federation.endpoint());
    // Each run makes samlbridge work: a sign-in with the password, renewals from the saved IdP
    // session (its cookies in play), a chain, a federation token.
    let runs: Vec<(Outcome, bool)> = [
        &["-vv", "exec", "--profile", "prod", "--", "true"][..],
        &[
            "-vv",
            "credential-process",
            "--profile",
            "corp",
            "--refresh-window",
            "10h",
        ][..],
        &["-vv", "refresh", "--all", "--within", "10h"][..],
        &["-vv", "console", "--profile", "prod", "--print"][..],
    ]
    .iter()
    .map(|args| {
        let before = world.traffic();
        let out = world.sandbox.run(args);
        out.expect_code(0);
        (out, world.traffic() != before)
    })
    .collect();
    // Logs go to stderr only: stdout is still the one JSON line at -vv.
    let _ = process_answer(&runs[1].0);

    let mut secrets = vec![("password".to_string(), ALICE.password.to_string())];
    for a in world.adfs.issued_assertions() {
        secrets.push(("SAML assertion".into(), a.clone()));
        secrets.push(("SAML assertion's start".into(), a[..64].to_string()));
    }
    for c in world.adfs.cookie_values() {
        secrets.push(("cookie value".into(), c));
    }
    for s in world.sts.sessions() {
        secrets.push((format!("secret key of {}", s.role_arn), s.secret_access_key));
        secrets.push((format!("session token of {}", s.role_arn), s.session_token));
    }
    for r in federation.requests() {
        if let Ok(token) = &r.outcome {
            secrets.push(("SigninToken".into(), token.clone()));
        }
    }
    for (out, talked) in &runs {
        assert!(
            !talked || out.stderr.lines().count() >= 3,
            "`{}` asked the IdP or STS and should log its steps at -vv:\n{}",
            out.what,
            out.dump()
        );
        for (what, secret) in &secrets {
            for piece in telltales(secret) {
                assert!(
                    !out.stderr.contains(&piece),
                    "the {what} appears on stderr of `{}`:\n{}",
                    out.what,
                    out.stderr
                );
            }
        }
    }
}
