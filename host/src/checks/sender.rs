//! Who the message claims to be from, against who really sent it and who it was sent to.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

pub fn check(view: &MessageView, kb: &Knowledge, out: &mut Vec<Finding>) {
    let _ = (view, kb, out);
}
