//! [`IndexReader::suggest`]: "did you mean …?" for a query whose words the
//! index does not know.
//!
//! Each plain word of the query (not an operator, a field name, a `tag:` or
//! `source:` value or an excluded word; words inside `"phrases"` count) of
//! four letters or more whose analyzed term is in no section of the fields
//! it searches is corrected to the closest term of the index's term
//! dictionary, found with a Levenshtein automaton (edit distance 1 for four
//! letters, 2 from five: a suggestion is only offered, never applied
//! silently). Closer terms win, then terms in more sections. The dictionary
//! holds stems, so the word shown is a real one: the form, in a section
//! holding the term, that is closest to what was typed ("probitoics" →
//! `probiot` → "probiotics"), in the typed word's case.
//!
//! In an index of several languages a word is unknown when no language's
//! analysis of it is in the index, and its correction is the best found
//! among every language's terms (each read back as a word through its own
//! analysis).
//!
//! The rest of the query is kept as typed, and a suggestion is only made
//! when the corrected query has hits. Its cost is a few dictionary lookups
//! per word when every word is known (the usual case), and otherwise one
//! automaton walk per unknown word, a few stored sections and one counting
//! search: no scan of all documents.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use levenshtein_automata::Distance;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use crate::analysis::Analysis;
use crate::fuzzy::{Lev, levenshtein_builder};
use crate::query::{self, Node, Occur, Scope};
use crate::{IndexError, IndexReader, MAX_QUERY_CHARS, Ranking};

/// Words shorter than this (in letters) are never corrected.
const MIN_LETTERS: usize = 4;
/// From this many letters a word may be two edits away from its correction.
const TWO_EDITS_FROM: usize = 5;
/// At most this many words of a query are looked at, and at most this many
/// corrected: a pasted page of text stays cheap.
const MAX_WORDS: usize = 64;
const MAX_CORRECTIONS: usize = 8;
/// The best few terms of a word are read back as words.
const MAX_CANDIDATES: usize = 8;
/// Prefixes of a word down to this many letters shorter are looked up too.
const MAX_CUT: usize = 4;
/// Stored sections read to find a term's surface form.
const MAX_SURFACE_DOCS: usize = 3;

/// A run of letters and digits in the query that is searched for: where it
/// is in the query text and which fields it searches.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    range: Range<usize>,
    scope: Scope,
}

/// The searched words of `text`, in order, as [`query::parse`] reads them
/// (so a malformed query gives its plain words, as `search` does), each
/// with its place in `text` so that it can be replaced there: operators,
/// field names, filter values and excluded words are left out.
fn slots(text: &str) -> Vec<Slot> {
    let parsed = query::parse(text);
    let mut leaves = Vec::new();
    leaves_in_order(&parsed.node, false, &mut leaves);
    let mut out = Vec::new();
    // The parser keeps the words as typed and in order: each is found
    // after the previous one.
    let mut at = 0;
    for (scope, word, searched) in leaves {
        let Some(found) = text.get(at..).and_then(|rest| rest.find(word)) else {
            continue;
        };
        let start = at + found;
        at = start + word.len();
        if searched {
            runs(text, start..at, scope, &mut out);
        }
    }
    out
}

/// The words, phrases and filter values of `node` in order: (scope, text,
/// whether it is searched for rather than excluded or a filter).
fn leaves_in_order<'a>(node: &'a Node, excluded: bool, out: &mut Vec<(Scope, &'a str, bool)>) {
    match node {
        Node::Word { scope, text } | Node::Phrase { scope, text } => {
            out.push((*scope, text, !excluded));
        }
        Node::Filter { value, .. } => out.push((Scope::All, value, false)),
        Node::Bool(clauses) => {
            for (occur, child) in clauses {
                leaves_in_order(child, excluded || *occur == Occur::MustNot, out);
            }
        }
    }
}

/// The runs of letters and digits of `text[range]` (the analyzer's words).
fn runs(text: &str, range: Range<usize>, scope: Scope, out: &mut Vec<Slot>) {
    let Some(part) = text.get(range.clone()) else {
        return;
    };
    let mut start = None;
    for (i, c) in part
        .char_indices()
        .chain(std::iter::once((part.len(), ' ')))
    {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Slot {
                    range: range.start + s..range.start + i,
                    scope,
                });
                start = None;
            }
            _ => {}
        }
    }
}

