//! Ranking: turns a parsed [`Node`] into one scored Tantivy query, and keeps
//! what `search` needs besides (the scoring leaves for `--explain`, the terms
//! and phrases to highlight).
//!
//! A word scores BM25 in each text field, times the field's weight in
//! [`Ranking`], summed. On top of that, for the query's free words:
//! - proximity: each pair of neighbouring words found close together in one
//!   field adds a small phrase score ([`Ranking::proximity`]);
//! - all terms first: a section holding every content word of a short
//!   keyword query gets a constant lift ([`Ranking::all_terms`]) so it ranks
//!   above any section that lacks one;
//! - typo tolerance: a word of 4+ letters with no or very few matches also
//!   matches the index's terms at edit distance 1 (2 from 8 letters), at a
//!   lower weight ([`Ranking::fuzzy`]), so exact matches rank above fuzzy.
//!
//! Stop words stay searchable ("vitamin a", "to be or not to be") but do
//! not form proximity pairs nor count toward "all terms".
//!
//! Languages: the query is compiled once per [`Analysis`] asked for (each
//! the index holds, or the one of `search --lang`), each time analysed by
//! that analysis and over its fields, and the compiled queries are OR-ed.
//! A section's text is in the fields of its own analysis only, so only its
//! own compilation can score it: a German section is matched and scored as
//! if the query were German, an English one as if it were English. When
//! the index holds several analyses, each compilation is also limited to
//! its analysis's sections (so filters and `-exclusions` mean the same
//! everywhere) and its BM25F counts only them (document count and average
//! field lengths of that language). A word is looked up fuzzily only when
//! no analysis knows it (a German word is no English typo). An index of one
//! analysis compiles exactly as it did before languages were told apart.
//!
//! This module does not parse (`query`), fetch documents or make snippets
//! (`search`, `snippet`).

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur as TOccur, PhraseQuery,
    Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use levenshtein_automata::Distance;

use crate::analysis::Analysis;
use crate::bm25f::Bm25fQuery;
use crate::fuzzy::{Lev, levenshtein_builder};
use crate::query::{FilterKey, Node, Occur, Scope};
use crate::schema::{Fields, TextFields};

/// How the parts of a score are weighed. [`Ranking::default`] is what
/// `search` ships with: chosen for articles in general, not for one corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Weight of a match in the section's own heading.
    pub heading: f32,
    /// Weight of a match in the article title (shared by its sections).
    pub title: f32,
    /// Weight of a match in the ancestor headings.
    pub path: f32,
    /// Weight of a match in the section text.
    pub text: f32,
    /// Weight of a neighbouring-word pair found within a few words.
    pub proximity: f32,
    /// How many words apart (in order) still count as near.
    pub proximity_slop: u32,
    /// Weight of a fuzzy (misspelt) match, relative to an exact one.
    pub fuzzy: f32,
    /// A word with at most this many matching sections also matches fuzzily.
    pub fuzzy_below: u64,
    /// Lift given to sections holding every content word, for queries of at
    /// most [`Ranking::all_terms_max_words`] content words (0: off).
    pub all_terms: f32,
    /// Longer queries are natural-language questions: no lift.
    pub all_terms_max_words: usize,
    /// Score a word over all fields at once (BM25F) rather than summing
    /// one BM25 per field.
    pub bm25f: bool,
    /// BM25 term-frequency saturation (BM25F scorer).
    pub k1: f32,
    /// BM25 length normalisation (BM25F scorer).
    pub b: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            heading: 2.0,
            title: 1.0,
            path: 0.5,
            text: 1.0,
            proximity: 0.1,
            proximity_slop: 2,
            fuzzy: 0.3,
            fuzzy_below: 1,
            all_terms: 1000.0,
            all_terms_max_words: 4,
            bm25f: true,
            k1: 1.2,
            b: 0.75,
        }
    }
}

