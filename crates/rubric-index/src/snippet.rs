//! Snippets: the piece of a section's text shown under a hit, with the
//! matched terms marked.
//!
//! [`Excerpt`] is the plain form (text plus highlight byte ranges) that a
//! terminal renderer walks with [`Excerpt::pieces`]; [`Excerpt::to_html`] is
//! the escaped form with `<mark>` that `search --json` prints. Matches are
//! where the index says the query's terms are: the token positions of each
//! term in the hit's text, read from the postings ([`locate`]), turned into
//! byte ranges by one scan of the text that splits words as the index's
//! tokenizer does and stops after the last match — no word is analysed
//! again. So a stemmed or fuzzy term marks every form of the word, and a
//! phrase is marked whole and only where its words stand together.
//! The fragment with the most distinct terms wins; when the terms
//! are far apart, two shorter fragments joined by `…`. Fragments start and
//! end on word boundaries (or a sentence start). When the text has no match
//! (only the title or heading matched) the excerpt is the start of the text.
//! This module does not choose which terms match: that is `rank`'s.

use std::collections::BTreeMap;
use std::ops::Range;

use rubric_core::text::escape_html_into;
use tantivy::snippet::collapse_overlapped_ranges;

use crate::rank::Highlight;

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
                escape_html_into(&mut html, piece);
                html.push_str("</mark>");
            } else {
                escape_html_into(&mut html, piece);
            }
        }
        html
    }
}

/// Chars of context kept before the first match of a fragment, at most.
const LEAD_IN: usize = 40;

/// One place in the text where the query matched.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Match {
    range: Range<usize>,
    /// Which query term or phrase it is (distinct ones count more).
    key: usize,
    weight: f32,
}

/// The excerpt of `text` for a hit whose terms stand at `positions` (term →
/// its token positions in `text`, sorted, as the index holds them).
pub(crate) fn excerpt_at(
    text: &str,
    highlight: &Highlight,
    positions: &BTreeMap<String, Vec<u32>>,
    max_chars: usize,
) -> Excerpt {
    excerpt_of(text, locate(text, highlight, positions), max_chars)
}

/// The excerpt of `text` for `highlight`, found by analysing the whole text
/// as the index does: what [`excerpt_at`] gives without the postings (the
/// reference it is tested against).
#[cfg(test)]
pub(crate) fn excerpt(text: &str, highlight: &Highlight, max_chars: usize) -> Excerpt {
    excerpt_of(text, find_matches(text, highlight), max_chars)
}

/// The excerpt of `text` with these matches: the fragment(s) with the most
/// distinct query terms and phrases, about `max_chars` in all, cut on word
/// boundaries, with every match marked; two fragments joined by `…` when the
/// terms are far apart. The start of `text` when nothing in it matches.
fn excerpt_of(text: &str, matches: Vec<Match>, max_chars: usize) -> Excerpt {
    let max_chars = max_chars.max(1);
    if matches.is_empty() {
        return lead_excerpt(text, max_chars);
    }
    let chars = CharIndex::new(text);
    if chars.len() <= max_chars {
        return render(text, &chars, &[(0, text.len())], &matches);
    }
    let one = best_window(text, &chars, &matches, max_chars, &[]);
    let covered = keys_in(&matches, &[one]);
    let all_keys: std::collections::BTreeSet<usize> = matches.iter().map(|m| m.key).collect();
    let half = max_chars / 2;
    let windows = if covered.len() < all_keys.len() && half >= 40 {
        let first = best_window(text, &chars, &matches, half, &[]);
        let second = best_window(text, &chars, &matches, half, &[first]);
        let mut two = vec![first, second];
        two.sort_unstable();
        if two[0].1 < two[1].0 && keys_in(&matches, &two).len() > covered.len() {
            two
        } else {
            vec![one]
        }
    } else {
        vec![one]
    };
    render(text, &chars, &windows, &matches)
}