impl IndexReader {
    /// A corrected query ("did you mean …?") for `query`, or `None`.
    ///
    /// `total` is how many sections `query` matched as typed (with the same
    /// `filters`). A suggestion is looked for when it matched nothing, or
    /// when every word it searches is unknown to the index, so that every
    /// hit came from typo matching; when `total > 0` and a word is known,
    /// this returns `None` after a few dictionary lookups. The suggestion
    /// keeps the query's operators, fields, phrases and other words as
    /// typed, differs from it and has hits with `filters`.
    pub(crate) fn suggest(
        &self,
        query: &str,
        filters: &[String],
        ranking: &Ranking,
        language: Option<&str>,
        total: usize,
    ) -> Result<Option<String>, IndexError> {
        let text = query.trim();
        if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let (analyses, _) = self.query_analyses(&searcher, language)?;
        let mut analyzers: Vec<(Analysis, TextAnalyzer)> =
            analyses.iter().map(|&a| (a, a.analyzer())).collect();
        // Each searched word with its term in each analysis, and whether
        // the index knows it.
        let mut unknown: Vec<(Slot, Vec<(Analysis, String)>)> = Vec::new();
        let mut any_known = false;
        for slot in slots(text).into_iter().take(MAX_WORDS) {
            let Some(word) = text.get(slot.range.clone()) else {
                continue;
            };
            let mut terms = Vec::new();
            let mut df: u64 = 0;
            for (analysis, analyzer) in &mut analyzers {
                let Some(term) = one_term(analyzer, word) else {
                    continue;
                };
                df += self
                    .fields
                    .text_fields(*analysis)
                    .in_scope(slot.scope)
                    .into_iter()
                    .map(|field| {
                        searcher
                            .doc_freq(&Term::from_field_text(field, &term))
                            .unwrap_or(0)
                    })
                    .sum::<u64>();
                terms.push((*analysis, term));
            }
            if terms.is_empty() {
                continue;
            }
            if df > 0 {
                any_known = true;
                if total > 0 {
                    return Ok(None);
                }
            } else {
                unknown.push((slot, terms));
            }
        }
        if unknown.is_empty() || (total > 0 && any_known) {
            return Ok(None);
        }
        let mut corrections: Vec<(Range<usize>, String)> = Vec::new();
        for (slot, terms) in &unknown {
            if corrections.len() == MAX_CORRECTIONS {
                break;
            }
            let Some(typed) = text.get(slot.range.clone()) else {
                continue;
            };
            let letters = typed.chars().count();
            if letters < MIN_LETTERS || !typed.chars().all(char::is_alphabetic) {
                continue;
            }
            // The best correction in any language: fewer edits, then more
            // sections.
            let mut best: Option<(usize, u64, String)> = None;
            for (analysis, term) in terms {
                let found = self.correct(&searcher, typed, term, slot.scope, *analysis)?;
                if let Some((edits, df, word)) = found
                    && best.as_ref().is_none_or(|(e, d, _)| {
                        (edits, std::cmp::Reverse(df)) < (*e, std::cmp::Reverse(*d))
                    })
                {
                    best = Some((edits, df, word));
                }
            }
            if let Some((_, _, word)) = best {
                corrections.push((slot.range.clone(), word));
            }
        }
        if corrections.is_empty() {
            return Ok(None);
        }
        let mut corrected = String::with_capacity(text.len() + 8);
        let mut at = 0;
        for (range, word) in &corrections {
            corrected.push_str(text.get(at..range.start).unwrap_or(""));
            corrected.push_str(word);
            at = range.end;
        }
        corrected.push_str(text.get(at..).unwrap_or(""));
        if corrected == text {
            return Ok(None);
        }
        match self.count(&corrected, filters, ranking, language) {
            Ok(total) if total > 0 => Ok(Some(corrected)),
            Ok(_) | Err(IndexError::Query { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The best correction of the word `typed` (analyzed by `analysis` to
    /// `term`, known to no section) among the terms of that analysis's
    /// fields of `scope`, as a word: (edits from what was typed, sections
    /// holding it, the word).
    fn correct(
        &self,
        searcher: &Searcher,
        typed: &str,
        term: &str,
        scope: Scope,
        analysis: Analysis,
    ) -> Result<Option<(usize, u64, String)>, IndexError> {
        let err = |e: std::io::Error| IndexError::io(&self.path, e);
        let max = if typed.chars().count() >= TWO_EDITS_FROM {
            2
        } else {
            1
        };
        let lower = typed.to_lowercase();
        // What to look for: the stem, the word itself folded but not
        // stemmed (a misspelt word may stem oddly), and, one edit away, the
        // folded word's longer prefixes, since the index holds stems: the
        // typed "dermatitus" does not stem like "dermatitis" (`dermat`), but
        // starts like it. (target, edits allowed, letters cut off)
        let mut targets: Vec<(String, u8, usize)> = vec![(term.to_string(), max, 0)];
        let (mut words, _) = analysis.split();
        if let Some(folded) = one_term(&mut words, typed) {
            let letters = folded.chars().count();
            let shortest = letters.saturating_sub(MAX_CUT).max(MIN_LETTERS);
            for (cut, (at, _)) in folded.char_indices().enumerate().skip(shortest) {
                targets.push((folded[..at].to_string(), 1, letters - cut));
            }
            if folded != term {
                targets.push((folded, max, 0));
            }
        }
        let fields = self.fields.text_fields(analysis).in_scope(scope);
        // Term → the closest (edits, letters cut off) it was found at.
        let mut near: BTreeMap<String, (u8, usize)> = BTreeMap::new();
        for (target, edits, cut) in &targets {
            let dfa = levenshtein_builder(*edits).build_dfa(target);
            for segment in searcher.segment_readers() {
                for &field in &fields {
                    let inverted = segment
                        .inverted_index(field)
                        .map_err(|e| IndexError::tantivy(&self.path, e))?;
                    let mut stream = inverted
                        .terms()
                        .search(Lev(&dfa))
                        .into_stream()
                        .map_err(err)?;
                    while stream.advance() {
                        let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                            continue;
                        };
                        if candidate == term {
                            continue;
                        }
                        if let Distance::Exact(d) = dfa.eval(candidate) {
                            let best = near.entry(candidate.to_string()).or_insert((d, *cut));
                            *best = (*best).min((d, *cut));
                        }
                    }
                }
            }
        }
        let mut ranked: Vec<((u8, usize), u64, String)> = near
            .into_iter()
            .map(|(candidate, closeness)| {
                let df = fields
                    .iter()
                    .map(|&field| {
                        searcher
                            .doc_freq(&Term::from_field_text(field, &candidate))
                            .unwrap_or(0)
                    })
                    .sum();
                (closeness, df, candidate)
            })
            .filter(|(_, df, _)| *df > 0)
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        // The best few terms as words: the word closest to what was typed
        // wins, then the term in more sections. A term found through a
        // prefix must give a word within the edits allowed.
        let mut best: Option<(usize, u64, String)> = None;
        for ((_, cut), df, candidate) in ranked.into_iter().take(MAX_CANDIDATES) {
            let Some(surface) = self.surface(searcher, &candidate, &fields, &lower, analysis)?
            else {
                continue;
            };
            let edits = distance(&surface, &lower);
            if (cut > 0 && edits > usize::from(max)) || edits == 0 {
                continue;
            }
            let word = in_case_of(typed, &surface);
            // Never turn a word into an operator.
            if matches!(word.as_str(), "AND" | "OR" | "NOT") {
                continue;
            }
            if best.as_ref().is_none_or(|(e, d, _)| {
                (edits, std::cmp::Reverse(df)) < (*e, std::cmp::Reverse(*d))
            }) {
                best = Some((edits, df, word));
            }
        }
        Ok(best)
    }

    /// A word (lower case) that `analysis` analyzes to `term`, read from a
    /// few live sections holding it in one of `fields`: the one closest to
    /// `typed`, then the most frequent.
    fn surface(
        &self,
        searcher: &Searcher,
        term: &str,
        fields: &[Field],
        typed: &str,
        analysis: Analysis,
    ) -> Result<Option<String>, IndexError> {
        let mut found: HashMap<String, usize> = HashMap::new();
        let (mut words, mut stemmer) = analysis.split();
        let first = term
            .chars()
            .next()
            .filter(|_| analysis.keeps_first_letter());
        let mut read = 0;
        'fields: for &field in fields {
            let t = Term::from_field_text(field, term);
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                let inverted = segment
                    .inverted_index(field)
                    .map_err(|e| IndexError::tantivy(&self.path, e))?;
                let Some(mut postings) = inverted
                    .read_postings(&t, IndexRecordOption::Basic)
                    .map_err(|e| IndexError::io(&self.path, e))?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !segment.is_deleted(doc) {
                        let address = DocAddress::new(u32::try_from(ord).unwrap_or(u32::MAX), doc);
                        let stored: TantivyDocument = searcher
                            .doc(address)
                            .map_err(|e| IndexError::tantivy(&self.path, e))?;
                        for value in stored.get_all(field).filter_map(|v| v.as_str()) {
                            let mut stream = words.token_stream(value);
                            while let Some(token) = stream.next() {
                                // The English stemmer keeps a word's first letter.
                                if first.is_some() && token.text.chars().next() != first {
                                    continue;
                                }
                                let mut stem = stemmer.token_stream(&token.text);
                                if stem.next().is_some_and(|s| s.text == term)
                                    && let Some(original) =
                                        value.get(token.offset_from..token.offset_to)
                                {
                                    *found.entry(original.to_lowercase()).or_insert(0) += 1;
                                }
                            }
                        }
                        read += 1;
                        if read == MAX_SURFACE_DOCS {
                            break 'fields;
                        }
                    }
                    doc = postings.advance();
                }
            }
        }
        Ok(found
            .into_iter()
            .min_by(|(a, na), (b, nb)| {
                distance(a, typed)
                    .cmp(&distance(b, typed))
                    .then(nb.cmp(na))
                    .then(a.cmp(b))
            })
            .map(|(word, _)| word))
    }
}

/// The one term `analyzer` makes of `word`, `None` when it makes none or
/// several.
fn one_term(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut stream = analyzer.token_stream(word);
    let first = stream.next().map(|t| t.text.clone())?;
    if stream.next().is_some() {
        return None;
    }
    Some(first)
}

/// `word` (lower case) in the case `typed` was written in: all capitals,
/// a capital first letter, or lower case.
fn in_case_of(typed: &str, word: &str) -> String {
    let mut letters = typed.chars().filter(|c| c.is_alphabetic());
    let first_upper = letters.next().is_some_and(char::is_uppercase);
    let rest_upper = typed.chars().filter(|c| c.is_alphabetic()).count() > 1
        && typed
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    if rest_upper {
        return word.to_uppercase();
    }
    if first_upper {
        let mut chars = word.chars();
        return match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
    }
    word.to_string()
}

/// Edit distance between two words, a swap of neighbours counting one
/// (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Levenshtein automaton builders (with transpositions) for distances 1
/// and 2, built once per process.
#[cfg(test)]
mod tests {
    use rubric_core::{Article, Format, SectionBuilder};

