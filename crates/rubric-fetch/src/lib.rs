//! Fetching articles from the web for Rubric: URLs, URL lists and sitemaps,
//! politely, with an HTTP cache kept beside the index.
//!
//! This crate owns everything between a URL and a page's text: URL
//! normalisation ([`normalize`]), URL lists ([`parse_url_list`]), sitemaps
//! and sitemap indexes, gzipped or not ([`sitemap`]), robots.txt with
//! `Crawl-delay`, per-host concurrency and delay, a global limit on requests
//! in flight, time-outs, redirects, a body limit enforced while streaming,
//! retries with back-off that honour `Retry-After`, content types, the
//! character set of a body (decoded by [`charset`], which lives in
//! `rubric-core` so that `rubric-extract` decodes files with the same code)
//! and the HTTP cache with conditional requests ([`HttpCache`]). It hands
//! back [`Page`]s as UTF-8 text.
//!
//! It does not parse HTML (the `<link rel=canonical>` that decides an
//! article id is read by `rubric-extract`), build articles, or touch the
//! index. It only emits `tracing` events; messages for users are the
//! caller's, from the [`FetchError`]s, each of which names the URL.
//!
//! ```no_run
//! use rubric_fetch::{Fetcher, HttpCache, Options, normalize};
//!
//! # async fn demo() -> Result<(), rubric_fetch::FetchError> {
//! let fetcher = Fetcher::new(Options::default(), HttpCache::in_memory())?;
//! let page = fetcher.page(&normalize("https://example.org/post")?).await?;
//! println!("{} ({}): {} bytes", page.final_url, page.format, page.body.len());
//! # Ok(())
//! # }
//! ```

mod cache;
mod error;
mod fetcher;
mod http;
mod normalize;
mod polite;
pub mod sitemap;

use std::time::Duration;

pub use cache::{ArticleNote, BODY_DIR, CACHE_FILE, Entry, HttpCache, Skip};
pub use error::FetchError;
pub use fetcher::{Fetcher, Freshness, Page, SitemapPage, SitemapPages};
pub use normalize::{is_web_url, normalize, parse_url_list, resolve};
pub use rubric_core::{Format, charset};
pub use url::Url;

/// The `User-Agent` Rubric sends.
pub const USER_AGENT: &str = concat!(
    "Rubric/",
    env!("CARGO_PKG_VERSION"),
    " (section search indexer; +https://github.com/rubric-search/rubric)"
);

/// How to fetch: limits, politeness and retries.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The product token matched against robots.txt groups.
    pub robots_agent: String,
    /// Requests in flight at once, over all hosts.
    pub jobs: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Time between the starts of two requests to one host (robots.txt
    /// `Crawl-delay` raises it, up to `max_crawl_delay`).
    pub delay: Duration,
    /// The longest `Crawl-delay` honoured.
    pub max_crawl_delay: Duration,
    /// Time-out to connect.
    pub connect_timeout: Duration,
    /// Time-out of one attempt, from connecting to the body's last byte.
    pub timeout: Duration,
    /// The largest body accepted (after content decoding), in bytes.
    pub max_body: u64,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// Retries after the first attempt (time-outs, connection errors, 429, 5xx).
    pub retries: u32,
    /// Back-off before the first retry; doubled for each next one, with jitter.
    pub backoff: Duration,
    /// A `Retry-After` longer than this fails the URL instead of waiting.
    pub max_retry_wait: Duration,
    /// Obey robots.txt.
    pub robots: bool,
    /// Make no request: pages and sitemaps come from the cache only.
    pub offline: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            user_agent: USER_AGENT.to_string(),
            robots_agent: "Rubric".to_string(),
            jobs: 8,
            per_host: 2,
            delay: Duration::from_millis(250),
            max_crawl_delay: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 10 * 1_000_000,
            max_redirects: 5,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(120),
            robots: true,
            offline: false,
        }
    }
}
