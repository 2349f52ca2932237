//! `mekiki eval`: detection and false-positive rates per source over a labelled tree
//! (`phish/<source>/…`, `ham/<source>/…`), the lists of misses and false positives to read, and floors
//! that make the command fail (for CI) when a rate falls out of bounds.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};

use crate::model::{Context, Level};
use crate::scan::{self, Options, Outcome, Record, Tally};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Root of the labelled tree, laid out like shared/corpus.
    pub root: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Analyze only N messages of each source: the same ones on every run and machine.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Folder for the per-message results and the lists of misses and false positives.
    #[arg(long, default_value = "target/eval")]
    pub out: PathBuf,
    /// Also print the misses and false positives.
    #[arg(long)]
    pub list: bool,
    /// Fail when a phishing source has a smaller share flagged (0–1).
    #[arg(long, value_name = "SHARE")]
    pub min_phish_flagged: Option<f64>,
    /// Fail when a phishing source has a smaller share dangerous (0–1).
    #[arg(long, value_name = "SHARE")]
    pub min_phish_dangerous: Option<f64>,
    /// Fail when a legitimate source has a larger share flagged (0–1).
    #[arg(long, value_name = "SHARE")]
    pub max_ham_flagged: Option<f64>,
    /// Fail when a legitimate source has a larger share dangerous (0–1).
    #[arg(long, value_name = "SHARE")]
    pub max_ham_dangerous: Option<f64>,
}

/// The label of a message: the first folder under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Phish,
    Ham,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Phish => "phish",
            Class::Ham => "ham",
        }
    }

    /// Whether the engine got this message wrong: phishing left safe, or legitimate mail flagged.
    pub fn is_error(self, record: &Record) -> bool {
        match self {
            Class::Phish => !record.flagged(),
            Class::Ham => record.flagged(),
        }
    }
}

/// One source folder (`phish/nazario`) and the files chosen from it.
#[derive(Debug, Clone)]
pub struct Source {
    pub class: Class,
    pub name: String,
    pub files: Vec<PathBuf>,
}

/// The outcome of one source.
#[derive(Debug, Default)]
pub struct SourceResult {
    pub tally: Tally,
    pub records: Vec<Record>,
    pub skipped: Vec<(String, String)>,
    /// Messages the engine panicked on.
    pub failed: Vec<String>,
}

/// Bounds on the per-source rates; `None` leaves a rate unchecked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Floors {
    pub min_phish_flagged: Option<f64>,
    pub min_phish_dangerous: Option<f64>,
    pub max_ham_flagged: Option<f64>,
    pub max_ham_dangerous: Option<f64>,
}

pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let sources = load_tree(&args.root, args.sample)?;
    let jobs = args.jobs.unwrap_or_else(scan::default_jobs).max(1);
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let opts = Options { jobs, ctx: Context::default(), parse_only: false, progress };
    let started = Instant::now();
    let results = evaluate(&sources, &opts);
    let wall = started.elapsed();

    let report = report(&sources, &results);
    let mut out = std::io::stdout().lock();
    write!(out, "{report}")?;
    let messages: usize = results.iter().map(|r| r.tally.messages).sum();
    writeln!(out, "\n{messages} messages in {:.1} s on {jobs} thread(s)", wall.as_secs_f64())?;

    let lists = write_lists(&args.out, &sources, &results)?;
    writeln!(out, "per-message results and the lists of misses and false positives: {}", args.out.display())?;
    if args.list {
        write!(out, "{lists}")?;
    }

    let floors = Floors {
        min_phish_flagged: args.min_phish_flagged,
        min_phish_dangerous: args.min_phish_dangerous,
        max_ham_flagged: args.max_ham_flagged,
        max_ham_dangerous: args.max_ham_dangerous,
    };
    let violations = violations(&sources, &results, &floors);
    for violation in &violations {
        eprintln!("mekiki eval: out of bounds: {violation}");
    }
    Ok(if violations.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Finds the sources under `root/phish/` and `root/ham/`, in name order, with their message files
/// (recursively). With `sample`, keeps `sample` files per source, chosen by a hash of the file's path
/// inside its source so the choice is the same on every run and machine and spread over the source.
pub fn load_tree(root: &Path, sample: Option<usize>) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for class in [Class::Phish, Class::Ham] {
        let class_dir = root.join(class.name());
        let entries = std::fs::read_dir(&class_dir).with_context(|| format!("cannot read {}", class_dir.display()))?;
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for dir in dirs {
            let (mut files, problems) = scan::discover(std::slice::from_ref(&dir));
            if let Some((path, reason)) = problems.first() {
                bail!("cannot read {}: {reason}", path.display());
            }
            if let Some(n) = sample {
                files.sort_by_key(|f| fnv1a(f.strip_prefix(&dir).unwrap_or(f).to_string_lossy().as_bytes()));
                files.truncate(n);
                files.sort();
            }
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            sources.push(Source { class, name, files });
        }
    }
    if sources.is_empty() {
        bail!("no sources under {}/phish or {}/ham", root.display(), root.display());
    }
    Ok(sources)
}

