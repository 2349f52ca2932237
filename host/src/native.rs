//! Native messaging: the framing Thunderbird uses (a 4-byte native-endian length, then that many
//! bytes of UTF-8 JSON, both ways) and the loop that serves requests until the extension hangs up.

use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use byteorder::{ByteOrder, NativeEndian, WriteBytesExt};

use crate::model::{Context, Verdict};
use crate::protocol::{self, ErrorCode, Job, MAX_REPLY_BYTES, Reply, RequestError};

/// One frame read from the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Payload(Vec<u8>),
    /// The header announced more than the cap; that many bytes were read and dropped, so the
    /// stream is still in sync.
    TooLarge(u32),
}

/// Reads the next frame; `Ok(None)` at a clean end of stream (between frames). A stream that ends
/// inside a frame gives an `UnexpectedEof` error: it can no longer be resynchronized.
pub fn read_frame(input: &mut impl Read, max_len: u32) -> io::Result<Option<Frame>> {
    let mut header = [0u8; 4];
    let mut filled = 0;
    while filled < header.len() {
        match input.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside a frame header")),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = NativeEndian::read_u32(&header);
    let mut body = input.take(u64::from(len));
    if len > max_len {
        // Drain through a small fixed buffer: the claimed length is never allocated.
        let skipped = io::copy(&mut body, &mut io::sink())?;
        return if skipped == u64::from(len) {
            Ok(Some(Frame::TooLarge(len)))
        } else {
            Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside an oversized frame"))
        };
    }
    // Grows with the bytes that actually arrive, not with what the header claims.
    let mut payload = Vec::with_capacity((len as usize).min(64 * 1024));
    body.read_to_end(&mut payload)?;
    if payload.len() == len as usize {
        Ok(Some(Frame::Payload(payload)))
    } else {
        Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside a frame"))
    }
}

/// Writes one frame and flushes it, so the reader sees it at once.
pub fn write_frame(output: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len =
        u32::try_from(payload.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    output.write_u32::<NativeEndian>(len)?;
    output.write_all(payload)?;
    output.flush()
}

/// How a serving session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The peer closed the stream between frames: the normal end.
    Closed,
    /// The stream ended inside a frame; a `truncated_frame` error was sent (if the peer still listened).
    Truncated,
}

/// Answers framed requests from `input` on `output` until the stream ends. Every bad request gets an
/// error reply and serving goes on; a panic while analyzing becomes an `internal` error reply.
/// `analyze` is the engine (a parameter so tests can substitute a failing one).
pub fn serve(
    input: &mut impl Read,
    output: &mut impl Write,
    max_request: u32,
    analyze: impl Fn(&[u8], &Context) -> Verdict,
) -> io::Result<End> {
    loop {
        let reply = match read_frame(input, max_request) {
            Ok(None) => return Ok(End::Closed),
            Ok(Some(Frame::TooLarge(len))) => error_reply(RequestError::new(
                None,
                ErrorCode::FrameTooLarge,
                format!("the frame announces {len} bytes; the limit is {max_request}"),
            )),
            Ok(Some(Frame::Payload(payload))) => answer(payload, &analyze),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                eprintln!("mekiki: {e}; closing");
                let reply = error_reply(RequestError::new(None, ErrorCode::TruncatedFrame, e.to_string()));
                // The peer may be gone already; the session is over either way.
                let _ = write_frame(output, &reply);
                return Ok(End::Truncated);
            }
            Err(e) => return Err(e),
        };
        write_frame(output, &reply)?;
    }
}

/// The serialized reply to one request payload.
fn answer(payload: Vec<u8>, analyze: &impl Fn(&[u8], &Context) -> Verdict) -> Vec<u8> {
    let parsed = protocol::parse_frame(&payload);
    // The frame (up to 64 MiB) is not needed once parsed: free it before the base64 is decoded.
    drop(payload);
    match parsed.and_then(protocol::decode_value) {
        Err(error) => {
            eprintln!("mekiki: rejected request: {:?}: {}", error.code, error.message);
            error_reply(error)
        }
        Ok(Job::Hello { id }) => protocol::fit_reply(&protocol::hello_reply(id), MAX_REPLY_BYTES),
        Ok(Job::Analyze { id, raw, context }) => {
            let analyzed = catch_unwind(AssertUnwindSafe(|| {
                protocol::fit_reply(&Reply::Verdict { id, verdict: Box::new(analyze(&raw, &context)) }, MAX_REPLY_BYTES)
            }));
            analyzed.unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                error_reply(RequestError::new(Some(id), ErrorCode::Internal, format!("analysis failed: {what}")))
            })
        }
    }
}

