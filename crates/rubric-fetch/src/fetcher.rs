//! [`Fetcher`]: fetching pages and sitemaps over HTTP, politely and with the
//! cache. One attempt is: robots.txt check, the host's turn, a global slot
//! (`jobs`), a GET with conditional headers when a cached copy exists, at
//! most `max_redirects` redirects (a loop is named as one), the content type
//! checked before the body is read, and the body streamed up to `max_body`.
//! Failed attempts that may succeed later (time-outs, connection errors, 429,
//! 5xx) are retried with exponential back-off and jitter, or after the
//! server's `Retry-After` when it sends one.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header;
use tokio::sync::Semaphore;
use url::Url;

use crate::cache::{ArticleNote, Entry, HttpCache, Skip};
use crate::http::{Type, backoff, find_cause, format_of, retry_after, sniff, text_header};
use crate::polite::{Hosts, Robots, lock};
use crate::sitemap::{SitemapDoc, parse_sitemap};
use crate::{FetchError, Format, Options, charset, normalize};

/// How deep sitemap indexes may nest (an index of indexes of sitemaps is 2).
const MAX_SITEMAP_DEPTH: usize = 4;
/// The most of a robots.txt that is read (RFC 9309 asks for at least 500 KiB).
const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// Where a page's body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Fetched now: new, or changed since the cached copy.
    Fetched,
    /// The server answered 304 Not Modified: the body is the cached copy.
    NotModified,
    /// The server sent the body again, and it is the same as the cached copy.
    Unchanged,
    /// Offline: the cached copy, no request made.
    Offline,
}

impl Freshness {
    /// True when the body is the one cached by an earlier run.
    pub fn is_cached(self) -> bool {
        self != Freshness::Fetched
    }
}

/// A fetched page, as UTF-8 text.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL requested (normalised).
    pub url: Url,
    /// Where it led after redirects.
    pub final_url: Url,
    /// What the body is (never JSON Lines).
    pub format: Format,
    /// The body, decoded to UTF-8.
    pub body: String,
    /// Body bytes received now (0 for a 304 or offline).
    pub received: u64,
    /// Whether the body is new or the cached copy.
    pub freshness: Freshness,
    /// For a cached body, the caller's note about the article made from it
    /// last time (see [`Fetcher::note_article`]).
    pub note: Option<ArticleNote>,
}

/// A page found in a sitemap.
#[derive(Debug, Clone)]
pub struct SitemapPage {
    /// The page's URL (normalised).
    pub url: Url,
    /// The `<loc>` as written.
    pub loc: String,
    /// The `<lastmod>` as written.
    pub lastmod: Option<String>,
}

/// Everything a sitemap (and the sitemaps it lists) led to.
#[derive(Debug, Default)]
pub struct SitemapPages {
    /// Pages, in document order, each once.
    pub pages: Vec<SitemapPage>,
    /// How many sitemap documents were read.
    pub sitemaps: usize,
    /// Sitemaps that could not be read and entries that are not URLs.
    pub errors: Vec<FetchError>,
}

/// Fetches pages and sitemaps; cheap to clone (one client, one cache).
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: reqwest::Client,
    options: Options,
    hosts: Hosts,
    global: Semaphore,
    cache: Mutex<HttpCache>,
}

/// The redirect policy's verdict, found again in reqwest's error chain.
#[derive(Debug, thiserror::Error)]
enum RedirectError {
    #[error("redirect loop")]
    Loop,
    #[error("too many redirects")]
    TooMany,
}

/// What one GET gave.
enum Got {
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    Body {
        final_url: Url,
        content_type: Option<String>,
        format: Option<Format>,
        etag: Option<String>,
        last_modified: Option<String>,
        bytes: Vec<u8>,
    },
}

/// What is being fetched, which decides the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Page,
    Sitemap,
    Robots,
}

/// A failed attempt, with the server's `Retry-After` if it sent one.
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

