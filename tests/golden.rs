//! Golden fixtures: every `tests/fixtures/NAME.eml` has a `NAME.expected.json` holding the expected
//! level and the exact set of finding ids, e.g.
//! `{"level": "dangerous", "findings": ["sender.brand_display_name", …], "identities": ["me@example.jp"]}`.
//! `identities` (optional) is the caller context. Run with `MEKIKI_BLESS=1` to rewrite the expectations
//! from the current output — then read the diff before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mekiki::model::{Context, Level};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Expected {
    level: Level,
    findings: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    identities: Vec<String>,
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_fixtures_match_their_expectations() {
    let bless = std::env::var_os("MEKIKI_BLESS").is_some();
    let mut failures = Vec::new();
    let files = fixtures();
    assert!(!files.is_empty());
    for eml in &files {
        let expected_path = eml.with_extension("expected.json");
        let expected: Option<Expected> = std::fs::read_to_string(&expected_path)
            .ok()
            .map(|t| serde_json::from_str(&t).expect("valid expected.json"));
        let identities = expected.as_ref().map(|e| e.identities.clone()).unwrap_or_default();
        let raw = std::fs::read(eml).unwrap();
        let verdict =
            mekiki::analyze(&raw, &Context { identities: identities.clone(), locale: None, ..Context::default() });
        let actual = Expected {
            level: verdict.level,
            findings: verdict.findings.iter().map(|f| f.id.clone()).collect(),
            identities,
        };
        match expected {
            Some(e) if e.level == actual.level && e.findings == actual.findings => {}
            _ if bless => {
                std::fs::write(&expected_path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
            }
            Some(e) => failures.push(format!(
                "{}: expected {:?} {:?}\n   got {:?} {:?} (score {})",
                eml.file_name().unwrap().to_string_lossy(),
                e.level,
                e.findings,
                actual.level,
                actual.findings,
                verdict.score
            )),
            None => failures.push(format!("{}: no expected.json (run with MEKIKI_BLESS=1)", eml.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn every_finding_has_evidence_and_text_in_both_languages() {
    let rules = mekiki::rules::Rules::builtin();
    for eml in fixtures() {
        let raw = std::fs::read(&eml).unwrap();
        let en = mekiki::analyze(&raw, &Context { locale: Some("en".into()), ..Context::default() });
        let ja = mekiki::analyze(&raw, &Context { locale: Some("ja-JP".into()), ..Context::default() });
        assert_eq!(en.findings.len(), ja.findings.len());
        for (e, j) in en.findings.iter().zip(&ja.findings) {
            let name = eml.file_name().unwrap().to_string_lossy();
            assert!(!e.explanation.is_empty() && !j.explanation.is_empty(), "{name}: {} lacks text", e.id);
            assert!(
                !e.explanation.contains('{') && !j.explanation.contains('{'),
                "{name}: {} has an unfilled placeholder",
                e.id
            );
            assert!(e.score == 0 || !e.evidence.is_empty(), "{name}: scored finding {} has no evidence", e.id);
            // Evidence labels read in Japanese too, except header names quoted from the message itself.
            for ev in &e.evidence {
                let is_header = String::from_utf8_lossy(&raw).lines().any(|l| {
                    l.get(..ev.label.len()).is_some_and(|name| name.eq_ignore_ascii_case(&ev.label))
                        && l[ev.label.len()..].starts_with(':')
                });
                assert!(
                    rules.has_japanese_label(&ev.label) || is_header,
                    "{name}: {}: evidence label {:?} has no Japanese name in host/data/labels.toml",
                    e.id,
                    ev.label
                );
            }
        }
    }
}

/// The seed of the project: each step of the admin's reasoning shows up with its evidence, in both languages.
#[test]
fn seed_is_explained_step_by_step() {
    let raw =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seed-kagoya-phish.eml")).unwrap();
    for locale in ["en", "ja"] {
        let v = mekiki::analyze(&raw, &Context { locale: Some(locale.into()), ..Context::default() });
        assert_eq!(v.level, Level::Dangerous);
        let evidence = |id: &str| -> String {
            let f = v.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("{locale}: no {id}"));
            f.evidence.iter().map(|e| format!("{}={}\n", e.label, e.value)).collect()
        };
        assert!(evidence("sender.brand_display_name").contains("Kagoya Internet Service"));
        assert!(evidence("sender.self_sender").contains("hiroshi@example.jp"));
        let origin = evidence("received.origin_not_brand");
        assert!(origin.contains("sv8630.xserver.jp") && origin.contains("183.181.84.151"), "{origin}");
        assert!(evidence("links.brand_in_path").contains("miwamoku.net"));
        let encoded = evidence("links.recipient_in_url");
        assert!(encoded.contains("aGlyb3NoaUBleGFtcGxlLmpw") && encoded.contains("=hiroshi@example.jp"), "{encoded}");
        assert!(evidence("content.lure_quota").contains("メールボックス"));
        let japanese = v.findings.iter().all(|f| f.explanation.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)));
        assert_eq!(japanese, locale == "ja", "{locale}: explanations in the wrong language");
    }
}

/// FINDINGS.md lists every id the rule tables define, so the documented list cannot drift.
#[test]
fn every_finding_id_is_documented() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../FINDINGS.md")).unwrap();
    let missing: Vec<&str> =
        mekiki::rules::Rules::builtin().ids().filter(|id| !doc.contains(&format!("`{id}`"))).collect();
    assert!(missing.is_empty(), "FINDINGS.md lacks {missing:?}");
}
