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

use measure::{median, percentile};

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
            "load_start": load_start,
            "load_end": load_end,
        },
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

#[derive(Debug, Default)]
struct Results {
    corpora: Vec<CorpusFigures>,
    floor: BTreeMap<String, Value>,
}

/// The figures of one corpus.
#[derive(Debug, Default)]
struct CorpusFigures {
    label: String,
    files: usize,
    bytes: u64,
    articles: u64,
    sections: u64,
    failed: u64,
    full_walls: Vec<f64>,
    full_peak_kb: u64,
    index_bytes: u64,
    noop_walls: Vec<f64>,
    changed_walls: Vec<f64>,
    changed_files: usize,
    changed_updated: u64,
    search_ms: Vec<f64>,
    query_ms: Vec<f64>,
    /// Pagefind on the same folder, run by run after each full build.
    pagefind_walls: Vec<f64>,
    pagefind_peak_kb: u64,
    pagefind_ratios: Vec<f64>,
}

impl CorpusFigures {
    fn full(&self) -> f64 {
        median(&self.full_walls)
    }

    fn to_json(&self) -> Value {
        let full = self.full();
        json!({
            "corpus": self.label,
            "files": self.files,
            "mb": self.bytes as f64 / 1e6,
            "articles": self.articles,
            "sections": self.sections,
            "failed_sources": self.failed,
            "full_ingest_s": full,
            "full_ingest_runs_s": self.full_walls,
            "sections_per_s": self.sections as f64 / full,
            "mb_per_s": self.bytes as f64 / 1e6 / full,
            "peak_rss_mb": self.full_peak_kb as f64 / 1024.0,
            "index_mb": self.index_bytes as f64 / 1e6,
            "noop_s": median(&self.noop_walls),
            "noop_share": median(&self.noop_walls) / full,
            "changed_1pct_s": median(&self.changed_walls),
            "changed_1pct_share": median(&self.changed_walls) / full,
            "changed_files": self.changed_files,
            "changed_articles_updated": self.changed_updated,
            "search_process_median_ms": median(&self.search_ms),
            "search_process_runs": self.search_ms.len(),
            "query_p50_ms": percentile(&self.query_ms, 50.0),
            "query_p99_ms": percentile(&self.query_ms, 99.0),
            "query_runs": self.query_ms.len(),
            "pagefind_s": (!self.pagefind_walls.is_empty()).then(|| median(&self.pagefind_walls)),
            "pagefind_peak_rss_mb": (!self.pagefind_walls.is_empty()).then(|| self.pagefind_peak_kb as f64 / 1024.0),
            "ingest_over_pagefind": (!self.pagefind_ratios.is_empty()).then(|| median(&self.pagefind_ratios)),
        })
    }
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

/// The floor: the sections of the HTML corpus as JSON Lines records,
/// indexed by `ingest` and by tantivy-cli (2 threads), pair by pair.
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
    let n = corpus::sections_jsonl(&dry.stdout, &records)?;
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
        let (run, summary) = ingest(ctx, &index, &records)?;
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

/// One figure against its target.
#[derive(Debug)]
struct Row {
    what: String,
    value: f64,
    unit: &'static str,
    target: String,
    met: Option<bool>,
}

fn targets(r: &Results) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut row = |what: &str, value: f64, unit: &'static str, target: &str, met: Option<bool>| {
        rows.push(Row {
            what: what.to_string(),
            value,
            unit,
            target: target.to_string(),
            met: if value.is_nan() { None } else { met },
        });
    };
    let find = |label: &str| r.corpora.iter().find(|c| c.label == label);
    if let Some(h) = find("html x1") {
        let full = h.full();
        row(
            "html x1 full ingest",
            full,
            "s",
            "<= 3 s",
            Some(full <= 3.0),
        );
        let peak = h.full_peak_kb as f64 / 1024.0;
        row(
            "html x1 peak RSS",
            peak,
            "MB",
            "<= 300 MB",
            Some(peak <= 300.0),
        );
        if !h.pagefind_walls.is_empty() {
            row(
                "Pagefind on the same HTML",
                median(&h.pagefind_walls),
                "s",
                "(reference)",
                None,
            );
            row(
                "Pagefind peak RSS",
                h.pagefind_peak_kb as f64 / 1024.0,
                "MB",
                "(reference)",
                None,
            );
            row(
                "ingest / Pagefind, pair by pair",
                median(&h.pagefind_ratios),
                "x",
                "(lower is better)",
                None,
            );
        }
    }
    if let (Some(ours), Some(theirs)) = (
        r.floor.get("ingest_jsonl_s").and_then(Value::as_f64),
        r.floor.get("tantivy_cli_s").and_then(Value::as_f64),
    ) {
        row("JSONL sections: ingest", ours, "s", "(floor pair)", None);
        row(
            "JSONL sections: tantivy-cli -t 2",
            theirs,
            "s",
            "(floor pair)",
            None,
        );
        let ratio = r
            .floor
            .get("ingest_over_tantivy_cli")
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN);
        row(
            "ingest / tantivy-cli, pair by pair",
            ratio,
            "x",
            "<= 1.2",
            Some(ratio <= 1.2),
        );
    }
    for c in &r.corpora {
        let share = median(&c.changed_walls) / c.full();
        let what = format!(
            "{} 1 % changed ({}/{} updated) / full",
            c.label, c.changed_updated, c.changed_files
        );
        row(&what, share * 100.0, "%", "(reference)", None);
    }
    for c in &r.corpora {
        let share = median(&c.noop_walls) / c.full();
        row(
            &format!("{} no-op re-ingest / full", c.label),
            share * 100.0,
            "%",
            "<= 3 %",
            Some(share <= 0.03),
        );
    }
    for c in &r.corpora {
        let ms = median(&c.search_ms);
        let p50 = percentile(&c.query_ms, 50.0);
        let p99 = percentile(&c.query_ms, 99.0);
        row(
            &format!("{} search process median", c.label),
            ms,
            "ms",
            "<= 4 ms",
            Some(ms <= 4.0),
        );
        row(
            &format!("{} in-process p50", c.label),
            p50,
            "ms",
            "<= 0.3 ms",
            Some(p50 <= 0.3),
        );
        row(
            &format!("{} in-process p99", c.label),
            p99,
            "ms",
            "<= 2 ms",
            Some(p99 <= 2.0),
        );
    }
    for name in ["html", "text"] {
        let Some(one) = find(&format!("{name} x1")) else {
            continue;
        };
        for c in r
            .corpora
            .iter()
            .filter(|c| c.label.starts_with(name) && c.label != one.label)
        {
            let times: f64 = c
                .label
                .rsplit('x')
                .next()
                .and_then(|t| t.parse().ok())
                .unwrap_or(1.0);
            let time = c.full() / (one.full() * times);
            let mem = c.full_peak_kb as f64 / (one.full_peak_kb as f64 * times);
            row(
                &format!("{} time per copy / x1", c.label),
                time,
                "x",
                "<= 1.1 (linear)",
                Some(time <= 1.1),
            );
            row(
                &format!("{} peak RSS per copy / x1", c.label),
                mem,
                "x",
                "<= 1.1 (linear)",
                Some(mem <= 1.1),
            );
        }
    }
    rows
}

