//! The two kinds of failure of a run: a [`SourceError`] fails one source
//! (a file, a record, a URL) and the run goes on; an [`IngestError`] stops
//! the run (the index cannot be opened or written, the output is gone).
//! Each names what failed; its cause, if any, is its `source()`, not part
//! of its message, so a printer that walks the chain says each thing once.

use std::path::PathBuf;

use rubric_extract::ExtractError;
use rubric_fetch::FetchError;
use rubric_index::IndexError;
use thiserror::Error;

/// Why one source could not be ingested. The run goes on without it.
#[derive(Debug, Error)]
pub enum SourceError {
    /// A file or folder could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The path as given or found.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A folder could not be walked (a loop of links, a vanished entry).
    #[error("{}: cannot read", path.display())]
    Walk {
        /// The path as far as it is known.
        path: PathBuf,
        /// Why.
        #[source]
        source: ignore::Error,
    },
    /// A file is larger than `--max-file-mb`.
    #[error("{}: too large ({} MB, the limit is {} MB; see --max-file-mb)", path.display(), size / 1_000_000, limit / 1_000_000)]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A URL list could not be read.
    #[error("{}: cannot read the URL list", path.display())]
    UrlList {
        /// The list.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A line of a URL list is not a URL.
    #[error("{}:{line}", path.display())]
    UrlLine {
        /// The list.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// Why.
        #[source]
        source: FetchError,
    },
    /// A source could not be extracted (binary, broken UTF-8, a bad record).
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// A URL could not be fetched.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The extractor stopped on a source without an answer (a bug).
    #[error("{source_name}: the extractor failed: {reason}")]
    Crashed {
        /// The path or URL.
        source_name: String,
        /// What the task reported.
        reason: String,
    },
    /// A remote engine refused a section of an article (`ingest --sink`);
    /// nothing of that version of it is kept there.
    #[error("{article}: refused by {engine}: {reason}")]
    Refused {
        /// `quickwit`, `elasticsearch`, `opensearch`.
        engine: &'static str,
        /// The article id.
        article: String,
        /// The section and the engine's reason.
        reason: String,
    },
}

/// Why a run stopped.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The index could not be opened, written or committed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The web fetcher could not be set up.
    #[error("cannot start fetching")]
    Fetcher(#[source] FetchError),
    /// A thread or the async runtime could not be started.
    #[error("cannot start the {what}")]
    Runtime {
        /// Which.
        what: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The reporter could not write an article out (`--dry-run`): the
    /// reader of the output went away, or the disk is full.
    #[error("cannot write the output")]
    Output(#[source] std::io::Error),
    /// A bad option.
    #[error("{0}")]
    Options(String),
    /// The model for `--semantic` could not be found, copied, loaded or run.
    #[error("semantic search: {what}")]
    Embed {
        /// What was being done.
        what: String,
        /// Why it failed (names the file).
        #[source]
        source: Box<rubric_embed::EmbedError>,
    },
    /// The index's vectors and this run's model do not fit together.
    #[error("semantic search: {0}")]
    Semantic(String),
    /// The remote engine of `--sink` could not be reached, or answered with
    /// an error that stops the run.
    #[error(transparent)]
    Remote(#[from] rubric_remote::RemoteError),
    /// The local books of a sink (its folder under the index folder) could
    /// not be read or written.
    #[error("{}: cannot keep the sink's books", path.display())]
    SinkBooks {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The remote index was filled by a build that wrote other documents.
    #[error(
        "{endpoint} holds documents of version {found}, this build sends version {expected}: run with --rebuild to fill it again"
    )]
    SinkVersion {
        /// The endpoint.
        endpoint: String,
        /// The version its books record.
        found: u32,
        /// This build's.
        expected: u32,
    },
    /// The index was written by another schema version and rebuilding it
    /// from the sources of this run would drop the articles of others.
    #[error(
        "the index at {} has schema version {found}, this build writes {expected}: rebuilding it from the sources given would drop {articles} articles of {}; give those sources too, or rebuild with `ingest --rebuild`",
        index.display(),
        listed(sources)
    )]
    RebuildWouldDrop {
        /// The index folder.
        index: PathBuf,
        /// The version found.
        found: String,
        /// The version this build writes.
        expected: u32,
        /// How many articles would go.
        articles: usize,
        /// The sources they came from (paths as given, or URLs).
        sources: Vec<String>,
    },
}

/// Up to five sources, then how many more.
fn listed(sources: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut out = sources
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if sources.len() > SHOWN {
        out.push_str(&format!(" and {} more", sources.len() - SHOWN));
    }
    out
}
