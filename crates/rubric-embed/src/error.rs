//! [`EmbedError`]: every way the embedding crate fails, each naming the file
//! or folder involved so a binary can print it as is. Mapping candle's,
//! tokenizers' and serde's errors onto these variants happens where the call
//! is made, where the path is known.

use std::path::PathBuf;

/// Errors of the embedding crate; each names the model file or folder.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A file the model folder must have is not there.
    #[error("{path}: not found: {why}")]
    Missing {
        /// The file that was looked for.
        path: PathBuf,
        /// What the file is for.
        why: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file of the folder could not be read.
    #[error("{path}: bad JSON: {source}")]
    Json {
        /// The JSON file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A configuration file is valid JSON but its values make no sense.
    #[error("{path}: {reason}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The folder holds a model this crate cannot run faithfully (another
    /// architecture, a `Dense` module, an unknown pooling mode, ...).
    #[error("{path}: unsupported: {what}")]
    Unsupported {
        /// The file that says so.
        path: PathBuf,
        /// What is not supported.
        what: String,
    },
    /// `tokenizer.json` could not be loaded or does not fit the model.
    #[error("{path}: {reason}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The weights could not be read or do not fit `config.json`.
    #[error("{path}: {source}")]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// Underlying error (names the tensor).
        #[source]
        source: candle_core::Error,
    },
    /// A requested token window the model cannot take.
    #[error("{path}: a window of {requested} tokens is outside what the model takes (2..={limit})")]
    MaxTokens {
        /// The model folder.
        path: PathBuf,
        /// The window asked for.
        requested: usize,
        /// The model's position limit.
        limit: usize,
    },
    /// Tokenising or running the model on some text failed.
    #[error("{path}: embedding failed: {reason}")]
    Embed {
        /// The model folder.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl EmbedError {
    /// Wraps an I/O error for `path`; a missing file stays an I/O error
    /// (callers that know what the file is for use [`EmbedError::Missing`]).
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> EmbedError {
        EmbedError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn config(path: impl Into<PathBuf>, reason: impl Into<String>) -> EmbedError {
        EmbedError::Config {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(path: impl Into<PathBuf>, what: impl Into<String>) -> EmbedError {
        EmbedError::Unsupported {
            path: path.into(),
            what: what.into(),
        }
    }
}
