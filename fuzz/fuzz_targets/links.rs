//! Link extraction (`mekiki::checks::links::extract`) on arbitrary HTML and text. The input is split
//! at its first NUL: HTML before, plain text after; the first byte also picks a small link cap so
//! the truncation path is exercised.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mekiki::Limits;

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else { return };
    let input = String::from_utf8_lossy(rest);
    let (html, text) = input.split_once('\0').unwrap_or((&input, ""));
    let limits = Limits { max_links: usize::from(cap % 16), ..Limits::default() };
    let (links, omitted) = mekiki::checks::links::extract(&[html.to_string()], text, &limits);
    assert!(links.len() <= limits.max_links, "{} links over the cap {}", links.len(), limits.max_links);
    let _ = omitted;
});