impl Fetcher {
    /// A fetcher with these options over this cache.
    pub fn new(options: Options, cache: HttpCache) -> Result<Fetcher, FetchError> {
        let max_redirects = options.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().iter().any(|u| u == attempt.url()) {
                attempt.error(RedirectError::Loop)
            } else if attempt.previous().len() > max_redirects {
                attempt.error(RedirectError::TooMany)
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .redirect(policy)
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                global: Semaphore::new(options.jobs.max(1)),
                options,
                hosts: Hosts::default(),
                cache: Mutex::new(cache),
            }),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// Fetches one page: HTML, plain text or Markdown, as UTF-8. A page
    /// cached by an earlier run is asked for with its validators, and a 304
    /// gives the cached copy; offline, only the cache is read.
    ///
    /// A page passed over on purpose (robots.txt, content type) is
    /// remembered in the cache, so an offline run passes over it again.
    pub async fn page(&self, url: &Url) -> Result<Page, FetchError> {
        let key = url.as_str();
        if self.inner.options.offline {
            let cache = lock(&self.inner.cache);
            if let Some(skip) = cache.skipped(key) {
                return Err(skip.error(key));
            }
            let (entry, body) = cache
                .get_with_body(key)
                .filter(|(e, _)| e.format.is_some())
                .ok_or_else(|| FetchError::NotCached {
                    url: key.to_string(),
                })?;
            return Ok(cached_page(url, entry, body, Freshness::Offline));
        }
        let result = self.page_online(url).await;
        match &result {
            Ok(_) => lock(&self.inner.cache).set_skipped(key, None),
            Err(e) => {
                if let Some(skip) = Skip::of(e) {
                    lock(&self.inner.cache).set_skipped(key, Some(skip));
                }
            }
        }
        result
    }

    /// [`Fetcher::page`] with the network.
    async fn page_online(&self, url: &Url) -> Result<Page, FetchError> {
        let key = url.as_str();
        let cached = lock(&self.inner.cache)
            .get_with_body(key)
            .filter(|(e, _)| e.format.is_some());
        self.check_robots(url).await?;
        let got = self
            .get(url, cached.as_ref().map(|(e, _)| e), Want::Page)
            .await?;
        match got {
            Got::NotModified {
                etag,
                last_modified,
            } => {
                let (entry, body) = cached.ok_or_else(|| FetchError::Http {
                    url: key.to_string(),
                    reason: "304 Not Modified to a request that was not conditional".into(),
                })?;
                lock(&self.inner.cache).refresh(key, etag, last_modified);
                Ok(cached_page(url, entry, body, Freshness::NotModified))
            }
            Got::Body {
                final_url,
                content_type,
                format,
                etag,
                last_modified,
                bytes,
            } => {
                let format = format.unwrap_or_else(|| sniff(&bytes));
                let body = charset::decode(&bytes, content_type.as_deref(), format == Format::Html);
                let hash = blake3::hash(body.as_bytes()).to_hex().to_string();
                let same = cached.as_ref().filter(|(e, _)| e.hash == hash);
                let note = same.and_then(|(e, _)| e.article.clone());
                let entry = Entry {
                    final_url: final_url.to_string(),
                    format: Some(format),
                    etag,
                    last_modified,
                    hash,
                    article: note.clone(),
                };
                self.remember(key, entry, body.as_bytes());
                Ok(Page {
                    url: url.clone(),
                    final_url,
                    format,
                    received: bytes.len() as u64,
                    body,
                    freshness: if same.is_some() {
                        Freshness::Unchanged
                    } else {
                        Freshness::Fetched
                    },
                    note,
                })
            }
        }
    }

