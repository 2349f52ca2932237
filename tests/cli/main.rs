//! Integration tests of the `mekiki` executable, run as a separate process the way Thunderbird and a
//! user run it: native messaging over framed stdio, the `analyze` CLI, and install/uninstall/doctor.

mod analyze;
// The install tests expect the Linux manifest location (the per-OS table is unit-tested in install.rs).
#[cfg(target_os = "linux")]
mod install;
mod native;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The extension id Thunderbird passes (same as extension/manifest.json).
const EXTENSION_ID: &str = "mekiki@mekiki.app";
/// Thunderbird drops host messages of 1 MiB or more.
const THUNDERBIRD_MAX_MESSAGE: usize = 1024 * 1024;

fn mekiki() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mekiki"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(name)
}

/// The phishing mail dissected in shared/seed: must come out dangerous.
fn seed() -> PathBuf {
    fixture("seed-kagoya-phish.eml")
}

/// An ordinary Japanese mail between colleagues: must come out safe.
fn ham() -> PathBuf {
    fixture("cli-ham-ja.eml")
}

/// A message whose HTML body has `count` distinct links, as a mass mailing or an attack might.
fn message_with_links(count: usize) -> Vec<u8> {
    let mut body = String::with_capacity(count * 80);
    for i in 0..count {
        body.push_str(&format!("<a href=\"https://host{i}.example.com/path/{i}?ref={i}\">item {i}</a><br>\r\n"));
    }
    format!(
        "From: Shop <news@shop.example.com>\r\nTo: me@example.jp\r\nSubject: Catalogue\r\n\
         Date: Mon, 1 Jul 2024 10:00:00 +0900\r\nMessage-ID: <c@shop.example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>{body}</body></html>\r\n"
    )
    .into_bytes()
}

/// Whether `text` has Japanese (kana or CJK ideographs) in it.
fn has_japanese(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}'))
}