/// Every match of the query's terms and phrases in `text`, from where the
/// index says each term stands (`positions`: term → its token positions in
/// `text`, sorted). A phrase matches where its terms stand one after the
/// other. One scan of `text` finds the byte ranges of the tokens needed, and
/// stops after the last.
pub(crate) fn locate(
    text: &str,
    highlight: &Highlight,
    positions: &BTreeMap<String, Vec<u32>>,
) -> Vec<Match> {
    let none = Vec::new();
    let at = |term: &str| positions.get(term).unwrap_or(&none);
    // (first token, tokens spanned, key, weight)
    let mut wanted: Vec<(u32, u32, usize, f32)> = Vec::new();
    for (key, (term, weight)) in highlight.terms.iter().enumerate() {
        wanted.extend(at(term).iter().map(|&p| (p, 1, key, *weight)));
    }
    let keys = highlight.terms.len();
    for (p, phrase) in highlight.phrases.iter().enumerate() {
        let Some((first, rest)) = phrase.split_first() else {
            continue;
        };
        let len = u32::try_from(phrase.len()).unwrap_or(u32::MAX);
        for &start in at(first) {
            let together = rest.iter().zip(1u32..).all(|(term, i)| {
                start
                    .checked_add(i)
                    .is_some_and(|want| at(term).binary_search(&want).is_ok())
            });
            if together {
                wanted.push((start, len, keys + p, 2.0 * phrase.len() as f32));
            }
        }
    }
    // The tokens whose start or end is needed, in order.
    let mut needed: Vec<u32> = wanted
        .iter()
        .flat_map(|&(p, len, _, _)| [p, p.saturating_add(len - 1)])
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let spans = token_spans(text, &needed);
    let span = |token: u32| {
        needed
            .binary_search(&token)
            .ok()
            .and_then(|i| spans.get(i).cloned().flatten())
    };
    let mut out: Vec<Match> = wanted
        .into_iter()
        .filter_map(|(p, len, key, weight)| {
            let first = span(p)?;
            let last = span(p.saturating_add(len - 1))?;
            Some(Match {
                range: first.start..last.end,
                key,
                weight,
            })
        })
        .collect();
    out.sort_by_key(|m| (m.range.start, m.range.end));
    out
}

/// The byte ranges of the tokens numbered `needed` (sorted, distinct), as
/// the index's tokenizer numbers them: runs of alphanumeric characters,
/// from 0. `None` for a number past the last token.
fn token_spans(text: &str, needed: &[u32]) -> Vec<Option<Range<usize>>> {
    let mut spans = Vec::with_capacity(needed.len());
    let Some(&last) = needed.last() else {
        return spans;
    };
    let mut want = needed.iter().copied().peekable();
    let mut token: u32 = 0;
    let mut start: Option<usize> = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                if want.peek() == Some(&token) {
                    want.next();
                    spans.push(Some(from..at));
                }
                if token == last {
                    break;
                }
                token += 1;
                start = None;
            }
            _ => {}
        }
    }
    spans.resize(needed.len(), None);
    spans
}

/// Every match of the query's terms and phrases in `text`, found by
/// analysing it (the reference for [`locate`]).
#[cfg(test)]
fn find_matches(text: &str, highlight: &Highlight) -> Vec<Match> {
    // The English stemmer never changes a word's first letter, so a word can
    // only stem to a query term that starts like it: the others are not
    // stemmed at all (they match nothing either way).
    let firsts: std::collections::BTreeSet<char> = highlight
        .terms
        .keys()
        .chain(highlight.phrases.iter().flatten())
        .filter_map(|t| t.chars().next())
        .collect();
    let (mut words, mut stemmer) = crate::analysis::Analysis::English.split();
    let mut stream = words.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(t) = stream.next() {
        let stemmed = match t.text.chars().next() {
            Some(first) if firsts.contains(&first) => {
                let mut one = stemmer.token_stream(&t.text);
                match one.next() {
                    Some(s) => s.text.clone(),
                    None => String::new(),
                }
            }
            _ => String::new(),
        };
        tokens.push((t.offset_from..t.offset_to, stemmed, t.position));
    }
    let mut out = Vec::new();
    let terms: Vec<(&String, &f32)> = highlight.terms.iter().collect();
    for (range, term, _) in &tokens {
        if let Ok(key) = terms.binary_search_by(|(t, _)| t.as_str().cmp(term)) {
            out.push(Match {
                range: range.clone(),
                key,
                weight: *terms[key].1,
            });
        }
    }
    for (p, phrase) in highlight.phrases.iter().enumerate() {
        if phrase.is_empty() {
            continue;
        }
        for (i, window) in tokens.windows(phrase.len()).enumerate() {
            let same = window.iter().zip(phrase).all(|((_, t, _), want)| t == want);
            let adjacent = window.windows(2).all(|w| w[1].2 == w[0].2 + 1);
            if same && adjacent {
                let start = tokens[i].0.start;
                let end = window[window.len() - 1].0.end;
                out.push(Match {
                    range: start..end,
                    key: terms.len() + p,
                    weight: 2.0 * phrase.len() as f32,
                });
            }
        }
    }
    out.sort_by_key(|m| (m.range.start, m.range.end));
    out
}

