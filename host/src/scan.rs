//! `mekiki scan`: analyze files, directories, mbox files and Maildir folders in parallel.
//!
//! One reader thread walks the inputs in order and splits mbox files; worker threads analyze; the
//! main thread puts the outcomes back in input order, so output is the same whatever `--jobs` is.
//! `mekiki eval` runs on the same machinery ([`scan_files`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::mpsc::{self, Sender, SyncSender};
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mail_parser::MessageParser;
use serde::Serialize;

use crate::model::{Context, Level, Verdict};

/// Messages (or files) larger than this are reported and skipped: the engine only reads the headers of
/// anything over its own body limit anyway, and the scan must not hold several such giants in memory.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files, directories (recursive), mbox files or Maildir folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// One JSON object per message on stdout (the summary goes to stderr).
    #[arg(long)]
    pub jsonl: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// One of the user's own addresses, as Thunderbird identities give them (repeatable). Without it,
    /// each message's Delivered-To/To/Cc stand for the user.
    #[arg(long = "identity", value_name = "ADDRESS")]
    pub identities: Vec<String>,
    /// Language of the summaries: en or ja.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Only parse each message with mail-parser: the floor that analysis speed is measured against.
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

/// How to run a scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub jobs: usize,
    pub ctx: Context,
    pub parse_only: bool,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// One finding of a scanned message, as much as a summary needs.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRef {
    pub id: String,
    pub score: u32,
}

/// What a scan keeps of one analyzed message.
#[derive(Debug, Clone)]
pub struct Record {
    /// Index of the file in the scanned list (messages of one mbox share it).
    pub file: usize,
    /// The file's path, or `path#N` for the N-th message (from 1) of an mbox.
    pub label: String,
    pub size: usize,
    pub level: Level,
    pub score: u32,
    pub findings: Vec<FindingRef>,
    pub summary: String,
    pub subject: Option<String>,
    pub to: Vec<String>,
    /// Same value for copies of the same lure (see [`lure_key`]).
    pub lure: Option<String>,
    pub elapsed: Duration,
}

impl Record {
    pub fn flagged(&self) -> bool {
        self.level != Level::Safe
    }

    fn from_verdict(file: usize, label: String, size: usize, verdict: &Verdict, elapsed: Duration) -> Record {
        Record {
            file,
            label,
            size,
            level: verdict.level,
            score: verdict.score,
            findings: verdict.findings.iter().map(|f| FindingRef { id: f.id.clone(), score: f.score }).collect(),
            summary: verdict.summary.clone(),
            subject: verdict.facts.subject.clone(),
            to: verdict.facts.to.clone(),
            lure: lure_key(verdict),
            elapsed,
        }
    }
}

/// The result for one message or one input that could not be analyzed.
#[derive(Debug, Clone)]
pub enum Outcome {
    Analyzed(Record),
    Skipped {
        file: usize,
        label: String,
        reason: String,
    },
    /// The engine panicked on this message: a bug, counted apart from inputs that are not mail.
    Failed {
        file: usize,
        label: String,
    },
}

impl Outcome {
    /// Index of the input file the outcome belongs to.
    pub fn file(&self) -> usize {
        match self {
            Outcome::Analyzed(r) => r.file,
            Outcome::Skipped { file, .. } | Outcome::Failed { file, .. } => *file,
        }
    }
}

pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let (files, problems) = discover(&args.paths);
    for (path, reason) in &problems {
        eprintln!("mekiki: skipped {}: {reason}", path.display());
    }
    let jobs = args.jobs.unwrap_or_else(default_jobs).max(1);
    // A bar on the terminal only, and not over JSON lines that are themselves going to the terminal.
    let progress = std::io::stderr().is_terminal() && !(args.jsonl && std::io::stdout().is_terminal());
    let opts = Options {
        jobs,
        ctx: Context { identities: args.identities.clone(), locale: Some(args.lang.clone()), ..Context::default() },
        parse_only: args.parse_only,
        progress,
    };

    let started = Instant::now();
    let mut tally = Tally::default();
    let mut lures = LureGroups::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write_error = None;
    scan_files(&files, &opts, |outcome| {
        match &outcome {
            Outcome::Analyzed(record) => {
                tally.add(record);
                lures.add(record);
            }
            Outcome::Skipped { label, reason, .. } => {
                tally.skipped += 1;
                eprintln!("mekiki: skipped {label}: {reason}");
            }
            Outcome::Failed { label, .. } => {
                tally.failed += 1;
                eprintln!("mekiki: the analysis of {label} failed (a bug: please report it)");
            }
        }
        if write_error.is_none() {
            let written =
                if args.jsonl { write_json_line(&mut out, &outcome) } else { write_flagged_line(&mut out, &outcome) };
            // Under a progress bar, each line must be out before the bar is drawn again.
            write_error = written.and_then(|()| if progress { out.flush() } else { Ok(()) }).err();
        }
    });
    out.flush()?;
    drop(out);
    if let Some(err) = write_error {
        // A closed pipe (`| head`) is the reader's choice, not a failure of the scan.
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(err.into());
        }
    }
    tally.skipped += problems.len();

    let elapsed = started.elapsed();
    let mut report = Vec::new();
    tally.write_summary(&mut report, elapsed, jobs, args.parse_only)?;
    lures.write(&mut report)?;
    if args.jsonl {
        std::io::stderr().write_all(&report)?;
    } else {
        std::io::stdout().write_all(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

#[derive(Serialize)]
struct JsonLine<'a> {
    path: &'a str,
    level: Level,
    score: u32,
    findings: Vec<&'a str>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
}

fn write_json_line(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    let Outcome::Analyzed(r) = outcome else { return Ok(()) };
    let line = JsonLine {
        path: &r.label,
        level: r.level,
        score: r.score,
        findings: r.findings.iter().map(|f| f.id.as_str()).collect(),
        summary: &r.summary,
        subject: r.subject.as_deref(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

fn write_flagged_line(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    match outcome {
        Outcome::Analyzed(r) if r.flagged() => {
            writeln!(out, "{:<10} {:>3}  {}  {}", level_name(r.level), r.score, r.label, r.summary)
        }
        _ => Ok(()),
    }
}

pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Safe => "safe",
        Level::Suspicious => "suspicious",
        Level::Dangerous => "dangerous",
    }
}

/// Expands the command-line paths into the files to read, in a stable order: each argument in turn,
/// directories walked in name order. A Maildir contributes its `cur/` and `new/` messages and its
/// sub-folders, not `tmp/` (deliveries in progress) nor the server's index files beside them.
/// Returns the files and the paths that could not be listed, with the reason.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut problems),
            Ok(meta) if meta.is_file() => files.push(path.clone()),
            // A FIFO or device would block the reader or never end.
            Ok(_) => problems.push((path.clone(), "not a regular file".into())),
            Err(err) => problems.push((path.clone(), err.to_string())),
        }
    }
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<(PathBuf, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return problems.push((dir.to_path_buf(), err.to_string())),
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    let maildir = dir.join("cur").is_dir() && dir.join("new").is_dir();
    for entry in entries {
        let path = entry.path();
        // Symlinked directories are not followed: they can form loops.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if maildir && (!is_dir || entry.file_name() == "tmp") {
            continue;
        }
        if is_dir {
            walk(&path, files, problems);
        } else if path.is_file() {
            files.push(path);
        }
    }
}

struct Job {
    seq: usize,
    file: usize,
    label: String,
    bytes: Vec<u8>,
}

