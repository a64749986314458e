//! Printing a [`SearchResponse`]: the JSON object of design.md (the type's
//! own serde shape), TREC run lines, or text for a person (rank, title ›
//! path › heading, location, snippet with the matches in bold), flat or by
//! article. Styles are written with anstyle and stripped by anstream where
//! colour is not wanted (not a terminal, `NO_COLOR`, `CLICOLOR=0`).

use std::io::Write;

use anstyle::Style;
use rubric_index::{Excerpt, Hit, SearchResponse};

const BOLD: Style = Style::new().bold();
const LINK: Style = anstyle::AnsiColor::Cyan.on_default();

/// One JSON object on one line.
pub fn json(out: &mut impl Write, response: &SearchResponse) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, response)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// TREC run lines: `qid Q0 id rank score rubric`, by section or, grouped,
/// by article.
pub fn trec(out: &mut impl Write, qid: &str, response: &SearchResponse) -> anyhow::Result<()> {
    let ranked: Vec<(&str, f32)> = match &response.groups {
        Some(groups) => groups
            .iter()
            .map(|g| (g.article.as_str(), g.score))
            .collect(),
        None => response
            .hits
            .iter()
            .map(|h| (h.id.as_str(), h.score))
            .collect(),
    };
    for (rank, (id, score)) in ranked.into_iter().enumerate() {
        // TREC ids are whitespace-separated columns: spaces become `%20`.
        let id = id.replace(char::is_whitespace, "%20");
        writeln!(out, "{qid} Q0 {id} {} {score} rubric", rank + 1)?;
    }
    Ok(())
}

/// Text for a person.
pub fn text(out: &mut impl Write, response: &SearchResponse) -> anyhow::Result<()> {
    match &response.groups {
        Some(groups) if !groups.is_empty() => {
            for (rank, group) in groups.iter().enumerate() {
                let n = group.sections.len();
                let count = if n == 1 {
                    "1 section".to_string()
                } else {
                    format!("{n} sections")
                };
                writeln!(
                    out,
                    "{:>2}. {BOLD}{}{BOLD:#} ({count})",
                    rank + 1,
                    group.title
                )?;
                writeln!(out, "    {LINK}{}{LINK:#}", group.url)?;
                for hit in &group.sections {
                    let mut trail: Vec<&str> = hit.path.iter().map(String::as_str).collect();
                    trail.push(hit.heading.as_deref().unwrap_or("(lead)"));
                    writeln!(out, "    - {}", trail.join(" › "))?;
                    writeln!(out, "      {}", hit.url)?;
                    writeln!(out, "      {}", excerpt(&hit.excerpt))?;
                    explain(out, hit, "      ")?;
                }
            }
            let shown = groups.len();
            if let Some(articles) = response.articles.filter(|&n| n > shown) {
                writeln!(
                    out,
                    "({shown} of {articles} matching articles; --limit for more)"
                )?;
            }
        }
        _ if response.hits.is_empty() => writeln!(out, "no sections match")?,
        _ => {
            for (rank, hit) in response.hits.iter().enumerate() {
                let mut trail = vec![hit.title.as_str()];
                trail.extend(hit.path.iter().map(String::as_str));
                if let Some(heading) = &hit.heading {
                    trail.push(heading);
                }
                writeln!(out, "{:>2}. {BOLD}{}{BOLD:#}", rank + 1, trail.join(" › "))?;
                writeln!(out, "    {LINK}{}{LINK:#}", hit.url)?;
                writeln!(out, "    {}", excerpt(&hit.excerpt))?;
                explain(out, hit, "    ")?;
            }
            let shown = response.hits.len();
            if response.total > shown {
                writeln!(
                    out,
                    "({shown} of {} matching sections; --limit for more)",
                    response.total
                )?;
            }
        }
    }
    if let Some(suggestion) = &response.suggestion {
        writeln!(out, "Did you mean: {BOLD}{suggestion}{BOLD:#}?")?;
    }
    Ok(())
}

/// The parts of a hit's score, one per line, when asked for.
fn explain(out: &mut impl Write, hit: &Hit, indent: &str) -> anyhow::Result<()> {
    let Some(parts) = &hit.explain else {
        return Ok(());
    };
    if let Some(fused) = &hit.hybrid {
        let lexical = match fused.lexical {
            Some(score) => format!("{score:.3}"),
            None => "none (found by meaning)".to_string(),
        };
        writeln!(
            out,
            "{indent}fused {:.3} = lexical {lexical} and cosine {:.3}, each min-max normalised over the candidates",
            fused.fused, fused.cosine
        )?;
        if fused.lexical.is_none() {
            return Ok(());
        }
        writeln!(out, "{indent}lexical score {lexical} =")?;
    } else {
        writeln!(out, "{indent}score {:.3} =", hit.score)?;
    }
    for part in parts {
        writeln!(
            out,
            "{indent}  {:>8.3}  {}:{} ({})",
            part.score, part.field, part.terms, part.kind
        )?;
    }
    Ok(())
}

/// The snippet with the matched terms in bold.
fn excerpt(excerpt: &Excerpt) -> String {
    let mut line = String::with_capacity(excerpt.text.len() + 16);
    for (piece, matched) in excerpt.pieces() {
        if matched {
            line.push_str(&format!("{BOLD}{piece}{BOLD:#}"));
        } else {
            line.push_str(piece);
        }
    }
    line
}
