//! [`IndexReader`]: answers a user's query with ranked sections, each a
//! [`Hit`] with its heading trail, link and snippet; optionally grouped by
//! article ([`Group`]) and with the parts of its score ([`Explained`]).
//!
//! The query language is `query`'s, the scoring `rank`'s ([`Ranking`]), the
//! snippets `snippet`'s and the fields `schema`'s. Equal scores are ordered
//! by article id then section order, so two builds of the same corpus answer
//! in the same order. A malformed query is answered with its words and a
//! note in [`Results::notes`]; a query with no searchable word is an
//! [`IndexError::Query`].

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, Occur as TOccur, Query as TQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Order, ReloadPolicy, Score, Searcher, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term,
};

use crate::IndexError;
use crate::query::{self, Node};
use crate::rank::{self, Plan, Ranking};
use crate::schema::{self, Fields};
use crate::snippet::{self, DEFAULT_SNIPPET_CHARS, Excerpt};

/// Queries longer than this many characters are cut (at a word).
pub const MAX_QUERY_CHARS: usize = 10_000;

/// At most this many sections are gathered per article in a [`Group`].
const MAX_GROUP_SECTIONS: usize = 1_000;

/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// What to search for: `Query { text, limit }`, or [`Query::new`] for the
/// default limit. Paging and snippet length are in [`SearchOptions`].
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The user's query text: words, `"phrases"`, `+required`,
    /// `-excluded`, `AND`/`OR`/`NOT`, `( … )`, `title:`/`heading:`/`path:`/
    /// `text:` fields, `tag:`/`source:` filters (see `query`).
    pub text: &'a str,
    /// How many hits to return (0: only count).
    pub limit: usize,
}

impl<'a> Query<'a> {
    /// A query for `text` with the default limit ([`DEFAULT_LIMIT`]).
    pub fn new(text: &'a str) -> Query<'a> {
        Query {
            text,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// How to answer a query, beyond what to search for.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOptions {
    /// How many of the best hits to skip first (for paging).
    pub offset: usize,
    /// Roughly how long a snippet may be, in characters.
    pub snippet_chars: usize,
    /// Filters every hit must pass, in the query language (`tag:skin`,
    /// `source:corpus/`, `heading:acne`); they do not change scores.
    pub filters: Vec<String>,
    /// Fill [`Hit::explain`] with the parts of each hit's score.
    pub explain: bool,
    /// How scores are made.
    pub ranking: Ranking,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            offset: 0,
            snippet_chars: DEFAULT_SNIPPET_CHARS,
            filters: Vec::new(),
            explain: false,
            ranking: Ranking::default(),
        }
    }
}

/// One matching section.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// `article#anchor` (just `article` for the lead).
    pub id: String,
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Section heading (`None` for the lead).
    pub heading: Option<String>,
    /// Section level.
    pub level: u8,
    /// Ancestor headings, outermost first.
    pub path: Vec<String>,
    /// `url#anchor` when the article has a URL, else `source#anchor`; the
    /// bare location for the lead.
    pub url: String,
    /// Relevance score.
    pub score: f32,
    /// HTML-escaped snippet with `<mark>` around matched terms
    /// ([`Excerpt::to_html`] of [`Hit::excerpt`]).
    pub snippet: String,
    /// The same snippet as plain text and highlight ranges, for renderers
    /// that are not HTML (see [`Excerpt::pieces`]). Not serialized.
    #[serde(skip)]
    pub excerpt: Excerpt,
    /// The section's position in its article, from 0. Not serialized.
    #[serde(skip)]
    pub ordinal: u32,
    /// Why it scored (with [`SearchOptions::explain`]): one entry per
    /// matching clause, largest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<Explained>>,
}

/// One part of a hit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    /// `term`, `fuzzy`, `phrase`, `near` (neighbouring query words) or
    /// `all-terms` (every word of a short query present).
    pub kind: &'static str,
    /// The field (`title`, `heading`, `path`, `text`; `*` for all-terms).
    pub field: &'static str,
    /// The indexed term(s).
    pub terms: String,
    /// What it added to the score.
    pub score: f32,
}