    /// Reads a sitemap and, for a sitemap index, the sitemaps it lists
    /// (nested up to four deep, gzipped or not, each once). A sitemap that
    /// fails is an error in the result; the others are still read.
    pub async fn sitemap(&self, url: &Url) -> SitemapPages {
        let mut out = SitemapPages::default();
        let mut queue = VecDeque::from([(url.clone(), 0usize)]);
        let mut visited = HashSet::from([url.to_string()]);
        let mut pages_seen = HashSet::new();
        while let Some((url, depth)) = queue.pop_front() {
            let bytes = match self.sitemap_bytes(&url).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    out.errors.push(e);
                    continue;
                }
            };
            out.sitemaps += 1;
            match parse_sitemap(url.as_str(), &bytes) {
                Err(e) => out.errors.push(e),
                Ok(SitemapDoc::Pages(entries)) => {
                    for entry in entries {
                        match crate::resolve(&url, &entry.loc) {
                            Ok(page) if pages_seen.insert(page.to_string()) => {
                                out.pages.push(SitemapPage {
                                    url: page,
                                    loc: entry.loc,
                                    lastmod: entry.lastmod,
                                });
                            }
                            Ok(_) => {}
                            Err(e) => out.errors.push(e),
                        }
                    }
                }
                Ok(SitemapDoc::Index(entries)) => {
                    if depth >= MAX_SITEMAP_DEPTH {
                        out.errors.push(FetchError::Sitemap {
                            url: url.to_string(),
                            reason: format!(
                                "sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep"
                            ),
                        });
                        continue;
                    }
                    for entry in entries {
                        match crate::resolve(&url, &entry.loc) {
                            Ok(child) if visited.insert(child.to_string()) => {
                                queue.push_back((child, depth + 1));
                            }
                            Ok(_) => {}
                            Err(e) => out.errors.push(e),
                        }
                    }
                }
            }
        }
        out
    }

    /// Leaves a note about the article made from `url`'s page, so that a
    /// later run that finds the page unchanged can skip extracting it.
    pub fn note_article(&self, url: &Url, note: ArticleNote) {
        lock(&self.inner.cache).note_article(url.as_str(), note);
    }

    /// Writes the HTTP cache (when it is writable and anything changed).
    pub fn save_cache(&self) -> Result<(), FetchError> {
        lock(&self.inner.cache).save()
    }

    async fn sitemap_bytes(&self, url: &Url) -> Result<Vec<u8>, FetchError> {
        let key = url.as_str();
        let cached = lock(&self.inner.cache).get_with_body(key);
        if self.inner.options.offline {
            return cached
                .map(|(_, body)| body)
                .ok_or_else(|| FetchError::NotCached {
                    url: key.to_string(),
                });
        }
        match self
            .get(url, cached.as_ref().map(|(e, _)| e), Want::Sitemap)
            .await?
        {
            Got::NotModified {
                etag,
                last_modified,
            } => {
                lock(&self.inner.cache).refresh(key, etag, last_modified);
                cached
                    .map(|(_, body)| body)
                    .ok_or_else(|| FetchError::Http {
                        url: key.to_string(),
                        reason: "304 Not Modified to a request that was not conditional".into(),
                    })
            }
            Got::Body {
                final_url,
                etag,
                last_modified,
                bytes,
                ..
            } => {
                let entry = Entry {
                    final_url: final_url.to_string(),
                    format: None,
                    etag,
                    last_modified,
                    hash: blake3::hash(&bytes).to_hex().to_string(),
                    article: None,
                };
                self.remember(key, entry, &bytes);
                Ok(bytes)
            }
        }
    }

    fn remember(&self, key: &str, entry: Entry, body: &[u8]) {
        if let Err(e) = lock(&self.inner.cache).put(key, entry, body) {
            tracing::warn!("HTTP cache not updated for {key}: {e}");
        }
    }

    /// Refuses `url` when its host's robots.txt disallows it, and applies the
    /// host's `Crawl-delay`.
    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        let o = &self.inner.options;
        if !o.robots {
            return Ok(());
        }
        let origin = url.origin().ascii_serialization();
        let host = self.inner.hosts.get(&origin, o.per_host, o.delay);
        let robots = host
            .robots
            .get_or_init(|| async {
                let robots = self.fetch_robots(url).await;
                if let Robots::Rules(rules) = &robots
                    && let Some(secs) = rules.delay.filter(|d| d.is_finite() && *d > 0.0)
                {
                    let crawl = Duration::from_secs_f32(secs).min(o.max_crawl_delay);
                    tracing::debug!(%origin, ?crawl, "robots.txt Crawl-delay");
                    host.raise_delay(crawl);
                }
                robots
            })
            .await;
        if robots.allowed(url.as_str()) {
            Ok(())
        } else {
            Err(FetchError::Robots {
                url: url.to_string(),
            })
        }
    }

    async fn fetch_robots(&self, url: &Url) -> Robots {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        match self.get(&robots_url, None, Want::Robots).await {
            Ok(Got::Body { bytes, .. }) => {
                match texting_robots::Robot::new(&self.inner.options.robots_agent, &bytes) {
                    Ok(robot) => Robots::Rules(Box::new(robot)),
                    Err(e) => {
                        tracing::warn!(
                            "{robots_url}: unreadable robots.txt, taken as allowing all: {e}"
                        );
                        Robots::AllowAll
                    }
                }
            }
            Ok(Got::NotModified { .. }) => Robots::AllowAll,
            Err(FetchError::Status { status, .. }) if status >= 500 || status == 429 => {
                tracing::warn!(
                    "{robots_url}: HTTP {status}: the whole host is taken as disallowed (RFC 9309)"
                );
                Robots::DisallowAll
            }
            Err(e) => {
                tracing::debug!("{robots_url}: no robots.txt ({e}): all allowed");
                Robots::AllowAll
            }
        }
    }

    /// One GET with retries.
    async fn get(&self, url: &Url, cached: Option<&Entry>, want: Want) -> Result<Got, FetchError> {
        let o = &self.inner.options;
        let mut attempt = 0u32;
        loop {
            match self.get_once(url, cached, want).await {
                Ok(got) => return Ok(got),
                Err(Failure { error, retry_after }) => {
                    if !error.is_retryable() || attempt >= o.retries {
                        return Err(error);
                    }
                    let wait = match retry_after {
                        Some(wait) if wait > o.max_retry_wait => {
                            tracing::info!(
                                "{url}: Retry-After {wait:?} is beyond the limit: giving up"
                            );
                            return Err(error);
                        }
                        Some(wait) => wait,
                        None => backoff(o.backoff, attempt),
                    };
                    attempt += 1;
                    tracing::info!("{error}: retry {attempt}/{} in {wait:?}", o.retries);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn get_once(
        &self,
        url: &Url,
        cached: Option<&Entry>,
        want: Want,
    ) -> Result<Got, Failure> {
        let o = &self.inner.options;
        let origin = url.origin().ascii_serialization();
        let host = self.inner.hosts.get(&origin, o.per_host, o.delay);
        let _host_turn = host.turn().await;
        let _slot = self.inner.global.acquire().await;

        let mut request = self.inner.client.get(url.clone()).timeout(o.timeout);
        if let Some(entry) = cached {
            if let Some(etag) = &entry.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &entry.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut response = request.send().await.map_err(|e| self.classify(url, e))?;
        let status = response.status();
        let headers = response.headers();
        let etag = text_header(headers, header::ETAG);
        let last_modified = text_header(headers, header::LAST_MODIFIED);
        if status == reqwest::StatusCode::NOT_MODIFIED && cached.is_some() {
            return Ok(Got::NotModified {
                etag,
                last_modified,
            });
        }
        if !status.is_success() {
            return Err(Failure {
                retry_after: retry_after(headers),
                error: FetchError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                },
            });
        }
        let final_url = response.url().clone();
        let final_url = normalize(final_url.as_str()).unwrap_or(final_url);
        let content_type = text_header(headers, header::CONTENT_TYPE);
        let (format, limit) = match want {
            Want::Page => match format_of(content_type.as_deref(), &final_url) {
                Type::Page(format) => (format, o.max_body),
                Type::Refused => {
                    return Err(FetchError::UnsupportedType {
                        url: url.to_string(),
                        content_type: content_type.clone().unwrap_or_default(),
                    }
                    .into());
                }
            },
            Want::Sitemap => (None, crate::sitemap::MAX_SITEMAP_BYTES),
            Want::Robots => (Some(Format::Text), MAX_ROBOTS_BYTES),
        };
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large().into());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(url, e))? {
            if bytes.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large().into());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Got::Body {
            final_url,
            content_type,
            format,
            etag,
            last_modified,
            bytes,
        })
    }

    fn classify(&self, url: &Url, e: reqwest::Error) -> Failure {
        let url = url.to_string();
        let error = if e.is_timeout() {
            FetchError::Timeout {
                url,
                seconds: self.inner.options.timeout.as_secs_f64(),
            }
        } else if e.is_redirect() {
            match find_cause::<RedirectError>(&e) {
                Some(RedirectError::Loop) => FetchError::RedirectLoop { url },
                _ => FetchError::TooManyRedirects {
                    url,
                    max: self.inner.options.max_redirects,
                },
            }
        } else if e.is_connect() || e.is_request() || e.is_body() {
            FetchError::Connect {
                url,
                reason: rubric_core::text::error_chain(&e),
            }
        } else {
            FetchError::Http {
                url,
                reason: rubric_core::text::error_chain(&e),
            }
        };
        error.into()
    }
}

/// A page from the cache (whose entry has a format: sitemaps are not pages).
fn cached_page(url: &Url, entry: Entry, body: Vec<u8>, freshness: Freshness) -> Page {
    let final_url = Url::parse(&entry.final_url).unwrap_or_else(|_| url.clone());
    let body = String::from_utf8(body)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Page {
        url: url.clone(),
        final_url,
        format: entry.format.unwrap_or(Format::Html),
        body,
        received: 0,
        freshness,
        note: entry.article,
    }
}
