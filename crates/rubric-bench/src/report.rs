//! The benchmark's figures and how they are shown: the per-corpus figures
//! and their JSON, each figure against its goal, and the printed tables.
//! Measuring is `main`'s and `measure`'s.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::measure::{median, percentile};

#[derive(Debug, Default)]
pub struct Results {
    pub corpora: Vec<CorpusFigures>,
    pub floor: BTreeMap<String, Value>,
}

/// The figures of one corpus.
#[derive(Debug, Default)]
pub struct CorpusFigures {
    pub label: String,
    pub files: usize,
    pub bytes: u64,
    pub articles: u64,
    pub sections: u64,
    pub failed: u64,
    pub full_walls: Vec<f64>,
    pub full_peak_kb: u64,
    pub index_bytes: u64,
    pub noop_walls: Vec<f64>,
    pub changed_walls: Vec<f64>,
    pub changed_files: usize,
    pub changed_updated: u64,
    pub search_ms: Vec<f64>,
    pub query_ms: Vec<f64>,
    /// Pagefind on the same folder, run by run after each full build.
    pub pagefind_walls: Vec<f64>,
    pub pagefind_peak_kb: u64,
    pub pagefind_ratios: Vec<f64>,
}

impl CorpusFigures {
    pub fn full(&self) -> f64 {
        median(&self.full_walls)
    }

    pub fn to_json(&self) -> Value {
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

/// One figure against its target.
#[derive(Debug)]
pub struct Row {
    pub what: String,
    pub value: f64,
    pub unit: &'static str,
    pub target: String,
    pub met: Option<bool>,
}

pub fn targets(r: &Results) -> Vec<Row> {
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

pub fn print_tables(r: &Results, rows: &[Row], load_start: &str, load_end: &str) {
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
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `YYYY-MM-DDTHHMMSSZ` for now (UTC): RFC 3339 without the colons, so
/// that it can name a file.
pub fn utc_stamp() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map_or_else(|| "unknown".to_string(), |s| s.replace(':', ""))
}

/// The CPU's model name, from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `rustc --version`, which built the binaries measured.
pub fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
