//! Printing a [`SearchResponse`]: the JSON object of design.md (the type's
//! own serde shape), TREC run lines, or text for a person (rank, title ›
//! path › heading, location, snippet with the matches in bold), flat or by
//! article. Styles are written with anstyle and stripped by anstream where
//! colour is not wanted (not a terminal, `NO_COLOR`, `CLICOLOR=0`). Text
//! from the index is printed with its control characters escaped (`\x1b`),
//! so a stored escape sequence can never drive the terminal (extraction
//! removes them, but an index may predate that).

use std::io::Write;

use anstyle::Style;
use rubric_core::text::escape_controls as shown;
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
    // The parts of one over-long section share its id: a run lists each
    // id once (its best part), as scorers require.
    let mut seen = std::collections::HashSet::new();
    let ranked = ranked.into_iter().filter(|(id, _)| seen.insert(*id));
    for (rank, (id, score)) in ranked.enumerate() {
        // TREC ids are whitespace-separated columns: spaces become `%20`.
        let id = shown(id).replace(char::is_whitespace, "%20");
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
                    shown(&group.title)
                )?;
                writeln!(out, "    {LINK}{}{LINK:#}", shown(&group.url))?;
                for hit in &group.sections {
                    let mut trail: Vec<&str> = hit.path.iter().map(String::as_str).collect();
                    trail.push(hit.heading.as_deref().unwrap_or("(lead)"));
                    writeln!(out, "    - {}", shown(&trail.join(" › ")))?;
                    writeln!(out, "      {}", shown(&hit.url))?;
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
                writeln!(
                    out,
                    "{:>2}. {BOLD}{}{BOLD:#}",
                    rank + 1,
                    shown(&trail.join(" › "))
                )?;
                writeln!(out, "    {LINK}{}{LINK:#}", shown(&hit.url))?;
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
        writeln!(out, "Did you mean: {BOLD}{}{BOLD:#}?", shown(suggestion))?;
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
            part.score,
            part.field,
            shown(&part.terms),
            part.kind
        )?;
    }
    Ok(())
}

/// The snippet with the matched terms in bold.
fn excerpt(excerpt: &Excerpt) -> String {
    let mut line = String::with_capacity(excerpt.text.len() + 16);
    for (piece, matched) in excerpt.pieces() {
        let piece = shown(piece);
        if matched {
            line.push_str(&format!("{BOLD}{piece}{BOLD:#}"));
        } else {
            line.push_str(&piece);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hit as an index written before control characters were removed at
    /// extraction could hold them (an ESC in the title, the text, the link).
    fn hostile_hit() -> Hit {
        let text = "quokka \u{1b}[31mred\u{9b}1m".to_string();
        Hit {
            id: "old\u{1b}[2J.md#bell".into(),
            article: "old\u{1b}[2J.md".into(),
            title: "Old\u{1b}]0;pwned\u{7}".into(),
            heading: Some("Bell\u{7}".into()),
            level: 2,
            path: vec!["P\u{1b}".into()],
            url: "docs/old\u{1b}[2J.md#bell".into(),
            score: 1.0,
            language: None,
            snippet: String::new(),
            excerpt: Excerpt {
                highlights: vec![0..6, 11..14],
                text,
            },
            ordinal: 0,
            explain: None,
            hybrid: None,
        }
    }

    fn printed(response: &SearchResponse, as_text: bool) -> String {
        let mut out = Vec::new();
        if as_text {
            text(&mut out, response).unwrap();
        } else {
            trec(&mut out, "1", response).unwrap();
        }
        // Our own styles are stripped where colour is off, as anstream
        // does on stdout: what is left is what the index gave.
        anstream::adapter::strip_str(&String::from_utf8(out).unwrap()).to_string()
    }

    /// `search` printed the control characters of titles and text raw: a
    /// page could set the terminal's title or clear the screen.
    #[test]
    fn control_characters_from_the_index_are_printed_escaped() {
        let mut response = SearchResponse {
            hits: vec![hostile_hit()],
            total: 1,
            suggestion: Some("quokka\u{1b}[2J".into()),
            ..SearchResponse::default()
        };
        for out in [printed(&response, true), printed(&response, false)] {
            assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
            assert!(out.contains("\\x1b"), "{out}");
        }
        let hit = hostile_hit();
        response.groups = Some(vec![rubric_index::Group {
            article: hit.article.clone(),
            title: hit.title.clone(),
            url: hit.url.clone(),
            score: 1.0,
            sections: vec![hit],
        }]);
        let out = printed(&response, true);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }
    /// The parts of a section split for length share its id: a TREC run
    /// listed `huge.txt` once per part, which scorers reject as duplicates.
    #[test]
    fn a_trec_run_lists_the_parts_of_a_split_section_once() {
        let part = |score: f32, ordinal: u32| Hit {
            id: "huge.txt".into(),
            article: "huge.txt".into(),
            score,
            ordinal,
            ..hostile_hit()
        };
        let mut other = part(0.5, 0);
        other.id = "other.txt".into();
        let response = SearchResponse {
            hits: vec![part(3.0, 7), part(2.0, 2), other, part(0.1, 9)],
            total: 4,
            ..SearchResponse::default()
        };
        assert_eq!(
            printed(&response, false),
            "1 Q0 huge.txt 1 3 rubric\n1 Q0 other.txt 2 0.5 rubric\n"
        );
    }
}