/// Analyzes every message in `files` on `opts.jobs` threads and hands each outcome to `each`, in input
/// order (file order, then message order within an mbox).
pub fn scan_files(files: &[PathBuf], opts: &Options, mut each: impl FnMut(Outcome)) {
    // Loaded once before the first message: its time is the process's start, not that message's, and
    // no worker waits for another to load them.
    if !opts.parse_only {
        crate::load_tables();
    }
    let total_bytes: u64 = files.iter().filter_map(|f| f.metadata().ok()).map(|m| m.len()).sum();
    let bar = progress_bar(opts.progress, total_bytes);
    let jobs = opts.jobs.max(1);
    // A short queue keeps memory to a few messages per worker, whatever the size of the inputs.
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(jobs * 4);
    let job_rx = Mutex::new(job_rx);
    let (out_tx, out_rx) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        let reader_out = out_tx.clone();
        scope.spawn(move || read_inputs(files, Feeder { seq: 0, jobs: job_tx, outcomes: reader_out }));
        for _ in 0..jobs {
            let out_tx = out_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                loop {
                    let next = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = next else { return };
                    let seq = job.seq;
                    if out_tx.send((seq, analyze_job(job, opts))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(out_tx);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (seq, outcome) in out_rx {
            waiting.insert(seq, outcome);
            while let Some(outcome) = waiting.remove(&next) {
                if let Outcome::Analyzed(r) = &outcome {
                    bar.inc(r.size as u64);
                }
                // Lines printed while the bar is drawn would be torn by it: clear it for the time of a line.
                bar.suspend(|| each(outcome));
                next += 1;
            }
        }
    });
    bar.finish_and_clear();
}

fn progress_bar(visible: bool, total_bytes: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}") {
        bar.set_style(style);
    }
    bar
}

fn analyze_job(job: Job, opts: &Options) -> Outcome {
    let Job { file, label, bytes, .. } = job;
    let started = Instant::now();
    // A panic is a bug in the engine; in a scan of thousands of messages it must cost one message, not
    // the scan (the panic message itself is printed by the default hook).
    let verdict = catch_unwind(AssertUnwindSafe(|| {
        if opts.parse_only {
            std::hint::black_box(MessageParser::new().parse(&bytes));
            None
        } else {
            Some(crate::analyze(&bytes, &opts.ctx))
        }
    }));
    let elapsed = started.elapsed();
    match verdict {
        Ok(Some(verdict)) => Outcome::Analyzed(Record::from_verdict(file, label, bytes.len(), &verdict, elapsed)),
        Ok(None) => Outcome::Analyzed(Record {
            file,
            label,
            size: bytes.len(),
            level: Level::Safe,
            score: 0,
            findings: Vec::new(),
            summary: String::new(),
            subject: None,
            to: Vec::new(),
            lure: None,
            elapsed,
        }),
        Err(_) => Outcome::Failed { file, label },
    }
}

/// Numbers the messages and skipped inputs in input order and hands them on.
struct Feeder {
    seq: usize,
    jobs: SyncSender<Job>,
    outcomes: Sender<(usize, Outcome)>,
}

impl Feeder {
    /// Returns false once nobody listens any more.
    fn message(&mut self, file: usize, label: String, bytes: Vec<u8>) -> bool {
        if let Some(reason) = not_a_message(&bytes) {
            return self.skip(file, label, reason.to_string());
        }
        let seq = self.next_seq();
        self.jobs.send(Job { seq, file, label, bytes }).is_ok()
    }

    fn skip(&mut self, file: usize, label: String, reason: String) -> bool {
        let seq = self.next_seq();
        self.outcomes.send((seq, Outcome::Skipped { file, label, reason })).is_ok()
    }

    fn next_seq(&mut self) -> usize {
        self.seq += 1;
        self.seq - 1
    }
}

fn read_inputs(files: &[PathBuf], mut feeder: Feeder) {
    for (index, path) in files.iter().enumerate() {
        let label = path.display().to_string();
        let going_on = match read_file(index, path, &label, &mut feeder) {
            Ok(going_on) => going_on,
            Err(err) => feeder.skip(index, label, err.to_string()),
        };
        if !going_on {
            return;
        }
    }
}