/// At most this many words of a query are looked up fuzzily, and at most
/// this many neighbouring pairs get a proximity clause: a pasted page of
/// text stays fast.
const MAX_FUZZY_WORDS: usize = 8;
const MAX_PAIRS: usize = 32;

/// What one part of a score is, for `--explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeafKind {
    Exact,
    Fuzzy,
    Phrase,
    Near,
    AllTerms,
}

impl LeafKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LeafKind::Exact => "term",
            LeafKind::Fuzzy => "fuzzy",
            LeafKind::Phrase => "phrase",
            LeafKind::Near => "near",
            LeafKind::AllTerms => "all-terms",
        }
    }
}

/// One scoring clause, kept aside so a hit's score can be explained.
pub(crate) struct Leaf {
    pub kind: LeafKind,
    pub field: &'static str,
    /// The indexed term(s), space-separated.
    pub terms: String,
    pub query: Box<dyn TQuery>,
    /// For a BM25F leaf: the query, its fields' names and its boost, to
    /// split its score over the fields.
    pub bm25f: Option<(Bm25fQuery, Vec<&'static str>, f32)>,
}

/// The terms and phrases of the query, as indexed, to highlight.
#[derive(Debug, Clone, Default)]
pub(crate) struct Highlight {
    /// Term → weight (exact 1, fuzzy lower).
    pub terms: BTreeMap<String, f32>,
    /// Phrases: terms in order.
    pub phrases: Vec<Vec<String>>,
}

/// A compiled query.
pub(crate) struct Plan {
    pub query: Box<dyn TQuery>,
    pub leaves: Vec<Leaf>,
    /// The filters alone (what every hit must pass), if any: for each
    /// analysis compiled, its filters (and, when the query is limited to one
    /// analysis, that analysis); any of them passes.
    pub filter: Option<Box<dyn TQuery>>,
    /// True when the query is only words (no phrase, operator, field or
    /// filter): sections found by meaning alone may answer it too.
    pub plain: bool,
    /// What to highlight in a section of each analysis compiled.
    pub highlights: BTreeMap<Analysis, Highlight>,
}

impl Plan {
    /// What to highlight in a section of `analysis` (nothing when the query
    /// was not compiled for it).
    pub(crate) fn highlight(&self, analysis: Analysis) -> &Highlight {
        static NONE: std::sync::OnceLock<Highlight> = std::sync::OnceLock::new();
        self.highlights
            .get(&analysis)
            .unwrap_or_else(|| NONE.get_or_init(Highlight::default))
    }
}

/// A word after analysis: the indexed term and the word it came from.
#[derive(Debug, Clone)]
struct Word {
    term: String,
    typed: String,
    typed_chars: usize,
    stop: bool,
}

struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    /// The text fields of `analysis`.
    text: TextFields,
    analysis: Analysis,
    /// The other analyses the query is compiled for (a word known to one
    /// of them is not looked up fuzzily).
    others: &'a [Analysis],
    /// The number of sections of `analysis`, when the index holds others
    /// (BM25F then counts only these); `None`: every section.
    docs: Option<u64>,
    ranking: &'a Ranking,
    analyzer: TextAnalyzer,
    leaves: Vec<Leaf>,
    highlight: Highlight,
    /// Fuzzy matches found per term, so each is looked up once.
    fuzzy_cache: BTreeMap<String, Vec<(String, u8)>>,
}

