//! `rubric-bench`: Rubric's benchmark suite (issue 8). It prepares the
//! linux-doc corpora in a cache folder outside the repository (`corpus`),
//! drives the release `ingest` and `search` binaries as processes and times
//! queries in process through `rubric_index`, measures the floor in the same
//! run (the same sections as JSON Lines indexed by `ingest` and by
//! tantivy-cli with 2 threads, and Pagefind on the same HTML folder), then
//! prints one table with every figure against its target and writes the
//! results as JSON (`target/bench/results-<date>.json`).
//!
//!     just bench                      # or: bash bench/run
//!     bash bench/run --runs 5 --scales 1,4,16
//!
//! Pairs (ingest ÷ Pagefind, ingest ÷ tantivy-cli) run back to back and
//! their ratio is taken run by run, then the median: a noisy machine moves
//! both sides of a pair alike. This binary is not linked into `ingest` or
//! `search`; it only runs them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use rubric_index::{IndexReader, SearchRequest};
use serde_json::{Value, json};

mod corpus;
mod measure;
mod report;

use report::{CorpusFigures, Results, loadavg, print_tables, targets, utc_stamp};

use measure::median;

/// Benchmark suite: linux-doc HTML and reST corpora at 1×, 4× and 16×,
/// against tantivy-cli and Pagefind.
#[derive(Debug, Parser)]
#[command(name = "rubric-bench", about)]
struct Args {
    /// Cache folder for the corpora and tools [default: $RUBRIC_BENCH_CACHE,
    /// else ~/.cache/rubric-bench].
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Runs of each 1× measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Replica sizes to measure, e.g. `1,4,16` (1 is always measured).
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    scales: Vec<usize>,
    /// Spawns of `search` per query (10 queries).
    #[arg(long, default_value_t = 3)]
    search_runs: usize,
    /// In-process rounds over the 10 queries.
    #[arg(long, default_value_t = 100)]
    query_rounds: usize,
    /// Folder of the release `ingest` and `search` binaries [default:
    /// target/release of this workspace].
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// JSON results file [default: target/bench/results-<date>.json].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip Pagefind.
    #[arg(long)]
    no_pagefind: bool,
    /// Skip tantivy-cli.
    #[arg(long)]
    no_tantivy: bool,
}

/// The ten queries, for the process and the in-process timings.
const QUERIES: [&str; 10] = [
    "memory barrier",
    "page cache writeback",
    "interrupt handler",
    "device tree bindings",
    "rcu read lock",
    "cgroup cpu controller",
    "kernel module parameters",
    "spinlock",
    "usb gadget",
    "ext4 journal",
];

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().collect();
    if raw.get(1).is_some_and(|a| a == "__measure") {
        return measure::helper(&raw[2..]);
    }
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rubric-bench: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Where things are and what to run.
struct Ctx {
    ingest: PathBuf,
    search: PathBuf,
    work: PathBuf,
    args: Args,
}

