//! What a run knows about its surroundings, read once at the start: the AWS file paths, the few
//! environment variables samlbridge honours, and whether a person can be asked anything.

use crate::answers::prompt::{NoPrompt, Prompt, TerminalPrompt};
use crate::app::error::{Error, Result};
use crate::config::{AwsPaths, PlanEnv};
use crate::state::StateDir;
use std::io::IsTerminal;
use std::path::PathBuf;

pub struct Context {
    pub paths: AwsPaths,
    /// Private directory for saved IdP sessions and cached credentials.
    pub state: StateDir,
    /// The variables a plan is resolved with (AWS_PROFILE, SAMLBRIDGE_PASSWORD, …).
    pub env: PlanEnv,
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
            env: PlanEnv::from_env(var),
            prompt,
        })
    }

    /// Where the user's own provider files are: `samlbridge/providers/` next to the AWS config file.
    pub fn user_providers_dir(&self) -> Option<PathBuf> {
        self.paths
            .config_file
            .parent()
            .map(|d| d.join("samlbridge").join("providers"))
    }
}
