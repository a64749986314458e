//! Benchmark of `ingest` from the web (issue 3): pages per second ingesting
//! 500 pages from a local server with `--jobs 8` and no delay, and the time
//! of an unchanged re-run (every page answered 304) as a share of the first.
//!
//! The server (on 127.0.0.1, started here) serves the HTML files of
//! `../shared/eval/article-extraction/dev/html` (or `$RUBRIC_BENCH_HTML`)
//! over and over as `/p/0.html` .. `/p/499.html`, with their canonical links
//! renamed so each URL is its own article, and with validators so a re-run
//! is answered 304. Each round ingests into a fresh index; the medians of
//! the rounds are printed.
//!
//!     cargo bench --bench web_ingest [-- PAGES ROUNDS]

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use rubric_test_site::{Reply, Site};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let pages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = std::env::var_os("RUBRIC_BENCH_HTML").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/eval/article-extraction/dev/html")
        },
        PathBuf::from,
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    files.sort();
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        files
            .iter()
            .map(|p| {
                let html = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
                html.replace("rel=\"canonical\"", "rel=\"x-canonical\"")
                    .into_bytes()
            })
            .collect(),
    );
    let total_bytes: usize = (0..pages).map(|i| bodies[i % bodies.len()].len()).sum();

    let site = Site::start();
    let served = bodies.clone();
    site.fallback(move |seen| {
        let n = seen
            .path
            .strip_prefix("/p/")
            .and_then(|p| p.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok());
        match n {
            Some(n) => Reply::html(served[n % served.len()].clone())
                .validators(&format!("\"p{n}\""), "Mon, 01 Jan 2024 00:00:00 GMT"),
            None => Reply::status(404),
        }
    });
    let urls: String = (0..pages)
        .map(|i| {
            format!(
                "<url><loc>{}</loc></url>",
                site.url(&format!("/p/{i}.html"))
            )
        })
        .collect();
    site.route(
        "/sitemap.xml",
        Reply::xml(format!("<urlset>{urls}</urlset>")),
    );
    let sitemap = site.url("/sitemap.xml");
    println!(
        "web_ingest: {pages} pages ({:.1} MB of HTML from {} files), {rounds} rounds, --jobs 8 --delay 0",
        total_bytes as f64 / 1e6,
        bodies.len()
    );

    let mut firsts = Vec::new();
    let mut reruns = Vec::new();
    for round in 0..rounds {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        let ingest = |label: &str| {
            let started = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_ingest"))
                .args(["--index", index.to_str().unwrap(), "--sitemap", &sitemap])
                .args(["--jobs", "8", "--delay", "0", "--json"])
                .output()
                .unwrap();
            let secs = started.elapsed().as_secs_f64();
            assert!(
                out.status.success(),
                "{label}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            (secs, summary)
        };
        let (first, s1) = ingest("first run");
        assert_eq!(s1["web"]["fetched"], pages, "{s1}");
        let (rerun, s2) = ingest("re-run");
        assert_eq!(s2["web"]["not_modified"], pages, "{s2}");
        assert_eq!(
            s2["added"].as_u64().unwrap_or(0) + s2["updated"].as_u64().unwrap_or(0),
            0,
            "{s2}"
        );
        println!(
            "round {}: first {first:.2} s ({:.0} pages/s, {} sections), re-run {rerun:.2} s ({:.1} %)",
            round + 1,
            pages as f64 / first,
            s1["sections"],
            100.0 * rerun / first
        );
        firsts.push(first);
        reruns.push(rerun);
    }
    let (first, rerun) = (median(&mut firsts), median(&mut reruns));
    println!(
        "median: first run {first:.2} s = {:.0} pages/s; unchanged re-run {rerun:.2} s = {:.1} % of the first",
        pages as f64 / first,
        100.0 * rerun / first
    );
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