/// One article and its matching sections, best first ([`IndexReader::search_grouped`]).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Where the article opens (its lead's link).
    pub url: String,
    /// The best section's score.
    pub score: f32,
    /// Every matching section of the article, best first.
    pub sections: Vec<Hit>,
}

/// The answer to one query.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    /// Number of matching sections.
    pub total: usize,
    /// Best hits first.
    pub hits: Vec<Hit>,
    /// What was done to understand a malformed query (for stderr).
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// The answer to one query, by article.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupedResults {
    /// Number of matching sections.
    pub total: usize,
    /// Number of matching articles.
    pub articles: usize,
    /// Best article first.
    pub groups: Vec<Group>,
    /// As [`Results::notes`].
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// An open index for reading. Takes no lock and sees the commit that was
/// last when it was opened (or reloaded), so it works while a writer runs.
pub struct IndexReader {
    pub(crate) reader: tantivy::IndexReader,
    pub(crate) fields: Fields,
    pub(crate) path: String,
}

impl std::fmt::Debug for IndexReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl IndexReader {
    /// Opens the index at `dir`, checking its schema version:
    /// [`IndexError::Missing`] when there is none, [`IndexError::Version`]
    /// when it must be rebuilt. Cheap: nothing is warmed up.
    pub fn open(dir: &Path) -> Result<IndexReader, IndexError> {
        let (index, fields) = schema::open(dir)?;
        let path = dir.display().to_string();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        Ok(IndexReader {
            reader,
            fields,
            path,
        })
    }

