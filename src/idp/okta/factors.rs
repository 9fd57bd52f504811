//! Okta's second factors: which of the user's enrolled factors to use, and how each is verified — a
//! code typed from an app or token, a code Okta sends (SMS, call, e-mail), or a push to Okta Verify
//! that is polled until the person answers it on their phone.

use super::OktaSignIn;
use super::api::{Factor, StateBody, Transaction};
use crate::idp::IdpError;
use crate::idp::push::PushWait;
use tracing::{debug, info};

/// How a factor is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A code from an app or token, posted as `passCode`.
    Code,
    /// A code Okta sends when asked (SMS, voice call, e-mail), then posted as `passCode`.
    SentCode,
    /// Okta Verify push: approved on the phone, polled here.
    Push,
    /// WebAuthn, U2F, Duo, security questions...: not something a terminal can answer.
    Unsupported,
}

pub fn kind(factor: &Factor) -> Kind {
    match factor.factor_type.as_str() {
        "token:software:totp" | "token:hotp" | "token" | "token:hardware" => Kind::Code,
        "sms" | "call" | "email" => Kind::SentCode,
        "push" if factor.provider.eq_ignore_ascii_case("OKTA") => Kind::Push,
        _ => Kind::Unsupported,
    }
}

/// The name `saml_mfa_factor` uses: `totp`, `hotp`, or Okta's factorType.
pub fn short_name(factor: &Factor) -> &str {
    match factor.factor_type.as_str() {
        "token:software:totp" => "totp",
        "token:hotp" => "hotp",
        other => other,
    }
}

/// `totp (GOOGLE)`, for lists in messages.
pub fn describe(factor: &Factor) -> String {
    if factor.provider.is_empty() {
        short_name(factor).to_string()
    } else {
        format!("{} ({})", short_name(factor), factor.provider)
    }
}

fn describe_all(factors: &[Factor]) -> String {
    let names: Vec<String> = factors.iter().map(describe).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Whether `wanted` (`push`, `totp`, `totp/google`, `token:software:totp/OKTA`) names `factor`.
fn matches(wanted: &str, factor: &Factor) -> bool {
    let wanted = wanted.trim();
    let (name, provider) = match wanted.rsplit_once('/') {
        Some((n, p)) => (n.trim(), Some(p.trim())),
        None => (wanted, None),
    };
    let name_ok = name.eq_ignore_ascii_case(short_name(factor))
        || name.eq_ignore_ascii_case(&factor.factor_type);
    name_ok && provider.is_none_or(|p| p.eq_ignore_ascii_case(&factor.provider))
}

/// The factor to verify: the one `preferred` names; else, when a code is at hand, one that takes a
/// code (an authenticator app first); else push; else the first that samlbridge can verify.
pub fn choose<'f>(
    factors: &'f [Factor],
    preferred: Option<&str>,
    code_at_hand: bool,
    host: &str,
) -> Result<&'f Factor, IdpError> {
    if let Some(wanted) = preferred {
        let found = factors.iter().find(|f| matches(wanted, f));
        return match found {
            Some(f) if kind(f) != Kind::Unsupported => Ok(f),
            Some(f) => Err(IdpError::Setup(format!(
                "saml_mfa_factor = {wanted}: samlbridge cannot verify Okta's {} factor at {host}; \
                 pick another of: {}",
                describe(f),
                describe_all(&supported(factors))
            ))),
            None => Err(IdpError::Setup(format!(
                "saml_mfa_factor = {wanted}: no such factor is enrolled for this user at {host}; \
                 the user has: {}",
                describe_all(factors)
            ))),
        };
    }
    debug!("Okta factors enrolled: {}", describe_all(factors));
    let pick = |k: Kind| factors.iter().find(|f| kind(f) == k);
    let by_code = || {
        factors
            .iter()
            .find(|f| f.factor_type == "token:software:totp")
            .or_else(|| pick(Kind::Code))
    };
    let chosen = code_at_hand
        .then(by_code)
        .flatten()
        .or_else(|| pick(Kind::Push))
        .or_else(|| factors.iter().find(|f| kind(f) != Kind::Unsupported));
    chosen.ok_or_else(|| {
        IdpError::Setup(format!(
            "{host} asks for a second factor that samlbridge cannot verify: {} (supported: \
             totp, hotp, token, push, sms, call, email); enroll one of those in Okta, or sign in \
             with a browser",
            describe_all(factors)
        ))
    })
}

fn supported(factors: &[Factor]) -> Vec<Factor> {
    factors
        .iter()
        .filter(|f| kind(f) != Kind::Unsupported)
        .cloned()
        .collect()
}