fn run(args: Args) -> anyhow::Result<()> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = manifest.canonicalize().unwrap_or(manifest);
    let bin_dir = args
        .bin_dir
        .clone()
        .unwrap_or_else(|| workspace.join("target/release"));
    let cache = args.cache.clone().unwrap_or_else(default_cache);
    let ingest = bin_dir.join("ingest");
    let search = bin_dir.join("search");
    for bin in [&ingest, &search] {
        if !bin.is_file() {
            bail!(
                "{} is missing: build it first (cargo build --release --bin ingest --bin search)",
                bin.display()
            );
        }
    }
    let corpora = corpus::prepare(&cache)?;
    let tantivy = if args.no_tantivy {
        None
    } else {
        Some(corpus::tantivy_cli(&cache)?)
    };
    let pagefind = if args.no_pagefind {
        None
    } else {
        match corpus::pagefind(&cache) {
            Ok(bin) => Some(bin),
            Err(e) => {
                eprintln!("rubric-bench: no Pagefind ({e:#}); going on without it");
                None
            }
        }
    };
    let work = cache.join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let ctx = Ctx {
        ingest,
        search,
        work,
        args,
    };
    let started = Instant::now();
    let load_start = loadavg();
    let mut results = Results::default();

    // linux-doc HTML 1×, each full build paired with a Pagefind run.
    eprintln!("rubric-bench: linux-doc HTML 1×");
    let html = bench_corpus(
        &ctx,
        "html x1",
        &corpora.html,
        ctx.args.runs,
        pagefind.as_deref(),
    )?;
    // The floor: the same sections as JSON Lines, ingest paired with tantivy-cli.
    eprintln!("rubric-bench: the floor (JSON Lines sections)");
    let floor = bench_floor(&ctx, &corpora.html, tantivy.as_deref())?;
    results.corpora.push(html);
    eprintln!("rubric-bench: linux-doc reST text 1×");
    results.corpora.push(bench_corpus(
        &ctx,
        "text x1",
        &corpora.text,
        ctx.args.runs,
        None,
    )?);
    let mut scales: Vec<usize> = ctx.args.scales.iter().copied().filter(|&s| s > 1).collect();
    scales.sort_unstable();
    scales.dedup();
    for &times in &scales {
        for (name, base) in [("html", &corpora.html), ("text", &corpora.text)] {
            eprintln!("rubric-bench: linux-doc {name} {times}×");
            let dir = corpus::replica(base, times)?;
            let label = format!("{name} x{times}");
            results
                .corpora
                .push(bench_corpus(&ctx, &label, &dir, 1, None)?);
        }
    }
    results.floor = floor;
    let load_end = loadavg();

    let rows = targets(&results);
    print_tables(&results, &rows, &load_start, &load_end);
    let out = ctx.args.out.clone().unwrap_or_else(|| {
        workspace
            .join("target/bench")
            .join(format!("results-{}.json", utc_stamp()))
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let doc = json!({
        "date": utc_stamp(),
        "machine": {
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "cpu": report::cpu_model(),
            "rustc": report::rustc_version(),
            "load_start": load_start,
            "load_end": load_end,
        },
        "tantivy_cli": corpus::TANTIVY_CLI_VERSION,
        "seconds": started.elapsed().as_secs_f64(),
        "corpora": results.corpora.iter().map(CorpusFigures::to_json).collect::<Vec<_>>(),
        "floor": results.floor,
        "targets": rows.iter().map(|r| json!({
            "what": r.what, "value": r.value, "unit": r.unit, "target": r.target, "met": r.met,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(&out, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("writing {}", out.display()))?;
    println!("results: {}", out.display());
    let _ = std::fs::remove_dir_all(&ctx.work);
    Ok(())
}

fn default_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("RUBRIC_BENCH_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".cache/rubric-bench")
}

/// The closing summary `ingest --json` prints.
fn summary(run: &measure::Run) -> anyhow::Result<Value> {
    let line = run.stdout.lines().last().unwrap_or_default();
    let value: Value = serde_json::from_str(line).with_context(|| {
        format!(
            "ingest exited {} without a JSON summary: {}",
            run.code,
            run.stderr
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | ")
        )
    })?;
    if !matches!(run.code, 0 | 1) {
        bail!("ingest failed ({}): {}", run.code, run.stderr);
    }
    Ok(value)
}

fn ingest(ctx: &Ctx, index: &Path, sources: &Path) -> anyhow::Result<(measure::Run, Value)> {
    let (index, sources) = (index.to_string_lossy(), sources.to_string_lossy());
    let run = measure::run(
        &ctx.ingest,
        &["--quiet", "--json", "--index", &index, &sources],
    )?;
    let value = summary(&run)?;
    Ok((run, value))
}

fn bench_corpus(
    ctx: &Ctx,
    label: &str,
    dir: &Path,
    runs: usize,
    pagefind: Option<&Path>,
) -> anyhow::Result<CorpusFigures> {
    let (files, bytes) = corpus::size(dir);
    let mut f = CorpusFigures {
        label: label.to_string(),
        files,
        bytes,
        ..CorpusFigures::default()
    };
    let index = ctx.work.join(label.replace(' ', "-"));
    for _ in 0..runs.max(1) {
        let _ = std::fs::remove_dir_all(&index);
        let (run, summary) = ingest(ctx, &index, dir)?;
        f.full_walls.push(run.wall);
        f.full_peak_kb = f.full_peak_kb.max(run.peak_kb);
        f.articles = summary["articles"].as_u64().unwrap_or(0);
        f.sections = summary["sections"].as_u64().unwrap_or(0);
        f.failed = summary["failed"].as_u64().unwrap_or(0);
        if let Some(pagefind) = pagefind {
            let out = ctx.work.join("pagefind");
            let _ = std::fs::remove_dir_all(&out);
            let site = dir.to_string_lossy();
            let output = out.to_string_lossy();
            let pf = measure::run(pagefind, &["--site", &site, "--output-path", &output])?;
            if pf.code != 0 {
                bail!("pagefind failed ({}): {}", pf.code, pf.stderr);
            }
            f.pagefind_walls.push(pf.wall);
            f.pagefind_peak_kb = f.pagefind_peak_kb.max(pf.peak_kb);
            f.pagefind_ratios.push(run.wall / pf.wall);
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    f.index_bytes = corpus::size(&index).1;
    for _ in 0..runs.max(1) {
        let (run, _) = ingest(ctx, &index, dir)?;
        f.noop_walls.push(run.wall);
    }
    for round in 0..runs.max(1) {
        let originals = change_one_percent(dir, round)?;
        f.changed_files = originals.len();
        let measured = ingest(ctx, &index, dir);
        restore(&originals)?;
        let (run, summary) = measured?;
        f.changed_walls.push(run.wall);
        f.changed_updated = summary["updated"].as_u64().unwrap_or(0);
        // Back in step with the restored files (not measured).
        ingest(ctx, &index, dir)?;
    }
    let shown = index.to_string_lossy();
    for q in QUERIES {
        measure::spawn_wall(&ctx.search, &["--index", &shown, q])?; // warm the page cache
    }
    for _ in 0..ctx.args.search_runs.max(3) {
        for q in QUERIES {
            f.search_ms
                .push(1e3 * measure::spawn_wall(&ctx.search, &["--index", &shown, q])?);
        }
    }
    f.query_ms = query_times(&index, ctx.args.query_rounds)?;
    Ok(f)
}

/// In-process top-10 query times with snippets, in ms: one warm-up round,
/// then `rounds` rounds over the ten queries.
fn query_times(index: &Path, rounds: usize) -> anyhow::Result<Vec<f64>> {
    let reader =
        IndexReader::open(index).with_context(|| format!("opening {}", index.display()))?;
    for q in QUERIES {
        reader.search(&top10(q))?;
    }
    let mut times = Vec::with_capacity(rounds * QUERIES.len());
    let mut hits = 0;
    for _ in 0..rounds.max(1) {
        for q in QUERIES {
            let started = Instant::now();
            let results = reader.search(&top10(q))?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            hits += results.hits.len();
        }
    }
    if hits == 0 {
        bail!("no query found anything in {}", index.display());
    }
    Ok(times)
}

/// Edits every 100th article file under `dir`: a paragraph added under the
/// last `<h1>` of a page (a logo's may come first), or at the end of a text.
/// Replaces each file rather than writing through a hard link; returns the
/// originals to [`restore`].
fn change_one_percent(dir: &Path, round: usize) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".done")
        .map(walkdir::DirEntry::into_path)
        .collect();
    let mut originals = Vec::new();
    for path in files.iter().step_by(100) {
        let bytes = std::fs::read(path)?;
        let note = format!("rubric-bench edit {round}: this paragraph was added to the page.");
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if path.extension().is_some_and(|e| e == "html") {
            let para = format!("<p>{note}</p>");
            match text.rfind("</h1>").or_else(|| text.find("</body>")) {
                Some(at) if text[at..].starts_with("</h1>") => text.insert_str(at + 5, &para),
                Some(at) => text.insert_str(at, &para),
                None => text.push_str(&para),
            }
        } else {
            text.push_str(&format!("\n\n{note}\n"));
        }
        replace(path, text.as_bytes())?;
        originals.push((path.clone(), bytes));
    }
    Ok(originals)
}

fn restore(originals: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    for (path, bytes) in originals {
        replace(path, bytes)?;
    }
    Ok(())
}

/// Writes `bytes` to a new file and renames it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("rubric-bench-tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// The floor: the sections of the HTML corpus as JSON Lines, indexed by
/// `ingest` (one record per article with its sections already cut, indexed
/// as given) and by tantivy-cli (2 threads; one record per section), pair by
/// pair: the same documents on both sides.
fn bench_floor(
    ctx: &Ctx,
    html: &Path,
    tantivy: Option<&Path>,
) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut floor = BTreeMap::new();
    let shown = html.to_string_lossy();
    let dry = measure::run(&ctx.ingest, &["--quiet", "--dry-run", "--json", &shown])?;
    if !matches!(dry.code, 0 | 1) {
        bail!("ingest --dry-run failed ({}): {}", dry.code, dry.stderr);
    }
    let records = ctx.work.join("sections.jsonl");
    let articles = ctx.work.join("articles-with-sections.jsonl");
    let n = corpus::floor_jsonl(&dry.stdout, &records, &articles)?;
    let jsonl_bytes = std::fs::metadata(&records)?.len();
    floor.insert("html_extract_only_s".into(), json!(dry.wall));
    floor.insert(
        "html_extract_only_peak_rss_mb".into(),
        json!(dry.peak_kb as f64 / 1024.0),
    );
    floor.insert("records".into(), json!(n));
    floor.insert("jsonl_mb".into(), json!(jsonl_bytes as f64 / 1e6));

    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut our_peak, mut their_peak, mut our_size, mut their_size) = (0, 0, 0, 0);
    let mut sections = 0;
    for _ in 0..ctx.args.runs.max(1) {
        let index = ctx.work.join("floor-ingest");
        let _ = std::fs::remove_dir_all(&index);
        let (run, summary) = ingest(ctx, &index, &articles)?;
        sections = summary["sections"].as_u64().unwrap_or(0);
        ours.push(run.wall);
        our_peak = our_peak.max(run.peak_kb);
        our_size = corpus::size(&index).1;
        let Some(tantivy) = tantivy else { continue };
        let dir = ctx.work.join("floor-tantivy");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("meta.json"), TANTIVY_META)?;
        let (d, r) = (dir.to_string_lossy(), records.to_string_lossy());
        let t = measure::run(tantivy, &["index", "-i", &d, "-f", &r, "-t", "2"])?;
        if t.code != 0 {
            bail!("tantivy index failed ({}): {}", t.code, t.stderr);
        }
        theirs.push(t.wall);
        their_peak = their_peak.max(t.peak_kb);
        their_size = corpus::size(&dir).1;
        ratios.push(run.wall / t.wall);
    }
    floor.insert("ingest_jsonl_s".into(), json!(median(&ours)));
    floor.insert("ingest_jsonl_runs_s".into(), json!(ours));
    floor.insert("ingest_jsonl_sections".into(), json!(sections));
    floor.insert(
        "ingest_jsonl_peak_rss_mb".into(),
        json!(our_peak as f64 / 1024.0),
    );
    floor.insert("ingest_jsonl_index_mb".into(), json!(our_size as f64 / 1e6));
    if !theirs.is_empty() {
        floor.insert("tantivy_cli_s".into(), json!(median(&theirs)));
        floor.insert("tantivy_cli_runs_s".into(), json!(theirs));
        floor.insert(
            "tantivy_cli_peak_rss_mb".into(),
            json!(their_peak as f64 / 1024.0),
        );
        floor.insert(
            "tantivy_cli_index_mb".into(),
            json!(their_size as f64 / 1e6),
        );
        floor.insert("ingest_over_tantivy_cli".into(), json!(median(&ratios)));
    }
    Ok(floor)
}

/// tantivy-cli's index: `id` (raw, stored), `title` and `text` (stored,
/// positions, `en_stem`): the fields Rubric analyses, without its extras.
const TANTIVY_META: &str = r#"{
  "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
  "segments": [],
  "schema": [
    {"name": "id", "type": "text", "options": {"indexing": {"record": "basic", "fieldnorms": false, "tokenizer": "raw"}, "stored": true, "fast": false}},
    {"name": "title", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": true, "tokenizer": "en_stem"}, "stored": true, "fast": false}},
    {"name": "text", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": true, "tokenizer": "en_stem"}, "stored": true, "fast": false}}
  ],
  "opstamp": 0
}
"#;

/// The request the benchmark times: the top 10, no "did you mean" (what
/// `search` answers for a query with hits).
fn top10(query: &str) -> SearchRequest {
    SearchRequest {
        suggest: false,
        ..SearchRequest::new(query)
    }
}
