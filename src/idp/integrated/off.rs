//! Stands in for `gssapi` and `ntlm` in a samlbridge built without the `integrated` cargo feature:
//! their items, with every handshake failing to say that this build has no integrated sign-in.

/// What a Kerberos or NTLM handshake says in a build without them.
const LEFT_OUT: &str = "this samlbridge was built without Windows integrated sign-in (cargo \
     feature `integrated`); set saml_auth = form, or use a build with it";

pub mod gssapi {
    /// Never made: `system` always fails.
    pub enum Gss {}

    /// Never made: no `Gss` makes one.
    pub enum Context {}

    /// The library's words on a failure; none is ever made here.
    #[derive(Debug, Clone)]
    pub struct GssFailure {
        pub message: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[allow(dead_code)] // matched on by `kerberos_error`, never made here
    pub enum FailureKind {
        NoTicket,
        Expired,
        KdcUnreachable,
        UnknownService,
        Other,
    }

    impl GssFailure {
        pub fn kind(&self) -> FailureKind {
            FailureKind::Other
        }
    }

    pub fn system() -> Result<&'static Gss, String> {
        Err(super::LEFT_OUT.to_string())
    }

    impl Gss {
        pub fn context(&'static self, _host: &str) -> Result<Context, GssFailure> {
            match *self {}
        }
    }

    impl Context {
        pub fn step(&mut self, _server: Option<&[u8]>) -> Result<Option<Vec<u8>>, GssFailure> {
            match *self {}
        }

        pub fn is_complete(&self) -> bool {
            match *self {}
        }
    }
}

pub mod ntlm {
    use crate::secret::Secret;

    /// Who would sign in; kept only so that the sign-in can fail at its first leg.
    #[derive(Debug)]
    pub struct NtlmCredentials;

    impl NtlmCredentials {
        pub fn new(_username: &str, _password: Secret) -> NtlmCredentials {
            NtlmCredentials
        }
    }

    pub fn negotiate() -> Result<Vec<u8>, String> {
        Err(super::LEFT_OUT.to_string())
    }

    pub fn authenticate(_challenge: &[u8], _creds: &NtlmCredentials) -> Result<Vec<u8>, String> {
        Err(super::LEFT_OUT.to_string())
    }
}
