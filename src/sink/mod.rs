//! Where credentials go: the AWS credentials file, credential_process JSON, the environment of a
//! shell or a command, and the AWS console.

pub mod console;
pub mod credentials_file;
pub mod export;
pub mod process;
