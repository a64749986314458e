//! [`RemoteError`]: every way talking to an engine fails, each naming the
//! engine (or the URL given) so a binary can print it as is.

/// Errors of the remote crate.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// An engine URL that cannot be used.
    #[error("bad engine URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer at all: nothing listens there, or the connection broke.
    #[error("cannot reach {engine} at {address} (is it running?)")]
    Unreachable {
        /// `quickwit`, `elasticsearch`, `opensearch`.
        engine: &'static str,
        /// `host:port`.
        address: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No answer in time.
    #[error("{engine} at {address} did not answer {what} within {secs} s")]
    TimedOut {
        /// The engine.
        engine: &'static str,
        /// `host:port`.
        address: String,
        /// The request (`POST /api/v1/x/ingest`).
        what: String,
        /// The time-out.
        secs: u64,
    },
    /// The engine answered with an error status (after the retries, for
    /// 429 and 5xx).
    #[error("{engine} answered {what} with HTTP {status}: {message}")]
    Status {
        /// The engine.
        engine: &'static str,
        /// The request.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The engine's own message (its `message` or `error.reason`).
        message: String,
    },
    /// The engine's answer is not what its API documents.
    #[error("{engine} answered {what} with something unexpected: {reason}")]
    Protocol {
        /// The engine.
        engine: &'static str,
        /// The request.
        what: String,
        /// What was wrong.
        reason: String,
    },
    /// Some splits or shards failed to answer a search: the hits would be
    /// incomplete, so they are not shown.
    #[error("{engine}: {failed} of {total} shards (splits) failed to answer the search")]
    ShardsFailed {
        /// The engine.
        engine: &'static str,
        /// How many failed.
        failed: u64,
        /// How many were searched.
        total: u64,
    },
    /// The remote index exists but was not made for Rubric's documents.
    #[error("the {engine} index {index:?} does not hold Rubric's documents: {reason}")]
    Mapping {
        /// The engine.
        engine: &'static str,
        /// The index.
        index: String,
        /// What is missing or different.
        reason: String,
    },
    /// The remote index does not exist (for searching).
    #[error("{engine} has no index {index:?}: send sections to it with `ingest --sink` first")]
    NoIndex {
        /// The engine.
        engine: &'static str,
        /// The index.
        index: String,
    },
    /// A query with nothing to search for.
    #[error("bad query {query:?}: {reason}")]
    Query {
        /// The query as given.
        query: String,
        /// Why.
        reason: String,
    },
    /// The sink's journal could not be read or written.
    #[error("cannot write the sink's journal {path}")]
    Journal {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An export file could not be written.
    #[error("cannot write the export {path}")]
    Export {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime could not be started.
    #[error("cannot start the HTTP client")]
    Runtime(#[source] std::io::Error),
}
