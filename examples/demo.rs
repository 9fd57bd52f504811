//! `cargo run --example demo`: a newcomer's first command. Starts the bundled AD FS and STS emulators
//! in-process, writes a throwaway ~/.aws/config with a gateway profile and two chained profiles,
//! signs in as a demo user through samlbridge's own library, and shows step by step what happened.

use clap::Parser;
use samlbridge_emulators::adfs::{AdfsConfig, AdfsEmulator, AdfsUser};
use samlbridge_emulators::saml::SamlRole;
use samlbridge_emulators::sts::{StsConfig, StsEmulator, StsRole};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const USER: &str = "demo@corp.example";
const PASSWORD: &str = "demo-Pass-1";
const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/CorpADFS";
const GATEWAY: &str = "arn:aws:iam::111111111111:role/GatewayAdmin";
const DEV: &str = "arn:aws:iam::222222222222:role/Developer";
const PROD: &str = "arn:aws:iam::333333333333:role/ReadOnly";

fn main() -> ExitCode {
    let home = match tempfile::Builder::new().prefix("samlbridge-demo").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("demo: cannot make a temp dir: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (adfs, sts) = start_emulators();
    step(1, "Two emulators are listening on 127.0.0.1");
    println!("   AD FS-like IdP: {}", adfs.sign_in_url());
    println!("   STS:            {}", sts.endpoint());

    let config = home.path().join(".aws").join("config");
    let credentials = home.path().join(".aws").join("credentials");
    if let Err(e) = write_config(&config, &adfs.sign_in_url()) {
        eprintln!("demo: {}: {e}", config.display());
        return ExitCode::FAILURE;
    }
    step(2, &format!("A throwaway config at {}", config.display()));
    print_indented(&std::fs::read_to_string(&config).unwrap_or_default());
    point_samlbridge_at(home.path(), &config, &credentials, &sts.endpoint());

    step(
        3,
        "samlbridge roles --profile demo   (sign in, list what the assertion offers)",
    );
    if let Err(code) = samlbridge_run(&["roles", "--profile", "demo", "--non-interactive"]) {
        return code;
    }
    step(
        4,
        "samlbridge -v login --profile demo   (gateway role, then both chained profiles at once)",
    );
    if let Err(code) = samlbridge_run(&["-v", "login", "--profile", "demo", "--non-interactive"]) {
        return code;
    }

    step(5, "What the IdP saw");
    for (request, count) in adfs.server().hit_summary() {
        println!("   {count} × {request}");
    }
    step(6, "What STS was asked (its request log)");
    print_indented(&sts.log_text());
    println!(
        "   at most {} calls were in flight at once",
        sts.max_in_flight()
    );
    step(
        7,
        &format!(
            "The credentials file samlbridge wrote ({}), secrets masked",
            credentials.display()
        ),
    );
    print_indented(&masked(
        &std::fs::read_to_string(&credentials).unwrap_or_default(),
    ));
    println!(
        "\nDone. The temp HOME is removed now; run `samlbridge login --profile …` against your own IdP next."
    );
    ExitCode::SUCCESS
}

fn start_emulators() -> (AdfsEmulator, StsEmulator) {
    let adfs = AdfsEmulator::start(
        AdfsConfig::default().user(
            AdfsUser::new(USER, PASSWORD)
                .role(SamlRole::new(GATEWAY, PROVIDER))
                .session_duration(28800),
        ),
    );
    let sts = StsEmulator::start(
        StsConfig::default()
            .role(StsRole::new(GATEWAY).max_session(43200))
            .role(StsRole::new(DEV).trust(GATEWAY))
            .role(StsRole::new(PROD).trust(GATEWAY))
            .latency(Duration::from_millis(200)),
    );
    // A demo is not a test: whatever happens, stopping the emulators must not panic.
    adfs.server().expect_nothing();
    sts.server().expect_nothing();
    (adfs, sts)
}

fn write_config(path: &Path, sign_in_url: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(
        path,
        format!(
            "[profile demo]\nsaml_url = {sign_in_url}\nsaml_username = {USER}\nregion = eu-west-1\n\n\
             [profile demo-dev]\nsaml_source = demo\nsaml_role = {DEV}\n\n\
             [profile demo-prod]\nsaml_source = demo\nsaml_role = {PROD}\nduration_seconds = 7200\n"
        ),
    )
}

/// The environment a user's shell would give samlbridge, pointed at the temp HOME and the emulators.
fn point_samlbridge_at(home: &Path, config: &Path, credentials: &Path, sts: &str) {
    // SAFETY: the only other threads are the emulators' HTTP loops, which never read or write the
    // environment; samlbridge reads it only later, on this thread.
    unsafe {
        std::env::set_var("HOME", home);
        std::env::set_var("AWS_CONFIG_FILE", config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", credentials);
        std::env::set_var("AWS_ENDPOINT_URL_STS", sts);
        std::env::set_var("AWS_REGION", "eu-west-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("NO_PROXY", "127.0.0.1,localhost");
        std::env::set_var("SAMLBRIDGE_PASSWORD", PASSWORD);
        std::env::remove_var("AWS_PROFILE");
    }
    println!("   HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE point into it;");
    println!(
        "   AWS_ENDPOINT_URL_STS points at the STS emulator; SAMLBRIDGE_PASSWORD holds the demo password."
    );
}

/// Runs samlbridge in-process, as its binary would with these arguments.
fn samlbridge_run(args: &[&str]) -> Result<(), ExitCode> {
    let argv = std::iter::once("samlbridge").chain(args.iter().copied());
    let cli = match samlbridge::cli::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{e}");
            return Err(ExitCode::from(2));
        }
    };
    match samlbridge::app::run(cli) {
        Ok(0) => Ok(()),
        Ok(code) => Err(ExitCode::from(code)),
        Err(err) => {
            eprintln!("samlbridge: {err}");
            Err(ExitCode::from(err.exit_code()))
        }
    }
}

/// The credentials file with secret keys and tokens cut to a hint.
fn masked(text: &str) -> String {
    text.lines()
        .map(|line| match line.split_once('=') {
            Some((key, value))
                if matches!(key.trim(), "aws_secret_access_key" | "aws_session_token") =>
            {
                let value = value.trim();
                let hint: String = value.chars().take(4).collect();
                format!(
                    "{key}= {hint}… ({} characters, masked)",
                    value.chars().count()
                )
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn step(n: u32, what: &str) {
    println!("\n[{n}] {what}");
}

fn print_indented(text: &str) {
    for line in text.lines() {
        println!("   {line}");
    }
}
