//! Hostile input: every byte of a message (and of a native-messaging frame) was written by an
//! attacker. These tests feed the engine and the binary oversized, deeply nested, malformed and
//! fuzzer-found inputs and check that each still gets a verdict, in bounded time and memory, without
//! the host ever opening a socket. Issue 5; FUZZING.md describes the fuzz campaign behind `crashes`.

mod audit;
mod crashes;
mod limits;
mod malformed;
mod memory;
mod offline;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mekiki::model::{Context, Verdict};
use mekiki::protocol::{MAX_REPLY_BYTES, Reply, fit_reply};

/// The wall-clock bound for one hostile message in these (debug-build) tests. Generous because two
/// cores are shared with other builds (the 100,000-URL message, ≈20 s alone, once took 61 s at load
/// 7); a quadratic loop over 100,000 items still blows far past it.
const TIME_BOUND: Duration = Duration::from_secs(180);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Analyzes with the default limits and checks what must hold for any input: a verdict within
/// [`TIME_BOUND`] that serializes and, fitted for the wire, stays under Thunderbird's reply limit.
fn analyze_bounded(raw: &[u8]) -> Verdict {
    analyze_bounded_with(raw, &mekiki::Limits::default())
}

fn analyze_bounded_with(raw: &[u8], limits: &mekiki::Limits) -> Verdict {
    let start = Instant::now();
    let verdict = mekiki::analyze_with(raw, &Context::default(), limits);
    let took = start.elapsed();
    assert!(took < TIME_BOUND, "analysis of {} bytes took {took:?}", raw.len());
    let reply = fit_reply(&Reply::Verdict { id: 1, verdict: Box::new(verdict.clone()) }, MAX_REPLY_BYTES);
    assert!(reply.len() <= MAX_REPLY_BYTES, "reply of {} bytes", reply.len());
    serde_json::from_slice::<serde_json::Value>(&reply).expect("the reply is JSON");
    verdict
}

fn finding_ids(verdict: &Verdict) -> Vec<&str> {
    verdict.findings.iter().map(|f| f.id.as_str()).collect()
}

/// A plain message with the given extra headers and body.
fn message(extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "From: Sender <sender@example.com>\r\nTo: me@example.jp\r\nSubject: hostile test\r\n\
         Message-ID: <1@example.com>\r\nDate: Sat, 28 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n{extra_headers}\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}
