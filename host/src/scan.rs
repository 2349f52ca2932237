//! `mekiki scan`: analyze files, directories, mbox files and Maildir folders in parallel.
//! (Being built: issue 4.)

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files, directories (recursive), mbox files or Maildir folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// One JSON object per message on stdout.
    #[arg(long)]
    pub jsonl: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let _ = args;
    bail!("scan is not built yet")
}
