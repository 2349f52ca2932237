//! The words: lure phrasing (Japanese and English), urgency, machine-translated Japanese, forms and scripts.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}
