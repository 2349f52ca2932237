//! Bounded memory: the real binary analyzing a 25 MB message peaks under 4× the message size
//! (resident set, as the kernel counts it for the child process).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::message;

const SIZE: usize = 25 * 1024 * 1024;
const MAX_RSS_FACTOR: usize = 4;

/// Runs `mekiki analyze --json` on `raw` under GNU time and returns the child's peak RSS in bytes.
///
/// Not `wait4` from this process: a child spawned from a big test process inherits its high-water
/// mark across exec. `time` is small and forks the measured process itself.
fn peak_rss_of_analyze(raw: &[u8]) -> usize {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.exists(),
        "FAILURE: /usr/bin/time is missing, so peak memory cannot be measured (apt-get install time)"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.eml");
    std::fs::write(&path, raw).unwrap();
    let output = Command::new(time)
        .args(["-f", "peak-kb %M"])
        .arg(env!("CARGO_BIN_EXE_mekiki"))
        .args(["analyze", "--json"])
        .arg(&path)
        .stdout(Stdio::null())
        .output()
        .expect("time runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Exit 1 is "flagged"; the report is on stdout, which is not needed here.
    assert!(output.status.code().is_some_and(|c| c <= 1), "mekiki analyze failed: {stderr}");
    let kb: usize = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {stderr}"));
    kb * 1024
}

fn assert_bounded(what: &str, raw: &[u8]) {
    let peak = peak_rss_of_analyze(raw);
    let ratio = peak as f64 / raw.len() as f64;
    eprintln!("{what}: {} MB message, peak RSS {} MB ({ratio:.2}×)", raw.len() >> 20, peak >> 20);
    assert!(peak <= MAX_RSS_FACTOR * raw.len(), "{what}: peak RSS {peak} bytes is {ratio:.2}× the message");
}

fn base64_lines(bytes: usize) -> String {
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    line.repeat(bytes / line.len() + 1)
}

#[test]
fn a_25_mb_attachment_stays_under_4x_its_size_in_memory() {
    let body = format!(
        "--s\r\nContent-Type: text/plain\r\n\r\nPlease see the attached file.\r\n\
         --s\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"scan.pdf\"\r\n\r\n{}--s--\r\n",
        base64_lines(SIZE)
    );
    assert_bounded("attachment", &message("Content-Type: multipart/mixed; boundary=\"s\"\r\n", body.as_bytes()));
}

#[test]
fn a_25_mb_html_body_with_links_stays_under_4x_its_size_in_memory() {
    let mut html = String::with_capacity(SIZE + 1024);
    let mut i = 0;
    while html.len() < SIZE {
        let _ =
            write!(html, "<p>Paragraph {i} of the newsletter <a href=\"https://n{i}.example.com/a\">read</a></p>\r\n");
        i += 1;
    }
    assert_bounded("html", &message("Content-Type: text/html; charset=utf-8\r\n", html.as_bytes()));
}

#[test]
fn a_25_mb_base64_text_body_stays_under_4x_its_size_in_memory() {
    let body = base64_lines(SIZE);
    let raw =
        message("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n", body.as_bytes());
    assert_bounded("base64 text", &raw);
}

#[test]
fn a_25_mb_message_of_tiny_parts_stays_under_4x_its_size_in_memory() {
    // Each part costs the parser far more bookkeeping than its own few bytes.
    let mut body = String::with_capacity(SIZE + 1024);
    let mut i = 0;
    while body.len() < SIZE {
        let _ = write!(body, "--b\r\nContent-Type: text/html\r\n\r\n<a href=\"https://p{i}.example/\">x</a>\r\n");
        i += 1;
    }
    body.push_str("--b--\r\n");
    assert_bounded("tiny parts", &message("Content-Type: multipart/mixed; boundary=b\r\n", body.as_bytes()));
}

#[test]
fn a_25_mb_header_block_stays_under_4x_its_size_in_memory() {
    // Every Authentication-Results result and every host name used to be copied out in full.
    let results = "spf=pass smtp.mailfrom=a.example.com; ".repeat(SIZE / 2 / 38);
    let host = "h".repeat(SIZE / 2);
    let headers = format!(
        "Received: from {host} (x [192.0.2.1]) by mx.example.jp; Sat, 28 Nov 2026 09:00:00 +0000\r\n\
         Authentication-Results: mx.example.jp; {results}\r\n"
    );
    assert_bounded("header block", &message(&headers, b"hi\r\n"));
}

#[test]
fn a_25_mb_message_of_tiny_header_fields_stays_under_4x_its_size_in_memory() {
    // The parser's per-field bookkeeping dwarfs a field like `X: y`.
    let headers = "X: y\r\n".repeat(SIZE / 6);
    assert_bounded("tiny header fields", &message(&headers, b"hi\r\n"));
}

#[test]
fn a_25_mb_subject_of_encoded_words_stays_under_4x_its_size_in_memory() {
    let subject = format!("Subject: {}\r\n", "=?utf-8?b?YQ==?= ".repeat(SIZE / 17));
    let raw = [subject.as_bytes(), b"From: a@example.com\r\n\r\nhi\r\n"].concat();
    assert_bounded("encoded-word subject", &raw);
}
