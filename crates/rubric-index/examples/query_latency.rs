//! Query latency: in-process (`IndexReader::search`, p50/p99 over a query
//! set) and, given the `search` binary, as a process (spawn to exit, median
//! of 21 runs). Timings are printed, never asserted.
//!
//! ```text
//! cargo run --release -p rubric-index --example query_latency -- \
//!     INDEX QUERIES.jsonl [target/release/search]
//! ```
//! QUERIES is BEIR JSON Lines (`{"_id": .., "text": ..}`) or `qid<TAB>query`.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use rubric_index::{IndexReader, SearchRequest};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(index), Some(queries)) = (args.first(), args.get(1)) else {
        eprintln!("usage: query_latency INDEX QUERIES [SEARCH_BINARY]");
        return ExitCode::from(2);
    };
    match run(
        Path::new(index),
        Path::new(queries),
        args.get(2).map(Path::new),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("query_latency: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(
    index: &Path,
    queries: &Path,
    binary: Option<&Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let texts = read_queries(queries)?;
    if texts.is_empty() {
        return Err("no queries".into());
    }
    let reader = IndexReader::open(index)?;
    // One warm-up pass, then the timed one.
    for text in &texts {
        reader.search(&top10(text))?;
    }
    let mut took = Vec::with_capacity(texts.len());
    for text in &texts {
        let started = Instant::now();
        reader.search(&top10(text))?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    println!(
        "in-process: {} queries, {} sections, limit 10: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        took.len(),
        reader.stats()?.sections,
        percentile(&took, 0.50),
        percentile(&took, 0.99),
        took.last().copied().unwrap_or_default()
    );
    if let Some(binary) = binary {
        let query = &texts[texts.len() / 2];
        let mut runs = Vec::new();
        for _ in 0..21 {
            let started = Instant::now();
            let status = Command::new(binary)
                .arg("--index")
                .arg(index)
                .arg("--json")
                .arg(query)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()?;
            runs.push(started.elapsed().as_secs_f64() * 1000.0);
            if status.code().is_none_or(|c| c > 1) {
                return Err(format!("{} failed: {status}", binary.display()).into());
            }
        }
        runs.sort_by(f64::total_cmp);
        println!(
            "process: `search --json` spawn to exit, {} runs: median {:.2} ms (min {:.2}, max {:.2}); query {:?}",
            runs.len(),
            percentile(&runs, 0.5),
            runs[0],
            runs[runs.len() - 1],
            query
        );
    }
    Ok(())
}

/// Query texts from BEIR JSON Lines or `qid<TAB>query` lines.
fn read_queries(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let body = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        if line.trim_start().starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(line)?;
            if let Some(text) = v["text"].as_str() {
                out.push(text.to_string());
            }
        } else if let Some((_, text)) = line.split_once('\t') {
            out.push(text.to_string());
        }
    }
    Ok(out)
}

/// The value at quantile `q` of sorted `values` (nearest rank).
fn percentile(values: &[f64], q: f64) -> f64 {
    let rank = ((values.len() as f64) * q).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// The request the benchmark times: the top 10, no "did you mean" (what
/// `search` answers for a query with hits).
fn top10(query: &str) -> SearchRequest {
    SearchRequest {
        suggest: false,
        ..SearchRequest::new(query)
    }
}