fn read_file(index: usize, path: &Path, label: &str, feeder: &mut Feeder) -> std::io::Result<bool> {
    let file = File::open(path)?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    if is_from_line(reader.fill_buf()?) {
        return read_mbox(index, label, reader, feeder);
    }
    let mut bytes = Vec::new();
    reader.by_ref().take(MAX_MESSAGE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Ok(feeder.skip(index, label.to_string(), too_large()));
    }
    Ok(feeder.message(index, label.to_string(), bytes))
}

fn too_large() -> String {
    format!("larger than {} MiB", MAX_MESSAGE_BYTES >> 20)
}

/// Feeds the messages of an mbox. A file holding a single message (an .eml saved with its `From `
/// envelope line) keeps its plain path as label; the messages of a real mbox are `path#1`, `path#2`…
fn read_mbox(index: usize, label: &str, reader: impl BufRead, feeder: &mut Feeder) -> std::io::Result<bool> {
    let mut count = 0;
    let mut first = None;
    let mut going_on = true;
    split_mbox(reader, |message| {
        count += 1;
        let numbered = |n: usize| format!("{label}#{n}");
        going_on = match count {
            1 => {
                first = Some(message);
                true
            }
            _ => {
                let held = first.take().is_none_or(|m| send_mbox_message(feeder, index, numbered(1), m));
                held && send_mbox_message(feeder, index, numbered(count), message)
            }
        };
        going_on
    })?;
    if let Some(only) = first {
        going_on = send_mbox_message(feeder, index, label.to_string(), only);
    }
    Ok(going_on)
}

fn send_mbox_message(feeder: &mut Feeder, index: usize, label: String, message: Option<Vec<u8>>) -> bool {
    match message {
        Some(bytes) => feeder.message(index, label, bytes),
        None => feeder.skip(index, label, too_large()),
    }
}

/// Splits an mbox into its messages (`None` for one over [`MAX_MESSAGE_BYTES`]), calling `each` until
/// it returns false. A `From ` line starts a message at the top of the file or after a blank line (so
/// an unquoted "From " inside a paragraph does not split it); mboxrd quoting (`>From `) is undone.
pub fn split_mbox(mut reader: impl BufRead, mut each: impl FnMut(Option<Vec<u8>>) -> bool) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut too_large = false;
    let mut previous_blank = true;
    loop {
        line.clear();
        // Bounded: a file without newlines must not be read into one giant line.
        if reader.by_ref().take(64 * 1024).read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let separator = previous_blank && is_from_line(&line);
        previous_blank = line == b"\n" || line == b"\r\n";
        if separator {
            if let Some(message) = current.take()
                && !each((!too_large).then_some(message))
            {
                return Ok(());
            }
            current = Some(Vec::new());
            too_large = false;
            continue;
        }
        let Some(message) = current.as_mut() else { continue };
        if too_large {
            continue;
        }
        let content = if is_quoted_from(&line) { &line[1..] } else { &line[..] };
        if message.len() + content.len() > MAX_MESSAGE_BYTES {
            too_large = true;
            *message = Vec::new();
        } else {
            message.extend_from_slice(content);
        }
    }
    if let Some(message) = current {
        each((!too_large).then_some(message));
    }
    Ok(())
}

/// An mbox envelope line, `From sender date`: the date's 4-digit year tells it from a paragraph that
/// happens to start with "From ".
fn is_from_line(line: &[u8]) -> bool {
    line.starts_with(b"From ") && line.windows(4).any(|w| w.iter().all(u8::is_ascii_digit))
}

/// An mboxrd-quoted `>From ` line (any number of `>`), which stood for one with a `>` less.
fn is_quoted_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line.get(quotes..).is_some_and(|rest| rest.starts_with(b"From "))
}

