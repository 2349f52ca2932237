//! The native-messaging protocol between the Thunderbird extension and the host: tagged JSON
//! requests and replies (framing lives in [`crate::native`]), stable error codes, and
//! [`fit_reply`], which keeps every reply under Thunderbird's 1 MiB limit. Documented in PROTOCOL.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{Context, Facts, Verdict};

/// Bumped when a request or reply changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;
/// The host's name in the host manifest; the extension calls `connectNative("mekiki")`.
pub const HOST_NAME: &str = "mekiki";
/// The MailExtension's id (`browser_specific_settings.gecko.id` in extension/manifest.json).
pub const EXTENSION_ID: &str = "mekiki@mekiki.app";
/// Largest request frame accepted: a 48 MiB message in base64 plus its envelope.
pub const MAX_REQUEST_BYTES: u32 = 64 * 1024 * 1024;
/// Thunderbird drops host messages over 1 MiB; replies are fitted below this, with some margin.
pub const MAX_REPLY_BYTES: usize = 1_000_000;
/// Error messages quote at most this many characters of what the request said.
const MAX_ERROR_MESSAGE_CHARS: usize = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Asks for the host and protocol versions; an `id`, if given, is echoed.
    Hello {
        #[serde(default)]
        id: Option<u64>,
    },
    /// Analyzes one raw message, given in base64 so 8-bit bytes survive JSON.
    Analyze {
        id: u64,
        raw: String,
        #[serde(default)]
        context: Context,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Hello {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        id: Option<u64>,
        version: String,
        protocol: u32,
    },
    Verdict {
        id: u64,
        verdict: Box<Verdict>,
    },
    Error {
        id: Option<u64>,
        code: ErrorCode,
        message: String,
    },
}

/// Why a request got no verdict. The names are part of the protocol: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A frame with length 0.
    EmptyFrame,
    /// The frame's length header is over [`MAX_REQUEST_BYTES`]; its bytes were skipped.
    FrameTooLarge,
    /// The stream ended inside a frame; the host exits after this reply.
    TruncatedFrame,
    /// The frame is not UTF-8.
    BadUtf8,
    /// The frame is UTF-8 but not JSON.
    BadJson,
    /// JSON without a known `type`.
    UnknownType,
    /// A known `type` with missing, extra or mistyped fields.
    BadRequest,
    /// `raw` is not valid base64.
    BadBase64,
    /// `raw` decodes to zero bytes.
    EmptyMessage,
    /// The host failed while handling the request (a bug); it keeps serving.
    Internal,
}

/// A request that cannot be answered with a verdict: becomes an error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub id: Option<u64>,
    pub code: ErrorCode,
    pub message: String,
}

impl RequestError {
    pub fn new(id: Option<u64>, code: ErrorCode, message: impl Into<String>) -> Self {
        RequestError { id, code, message: message.into() }
    }

    pub fn into_reply(self) -> Reply {
        Reply::Error { id: self.id, code: self.code, message: shorten(&self.message, MAX_ERROR_MESSAGE_CHARS).0 }
    }
}

/// A decoded request, ready for the engine.
#[derive(Debug, Clone)]
pub enum Job {
    Hello { id: Option<u64> },
    Analyze { id: u64, raw: Vec<u8>, context: Context },
}

/// Decodes one frame's payload into a job, classifying every failure with a stable code.
pub fn decode_request(payload: &[u8]) -> Result<Job, RequestError> {
    decode_value(parse_frame(payload)?)
}

/// First half of [`decode_request`]: the frame's bytes as JSON.
pub fn parse_frame(payload: &[u8]) -> Result<Value, RequestError> {
    if payload.is_empty() {
        return Err(RequestError::new(None, ErrorCode::EmptyFrame, "the frame is empty"));
    }
    let text = std::str::from_utf8(payload)
        .map_err(|e| RequestError::new(None, ErrorCode::BadUtf8, format!("the frame is not UTF-8: {e}")))?;
    serde_json::from_str(text)
        .map_err(|e| RequestError::new(None, ErrorCode::BadJson, format!("the frame is not JSON: {e}")))
}

