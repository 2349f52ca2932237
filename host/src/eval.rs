//! `mekiki eval`: detection and false-positive rates per source over a labelled tree
//! (`phish/<source>/…`, `ham/<source>/…`). (Being built: issue 4.)

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Root of the labelled tree, laid out like shared/corpus.
    pub root: PathBuf,
}

pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let _ = args;
    bail!("eval is not built yet")
}