/// Why these bytes are not a mail message, if they are not: a message starts with a header field
/// (`Name: value`). Binary files fail that test on their first bytes; NUL bytes further on do not
/// count against a message, since real phishing carries them.
pub fn not_a_message(bytes: &[u8]) -> Option<&'static str> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Some("empty, not a message");
    }
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let name_len = first_line.iter().position(|&b| !(b'!'..=b'~').contains(&b) || b == b':');
    match name_len {
        Some(n) if n > 0 && first_line.get(n) == Some(&b':') => None,
        _ => Some("does not start with a header field, not a message"),
    }
}

/// What copies of one lure share even when each went to someone else or through another mailing list:
/// the hosts its links go to (per-copy tokens in host names masked; paths and queries, which carry
/// tokens and list names, left out) and the subject without list tags, reply prefixes, digits or the
/// recipient's address. `None` when the message has neither links nor subject to compare.
pub fn lure_key(verdict: &Verdict) -> Option<String> {
    let facts = &verdict.facts;
    let hosts: BTreeSet<String> = facts.links.iter().filter_map(|l| host_shape(&l.url)).collect();
    let subject = subject_shape(facts.subject.as_deref().unwrap_or_default(), &facts.to);
    if hosts.is_empty() && subject.is_empty() {
        return None;
    }
    let hosts: Vec<String> = hosts.into_iter().collect();
    Some(format!("{subject}\n{}", hosts.join(" ")))
}