fn print_tables(r: &Results, rows: &[Row], load_start: &str, load_end: &str) {
    println!();
    println!(
        "{:<9} {:>6} {:>7} {:>7} {:>7} {:>8} {:>6} {:>7} {:>7} {:>11} {:>11} {:>7} {:>6} {:>6}",
        "corpus",
        "files",
        "MB",
        "sections",
        "full s",
        "sect/s",
        "MB/s",
        "RSS MB",
        "idx MB",
        "no-op s(%)",
        "1% s(%)",
        "search",
        "p50",
        "p99"
    );
    for c in &r.corpora {
        let full = c.full();
        let noop = median(&c.noop_walls);
        let changed = median(&c.changed_walls);
        println!(
            "{:<9} {:>6} {:>7.1} {:>7} {:>7.2} {:>8.0} {:>6.1} {:>7.0} {:>7.1} {:>11} {:>11} {:>5.1}ms {:>6.3} {:>6.3}",
            c.label,
            c.files,
            c.bytes as f64 / 1e6,
            c.sections,
            full,
            c.sections as f64 / full,
            c.bytes as f64 / 1e6 / full,
            c.full_peak_kb as f64 / 1024.0,
            c.index_bytes as f64 / 1e6,
            format!("{noop:.2}({:.1})", 100.0 * noop / full),
            format!("{changed:.2}({:.0})", 100.0 * changed / full),
            median(&c.search_ms),
            percentile(&c.query_ms, 50.0),
            percentile(&c.query_ms, 99.0),
        );
    }
    if !r.floor.is_empty() {
        println!();
        println!(
            "floor (same run): {}",
            serde_json::to_string(&r.floor).unwrap_or_default()
        );
    }
    println!();
    println!("{:<42} {:>10}  target", "figure", "value");
    for row in rows {
        let verdict = match row.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<42} {:>7.3} {:<2}  {:<18} {verdict}",
            row.what, row.value, row.unit, row.target
        );
    }
    println!();
    println!(
        "machine: {} cores; load average at start {load_start}, at end {load_end}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `YYYY-MM-DDTHHMMSSZ` for now (UTC): RFC 3339 without the colons, so
/// that it can name a file.
fn utc_stamp() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map_or_else(|| "unknown".to_string(), |s| s.replace(':', ""))
}

/// The request the benchmark times: the top 10, no "did you mean" (what
/// `search` answers for a query with hits).
fn top10(query: &str) -> SearchRequest {
    SearchRequest {
        suggest: false,
        ..SearchRequest::new(query)
    }
}
