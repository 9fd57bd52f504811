//! Test doubles shared by the unit tests, one of each kind: a person answering the IdP
//! (`answers`), a person at the terminal (`prompt`), a keychain store (`vault`), an IdP scripted per
//! test (`idp`), an STS (`sts`), and the logs (`log`). HTTP peers listen through
//! `samlbridge_emulators::http::loopback_server` (TCP_NODELAY on 127.0.0.1).

pub(crate) mod answers;
pub(crate) mod idp;
pub(crate) mod log;
pub(crate) mod prompt;
pub(crate) mod sts;
pub(crate) mod vault;