/// What to call the code when asking for it.
fn code_label(factor: &Factor) -> String {
    let whom = |lead: &str, key: &str| {
        factor
            .profile_text(key)
            .map(|v| format!(" {lead} {v}"))
            .unwrap_or_default()
    };
    match (factor.factor_type.as_str(), factor.provider.as_str()) {
        ("token:software:totp", "OKTA") => "Okta Verify code".into(),
        ("token:software:totp", "GOOGLE") => "Google Authenticator code".into(),
        ("sms", _) => format!("SMS code sent{}", whom("to", "phoneNumber")),
        ("call", _) => format!("code from the call{}", whom("to", "phoneNumber")),
        ("email", _) => format!("code e-mailed{}", whom("to", "email")),
        (_, "RSA") => "RSA SecurID passcode".into(),
        (_, "SYMANTEC") => "Symantec VIP security code".into(),
        (_, "YUBICO") => "YubiKey one-time password".into(),
        _ => "One-time code".into(),
    }
}

impl OktaSignIn<'_> {
    /// MFA_REQUIRED: picks a factor and verifies it.
    pub(super) async fn second_factor(
        &mut self,
        tx: &Transaction,
    ) -> Result<Transaction, IdpError> {
        let factors = tx.factors();
        let code_at_hand = self.answers.has_mfa_code();
        let factor = choose(
            &factors,
            self.preferred.as_deref(),
            code_at_hand,
            &self.api.host,
        )?
        .clone();
        info!(
            "{}: Okta asks for a second factor: using {}",
            self.api.host,
            describe(&factor)
        );
        debug!("Okta factor id {}", factor.id);
        match kind(&factor) {
            Kind::Code => self.code(&factor, tx).await,
            Kind::SentCode => self.sent_code(&factor, tx).await,
            Kind::Push => self.push(&factor, tx).await,
            Kind::Unsupported => Err(IdpError::Setup(format!(
                "{}: cannot verify Okta's {} factor",
                self.api.host,
                describe(&factor)
            ))),
        }
    }

    fn verify_href(&self, factor: &Factor, tx: &Transaction) -> Result<url::Url, IdpError> {
        match &factor.links.verify {
            Some(link) => self.api.url(&link.href),
            None => Err(self.api.unexpected_status(
                tx,
                &format!("the {} factor has no verify link", describe(factor)),
            )),
        }
    }

    /// A code the person (or --mfa-code) has, posted to the factor's verify link.
    async fn code(&mut self, factor: &Factor, tx: &Transaction) -> Result<Transaction, IdpError> {
        let url = self.verify_href(factor, tx)?;
        let code = self.answers.mfa_code(&code_label(factor))?;
        let body = StateBody::with_code(self.state(tx)?, &code);
        info!("{}: sending the one-time code", self.api.host);
        self.api.post(&url, &body).await
    }

    /// Asks Okta to send a code, then posts the code the person received.
    async fn sent_code(
        &mut self,
        factor: &Factor,
        tx: &Transaction,
    ) -> Result<Transaction, IdpError> {
        let url = self.verify_href(factor, tx)?;
        let sent = self
            .api
            .post(&url, &StateBody::new(self.state(tx)?))
            .await?;
        if sent.status != "MFA_CHALLENGE" {
            return Ok(sent);
        }
        let label = code_label(factor);
        let host = self.api.host.clone();
        self.answers
            .notice(&format!("{host}: Okta sent a one-time code ({label})"));
        let next = match &sent.links.next {
            Some(link) => self.api.url(&link.href)?,
            None => url,
        };
        let code = self.answers.mfa_code(&label)?;
        let state = self.state(&sent).or_else(|_| self.state(tx))?;
        info!("{host}: sending the one-time code");
        self.api
            .post(&next, &StateBody::with_code(state, &code))
            .await
    }

    /// Sends the push, then waits for the answer.
    async fn push(&mut self, factor: &Factor, tx: &Transaction) -> Result<Transaction, IdpError> {
        let url = self.verify_href(factor, tx)?;
        let sent = self
            .api
            .post(&url, &StateBody::new(self.state(tx)?))
            .await?;
        let device = factor
            .profile_text("name")
            .map(|n| format!(" on {n}"))
            .unwrap_or_default();
        let host = self.api.host.clone();
        self.answers.notice(&format!(
            "{host}: approve the sign-in request in Okta Verify{device}"
        ));
        self.wait_for_push(sent).await
    }

    /// MFA_CHALLENGE with a push waiting: polls the `next` link until Okta says something other
    /// than WAITING, for at most the push timeout; shows the number to pick once Okta gives one.
    pub(super) async fn wait_for_push(
        &mut self,
        mut tx: Transaction,
    ) -> Result<Transaction, IdpError> {
        let wait = PushWait::since_now(self.timing.push_timeout);
        let mut number_shown = false;
        let host = self.api.host.clone();
        while tx.status == "MFA_CHALLENGE" {
            self.push_still_waiting(&tx, &wait)?;
            if !number_shown && let Some(n) = tx.correct_answer() {
                self.answers.notice(&format!(
                    "{host}: Okta Verify asks you to pick a number: pick {n}"
                ));
                number_shown = true;
            }
            let Some(next) = &tx.links.next else {
                return Err(self
                    .api
                    .unexpected_status(&tx, "the push is waiting but Okta gave no link to poll"));
            };
            let url = self.api.url(&next.href)?;
            let state = self.state(&tx)?.clone();
            tokio::time::sleep(self.timing.poll_interval).await;
            tx = self.api.post(&url, &StateBody::new(&state)).await?;
        }
        Ok(tx)
    }

    /// Ok while the push waits and there is time left; the person's or Okta's no otherwise.
    fn push_still_waiting(&self, tx: &Transaction, wait: &PushWait) -> Result<(), IdpError> {
        let rejected = |message: String| IdpError::Rejected {
            host: self.api.host.clone(),
            message,
        };
        match tx.factor_result.as_deref() {
            Some("WAITING") => {}
            Some("REJECTED") => return Err(rejected("the push was rejected".into())),
            Some("TIMEOUT") => {
                return Err(rejected(
                    "the push was not answered in time (Okta stopped waiting)".into(),
                ));
            }
            _ => {
                return Err(self.api.unexpected_status(
                    tx,
                    "Okta's challenge is not a push samlbridge can wait for",
                ));
            }
        }
        if wait.is_over() {
            return Err(wait.expired(&self.api.host));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(factor_type: &str, provider: &str) -> Factor {
        Factor {
            id: format!("id-{factor_type}"),
            factor_type: factor_type.into(),
            provider: provider.into(),
            ..Factor::default()
        }
    }

    fn enrolled() -> Vec<Factor> {
        vec![
            factor("sms", "OKTA"),
            factor("push", "OKTA"),
            factor("token:software:totp", "GOOGLE"),
            factor("token:software:totp", "OKTA"),
            factor("webauthn", "FIDO"),
        ]
    }

    fn pick(preferred: Option<&str>, code: bool) -> Result<String, IdpError> {
        let factors = enrolled();
        choose(&factors, preferred, code, "org.okta.com").map(describe)
    }

    #[test]
    fn a_code_at_hand_picks_an_authenticator_app_else_push_else_the_first_usable() {
        assert_eq!(pick(None, true).unwrap(), "totp (GOOGLE)");
        assert_eq!(pick(None, false).unwrap(), "push (OKTA)");
        let only_sms = [factor("webauthn", "FIDO"), factor("sms", "OKTA")];
        let chosen = choose(&only_sms, None, true, "h").unwrap();
        assert_eq!(describe(chosen), "sms (OKTA)");
    }

    #[test]
    fn the_configured_factor_wins_by_short_name_type_or_provider() {
        assert_eq!(pick(Some("sms"), true).unwrap(), "sms (OKTA)");
        assert_eq!(pick(Some("totp/okta"), false).unwrap(), "totp (OKTA)");
        assert_eq!(
            pick(Some("token:software:totp"), false).unwrap(),
            "totp (GOOGLE)"
        );
        assert_eq!(pick(Some(" PUSH "), true).unwrap(), "push (OKTA)");
    }

    #[test]
    fn a_configured_factor_not_enrolled_or_unusable_is_a_setup_error_listing_them() {
        let err = pick(Some("call"), false).unwrap_err();
        assert!(matches!(err, IdpError::Setup(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("saml_mfa_factor = call"), "{text}");
        assert!(text.contains("push (OKTA), totp (GOOGLE)"), "{text}");
        let text = pick(Some("webauthn"), false).unwrap_err().to_string();
        assert!(text.contains("cannot verify"), "{text}");
        assert!(
            text.ends_with("pick another of: sms (OKTA), push (OKTA), totp (GOOGLE), totp (OKTA)"),
            "{text}"
        );
    }

    #[test]
    fn only_unsupported_factors_is_a_setup_error_naming_them() {
        let factors = [factor("webauthn", "FIDO"), factor("web", "DUO")];
        let err = choose(&factors, None, false, "org.okta.com").unwrap_err();
        assert_eq!(err.exit_kind(), crate::exit::ExitKind::Usage);
        let text = err.to_string();
        assert!(text.contains("webauthn (FIDO), web (DUO)"), "{text}");
        assert!(text.contains("org.okta.com"), "{text}");
    }

    #[test]
    fn push_from_another_vendor_is_not_okta_verify() {
        assert_eq!(kind(&factor("push", "SYMANTEC")), Kind::Unsupported);
        assert_eq!(kind(&factor("token", "RSA")), Kind::Code);
        assert_eq!(code_label(&factor("token", "RSA")), "RSA SecurID passcode");
    }
}