    /// Picks up the latest commit (for long-running readers).
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader
            .reload()
            .map_err(|e| IndexError::tantivy(&self.path, e))
    }

    /// Number of sections in the index.
    pub fn num_sections(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs one query with the default [`SearchOptions`]. An empty query is
    /// an [`IndexError::Query`]; a malformed one answers with what could be
    /// understood of it.
    pub fn search(&self, query: &Query<'_>) -> Result<Results, IndexError> {
        self.search_with(query, &SearchOptions::default())
    }

    /// Runs one query, skipping `options.offset` hits and cutting snippets
    /// to about `options.snippet_chars` characters.
    pub fn search_with(
        &self,
        query: &Query<'_>,
        options: &SearchOptions,
    ) -> Result<Results, IndexError> {
        let searcher = self.reader.searcher();
        let (plan, notes) = self.plan(&searcher, query.text, options)?;
        let err = |e| IndexError::tantivy(&self.path, e);
        if query.limit == 0 {
            let total = searcher.search(&*plan.query, &Count).map_err(err)?;
            return Ok(Results {
                total,
                hits: Vec::new(),
                notes,
            });
        }
        let (total, top) = self.top(&searcher, &*plan.query, options.offset, query.limit)?;
        let hits = top
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, address, score, &plan, options))
            .collect::<Result<_, _>>()?;
        Ok(Results { total, hits, notes })
    }

    /// Runs one query and answers by article: the `query.limit` best
    /// articles (after `options.offset`), ranked by their best section, each
    /// with every matching section, best first.
    pub fn search_grouped(
        &self,
        query: &Query<'_>,
        options: &SearchOptions,
    ) -> Result<GroupedResults, IndexError> {
        let searcher = self.reader.searcher();
        let (plan, notes) = self.plan(&searcher, query.text, options)?;
        let wanted = options.offset.saturating_add(query.limit);
        // Enough sections to find the best `wanted` articles: grow until
        // found or every match was seen.
        let mut fetch = wanted.saturating_mul(10).max(100);
        let (total, order) = loop {
            let (total, top) = self.top(&searcher, &*plan.query, 0, fetch)?;
            let mut order: Vec<String> = Vec::new();
            for (_, address) in &top {
                let article = self.article_of(&searcher, *address)?;
                if !order.contains(&article) {
                    order.push(article);
                }
                if order.len() == wanted {
                    break;
                }
            }
            if order.len() >= wanted || top.len() >= total {
                break (total, order);
            }
            fetch = fetch.saturating_mul(4);
        };
        let mut groups = Vec::new();
        for article in order.iter().skip(options.offset) {
            let only: Box<dyn TQuery> = Box::new(BooleanQuery::new(vec![
                (TOccur::Must, plan.query.box_clone()),
                (
                    TOccur::Must,
                    Box::new(tantivy::query::ConstScoreQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.article, article),
                            IndexRecordOption::Basic,
                        )),
                        0.0,
                    )),
                ),
            ]));
            let (_, top) = self.top(&searcher, &*only, 0, MAX_GROUP_SECTIONS)?;
            let sections = top
                .into_iter()
                .map(|(score, address)| self.hit(&searcher, address, score, &plan, options))
                .collect::<Result<Vec<_>, _>>()?;
            let Some(best) = sections.first() else {
                continue;
            };
            groups.push(Group {
                article: best.article.clone(),
                title: best.title.clone(),
                url: best.url.split('#').next().unwrap_or_default().to_string(),
                score: best.score,
                sections,
            });
        }
        let articles = self.count_articles(&searcher, &*plan.query)?;
        Ok(GroupedResults {
            total,
            articles,
            groups,
            notes,
        })
    }

    /// Parses and compiles the query and the filters.
    fn plan(
        &self,
        searcher: &Searcher,
        text: &str,
        options: &SearchOptions,
    ) -> Result<(Plan, Vec<String>), IndexError> {
        let bad = |reason: &str| IndexError::Query {
            query: cut(text, 80).to_string(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(bad("the query is empty: give at least one word"));
        }
        let mut notes = Vec::new();
        let trimmed = if trimmed.chars().count() > MAX_QUERY_CHARS {
            notes.push(format!(
                "the query is longer than {MAX_QUERY_CHARS} characters: the rest was left out"
            ));
            cut(trimmed, MAX_QUERY_CHARS)
        } else {
            trimmed
        };
        let parsed = query::parse(trimmed);
        notes.extend(parsed.notes);
        let mut filters: Vec<Node> = Vec::new();
        for filter in &options.filters {
            let parsed = query::parse(filter);
            notes.extend(
                parsed
                    .notes
                    .into_iter()
                    .map(|n| format!("filter {filter:?}: {n}")),
            );
            filters.push(parsed.node);
        }
        let plan = rank::compile(
            searcher,
            self.fields,
            &options.ranking,
            &parsed.node,
            &filters,
        )
        .map_err(|e| IndexError::tantivy(&self.path, e))?;
        match plan {
            Some(plan) => Ok((plan, notes)),
            None => Err(bad(
                "nothing in it can be searched for: give at least one word",
            )),
        }
    }

    /// Total matches and the best `limit` after `offset`: best score first,
    /// equal scores by article id, then section order.
    fn top(
        &self,
        searcher: &Searcher,
        query: &dyn TQuery,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), IndexError> {
        let top = TopDocs::for_doc_range(offset..offset.saturating_add(limit)).order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByString::for_field("article"), Order::Asc),
            (
                SortByStaticFastValue::<u64>::for_field("ordinal"),
                Order::Asc,
            ),
        ));
        let (total, top) = searcher
            .search(query, &(Count, top))
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        Ok((
            total,
            top.into_iter()
                .map(|((score, _, _), address)| (score, address))
                .collect(),
        ))
    }

    /// How many distinct articles have a matching section: read from the
    /// `article` fast field, not from stored documents, so a query matching
    /// most of a large index stays cheap.
    fn count_articles(&self, searcher: &Searcher, query: &dyn TQuery) -> Result<usize, IndexError> {
        let articles = searcher
            .search(query, &DistinctArticles)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        Ok(articles.len())
    }

    fn article_of(&self, searcher: &Searcher, address: DocAddress) -> Result<String, IndexError> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        Ok(doc
            .get_first(self.fields.article)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default())
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        plan: &Plan,
        options: &SearchOptions,
    ) -> Result<Hit, IndexError> {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let text = text_of(f.text).unwrap_or_default();
        let excerpt = snippet::excerpt(&text, &plan.highlight, options.snippet_chars);
        let explain = options.explain.then(|| explain(searcher, address, plan));
        Ok(Hit {
            id: text_of(f.id).unwrap_or_default(),
            article: text_of(f.article).unwrap_or_default(),
            title: text_of(f.title).unwrap_or_default(),
            heading: text_of(f.heading),
            level: u8::try_from(u64_of(f.level)).unwrap_or(u8::MAX),
            path: doc
                .get_all(f.path)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            url: text_of(f.link).unwrap_or_default(),
            score,
            snippet: excerpt.to_html(),
            excerpt,
            ordinal: u32::try_from(u64_of(f.ordinal)).unwrap_or(u32::MAX),
            explain,
        })
    }
}

