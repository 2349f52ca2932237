//! Raw bytes → `mekiki::analyze`, the whole engine. The message is the whole input so seed .eml files
//! stay intact; when the last byte is odd, a caller context (identities, locale) is also derived from
//! the input's tail, so identity-dependent paths (recipient matching) are reached too.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mekiki::model::Context;

#[derive(Arbitrary)]
struct FuzzContext {
    identities: Vec<(String, String)>,
    locale: Option<String>,
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
    }
}

fuzz_target!(|data: &[u8]| {
    let verdict = mekiki::analyze(data, &context_of(data));
    // The verdict must always serialise: it is what goes over the wire.
    serde_json::to_vec(&verdict).expect("verdict serialises");
});