/// Compiles `node` (and `filters`, which must match but do not score) for
/// each of `analyses`; `by_analysis`: the index holds other analyses too,
/// so each compilation is limited to its own sections. `None` when nothing
/// in it can match anything (no searchable word).
pub(crate) fn compile(
    searcher: &Searcher,
    fields: Fields,
    ranking: &Ranking,
    node: &Node,
    filters: &[Node],
    analyses: &[Analysis],
    by_analysis: bool,
) -> Result<Option<Plan>, tantivy::TantivyError> {
    let mut per_analysis: Vec<Box<dyn TQuery>> = Vec::new();
    let mut per_analysis_filter: Vec<Box<dyn TQuery>> = Vec::new();
    let mut unfiltered = false;
    let mut leaves = Vec::new();
    let mut highlights = BTreeMap::new();
    for (at, &analysis) in analyses.iter().enumerate() {
        let own = Term::from_field_text(fields.analysis, analysis.code());
        let docs = if by_analysis {
            Some(searcher.doc_freq(&own)?)
        } else {
            None
        };
        let others: Vec<Analysis> = analyses
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, a)| *a)
            .collect();
        let mut c = Compiler {
            searcher,
            fields,
            text: fields.text_fields(analysis),
            analysis,
            others: &others,
            docs,
            ranking,
            analyzer: analysis.analyzer(),
            leaves: Vec::new(),
            highlight: Highlight::default(),
            fuzzy_cache: BTreeMap::new(),
        };
        let Some(main) = c.root(node)? else {
            continue;
        };
        let mut clauses = vec![(TOccur::Must, main)];
        for filter in filters {
            if let Some(q) = c.node(filter)? {
                clauses.push((TOccur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
            }
        }
        if by_analysis {
            let q = TermQuery::new(own, IndexRecordOption::Basic);
            clauses.push((
                TOccur::Must,
                Box::new(ConstScoreQuery::new(Box::new(q), 0.0)),
            ));
        }
        let filter_clauses: Vec<(TOccur, Box<dyn TQuery>)> = clauses
            .iter()
            .skip(1)
            .map(|(o, q)| (*o, q.box_clone()))
            .collect();
        match filter_clauses.len() {
            0 => unfiltered = true,
            1 => per_analysis_filter.extend(filter_clauses.into_iter().map(|(_, q)| q)),
            _ => per_analysis_filter.push(Box::new(BooleanQuery::new(filter_clauses))),
        }
        per_analysis.push(if clauses.len() == 1 {
            clauses.remove(0).1
        } else {
            Box::new(BooleanQuery::new(clauses))
        });
        leaves.append(&mut c.leaves);
        highlights.insert(analysis, c.highlight);
    }
    let filter: Option<Box<dyn TQuery>> = if unfiltered {
        None
    } else {
        match per_analysis_filter.len() {
            0 => None,
            1 => per_analysis_filter.pop(),
            _ => Some(Box::new(BooleanQuery::new(
                per_analysis_filter
                    .into_iter()
                    .map(|q| (TOccur::Should, q))
                    .collect(),
            ))),
        }
    };
    let query: Box<dyn TQuery> = match per_analysis.len() {
        0 => return Ok(None),
        1 => per_analysis.remove(0),
        _ => Box::new(BooleanQuery::new(
            per_analysis
                .into_iter()
                .map(|q| (TOccur::Should, q))
                .collect(),
        )),
    };
    Ok(Some(Plan {
        query,
        leaves,
        highlights,
        filter,
        plain: node.is_plain(),
    }))
}