fn error_reply(error: RequestError) -> Vec<u8> {
    protocol::fit_reply(&error.into_reply(), MAX_REPLY_BYTES)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::model::{Facts, Lang, Level, Truncation};

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_frame(&mut out, payload).unwrap();
        out
    }

    fn frames(mut stream: &[u8]) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(Frame::Payload(p)) = read_frame(&mut stream, u32::MAX).expect("output is well framed") {
            out.push(serde_json::from_slice(&p).expect("output frames are JSON"));
        }
        out
    }

    fn fake_engine(raw: &[u8], ctx: &Context) -> Verdict {
        if raw.starts_with(b"PANIC") {
            panic!("fake engine told to panic");
        }
        Verdict {
            level: Level::Safe,
            score: raw.len() as u32,
            lang: ctx.lang(),
            summary: String::from_utf8_lossy(raw).into_owned(),
            findings: vec![],
            facts: Facts::default(),
            truncated: Truncation::default(),
        }
    }

    fn run(input: &[u8], max: u32) -> (End, Vec<Value>) {
        let mut out = Vec::new();
        let end = serve(&mut Cursor::new(input), &mut out, max, fake_engine).expect("no I/O error");
        (end, frames(&out))
    }

    #[test]
    fn frames_use_native_endian_lengths() {
        assert_eq!(frame(b"{}"), [2u32.to_ne_bytes().as_slice(), b"{}"].concat());
    }

    #[test]
    fn serves_until_the_stream_closes() {
        let input = [
            frame(br#"{"type":"hello"}"#),
            frame(br#"{"type":"analyze","id":1,"raw":"aGVsbG8="}"#),
            frame(br#"{"type":"analyze","id":2,"raw":"UEFOSUM=","context":{"locale":"ja"}}"#),
            frame(br#"{"type":"analyze","id":3,"raw":"aGk=","context":{"locale":"ja"}}"#),
        ]
        .concat();
        let (end, replies) = run(&input, 1024);
        assert_eq!(end, End::Closed);
        assert_eq!(replies[0]["type"], "hello");
        assert_eq!(replies[0]["protocol"], 1);
        assert_eq!(replies[1]["id"], 1);
        assert_eq!(replies[1]["verdict"]["summary"], "hello");
        // A panic in the engine is answered and does not end the session.
        assert_eq!(replies[2]["type"], "error");
        assert_eq!(replies[2]["code"], "internal");
        assert_eq!(replies[2]["id"], 2);
        assert_eq!(replies[3]["verdict"]["lang"], serde_json::to_value(Lang::Ja).unwrap());
        assert_eq!(replies.len(), 4);
    }

    #[test]
    fn oversized_frames_are_skipped_and_serving_goes_on() {
        let big = format!(r#"{{"type":"analyze","id":1,"raw":"{}"}}"#, "QUFB".repeat(100));
        let input = [frame(big.as_bytes()), frame(br#"{"type":"hello"}"#)].concat();
        let (end, replies) = run(&input, 100);
        assert_eq!(end, End::Closed);
        assert_eq!(replies[0]["code"], "frame_too_large");
        assert_eq!(replies[1]["type"], "hello");
    }

    #[test]
    fn a_truncated_frame_ends_the_session_with_an_error() {
        for cut in [1, 3, 4, 10] {
            let mut input = frame(br#"{"type":"hello"}"#);
            input.extend_from_slice(&frame(br#"{"type":"hello","id":2}"#)[..cut]);
            let (end, replies) = run(&input, 1024);
            assert_eq!(end, End::Truncated, "cut at {cut}");
            assert_eq!(replies.len(), 2);
            assert_eq!(replies[1]["code"], "truncated_frame");
        }
        // An oversized frame that never completes cannot be skipped either.
        let input = &frame(&[b'x'; 300])[..200];
        assert_eq!(run(input, 100).0, End::Truncated);
    }

    #[test]
    fn a_huge_claimed_length_is_not_allocated() {
        // Claims 4 GiB under a cap of 64 MiB, then ends: must fail fast without allocating.
        let input = u32::MAX.to_ne_bytes();
        let result = read_frame(&mut input.as_slice(), protocol::MAX_REQUEST_BYTES);
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        let mut claims_cap = protocol::MAX_REQUEST_BYTES.to_ne_bytes().to_vec();
        claims_cap.extend_from_slice(b"{}");
        let result = read_frame(&mut claims_cap.as_slice(), protocol::MAX_REQUEST_BYTES);
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    proptest! {
        #[test]
        fn frames_round_trip(payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8)) {
            let stream: Vec<u8> = payloads.iter().flat_map(|p| frame(p)).collect();
            let mut reader = stream.as_slice();
            let mut decoded = Vec::new();
            while let Some(frame) = read_frame(&mut reader, 300).unwrap() {
                decoded.push(frame);
            }
            let expected: Vec<Frame> = payloads.into_iter().map(Frame::Payload).collect();
            prop_assert_eq!(decoded, expected);
        }

        #[test]
        fn any_input_yields_only_well_formed_reply_frames(input in prop::collection::vec(any::<u8>(), 0..600)) {
            let mut out = Vec::new();
            let end = serve(&mut input.as_slice(), &mut out, 256, fake_engine).unwrap();
            let replies = frames(&out);
            prop_assert!(replies.iter().all(|r| r["type"].is_string()));
            if end == End::Truncated {
                prop_assert_eq!(&replies.last().unwrap()["code"], "truncated_frame");
            }
        }
    }
}