    use super::*;
    use crate::IndexWriter;

    fn words(text: &str) -> Vec<&str> {
        slots(text)
            .into_iter()
            .map(|s| &text[s.range])
            .collect::<Vec<_>>()
    }

    #[test]
    fn slots_are_the_searched_words() {
        assert_eq!(words("eczema probiotics"), ["eczema", "probiotics"]);
        assert_eq!(
            words("+gut -acne NOT rosacea \"leaky gut\" AND skin OR hair"),
            ["gut", "leaky", "gut", "skin", "hair"]
        );
        assert_eq!(
            words("heading:rosaeca tag:skin source:corpus/x.txt title:\"gut health\""),
            ["rosaeca", "gut", "health"]
        );
        assert_eq!(words("-(acne eczema) (diet sleep)"), ["diet", "sleep"]);
        assert_eq!(words("tag: \"two words\" gut-skin"), ["gut", "skin"]);
        assert_eq!(
            words("tips:acne http://x.org"),
            ["tips", "acne", "http", "x", "org"]
        );
        let scopes: Vec<Scope> = slots("heading:(acne eczema) text:gut gut")
            .into_iter()
            .map(|s| s.scope)
            .collect();
        assert_eq!(
            scopes,
            [Scope::Heading, Scope::Heading, Scope::Text, Scope::All]
        );
    }

