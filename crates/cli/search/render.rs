//! Printing results: the JSON object of design.md, or text for a person
//! (rank, title › path › heading, location, snippet with the matches in bold
//! on a terminal).

use std::io::Write;

use std::io::IsTerminal;

use rubric_index::{Excerpt, Results};

/// Whether to colour output on stdout: a terminal, and `NO_COLOR` unset.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// One JSON object for one query (design.md), with `qid` when answering a batch.
pub fn json(
    out: &mut impl Write,
    query: &str,
    qid: Option<&str>,
    results: &Results,
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
    serde_json::to_writer(&mut *out, &obj)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Text for a person.
pub fn text(out: &mut impl Write, results: &Results, color: bool) -> anyhow::Result<()> {
    if results.hits.is_empty() {
        writeln!(out, "no sections match")?;
        return Ok(());
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
    }
    if results.total > results.hits.len() {
        writeln!(
            out,
            "({} of {} matching sections; --limit for more)",
            results.hits.len(),
            results.total
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
