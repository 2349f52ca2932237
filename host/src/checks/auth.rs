//! Authentication-Results written by the recipient's own servers: SPF, DKIM, DMARC and alignment.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

#[derive(Debug, Clone, Default)]
pub struct AuthResult {
    pub authserv_id: Option<String>,
    /// `spf`, `dkim`, `dmarc`, …
    pub method: String,
    /// `pass`, `fail`, `softfail`, `none`, …
    pub result: String,
    /// The domain the result is about (header.d, header.from, smtp.mailfrom…).
    pub domain: Option<String>,
    /// Written by the recipient's side (top of the header block), not a copy injected upstream.
    pub trusted: bool,
    /// `domain` shares the From header's registrable domain.
    pub aligned: bool,
}

pub fn parse(view: &MessageView) -> Vec<AuthResult> {
    let _ = view;
    Vec::new()
}

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}