/// Second half of [`decode_request`]: a parsed JSON frame to a job. Separate so that the frame's
/// bytes can be freed before the message is decoded from base64.
pub fn decode_value(value: Value) -> Result<Job, RequestError> {
    // Known before the full decode, so that even a malformed request's error carries its id.
    let id = value.get("id").and_then(Value::as_u64);
    let kind = value.get("type").and_then(Value::as_str);
    match kind {
        Some("hello" | "analyze") => {}
        Some(other) => {
            let (other, _) = shorten(other, 40);
            return Err(RequestError::new(id, ErrorCode::UnknownType, format!("unknown request type `{other}`")));
        }
        None => {
            return Err(RequestError::new(id, ErrorCode::UnknownType, "the request has no string field `type`"));
        }
    }
    let request: Request = serde_json::from_value(value)
        .map_err(|e| RequestError::new(id, ErrorCode::BadRequest, format!("malformed request: {e}")))?;
    match request {
        Request::Hello { id } => Ok(Job::Hello { id }),
        Request::Analyze { id, raw, context } => {
            use base64::Engine as _;
            let raw = base64::engine::general_purpose::STANDARD.decode(raw.trim()).map_err(|e| {
                RequestError::new(Some(id), ErrorCode::BadBase64, format!("`raw` is not valid base64: {e}"))
            })?;
            if raw.is_empty() {
                return Err(RequestError::new(Some(id), ErrorCode::EmptyMessage, "`raw` is empty"));
            }
            Ok(Job::Analyze { id, raw, context })
        }
    }
}

pub fn hello_reply(id: Option<u64>) -> Reply {
    Reply::Hello { id, version: env!("CARGO_PKG_VERSION").to_string(), protocol: PROTOCOL_VERSION }
}

/// How hard one round of [`fit_reply`] cuts: list lengths and string lengths (in characters).
#[derive(Debug, Clone, Copy)]
struct Caps {
    findings: usize,
    evidence: usize,
    other_lists: usize,
    chars: usize,
}

/// Successively tighter cuts; the first whose result fits is used, so the outcome is deterministic.
const CAP_STEPS: [Caps; 4] = [
    Caps { findings: 200, evidence: 50, other_lists: 500, chars: 4096 },
    Caps { findings: 100, evidence: 20, other_lists: 100, chars: 1024 },
    Caps { findings: 50, evidence: 5, other_lists: 20, chars: 256 },
    Caps { findings: 20, evidence: 2, other_lists: 5, chars: 100 },
];

/// Serializes a reply to at most `max_bytes` of JSON. A verdict that is too large has its lists cut
/// from the end (findings come ranked, so the weakest go first) and its long strings shortened, and
/// `verdict.truncated.omitted` counts what was left out, by list name (`strings` for shortened
/// strings). Every reply the host sends passes through here.
pub fn fit_reply(reply: &Reply, max_bytes: usize) -> Vec<u8> {
    let whole = to_json(reply);
    if whole.len() <= max_bytes {
        return whole;
    }
    let Reply::Verdict { id, verdict } = reply else {
        // Only verdicts carry message data of unbounded size; the other replies are short by construction.
        return whole;
    };
    let full = serde_json::to_value(verdict).unwrap_or(Value::Null);
    for caps in CAP_STEPS {
        let mut value = full.clone();
        let mut omitted = BTreeMap::new();
        cut(&mut value, None, caps, &mut omitted);
        record_omitted(&mut value, &omitted);
        let bytes = to_json(&verdict_envelope(*id, value));
        if bytes.len() <= max_bytes {
            return bytes;
        }
    }
    // Only reachable with a budget far below any real one: keep the conclusion, drop the details.
    let mut truncated = verdict.truncated.clone();
    *truncated.omitted.entry("findings".into()).or_default() += verdict.findings.len();
    *truncated.omitted.entry("facts".into()).or_default() += 1;
    let bare = Verdict {
        level: verdict.level,
        score: verdict.score,
        lang: verdict.lang,
        summary: shorten(&verdict.summary, 100).0,
        findings: Vec::new(),
        facts: Facts::default(),
        truncated,
    };
    to_json(&Reply::Verdict { id: *id, verdict: Box::new(bare) })
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these types cannot fail: all map keys are strings.
    serde_json::to_vec(value).unwrap_or_default()
}

