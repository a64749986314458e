//! The section index: the only crate that names Tantivy.
//!
//! One Tantivy document per [`rubric_core::Section`]. [`schema`] owns the
//! fields and the schema version kept with the index; [`writer`] adds, replaces
//! and deletes articles and commits; [`search`] parses queries, ranks sections
//! and builds highlighted snippets.
//!
//! PLACEHOLDER API — being implemented.

use std::path::Path;

use rubric_core::Article;
use serde::Serialize;

/// Errors of the index crate; each names the index folder or the query.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index at this path.
    #[error("no index at {0}: run `ingest` first")]
    Missing(String),
    /// Index written by another schema version.
    #[error("the index at {path} has schema version {found}, this build needs {expected}: rebuild it with `ingest --rebuild`")]
    Version {
        /// Index folder.
        path: String,
        /// Version found.
        found: String,
        /// Version this build writes.
        expected: u32,
    },
    /// Another process holds the writer lock.
    #[error("the index at {0} is locked by another ingest run")]
    Locked(String),
    /// Query could not be understood.
    #[error("bad query {query:?}: {reason}")]
    Query {
        /// The query as given.
        query: String,
        /// Why.
        reason: String,
    },
    /// Anything Tantivy or the file system reported.
    #[error("index at {path}: {source}")]
    Tantivy {
        /// Index folder.
        path: String,
        /// Underlying error.
        #[source]
        source: tantivy::TantivyError,
    },
}

/// An open index for writing.
#[derive(Debug)]
pub struct IndexWriter {}

impl IndexWriter {
    /// Opens (or creates) the index at `dir` for writing with a memory budget in bytes.
    pub fn open(dir: &Path, heap_bytes: usize) -> Result<IndexWriter, IndexError> {
        let _ = (dir, heap_bytes);
        todo!()
    }
    /// Replaces every section of `article.id` with the article's sections.
    pub fn upsert(&mut self, article: &Article) -> Result<(), IndexError> {
        let _ = article;
        todo!()
    }
    /// Deletes every section of the article `id`.
    pub fn delete(&mut self, id: &str) -> Result<(), IndexError> {
        let _ = id;
        todo!()
    }
    /// Commits; readers see the change from now on.
    pub fn commit(self) -> Result<(), IndexError> {
        todo!()
    }
}

/// An open index for reading.
#[derive(Debug)]
pub struct IndexReader {}

/// What to search for.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The user's query text.
    pub text: &'a str,
    /// How many hits to return.
    pub limit: usize,
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
    /// Ancestor headings.
    pub path: Vec<String>,
    /// `url#anchor` or `source#anchor`.
    pub url: String,
    /// Relevance score.
    pub score: f32,
    /// HTML-escaped snippet with `<mark>` around matched terms.
    pub snippet: String,
}

/// The answer to one query.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Number of matching sections.
    pub total: usize,
    /// Best hits first.
    pub hits: Vec<Hit>,
}

impl IndexReader {
    /// Opens the index at `dir`, checking its schema version.
    pub fn open(dir: &Path) -> Result<IndexReader, IndexError> {
        let _ = dir;
        todo!()
    }
    /// Runs one query.
    pub fn search(&self, query: &Query<'_>) -> Result<Results, IndexError> {
        let _ = query;
        todo!()
    }
}
