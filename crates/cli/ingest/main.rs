//! `ingest`: reads articles from files and folders, extracts their sections
//! and writes them to the section index (or, with `--dry-run --json`, prints
//! them as JSON Lines; with `--check`, lists what is stale). The work happens
//! in `rubric-extract` and `rubric-index`; this binary parses arguments,
//! walks sources, runs the pipeline, shows progress and reports.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use rubric_extract::Article;
use rubric_index::{IndexError, IndexWriter, Manifest};

use incremental::{Change, Sync};

#[path = "../common.rs"]
mod common;
mod incremental;
mod pipeline;
mod sources;
mod web;

/// Reads articles (plain text, Markdown, HTML, JSON Lines) from files and
/// folders, finds their sections and indexes one document per section.
#[derive(Debug, Parser)]
#[command(name = "ingest", version, about)]
struct Args {
    /// Files or folders to read (folders are walked recursively), or http(s)
    /// URLs of pages [default: corpus]
    sources: Vec<PathBuf>,
    /// Index folder to write.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Extract only: write no index.
    #[arg(long, conflicts_with_all = ["check", "prune", "rebuild"])]
    dry_run: bool,
    /// Write nothing; list what is stale (added, changed, removed) and exit
    /// 1 when the index does not match the sources, 0 when it does.
    #[arg(long, conflicts_with_all = ["prune", "rebuild"])]
    check: bool,
    /// Delete the articles that came from the given roots but whose files
    /// are gone.
    #[arg(long)]
    prune: bool,
    /// Start from an empty index: everything not read in this run is gone.
    #[arg(long)]
    rebuild: bool,
    /// Machine-readable output on stdout: with --dry-run, one JSON object per
    /// article (JSON Lines); otherwise the closing summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Parallel work: extraction threads for files [default: the number of
    /// cores] and requests in flight for web pages [default: 8].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(16..=4096))]
    heap_mb: u32,
    /// Files larger than this many MB are refused with an error.
    #[arg(long, default_value_t = 256)]
    max_file_mb: u64,
    #[command(flatten)]
    web: web::WebArgs,
    #[command(flatten)]
    verbosity: common::Verbosity,
}

/// What happened to the articles of a run, for the closing summary.
#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    /// Articles extracted in this run (files skipped unread not counted).
    articles: usize,
    /// Their sections.
    sections: usize,
    added: usize,
    updated: usize,
    unchanged: usize,
    pruned: usize,
    /// Files of no known format, and articles with no text to index.
    skipped: usize,
    /// Sources (files or records) that could not be read or extracted.
    failed: usize,
    seconds: f64,
    /// Web sources: fetched, not modified, skipped, failed by reason.
    #[serde(skip_serializing_if = "web::WebSummary::is_empty")]
    web: web::WebSummary,
}

