use super::*;
use std::io::{BufRead, BufReader, Write};

/// A stand-in browser on the other end of two pipes: it reads each command and lets `answer` say
/// what to write back (answers and events, NUL-ended); it stops when told to close.
fn fake_browser(
    answer: impl Fn(&Value) -> Vec<Value> + Send + 'static,
) -> (Cdp, mpsc::UnboundedReceiver<Event>) {
    let (from_browser, mut browser_writes) = std::io::pipe().expect("pipe");
    let (browser_reads, to_browser) = std::io::pipe().expect("pipe");
    std::thread::spawn(move || {
        let mut commands = BufReader::new(browser_reads);
        let mut line = Vec::new();
        while commands.read_until(0, &mut line).is_ok_and(|n| n > 0) {
            line.pop();
            let command: Value = serde_json::from_slice(&line).expect("a JSON command");
            line.clear();
            if command["method"] == "Test.close" {
                return;
            }
            for reply in answer(&command) {
                let mut bytes = serde_json::to_vec(&reply).expect("json");
                bytes.push(0);
                if browser_writes.write_all(&bytes).is_err() {
                    return;
                }
            }
        }
    });
    Cdp::start(from_browser, to_browser)
}

#[tokio::test]
async fn each_answer_reaches_its_command_and_events_reach_the_receiver() {
    let (cdp, mut events) = fake_browser(|command| {
        let id = command["id"].clone();
        vec![
            json!({"method": "Page.loadEventFired", "sessionId": "S1", "params": {"t": 1}}),
            json!({"id": id, "result": {"echo": command["params"]["x"], "session": command["sessionId"]}}),
        ]
    });
    let (a, b) = tokio::join!(
        cdp.call(Some("S1"), "Test.echo", json!({"x": 1})),
        cdp.call(None, "Test.echo", json!({"x": 2})),
    );
    let (a, b) = (a.expect("answer"), b.expect("answer"));
    assert_eq!(a["echo"], 1);
    assert_eq!(a["session"], "S1");
    assert_eq!(b["echo"], 2);
    assert_eq!(b["session"], Value::Null);
    let event = events.recv().await.expect("an event");
    assert_eq!(event.method, "Page.loadEventFired");
    assert_eq!(event.session.as_deref(), Some("S1"));
    assert_eq!(event.params["t"], 1);
}

#[tokio::test]
async fn an_error_answer_is_the_browsers_refusal() {
    let (cdp, _events) = fake_browser(|command| {
        vec![json!({"id": command["id"], "error": {"code": -32000, "message": "No target"}})]
    });
    let said = cdp.call(None, "Target.closeTarget", json!({})).await;
    assert_eq!(said, Err(CdpError::Refused("No target".into())));
}

#[tokio::test]
async fn a_closed_pipe_ends_waiting_commands_and_the_events() {
    let (cdp, mut events) = fake_browser(|_| Vec::new());
    let waiting = cdp.clone();
    let pending = tokio::spawn(async move { waiting.call(None, "Test.never", json!({})).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = cdp.call(None, "Test.close", json!({})).await;
    assert_eq!(pending.await.expect("task"), Err(CdpError::Closed));
    assert!(events.recv().await.is_none());
    assert_eq!(
        cdp.call(None, "Test.after", json!({})).await,
        Err(CdpError::Closed)
    );
}

#[tokio::test]
async fn garbage_and_answers_nobody_waits_for_are_skipped() {
    let (from_browser, mut browser_writes) = std::io::pipe().expect("pipe");
    let (_browser_reads, to_browser) = std::io::pipe().expect("pipe");
    let (_cdp, mut events) = Cdp::start(from_browser, to_browser);
    browser_writes
        .write_all(b"not json\0{\"id\":999,\"result\":{}}\0{\"method\":\"A.b\"}\0")
        .expect("write");
    drop(browser_writes);
    let event = events.recv().await.expect("the one event");
    assert_eq!(event.method, "A.b");
    assert!(events.recv().await.is_none());
}

#[tokio::test]
async fn an_oversized_message_is_dropped_whole_and_the_next_one_read() {
    let (from_browser, mut browser_writes) = std::io::pipe().expect("pipe");
    let (_browser_reads, to_browser) = std::io::pipe().expect("pipe");
    let (_cdp, mut events) = Cdp::start_limited(from_browser, to_browser, 64);
    let big = format!(
        "{{\"method\":\"Too.big\",\"params\":{{\"x\":\"{}\"}}}}\0",
        "y".repeat(300)
    );
    browser_writes.write_all(big.as_bytes()).expect("write");
    browser_writes
        .write_all(b"{\"method\":\"Next.one\"}\0")
        .expect("write");
    drop(browser_writes);
    let event = events.recv().await.expect("the next event");
    assert_eq!(event.method, "Next.one");
    assert!(events.recv().await.is_none());
}

#[tokio::test]
async fn a_message_cut_off_by_the_browsers_exit_is_not_read() {
    let (from_browser, mut browser_writes) = std::io::pipe().expect("pipe");
    let (_browser_reads, to_browser) = std::io::pipe().expect("pipe");
    let (_cdp, mut events) = Cdp::start(from_browser, to_browser);
    browser_writes
        .write_all(b"{\"method\":\"Whole\"}\0{\"method\":\"Cut\"}x")
        .expect("write");
    drop(browser_writes);
    assert_eq!(events.recv().await.expect("event").method, "Whole");
    assert!(events.recv().await.is_none());
}
