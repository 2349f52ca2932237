//! Regression replay of every input the fuzzers found crashing, hanging or exhausting memory
//! (`tests/fixtures/hostile-crashes/<target>-<what>`, see FUZZING.md). Each is fed through every entry
//! point, whichever target found it: as a raw message, as the host's input stream, as one frame's
//! payload and as the message of an analyze request.

use base64::Engine as _;
use mekiki::domain;
use mekiki::native::{self, Frame};
use mekiki::protocol::{self, Job, MAX_REPLY_BYTES};
use serde_json::{Value, json};

use crate::{analyze_bounded, repo};

fn crash_inputs() -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("tests/fixtures/hostile-crashes");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/hostile-crashes exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    inputs.sort();
    inputs
}

/// Serves `stream` as the host would and checks that only well-formed, bounded replies come out and
/// that none reports an engine failure.
fn serve_checked(name: &str, stream: &[u8]) -> Vec<Value> {
    let mut output = Vec::new();
    native::serve(&mut &stream[..], &mut output, protocol::MAX_REQUEST_BYTES, mekiki::analyze)
        .unwrap_or_else(|e| panic!("{name}: serving failed: {e}"));
    let mut rest = &output[..];
    let mut replies = Vec::new();
    while let Some(frame) = native::read_frame(&mut rest, u32::MAX).expect("the host writes whole frames") {
        let Frame::Payload(payload) = frame else { unreachable!("no cap on the reply reader") };
        assert!(payload.len() <= MAX_REPLY_BYTES, "{name}: reply of {} bytes", payload.len());
        let reply: Value = serde_json::from_slice(&payload).expect("replies are JSON");
        assert_ne!(reply["code"], "internal", "{name}: {reply}");
        replies.push(reply);
    }
    replies
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u32).to_ne_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// The invariants of the `domain` fuzz target, on the input read as text.
fn check_domain_helpers(name: &str, input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let Some(host) = domain::normalize_host(&text) else { return };
    assert_eq!(domain::normalize_host(&host).as_ref(), Some(&host), "{name}: normalizing is not idempotent");
    if let Some(reg) = domain::registrable(&host) {
        assert!(domain::is_within(&host, &reg), "{name}: {reg:?} is not a parent of {host:?}");
    }
}

#[test]
fn every_crash_found_by_fuzzing_is_handled() {
    let inputs = crash_inputs();
    assert!(!inputs.is_empty(), "the crash inputs are missing");
    for (name, input) in inputs {
        check_domain_helpers(&name, &input);
        analyze_bounded(&input);
        serve_checked(&name, &input);
        let _ = protocol::decode_request(&input);
        serve_checked(&name, &framed(&input));
        let request = json!({
            "type": "analyze",
            "id": 1,
            "raw": base64::engine::general_purpose::STANDARD.encode(&input),
            "context": {"identities": ["me@example.jp"], "locale": "ja"},
        });
        if !input.is_empty() {
            assert!(matches!(protocol::decode_request(request.to_string().as_bytes()), Ok(Job::Analyze { .. })));
            let replies = serve_checked(&name, &framed(request.to_string().as_bytes()));
            assert_eq!(replies.len(), 1, "{name}");
            assert_eq!(replies[0]["type"], "verdict", "{name}: {}", replies[0]);
        }
    }
}