/// Distinct keys of the matches inside `windows`.
fn keys_in(matches: &[Match], windows: &[(usize, usize)]) -> std::collections::BTreeSet<usize> {
    matches
        .iter()
        .filter(|m| {
            windows
                .iter()
                .any(|&(s, e)| m.range.start >= s && m.range.end <= e)
        })
        .map(|m| m.key)
        .collect()
}

/// The byte range of about `len` chars, starting a little before a match,
/// that holds the most distinct matches (weighted) not already in `taken`.
/// `matches` are sorted by start, so each window counts only the matches
/// from its start on.
fn best_window(
    text: &str,
    chars: &CharIndex,
    matches: &[Match],
    len: usize,
    taken: &[(usize, usize)],
) -> (usize, usize) {
    let already = keys_in(matches, taken);
    let overlaps_taken = |m: &Match| {
        taken
            .iter()
            .any(|&(s, e)| m.range.start < e && m.range.end > s)
    };
    let keys = matches.iter().map(|m| m.key + 1).max().unwrap_or(0);
    let mut seen = vec![false; keys];
    let mut best: Option<((usize, usize), f32)> = None;
    for m in matches {
        if overlaps_taken(m) {
            continue;
        }
        let window = window_at(text, chars, m.range.start, len);
        seen.iter_mut().for_each(|s| *s = false);
        let mut score = 0.0;
        let from = matches.partition_point(|o| o.range.start < window.0);
        for other in matches[from..]
            .iter()
            .take_while(|o| o.range.start < window.1)
        {
            if other.range.end > window.1 || overlaps_taken(other) {
                continue;
            }
            if !already.contains(&other.key) && !seen[other.key] {
                seen[other.key] = true;
                score += other.weight;
            } else {
                score += 0.05;
            }
        }
        if best.as_ref().is_none_or(|(_, b)| score > *b) {
            best = Some((window, score));
        }
    }
    best.map_or((0, text.len().min(chars.byte_at(len))), |(w, _)| w)
}

/// A window of about `len` chars holding the byte `at`: it starts up to
/// [`LEAD_IN`] chars before, on a word start (or a sentence start when one
/// is that close), and ends on a word end.
fn window_at(text: &str, chars: &CharIndex, at: usize, len: usize) -> (usize, usize) {
    let at_char = chars.char_of(at);
    let lead = LEAD_IN.min(len / 4);
    let mut start_char = at_char.saturating_sub(lead);
    // Do not run past the end: pull the start back when near it.
    if start_char + len > chars.len() {
        start_char = chars.len().saturating_sub(len);
    }
    let mut start = chars.byte_at(start_char);
    if start > 0 {
        let before = &text[start..at];
        // A sentence start in the lead-in wins; else the next word start.
        if let Some(dot) = before.rfind(". ") {
            start += dot + 2;
        } else if !text[..start].ends_with(char::is_whitespace) {
            start = before
                .find(char::is_whitespace)
                .map_or(at, |ws| start + ws + 1);
        }
        start = start.min(at);
    }
    let end_char = chars.char_of(start) + len;
    let mut end = chars.byte_at(end_char.min(chars.len()));
    if end < text.len() && !text[end..].starts_with(char::is_whitespace) {
        end = text[..end]
            .rfind(char::is_whitespace)
            .filter(|&ws| ws > at)
            .unwrap_or(end);
    }
    (start, end.max(start))
}

/// The windows' text, joined and marked.
fn render(
    text: &str,
    _chars: &CharIndex,
    windows: &[(usize, usize)],
    matches: &[Match],
) -> Excerpt {
    let mut out = String::new();
    let mut highlights = Vec::new();
    for (i, &(start, end)) in windows.iter().enumerate() {
        let body = &text[start..end];
        let trimmed_start = start + (body.len() - body.trim_start().len());
        let trimmed_end = start + body.trim_end().len();
        if i == 0 && trimmed_start > 0 && text[..start].chars().any(char::is_alphanumeric) {
            out.push_str(ELLIPSIS);
        } else if i > 0 {
            out.push(' ');
            out.push_str(ELLIPSIS);
            out.push(' ');
        }
        let shift = out.len() as isize - trimmed_start as isize;
        out.push_str(&text[trimmed_start..trimmed_end]);
        highlights.extend(
            matches
                .iter()
                .filter(|m| m.range.start >= trimmed_start && m.range.end <= trimmed_end)
                .map(|m| {
                    let s = (m.range.start as isize + shift) as usize;
                    let e = (m.range.end as isize + shift) as usize;
                    s..e
                }),
        );
        if i + 1 == windows.len() && text[trimmed_end..].chars().any(char::is_alphanumeric) {
            out.push_str(ELLIPSIS);
        }
    }
    highlights.sort_by_key(|r| (r.start, r.end));
    Excerpt {
        text: one_line(out),
        highlights: collapse_overlapped_ranges(&highlights),
    }
}

