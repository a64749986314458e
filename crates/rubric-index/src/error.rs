//! [`IndexError`]: every way the index crate fails, each naming the index
//! folder or the query so a binary can print it as is. Mapping Tantivy's
//! errors onto these variants happens where the call is made.

/// Errors of the index crate; each names the index folder or the query.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index at this path.
    #[error("no index at {0}: run `ingest` first")]
    Missing(String),
    /// Index written by another schema version.
    #[error(
        "the index at {path} has schema version {found}, this build needs {expected}: rebuild it with `ingest --rebuild`"
    )]
    Version {
        /// Index folder.
        path: String,
        /// Version found (`none` when the index has no `rubric.json`).
        found: String,
        /// Version this build writes.
        expected: u32,
    },
    /// An article's language needs text fields the index does not have yet
    /// (its first article of that analysis). Nothing was written for it:
    /// drop the writer, add them with [`crate::add_language`] (which keeps
    /// every section) and apply the run's articles again.
    #[error(
        "the index at {path} has no fields for {language:?} articles yet: add them with `ingest` (it does so by itself)"
    )]
    NewLanguage {
        /// Index folder.
        path: String,
        /// The article's language tag.
        language: String,
    },
    /// The index's fields changed since the reader was opened (a language's
    /// text fields were added): open it again.
    #[error("the index at {0} has new fields since it was opened: open it again")]
    FieldsChanged(String),
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
    /// Reading or writing Rubric's own files in the index folder failed.
    #[error("index at {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file of Rubric's in the index folder does not hold what it should
    /// (a catalog that does not decode, a commit that names no catalog).
    #[error("index at {path} is damaged: {reason}; rebuild it with `ingest --rebuild`")]
    Corrupt {
        /// The index folder or the file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Vectors that do not fit the index: sections without them in an index
    /// that holds them (or the reverse), another model's, or a query
    /// embedded by another model than the one that made the index's.
    #[error("index at {path}: {reason}")]
    Vectors {
        /// Index folder.
        path: String,
        /// What does not fit, and what to do.
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

impl IndexError {
    /// Wraps a Tantivy error for the index at `path`; a busy writer lock
    /// becomes [`IndexError::Locked`].
    pub(crate) fn tantivy(path: &str, source: impl Into<tantivy::TantivyError>) -> IndexError {
        match source.into() {
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            ) => IndexError::Locked(path.to_string()),
            // Not a busy lock: the folder cannot be written (read-only, no
            // permission, no space). Say that, not "another writer".
            tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::IoError(error),
                _,
            ) => IndexError::Io {
                path: path.to_string(),
                source: std::io::Error::new(error.kind(), error.to_string()),
            },
            source => IndexError::Tantivy {
                path: path.to_string(),
                source,
            },
        }
    }

    pub(crate) fn io(path: impl std::fmt::Display, source: std::io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_string(),
            source,
        }
    }
}