fn verdict_envelope(id: u64, verdict: Value) -> Value {
    serde_json::json!({ "type": "verdict", "id": id, "verdict": verdict })
}

/// Cuts every list and string inside `value`; `key` is the field name holding it.
fn cut(value: &mut Value, key: Option<&str>, caps: Caps, omitted: &mut BTreeMap<String, usize>) {
    match value {
        Value::String(text) => {
            let (short, was_cut) = shorten(text, caps.chars);
            if was_cut {
                *text = short;
                *omitted.entry("strings".into()).or_default() += 1;
            }
        }
        Value::Array(items) => {
            let limit = match key {
                Some("findings") => caps.findings,
                Some("evidence") => caps.evidence,
                _ => caps.other_lists,
            };
            if items.len() > limit {
                *omitted.entry(key.unwrap_or("list").to_string()).or_default() += items.len() - limit;
                items.truncate(limit);
            }
            for item in items {
                cut(item, None, caps, omitted);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                // The truncation record is ours, not message data.
                if name != "truncated" {
                    cut(field, Some(name), caps, omitted);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Adds `omitted` to `verdict.truncated.omitted`, keeping what the engine already recorded there.
fn record_omitted(verdict: &mut Value, omitted: &BTreeMap<String, usize>) {
    if omitted.is_empty() {
        return;
    }
    let Value::Object(fields) = verdict else { return };
    let truncated = fields.entry("truncated").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(truncated) = truncated else { return };
    let record = truncated.entry("omitted").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(record) = record else { return };
    for (list, count) in omitted {
        let before = record.get(list).and_then(Value::as_u64).unwrap_or(0);
        record.insert(list.clone(), Value::from(before.saturating_add(*count as u64)));
    }
}

/// The first `max_chars` characters of `text` followed by `…`, and whether anything was cut.
pub fn shorten(text: &str, max_chars: usize) -> (String, bool) {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => (format!("{}…", &text[..end]), true),
        None => (text.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Lang, Level, LinkFact, RenderedFinding, Severity, Truncation};

    fn verdict_with(links: usize, url_len: usize, evidence: usize) -> Verdict {
        let link = |i: usize| LinkFact {
            url: format!("https://example.com/{i}/{}", "a".repeat(url_len)),
            text: Some("click".into()),
            host: Some("example.com".into()),
            registrable_domain: Some("example.com".into()),
            source: "href".into(),
        };
        let finding = RenderedFinding {
            id: "links.test".into(),
            category: crate::model::Category::Links,
            severity: Severity::High,
            score: 40,
            title: "t".into(),
            explanation: "e".into(),
            evidence: (0..evidence).map(|i| Evidence { label: "URL".into(), value: format!("v{i}") }).collect(),
            waived: false,
        };
        Verdict {
            level: Level::Dangerous,
            score: 90,
            lang: Lang::En,
            summary: "s".into(),
            findings: vec![finding],
            facts: Facts { links: (0..links).map(link).collect(), ..Facts::default() },
            truncated: Truncation::default(),
        }
    }

    fn fitted(verdict: Verdict, max: usize) -> (Vec<u8>, Verdict) {
        let bytes = fit_reply(&Reply::Verdict { id: 7, verdict: Box::new(verdict) }, max);
        let Ok(Reply::Verdict { id: 7, verdict }) = serde_json::from_slice::<Reply>(&bytes) else {
            panic!("fitted reply is not a verdict with id 7: {}", String::from_utf8_lossy(&bytes));
        };
        (bytes, *verdict)
    }

    #[test]
    fn small_verdicts_pass_unchanged() {
        let (bytes, verdict) = fitted(verdict_with(3, 10, 3), MAX_REPLY_BYTES);
        assert_eq!(bytes, to_json(&Reply::Verdict { id: 7, verdict: Box::new(verdict_with(3, 10, 3)) }));
        assert!(verdict.truncated.is_empty());
    }

    #[test]
    fn large_verdicts_are_cut_and_the_cut_is_recorded() {
        let (bytes, verdict) = fitted(verdict_with(5_000, 500, 300), MAX_REPLY_BYTES);
        assert!(bytes.len() <= MAX_REPLY_BYTES, "{} bytes", bytes.len());
        let kept = verdict.facts.links.len();
        assert!(kept < 5_000 && kept > 0);
        assert_eq!(verdict.truncated.omitted.get("links"), Some(&(5_000 - kept)));
        let evidence_kept = verdict.findings[0].evidence.len();
        assert_eq!(verdict.truncated.omitted.get("evidence"), Some(&(300 - evidence_kept)));
        // The most important items are the ones kept.
        assert!(verdict.facts.links[0].url.starts_with("https://example.com/0/"));
        assert_eq!(verdict.level, Level::Dangerous);
    }

    #[test]
    fn long_strings_are_shortened_and_counted() {
        let (bytes, verdict) = fitted(verdict_with(1, 3_000_000, 0), MAX_REPLY_BYTES);
        assert!(bytes.len() <= MAX_REPLY_BYTES);
        assert!(verdict.facts.links[0].url.ends_with('…'));
        assert_eq!(verdict.truncated.omitted.get("strings"), Some(&1));
    }

    #[test]
    fn engine_omissions_are_added_to_not_replaced() {
        let mut big = verdict_with(5_000, 500, 0);
        big.truncated.omitted.insert("links".into(), 10);
        let (_, verdict) = fitted(big, MAX_REPLY_BYTES);
        let kept = verdict.facts.links.len();
        assert_eq!(verdict.truncated.omitted.get("links"), Some(&(5_000 - kept + 10)));
    }

    #[test]
    fn fitting_is_deterministic() {
        let once =
            fit_reply(&Reply::Verdict { id: 1, verdict: Box::new(verdict_with(4_000, 300, 80)) }, MAX_REPLY_BYTES);
        let twice =
            fit_reply(&Reply::Verdict { id: 1, verdict: Box::new(verdict_with(4_000, 300, 80)) }, MAX_REPLY_BYTES);
        assert_eq!(once, twice);
    }

    #[test]
    fn a_tiny_budget_still_yields_a_valid_verdict() {
        let (bytes, verdict) = fitted(verdict_with(100, 100, 10), 400);
        assert!(bytes.len() <= 400, "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(verdict.score, 90);
        assert_eq!(verdict.truncated.omitted.get("findings"), Some(&1));
    }

    #[test]
    fn shorten_respects_char_boundaries() {
        assert_eq!(shorten("日本語テキスト", 3), ("日本語…".to_string(), true));
        assert_eq!(shorten("abc", 3), ("abc".to_string(), false));
    }

    fn code_of(payload: &[u8]) -> ErrorCode {
        decode_request(payload).expect_err("must be rejected").code
    }

    #[test]
    fn requests_decode() {
        assert!(matches!(decode_request(br#"{"type":"hello"}"#), Ok(Job::Hello { id: None })));
        assert!(matches!(decode_request(br#"{"type":"hello","id":5}"#), Ok(Job::Hello { id: Some(5) })));
        let job = decode_request(br#"{"type":"analyze","id":3,"raw":"U3ViamVjdDogaGkKCmhp","context":{"identities":["me@example.jp"],"locale":"ja"}}"#);
        let Ok(Job::Analyze { id: 3, raw, context }) = job else { panic!("{job:?}") };
        assert_eq!(raw, b"Subject: hi\n\nhi");
        assert_eq!(context.identities, ["me@example.jp"]);
        assert_eq!(context.lang(), Lang::Ja);
        // The context is optional.
        assert!(matches!(decode_request(br#"{"type":"analyze","id":4,"raw":"aGk="}"#), Ok(Job::Analyze { .. })));
    }

    #[test]
    fn bad_requests_get_stable_codes() {
        assert_eq!(code_of(b""), ErrorCode::EmptyFrame);
        assert_eq!(code_of(b"\xff\xfe{}"), ErrorCode::BadUtf8);
        assert_eq!(code_of(b"{\"type\":"), ErrorCode::BadJson);
        assert_eq!(code_of(br#"{"type":"launch"}"#), ErrorCode::UnknownType);
        assert_eq!(code_of(br#"{"id":1}"#), ErrorCode::UnknownType);
        assert_eq!(code_of(br#"[1,2]"#), ErrorCode::UnknownType);
        assert_eq!(code_of(br#"{"type":"analyze","id":1}"#), ErrorCode::BadRequest);
        assert_eq!(code_of(br#"{"type":"hello","verbose":true}"#), ErrorCode::BadRequest);
        assert_eq!(code_of(br#"{"type":"analyze","id":"x","raw":"aGk="}"#), ErrorCode::BadRequest);
        assert_eq!(code_of(br#"{"type":"analyze","id":1,"raw":"aGk=","extra":1}"#), ErrorCode::BadRequest);
        assert_eq!(code_of(br#"{"type":"analyze","id":1,"raw":"aGk=","context":{"x":1}}"#), ErrorCode::BadRequest);
        assert_eq!(code_of(br#"{"type":"analyze","id":1,"raw":"!!notbase64"}"#), ErrorCode::BadBase64);
        assert_eq!(code_of(br#"{"type":"analyze","id":1,"raw":""}"#), ErrorCode::EmptyMessage);
    }

    #[test]
    fn errors_carry_the_request_id_when_there_is_one() {
        let err = decode_request(br#"{"type":"analyze","id":9,"raw":"%%"}"#).unwrap_err();
        assert_eq!(err.id, Some(9));
        let err = decode_request(br#"{"type":"analyze","id":10}"#).unwrap_err();
        assert_eq!(err.id, Some(10));
    }

    #[test]
    fn every_error_code_is_documented() {
        use ErrorCode::*;
        let all = [
            EmptyFrame,
            FrameTooLarge,
            TruncatedFrame,
            BadUtf8,
            BadJson,
            UnknownType,
            BadRequest,
            BadBase64,
            EmptyMessage,
            Internal,
        ];
        let doc = include_str!("../../PROTOCOL.md");
        for code in all {
            // Exhaustive on purpose: a new code fails to compile here until it is listed above.
            match code {
                EmptyFrame | FrameTooLarge | TruncatedFrame | BadUtf8 | BadJson | UnknownType | BadRequest
                | BadBase64 | EmptyMessage | Internal => {}
            }
            let name = serde_json::to_value(code).unwrap();
            let row = format!("| `{}` |", name.as_str().unwrap());
            assert!(doc.contains(&row), "PROTOCOL.md has no row {row}");
        }
    }

    #[test]
    fn the_extension_id_is_the_extensions() {
        let manifest: Value = serde_json::from_str(include_str!("../../extension/manifest.json")).unwrap();
        assert_eq!(manifest["browser_specific_settings"]["gecko"]["id"], EXTENSION_ID);
    }

    #[test]
    fn error_messages_do_not_echo_unbounded_input() {
        let huge_type = format!(r#"{{"type":"{}"}}"#, "x".repeat(100_000));
        let reply = decode_request(huge_type.as_bytes()).unwrap_err().into_reply();
        assert!(to_json(&reply).len() < 1_000);
    }
}
