//! `exec --server` and `serve`: the local credential endpoint (`sink::server`) fed by `obtain`, the
//! same cache → gateway session → sign-in path every command takes, through a context that never
//! prompts. The first credentials are obtained before the endpoint opens, as `exec` obtains them
//! (a person at a terminal may be asked then); every renewal after that is silent.

use super::block_on;
use super::obtain::Obtained;
use super::serve::{credentials_of, obtain_for, person_must_act, region_of, target};
use super::{sign_in_overrides, stdout};
use crate::app::context::Context;
use crate::app::error::{Error, Result};
use crate::cli::{ExecArgs, ServeArgs};
use crate::config::{Overrides, Plan};
use crate::credentials::Credentials;
use crate::sink::export::{self, SessionEnv};
use crate::sink::server::{self, AuthToken, CredentialSource, Renewer, Routes, SourceError};
use futures::future::{LocalBoxFuture, join_all};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

mod signals;

/// One profile's credentials through `obtain`, never prompting. Every route's source shares
/// `one_at_a_time`, so that profiles with one gateway sign in once, not once each.
struct ObtainSource {
    ctx: Context,
    plan: Plan,
    one_at_a_time: Arc<Mutex<()>>,
}

impl CredentialSource for ObtainSource {
    async fn fetch(&self) -> Result<Credentials, SourceError> {
        let _turn = self.one_at_a_time.lock().await;
        let obtained = obtain_for(&self.ctx, &self.plan).await;
        match obtained.and_then(|o| credentials_of(&self.plan, &o).cloned()) {
            Ok(credentials) => Ok(credentials),
            Err(e) => Err(match person_must_act(&self.plan, e) {
                Error::PersonMustAct(message) => SourceError::PersonMustAct(message),
                other => SourceError::Failed(format!(
                    "profile {}: could not renew: {other}",
                    self.plan.target
                )),
            }),
        }
    }
}

/// An open endpoint: its address, token, and the renewers that keep its routes fresh (to be
/// polled for as long as it serves). The listener stops when this is dropped.
struct Endpoint {
    addr: SocketAddr,
    token: AuthToken,
    renewers: LocalBoxFuture<'static, ()>,
    listening: JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.listening.abort();
    }
}

impl Endpoint {
    /// Binds 127.0.0.1 and serves each plan (with its first credentials) at /profile/<target>.
    async fn open(plans: Vec<(Plan, Credentials)>) -> Result<Endpoint> {
        let token = AuthToken::generate().map_err(|_| {
            Error::System("the OS gave no randomness for the endpoint's token".into())
        })?;
        let listener = server::bind_loopback()
            .await
            .map_err(|e| Error::System(format!("could not listen on 127.0.0.1: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::System(format!("could not read the endpoint's address: {e}")))?;
        let one_at_a_time = Arc::new(Mutex::new(()));
        let mut routes = Vec::new();
        let mut renewers = Vec::new();
        for (plan, first) in plans {
            let source = ObtainSource {
                ctx: Context::from_env(true)?,
                plan: plan.clone(),
                one_at_a_time: one_at_a_time.clone(),
            };
            let (renewer, route) =
                Renewer::new(&plan.target, source, plan.refresh_window, Some(first));
            routes.push((plan.target.clone(), route));
            renewers.push(renewer.run());
        }
        let listening = tokio::spawn(server::serve(listener, Routes::new(token.clone(), routes)));
        let renewers = Box::pin(async move {
            join_all(renewers).await;
        });
        Ok(Endpoint {
            addr,
            token,
            renewers,
            listening,
        })
    }

    fn url(&self, profile: &str) -> String {
        server::route_url(self.addr, profile)
    }
}

async fn first_credentials(ctx: &Context, plan: &Plan) -> Result<Credentials> {
    let obtained: Obtained = obtain_for(ctx, plan).await?;
    credentials_of(plan, &obtained).cloned()
}

/// `exec --server`: CMD runs beside the endpoint, with its URL and token and no keys; its exit code
/// (128 + the signal that ended it) is ours, and the signals samlbridge gets are passed on to it.
pub fn exec(args: ExecArgs) -> Result<u8> {
    let flags = sign_in_overrides(&args.sign_in);
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let plan = target(&ctx, &flags)?;
    block_on(async {
        let first = first_credentials(&ctx, &plan).await?;
        let mut endpoint = Endpoint::open(vec![(plan.clone(), first)]).await?;
        let url = endpoint.url(&plan.target);
        let env = SessionEnv::container(&url, endpoint.token.expose(), region_of(&plan));
        let mut command = export::command(&args.command, &env)?;
        let caught = signals::for_child()?;
        let child = export::spawn(&mut command)?;
        let status = signals::supervise(child, caught, &mut endpoint.renewers).await?;
        Ok(u8::try_from(export::exit_code(status)).unwrap_or(1))
    })
}

/// `serve`: the endpoint alone, its two `export` lines on stdout, until SIGTERM or SIGINT (exit 0).
pub fn serve(args: ServeArgs) -> Result<u8> {
    let flags = sign_in_overrides(&args.sign_in);
    let ctx = Context::from_env(args.sign_in.non_interactive)?;
    let plans = plans_of(&ctx, &flags)?;
    block_on(async {
        let mut first = Vec::with_capacity(plans.len());
        for plan in plans {
            let credentials = first_credentials(&ctx, &plan).await?;
            first.push((plan, credentials));
        }
        let served: Vec<String> = first.iter().map(|(p, _)| p.target.clone()).collect();
        let mut endpoint = Endpoint::open(first).await?;
        let url = endpoint.url(&served[0]);
        let caught = signals::for_stop()?;
        stdout::write_with(|out| {
            writeln!(out, "export AWS_CONTAINER_CREDENTIALS_FULL_URI={url}")?;
            writeln!(
                out,
                "export AWS_CONTAINER_AUTHORIZATION_TOKEN={}",
                endpoint.token.expose()
            )
        })?;
        tell!(
            "samlbridge: serving {} on http://{}/profile/<name> until SIGTERM or Ctrl-C",
            served.join(", "),
            endpoint.addr
        );
        signals::until_stopped(caught, &mut endpoint.renewers).await;
        Ok(0)
    })
}

/// The plan of each profile named (`--profile a,b`), or of the default profile.
fn plans_of(ctx: &Context, flags: &Overrides) -> Result<Vec<Plan>> {
    let names: Vec<String> = match &flags.profile {
        Some(list) => {
            let mut names: Vec<String> = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
            names
        }
        None => Vec::new(),
    };
    if names.is_empty() {
        return Ok(vec![target(ctx, flags)?]);
    }
    names
        .into_iter()
        .map(|name| {
            let one = Overrides {
                profile: Some(name),
                ..flags.clone()
            };
            target(ctx, &one)
        })
        .collect()
}
