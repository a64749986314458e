//! [`ExtractError`]: why a source could not be turned into an article. Every
//! variant names the source (path or URL).

use thiserror::Error;

/// Why a source (or one JSON Lines record) could not be extracted.
#[derive(Debug, Error)]
pub enum ExtractError {
    /// The bytes look binary (NUL bytes).
    #[error("{source_name}: binary file, not text")]
    Binary {
        /// Path or URL.
        source_name: String,
    },
    /// The bytes are not valid UTF-8.
    #[error("{source_name}: not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 {
        /// Path or URL.
        source_name: String,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A JSON Lines record is malformed.
    #[error("{source_name}:{line}: {reason}")]
    Record {
        /// Path or URL.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing to index: no text at all.
    #[error("{source_name}: no text to index")]
    Empty {
        /// Path or URL.
        source_name: String,
    },
    /// The input is larger than the extractor reads.
    #[error("{source_name}: {size} bytes, more than the {limit} this extractor reads")]
    TooLarge {
        /// Path or URL.
        source_name: String,
        /// Its size in bytes.
        size: usize,
        /// The most bytes read.
        limit: usize,
    },
    /// The markup nests elements deeper than the extractor reads.
    #[error(
        "{source_name}: elements nested {depth} deep, more than the {limit} this extractor reads"
    )]
    TooDeep {
        /// Path or URL.
        source_name: String,
        /// The nesting the markup asks for (estimated).
        depth: usize,
        /// The deepest nesting read.
        limit: usize,
    },
    /// The input cannot be handled this way.
    #[error("{source_name}: {reason}")]
    Unsupported {
        /// Path or URL.
        source_name: String,
        /// Why.
        reason: String,
    },
}