    #[test]
    fn distances_count_swaps_once() {
        assert_eq!(distance("probiotics", "probitoics"), 1);
        assert_eq!(distance("eczema", "exzcema"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("café", "cafe"), 1);
    }

    #[test]
    fn case_follows_the_typed_word() {
        assert_eq!(in_case_of("exzcema", "eczema"), "eczema");
        assert_eq!(in_case_of("Exzcema", "eczema"), "Eczema");
        assert_eq!(in_case_of("EXZCEMA", "eczema"), "ECZEMA");
        assert_eq!(in_case_of("Éxzcema", "éczema"), "Éczema");
    }

    fn index() -> (tempfile::TempDir, IndexReader) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut outline = SectionBuilder::new();
        outline.push_text("How the gut shapes the skin.");
        outline.push_heading(2, "Eczema (Atopic Dermatitis)", None);
        outline.push_text(
            "Eczema is linked to the gut. Probiotics may help; one probiotic was tried.",
        );
        outline.push_heading(2, "Rosacea", None);
        outline.push_text("Rosacea and diet. Probiotics again, and more probiotics.");
        outline.push_heading(2, "Café culture", None);
        outline.push_text("Coffee at the café.");
        let article = Article::new(
            "skin.md",
            "notes/skin.md",
            Format::Markdown,
            "Skin and gut",
            outline.finish(),
        );
        let mut writer = IndexWriter::open(dir.path(), 50_000_000).expect("writer");
        writer.upsert(&article).expect("upsert");
        writer.commit().expect("commit");
        let reader = IndexReader::open(dir.path()).expect("open");
        (dir, reader)
    }

