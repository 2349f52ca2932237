//! Linear-time matching: every regular expression in the host comes from the `regex` crate (finite
//! automata, no backtracking) and is built from a literal in the source, never from message data.

use std::path::Path;

use crate::repo;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_backtracking_regex_engine_is_a_dependency() {
    const BACKTRACKING: [&str; 4] = ["fancy-regex", "pcre2", "onig", "regress"];
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let present: Vec<&str> =
        BACKTRACKING.iter().copied().filter(|c| lock.contains(&format!("name = \"{c}\"\n"))).collect();
    assert!(present.is_empty(), "backtracking regex engines in Cargo.lock: {present:?}");
}

#[test]
fn every_regex_is_built_from_a_literal_or_a_data_file() {
    const CONSTRUCTORS: [&str; 5] =
        ["Regex::new(", "RegexBuilder::new(", "RegexSet::new(", "RegexSetBuilder::new(", "bytes::Regex::new("];
    let mut files = Vec::new();
    rust_files(&repo().join("host/src"), &mut files);
    let mut offending = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            for ctor in CONSTRUCTORS {
                let Some(at) = line.find(ctor) else { continue };
                let argument = line[at + ctor.len()..].trim_start();
                let literal = argument.starts_with('"') || argument.starts_with("r\"") || argument.starts_with("r#");
                // Patterns from host/data/*.toml are reviewed knowledge, not message data; such a call
                // says so in a comment on the line before.
                let from_data = n > 0 && lines[n - 1].contains("pattern from host/data");
                if !literal && !from_data {
                    offending.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(offending.is_empty(), "regexes built from non-literal patterns:\n{}", offending.join("\n"));
}
