//! [`IndexReader`]: an open index for reading — opening it (checking the
//! schema version), picking up new commits ([`IndexReader::reload_if_changed`])
//! and what it holds ([`IndexReader::stats`], [`IndexReader::vector_model`]).
//! Answering queries is `search`'s (and `hybrid`'s), reading an article
//! back is `outline`'s; all are methods of this type.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tantivy::query::Query as TQuery;
use tantivy::{ReloadPolicy, Searcher};

use crate::IndexError;
use crate::analysis::Analysis;
use crate::catalog::Payload;
use crate::collect::DistinctArticles;
use crate::schema::{self, Fields};
use crate::vectors::VectorModel;

/// An open index for reading. Takes no lock and sees the commit that was
/// last when it was opened (or reloaded), so it works while a writer runs.
pub struct IndexReader {
    pub(crate) reader: tantivy::IndexReader,
    pub(crate) fields: Fields,
    pub(crate) path: String,
    index: tantivy::Index,
    dir: PathBuf,
    /// The commit the reader was last loaded at.
    loaded: Mutex<CommitStamp>,
}

/// What tells one commit from the next: Tantivy's operation stamp and
/// Rubric's payload (which names the catalog by its hash).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CommitStamp {
    opstamp: u64,
    payload: Option<String>,
    /// The model of the commit's vectors, read from the payload.
    vectors: Option<VectorModel>,
    /// How many fields its schema has (it grows when a language's text
    /// fields are added, see `extend`).
    fields: usize,
}

impl CommitStamp {
    fn of(index: &tantivy::Index, path: &str) -> Result<CommitStamp, IndexError> {
        let metas = index
            .load_metas()
            .map_err(|e| IndexError::tantivy(path, e))?;
        let vectors = metas
            .payload
            .as_deref()
            .and_then(|text| serde_json::from_str::<Payload>(text).ok())
            .and_then(|p| p.vectors);
        Ok(CommitStamp {
            opstamp: metas.opstamp,
            payload: metas.payload,
            vectors,
            fields: metas.schema.fields().count(),
        })
    }
}

/// What an index holds, as of the commit a reader sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Articles.
    pub articles: usize,
    /// Sections (one Tantivy document each).
    pub sections: u64,
    /// When the commit was made (`None` for an index never committed to).
    #[serde(skip)]
    pub committed_at: Option<SystemTime>,
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
        // The stamp first: a commit made while the reader opens is then
        // seen as new by the next `reload_if_changed`.
        let loaded = CommitStamp::of(&index, &path)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        Ok(IndexReader {
            reader,
            fields,
            path,
            index,
            dir: dir.to_path_buf(),
            loaded: Mutex::new(loaded),
        })
    }

    /// Picks up the latest commit when there is a new one (for long-running
    /// readers); true when it did. An error (the index was rebuilt under
    /// another schema, or a language's fields were added:
    /// [`IndexError::FieldsChanged`]) leaves the reader at the commit it
    /// had: open a new one.
    pub fn reload_if_changed(&self) -> Result<bool, IndexError> {
        let latest = CommitStamp::of(&self.index, &self.path)?;
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        if *loaded == latest {
            return Ok(false);
        }
        if loaded.fields != latest.fields {
            // This reader's field handles are the old schema's.
            return Err(IndexError::FieldsChanged(self.path.clone()));
        }
        self.reader
            .reload()
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        *loaded = latest;
        Ok(true)
    }

    /// The model of the vectors the index holds as of the commit this
    /// reader sees (none: it holds none, and searches are lexical).
    pub fn vector_model(&self) -> Option<VectorModel> {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .vectors
            .clone()
    }

    /// The folder of the model that made the index's vectors (a copy kept
    /// in the index folder), as of the commit this reader sees.
    pub fn model_dir(&self) -> Option<PathBuf> {
        self.vector_model().map(|m| self.dir.join(m.folder))
    }

    /// How many articles and sections the index holds and when the commit
    /// this reader sees was made. Counts come from the commit's payload
    /// where it has them (no document is read).
    pub fn stats(&self) -> Result<IndexStats, IndexError> {
        let searcher = self.reader.searcher();
        let loaded = self
            .loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let payload = match &loaded.payload {
            Some(text) => serde_json::from_str::<Payload>(text).ok(),
            None => None,
        };
        let articles = match payload.as_ref().and_then(|p| p.articles) {
            Some(n) => n,
            None => self.count_articles(&searcher, &tantivy::query::AllQuery)?,
        };
        let committed_at = match payload.as_ref().and_then(|p| p.committed_at) {
            Some(secs) => Some(UNIX_EPOCH + Duration::from_secs(secs)),
            None if loaded.payload.is_some() || loaded.opstamp > 0 => {
                std::fs::metadata(self.dir.join("meta.json"))
                    .and_then(|m| m.modified())
                    .ok()
            }
            None => None,
        };
        Ok(IndexStats {
            articles,
            sections: searcher.num_docs(),
            committed_at,
        })
    }

    /// The analyses a query is compiled for — `language`'s, or every one
    /// the index holds (English for an empty index) — and whether the index
    /// holds others besides (then each is limited to its own sections). The
    /// index's analyses are the terms of its `analysis` field: a few per
    /// segment, read from the term dictionary without touching a document.
    pub(crate) fn query_analyses(
        &self,
        searcher: &Searcher,
        language: Option<&str>,
    ) -> Result<(Vec<Analysis>, bool), IndexError> {
        let mut held: Vec<Analysis> = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(self.fields.analysis)
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| IndexError::io(&self.path, e))?;
            while terms.advance() {
                let found = std::str::from_utf8(terms.key())
                    .ok()
                    .and_then(Analysis::from_code);
                if let Some(analysis) = found
                    && self.fields.has(analysis)
                    && !held.contains(&analysis)
                {
                    held.push(analysis);
                }
            }
        }
        held.sort();
        if let Some(language) = language {
            let asked = Analysis::of_language(Some(language));
            let others = held.iter().any(|a| *a != asked);
            return Ok((vec![asked], others));
        }
        if held.is_empty() {
            held.push(Analysis::English);
        }
        let several = held.len() > 1;
        Ok((held, several))
    }

    /// How many distinct articles have a matching section: read from the
    /// `article` fast field, not from stored documents, so a query matching
    /// most of a large index stays cheap.
    pub(crate) fn count_articles(
        &self,
        searcher: &Searcher,
        query: &dyn TQuery,
    ) -> Result<usize, IndexError> {
        Ok(self.matching_articles(searcher, query)?.len())
    }

    /// The distinct articles that have a matching section (from the
    /// `article` fast field).
    pub(crate) fn matching_articles(
        &self,
        searcher: &Searcher,
        query: &dyn TQuery,
    ) -> Result<HashSet<String>, IndexError> {
        searcher
            .search(query, &DistinctArticles)
            .map_err(|e| IndexError::tantivy(&self.path, e))
    }
}
