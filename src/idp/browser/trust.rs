//! An IdP behind a private CA (`saml_ca_bundle`) in the browser. The bundle's certificates become
//! trust anchors for this browser profile alone: on Linux Chromium reads the roots a user added from
//! the NSS database `$HOME/.pki/nssdb`, so the browser is started with a private HOME holding a
//! database made anew from the bundle at each start (NSS's `certutil`). No flag weakens the
//! browser's own checks: a server is trusted only when its chain leads to the system's roots or to
//! the bundle's, so an impostor that merely presents the IdP's (public) certificate is refused.
//! Where that cannot be done (no `certutil`, another OS), the sign-in stops before the browser
//! starts (exit 5), rather than trusting more than the bundle.

use crate::idp::IdpError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Path, PathBuf};

/// The certificates of `bundle`, or why it cannot be used (said for the file).
pub fn bundle_certificates(bundle: &Path) -> Result<Vec<CertificateDer<'static>>, IdpError> {
    let unreadable = |why: String| {
        IdpError::Setup(format!(
            "CA bundle {}: {why}; fix saml_ca_bundle or SAMLBRIDGE_CA_BUNDLE",
            bundle.display()
        ))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(bundle)
        .map_err(|e| unreadable(format!("cannot read it ({e})")))?
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(format!("not a PEM file of certificates ({e})")))?;
    if certs.is_empty() {
        return Err(unreadable("it holds no certificate".into()));
    }
    Ok(certs)
}

/// Makes `home` the browser's private HOME, whose NSS database trusts exactly the certificates of
/// `bundle` (beside the system's roots) as issuers of web sites.
pub fn prepare_home(home: &Path, bundle: &Path, host: &str) -> Result<(), IdpError> {
    let certs = bundle_certificates(bundle)?;
    let certutil = certutil(host)?;
    let nssdb = home.join(".pki").join("nssdb");
    // Made anew each time: a certificate removed from the bundle is no longer trusted.
    let _ = std::fs::remove_dir_all(home.join(".pki"));
    for dir in [home.join(".pki"), nssdb.clone()] {
        crate::state::private_file::ensure_dir(&dir, crate::state::private_file::DirPolicy::Own)
            .map_err(|e| IdpError::Setup(e.to_string()))?;
    }
    let db = format!("sql:{}", nssdb.display());
    run(&certutil, &["-N", "-d", &db, "--empty-password"], host)?;
    for (n, cert) in certs.iter().enumerate() {
        let file = nssdb.join(format!("bundle-{n}.der"));
        crate::state::private_file::replace(&file, cert.as_ref())
            .map_err(|e| IdpError::Setup(e.to_string()))?;
        let name = format!("saml_ca_bundle #{n}");
        let file_arg = file.display().to_string();
        let added = run(
            &certutil,
            &["-A", "-d", &db, "-n", &name, "-t", "C,,", "-i", &file_arg],
            host,
        );
        let _ = std::fs::remove_file(&file);
        added?;
    }
    tracing::info!(
        "the browser trusts the {} certificate(s) of {} for this sign-in only",
        certs.len(),
        bundle.display()
    );
    Ok(())
}

/// NSS's certutil, from the usual places (never the current directory).
fn certutil(host: &str) -> Result<PathBuf, IdpError> {
    if !cfg!(target_os = "linux") {
        return Err(IdpError::Trust {
            host: host.to_string(),
            message: "saml_ca_bundle cannot be given to the browser on this system; add the CA to \
                      the system's trust store and remove saml_ca_bundle from the profile"
                .into(),
        });
    }
    use super::find::{Machine, ThisMachine};
    let usual = PathBuf::from("/usr/bin/certutil");
    super::find::in_path(&ThisMachine, "certutil")
        .or_else(|| ThisMachine.is_executable(&usual).then_some(usual))
        .ok_or_else(|| IdpError::Trust {
            host: host.to_string(),
            message: "the browser can trust saml_ca_bundle only through NSS's certutil, which is \
                      not installed (Debian, Ubuntu: apt install libnss3-tools; Fedora: dnf \
                      install nss-tools); install it and sign in again"
                .into(),
        })
}

fn run(certutil: &Path, args: &[&str], host: &str) -> Result<(), IdpError> {
    let out = std::process::Command::new(certutil)
        .args(args)
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(certutil_failed(host, &String::from_utf8_lossy(&out.stderr))),
        Err(e) => Err(certutil_failed(host, &e.to_string())),
    }
}

fn certutil_failed(host: &str, said: &str) -> IdpError {
    IdpError::Trust {
        host: host.to_string(),
        message: format!(
            "could not give saml_ca_bundle to the browser: certutil said: {}; check the bundle",
            crate::shown::outside(said.trim())
        ),
    }
}