fn main() -> ExitCode {
    let args = Args::parse();
    args.verbosity.init_logging();
    common::report("ingest", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (paths, urls) = web::split_sources(&args.sources);
    let mut web_plan = web::Plan::new(urls, &args.web);
    let roots = if args.sources.is_empty() && web_plan.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        paths
    };
    // Walk the sources while the index opens: both take a while on a big corpus.
    let (found, writer) = std::thread::scope(|scope| {
        let walking = scope.spawn(|| sources::find(&roots));
        let writer = if args.dry_run || args.check {
            Ok(None)
        } else {
            open_writer(&args).map(Some)
        };
        (walking.join(), writer)
    });
    let mut found = found.map_err(|_| anyhow::anyhow!("walking the sources failed"))?;
    let mut writer = writer?;
    tracing::debug!(
        "found {} files, opened the index at {:?}",
        found.files.len(),
        started.elapsed()
    );
    web_plan.add_url_lists(&mut found.skipped);
    let mut summary = Summary {
        skipped: found.skipped.len(),
        ..Summary::default()
    };
    for path in &found.skipped {
        tracing::info!("{}: skipped (not a known article format)", path.display());
    }
    for err in &found.errors {
        print_source_error(err);
        summary.failed += 1;
    }

    let old = match &writer {
        Some(_) => Manifest::default(),
        None if args.check => match Manifest::load(&args.index) {
            Ok(manifest) => manifest,
            Err(IndexError::Missing(_)) => Manifest::default(),
            Err(e) => return Err(e).context("reading the index manifest"),
        },
        None => Manifest::default(),
    };
    tracing::debug!("index opened, manifest read at {:?}", started.elapsed());
    let mut sync = Sync::new(writer.as_ref(), old);
    let to_read = if args.dry_run {
        found
            .files
            .into_iter()
            .map(|file| incremental::ToRead {
                stamp: Default::default(),
                file,
            })
            .collect()
    } else {
        sync.plan(writer.as_ref(), found.files)
    };

    tracing::debug!(
        "{} files to read (the others unchanged) at {:?}",
        to_read.len(),
        started.elapsed()
    );
    let progress = progress_bar(to_read.len() as u64, &args);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut fatal: Option<anyhow::Error> = None;
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let limits = pipeline::Limits {
        max_file_bytes: args.max_file_mb.saturating_mul(1_000_000),
    };

    pipeline::run(&to_read, jobs, limits, |read, outcome| {
        progress.inc(1);
        if fatal.is_some() {
            return;
        }
        let mut ids = Vec::new();
        let mut complete = true;
        let articles = match outcome {
            Ok(articles) => articles,
            Err(err) => {
                progress.suspend(|| print_source_error(&err));
                summary.failed += 1;
                complete = false;
                Vec::new()
            }
        };
        for result in articles {
            let article = match result {
                Ok(article) => article,
                // A page with nothing to index (a table of contents, a
                // title alone) is passed over, not a failure.
                Err(err @ rubric_extract::ExtractError::Empty { .. }) => {
                    tracing::info!("{err}: skipped");
                    summary.skipped += 1;
                    continue;
                }
                Err(err) => {
                    progress.suspend(|| print_source_error(&anyhow::Error::new(err)));
                    summary.failed += 1;
                    complete = false;
                    continue;
                }
            };
            if let Some(previous) = seen.insert(article.id.clone(), article.source.clone()) {
                tracing::warn!(
                    "article id {:?} comes from both {previous} and {}: the last one wins",
                    article.id,
                    article.source
                );
            }
            summary.articles += 1;
            summary.sections += article.sections.len();
            let step = if args.dry_run {
                emit_json(&mut out, &article, args.json)
            } else {
                sync.article(writer.as_mut(), &article)
                    .map(drop)
                    .map_err(anyhow::Error::from)
            };
            if let Err(err) = step {
                fatal = Some(err.context(format!("{}: {}", read.file.path.display(), article.id)));
                return;
            }
            ids.push(article.id);
        }
        if !args.dry_run
            && let Err(err) = sync.file_done(writer.as_mut(), read, ids, complete)
        {
            fatal = Some(anyhow::Error::from(err));
        }
    });
    progress.finish_and_clear();
    if let Some(err) = fatal {
        return Err(err);
    }
    if !web_plan.is_empty() {
        let cx = web::Context {
            args: &args,
            writer: writer.as_mut(),
            sync: &mut sync,
            summary: &mut summary,
            seen: &mut seen,
            out: &mut out,
        };
        web::run(web_plan, cx)?;
    }

    if args.prune || args.check {
        sync.prune(writer.as_mut(), &roots)?;
    }
    if let Some(mut writer) = writer {
        sync.finish(&mut writer);
        if sync.dirty {
            writer
                .commit()
                .with_context(|| format!("committing the index at {}", args.index.display()))?;
        }
    }
    let tally = &sync.tally;
    summary.added = tally.added;
    summary.updated = tally.updated;
    summary.unchanged = tally.unchanged;
    summary.pruned = tally.removed;
    summary.seconds = started.elapsed().as_secs_f64();

    if args.check {
        return report_check(&mut out, &sync, &summary, &args);
    }
    print_summary(&mut out, &summary, &args)?;
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Opens the index for writing: empty with `--rebuild`, and rebuilt without
/// being asked when it was written by another schema version.
fn open_writer(args: &Args) -> anyhow::Result<IndexWriter> {
    let heap = args.heap_mb as usize * 1_000_000;
    let dir: &Path = &args.index;
    let opened = if args.rebuild {
        IndexWriter::rebuild(dir, heap)
    } else {
        match IndexWriter::open(dir, heap) {
            Err(IndexError::Version {
                found, expected, ..
            }) => {
                eprintln!(
                    "ingest: the index at {} has schema version {found}, this build writes {expected}: rebuilding it",
                    dir.display()
                );
                IndexWriter::rebuild(dir, heap)
            }
            other => other,
        }
    };
    opened.with_context(|| format!("cannot open the index at {} for writing", dir.display()))
}

/// `--check`: lists what is stale, one `change<TAB>id<TAB>source` line each
/// (or the summary as JSON with the list), and exits 1 when anything is.
fn report_check(
    out: &mut impl Write,
    sync: &Sync,
    summary: &Summary,
    args: &Args,
) -> anyhow::Result<ExitCode> {
    let stale = &sync.tally.stale;
    if args.json {
        let list: Vec<_> = stale
            .iter()
            .map(|(change, id, source)| {
                serde_json::json!({"change": change.word(), "id": id, "source": source})
            })
            .collect();
        let mut obj = serde_json::to_value(summary)?;
        obj["stale"] = serde_json::Value::from(list);
        obj["current"] = serde_json::Value::from(stale.is_empty() && summary.failed == 0);
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    } else {
        for (change, id, source) in stale {
            writeln!(out, "{}\t{id}\t{source}", change.word())?;
        }
    }
    out.flush()?;
    if !args.verbosity.quiet {
        let count = |c: Change| stale.iter().filter(|(k, _, _)| *k == c).count();
        let verdict = if sync.tally.is_current() && summary.failed == 0 {
            "the index is up to date"
        } else {
            "the index is stale"
        };
        eprintln!(
            "ingest --check: {verdict}: {} added, {} changed, {} removed, {} unchanged; {} failed",
            count(Change::Added),
            count(Change::Updated),
            count(Change::Removed),
            summary.unchanged,
            summary.failed
        );
    }
    Ok(if sync.tally.is_current() && summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn emit_json(out: &mut impl Write, article: &Article, json: bool) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, article)?;
        out.write_all(b"\n")?;
    } else {
        let headings = article
            .sections
            .iter()
            .filter(|s| s.heading.is_some())
            .count();
        writeln!(
            out,
            "{}\t{}\t{} sections, {} headings",
            article.id,
            article.title,
            article.sections.len(),
            headings
        )?;
    }
    Ok(())
}

fn print_source_error(err: &anyhow::Error) {
    eprintln!("ingest: error: {err:#}");
}

fn print_summary(out: &mut impl Write, s: &Summary, args: &Args) -> anyhow::Result<()> {
    if args.json && !args.dry_run {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")?;
        out.flush()?;
        return Ok(());
    }
    out.flush()?;
    if args.verbosity.quiet {
        return Ok(());
    }
    let what = if args.dry_run {
        "extracted (dry run, nothing written)".to_string()
    } else {
        format!(
            "{} added, {} updated, {} unchanged, {} pruned",
            s.added, s.updated, s.unchanged, s.pruned
        )
    };
    eprintln!(
        "ingest: {} read, {}: {what}; {} skipped, {} failed; {:.2} s",
        count(s.articles, "article"),
        count(s.sections, "section"),
        s.skipped,
        s.failed,
        s.seconds
    );
    s.web.print();
    Ok(())
}

/// `1 article`, `2 articles`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn progress_bar(len: u64, args: &Args) -> indicatif::ProgressBar {
    if args.verbosity.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} files {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}