/// The parts of a hit's score: each scoring clause that matches it.
fn explain(searcher: &Searcher, address: DocAddress, plan: &Plan) -> Vec<Explained> {
    let mut out: Vec<Explained> = Vec::new();
    for leaf in &plan.leaves {
        if let Some((query, fields, boost)) = &leaf.bm25f {
            let shares = query.shares(searcher, address).unwrap_or_default();
            for (field, share) in fields.iter().zip(shares) {
                if share > 0.0 {
                    out.push(Explained {
                        kind: leaf.kind.as_str(),
                        field,
                        terms: leaf.terms.clone(),
                        score: share * boost,
                    });
                }
            }
            continue;
        }
        let Some(score) = leaf_score(searcher, &*leaf.query, address) else {
            continue;
        };
        if score > 0.0 {
            out.push(Explained {
                kind: leaf.kind.as_str(),
                field: leaf.field,
                terms: leaf.terms.clone(),
                score,
            });
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// What `query` scores the document at `address`, `None` when it does not
/// match. (Tantivy's own `explain` of a phrase can seek backwards.)
fn leaf_score(searcher: &Searcher, query: &dyn TQuery, address: DocAddress) -> Option<f32> {
    let weight = query
        .weight(tantivy::query::EnableScoring::enabled_from_searcher(
            searcher,
        ))
        .ok()?;
    let reader = searcher.segment_reader(address.segment_ord);
    let mut scorer = weight.scorer(reader, 1.0).ok()?;
    if scorer.doc() < address.doc_id {
        scorer.seek(address.doc_id);
    }
    (scorer.doc() == address.doc_id).then(|| scorer.score())
}

/// The first `max` characters of `text`, cut back to a word when possible.
fn cut(text: &str, max: usize) -> &str {
    let Some((at, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let head = &text[..at];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws > 0 => &head[..ws],
        _ => head,
    }
}

/// Collects the distinct `article` values of the matching sections.
struct DistinctArticles;

/// One segment's part of [`DistinctArticles`]: the article column's term
/// ordinals seen, turned into names in one ordered pass over the column's
/// dictionary at the end (looking each up alone costs a block decode).
struct DistinctArticlesInSegment {
    column: Option<StrColumn>,
    ords: Vec<u64>,
}

impl Collector for DistinctArticles {
    type Fruit = HashSet<String>;
    type Child = DistinctArticlesInSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DistinctArticlesInSegment> {
        Ok(DistinctArticlesInSegment {
            column: reader.fast_fields().str("article")?,
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<std::io::Result<HashSet<String>>>,
    ) -> tantivy::Result<HashSet<String>> {
        let mut all = HashSet::new();
        for names in segments {
            all.extend(names?);
        }
        Ok(all)
    }
}

impl SegmentCollector for DistinctArticlesInSegment {
    type Fruit = std::io::Result<HashSet<String>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            self.ords.extend(column.term_ords(doc));
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        let mut names = HashSet::new();
        if let Some(column) = &self.column {
            self.ords.sort_unstable();
            self.ords.dedup();
            column
                .dictionary()
                .sorted_ords_to_term_cb(&self.ords, |name| {
                    names.insert(String::from_utf8_lossy(name).into_owned());
                })?;
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_are_cut_at_a_word() {
        assert_eq!(cut("gut skin axis", 100), "gut skin axis");
        assert_eq!(cut("gut skin axis", 6), "gut");
        assert_eq!(cut("gutskinaxis", 3), "gut");
    }
}
