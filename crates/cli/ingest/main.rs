//! `ingest`: reads articles from files, folders and URLs, extracts their
//! sections and writes them to the section index (or, with `--dry-run
//! --json`, prints them as JSON Lines; with `--check`, lists what is stale).
//!
//! The binary reads `rubric.toml` (`config`), parses and checks the flags
//! (`args`, which win over the file), runs the pipeline of
//! `rubric-ingest` with a reporter that draws progress and prints failures
//! (`progress`), and prints how it ended (`output`). Exit status: 0 all
//! good, 1 some sources failed (or, with `--check`, the index is stale),
//! 2 an error that stopped the run.

mod args;
#[path = "../common.rs"]
mod common;
// Each binary reads the keys it needs (`[serve]` is search's, the rest ingest's).
#[allow(dead_code)]
#[path = "../config.rs"]
mod config;
mod output;
mod progress;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use clap::Parser;
use rubric_index::{Catalog, IndexError};
use rubric_ingest::{Embedder, IngestError, Opened, RemoteTarget, Semantic, Target};
use rubric_remote::{Endpoint, Engine, SinkOptions};

use args::{Args, Mode};

fn main() -> ExitCode {
    let args = Args::parse();
    args.verbosity
        .init_logging(&["html5ever", "markup5ever", "selectors", "cssparser"]);
    common::report("ingest", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(engine) = &args.sink.config {
        return sink_config(engine);
    }
    let loaded = config::Loaded::load(args.config.as_deref())?;
    let options = args.options(&loaded)?;
    let mode = args.mode();
    // Nothing to read at all: say so, and leave no empty index behind.
    if options.web.is_empty() && !options.roots.iter().any(|r| r.exists()) {
        let missing: Vec<String> = options
            .roots
            .iter()
            .map(|r| r.display().to_string())
            .collect();
        anyhow::bail!(
            "nothing to ingest: {} not found (give files, folders or URLs, or `sources` in {})",
            missing.join(", "),
            config::FILE
        );
    }
    let quiet = args.verbosity.quiet;
    let stdout = std::io::stdout();
    // A run that meets the first article of a language the index has no
    // fields for stops, changing nothing; the fields are added (every
    // section copied once, `rubric_index::add_language`) and the run starts
    // again, reading only what is still to read. At most once per analysis.
    let semantic = args.semantic(&loaded)?;
    let mut added = Vec::new();
    let (mut out, failures, outcome) = loop {
        let mut reporter = progress::Terminal::new(stdout.lock(), args.json, quiet);
        let outcome = rubric_ingest::run(
            &options,
            || open(&args, &options, mode, &semantic),
            &mut reporter,
        );
        let (out, failures) = reporter.finish();
        if let Err(IngestError::Index(IndexError::NewLanguage { language, .. })) = &outcome
            && !added.contains(language)
        {
            let dir = &options.index_dir;
            let sections = rubric_index::add_language(dir, language)?;
            if !quiet {
                eprintln!(
                    "ingest: the first article in {language:?}: added its fields to the index at {} ({sections} sections copied), reading again",
                    dir.display()
                );
            }
            added.push(language.clone());
            continue;
        }
        break (out, failures, outcome);
    };
    let outcome = outcome?;
    if mode == Mode::Check {
        output::check(&mut out, &outcome, &failures, args.json, quiet)?;
        return Ok(exit(outcome.is_current()));
    }
    let dry_run = mode == Mode::DryRun;
    output::summary(&mut out, &outcome.summary, dry_run, args.json, quiet)?;
    Ok(exit(outcome.summary.failed == 0))
}

/// Where the articles go: the index opened for writing (rebuilt, with a
/// notice, when it was written by another schema version and this run
/// reads every source it holds), the remote engine of `--sink`, the
/// catalog of its last commit for `--check`, or nowhere for `--dry-run`.
fn open(
    args: &Args,
    options: &rubric_ingest::Options,
    mode: Mode,
    (semantic, tokens): &(Semantic, Option<usize>),
) -> Result<Target, IngestError> {
    let dir = &options.index_dir;
    if let Some(export) = &args.sink.export {
        return open_export(export);
    }
    if let Some(url) = &args.sink.url {
        return open_sink(args, dir, url, mode);
    }
    match mode {
        Mode::DryRun => Ok(Target::DryRun),
        // No index is not an empty one: `--check` says there is none.
        Mode::Check => Ok(Target::Check(Catalog::load(dir)?)),
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
            let mut writer = Box::new(writer);
            let embedder = Embedder::prepare(&mut writer, dir, semantic, *tokens)?;
            Ok(Target::Index(writer, embedder.map(Box::new)))
        }
    }
}

/// `--sink URL`: the remote index opened for sending, or the catalog of
/// what was sent to it for `--check`.
fn open_sink(
    args: &Args,
    dir: &std::path::Path,
    url: &str,
    mode: Mode,
) -> Result<Target, IngestError> {
    let endpoint: Endpoint = url.parse()?;
    untested_engine(&endpoint);
    match mode {
        Mode::DryRun => Ok(Target::DryRun),
        Mode::Check => Ok(Target::Check(rubric_ingest::sink_catalog(dir, &endpoint)?)),
        Mode::Write { rebuild } => {
            let mut options = SinkOptions::new(PathBuf::new());
            options.batch_bytes = args.sink.batch_mb as usize * 1_000_000;
            options.http.retries = args.sink.retries;
            let (target, opened) = RemoteTarget::open(dir, &endpoint, options, rebuild)?;
            if opened.created {
                eprintln!("ingest: created the index {endpoint}");
            }
            if opened.forgotten > 0 {
                eprintln!(
                    "ingest: {endpoint} was new but {} records {} articles sent to it: sending them again",
                    rubric_ingest::sink_dir(dir, &endpoint).display(),
                    opened.forgotten
                );
            }
            if opened.recovered > 0 {
                eprintln!(
                    "ingest: an earlier run to {endpoint} did not finish: deleted the sections of its {} articles, which are sent again",
                    opened.recovered
                );
            }
            Ok(Target::Remote(Box::new(target)))
        }
    }
}

/// `--export FORMAT FILE`: the file the documents go to.
fn open_export(export: &[String]) -> Result<Target, IngestError> {
    let [format, file] = export else {
        return Err(IngestError::Options("--export takes FORMAT FILE".into()));
    };
    let format = rubric_remote::ExportFormat::named(format).ok_or_else(|| {
        IngestError::Options(format!(
            "--export: unknown format {format:?} (ndjson or bulk)"
        ))
    })?;
    let export = rubric_remote::Export::create(std::path::Path::new(file), format)?;
    Ok(Target::Export(Box::new(export)))
}

/// Says that the Elasticsearch / OpenSearch sink was written from their
/// documentation and never run against either engine.
fn untested_engine(endpoint: &Endpoint) {
    if endpoint.engine != Engine::Quickwit {
        eprintln!(
            "ingest: note: the {} sink follows its documented API but has not been tested against a real {}",
            endpoint.engine, endpoint.engine
        );
    }
}

/// `--sink-config ENGINE`: the index definition, as JSON on stdout.
fn sink_config(engine: &str) -> anyhow::Result<ExitCode> {
    let engine = Engine::named(engine).context("unknown engine")?;
    let config = rubric_remote::config::index_definition(engine, "rubric");
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &config)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// 0 when all went well, 1 when not.
fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
