//! Header-only parsing: the Received chain, its origin, Authentication-Results and the address
//! headers (`MessageView::build` on a headers-only parse). The input is prefixed with `Received:`
//! so even short inputs reach the chain parser; newlines in the input create further headers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_parser::MessageParser;
use mekiki::Limits;
use mekiki::message::MessageView;
use mekiki::model::Context;

fuzz_target!(|data: &[u8]| {
    let mut raw = b"Received: ".to_vec();
    raw.extend_from_slice(data);
    raw.extend_from_slice(b"\r\n\r\n");
    let Some(message) = MessageParser::new().parse_headers(&raw) else { return };
    let hops = mekiki::checks::received::chain(&message);
    let view = MessageView::build(&message, true, &Context::default(), &Limits::default());
    assert_eq!(hops.len(), view.hops.len());
    if let Some(origin) = view.origin {
        assert!(origin < view.hops.len(), "origin {origin} outside {} hops", view.hops.len());
    }
});
