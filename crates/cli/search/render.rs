//! Printing results: the JSON object of design.md, TREC run lines, or text
//! for a person (rank, title › path › heading, location, snippet with the
//! matches in bold on a terminal), each flat or grouped by article.

use std::io::Write;

use std::io::IsTerminal;

use rubric_index::{Excerpt, GroupedResults, Hit, Results};

/// Whether to colour output on stdout: a terminal, and `NO_COLOR` unset.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// One JSON object for one query (design.md), with `qid` when answering a
/// batch and `suggestion` when there is a corrected query to offer.
pub fn json(
    out: &mut impl Write,
    query: &str,
    qid: Option<&str>,
    results: &Results,
    suggestion: Option<&str>,
    took_ms: f64,
) -> anyhow::Result<()> {
    let mut obj = serde_json::json!({
        "query": query,
        "total": results.total,
        "took_ms": (took_ms * 1000.0).round() / 1000.0,
        "hits": results.hits,
    });
    if let Some(qid) = qid {
        obj["qid"] = serde_json::Value::from(qid);
    }
    if let Some(suggestion) = suggestion {
        obj["suggestion"] = serde_json::Value::from(suggestion);
    }
    serde_json::to_writer(&mut *out, &obj)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// One JSON object for one grouped query: the design.md fields (`hits`
/// holds the groups' sections in order) plus `articles` and `groups`.
pub fn json_grouped(
    out: &mut impl Write,
    query: &str,
    qid: Option<&str>,
    results: &GroupedResults,
    suggestion: Option<&str>,
    took_ms: f64,
) -> anyhow::Result<()> {
    let hits: Vec<&Hit> = results.groups.iter().flat_map(|g| &g.sections).collect();
    let mut obj = serde_json::json!({
        "query": query,
        "total": results.total,
        "articles": results.articles,
        "took_ms": (took_ms * 1000.0).round() / 1000.0,
        "hits": hits,
        "groups": results.groups,
    });
    if let Some(qid) = qid {
        obj["qid"] = serde_json::Value::from(qid);
    }
    if let Some(suggestion) = suggestion {
        obj["suggestion"] = serde_json::Value::from(suggestion);
    }
    serde_json::to_writer(&mut *out, &obj)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// TREC run lines (`qid Q0 section-id rank score rubric`).
pub fn trec(out: &mut impl Write, qid: &str, results: &Results) -> anyhow::Result<()> {
    for (rank, hit) in results.hits.iter().enumerate() {
        writeln!(
            out,
            "{qid} Q0 {} {} {} rubric",
            trec_id(&hit.id),
            rank + 1,
            hit.score
        )?;
    }
    Ok(())
}

/// TREC run lines by article (`qid Q0 article-id rank score rubric`).
pub fn trec_grouped(
    out: &mut impl Write,
    qid: &str,
    results: &GroupedResults,
) -> anyhow::Result<()> {
    for (rank, group) in results.groups.iter().enumerate() {
        writeln!(
            out,
            "{qid} Q0 {} {} {} rubric",
            trec_id(&group.article),
            rank + 1,
            group.score
        )?;
    }
    Ok(())
}

/// TREC ids are whitespace-separated columns: spaces become `%20`.
fn trec_id(id: &str) -> String {
    id.replace(char::is_whitespace, "%20")
}

/// Text for a person.
pub fn text(
    out: &mut impl Write,
    results: &Results,
    suggestion: Option<&str>,
    color: bool,
) -> anyhow::Result<()> {
    if results.hits.is_empty() {
        writeln!(out, "no sections match")?;
        return did_you_mean(out, suggestion, color);
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let mut trail = vec![hit.title.as_str()];
        trail.extend(hit.path.iter().map(String::as_str));
        if let Some(heading) = &hit.heading {
            trail.push(heading);
        }
        let trail = trail.join(" › ");
        if color {
            writeln!(out, "{:>2}. \x1b[1m{trail}\x1b[0m", rank + 1)?;
            writeln!(out, "    \x1b[36m{}\x1b[0m", hit.url)?;
        } else {
            writeln!(out, "{:>2}. {trail}", rank + 1)?;
            writeln!(out, "    {}", hit.url)?;
        }
        writeln!(out, "    {}", excerpt(&hit.excerpt, color))?;
        explain(out, hit, "    ")?;
    }
    if results.total > results.hits.len() {
        writeln!(
            out,
            "({} of {} matching sections; --limit for more)",
            results.hits.len(),
            results.total
        )?;
    }
    did_you_mean(out, suggestion, color)
}

/// `Did you mean: QUERY?`, when there is a corrected query to offer.
fn did_you_mean(out: &mut impl Write, suggestion: Option<&str>, color: bool) -> anyhow::Result<()> {
    match suggestion {
        Some(s) if color => writeln!(out, "Did you mean: \x1b[1m{s}\x1b[0m?")?,
        Some(s) => writeln!(out, "Did you mean: {s}?")?,
        None => {}
    }
    Ok(())
}

/// Text by article: the article, then each matching section under it.
pub fn text_grouped(
    out: &mut impl Write,
    results: &GroupedResults,
    suggestion: Option<&str>,
    color: bool,
) -> anyhow::Result<()> {
    if results.groups.is_empty() {
        writeln!(out, "no sections match")?;
        return did_you_mean(out, suggestion, color);
    }
    for (rank, group) in results.groups.iter().enumerate() {
        let n = group.sections.len();
        let count = if n == 1 {
            "1 section".to_string()
        } else {
            format!("{n} sections")
        };
        if color {
            writeln!(
                out,
                "{:>2}. \x1b[1m{}\x1b[0m ({count})",
                rank + 1,
                group.title
            )?;
            writeln!(out, "    \x1b[36m{}\x1b[0m", group.url)?;
        } else {
            writeln!(out, "{:>2}. {} ({count})", rank + 1, group.title)?;
            writeln!(out, "    {}", group.url)?;
        }
        for hit in &group.sections {
            let mut trail: Vec<&str> = hit.path.iter().map(String::as_str).collect();
            trail.push(hit.heading.as_deref().unwrap_or("(lead)"));
            writeln!(out, "    - {}", trail.join(" › "))?;
            writeln!(out, "      {}", hit.url)?;
            writeln!(out, "      {}", excerpt(&hit.excerpt, color))?;
            explain(out, hit, "      ")?;
        }
    }
    if results.articles > results.groups.len() {
        writeln!(
            out,
            "({} of {} matching articles; --limit for more)",
            results.groups.len(),
            results.articles
        )?;
    }
    did_you_mean(out, suggestion, color)
}

/// The parts of a hit's score, one per line, when asked for.
fn explain(out: &mut impl Write, hit: &Hit, indent: &str) -> anyhow::Result<()> {
    let Some(parts) = &hit.explain else {
        return Ok(());
    };
    writeln!(out, "{indent}score {:.3} =", hit.score)?;
    for part in parts {
        writeln!(
            out,
            "{indent}  {:>8.3}  {}:{} ({})",
            part.score, part.field, part.terms, part.kind
        )?;
    }
    Ok(())
}

/// The snippet as terminal text: matched terms bold when colouring.
fn excerpt(excerpt: &Excerpt, color: bool) -> String {
    let mut line = String::with_capacity(excerpt.text.len() + 16);
    for (piece, matched) in excerpt.pieces() {
        if matched && color {
            line.push_str("\x1b[1m");
            line.push_str(piece);
            line.push_str("\x1b[0m");
        } else {
            line.push_str(piece);
        }
    }
    line
}
