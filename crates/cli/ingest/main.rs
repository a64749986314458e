//! `ingest`: reads articles from files and folders, extracts their sections
//! and writes them to the section index (or, with `--dry-run --json`, prints
//! them as JSON Lines). The work happens in `rubric-extract` and
//! `rubric-index`; this binary parses arguments, walks sources, runs the
//! pipeline, shows progress and reports.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use rubric_extract::Article;
use rubric_index::IndexWriter;

#[path = "../common.rs"]
mod common;
mod pipeline;
mod sources;

/// Reads articles (plain text, Markdown, HTML, JSON Lines) from files and
/// folders, finds their sections and indexes one document per section.
#[derive(Debug, Parser)]
#[command(name = "ingest", version, about)]
struct Args {
    /// Files or folders to read (folders are walked recursively) [default: corpus]
    sources: Vec<PathBuf>,
    /// Index folder to write.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Extract only: write no index.
    #[arg(long)]
    dry_run: bool,
    /// Machine-readable output on stdout: with --dry-run, one JSON object per
    /// article (JSON Lines); otherwise the closing summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Extraction threads [default: the number of cores].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(16..=4096))]
    heap_mb: u32,
    /// Files larger than this many MB are refused with an error.
    #[arg(long, default_value_t = 256)]
    max_file_mb: u64,
    #[command(flatten)]
    verbosity: common::Verbosity,
}

/// What happened to the articles of a run, for the closing summary.
#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    articles: usize,
    sections: usize,
    added: usize,
    updated: usize,
    unchanged: usize,
    skipped: usize,
    failed: usize,
    seconds: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    args.verbosity.init_logging();
    common::report("ingest", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let roots = if args.sources.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        args.sources.clone()
    };
    let found = sources::find(&roots);
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

    let mut writer = if args.dry_run {
        None
    } else {
        let heap = args.heap_mb as usize * 1_000_000;
        Some(IndexWriter::open(&args.index, heap).with_context(|| {
            format!(
                "cannot open the index at {} for writing",
                args.index.display()
            )
        })?)
    };
    let known: HashMap<String, String> = match &writer {
        Some(w) => w.article_hashes().context("reading the index")?,
        None => HashMap::new(),
    };

    let progress = progress_bar(found.files.len() as u64, &args);
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

    pipeline::run(&found.files, jobs, limits, |file, outcome| {
        progress.inc(1);
        if fatal.is_some() {
            return;
        }
        let articles = match outcome {
            Ok(articles) => articles,
            Err(err) => {
                progress.suspend(|| print_source_error(&err));
                summary.failed += 1;
                return;
            }
        };
        for result in articles {
            let article = match result {
                Ok(article) => article,
                Err(err) => {
                    progress.suspend(|| print_source_error(&anyhow::Error::new(err)));
                    summary.failed += 1;
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
            let step = match writer.as_mut() {
                None => emit_json(&mut out, &article, args.json),
                Some(w) => index_article(w, &known, &article, &mut summary),
            };
            if let Err(err) = step {
                fatal = Some(err.context(format!("{}: {}", file.path.display(), article.id)));
                return;
            }
        }
    });
    progress.finish_and_clear();
    if let Some(err) = fatal {
        return Err(err);
    }

    if let Some(writer) = writer
        && summary.added + summary.updated > 0
    {
        writer
            .commit()
            .with_context(|| format!("committing the index at {}", args.index.display()))?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    print_summary(&mut out, &summary, &args)?;
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes or replaces one article unless the index already holds this version.
fn index_article(
    writer: &mut IndexWriter,
    known: &HashMap<String, String>,
    article: &Article,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    match known.get(&article.id) {
        Some(hash) if *hash == article.hash => {
            summary.unchanged += 1;
            return Ok(());
        }
        Some(_) => summary.updated += 1,
        None => summary.added += 1,
    }
    writer.upsert(article)?;
    Ok(())
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
            "{} added, {} updated, {} unchanged",
            s.added, s.updated, s.unchanged
        )
    };
    eprintln!(
        "ingest: {}, {}: {what}; {} skipped, {} failed; {:.2} s",
        count(s.articles, "article"),
        count(s.sections, "section"),
        s.skipped,
        s.failed,
        s.seconds
    );
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
