//! Attachments: risky file types, double extensions, HTML/SVG pages that carry forms or scripts.

use crate::Limits;
use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    pub name: Option<String>,
    /// Declared content type, lower-case `type/subtype`.
    pub content_type: String,
    pub bytes: &'a [u8],
}

pub fn collect<'a>(message: &'a mail_parser::Message<'a>, limits: &Limits) -> Vec<Attachment<'a>> {
    let _ = (message, limits);
    Vec::new()
}

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}
