//! Upstream filter verdicts (X-Spam-*, X-Rspamd-*): shown as information, never scored.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}

/// Headers in which an upstream filter recorded its verdict.
pub fn verdict_headers<'v, 'a>(view: &'v MessageView<'a>) -> impl Iterator<Item = (&'a str, &'a str)> + 'v {
    const PREFIXES: [&str; 4] = ["x-spam", "x-rspamd", "x-vr-spam", "x-ms-exchange-organization-scl"];
    view.headers.iter().copied().filter(|(name, _)| {
        let lower = name.to_ascii_lowercase();
        PREFIXES.iter().any(|p| lower.starts_with(p))
    })
}