    fn suggest(reader: &IndexReader, query: &str) -> Option<String> {
        let ranking = Ranking::default();
        let total = reader.count(query, &[], &ranking, None).unwrap_or(0);
        reader
            .suggest(query, &[], &ranking, None, total)
            .expect("suggest")
    }

    #[test]
    fn misspelt_words_are_corrected_to_real_words() {
        let (_dir, reader) = index();
        assert_eq!(suggest(&reader, "exzcema").as_deref(), Some("eczema"));
        assert_eq!(suggest(&reader, "Exzcema").as_deref(), Some("Eczema"));
        // The stem is `probiot`: the word shown is the closest real form.
        assert_eq!(
            suggest(&reader, "probitoics").as_deref(),
            Some("probiotics")
        );
        assert_eq!(suggest(&reader, "probiotc").as_deref(), Some("probiotic"));
        // Accents come from the text.
        assert_eq!(suggest(&reader, "cofe").as_deref(), Some("café"));
        // `dermatitis` is indexed as `dermat`, far from the typed stem.
        assert_eq!(
            suggest(&reader, "dermatitus").as_deref(),
            Some("dermatitis")
        );
    }

    #[test]
    fn the_rest_of_the_query_is_kept_as_typed() {
        let (_dir, reader) = index();
        assert_eq!(
            suggest(&reader, "heading:exzcema  -rosacea").as_deref(),
            Some("heading:eczema  -rosacea")
        );
        assert_eq!(
            suggest(&reader, "\"exzcema is\" tag:zzzz").as_deref(),
            None,
            "the filter matches nothing: no hits either way"
        );
        assert_eq!(
            suggest(&reader, "\"exzcema is linked\"").as_deref(),
            Some("\"eczema is linked\"")
        );
        assert_eq!(
            suggest(&reader, "exzcema OR rosacae").as_deref(),
            Some("eczema OR rosacea")
        );
    }

    #[test]
    fn no_suggestion_when_nothing_needs_one() {
        let (_dir, reader) = index();
        assert_eq!(suggest(&reader, "eczema"), None);
        assert_eq!(suggest(&reader, "eczema exzcema"), None, "eczema has hits");
        assert_eq!(suggest(&reader, "zzyzxqq"), None, "nothing close");
        assert_eq!(suggest(&reader, "gtu"), None, "too short");
        assert_eq!(suggest(&reader, "-exzcema"), None, "excluded");
        // The corrected query must have hits.
        assert_eq!(suggest(&reader, "+exzcema +coffee"), None);
        // A word that is not a heading word is not "corrected" into one.
        assert_eq!(suggest(&reader, "heading:linkd"), None);
    }

    #[test]
    fn with_hits_only_when_every_word_was_a_typo() {
        let (_dir, reader) = index();
        let ranking = Ranking::default();
        assert_eq!(
            reader
                .suggest("probitoics", &[], &ranking, None, 3)
                .expect("suggest")
                .as_deref(),
            Some("probiotics")
        );
        assert_eq!(
            reader
                .suggest("gut probitoics", &[], &ranking, None, 3)
                .expect("suggest"),
            None
        );
    }

    #[test]
    fn any_input_is_answered_without_a_panic() {
        let (_dir, reader) = index();
        let ranking = Ranking::default();
        let long = "exzcema ".repeat(2_000);
        let longer = "a".repeat(MAX_QUERY_CHARS + 10);
        let inputs = [
            "",
            "   ",
            "\"",
            "((((",
            "))))",
            "-",
            "+",
            "tag:",
            "heading:",
            "AND OR NOT",
            "NOT",
            "日本語のテキスト",
            "ééééé ßßßß",
            "🦀🦀🦀🦀 crab",
            "\u{0}\u{1}\u{10FFFF}",
            "a\u{301}a\u{301}a\u{301}a\u{301}",
            "“unbalanced",
            "heading:(\"exzcema\" -(x",
            long.as_str(),
            longer.as_str(),
        ];
        for input in inputs {
            for total in [0, 5] {
                let _ = reader
                    .suggest(input, &[], &ranking, None, total)
                    .expect("no error");
            }
        }
        // Many misspellings: a few are corrected, the rest stay as typed.
        let many = "exzcema ".repeat(20);
        let fixed = reader
            .suggest(&many, &[], &ranking, None, 0)
            .expect("suggest")
            .expect("some");
        assert_eq!(fixed.matches("eczema").count(), MAX_CORRECTIONS);
    }
}
