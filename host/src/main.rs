//! The `mekiki` executable: Thunderbird's native-messaging host when Thunderbird starts it, and a CLI
//! otherwise. Exit codes: 0 safe (or success), 1 flagged (or a failed doctor check), 2 error.

use std::ffi::OsString;
use std::io::{self, IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

use mekiki::model::{Context, Level};
use mekiki::{install, native, protocol, report};

const EXIT_CODES: &str = "Exit codes: 0 safe / success, 1 flagged (suspicious or dangerous) / a doctor check failed, \
                          2 error.\nStarted by Thunderbird (argv: path of the host manifest, extension id) it \
                          serves native-messaging requests on stdin/stdout; see PROTOCOL.md.";

#[derive(Parser)]
#[command(name = "mekiki", version, about = "Offline phishing analysis for Thunderbird", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze one message: a readable report, or the verdict as JSON.
    Analyze(AnalyzeArgs),
    /// Register this executable as Thunderbird's native-messaging host.
    Install(install::InstallArgs),
    /// Remove the registration.
    Uninstall(install::UninstallArgs),
    /// Check the registration: manifest, executable, hello, extension id.
    Doctor(install::DoctorArgs),
    /// Analyze many messages (files, directories, mbox, Maildir) in parallel.
    Scan(mekiki::scan::ScanArgs),
    /// Detection and false-positive rates over a labelled corpus.
    Eval(mekiki::eval::EvalArgs),
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// Print the verdict as JSON (the object the extension receives, with no list cut) instead of the report.
    #[arg(long)]
    json: bool,
    /// Language of the verdict's texts.
    #[arg(long, default_value = "en", value_parser = ["en", "ja"])]
    lang: String,
    /// One of your own addresses (repeatable), e.g. to recognize mail forged "from" you.
    #[arg(long = "identity", value_name = "ADDR")]
    identities: Vec<String>,
    /// The raw message (.eml); `-` reads standard input.
    file: PathBuf,
}

fn main() -> ExitCode {
    // A panic is a bug; the hook has printed it. It still exits with the documented error code.
    match std::panic::catch_unwind(run) {
        Ok(Ok(code)) => code,
        // `mekiki eval … | head`: the reader has all it wanted; that is not an error.
        Ok(Err(err)) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            eprintln!("mekiki: {err:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

fn run() -> Result<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if started_by_thunderbird(&args, io::stdin().is_terminal()) {
        return serve_native();
    }
    match Cli::parse_from(args).command {
        Command::Analyze(args) => analyze(&args),
        Command::Install(args) => install::install(&args),
        Command::Uninstall(args) => install::uninstall(&args),
        Command::Doctor(args) => install::doctor(&args),
        Command::Scan(args) => mekiki::scan::run(&args),
        Command::Eval(args) => mekiki::eval::run(&args),
    }
}

/// Thunderbird starts the host with the manifest's path and the extension id (on Windows also
/// `--parent-window=…`). A bare `mekiki` with a pipe on stdin is served too, for one-shot tools.
fn started_by_thunderbird(args: &[OsString], stdin_is_terminal: bool) -> bool {
    match args.get(1).and_then(|a| a.to_str()) {
        Some(first) => {
            let lower = first.to_ascii_lowercase();
            lower.ends_with(".json") || lower.starts_with("--parent-window=")
        }
        None => args.len() == 1 && !stdin_is_terminal,
    }
}

fn serve_native() -> Result<ExitCode> {
    let mut input = io::stdin().lock();
    // Only frames ever go to stdout; diagnostics go to stderr.
    let mut output = io::BufWriter::new(io::stdout().lock());
    let end = native::serve(&mut input, &mut output, protocol::MAX_REQUEST_BYTES, mekiki::analyze)
        .context("native messaging failed")?;
    Ok(match end {
        native::End::Closed => ExitCode::SUCCESS,
        native::End::Truncated => ExitCode::from(2),
    })
}

fn analyze(args: &AnalyzeArgs) -> Result<ExitCode> {
    let raw = if args.file.as_os_str() == "-" {
        let mut raw = Vec::new();
        io::stdin().lock().read_to_end(&mut raw).context("cannot read standard input")?;
        raw
    } else {
        std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let ctx = Context { identities: args.identities.clone(), locale: Some(args.lang.clone()), ..Context::default() };
    let verdict = mekiki::analyze(&raw, &ctx);
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &verdict)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report::render(&verdict))?;
    }
    Ok(if verdict.level == Level::Safe { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn recognizes_how_thunderbird_starts_the_host() {
        let linux = argv(&["mekiki", "/home/u/.mozilla/native-messaging-hosts/mekiki.json", "mekiki@mekiki.app"]);
        assert!(started_by_thunderbird(&linux, false));
        let windows = argv(&["mekiki.exe", r"C:\Users\u\AppData\Roaming\Mekiki\MEKIKI.JSON", "mekiki@mekiki.app"]);
        assert!(started_by_thunderbird(&windows, false));
        assert!(started_by_thunderbird(&argv(&["mekiki.exe", "--parent-window=1234"]), false));
        assert!(started_by_thunderbird(&argv(&["mekiki"]), false));
    }

    #[test]
    fn leaves_the_cli_alone() {
        assert!(!started_by_thunderbird(&argv(&["mekiki"]), true));
        assert!(!started_by_thunderbird(&argv(&["mekiki", "analyze", "x.eml"]), false));
        assert!(!started_by_thunderbird(&argv(&["mekiki", "doctor"]), false));
        assert!(!started_by_thunderbird(&argv(&["mekiki", "--help"]), false));
    }
}
