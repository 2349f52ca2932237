//! CI floor: the evaluation (`mekiki eval`) on a fixed sample of the development corpus must keep each
//! source's rates within bounds, so a change that loses detection or adds false positives fails CI.
//! The sample is the same on every run (chosen by path hash), so a failure is a real change, not noise;
//! the bounds sit a little under what the engine reaches today, to catch regressions, not to freeze it.
//! The corpus is `shared/corpus` beside the repository, or `MEKIKI_CORPUS`.

use std::path::PathBuf;

use mekiki::eval::{self, Floors};
use mekiki::scan::{self, Options};

/// Messages per source: 7 sources × 40 = 280 messages, a few seconds in a debug build.
const SAMPLE_PER_SOURCE: usize = 40;

const FLOORS: Floors = Floors {
    min_phish_flagged: Some(0.90),
    min_phish_dangerous: Some(0.75),
    max_ham_flagged: Some(0.05),
    max_ham_dangerous: Some(0.025),
};

fn corpus_root() -> PathBuf {
    std::env::var_os("MEKIKI_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

#[test]
fn corpus_sample_rates_stay_within_the_floors() {
    let root = corpus_root();
    assert!(root.is_dir(), "no corpus at {} (set MEKIKI_CORPUS)", root.display());
    let sources = eval::load_tree(&root, Some(SAMPLE_PER_SOURCE)).expect("corpus laid out as phish/… and ham/…");
    assert!(
        sources.iter().any(|s| s.class == eval::Class::Phish) && sources.iter().any(|s| s.class == eval::Class::Ham)
    );
    let opts = Options { jobs: scan::default_jobs(), ..Options::default() };
    let results = eval::evaluate(&sources, &opts);
    print!("{}", eval::report(&sources, &results));
    for (source, result) in sources.iter().zip(&results) {
        assert_eq!(
            result.tally.messages + result.tally.skipped + result.tally.failed,
            source.files.len(),
            "every sampled file of {} has an outcome",
            source.name
        );
    }
    let violations = eval::violations(&sources, &results, &FLOORS);
    assert!(
        violations.is_empty(),
        "rates out of bounds (see target/eval via `mekiki eval`):\n{}",
        violations.join("\n")
    );
}
