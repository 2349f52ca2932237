//! The native-messaging side: raw bytes as the host's stdin, through `native::serve` (frame reader,
//! `protocol::decode_request`, the real engine, `protocol::fit_reply`). Every reply must be a
//! well-formed frame of JSON under Thunderbird's 1 MiB limit, and none may be an `internal` error:
//! `serve` turns engine panics into such replies, which would otherwise hide crashes from the fuzzer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mekiki::native::{self, End, Frame};
use mekiki::protocol::MAX_REPLY_BYTES;
use serde_json::Value;

/// Small, so oversized-frame skipping is reached by short inputs.
const MAX_REQUEST: u32 = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut output = Vec::new();
    let end = native::serve(&mut &data[..], &mut output, MAX_REQUEST, mekiki::analyze).expect("in-memory I/O");
    let mut replies = &output[..];
    let mut last_code = None;
    while let Some(frame) = native::read_frame(&mut replies, u32::MAX).expect("replies are whole frames") {
        let Frame::Payload(payload) = frame else { unreachable!("no cap on the reply reader") };
        assert!(payload.len() <= MAX_REPLY_BYTES, "reply of {} bytes", payload.len());
        let reply: Value = serde_json::from_slice(&payload).expect("replies are JSON");
        assert!(reply["type"].is_string(), "reply without a type: {reply}");
        assert_ne!(reply["code"], "internal", "the engine panicked: {reply}");
        last_code = reply.get("code").cloned();
    }
    if end == End::Truncated {
        assert_eq!(last_code.as_ref().and_then(Value::as_str), Some("truncated_frame"));
    }
});
