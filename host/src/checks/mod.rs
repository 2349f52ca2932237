//! One checker per concern. A checker is a function from the parsed view (+ knowledge) to findings;
//! checkers never see each other's output, only the shared view.

use crate::knowledge::Knowledge;
use crate::message::MessageView;
use crate::model::Finding;

pub mod attachments;
pub mod auth;
pub mod content;
pub mod links;
pub mod received;
pub mod sender;
pub mod server;

/// Runs every checker over the view.
pub fn run_all(view: &MessageView, kb: &Knowledge) -> Vec<Finding> {
    let mut out = Vec::new();
    sender::check(view, kb, &mut out);
    received::check(view, kb, &mut out);
    auth::check(view, kb, &mut out);
    links::check(view, kb, &mut out);
    content::check(view, kb, &mut out);
    attachments::check(view, kb, &mut out);
    server::check(view, kb, &mut out);
    out
}
