//! [`ExtractError`]: why a source (or one JSON Lines record) could not be
//! turned into an article. Every error names the source (path or URL) and,
//! for a record, its line; [`ErrorKind`] says what went wrong, so a record's
//! body error is the body extractor's own kind, not a message re-parsed.

use thiserror::Error;

/// Why a source (or one JSON Lines record) could not be extracted.
#[derive(Debug)]
pub struct ExtractError {
    /// The path or URL.
    pub source_name: String,
    /// The 1-based line of a JSON Lines record.
    pub line: Option<usize>,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong, without where.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes look binary (NUL bytes).
    #[error("binary file, not text")]
    Binary,
    /// The bytes are not valid UTF-8.
    #[error("not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// Nothing to index: no text at all.
    #[error("no text to index")]
    Empty,
    /// The input is larger than the extractor reads.
    #[error("{size} bytes, more than the {limit} this extractor reads")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The most bytes read.
        limit: usize,
    },
    /// The markup nests elements deeper than the extractor reads.
    #[error("elements nested {depth} deep, more than the {limit} this extractor reads")]
    TooDeep {
        /// The nesting the markup asks for (estimated).
        depth: usize,
        /// The deepest nesting read.
        limit: usize,
    },
    /// A JSON Lines line is not JSON.
    #[error("not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// A JSON Lines line is JSON but not a record (a field of the wrong type).
    #[error("not a record: {0}")]
    BadRecord(#[source] serde_json::Error),
    /// A record has neither `id` nor `_id`.
    #[error("missing `id` (or `_id`)")]
    MissingId,
    /// A record's id is blank.
    #[error("`{0}` is empty")]
    EmptyId(&'static str),
    /// A record has no body field.
    #[error("no body: expected one of `text`, `markdown`, `html`")]
    NoBody,
    /// JSON Lines given where one article was expected.
    #[error("JSON Lines holds many articles: use extract_all")]
    ManyArticles,
}

impl ExtractError {
    /// An error of `kind` in the source `source_name`.
    pub fn new(source_name: impl Into<String>, kind: ErrorKind) -> ExtractError {
        ExtractError {
            source_name: source_name.into(),
            line: None,
            kind,
        }
    }

    /// True when the source was read but holds nothing to index (a page that
    /// is only a title, say): passed over rather than failed.
    pub fn is_empty(&self) -> bool {
        matches!(self.kind, ErrorKind::Empty)
    }
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.source_name, self.kind),
            None => write!(f, "{}: {}", self.source_name, self.kind),
        }
    }
}

impl std::error::Error for ExtractError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // The kind is printed as part of this error; its own cause (a JSON
        // parse error) is printed there too, so the chain stops here.
        None
    }
}
