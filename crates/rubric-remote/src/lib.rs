//! Rubric's sections in a distributed search engine — Quickwit, and
//! Elasticsearch / OpenSearch — for an archive that outgrows one machine.
//! Rubric keeps what is its own (extraction, ids, anchors, the incremental
//! bookkeeping, the query language, its analysis); the engine stores and
//! serves the shards.
//!
//! - [`Endpoint`]: `quickwit://HOST:PORT/INDEX` (or `elasticsearch://`,
//!   `opensearch://`), plain HTTP.
//! - [`Document`]: one section as the engine stores it, with Rubric's
//!   analysed copy of each text field.
//! - [`config`]: the index definitions those documents need.
//! - [`Sink`]: batches, retries, deletes and the journal of `ingest --sink`.
//! - [`Export`]: the same documents written to a file (`ingest --export`).
//! - [`translate`]: the query language in the engine's terms.
//! - [`RemoteSearch`]: `search --engine`, answering with the same
//!   [`rubric_index::SearchResponse`] as a local index.
//!
//! Quickwit 0.9 is the engine this was checked against (a real single
//! node); the Elasticsearch / OpenSearch requests follow those engines'
//! documented APIs, are tested against a fake engine answering in those
//! shapes, and have not been run against either real engine.
//!
//! Every request goes through one small hyper client (`http`): no TLS, no
//! reqwest, so the `search` binary stays small. This crate does not decide
//! what changed (the ingest plan does) and keeps no catalog of its own.
//!
//! ```
//! use rubric_remote::{Endpoint, Engine};
//!
//! let endpoint: Endpoint = "quickwit://127.0.0.1:7280/articles".parse()?;
//! assert_eq!(endpoint.engine, Engine::Quickwit);
//! let config = rubric_remote::config::index_definition(endpoint.engine, &endpoint.index);
//! assert_eq!(config["index_id"], "articles");
//! # Ok::<(), rubric_remote::RemoteError>(())
//! ```

pub mod config;
mod doc;
mod endpoint;
mod error;
mod export;
mod http;
mod search;
mod sink;
mod snippet;
pub mod translate;

pub use doc::{Document, FIELDS, section_id};
pub use endpoint::{Endpoint, Engine};
pub use error::RemoteError;
pub use export::{Export, ExportFormat, Exported};
pub use http::HttpOptions;
pub use search::RemoteSearch;
pub use sink::{Event, Opening, Progress, Sink, SinkOptions};

/// The version of the documents' shape ([`Document`], [`config`]): a sink
/// whose remote index was filled by another version must rebuild it.
pub const DOCUMENT_VERSION: u32 = 1;
