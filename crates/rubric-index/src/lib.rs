//! The section index: the only crate that names Tantivy.
//!
//! One Tantivy document per [`rubric_core::Section`]. `schema` owns the
//! fields, the `rubric_en` analyzer and the schema version kept with the
//! index ([`SCHEMA_VERSION`], in `rubric.json`), with English's text fields
//! and those of each other language an article brought ([`add_language`],
//! in `extend`, adds a language's); [`IndexWriter`] adds,
//! replaces and deletes whole articles and commits; `query` reads the
//! query language and `rank` scores it ([`Ranking`], BM25F in `bm25f`);
//! [`IndexReader`] answers a [`SearchRequest`] with a [`SearchResponse`]
//! of ranked sections or articles ([`Group`]); [`Excerpt`] is a hit's
//! snippet, as HTML with `<mark>` or as plain text with highlight ranges.
//! The [`Catalog`] committed with each commit says what the index holds
//! and where each article came from, for incremental runs.
//!
//! An index may also hold one vector per section (`vectors`), made by the
//! one model its commit records ([`VectorModel`]) and kept in the section's
//! own document; a [`SearchRequest`] with a query vector ([`Dense`]) is then
//! answered by hybrid ranking (`hybrid`): the lexical top hits reranked by
//! fusing their scores with the cosines, plus the nearest sections by
//! vector. The crate runs no model: callers embed the text.
//!
//! The crate never sees HTML or HTTP: it indexes [`rubric_core::Article`]s
//! that an extractor made, and answers with [`SearchResponse`]s.
//!
//! ```
//! use rubric_core::{Article, Format, SectionBuilder};
//! use rubric_index::{IndexReader, IndexWriter, SearchRequest};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let mut outline = SectionBuilder::new();
//! outline.push_heading(2, "Eczema", None);
//! outline.push_text("Eczema is linked to the gut microbiome.");
//! let article = Article::new("skin.md", "notes/skin.md", Format::Markdown, "Skin", outline.finish());
//!
//! let mut writer = IndexWriter::open(dir.path(), 50_000_000)?;
//! writer.upsert(&article)?;
//! writer.commit()?;
//!
//! let reader = IndexReader::open(dir.path())?;
//! let results = reader.search(&SearchRequest::new("eczema"))?;
//! assert_eq!(results.total, 1);
//! let hit = &results.hits[0];
//! assert_eq!(hit.id, "skin.md#eczema");
//! assert_eq!(hit.url, "notes/skin.md#eczema");
//! assert_eq!(hit.snippet, "<mark>Eczema</mark> is linked to the gut microbiome.");
//! # Ok(())
//! # }
//! ```

mod analysis;
mod bm25f;
mod catalog;
mod collect;
mod directory;
mod error;
mod extend;
mod fuzzy;
mod greek;
mod hybrid;
mod outline;
pub mod query;
mod rank;
mod reader;
mod schema;
mod search;
mod snippet;
mod spelling;
mod suggest;
mod terms;
mod vectors;
mod writer;

pub use catalog::{ArticleEntry, Catalog, CatalogStats, Change, FileStamp};
pub use error::IndexError;
pub use extend::add_language;
pub use hybrid::{DEFAULT_CANDIDATES, DEFAULT_LEXICAL_WEIGHT, DEFAULT_RECALL, Dense, Fused};
pub use outline::{MAX_OUTLINE_SECTIONS, Outline, OutlineSection};
pub use rank::Ranking;
pub use reader::{IndexReader, IndexStats};
pub use schema::{ANALYZER, SCHEMA_VERSION};
pub use search::{
    DEFAULT_LIMIT, Explained, Group, Hit, MAX_QUERY_CHARS, SearchRequest, SearchResponse,
};
pub use snippet::{DEFAULT_SNIPPET_CHARS, Excerpt};
pub use terms::Analysis;
pub use vectors::{
    PASSAGE_VERSION, VectorEncoding, VectorModel, model_folder, passage, passage_key,
};
pub use writer::{IndexWriter, MIN_HEAP_PER_THREAD};

/// Entry points for the fuzz targets in `fuzz/` (not part of the API).
#[doc(hidden)]
pub mod fuzzing {
    /// The query parser alone: `text` read as a query, in its compact
    /// debug form (`(+a -b "c d" heading:e tag=f)`).
    pub fn parse(text: &str) -> String {
        crate::query::parse(text).node.to_string()
    }
}
