//! Upstream filter verdicts (X-Spam-*, X-Rspamd-*): shown as information, never scored.
//!
//! A filter that let a message through says little about phishing (rule engines miss most of it),
//! and its absence says nothing at all, so these only ever inform.

use crate::checks::received::evidence_text;
use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

/// Filter headers quoted as evidence; a few are enough to show what the filter said.
const MAX_QUOTED: usize = 8;

pub fn check(view: &MessageView, _kb: &Knowledge, out: &mut Vec<Finding>) {
    let mut headers = verdict_headers(view).peekable();
    let Some((first_name, first_value)) = headers.peek().copied() else { return };
    let mut finding =
        Finding::new("server.upstream_verdict").arg("header", evidence_text(&format!("{first_name}: {first_value}")));
    for (name, value) in headers.take(MAX_QUOTED) {
        finding = finding.evidence(name, evidence_text(value));
    }
    out.push(finding);
}

/// Headers in which an upstream filter recorded its verdict.
pub fn verdict_headers<'v, 'a>(view: &'v MessageView<'a>) -> impl Iterator<Item = (&'a str, &'a str)> + 'v {
    const PREFIXES: [&str; 4] = ["x-spam", "x-rspamd", "x-vr-spam", "x-ms-exchange-organization-scl"];
    // Compared in place: every header of every message is asked, and few match.
    let named = |name: &str, prefix: &str| {
        name.as_bytes().get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    view.headers.iter().copied().filter(move |(name, _)| PREFIXES.iter().any(|p| named(name, p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Context;
    use crate::{Limits, message::MessageView};
    use mail_parser::MessageParser;

    fn findings(headers: &str) -> Vec<Finding> {
        let raw = format!("{headers}From: a@example.com\r\nSubject: x\r\n\r\nx\r\n");
        let msg = MessageParser::new().parse(raw.as_bytes()).unwrap();
        let view = MessageView::build(&msg, false, &Context::default(), &Limits::default());
        let mut out = Vec::new();
        check(&view, Knowledge::builtin(), &mut out);
        out
    }

    #[test]
    fn filter_headers_become_one_information_finding() {
        let out = findings("X-Spam-Status: No, score=1.2 required=5.0\r\nX-Rspamd-Score: 3.1\r\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "server.upstream_verdict");
        assert_eq!(out[0].evidence.len(), 2);
        assert_eq!(out[0].evidence[0].value, "No, score=1.2 required=5.0");
    }

    #[test]
    fn no_filter_headers_no_finding() {
        assert!(findings("X-Mailer: Thunderbird\r\n").is_empty());
    }
}
