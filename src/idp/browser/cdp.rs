//! The Chrome DevTools Protocol over the pipe Chromium opens with `--remote-debugging-pipe`: the
//! browser reads commands on its file descriptor 3 and writes answers and events on 4, each message
//! one JSON object ended by a NUL byte (as Playwright drives it). No port is opened, so no other
//! process on the machine, of this user or another, can reach the browser: only samlbridge holds
//! the pipe's ends.
//!
//! One thread reads the browser's messages and hands each answer to the command waiting for it and
//! each event to the one receiver; one thread writes the commands, so that a browser slow to read
//! never blocks the async runtime.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long one command may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest message read; a bigger one (a runaway page) is dropped, not kept in memory.
const MAX_MESSAGE: u64 = 64 << 20;

/// Why a command got no result.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CdpError {
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("the browser closed its DevTools pipe")]
    Closed,
    /// The protocol's own error message (the browser refused the command).
    #[error("{0}")]
    Refused(String),
}

/// A message the browser sent by itself; `session` is the attached target it concerns.
#[derive(Debug, Clone)]
pub struct Event {
    pub method: String,
    pub session: Option<String>,
    pub params: Value,
}

type Reply = oneshot::Sender<Result<Value, CdpError>>;

struct Shared {
    next: AtomicU64,
    /// The commands waiting for their answer; None once the browser closed the pipe.
    pending: Mutex<Option<HashMap<u64, Reply>>>,
    out: std::sync::mpsc::Sender<Vec<u8>>,
}

/// A connection to the browser; clones share it.
#[derive(Clone)]
pub struct Cdp {
    shared: Arc<Shared>,
}

impl Cdp {
    /// Starts talking over `from_browser` (its fd 4) and `to_browser` (its fd 3); the browser's
    /// events come out of the receiver, which ends when the browser closes the pipe.
    pub fn start(
        from_browser: impl Read + Send + 'static,
        to_browser: impl Write + Send + 'static,
    ) -> (Cdp, mpsc::UnboundedReceiver<Event>) {
        Cdp::start_limited(from_browser, to_browser, MAX_MESSAGE)
    }

    /// As `start`, dropping messages longer than `limit` bytes.
    fn start_limited(
        from_browser: impl Read + Send + 'static,
        to_browser: impl Write + Send + 'static,
        limit: u64,
    ) -> (Cdp, mpsc::UnboundedReceiver<Event>) {
        let (out, commands) = std::sync::mpsc::channel::<Vec<u8>>();
        let shared = Arc::new(Shared {
            next: AtomicU64::new(1),
            pending: Mutex::new(Some(HashMap::new())),
            out,
        });
        let (events, received) = mpsc::unbounded_channel();
        std::thread::spawn(move || write_commands(to_browser, commands));
        let reading = shared.clone();
        std::thread::spawn(move || read_messages(from_browser, &reading, &events, limit));
        (Cdp { shared }, received)
    }

    /// Sends `method` (to the attached target `session`, or the browser) and waits for its result.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, CdpError> {
        let id = self.shared.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        match lock(&self.shared.pending).as_mut() {
            Some(pending) => pending.insert(id, tx),
            None => return Err(CdpError::Closed),
        };
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::from(session);
        }
        // serde_json escapes every control character, so the message holds no NUL of its own.
        let mut bytes = serde_json::to_vec(&message).unwrap_or_default();
        bytes.push(0);
        if self.shared.out.send(bytes).is_err() {
            self.forget(id);
            return Err(CdpError::Closed);
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(CdpError::Closed),
            Err(_) => {
                self.forget(id);
                Err(CdpError::Timeout(COMMAND_TIMEOUT.as_secs()))
            }
        }
    }

    fn forget(&self, id: u64) {
        if let Some(pending) = lock(&self.shared.pending).as_mut() {
            pending.remove(&id);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write_commands(mut to_browser: impl Write, commands: std::sync::mpsc::Receiver<Vec<u8>>) {
    while let Ok(bytes) = commands.recv() {
        if to_browser
            .write_all(&bytes)
            .and_then(|()| to_browser.flush())
            .is_err()
        {
            break;
        }
    }
}

/// Reads NUL-ended messages until the browser closes its end; then every waiting command is told.
fn read_messages(
    from_browser: impl Read,
    shared: &Shared,
    events: &mpsc::UnboundedSender<Event>,
    limit: u64,
) {
    let mut reader = BufReader::new(from_browser);
    let mut message = Vec::new();
    loop {
        message.clear();
        let read = (&mut reader).take(limit).read_until(0, &mut message);
        match read {
            Ok(0) | Err(_) => break,
            Ok(_) if message.last() != Some(&0) => {
                if message.len() as u64 >= limit {
                    skip_rest(&mut reader);
                    continue;
                }
                break;
            }
            Ok(_) => {
                message.pop();
                dispatch(&message, shared, events);
            }
        }
    }
    let waiting = lock(&shared.pending).take().unwrap_or_default();
    for (_, reply) in waiting {
        let _ = reply.send(Err(CdpError::Closed));
    }
}

/// Skips what is left of an oversized message, up to its NUL.
fn skip_rest(reader: &mut impl BufRead) {
    let mut sink = Vec::new();
    loop {
        sink.clear();
        match reader.take(1 << 20).read_until(0, &mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) if sink.last() == Some(&0) => return,
            Ok(_) => {}
        }
    }
}

/// One message: the answer to a command (it has the command's id), or an event.
fn dispatch(message: &[u8], shared: &Shared, events: &mpsc::UnboundedSender<Event>) {
    let Ok(mut value) = serde_json::from_slice::<Value>(message) else {
        return;
    };
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        let reply = lock(&shared.pending)
            .as_mut()
            .and_then(|pending| pending.remove(&id));
        if let Some(reply) = reply {
            let _ = reply.send(answer_of(&mut value));
        }
        return;
    }
    let Some(method) = value.get("method").and_then(Value::as_str) else {
        return;
    };
    let _ = events.send(Event {
        method: method.to_string(),
        session: value
            .get("sessionId")
            .and_then(Value::as_str)
            .map(str::to_string),
        params: value.get_mut("params").map(Value::take).unwrap_or_default(),
    });
}

fn answer_of(value: &mut Value) -> Result<Value, CdpError> {
    if let Some(error) = value.get("error") {
        let said = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("an error without a message");
        return Err(CdpError::Refused(said.to_string()));
    }
    Ok(value.get_mut("result").map(Value::take).unwrap_or_default())
}

#[cfg(test)]
mod tests;
