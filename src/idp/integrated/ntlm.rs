//! NTLM's three legs from a username and password, through the `ntlmclient` crate: NEGOTIATE,
//! then AUTHENTICATE from the server's CHALLENGE (NTLMv2). The password lives in a `Secret` and in
//! the crate's credentials only while the response is computed.

use crate::secret::Secret;
use ntlmclient::{Flags, Message, NegotiateMessage};
use std::fmt;
use zeroize::Zeroize;

/// Who signs in: the account and its domain, split from `DOMAIN\user` or `user@domain`.
pub struct NtlmCredentials {
    pub user: String,
    pub domain: String,
    password: Secret,
}

impl fmt::Debug for NtlmCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtlmCredentials")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl NtlmCredentials {
    /// `DOMAIN\user`, `user@domain`, or a bare `user` (the server's domain then decides).
    pub fn new(username: &str, password: Secret) -> NtlmCredentials {
        let username = username.trim();
        let (user, domain) = if let Some((domain, user)) = username.split_once('\\') {
            (user, domain)
        } else if let Some((user, domain)) = username.rsplit_once('@') {
            (user, domain)
        } else {
            (username, "")
        };
        NtlmCredentials {
            user: user.to_string(),
            domain: domain.to_string(),
            password,
        }
    }
}

fn negotiate_flags() -> Flags {
    Flags::NEGOTIATE_UNICODE
        | Flags::REQUEST_TARGET
        | Flags::NEGOTIATE_NTLM
        | Flags::NEGOTIATE_ALWAYS_SIGN
        | Flags::NEGOTIATE_NTLM2_KEY
}

/// The first leg: what the client can do.
pub fn negotiate() -> Result<Vec<u8>, String> {
    Message::Negotiate(NegotiateMessage {
        flags: negotiate_flags(),
        supplied_domain: String::new(),
        supplied_workstation: String::new(),
        os_version: Default::default(),
    })
    .to_bytes()
    .map_err(|e| format!("cannot write the NTLM negotiate message: {e}"))
}

/// The third leg: the answer to the server's CHALLENGE message.
pub fn authenticate(challenge: &[u8], creds: &NtlmCredentials) -> Result<Vec<u8>, String> {
    let challenge = match Message::try_from(challenge) {
        Ok(Message::Challenge(c)) => c,
        Ok(_) => return Err("its NTLM answer is not a CHALLENGE message".into()),
        Err(e) => return Err(format!("its NTLM CHALLENGE message is not readable ({e})")),
    };
    let target_info: Vec<u8> = challenge
        .target_information
        .iter()
        .flat_map(|entry| entry.to_bytes())
        .collect();
    let mut crate_creds = ntlmclient::Credentials {
        username: creds.user.clone(),
        password: creds.password.expose().to_string(),
        domain: creds.domain.clone(),
    };
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        &crate_creds,
    );
    crate_creds.password.zeroize();
    let flags = Flags::NEGOTIATE_UNICODE | Flags::NEGOTIATE_NTLM | Flags::NEGOTIATE_NTLM2_KEY;
    let message = response.to_message(&crate_creds, "", flags);
    message
        .to_bytes()
        .map_err(|e| format!("cannot write the NTLM authenticate message: {e}"))
}

#[cfg(test)]
mod tests;
