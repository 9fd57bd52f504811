//! Where credentials go: the AWS credentials file, credential_process JSON, the environment of a
//! shell or a command, the AWS console, and a local endpoint the SDKs ask (`server`); and where `setup` puts the profiles it makes (the
//! config file, through the credentials file's editor).

pub mod config_file;
pub mod console;
pub mod credentials_file;
pub mod export;
pub mod process;
pub mod server;
