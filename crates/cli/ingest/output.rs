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
        let mut what = format!(
            "{} added, {} updated, {} unchanged, {} pruned",
            s.added, s.updated, s.unchanged, s.pruned
        );
        if s.relinked > 0 {
            what.push_str(&format!(", {} re-linked", s.relinked));
        }
        what
    };
    eprintln!(
        "ingest: {} read, {}: {what}; {}; {} failed; {:.2} s",
        count(s.articles, "article"),
        count(s.sections, "section"),
        passed_over(s),
        s.failed,
        s.seconds
    );
    if !s.web.is_empty() {
        eprintln!("{}", web_line(&s.web));
    }
    if let Some(v) = &s.vectors {
        let rate = if v.seconds > 0.0 && v.embedded > 0 {
            format!(" ({:.1} sections/s)", v.embedded as f64 / v.seconds)
        } else {
            String::new()
        };
        eprintln!(
            "ingest: vectors ({}): {} embedded, {} kept; {:.2} s{rate}",
            v.model,
            count(v.embedded, "section"),
            v.kept,
            v.seconds
        );
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
    if let Some(export) = &s.export {
        eprintln!(
            "ingest: exported {} ({:.1} MB) to {}",
            count(export.sections, "section"),
            export.bytes as f64 / 1e6,
            export.path
        );
    }
    Ok(())
}

/// What was passed over, each kind counted apart: `1 file of another
/// format, 2 empty, 3 hidden`, or `nothing skipped`.
fn passed_over(s: &Summary) -> String {
    let mut parts = Vec::new();
    if s.other_formats > 0 {
        let files = if s.other_formats == 1 {
            "file"
        } else {
            "files"
        };
        parts.push(format!("{} {files} of other formats", s.other_formats));
    }
    if s.empty > 0 {
        parts.push(format!("{} with nothing to index", s.empty));
    }
    if s.left_out > 0 {
        parts.push(format!("{} left out", s.left_out));
    }
    if parts.is_empty() {
        "nothing skipped".to_string()
    } else {
        format!("skipped {}", parts.join(", "))
    }
}

/// `--check`: every stale article as `change<TAB>id<TAB>source` (or one
/// JSON object whose counts are named by the same words: `added`,
/// `changed`, `removed`), and the verdict on stderr. Sources that could
/// not be read were named as they failed and are named again here: they
/// fail the check, but they are not a stale index.
pub fn check(
    out: &mut impl Write,
    outcome: &Outcome,
    failures: &[String],
    json: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let stale = &outcome.stale;
    let count = |word: &str| stale.iter().filter(|s| s.change.word() == word).count();
    if json {
        let mut obj = serde_json::json!({
            "current": outcome.is_current(),
            "added": count("added"),
            "changed": count("changed"),
            "removed": count("removed"),
            "unchanged": outcome.summary.unchanged,
            "failed": outcome.summary.failed,
            "failures": failures,
            "stale": stale,
        });
        if let Some((index, sources)) = &outcome.site_changed {
            obj["site_url"] = serde_json::json!({"index": index, "sources": sources});
        }
        serde_json::to_writer(&mut *out, &obj)?;
        out.write_all(b"\n")?;
    } else {
        for s in stale {
            writeln!(out, "{}\t{}\t{}", s.change.word(), s.id, s.source)?;
        }
    }
    out.flush()?;
    if !quiet {
        if let Some((index, sources)) = &outcome.site_changed {
            let none = |s: &str| {
                if s.is_empty() {
                    "none".to_string()
                } else {
                    s.to_string()
                }
            };
            eprintln!(
                "ingest --check: the index links to the site URL {}, the sources' is {}",
                none(index),
                none(sources)
            );
        }
        let verdict = if outcome.is_current() {
            "the index is up to date"
        } else if stale.is_empty() && outcome.site_changed.is_none() {
            "the index matches every source read, but some could not be read"
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
        for failure in failures {
            eprintln!("ingest --check: could not read {failure}");
        }
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
