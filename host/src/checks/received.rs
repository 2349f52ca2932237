//! The Received chain: where the message really entered the recipient's side, and from whom.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

/// One Received header, as parsed.
#[derive(Debug, Clone, Default)]
pub struct Hop {
    /// Host name the sending side was known by (reverse DNS or as written in `from`).
    pub from_host: Option<String>,
    pub from_ip: Option<std::net::IpAddr>,
    /// Name the client gave in HELO/EHLO.
    pub helo: Option<String>,
    pub by: Option<String>,
    /// The header value as written, for evidence.
    pub raw: String,
}

/// Parses every Received header, top (newest) first.
pub fn chain(message: &mail_parser::Message) -> Vec<Hop> {
    let _ = message;
    Vec::new()
}

/// Index of the origin hop: the first hop, walking from the top, whose sender is outside the
/// recipient's own and internal servers.
pub fn origin(view: &MessageView) -> Option<usize> {
    let _ = view;
    None
}

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}
