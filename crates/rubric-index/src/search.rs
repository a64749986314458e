//! [`IndexReader`]: parses a user's query, ranks sections, and turns the
//! best ones into [`Hit`]s with their heading trail, link and snippet.
//!
//! Ranking is BM25 over `title`, `heading`, `path` and `text` with the field
//! boosts in [`BOOSTS`], any word matching by default (OR), and ties broken
//! by article id then section order so that two builds of the same corpus
//! answer in the same order. Queries are parsed leniently: a stray quote or
//! parenthesis, or a `word:` that names no field, still searches the words.
//! Snippet rendering lives in `snippet`; the fields in `schema`.

use std::path::Path;

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{QueryParser, QueryParserError};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, ReloadPolicy, Searcher, TantivyDocument};

use crate::IndexError;
use crate::schema::{self, Fields};
use crate::snippet::{self, DEFAULT_SNIPPET_CHARS, Excerpt};

/// Field boosts: a word in a section's heading counts most, then the
/// article title, then the ancestor headings, then the text.
pub const BOOSTS: [(&str, f32); 4] = [
    ("heading", 3.0),
    ("title", 2.0),
    ("path", 1.5),
    ("text", 1.0),
];

/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;

/// What to search for: `Query { text, limit }`, or [`Query::new`] for the
/// default limit. Paging and snippet length are in [`SearchOptions`].
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The user's query text (Tantivy query syntax: words, `"phrases"`,
    /// `+required`, `-excluded`, `field:word`, `AND`/`OR`).
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// How many of the best hits to skip first (for paging).
    pub offset: usize,
    /// Roughly how long a snippet may be, in characters.
    pub snippet_chars: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            offset: 0,
            snippet_chars: DEFAULT_SNIPPET_CHARS,
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
}

/// The answer to one query.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    /// Number of matching sections.
    pub total: usize,
    /// Best hits first.
    pub hits: Vec<Hit>,
}

/// An open index for reading. Takes no lock and sees the commit that was
/// last when it was opened (or reloaded), so it works while a writer runs.
pub struct IndexReader {
    reader: tantivy::IndexReader,
    parser: QueryParser,
    fields: Fields,
    path: String,
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
        let schema = index.schema();
        let boosted: Vec<_> = BOOSTS
            .iter()
            .filter_map(|&(name, boost)| Some((schema.get_field(name).ok()?, boost)))
            .collect();
        let mut parser = QueryParser::for_index(&index, boosted.iter().map(|&(f, _)| f).collect());
        for (field, boost) in boosted {
            parser.set_field_boost(field, boost);
        }
        Ok(IndexReader {
            reader,
            parser,
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
        let text = query.text.trim();
        if text.is_empty() {
            return Err(IndexError::Query {
                query: query.text.to_string(),
                reason: "the query is empty: give at least one word".to_string(),
            });
        }
        let parsed = self.parse(text);
        let searcher = self.reader.searcher();
        let err = |e| IndexError::tantivy(&self.path, e);
        if query.limit == 0 {
            let total = searcher.search(&*parsed, &Count).map_err(err)?;
            return Ok(Results {
                total,
                hits: Vec::new(),
            });
        }
        // Best score first; equal scores by article id, then section order.
        let top =
            TopDocs::for_doc_range(options.offset..options.offset.saturating_add(query.limit))
                .order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (SortByString::for_field("article"), Order::Asc),
                    (
                        SortByStaticFastValue::<u64>::for_field("ordinal"),
                        Order::Asc,
                    ),
                ));
        let (total, top) = searcher.search(&*parsed, &(Count, top)).map_err(err)?;
        let mut snippets =
            SnippetGenerator::create(&searcher, &*parsed, self.fields.text).map_err(err)?;
        snippets.set_max_num_chars(options.snippet_chars.max(1));
        let hits = top
            .into_iter()
            .map(|((score, _, _), address)| {
                self.hit(&searcher, address, score, &snippets, options.snippet_chars)
            })
            .collect::<Result<_, _>>()?;
        Ok(Results { total, hits })
    }

    /// Parses leniently. An unpaired `"` is dropped (Tantivy would make the
    /// rest of the query one phrase) and a `word:` naming no field is
    /// searched as the word.
    fn parse(&self, text: &str) -> Box<dyn tantivy::query::Query> {
        let cleaned = drop_unpaired_quote(text);
        let text: &str = &cleaned;
        let (query, errors) = self.parser.parse_query_lenient(text);
        if errors.is_empty() {
            return query;
        }
        tracing::debug!(query = text, ?errors, "query parsed leniently");
        let unknown: Vec<&str> = errors
            .iter()
            .filter_map(|e| match e {
                QueryParserError::FieldDoesNotExist(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        if unknown.is_empty() {
            return query;
        }
        self.parser.parse_query_lenient(&unfield(text, &unknown)).0
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &SnippetGenerator,
        snippet_chars: usize,
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
        let excerpt = snippet::excerpt(snippets, &text, snippet_chars);
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
        })
    }
}

/// Removes the last `"` when there is an odd number of them.
fn drop_unpaired_quote(text: &str) -> std::borrow::Cow<'_, str> {
    if text.matches('"').count().is_multiple_of(2) {
        return text.into();
    }
    let at = text.rfind('"').unwrap_or_default();
    format!("{} {}", &text[..at], &text[at + 1..]).into()
}

/// Turns each `name:` whose `name` is not a field into `name ` so its words
/// are searched as plain words (`tips:eczema` → `tips eczema`).
fn unfield(text: &str, unknown: &[&str]) -> String {
    let mut out = text.to_string();
    for name in unknown {
        let pattern = format!("{name}:");
        let mut rewritten = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&pattern) {
            let starts_word = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || "(+-\"".contains(c));
            rewritten.push_str(&rest[..at + name.len()]);
            rewritten.push(if starts_word { ' ' } else { ':' });
            rest = &rest[at + pattern.len()..];
        }
        rewritten.push_str(rest);
        out = rewritten;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unpaired_quote_is_dropped() {
        assert_eq!(drop_unpaired_quote("\"leaky gut"), " leaky gut");
        assert_eq!(drop_unpaired_quote("\"leaky gut\" \"x"), "\"leaky gut\"  x");
        assert_eq!(drop_unpaired_quote("\"leaky gut\""), "\"leaky gut\"");
    }

    #[test]
    fn unknown_fields_become_words() {
        assert_eq!(unfield("tips:eczema acne", &["tips"]), "tips eczema acne");
        assert_eq!(
            unfield("(tips:a OR x:b)", &["tips", "x"]),
            "(tips a OR x b)"
        );
        assert_eq!(unfield("mytips:a", &["tips"]), "mytips:a");
    }
}
