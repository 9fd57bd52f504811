//! What a run knows about its surroundings, read once at the start: the AWS file paths, the few
//! environment variables samlbridge honours, and whether a person can be asked anything.

use crate::answers::prompt::{NoPrompt, Prompt, TerminalPrompt};
use crate::app::error::{Error, Result};
use crate::config::AwsPaths;
use crate::secret::Secret;
use crate::state::StateDir;
use std::io::IsTerminal;
use std::path::PathBuf;

pub struct Context {
    pub paths: AwsPaths,
    /// Private directory for saved IdP sessions and cached credentials.
    pub state: StateDir,
    /// AWS_PROFILE
    pub aws_profile: Option<String>,
    /// SAMLBRIDGE_PASSWORD
    pub env_password: Option<Secret>,
    /// SAMLBRIDGE_CA_BUNDLE
    pub ca_bundle: Option<PathBuf>,
    pub prompt: Box<dyn Prompt>,
}

impl Context {
    /// `non_interactive` is the flag; a stdin that is not a terminal implies it too.
    pub fn from_env(non_interactive: bool) -> Result<Context> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let var = &var;
        let paths = AwsPaths::from_env(var).ok_or_else(|| {
            Error::Usage("HOME is not set, so ~/.aws cannot be found; set HOME (or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)".into())
        })?;
        let state = StateDir::from_env(var).map_err(|e| Error::Usage(e.to_string()))?;
        let interactive = !non_interactive && std::io::stdin().is_terminal();
        let prompt: Box<dyn Prompt> = if interactive {
            Box::new(TerminalPrompt)
        } else {
            Box::new(NoPrompt)
        };
        Ok(Context {
            paths,
            state,
            aws_profile: var("AWS_PROFILE"),
            env_password: var("SAMLBRIDGE_PASSWORD").map(Secret::new),
            ca_bundle: var("SAMLBRIDGE_CA_BUNDLE").map(PathBuf::from),
            prompt,
        })
    }

    /// `--profile`, else AWS_PROFILE, else `default`.
    pub fn profile_name(&self, flag: Option<&str>) -> String {
        flag.map(str::to_string)
            .or_else(|| self.aws_profile.clone())
            .unwrap_or_else(|| "default".to_string())
    }

    /// Where the user's own provider files are: `samlbridge/providers/` next to the AWS config file.
    pub fn user_providers_dir(&self) -> Option<PathBuf> {
        self.paths
            .config_file
            .parent()
            .map(|d| d.join("samlbridge").join("providers"))
    }
}
