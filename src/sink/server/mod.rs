//! A local credential endpoint for long jobs (`exec --server`, `serve`): the container-credentials
//! protocol every AWS SDK speaks (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), so a job asks for fresh keys whenever its SDK wants them.
//! A sink like the others: it is given where credentials come from (`CredentialSource`) and serves
//! what that gives. Its parts: `http` (one request read, one answer written), `token` (the random
//! token, checked in constant time), `renewal` (when to renew, one renewal at a time, what a request
//! waits for) and `listener` (loopback only; token, route, answer).

mod http;
mod listener;
mod renewal;
mod token;

pub use listener::{Routes, bind_loopback, route_url, serve};
pub use renewal::{CredentialSource, Renewer, SourceError};
pub use token::AuthToken;