/// FNV-1a: a fixed hash (unlike std's seeded one), so samples are reproducible.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Analyzes every source in one parallel scan; results are in the order of `sources`.
pub fn evaluate(sources: &[Source], opts: &Options) -> Vec<SourceResult> {
    let files: Vec<PathBuf> = sources.iter().flat_map(|s| s.files.iter().cloned()).collect();
    // The scan reports files by index in that flat list; map each index back to its source.
    let source_of: Vec<usize> =
        sources.iter().enumerate().flat_map(|(i, s)| std::iter::repeat_n(i, s.files.len())).collect();
    let mut results: Vec<SourceResult> = sources.iter().map(|_| SourceResult::default()).collect();
    scan::scan_files(&files, opts, |outcome| {
        let Some(result) = source_of.get(outcome.file()).and_then(|&s| results.get_mut(s)) else { return };
        match outcome {
            Outcome::Analyzed(record) => {
                result.tally.add(&record);
                result.records.push(record);
            }
            Outcome::Skipped { label, reason, .. } => {
                result.tally.skipped += 1;
                result.skipped.push((label, reason));
            }
            Outcome::Failed { label, .. } => {
                result.tally.failed += 1;
                result.failed.push(label);
            }
        }
    });
    results
}

/// The sources whose rates are out of `floors`, described for a person.
pub fn violations(sources: &[Source], results: &[SourceResult], floors: &Floors) -> Vec<String> {
    let mut found = Vec::new();
    for (source, result) in sources.iter().zip(results) {
        let t = &result.tally;
        // Whatever the floors, a message the engine cannot analyze is a failure.
        if t.failed > 0 {
            found.push(format!(
                "{}/{}: the engine failed on {} message(s)",
                source.class.name(),
                source.name,
                t.failed
            ));
        }
        let (flagged, dangerous) = (t.share(t.flagged()), t.share(t.dangerous));
        let checks = match source.class {
            Class::Phish => [
                ("flagged", flagged, floors.min_phish_flagged, true),
                ("dangerous", dangerous, floors.min_phish_dangerous, true),
            ],
            Class::Ham => [
                ("flagged", flagged, floors.max_ham_flagged, false),
                ("dangerous", dangerous, floors.max_ham_dangerous, false),
            ],
        };
        for (what, share, bound, is_min) in checks {
            let Some(bound) = bound else { continue };
            if t.messages == 0 {
                found.push(format!("{}/{}: no messages", source.class.name(), source.name));
                break;
            }
            if (is_min && share < bound) || (!is_min && share > bound) {
                let rel = if is_min { "below" } else { "above" };
                found.push(format!(
                    "{}/{}: {:.1}% {what}, {rel} {:.1}% ({} messages)",
                    source.class.name(),
                    source.name,
                    100.0 * share,
                    100.0 * bound,
                    t.messages
                ));
            }
        }
    }
    found
}