impl Compiler<'_> {
    /// The whole query: the node plus proximity and all-terms clauses over
    /// its free top-level words.
    fn root(&mut self, node: &Node) -> tantivy::Result<Option<Box<dyn TQuery>>> {
        let free: Vec<Word> = free_words(node)
            .into_iter()
            .flat_map(|text| self.words(text))
            .collect();
        let Some(main) = self.node(node)? else {
            return Ok(None);
        };
        let mut extra: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let content: Vec<&Word> = free.iter().filter(|w| !w.stop).collect();
        // Proximity: neighbouring content words, in order, within the slop.
        if self.ranking.proximity > 0.0 {
            let mut seen = HashSet::new();
            for pair in content.windows(2).take(MAX_PAIRS) {
                let (a, b) = (&pair[0].term, &pair[1].term);
                if a == b || !seen.insert((a.clone(), b.clone())) {
                    continue;
                }
                for (field, name, weight) in self.scoped_fields(Scope::All) {
                    let mut phrase = PhraseQuery::new(vec![
                        Term::from_field_text(field, a),
                        Term::from_field_text(field, b),
                    ]);
                    phrase.set_slop(self.ranking.proximity_slop);
                    let q = self.leaf(
                        LeafKind::Near,
                        name,
                        format!("{a} {b}"),
                        Box::new(phrase),
                        weight * self.ranking.proximity,
                    );
                    extra.push((TOccur::Should, q));
                }
            }
        }
        // All terms first, for short keyword queries.
        let distinct: Vec<&str> = {
            let mut seen = HashSet::new();
            content
                .iter()
                .map(|w| w.term.as_str())
                .filter(|t| seen.insert(*t))
                .collect()
        };
        if self.ranking.all_terms > 0.0
            && distinct.len() >= 2
            && distinct.len() <= self.ranking.all_terms_max_words
        {
            let all: Vec<(TOccur, Box<dyn TQuery>)> = distinct
                .iter()
                .map(|t| (TOccur::Must, self.any_field(t)))
                .collect();
            let q: Box<dyn TQuery> = Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(all)),
                self.ranking.all_terms,
            ));
            self.leaves.push(Leaf {
                kind: LeafKind::AllTerms,
                field: "*",
                terms: distinct.join(" "),
                query: q.box_clone(),
                bm25f: None,
            });
            extra.push((TOccur::Should, q));
        }
        if extra.is_empty() {
            return Ok(Some(main));
        }
        extra.insert(0, (TOccur::Must, main));
        Ok(Some(Box::new(BooleanQuery::new(extra))))
    }

    fn node(&mut self, node: &Node) -> tantivy::Result<Option<Box<dyn TQuery>>> {
        match node {
            Node::Word { scope, text } => Ok(self.word(*scope, text)),
            Node::Phrase { scope, text } => Ok(self.phrase(*scope, text)),
            Node::Filter { key, value } => Ok(Some(self.filter(*key, value))),
            Node::Bool(clauses) => self.boolean(clauses),
        }
    }

    /// A group of clauses. Filters (`tag:`, `source:`) are required and
    /// unscored, as `--filter` is: they narrow the rest of the group, whose
    /// words keep their own rule (any of them must match), rather than
    /// joining it as a required clause that would make those words
    /// optional.
    fn boolean(&mut self, clauses: &[(Occur, Node)]) -> tantivy::Result<Option<Box<dyn TQuery>>> {
        let mut out: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut filters: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        for (occur, node) in clauses {
            // Excluded words are not highlighted: compile them aside.
            let saved = (occur == &Occur::MustNot).then(|| self.highlight.clone());
            let leaves_before = self.leaves.len();
            let compiled = self.node(node)?;
            if let Some(saved) = saved {
                self.highlight = saved;
                self.leaves.truncate(leaves_before);
            }
            let Some(q) = compiled else { continue };
            let occur = match (occur, node) {
                (Occur::MustNot, _) => TOccur::MustNot,
                (_, Node::Filter { .. }) => {
                    filters.push((TOccur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
                    continue;
                }
                (Occur::Must, _) => TOccur::Must,
                (Occur::Should, _) => TOccur::Should,
            };
            out.push((occur, q));
        }
        if !out.is_empty() && out.iter().all(|(o, _)| *o == TOccur::MustNot) {
            // Only exclusions: everything else, unscored.
            out.push((
                TOccur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        let rest: Option<Box<dyn TQuery>> =
            (!out.is_empty()).then(|| Box::new(BooleanQuery::new(out)) as Box<dyn TQuery>);
        if filters.is_empty() {
            return Ok(rest);
        }
        // The rest of the group (if any) and every filter, all required.
        filters.extend(rest.map(|q| (TOccur::Must, q)));
        Ok(Some(Box::new(BooleanQuery::new(filters))))
    }

    /// A word: each of its terms in the scoped fields (and fuzzily when it
    /// has few matches). A word the analyzer splits ("gut-skin") is its
    /// parts; at the top level their nearness counts through proximity.
    fn word(&mut self, scope: Scope, text: &str) -> Option<Box<dyn TQuery>> {
        let words = self.words(text);
        let mut parts: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        for w in &words {
            parts.push((TOccur::Should, self.term(scope, w)));
        }
        match parts.len() {
            0 => None,
            1 => parts.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(parts))),
        }
    }

    /// One term in the scoped fields, plus its fuzzy neighbours.
    fn term(&mut self, scope: Scope, w: &Word) -> Box<dyn TQuery> {
        self.highlight.terms.insert(w.term.clone(), 1.0);
        let mut parts: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut df = 0;
        let whole = scope == Scope::All && self.ranking.bm25f;
        for (field, name, weight) in self.scoped_fields(scope) {
            let t = Term::from_field_text(field, &w.term);
            df += self.searcher.doc_freq(&t).unwrap_or(0);
            if !whole {
                let q = TermQuery::new(t, IndexRecordOption::WithFreqs);
                parts.push((
                    TOccur::Should,
                    self.leaf(LeafKind::Exact, name, w.term.clone(), Box::new(q), weight),
                ));
            }
        }
        if whole {
            parts.push((
                TOccur::Should,
                self.bm25f_leaf(LeafKind::Exact, &w.term, 1.0),
            ));
        }
        if df <= self.ranking.fuzzy_below
            && self.ranking.fuzzy > 0.0
            && (self.fuzzy_cache.len() < MAX_FUZZY_WORDS || self.fuzzy_cache.contains_key(&w.term))
            && !self.known_elsewhere(scope, &w.typed)
        {
            let near = self.fuzzy_terms(&w.term, w.typed_chars);
            for (term, distance) in near {
                self.highlight
                    .terms
                    .entry(term.clone())
                    .or_insert(self.ranking.fuzzy);
                let scale = self.ranking.fuzzy / f32::from(distance);
                if whole {
                    parts.push((
                        TOccur::Should,
                        self.bm25f_leaf(LeafKind::Fuzzy, &term, scale),
                    ));
                    continue;
                }
                for (field, name, weight) in self.scoped_fields(scope) {
                    let q = TermQuery::new(
                        Term::from_field_text(field, &term),
                        IndexRecordOption::WithFreqs,
                    );
                    parts.push((
                        TOccur::Should,
                        self.leaf(
                            LeafKind::Fuzzy,
                            name,
                            term.clone(),
                            Box::new(q),
                            weight * scale,
                        ),
                    ));
                }
            }
        }
        Box::new(BooleanQuery::new(parts))
    }

    /// A term in any text field, unscored beyond a match (for all-terms).
    fn any_field(&self, term: &str) -> Box<dyn TQuery> {
        let parts = self
            .scoped_fields(Scope::All)
            .into_iter()
            .map(|(field, _, _)| {
                let q =
                    TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::Basic);
                (TOccur::Should, Box::new(q) as Box<dyn TQuery>)
            })
            .collect();
        Box::new(BooleanQuery::new(parts))
    }

    fn phrase(&mut self, scope: Scope, text: &str) -> Option<Box<dyn TQuery>> {
        let words = self.words(text);
        match words.len() {
            0 => None,
            1 => {
                let q = self.term_exact(scope, &words[0]);
                Some(q)
            }
            _ => {
                let terms: Vec<String> = words.into_iter().map(|w| w.term).collect();
                self.highlight.phrases.push(terms.clone());
                self.phrase_of(scope, &terms, LeafKind::Phrase, 1.0)
            }
        }
    }

    /// A one-word phrase: the exact term only, no fuzzy.
    fn term_exact(&mut self, scope: Scope, w: &Word) -> Box<dyn TQuery> {
        self.highlight.terms.insert(w.term.clone(), 1.0);
        let parts = self
            .scoped_fields(scope)
            .into_iter()
            .map(|(field, name, weight)| {
                let q = TermQuery::new(
                    Term::from_field_text(field, &w.term),
                    IndexRecordOption::WithFreqs,
                );
                (
                    TOccur::Should,
                    self.leaf(LeafKind::Exact, name, w.term.clone(), Box::new(q), weight),
                )
            })
            .collect();
        Box::new(BooleanQuery::new(parts))
    }

    fn phrase_of(
        &mut self,
        scope: Scope,
        terms: &[String],
        kind: LeafKind,
        boost: f32,
    ) -> Option<Box<dyn TQuery>> {
        let parts: Vec<(TOccur, Box<dyn TQuery>)> = self
            .scoped_fields(scope)
            .into_iter()
            .map(|(field, name, weight)| {
                let q = PhraseQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                );
                (
                    TOccur::Should,
                    self.leaf(kind, name, terms.join(" "), Box::new(q), weight * boost),
                )
            })
            .collect();
        (!parts.is_empty()).then(|| Box::new(BooleanQuery::new(parts)) as Box<dyn TQuery>)
    }

    fn filter(&self, key: FilterKey, value: &str) -> Box<dyn TQuery> {
        match key {
            FilterKey::Tag => Box::new(TermQuery::new(
                Term::from_field_text(self.fields.tags, value),
                IndexRecordOption::Basic,
            )),
            FilterKey::Source => {
                let lower = Term::from_field_text(self.fields.source, value);
                let upper =
                    Term::from_field_text(self.fields.source, &format!("{value}\u{10FFFF}"));
                Box::new(RangeQuery::new(
                    Bound::Included(lower),
                    Bound::Excluded(upper),
                ))
            }
        }
    }

    /// Boosts `query` by `weight` and keeps a copy as an explainable leaf.
    fn leaf(
        &mut self,
        kind: LeafKind,
        field: &'static str,
        terms: String,
        query: Box<dyn TQuery>,
        weight: f32,
    ) -> Box<dyn TQuery> {
        let q: Box<dyn TQuery> = Box::new(BoostQuery::new(query, weight));
        self.leaves.push(Leaf {
            kind,
            field,
            terms,
            query: q.box_clone(),
            bm25f: None,
        });
        q
    }

    /// `term` over every weighted field at once (BM25F), boosted by `boost`,
    /// kept as an explainable leaf.
    fn bm25f_leaf(&mut self, kind: LeafKind, term: &str, boost: f32) -> Box<dyn TQuery> {
        let fields = self.scoped_fields(Scope::All);
        let weighted: Vec<(Field, f32)> = fields.iter().map(|&(f, _, w)| (f, w)).collect();
        let names = fields.iter().map(|&(_, n, _)| n).collect();
        let inner = Bm25fQuery::new(term, &weighted, self.ranking.k1, self.ranking.b, self.docs);
        let q: Box<dyn TQuery> = Box::new(BoostQuery::new(Box::new(inner.clone()), boost));
        self.leaves.push(Leaf {
            kind,
            field: "*",
            terms: term.to_string(),
            query: q.box_clone(),
            bm25f: Some((inner, names, boost)),
        });
        q
    }

    /// The analyzed words of `text`.
    fn words(&mut self, text: &str) -> Vec<Word> {
        let mut stream = self.analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            let typed = text.get(token.offset_from..token.offset_to).unwrap_or("");
            out.push(Word {
                term: token.text.clone(),
                typed: typed.to_string(),
                typed_chars: typed.chars().count(),
                stop: self.analysis.is_stop_word(&typed.to_lowercase()),
            });
        }
        out
    }

    /// True when one of the other analyses the query is compiled for has
    /// `typed` (a query word) in any section, in the fields of `scope`:
    /// then it is that language's word ("analyze" in English), not a typo
    /// to match fuzzily here (the French "analyse").
    fn known_elsewhere(&self, scope: Scope, typed: &str) -> bool {
        let mut df = 0;
        for &other in self.others {
            let fields = self.fields.text_fields(other).in_scope(scope);
            let mut analyzer = other.analyzer();
            let mut stream = analyzer.token_stream(typed);
            while let Some(token) = stream.next() {
                for &field in &fields {
                    let term = Term::from_field_text(field, &token.text);
                    df += self.searcher.doc_freq(&term).unwrap_or(0);
                }
            }
            if df > 0 {
                return true;
            }
        }
        false
    }

    /// (field, name, weight) of every field in `scope` with a weight above 0.
    fn scoped_fields(&self, scope: Scope) -> Vec<(Field, &'static str, f32)> {
        let f = &self.text;
        let r = self.ranking;
        let all = [
            (Scope::Title, f.title, "title", r.title),
            (Scope::Heading, f.heading, "heading", r.heading),
            (Scope::Path, f.path, "path", r.path),
            (Scope::Text, f.text, "text", r.text),
        ];
        all.into_iter()
            .filter(|&(s, _, _, w)| (scope == Scope::All && w > 0.0) || s == scope)
            .map(|(_, field, name, w)| (field, name, if scope == Scope::All { w } else { 1.0 }))
            .collect()
    }

    /// Terms of the text fields within the allowed edit distance of `term`
    /// (1 from 4 typed letters, 2 from 8), closest first, at most a few.
    fn fuzzy_terms(&mut self, term: &str, typed_chars: usize) -> Vec<(String, u8)> {
        let max = match typed_chars {
            0..4 => return Vec::new(),
            4..8 => 1,
            _ => 2,
        };
        if let Some(found) = self.fuzzy_cache.get(term) {
            return found.clone();
        }
        let dfa = levenshtein_builder(max).build_dfa(term);
        let mut found: BTreeMap<String, u8> = BTreeMap::new();
        let f = self.text;
        for segment in self.searcher.segment_readers() {
            for field in [f.title, f.heading, f.path, f.text] {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                // Walk only the terms the automaton accepts, not the whole
                // dictionary.
                let Ok(mut stream) = inverted.terms().search(Lev(&dfa)).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if candidate == term || found.contains_key(candidate) {
                        continue;
                    }
                    if let Distance::Exact(d) = dfa.eval(candidate)
                        && d > 0
                    {
                        found.insert(candidate.to_string(), d);
                    }
                }
            }
        }
        let mut found: Vec<(String, u8)> = found.into_iter().collect();
        found.sort_by_key(|(_, d)| *d);
        found.truncate(5);
        self.fuzzy_cache.insert(term.to_string(), found.clone());
        found
    }
}

