//! `ingest`: reads articles from files, folders and URLs, extracts their
//! sections and writes them to the section index (or, with `--dry-run
//! --json`, prints them as JSON Lines; with `--check`, lists what is stale).
//!
//! The binary parses and checks the flags (`args`), runs the pipeline of
//! `rubric-ingest` with a reporter that draws progress and prints failures
//! (`progress`), and prints how it ended (`output`). Exit status: 0 all
//! good, 1 some sources failed (or, with `--check`, the index is stale),
//! 2 an error that stopped the run.

mod args;
#[path = "../common.rs"]
mod common;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use rubric_index::{Catalog, IndexError};
use rubric_ingest::{IngestError, Opened, Target};

use args::{Args, Mode};

fn main() -> ExitCode {
    let args = Args::parse();
    args.verbosity
        .init_logging(&["html5ever", "markup5ever", "selectors", "cssparser"]);
    common::report("ingest", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    let mode = args.mode();
    let quiet = args.verbosity.quiet;
    let stdout = std::io::stdout();
    let mut reporter = progress::Terminal::new(stdout.lock(), args.json, quiet);
    let outcome = rubric_ingest::run(&options, || open(&args, &options, mode), &mut reporter);
    let mut out = reporter.finish();
    let outcome = outcome?;
    if mode == Mode::Check {
        output::check(&mut out, &outcome, args.json, quiet)?;
        return Ok(exit(outcome.is_current()));
    }
    let dry_run = mode == Mode::DryRun;
    output::summary(&mut out, &outcome.summary, dry_run, args.json, quiet)?;
    Ok(exit(outcome.summary.failed == 0))
}

/// Where the articles go: the index opened for writing (rebuilt, with a
/// notice, when it was written by another schema version and this run
/// reads every source it holds), the catalog of its last commit for
/// `--check`, or nowhere for `--dry-run`.
fn open(args: &Args, options: &rubric_ingest::Options, mode: Mode) -> Result<Target, IngestError> {
    let dir = &args.index;
    match mode {
        Mode::DryRun => Ok(Target::DryRun),
        Mode::Check => match Catalog::load(dir) {
            Ok(catalog) => Ok(Target::Check(catalog)),
            Err(IndexError::Missing(_)) => Ok(Target::Check(Catalog::default())),
            Err(e) => Err(e.into()),
        },
        Mode::Write { rebuild } => {
            let heap = args.heap_mb as usize * 1_000_000;
            let web = !options.web.is_empty();
            let (writer, opened) =
                rubric_ingest::open_index(dir, heap, rebuild, &options.roots, web)?;
            if let Opened::Rebuilt { found, expected } = opened {
                eprintln!(
                    "ingest: the index at {} has schema version {found}, this build writes {expected}: rebuilding it",
                    dir.display()
                );
            }
            Ok(Target::Index(Box::new(writer)))
        }
    }
}

/// 0 when all went well, 1 when not.
fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