/// The rates table per source and class, and the most frequent findings per class.
pub fn report(sources: &[Source], results: &[SourceResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:<20} {:>8} {:>9} {:>10} {:>8} {:>7}",
        "class", "source", "messages", "flagged", "dangerous", "skipped", "failed"
    );
    for class in [Class::Phish, Class::Ham] {
        let mut total = Tally::default();
        for (source, result) in sources.iter().zip(results).filter(|(s, _)| s.class == class) {
            let _ = writeln!(out, "{}", row(class.name(), &source.name, &result.tally));
            for record in &result.records {
                total.add(record);
            }
            total.skipped += result.tally.skipped;
            total.failed += result.tally.failed;
        }
        let _ = writeln!(out, "{}", row(class.name(), "(all)", &total));
        let _ = writeln!(out);
        let mut any_errors = false;
        for (source, result) in sources.iter().zip(results).filter(|(s, _)| s.class == class) {
            let (errors, lures) = errors_and_lures(class, &result.records);
            if errors > 0 {
                let what = match class {
                    Class::Phish => "left safe",
                    Class::Ham => "flagged",
                };
                let _ = writeln!(out, "  {}: {errors} {what}, {lures} distinct lure(s)", source.name);
                any_errors = true;
            }
        }
        if any_errors {
            let _ = writeln!(out);
        }
        let top = total.top_findings(12);
        if !top.is_empty() {
            let _ = writeln!(out, "  most frequent findings in {} ({} messages):", class.name(), total.messages);
            for (id, count) in top {
                let _ = writeln!(out, "  {id:<44} {count:>6} {:>6.1}%", 100.0 * total.share(count));
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// The messages the engine got wrong ([`Class::is_error`]) and how many different lures they are:
/// copies of one campaign ([`scan::lure_key`]) count once, so a rate is not read as more (or less)
/// than it is. A message without a lure key counts as its own.
fn errors_and_lures(class: Class, records: &[Record]) -> (usize, usize) {
    let errors: Vec<&Record> = records.iter().filter(|r| class.is_error(r)).collect();
    let keyed: HashSet<&str> = errors.iter().filter_map(|r| r.lure.as_deref()).collect();
    let unkeyed = errors.iter().filter(|r| r.lure.is_none()).count();
    (errors.len(), keyed.len() + unkeyed)
}

fn row(class: &str, source: &str, t: &Tally) -> String {
    format!(
        "{class:<6} {source:<20} {:>8} {:>8.1}% {:>9.1}% {:>8} {:>7}",
        t.messages,
        100.0 * t.share(t.flagged()),
        100.0 * t.share(t.dangerous),
        t.skipped,
        t.failed
    )
}

/// Writes `results.tsv` (every message, and the inputs skipped or failed), `misses.tsv` (phishing not flagged, or flagged but not
/// dangerous) and `false-positives.tsv` (legitimate mail flagged) under `out`; returns the two lists
/// as text for `--list`.
pub fn write_lists(out: &Path, sources: &[Source], results: &[SourceResult]) -> Result<String> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let header = "class\tsource\tlevel\tscore\tpath\tfindings\n";
    let (mut all, mut misses, mut false_positives) = (header.to_string(), header.to_string(), header.to_string());
    for (source, result) in sources.iter().zip(results) {
        for record in &result.records {
            let findings: Vec<&str> = record.findings.iter().filter(|f| f.score > 0).map(|f| f.id.as_str()).collect();
            let line = format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                source.class.name(),
                source.name,
                scan::level_name(record.level),
                record.score,
                record.label,
                findings.join(",")
            );
            all.push_str(&line);
            match source.class {
                Class::Phish if record.level != Level::Dangerous => misses.push_str(&line),
                Class::Ham if record.flagged() => false_positives.push_str(&line),
                _ => {}
            }
        }
        let class = source.class.name();
        for (label, reason) in &result.skipped {
            let _ = writeln!(all, "{class}\t{}\tskipped\t\t{label}\t{reason}", source.name);
        }
        for label in &result.failed {
            let _ = writeln!(all, "{class}\t{}\tfailed\t\t{label}\t", source.name);
        }
    }
    for (name, text) in [("results.tsv", &all), ("misses.tsv", &misses), ("false-positives.tsv", &false_positives)] {
        let path = out.join(name);
        let mut file = std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(text.as_bytes())?;
    }
    Ok(format!(
        "\nmisses (phishing not dangerous):\n{misses}\nfalse positives (legitimate mail flagged):\n{false_positives}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(messages: usize, suspicious: usize, dangerous: usize) -> SourceResult {
        let tally =
            Tally { messages, suspicious, dangerous, safe: messages - suspicious - dangerous, ..Tally::default() };
        SourceResult { tally, ..SourceResult::default() }
    }

    fn source(class: Class, name: &str) -> Source {
        Source { class, name: name.into(), files: Vec::new() }
    }

    #[test]
    fn floors_flag_sources_out_of_bounds_only() {
        let sources = [source(Class::Phish, "p"), source(Class::Ham, "h")];
        let floors = Floors {
            min_phish_flagged: Some(0.9),
            min_phish_dangerous: Some(0.5),
            max_ham_flagged: Some(0.05),
            max_ham_dangerous: Some(0.0),
        };
        assert!(violations(&sources, &[tally(100, 40, 55), tally(100, 5, 0)], &floors).is_empty());
        let found = violations(&sources, &[tally(100, 40, 45), tally(100, 4, 1)], &floors);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("p: 85.0% flagged"), "{found:?}");
        assert!(violations(&sources, &[tally(100, 0, 0), tally(100, 100, 0)], &Floors::default()).is_empty());
    }

    #[test]
    fn copies_of_one_lure_count_once() {
        let record = |level, lure: Option<&str>| Record {
            file: 0,
            label: String::new(),
            size: 0,
            level,
            score: 0,
            findings: Vec::new(),
            summary: String::new(),
            subject: None,
            to: Vec::new(),
            lure: lure.map(str::to_string),
            elapsed: std::time::Duration::ZERO,
        };
        let records = [
            record(Level::Safe, Some("win prize.example")),
            record(Level::Safe, Some("win prize.example")),
            record(Level::Safe, Some("other")),
            record(Level::Safe, None),
            record(Level::Safe, None),
            record(Level::Suspicious, Some("win prize.example")),
            record(Level::Dangerous, Some("third")),
        ];
        assert_eq!(errors_and_lures(Class::Phish, &records), (5, 4), "two keyed lures and two without a key");
        assert_eq!(errors_and_lures(Class::Ham, &records), (2, 2));
    }

    #[test]
    fn samples_are_stable_and_spread() {
        let root = std::env::temp_dir().join(format!("mekiki-eval-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for class in ["phish/a", "ham/b"] {
            std::fs::create_dir_all(root.join(class)).unwrap();
            for i in 0..50 {
                std::fs::write(root.join(class).join(format!("{i:03}.eml")), "Subject: x\n\nbody\n").unwrap();
            }
        }
        let sample = load_tree(&root, Some(10)).unwrap();
        assert_eq!(sample.len(), 2);
        assert_eq!((sample[0].class, sample[1].class), (Class::Phish, Class::Ham));
        assert!(sample.iter().all(|s| s.files.len() == 10));
        let names = |s: &Source| s.files.iter().map(|f| f.file_name().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&sample[0]), names(&sample[1]), "same choice for the same relative paths");
        assert_ne!(names(&sample[0]), names(&load_tree(&root, None).unwrap()[0])[..10], "not the first ten");
        assert_eq!(load_tree(&root, None).unwrap()[0].files.len(), 50);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
