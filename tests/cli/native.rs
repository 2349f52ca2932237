//! Native messaging against the real binary, started with Thunderbird's argv.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::{EXTENSION_ID, THUNDERBIRD_MAX_MESSAGE, ham, has_japanese, mekiki, message_with_links, seed};

/// The host's request cap (PROTOCOL.md).
const MAX_REQUEST: u32 = 64 * 1024 * 1024;
/// Generous: the debug build on a shared two-core machine.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// A running host, spoken to as Thunderbird does.
struct Host {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Reply payloads, or why stdout stopped being a clean sequence of frames.
    replies: Receiver<Result<Vec<u8>, String>>,
    reader: Option<JoinHandle<()>>,
}

impl Host {
    fn start() -> Host {
        let mut child = mekiki()
            .args(["/home/user/.mozilla/native-messaging-hosts/mekiki.json", EXTENSION_ID])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the host starts");
        let mut stdout = child.stdout.take().unwrap();
        let (tx, replies) = channel();
        // Reads frames independently of the host's own framing code.
        let reader = std::thread::spawn(move || {
            loop {
                let mut header = [0u8; 4];
                let mut got = 0;
                while got < 4 {
                    match stdout.read(&mut header[got..]) {
                        Ok(0) if got == 0 => return,
                        Ok(0) | Err(_) => {
                            let _ = tx.send(Err(format!("stdout ended inside a frame header ({got} bytes)")));
                            return;
                        }
                        Ok(n) => got += n,
                    }
                }
                let mut payload = vec![0u8; u32::from_ne_bytes(header) as usize];
                if stdout.read_exact(&mut payload).is_err() {
                    let _ = tx.send(Err("stdout ended inside a frame".into()));
                    return;
                }
                if tx.send(Ok(payload)).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Host { child, stdin, replies, reader: Some(reader) }
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("the host reads its input");
        stdin.flush().unwrap();
    }

    fn send_frame(&mut self, payload: &[u8]) {
        self.write(&(payload.len() as u32).to_ne_bytes());
        self.write(payload);
    }

    fn send(&mut self, request: &Value) {
        self.send_frame(request.to_string().as_bytes());
    }

    /// The next reply, checked to be a JSON object under Thunderbird's size limit.
    fn reply(&self) -> Value {
        let payload = self
            .replies
            .recv_timeout(REPLY_TIMEOUT)
            .expect("a reply in time")
            .unwrap_or_else(|why| panic!("stdout is not clean frames: {why}"));
        assert!(payload.len() < THUNDERBIRD_MAX_MESSAGE, "reply of {} bytes", payload.len());
        let reply: Value = serde_json::from_slice(&payload).expect("replies are JSON");
        assert!(reply["type"].is_string(), "{reply}");
        reply
    }

    fn request(&mut self, request: &Value) -> Value {
        self.send(request);
        self.reply()
    }

    fn expect_error(&mut self, code: &str, id: Option<u64>) {
        let reply = self.reply();
        assert_eq!(reply["type"], "error", "{reply}");
        assert_eq!(reply["code"], code, "{reply}");
        assert_eq!(reply["id"], id.map_or(Value::Null, Value::from), "{reply}");
        assert!(reply["message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
    }

    /// Closes stdin as Thunderbird does when the port is disconnected; the host must then exit and
    /// must have written nothing but the frames already read.
    fn close(mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the host did not exit after its input closed");
            std::thread::sleep(Duration::from_millis(20));
        };
        self.reader.take().unwrap().join().unwrap();
        let leftover: Vec<_> = self.replies.try_iter().collect();
        assert!(leftover.is_empty(), "unexpected output after the last reply: {leftover:?}");
        status
    }
}

fn analyze_request(id: u64, raw: &[u8], locale: &str) -> Value {
    let raw = base64::engine::general_purpose::STANDARD.encode(raw);
    json!({"type": "analyze", "id": id, "raw": raw, "context": {"identities": [], "locale": locale}})
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn hello_reports_versions() {
    let mut host = Host::start();
    let reply = host.request(&json!({"type": "hello"}));
    assert_eq!(reply["type"], "hello");
    assert_eq!(reply["protocol"], 1);
    assert_eq!(reply["version"], env!("CARGO_PKG_VERSION"));
    assert!(host.close().success());
}

#[test]
fn one_shot_request_then_close() {
    // runtime.sendNativeMessage: one request, input closed, one reply.
    let mut host = Host::start();
    host.send(&analyze_request(1, &read(&ham()), "en"));
    drop(host.stdin.take());
    let reply = host.reply();
    assert_eq!(reply["type"], "verdict");
    assert_eq!(reply["verdict"]["level"], "safe");
    assert!(host.close().success());
}

#[test]
fn seed_is_flagged_over_native_messaging() {
    let mut host = Host::start();
    let reply = host.request(&analyze_request(42, &read(&seed()), "ja"));
    assert_eq!(reply["type"], "verdict", "{reply}");
    assert_eq!(reply["id"], 42);
    let verdict = &reply["verdict"];
    assert_ne!(verdict["level"], "safe", "{verdict}");
    assert_eq!(verdict["lang"], "ja");
    assert!(has_japanese(verdict["summary"].as_str().unwrap()), "{verdict}");
    assert!(verdict["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(host.close().success());
}

#[test]
fn seed_is_dangerous_over_native_messaging() {
    let mut host = Host::start();
    let reply = host.request(&analyze_request(1, &read(&seed()), "en"));
    assert_eq!(reply["verdict"]["level"], "dangerous", "{reply}");
    assert!(host.close().success());
}

#[test]
fn several_requests_on_one_connection_are_answered_in_order() {
    let mut host = Host::start();
    // Sent back to back before reading anything, as a busy extension would.
    host.send(&json!({"type": "hello"}));
    host.send(&analyze_request(1, &read(&seed()), "ja"));
    host.send(&analyze_request(2, &read(&ham()), "en"));
    host.send(&json!({"type": "analyze", "id": 3, "raw": "", "context": {}}));
    host.send(&analyze_request(4, &read(&ham()), "ja-JP"));
    assert_eq!(host.reply()["type"], "hello");
    let first = host.reply();
    assert_eq!((first["id"].as_u64(), first["verdict"]["lang"].as_str()), (Some(1), Some("ja")));
    let second = host.reply();
    assert_eq!(second["id"], 2);
    assert_eq!(second["verdict"]["level"], "safe");
    assert_eq!(second["verdict"]["lang"], "en");
    host.expect_error("empty_message", Some(3));
    let fourth = host.reply();
    assert_eq!((fourth["id"].as_u64(), fourth["verdict"]["lang"].as_str()), (Some(4), Some("ja")));
    assert!(host.close().success());
}

/// Deterministic noise (xorshift), so a failure can be replayed.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn bad_frames_get_error_replies_and_the_host_keeps_serving() {
    let mut host = Host::start();
    host.send_frame(b"");
    host.expect_error("empty_frame", None);
    host.send_frame(b"\xff\xfe\x00{\"type\":\"hello\"}");
    host.expect_error("bad_utf8", None);
    host.send_frame(b"hello, host");
    host.expect_error("bad_json", None);
    host.send(&json!({"type": "format_disk", "id": 7}));
    host.expect_error("unknown_type", Some(7));
    host.send(&json!({"id": 8, "raw": "aGk="}));
    host.expect_error("unknown_type", Some(8));
    host.send(&json!({"type": "analyze", "id": 9}));
    host.expect_error("bad_request", Some(9));
    host.send(&json!({"type": "analyze", "raw": "aGk="}));
    host.expect_error("bad_request", None);
    host.send(&json!({"type": "analyze", "id": 10, "raw": "aGk=", "unexpected": true}));
    host.expect_error("bad_request", Some(10));
    host.send(&json!({"type": "analyze", "id": 11, "raw": "not base64 at all!"}));
    host.expect_error("bad_base64", Some(11));
    host.send(&json!({"type": "analyze", "id": 12, "raw": ""}));
    host.expect_error("empty_message", Some(12));
    for seed in 1..=20 {
        host.send_frame(&noise(200 + seed as usize * 37, seed));
        let reply = host.reply();
        assert_eq!(reply["type"], "error", "{reply}");
        assert!(["bad_utf8", "bad_json"].contains(&reply["code"].as_str().unwrap()), "{reply}");
    }
    // Random bytes as the message itself: analyzed like any other message, never a crash.
    for seed in 1..=10 {
        let reply = host.request(&analyze_request(100 + seed, &noise(5_000, seed), "en"));
        assert_eq!(reply["type"], "verdict", "{reply}");
        assert_eq!(reply["id"], 100 + seed);
    }
    assert_eq!(host.request(&json!({"type": "hello"}))["type"], "hello");
    assert!(host.close().success());
}

#[test]
fn an_oversized_frame_is_skipped_and_the_stream_stays_in_sync() {
    let mut host = Host::start();
    let len = MAX_REQUEST + 1;
    host.write(&len.to_ne_bytes());
    let chunk = vec![b'A'; 1024 * 1024];
    let mut left = len as usize;
    while left > 0 {
        let n = left.min(chunk.len());
        host.write(&chunk[..n]);
        left -= n;
    }
    host.expect_error("frame_too_large", None);
    let reply = host.request(&analyze_request(5, &read(&ham()), "en"));
    assert_eq!(reply["verdict"]["level"], "safe");
    assert!(host.close().success());
}

#[test]
fn a_truncated_frame_ends_the_session_cleanly() {
    let mut host = Host::start();
    assert_eq!(host.request(&json!({"type": "hello"}))["type"], "hello");
    host.write(&100u32.to_ne_bytes());
    host.write(b"{\"type\":");
    drop(host.stdin.take());
    host.expect_error("truncated_frame", None);
    let status = host.close();
    assert_eq!(status.code(), Some(2), "out of sync: exit with the error code, not a crash");
}

#[test]
fn a_huge_claimed_length_without_the_bytes_ends_cleanly() {
    let mut host = Host::start();
    host.write(&u32::MAX.to_ne_bytes());
    host.write(b"{}");
    drop(host.stdin.take());
    host.expect_error("truncated_frame", None);
    assert_eq!(host.close().code(), Some(2));
}

fn assert_many_links_fit(count: usize) {
    let mut host = Host::start();
    let started = Instant::now();
    let reply = host.request(&analyze_request(1, &message_with_links(count), "en"));
    let elapsed = started.elapsed();
    assert_eq!(reply["type"], "verdict", "{reply}");
    let verdict = &reply["verdict"];
    let shown = verdict["facts"]["links"].as_array().unwrap().len();
    let omitted = verdict["truncated"]["omitted"]["links"].as_u64().unwrap_or(0) as usize;
    assert!(shown > 0, "some links are kept");
    assert_eq!(shown + omitted, count, "every link is either listed or counted as left out");
    // A debug build on two shared cores: ~16 s for 100,000 links (the release build takes ~1 s).
    assert!(elapsed < Duration::from_secs(90), "{count} links took {elapsed:?}");
    assert!(host.close().success());
}

#[test]
fn reply_fits_for_5_000_links() {
    assert_many_links_fit(5_000);
}

#[test]
fn reply_fits_for_100_000_links() {
    assert_many_links_fit(100_000);
}

#[test]
fn random_bytes_on_stdin_get_nothing_but_frames_back() {
    for seed in 1..=5 {
        let mut host = Host::start();
        host.write(&noise(100_000, seed));
        drop(host.stdin.take());
        let mut last = None;
        loop {
            let payload = match host.replies.recv_timeout(REPLY_TIMEOUT) {
                Ok(Ok(payload)) => payload,
                Ok(Err(why)) => panic!("stdout is not clean frames: {why}"),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("the host hangs on random input"),
            };
            let reply: Value = serde_json::from_slice(&payload).expect("replies are JSON");
            assert_eq!(reply["type"], "error", "{reply}");
            last = Some(reply);
        }
        let status = host.close();
        // In sync to the end (closed) or cut mid-frame (truncated_frame, exit 2): never a crash.
        match status.code() {
            Some(0) => {}
            Some(2) => assert_eq!(last.expect("an error reply")["code"], "truncated_frame"),
            other => panic!("exit {other:?}"),
        }
    }
}