/// The free words of the query's top level (not in a field, a phrase, an
/// exclusion or a nested group), in order.
fn free_words(node: &Node) -> Vec<&str> {
    match node {
        Node::Word {
            scope: Scope::All,
            text,
        } => vec![text.as_str()],
        Node::Bool(clauses) => clauses
            .iter()
            .filter_map(|(occur, node)| match (occur, node) {
                (
                    Occur::Should | Occur::Must,
                    Node::Word {
                        scope: Scope::All,
                        text,
                    },
                ) => Some(text.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance by the Levenshtein automaton (a swap of neighbours counts 1).
    fn distance(a: &str, b: &str, max: u8) -> Option<u8> {
        match levenshtein_builder(max).build_dfa(a).eval(b) {
            Distance::Exact(d) if d <= max => Some(d),
            _ => None,
        }
    }

    #[test]
    fn edit_distance_counts_edits_and_swaps() {
        assert_eq!(distance("eczama", "eczema", 1), Some(1));
        assert_eq!(distance("probiotc", "probiot", 1), Some(1));
        assert_eq!(distance("rosaeca", "rosacea", 1), Some(1));
        assert_eq!(distance("acne", "acne", 1), Some(0));
        assert_eq!(distance("acne", "bone", 1), None);
        assert_eq!(distance("dermatitis", "dermatits", 2), Some(1));
        assert_eq!(distance("abc", "abcdef", 2), None);
    }

    #[test]
    fn free_words_skip_fields_phrases_and_exclusions() {
        let node = crate::query::parse("gut +skin -acne \"leaky gut\" heading:x").node;
        assert_eq!(free_words(&node), ["gut", "skin"]);
    }
}
