//! [`FetchError`]: every way fetching a URL can fail, each naming the URL and
//! the reason, plus the short reason label the closing summary counts by.

use std::path::PathBuf;

/// Why a URL (or the HTTP cache) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not an absolute `http://` or `https://` URL.
    #[error("{url}: not an http(s) URL ({reason})")]
    InvalidUrl {
        /// The text as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered with an error status (after any retries).
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// No complete answer within the time-out (after any retries).
    #[error("{url}: timed out after {seconds:.1} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The total time-out of one attempt.
        seconds: f64,
    },
    /// The connection failed or broke (after any retries).
    #[error("{url}: connection failed: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// What the HTTP client said.
        reason: String,
    },
    /// The body is larger than the limit (checked while streaming).
    #[error("{url}: too large (more than {limit} bytes; see --max-page-mb)")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A redirect leads back to a URL already visited.
    #[error("{url}: redirect loop")]
    RedirectLoop {
        /// The URL first requested.
        url: String,
    },
    /// More redirects than allowed.
    #[error("{url}: more than {max} redirects")]
    TooManyRedirects {
        /// The URL first requested.
        url: String,
        /// The limit.
        max: usize,
    },
    /// robots.txt disallows the URL for Rubric.
    #[error("{url}: refused by robots.txt")]
    Robots {
        /// The URL.
        url: String,
    },
    /// The content type is not one Rubric ingests (HTML, text, Markdown).
    #[error(
        "{url}: unsupported content type {content_type:?} (only HTML, plain text and Markdown are ingested)"
    )]
    UnsupportedType {
        /// The URL.
        url: String,
        /// The `Content-Type` the server sent.
        content_type: String,
    },
    /// A sitemap that is not sitemap XML (or a broken gzip stream).
    #[error("{url}: not a sitemap: {reason}")]
    Sitemap {
        /// The sitemap's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// `--offline`, and the URL is not in the HTTP cache.
    #[error("{url}: not in the HTTP cache (offline)")]
    NotCached {
        /// The URL.
        url: String,
    },
    /// Any other HTTP client error (a broken compressed body, say).
    #[error("{url}: {reason}")]
    Http {
        /// The URL.
        url: String,
        /// What the HTTP client said.
        reason: String,
    },
    /// The HTTP cache could not be read or written.
    #[error("{}: {source}", path.display())]
    Cache {
        /// The cache file or body file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The HTTP client could not be built (no TLS roots, say).
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    /// A short label of the reason, for counting failures by kind:
    /// `HTTP 404`, `time-out`, `too large`, `redirect loop`, `robots.txt`, ...
    pub fn reason(&self) -> String {
        match self {
            FetchError::InvalidUrl { .. } => "invalid URL".into(),
            FetchError::Status { status, .. } => format!("HTTP {status}"),
            FetchError::Timeout { .. } => "time-out".into(),
            FetchError::Connect { .. } => "connection".into(),
            FetchError::TooLarge { .. } => "too large".into(),
            FetchError::RedirectLoop { .. } => "redirect loop".into(),
            FetchError::TooManyRedirects { .. } => "too many redirects".into(),
            FetchError::Robots { .. } => "robots.txt".into(),
            FetchError::UnsupportedType { .. } => "content type".into(),
            FetchError::Sitemap { .. } => "bad sitemap".into(),
            FetchError::NotCached { .. } => "not cached".into(),
            FetchError::Http { .. } => "HTTP error".into(),
            FetchError::Cache { .. } => "cache".into(),
            FetchError::Client(_) => "client".into(),
        }
    }

    /// True for the URLs that are passed over by rule rather than failed:
    /// refused by robots.txt, or of a content type Rubric does not ingest.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            FetchError::Robots { .. } | FetchError::UnsupportedType { .. }
        )
    }

    /// True when another attempt may succeed: time-outs, connection errors,
    /// 429 and 5xx. Other 4xx are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Connect { .. } => true,
            FetchError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}
