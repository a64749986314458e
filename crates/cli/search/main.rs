//! `search`: the small query binary. It opens the section index, answers one
//! query (or a file of `qid<TAB>query` lines) and prints the matching
//! sections as text or JSON. It links `rubric-index` only: no HTML parser and
//! no HTTP client, so it starts fast.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use rubric_index::{IndexReader, Query, Results};

#[path = "../common.rs"]
mod common;
mod render;

/// Searches the section index and prints the best sections first.
#[derive(Debug, Parser)]
#[command(name = "search", version, about)]
struct Args {
    /// The query: words, "phrases", field:value (title, heading, path, text).
    #[arg(required_unless_present = "queries")]
    query: Vec<String>,
    /// Index folder to read.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// How many sections to return.
    #[arg(long, short = 'n', default_value_t = 10)]
    limit: usize,
    /// Print JSON (one object per query) instead of text.
    #[arg(long)]
    json: bool,
    /// Answer each `qid<TAB>query` line of FILE (`-` for stdin), one result per line.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    queries: Option<PathBuf>,
    #[command(flatten)]
    verbosity: common::Verbosity,
}

fn main() -> ExitCode {
    let args = Args::parse();
    args.verbosity.init_logging();
    common::report("search", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let reader = IndexReader::open(&args.index)
        .with_context(|| format!("cannot open the index at {}", args.index.display()))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let found_any = match &args.queries {
        Some(file) => run_batch(&reader, file, &args, &mut out)?,
        None => {
            let text = args.query.join(" ");
            let started = Instant::now();
            let results = reader.search(&query(&text, &args))?;
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            if args.json {
                render::json(&mut out, &text, None, &results, took_ms)?;
            } else {
                render::text(&mut out, &results, render::stdout_color())?;
            }
            !results.hits.is_empty()
        }
    };
    out.flush()?;
    Ok(if found_any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn query<'a>(text: &'a str, args: &Args) -> Query<'a> {
    Query {
        text,
        limit: args.limit,
    }
}

/// Answers every `qid<TAB>query` line; a query that fails is reported on
/// stderr and answered with no hits, so one bad line does not stop the batch.
fn run_batch(
    reader: &IndexReader,
    file: &PathBuf,
    args: &Args,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let input: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file)
            .with_context(|| format!("cannot read queries from {}", file.display()))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut found_any = false;
    for (n, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", file.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, text)) = line.split_once('\t') else {
            eprintln!(
                "search: {}:{}: expected `qid<TAB>query`, skipped",
                file.display(),
                n + 1
            );
            continue;
        };
        let started = Instant::now();
        let results = match reader.search(&query(text, args)) {
            Ok(results) => results,
            Err(err) => {
                eprintln!("search: {}:{}: {err}", file.display(), n + 1);
                Results::default()
            }
        };
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        found_any |= !results.hits.is_empty();
        if args.json {
            render::json(out, text, Some(qid), &results, took_ms)?;
        } else {
            writeln!(out, "# {qid}\t{text}")?;
            render::text(out, &results, render::stdout_color())?;
        }
    }
    Ok(found_any)
}
