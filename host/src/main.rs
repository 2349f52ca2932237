//! The `mekiki` executable: CLI and Thunderbird native-messaging host. (Being built: issue 2.)

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "mekiki", version, about = "Offline phishing analysis for Thunderbird")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze one message.
    Analyze {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "en")]
        lang: String,
    },
    Scan(mekiki::scan::ScanArgs),
    Eval(mekiki::eval::EvalArgs),
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("mekiki: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Analyze { file, json: _, lang } => {
            let raw = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let ctx = mekiki::model::Context { identities: vec![], locale: Some(lang) };
            let verdict = mekiki::analyze(&raw, &ctx);
            println!("{}", serde_json::to_string_pretty(&verdict)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan(args) => mekiki::scan::run(&args),
        Command::Eval(args) => mekiki::eval::run(&args),
    }
}
