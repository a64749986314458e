//! How `ingest` ends: the closing summary (a line on stderr, or one JSON
//! object on stdout with `--json`) and `--check`'s list of stale articles.

use std::io::Write;

use rubric_ingest::{Outcome, Summary, WebSummary};

/// Prints the closing summary: JSON on `out` with `json` (not for a dry
/// run, whose stdout is the articles), else a line on stderr unless `quiet`.
pub fn summary(
    out: &mut impl Write,
    s: &Summary,
    dry_run: bool,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    if json && !dry_run {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")?;
        out.flush()?;
        return Ok(());
    }
    out.flush()?;
    if quiet {
        return Ok(());
    }
    let what = if dry_run {
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
    if !s.web.is_empty() {
        eprintln!("{}", web_line(&s.web));
    }
    if let Some(sink) = &s.sink {
        eprintln!(
            "ingest: sent {} ({:.1} MB, {} requests) to {}; deletes asked for {} ({} requests)",
            count(sink.sections, "section"),
            sink.bytes as f64 / 1e6,
            sink.requests,
            sink.engine,
            count(sink.deleted, "article"),
            sink.delete_requests
        );
    }
    Ok(())
}

/// `--check`: every stale article as `change<TAB>id<TAB>source` (or the
/// summary as JSON with the list), and the verdict on stderr.
pub fn check(
    out: &mut impl Write,
    outcome: &Outcome,
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let stale = &outcome.stale;
    if json {
        let mut obj = serde_json::to_value(&outcome.summary)?;
        obj["stale"] = serde_json::to_value(stale)?;
        obj["current"] = serde_json::Value::from(outcome.is_current());
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    } else {
        for s in stale {
            writeln!(out, "{}\t{}\t{}", s.change.word(), s.id, s.source)?;
        }
    }
    out.flush()?;
    if !quiet {
        let count = |word: &str| stale.iter().filter(|s| s.change.word() == word).count();
        let verdict = if outcome.is_current() {
            "the index is up to date"
        } else {
            "the index is stale"
        };
        eprintln!(
            "ingest --check: {verdict}: {} added, {} changed, {} removed, {} unchanged; {} failed",
            count("added"),
            count("changed"),
            count("removed"),
            outcome.summary.unchanged,
            outcome.summary.failed
        );
    }
    Ok(())
}

/// The closing summary's web line.
fn web_line(web: &WebSummary) -> String {
    let mut line = format!(
        "ingest: web: {}, {} sitemaps: {} fetched ({}), {} not modified",
        count(web.pages, "page"),
        web.sitemaps,
        web.fetched,
        indicatif::HumanBytes(web.bytes),
        web.not_modified
    );
    if web.from_cache > 0 {
        line.push_str(&format!(", {} from the cache", web.from_cache));
    }
    if web.duplicates > 0 {
        line.push_str(&format!(", {} duplicate", web.duplicates));
    }
    line.push_str(&format!(
        "; {} skipped ({} type, {} robots.txt)",
        web.skipped_type + web.skipped_robots,
        web.skipped_type,
        web.skipped_robots
    ));
    let failed = web.failures();
    line.push_str(&format!("; {failed} failed"));
    if failed > 0 {
        let reasons: Vec<String> = web.failed.iter().map(|(r, n)| format!("{n} {r}")).collect();
        line.push_str(&format!(" ({})", reasons.join(", ")));
    }
    line
}

/// `1 article`, `2 articles`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
