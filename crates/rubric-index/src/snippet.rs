//! Snippets: the piece of a section's text shown under a hit, with the
//! matched terms marked.
//!
//! [`Excerpt`] is the plain form (text plus highlight byte ranges) that a
//! terminal renderer walks with [`Excerpt::pieces`]; [`Excerpt::to_html`] is
//! the escaped form with `<mark>` that `search --json` prints. Tantivy's
//! `SnippetGenerator` picks the best fragment; when the text has no match
//! (only the title or heading matched) the excerpt is the start of the text,
//! cut on a word boundary. This module does not choose which terms match:
//! that is the query's business (`search`).

use std::ops::Range;

use tantivy::snippet::{SnippetGenerator, collapse_overlapped_ranges};

/// Default snippet length, in characters.
pub const DEFAULT_SNIPPET_CHARS: usize = 200;

/// Marks a cut at either end of an excerpt.
const ELLIPSIS: &str = "…";

/// A short piece of text with the matched terms located in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excerpt {
    /// Plain text on one line (line breaks become spaces), with `…` where it
    /// was cut from a longer text.
    pub text: String,
    /// Byte ranges of matched terms in `text`: sorted, not overlapping, on
    /// character boundaries.
    pub highlights: Vec<Range<usize>>,
}

impl Excerpt {
    /// The text in order as `(piece, highlighted)` pairs; concatenating the
    /// pieces gives back [`Excerpt::text`]. Empty pieces are skipped.
    ///
    /// ```
    /// # use rubric_index::Excerpt;
    /// let e = Excerpt { text: "a gut feeling".into(), highlights: vec![2..5] };
    /// let pieces: Vec<_> = e.pieces().collect();
    /// assert_eq!(pieces, [("a ", false), ("gut", true), (" feeling", false)]);
    /// ```
    pub fn pieces(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        let mut out = Vec::with_capacity(self.highlights.len() * 2 + 1);
        let mut at = 0;
        for range in &self.highlights {
            out.push((&self.text[at..range.start], false));
            out.push((&self.text[range.clone()], true));
            at = range.end;
        }
        out.push((&self.text[at..], false));
        out.into_iter().filter(|(piece, _)| !piece.is_empty())
    }

    /// HTML-escaped text with `<mark>…</mark>` around each highlight.
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(self.text.len() + self.highlights.len() * 13);
        for (piece, marked) in self.pieces() {
            if marked {
                html.push_str("<mark>");
                escape_into(&mut html, piece);
                html.push_str("</mark>");
            } else {
                escape_into(&mut html, piece);
            }
        }
        html
    }
}

/// The excerpt of `text` for a hit: the best fragment with matches of the
/// query (at most about `max_chars`), else the start of `text`.
pub(crate) fn excerpt(generator: &SnippetGenerator, text: &str, max_chars: usize) -> Excerpt {
    let snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        return lead_excerpt(text, max_chars);
    }
    let range = snippet.fragment_range();
    // Tantivy cuts on token boundaries; punctuation alone before or after the
    // fragment ("- ", a final ".") is kept rather than replaced by "…".
    let words = |s: &str| s.chars().any(char::is_alphanumeric);
    let start = if words(&text[..range.start]) {
        range.start
    } else {
        0
    };
    let end = if words(&text[range.end..]) {
        range.end
    } else {
        text.len()
    };
    let mut out = String::with_capacity(end - start + 2 * ELLIPSIS.len());
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    let body = text[start..end].trim_start();
    // Where the fragment's first byte lands in `out`.
    let shift = out.len() + range.start - (end - body.len());
    out.push_str(body);
    if end < text.len() {
        out.push_str(ELLIPSIS);
    }
    let highlights = collapse_overlapped_ranges(snippet.highlighted())
        .into_iter()
        .map(|r| r.start + shift..r.end + shift)
        .collect();
    Excerpt {
        text: one_line(out),
        highlights,
    }
}

/// The first `max_chars` characters of `text`, cut after the last whole
/// word, with `…` when something was left out. No highlights.
pub(crate) fn lead_excerpt(text: &str, max_chars: usize) -> Excerpt {
    let text = text.trim();
    let cut = match text.char_indices().nth(max_chars) {
        None => {
            return Excerpt {
                text: one_line(text.to_string()),
                highlights: Vec::new(),
            };
        }
        Some((at, _)) => at,
    };
    // Cut at the last whitespace when the limit falls inside a word.
    let end = if text[cut..].starts_with(char::is_whitespace) {
        cut
    } else {
        text[..cut]
            .rfind(char::is_whitespace)
            .filter(|&at| at > 0)
            .unwrap_or(cut)
    };
    let mut out = text[..end].trim_end().to_string();
    out.push_str(ELLIPSIS);
    Excerpt {
        text: one_line(out),
        highlights: Vec::new(),
    }
}

/// Line breaks become spaces; byte offsets do not move.
fn one_line(mut text: String) -> String {
    if text.contains(['\n', '\r']) {
        text = text.replace(['\n', '\r'], " ");
    }
    text
}

fn escape_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_marks_and_escapes() {
        let e = Excerpt {
            text: "<script>gut & skin</script>".into(),
            highlights: vec![Range { start: 8, end: 11 }],
        };
        assert_eq!(
            e.to_html(),
            "&lt;script&gt;<mark>gut</mark> &amp; skin&lt;/script&gt;"
        );
    }

    #[test]
    fn lead_excerpt_cuts_on_a_word() {
        assert_eq!(lead_excerpt("short text", 200).text, "short text");
        assert_eq!(lead_excerpt("alpha beta gamma", 8).text, "alpha…");
        assert_eq!(lead_excerpt("alpha beta gamma", 10).text, "alpha beta…");
        assert_eq!(lead_excerpt("unbreakable", 4).text, "unbr…");
        assert_eq!(
            lead_excerpt("line one\nline two", 200).text,
            "line one line two"
        );
        assert_eq!(lead_excerpt("", 200).text, "");
    }

    #[test]
    fn lead_excerpt_counts_characters_not_bytes() {
        assert_eq!(lead_excerpt("éééé ééé", 4).text, "éééé…");
    }
}
