//! What runs beside the endpoint until it closes: `exec --server`'s CMD (waited for on a thread of
//! its own, sent the signals samlbridge gets), or `serve` until SIGTERM or SIGINT.

use crate::app::error::{Error, Result};
use futures::future::LocalBoxFuture;
use std::process::{Child, ExitStatus};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot};

/// The signals passed on to CMD, as `exec` (which becomes CMD) would let them reach it.
const FORWARDED: [libc::c_int; 7] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

fn signal_error(e: std::io::Error) -> Error {
    Error::System(format!("could not listen for signals: {e}"))
}

/// Signals caught (rather than ending samlbridge) from the moment this exists, by number.
pub(super) struct Caught(mpsc::UnboundedReceiver<libc::c_int>);

/// Catches the signals `exec --server` passes on to CMD: call before CMD starts.
pub(super) fn for_child() -> Result<Caught> {
    listen(&FORWARDED).map(Caught)
}

/// Catches SIGTERM and SIGINT: call before `serve` says where it listens.
pub(super) fn for_stop() -> Result<Caught> {
    listen(&[libc::SIGTERM, libc::SIGINT]).map(Caught)
}

/// Every signal of `kinds` that arrives, by number.
fn listen(kinds: &[libc::c_int]) -> Result<mpsc::UnboundedReceiver<libc::c_int>> {
    let (tx, rx) = mpsc::unbounded_channel();
    for &number in kinds {
        let mut stream = signal(SignalKind::from_raw(number)).map_err(signal_error)?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                if tx.send(number).is_err() {
                    break;
                }
            }
        });
    }
    Ok(rx)
}

/// Whether the terminal already sends its signals to CMD: samlbridge is in the terminal's
/// foreground process group, which CMD shares. Then a Ctrl-C is not passed on a second time.
fn terminal_reaches_child(number: libc::c_int) -> bool {
    if !matches!(number, libc::SIGINT | libc::SIGQUIT | libc::SIGWINCH) {
        return false;
    }
    // SAFETY: plain queries of this process's and the terminal's process groups, no pointers.
    unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() }
}

/// Waits for CMD while the renewers run, passing signals on; gives CMD's status.
pub(super) async fn supervise(
    mut child: Child,
    signals: Caught,
    renewers: &mut LocalBoxFuture<'static, ()>,
) -> Result<ExitStatus> {
    let mut signals = signals.0;
    let pid = child.id() as libc::pid_t;
    let (tx, mut ended) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let mut renewing = true;
    loop {
        tokio::select! {
            status = &mut ended => {
                return match status {
                    Ok(Ok(status)) => Ok(status),
                    Ok(Err(e)) => Err(Error::System(format!("could not wait for the command: {e}"))),
                    Err(_) => Err(Error::System("lost the command's exit status".into())),
                };
            }
            Some(number) = signals.recv() => {
                if !terminal_reaches_child(number) {
                    // SAFETY: sends a signal to our own child, by the pid it was started with.
                    unsafe { libc::kill(pid, number) };
                }
            }
            () = &mut *renewers, if renewing => renewing = false,
        }
    }
}

/// Runs the renewers until SIGTERM or SIGINT.
pub(super) async fn until_stopped(signals: Caught, renewers: &mut LocalBoxFuture<'static, ()>) {
    let mut signals = signals.0;
    tokio::select! {
        _ = signals.recv() => {}
        () = renewers => {
            let _ = signals.recv().await;
        }
    }
}