/// Counting a text in chars: the byte offset of each char, kept only when
/// the text is not ASCII (in ASCII, chars are bytes).
struct CharIndex {
    starts: Option<Vec<usize>>,
    len_bytes: usize,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        CharIndex {
            starts: (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect()),
            len_bytes: text.len(),
        }
    }

    fn len(&self) -> usize {
        self.starts.as_ref().map_or(self.len_bytes, Vec::len)
    }

    /// Byte offset of char `n` (the text's length past the end).
    fn byte_at(&self, n: usize) -> usize {
        match &self.starts {
            Some(starts) => starts.get(n).copied().unwrap_or(self.len_bytes),
            None => n.min(self.len_bytes),
        }
    }

    /// Index of the char at or before byte `at`.
    fn char_of(&self, at: usize) -> usize {
        match &self.starts {
            Some(starts) => match starts.binary_search(&at) {
                Ok(n) => n,
                Err(n) => n.saturating_sub(1),
            },
            None => at.min(self.len_bytes),
        }
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

    /// The excerpt of `text` for `terms` (indexed form) and `phrases`, as HTML.
    fn cut(text: &str, terms: &[&str], phrases: &[&[&str]], max: usize) -> String {
        let highlight = Highlight {
            terms: terms.iter().map(|t| (t.to_string(), 1.0)).collect(),
            phrases: phrases
                .iter()
                .map(|p| p.iter().map(|t| t.to_string()).collect())
                .collect(),
        };
        excerpt(text, &highlight, max).to_html()
    }

    #[test]
    fn the_split_analyzer_gives_what_the_index_analyzer_gives() {
        let text =
            "Dying skies: the hoping CAFÉ's Probiotics, ugly ties; 2.1 Diets — naïve X-rays.";
        let mut full = crate::analysis::Analysis::English.analyzer();
        let mut stream = full.token_stream(text);
        let mut expected = Vec::new();
        while let Some(t) = stream.next() {
            expected.push(t.text.clone());
        }
        let (mut words, mut stemmer) = crate::analysis::Analysis::English.split();
        let mut stream = words.token_stream(text);
        let mut got = Vec::new();
        while let Some(t) = stream.next() {
            let mut one = stemmer.token_stream(&t.text);
            let stem = one.next().map(|s| s.text.clone()).unwrap_or_default();
            assert_eq!(stem.chars().next(), t.text.chars().next(), "{}", t.text);
            got.push(stem);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn stems_mark_every_form() {
        let html = cut(
            "Probiotics help. A probiotic a day.",
            &["probiot"],
            &[],
            200,
        );
        assert_eq!(
            html,
            "<mark>Probiotics</mark> help. A <mark>probiotic</mark> a day."
        );
    }

    #[test]
    fn phrases_are_marked_whole_and_only_together() {
        let html = cut(
            "A gut that leaks: a leaky gut.",
            &[],
            &[&["leaki", "gut"]],
            200,
        );
        assert_eq!(html, "A gut that leaks: a <mark>leaky gut</mark>.");
    }

    #[test]
    fn long_texts_are_cut_on_words_with_ellipses() {
        let text = format!(
            "{} eczema is common {}",
            "word ".repeat(60),
            "more ".repeat(60)
        );
        let html = cut(&text, &["eczema"], &[], 60);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>eczema</mark>"), "{html}");
        assert!(!html.contains("wor…") && !html.contains(" or "), "{html}");
    }

    #[test]
    fn far_apart_terms_get_two_fragments() {
        let text = format!(
            "Acne starts here. {} Rosacea ends it.",
            "filler text ".repeat(50)
        );
        let html = cut(&text, &["acn", "rosacea"], &[], 120);
        assert!(
            html.contains("<mark>Acne</mark>") && html.contains("<mark>Rosacea</mark>"),
            "{html}"
        );
        assert!(html.contains(" … "), "{html}");
    }

    #[test]
    fn no_match_gives_the_start() {
        assert_eq!(
            cut("Plain words here.", &["zzz"], &[], 200),
            "Plain words here."
        );
    }

    #[test]
    fn lead_excerpt_counts_characters_not_bytes() {
        assert_eq!(lead_excerpt("éééé ééé", 4).text, "éééé…");
    }
}
