//! `mekiki scan`'s mbox reader (`scan::split_mbox`) on arbitrary bytes, as a downloaded folder of
//! phishing would be: it never panics, never returns more bytes than it read, starts each message at
//! an envelope line, and stops as soon as the caller says so. Each message is also put through
//! `scan::not_a_message`, the test that skips files that are not mail.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mekiki::scan;

fuzz_target!(|data: &[u8]| {
    // An odd first byte stops the reading after the first message, as a scan does when it is cut short.
    let stop_after_first = data.first().is_some_and(|b| b & 1 == 1);
    let (mut messages, mut bytes) = (0usize, 0usize);
    scan::split_mbox(data, |message| {
        let message = message.expect("no message over the cap fits in a fuzz input");
        messages += 1;
        bytes += message.len();
        let _ = scan::not_a_message(&message);
        !stop_after_first
    })
    .expect("reading from memory cannot fail");
    // Undoing `>From ` quoting only removes bytes, and the envelope lines are not part of a message.
    assert!(bytes <= data.len(), "{bytes} message bytes out of {} read", data.len());
    // Each message begins at a `From ` envelope line.
    assert!(messages <= data.windows(5).filter(|w| w == b"From ").count());
    assert!(!stop_after_first || messages <= 1);
});