/// `[list] Re: Hello bob, 3 new messages` (to bob@…) → `hello@,#newmessages`.
fn subject_shape(subject: &str, recipients: &[String]) -> String {
    let mut subject = subject.to_lowercase();
    for to in recipients {
        let to = to.to_lowercase();
        subject = subject.replace(&to, "@");
        if let Some((local, _)) = to.split_once('@').filter(|(local, _)| local.chars().count() >= 3) {
            subject = subject.replace(local, "@");
        }
    }
    let mut rest = subject.trim_start();
    loop {
        if let Some((_, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            rest = after.trim_start();
        } else if let Some(after) =
            ["re:", "fw:", "fwd:", "aw:", "wg:", "tr:", "sv:"].iter().find_map(|p| rest.strip_prefix(p))
        {
            rest = after.trim_start();
        } else {
            break;
        }
    }
    // Without spaces: encoded-word boundaries put stray ones into Japanese subjects.
    rest.chars().filter(|c| !c.is_whitespace()).map(|c| if c.is_numeric() { '#' } else { c }).collect()
}

/// `https://u8f3kq91.Evil.example/login?u=me` → `*.evil.example`.
fn host_shape(url: &str) -> Option<String> {
    let host = crate::domain::url_host(url)?;
    let labels: Vec<&str> = host
        .split('.')
        .map(|label| {
            let token = label.len() >= 20 || (label.len() >= 6 && label.chars().any(|c| c.is_ascii_digit()));
            if token { "*" } else { label }
        })
        .collect();
    Some(labels.join("."))
}

/// Counts over a set of analyzed messages: levels, findings, sizes and per-message times.
#[derive(Debug, Default)]
pub struct Tally {
    pub messages: usize,
    pub bytes: u64,
    pub skipped: usize,
    /// Messages the engine panicked on.
    pub failed: usize,
    pub safe: usize,
    pub suspicious: usize,
    pub dangerous: usize,
    /// Messages with each finding that carried points.
    pub findings: HashMap<String, usize>,
    pub latencies: Vec<Duration>,
}

impl Tally {
    pub fn add(&mut self, record: &Record) {
        self.messages += 1;
        self.bytes += record.size as u64;
        match record.level {
            Level::Safe => self.safe += 1,
            Level::Suspicious => self.suspicious += 1,
            Level::Dangerous => self.dangerous += 1,
        }
        for finding in record.findings.iter().filter(|f| f.score > 0) {
            *self.findings.entry(finding.id.clone()).or_default() += 1;
        }
        self.latencies.push(record.elapsed);
    }

    pub fn flagged(&self) -> usize {
        self.suspicious + self.dangerous
    }

    /// `part` of the messages as a fraction (0 when there are none).
    pub fn share(&self, part: usize) -> f64 {
        if self.messages == 0 { 0.0 } else { part as f64 / self.messages as f64 }
    }

    /// The most frequent scored findings, most frequent first (ties by id, for stable output).
    pub fn top_findings(&self, n: usize) -> Vec<(&str, usize)> {
        let mut top: Vec<(&str, usize)> = self.findings.iter().map(|(id, c)| (id.as_str(), *c)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        top.truncate(n);
        top
    }

    pub fn mean_latency(&self) -> Duration {
        let total: Duration = self.latencies.iter().sum();
        total.checked_div(self.latencies.len() as u32).unwrap_or_default()
    }

    /// The per-message analysis time at percentile `p` (0–100), nearest rank.
    pub fn latency(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies.get(rank.saturating_sub(1)).copied().unwrap_or_default()
    }

    pub fn write_summary(&mut self, out: &mut impl Write, wall: Duration, jobs: usize, parse_only: bool) -> Result<()> {
        let secs = wall.as_secs_f64().max(1e-9);
        let mb = self.bytes as f64 / 1e6;
        let what = if parse_only { "parsed (parse only, no analysis)" } else { "analyzed" };
        writeln!(out, "\n{} messages {what}, {mb:.1} MB, in {secs:.2} s on {jobs} thread(s):", self.messages)?;
        writeln!(out, "  {:.0} messages/s, {:.1} MB/s", self.messages as f64 / secs, mb / secs)?;
        let (p50, p99, max) = (self.latency(50.0), self.latency(99.0), self.latency(100.0));
        writeln!(
            out,
            "  per message: mean {:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.1} ms",
            self.mean_latency().as_secs_f64() * 1e3,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        )?;
        if self.skipped > 0 {
            writeln!(out, "  {} input(s) skipped (reasons above)", self.skipped)?;
        }
        if self.failed > 0 {
            writeln!(out, "  {} message(s) not analyzed: the engine failed on them (a bug)", self.failed)?;
        }
        if parse_only {
            return Ok(());
        }
        writeln!(out, "\n  {:<12} {:>8} {:>7}", "level", "messages", "share")?;
        for (name, count) in [("dangerous", self.dangerous), ("suspicious", self.suspicious), ("safe", self.safe)] {
            writeln!(out, "  {name:<12} {count:>8} {:>6.1}%", 100.0 * self.share(count))?;
        }
        let top = self.top_findings(10);
        if !top.is_empty() {
            writeln!(out, "\n  {:<40} {:>8}", "most frequent findings", "messages")?;
            for (id, count) in top {
                writeln!(out, "  {id:<40} {count:>8}")?;
            }
        }
        Ok(())
    }
}

/// Flagged messages that are copies of one lure, with the addresses they were sent to.
#[derive(Debug, Default)]
pub struct LureGroups {
    groups: HashMap<String, LureGroup>,
}

#[derive(Debug, Default)]
struct LureGroup {
    /// Input position of the first copy, to list groups in a stable order.
    first_seen: usize,
    copies: usize,
    level: Option<Level>,
    subject: Option<String>,
    labels: Vec<String>,
    sent_to: BTreeSet<String>,
}

const LABELS_SHOWN: usize = 3;
const ADDRESSES_SHOWN: usize = 10;
const GROUPS_SHOWN: usize = 20;

impl LureGroups {
    pub fn add(&mut self, record: &Record) {
        let Some(key) = record.lure.clone().filter(|_| record.flagged()) else { return };
        let seen = self.groups.len();
        let group = self.groups.entry(key).or_insert_with(|| LureGroup { first_seen: seen, ..LureGroup::default() });
        group.copies += 1;
        group.level = group.level.max(Some(record.level));
        if group.subject.is_none() {
            group.subject = record.subject.clone();
        }
        if group.labels.len() < LABELS_SHOWN {
            group.labels.push(record.label.clone());
        }
        group.sent_to.extend(record.to.iter().map(|a| a.to_lowercase()));
    }

    pub fn write(&self, out: &mut impl Write) -> Result<()> {
        let mut groups: Vec<(&String, &LureGroup)> = self.groups.iter().filter(|(_, g)| g.copies > 1).collect();
        if groups.is_empty() {
            return Ok(());
        }
        groups.sort_by(|(_, a), (_, b)| b.copies.cmp(&a.copies).then(a.first_seen.cmp(&b.first_seen)));
        writeln!(out, "\n  same lure (same link hosts and subject), {} group(s):", groups.len())?;
        let hidden_groups = groups.len().saturating_sub(GROUPS_SHOWN);
        for (key, group) in groups.into_iter().take(GROUPS_SHOWN) {
            let level = group.level.map_or("", level_name);
            let subject = group.subject.as_deref().unwrap_or("(no subject)");
            writeln!(out, "  {} copies, {level}: {subject}", group.copies)?;
            let more = group.copies.saturating_sub(group.labels.len());
            let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
            writeln!(out, "    files: {}{more}", group.labels.join(", "))?;
            if let Some((_, hosts)) = key.split_once('\n').filter(|(_, hosts)| !hosts.is_empty()) {
                writeln!(out, "    links to: {}", hosts.replace(' ', ", "))?;
            }
            if !group.sent_to.is_empty() {
                let shown: Vec<&str> = group.sent_to.iter().take(ADDRESSES_SHOWN).map(String::as_str).collect();
                let hidden = group.sent_to.len() - shown.len();
                let hidden = if hidden > 0 { format!(" (+{hidden} more)") } else { String::new() };
                writeln!(out, "    sent to {} address(es): {}{hidden}", group.sent_to.len(), shown.join(", "))?;
            }
        }
        if hidden_groups > 0 {
            writeln!(out, "  … and {hidden_groups} smaller group(s)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages_of(mbox: &[u8]) -> Vec<Option<Vec<u8>>> {
        let mut found = Vec::new();
        split_mbox(mbox, |m| {
            found.push(m);
            true
        })
        .unwrap();
        found
    }

    #[test]
    fn mbox_splits_on_from_lines_after_blank_lines_and_unquotes() {
        let mbox = b"From a@x Mon Jan 1 00:00:00 2024\nSubject: one\n\nFrom here on, text.\n>From quoted\n\n\
                     From b@x Mon Jan 1 00:00:01 2024\nSubject: two\n\nbody\n";
        let found = messages_of(mbox);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].as_deref(),
            Some(&b"Subject: one\n\nFrom here on, text.\nFrom quoted\n\n"[..]),
            "a paragraph starting with From does not split; >From is unquoted"
        );
        assert_eq!(found[1].as_deref(), Some(&b"Subject: two\n\nbody\n"[..]));
    }

    #[test]
    fn not_a_message_accepts_headers_and_rejects_other_files() {
        assert_eq!(not_a_message(b"Return-Path: <a@b>\nSubject: x\n\nbody"), None);
        assert!(not_a_message(b"").is_some());
        assert!(not_a_message(b"\n \n").is_some());
        assert!(not_a_message(b"%PDF-1.4\n\0\0binary").is_some());
        assert!(not_a_message(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_some());
        assert_eq!(not_a_message(b"Subject: x\n\nbody with a \0 byte"), None);
        assert!(not_a_message(b"Attribution-NonCommercial 4.0 International\n").is_some());
        assert!(not_a_message(b": no name\n").is_some());
    }

    #[test]
    fn lure_shapes_drop_what_varies_per_copy() {
        assert_eq!(host_shape("https://u8f3kq91.Evil.example/a/b?u=me#x").as_deref(), Some("*.evil.example"));
        assert_eq!(host_shape("not a url"), None);
        let to = ["bob.smith@example.org".to_string()];
        assert_eq!(subject_shape("[Osst-users] RE: Fwd: Bob.Smith, 3 new  messages", &to), "@,#newmessages");
        assert_eq!(subject_shape("[other-list] 12 new messages", &to), "##newmessages");
        assert_eq!(subject_shape("[list] Re: 3 new", &to), "#new");
    }

    fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
        for (name, bytes) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }

    #[test]
    fn scan_reads_maildirs_and_mboxes_in_input_order_whatever_the_thread_count() {
        let root = std::env::temp_dir().join(format!("mekiki-scan-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mail = |subject: &str| format!("From: a@example.com\nTo: me@example.org\nSubject: {subject}\n\nhello\n");
        let mbox = format!("From x Mon Jan 1 2024\n{}\nFrom y Mon Jan 1 2024\n{}", mail("m1"), mail("m2"));
        write_tree(
            &root,
            &[
                ("box/cur/1", mail("cur").as_bytes()),
                ("box/new/2", mail("new").as_bytes()),
                ("box/tmp/3", mail("tmp").as_bytes()),
                ("box/dovecot-uidlist", b"3 V1 N4\n"),
                ("dir/a.eml", mail("a").as_bytes()),
                ("dir/b.mbox", mbox.as_bytes()),
                ("dir/c.bin", b"\0\0\0"),
                ("dir/d.eml", format!("From env Mon Jan 1 2024\n{}", mail("single")).as_bytes()),
            ],
        );
        let (files, problems) =
            discover(&[root.join("box"), root.join("dir"), root.join("missing"), PathBuf::from("/dev/null")]);
        assert_eq!(problems.len(), 2, "a missing path and a device are reported: {problems:?}");
        // Parse only: this tests the scan's reading and ordering, whatever state the checkers are in.
        let labels = |jobs: usize| {
            let mut seen = Vec::new();
            let opts = Options { jobs, parse_only: true, ..Options::default() };
            scan_files(&files, &opts, |o| {
                seen.push(match o {
                    Outcome::Analyzed(r) => (r.label, Some(r.size)),
                    Outcome::Skipped { label, .. } | Outcome::Failed { label, .. } => (label, None),
                })
            });
            seen
        };
        let one = labels(1);
        let rel: Vec<(String, Option<usize>)> =
            one.iter().map(|(l, s)| (l.strip_prefix(root.to_str().unwrap()).unwrap().to_string(), *s)).collect();
        let expect = |l: &str, size: Option<usize>| (l.to_string(), size);
        let size = |subject: &str| Some(mail(subject).len());
        assert_eq!(
            rel,
            vec![
                expect("/box/cur/1", size("cur")),
                expect("/box/new/2", size("new")),
                expect("/dir/a.eml", size("a")),
                // The blank line before the next From line belongs to the mbox format, kept with #1.
                expect("/dir/b.mbox#1", size("m1").map(|n| n + 1)),
                expect("/dir/b.mbox#2", size("m2")),
                expect("/dir/c.bin", None),
                expect("/dir/d.eml", size("single")),
            ]
        );
        assert_eq!(labels(3), one);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn tally_percentiles_use_nearest_rank() {
        let mut tally = Tally { latencies: (1..=100).map(Duration::from_millis).collect(), ..Tally::default() };
        assert_eq!(tally.latency(50.0), Duration::from_millis(50));
        assert_eq!(tally.latency(99.0), Duration::from_millis(99));
        assert_eq!(tally.latency(100.0), Duration::from_millis(100));
        assert_eq!(tally.mean_latency(), Duration::from_micros(50_500));
    }
}
