//! Exit codes, a leaf every step's error names its kind with: 0 ok; 2 usage or configuration; 3
//! authentication rejected or a person must act; 4 unexpected answer from the IdP or STS; 5 network,
//! TLS or timeout (worth retrying); 1 anything else.

/// What kind of failure an error is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    Other = 1,
    Usage = 2,
    AuthRejected = 3,
    Unexpected = 4,
    Network = 5,
}

impl ExitKind {
    pub fn code(self) -> u8 {
        self as u8
    }
}
