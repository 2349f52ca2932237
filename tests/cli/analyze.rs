//! `mekiki analyze`: the report, `--json`, `--lang`, and the exit codes 0 safe / 1 flagged / 2 error.

use std::io::Write;
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::{ham, has_japanese, mekiki, seed};

fn analyze(args: &[&str]) -> Output {
    mekiki().arg("analyze").args(args).output().expect("mekiki runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json_verdict(path: &std::path::Path, lang: &str) -> (Value, Option<i32>) {
    let output = analyze(&["--json", "--lang", lang, path.to_str().unwrap()]);
    (serde_json::from_slice(&output.stdout).expect("--json prints the verdict"), output.status.code())
}

#[test]
fn a_safe_message_exits_0() {
    let output = analyze(&[ham().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).starts_with("SAFE"), "{}", stdout(&output));
}

#[test]
fn the_exit_code_says_whether_the_seed_is_flagged() {
    let (verdict, code) = json_verdict(&seed(), "en");
    let flagged = verdict["level"] != "safe";
    assert_eq!(code, Some(if flagged { 1 } else { 0 }), "{verdict}");
}

#[test]
fn the_seed_is_dangerous() {
    let (verdict, code) = json_verdict(&seed(), "en");
    assert_eq!(verdict["level"], "dangerous", "{verdict}");
    assert_eq!(code, Some(1));
}

#[test]
fn the_report_shows_level_score_findings_and_facts() {
    let output = analyze(&[seed().to_str().unwrap()]);
    let text = stdout(&output);
    let (verdict, _) = json_verdict(&seed(), "en");
    let level = verdict["level"].as_str().unwrap().to_uppercase();
    assert!(text.starts_with(&format!("{level} · score {}/100\n", verdict["score"])), "{text}");
    assert!(text.contains(verdict["summary"].as_str().unwrap()));
    for finding in verdict["findings"].as_array().unwrap() {
        assert!(text.contains(finding["title"].as_str().unwrap()), "{text}");
        for evidence in finding["evidence"].as_array().unwrap() {
            assert!(text.contains(evidence["value"].as_str().unwrap()), "{text}");
        }
    }
    assert!(text.contains("From: \"Kagoya Internet Service\" <hiroshi@example.jp>"), "{text}");
}

#[test]
fn lang_ja_gives_japanese_text() {
    let output = analyze(&["--lang", "ja", seed().to_str().unwrap()]);
    let text = stdout(&output);
    assert!(text.contains("スコア") && text.contains("差出人"), "{text}");
    let (verdict, _) = json_verdict(&seed(), "ja");
    assert_eq!(verdict["lang"], "ja");
    assert!(has_japanese(verdict["summary"].as_str().unwrap()), "{verdict}");
    for finding in verdict["findings"].as_array().unwrap() {
        assert!(has_japanese(finding["title"].as_str().unwrap()), "{finding}");
        assert!(has_japanese(finding["explanation"].as_str().unwrap()), "{finding}");
    }
    let (english, _) = json_verdict(&seed(), "en");
    assert!(!has_japanese(english["summary"].as_str().unwrap().split(['“', '「']).next().unwrap()));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let mut child =
        mekiki().args(["analyze", "--json", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(ham()).unwrap()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let verdict: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict["facts"]["from"]["address"], "suzuki.hana@example.co.jp");
}

#[test]
fn identities_are_accepted() {
    let output =
        analyze(&["--identity", "yamada.taro@example.co.jp", "--identity", "t@example.jp", ham().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn errors_exit_2() {
    let output = analyze(&["/nonexistent/message.eml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/message.eml"));
    assert!(output.stdout.is_empty());
    assert_eq!(analyze(&["--lang", "xx", ham().to_str().unwrap()]).status.code(), Some(2));
    assert_eq!(mekiki().arg("no-such-command").output().unwrap().status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `mekiki analyze seed.eml | head -0`: the pipe is closed before anything is written.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = mekiki().arg("analyze").arg(seed()).stdout(writer).output().expect("mekiki runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}
