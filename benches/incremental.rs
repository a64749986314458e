//! Incremental ingest benchmark (issue 5): a full build of ≥ 5,000 articles,
//! a no-op re-run, and a re-run after changing 1 % of the articles.
//!
//! `cargo bench --bench incremental` (add `-- --runs 5` for more runs). The
//! corpus is the SciFact corpus of `../shared/eval/scifact/corpus.jsonl`
//! split into one Markdown file per record (or `--corpus FILE.jsonl`);
//! each figure is the median of several runs of the release `ingest`
//! binary, and the re-runs are also given as a share of the full build, which
//! is what stays meaningful on a noisy machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let runs: usize = flag("--runs").and_then(|r| r.parse().ok()).unwrap_or(5);
    let corpus = flag("--corpus").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/scifact/corpus.jsonl")
    });
    let records = match std::fs::read_to_string(&corpus) {
        Ok(text) => text,
        Err(e) => {
            eprintln!(
                "cannot read {}: {e} (give --corpus FILE.jsonl)",
                corpus.display()
            );
            std::process::exit(2);
        }
    };
    let work =
        std::env::temp_dir().join(format!("rubric-bench-incremental-{}", std::process::id()));
    let docs = work.join("docs");
    let index = work.join("index");
    std::fs::create_dir_all(&docs).expect("temp dir");
    let mut files = Vec::new();
    for line in records.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let id = v["_id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v["_id"].to_string());
        let path = docs.join(format!("{id}.md"));
        let body = format!(
            "# {}\n\n{}\n",
            v["title"].as_str().unwrap_or("Untitled"),
            v["text"].as_str().unwrap_or("")
        );
        std::fs::write(&path, body).expect("write article");
        files.push(path);
    }
    let n = files.len();
    println!(
        "corpus: {n} articles as Markdown files from {}",
        corpus.display()
    );

    let ingest = env!("CARGO_BIN_EXE_ingest");
    let time = |extra: &[&str]| -> f64 {
        let started = Instant::now();
        let status = Command::new(ingest)
            .args(["-q", "--index"])
            .arg(&index)
            .args(extra)
            .arg(&docs)
            .status()
            .expect("run ingest");
        assert!(status.success(), "ingest failed");
        started.elapsed().as_secs_f64()
    };

    let mut full = Vec::new();
    let mut noop = Vec::new();
    let mut changed = Vec::new();
    for run in 0..runs {
        let _ = std::fs::remove_dir_all(&index);
        full.push(time(&[]));
        noop.push(time(&[]));
        // Change 1 % of the articles (a different 1 % each run).
        let step = 100;
        for path in files.iter().skip(run % step).step_by(step) {
            append(path, &format!("\nEdited in run {run}.\n"));
        }
        changed.push(time(&[]));
    }
    let (f, o, c) = (median(&mut full), median(&mut noop), median(&mut changed));
    println!("runs: {runs} (medians)");
    println!(
        "full build          {f:8.3} s   {:8.0} articles/s",
        n as f64 / f
    );
    println!(
        "no-op re-run        {o:8.3} s   {:6.2} % of the full build (target <= 3 %)",
        100.0 * o / f
    );
    println!(
        "1 % changed re-run  {c:8.3} s   {:6.2} % of the full build",
        100.0 * c / f
    );
    let _ = std::fs::remove_dir_all(&work);
}

fn append(path: &Path, text: &str) {
    let mut body = std::fs::read_to_string(path).unwrap_or_default();
    body.push_str(text);
    std::fs::write(path, body).expect("edit article");
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
