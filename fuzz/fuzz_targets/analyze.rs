//! Raw bytes → `mekiki::analyze`, the whole engine. The message is the whole input so seed .eml files
//! stay intact; when the last byte is odd, a caller context (identities, locale, whole-message size) is also derived from
//! the input's tail, so identity-dependent paths (recipient matching) are reached too, and when its
//! second bit is set, tight limits make short inputs reach every truncation path.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mekiki::Limits;
use mekiki::model::Context;

#[derive(Arbitrary)]
struct FuzzContext {
    identities: Vec<(String, String)>,
    locale: Option<String>,
    message_size: Option<u64>,
}

/// Bytes at the end of the input that seed the context; small, so most of the input stays message.
const CONTEXT_TAIL: usize = 64;

fn context_of(data: &[u8]) -> Context {
    if data.last().is_none_or(|b| b % 2 == 0) {
        return Context::default();
    }
    let tail = &data[data.len().saturating_sub(CONTEXT_TAIL)..];
    let Ok(ctx) = FuzzContext::arbitrary(&mut Unstructured::new(tail)) else {
        return Context::default();
    };
    Context {
        identities: ctx.identities.into_iter().map(|(local, domain)| format!("{local}@{domain}")).collect(),
        locale: ctx.locale,
        message_size: ctx.message_size,
    }
}

/// The default limits, or (when the last byte's second bit is set) limits small enough that short
/// inputs reach every cut: header fields, field length, parts, links, addresses, body size.
fn limits_of(data: &[u8]) -> Limits {
    if data.last().is_none_or(|b| b & 2 == 0) {
        return Limits::default();
    }
    Limits {
        max_body_bytes: 16 * 1024,
        max_links: 3,
        max_attachments: 2,
        max_addresses: 2,
        max_header_chars: 40,
        max_parts: 3,
        max_headers: 6,
        max_field_bytes: 200,
        ..Limits::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let verdict = mekiki::analyze_with(data, &context_of(data), &limits_of(data));
    // The verdict must always serialise: it is what goes over the wire.
    serde_json::to_vec(&verdict).expect("verdict serialises");
});
