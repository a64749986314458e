//! Web sources: URLs among the sources, URL lists (`--urls FILE` and
//! `*.urls` files found under the roots) and sitemaps. This module owns the
//! pages to ingest, running `rubric-fetch` on a Tokio runtime, and turning
//! fetched pages into articles (the article id is the page's `<link
//! rel=canonical>` when it has one, else where the URL led; the same
//! canonical page reached through two URLs is ingested once).
//!
//! Fetching rules, the HTTP cache and conditional requests are
//! `rubric-fetch`'s; reading HTML is `rubric-extract`'s; what an article
//! changes in the index is `plan`'s. A page whose server answers 304 (or
//! sends the same body) and whose article the index holds as it was is
//! counted unchanged without being extracted again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rubric_core::{Article, Format};
use rubric_extract::{ExtractError, Input};
use rubric_fetch::{ArticleNote, FetchError, Fetcher, Freshness, HttpCache, Page, Url};

use crate::{IngestError, Options, Run, Skipped, SourceError, Target};

/// The web sources of a run, as given.
#[derive(Debug, Clone, Default)]
pub struct WebSources {
    /// Page URLs.
    pub urls: Vec<String>,
    /// Files of URLs, one a line (`#` comments and blank lines allowed).
    pub lists: Vec<PathBuf>,
    /// Sitemap (or sitemap index) URLs whose pages to ingest.
    pub sitemaps: Vec<String>,
}

impl WebSources {
    /// True when there is no web source.
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty() && self.lists.is_empty() && self.sitemaps.is_empty()
    }

    /// Splits a run's arguments into paths and URLs (`http://` or
    /// `https://`): the paths, and the URLs added to these sources.
    pub fn split_sources(&mut self, sources: &[PathBuf]) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        for source in sources {
            match source.to_str() {
                Some(s) if rubric_fetch::is_web_url(s) => self.urls.push(s.to_string()),
                _ => paths.push(source.clone()),
            }
        }
        paths
    }
}

/// One page to ingest.
#[derive(Debug, Clone)]
struct Given {
    /// The URL as given (argument, list line or sitemap `<loc>`): the
    /// article's source.
    source: String,
    /// Normalised.
    url: Url,
    /// The sitemap's `<lastmod>`.
    lastmod: Option<String>,
}

/// The pages of a run, before anything is fetched.
#[derive(Debug, Default)]
pub(crate) struct Pages {
    pages: Vec<Given>,
    sitemaps: Vec<Url>,
    errors: Vec<SourceError>,
}

impl Pages {
    /// The pages of the URLs, URL lists and sitemaps given.
    pub(crate) fn new(sources: &WebSources) -> Pages {
        let mut pages = Pages::default();
        for url in &sources.urls {
            pages.add(url.clone(), None);
        }
        for list in &sources.lists {
            pages.read_list(list);
        }
        for sitemap in &sources.sitemaps {
            match rubric_fetch::normalize(sitemap) {
                Ok(url) => pages.sitemaps.push(url),
                Err(e) => pages.errors.push(SourceError::Fetch(e)),
            }
        }
        pages
    }

    /// Takes the `*.urls` files out of the files found under the roots
    /// (where they count as skipped) and reads them as URL lists.
    pub(crate) fn add_url_lists(&mut self, skipped: &mut Vec<PathBuf>) {
        skipped.retain(|path| {
            let is_list = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("urls"));
            if is_list {
                self.read_list(path);
            }
            !is_list
        });
    }

    /// True when the run has no web sources.
    pub(crate) fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.sitemaps.is_empty() && self.errors.is_empty()
    }

    fn add(&mut self, text: String, lastmod: Option<String>) {
        match rubric_fetch::normalize(&text) {
            Ok(url) => self.pages.push(Given {
                source: text,
                url,
                lastmod,
            }),
            Err(e) => self.errors.push(SourceError::Fetch(e)),
        }
    }

    fn read_list(&mut self, path: &Path) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(source) => {
                self.errors.push(SourceError::UrlList {
                    path: path.to_path_buf(),
                    source,
                });
                return;
            }
        };
        for (line, text, url) in rubric_fetch::parse_url_list(&text) {
            match url {
                Ok(url) => self.pages.push(Given {
                    source: text,
                    url,
                    lastmod: None,
                }),
                Err(source) => self.errors.push(SourceError::UrlLine {
                    path: path.to_path_buf(),
                    line,
                    source,
                }),
            }
        }
    }
}

/// What came of one page.
enum Outcome {
    /// The page did not change and the index holds its article as it was.
    Unchanged(Freshness, ArticleNote),
    /// The page was extracted.
    Extracted(Freshness, u64, Result<Article, SourceError>),
}

/// Fetches the planned pages (after reading the sitemaps), extracts them
/// and applies their articles. Only an error of the index or the output
/// stops the run.
pub(crate) fn run(pages: Pages, options: &Options, run: &mut Run<'_>) -> Result<(), IngestError> {
    let writable = matches!(run.target, Target::Index(..) | Target::Remote(_));
    let cache = HttpCache::open(&options.index_dir, writable);
    let fetcher = Fetcher::new(options.fetch.clone(), cache).map_err(IngestError::Fetcher)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| IngestError::Runtime {
            what: "async runtime",
            source,
        })?;
    let language = options.language.as_deref();
    let result = runtime.block_on(fetch_all(pages, &fetcher, language, run));
    if writable && let Err(e) = fetcher.save_cache() {
        tracing::warn!("the HTTP cache was not saved: {e}");
    }
    result
}

async fn fetch_all(
    pages: Pages,
    fetcher: &Fetcher,
    language: Option<&str>,
    run: &mut Run<'_>,
) -> Result<(), IngestError> {
    for error in pages.errors {
        fail(run, error);
    }
    let mut given = pages.pages;
    // The pages known so far, at once: a bar with a count from the start.
    run.reporter.fetching(given.len());
    for sitemap in &pages.sitemaps {
        let found = fetcher.sitemap(sitemap).await;
        run.summary.web.sitemaps += found.sitemaps;
        for error in found.errors {
            fail(run, SourceError::Fetch(error));
        }
        given.extend(found.pages.into_iter().map(|p| Given {
            source: p.loc,
            url: p.url,
            lastmod: p.lastmod,
        }));
        run.reporter.fetching(given.len());
    }
    let mut urls = HashSet::new();
    given.retain(|p| urls.insert(p.url.to_string()));
    run.summary.web.pages = given.len();
    // The same page listed twice counts once.
    run.reporter.fetching(given.len());

    // The index's articles as of this run, so that tasks can tell a page
    // whose article needs no extraction.
    let held: Arc<HashMap<String, String>> = Arc::new(match run.target.catalog() {
        Some(catalog) => catalog
            .articles()
            .map(|(id, e)| (id.to_string(), e.hash.clone()))
            .collect(),
        None => HashMap::new(),
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let extracting = Arc::new(tokio::sync::Semaphore::new(cores));
    let window = fetcher.options().jobs.max(1) * 4;
    let mut ids: HashSet<String> = HashSet::new();
    let mut todo = given.into_iter();
    let mut running = VecDeque::new();
    loop {
        while running.len() < window {
            let Some(page) = todo.next() else { break };
            let task = page_task(
                fetcher.clone(),
                page.clone(),
                held.clone(),
                extracting.clone(),
                language.map(str::to_string),
            );
            running.push_back((page, tokio::spawn(task)));
        }
        let Some((page, task)) = running.pop_front() else {
            break;
        };
        let outcome = task.await.unwrap_or_else(|e| {
            Ok(Outcome::Extracted(
                Freshness::Fetched,
                0,
                Err(SourceError::Crashed {
                    source_name: page.source.clone(),
                    reason: e.to_string(),
                }),
            ))
        });
        take(run, fetcher, &page, outcome, &mut ids)?;
        run.reporter.fetched(&run.summary.web);
    }
    Ok(())
}

/// Fetches one page and, unless its article is held unchanged, extracts it
/// (on a blocking thread, at most one per core).
async fn page_task(
    fetcher: Fetcher,
    given: Given,
    held: Arc<HashMap<String, String>>,
    extracting: Arc<tokio::sync::Semaphore>,
    language: Option<String>,
) -> Result<Outcome, FetchError> {
    let page = fetcher.page(&given.url).await?;
    if page.freshness.is_cached()
        && let Some(note) = &page.note
        && held.get(&note.id) == Some(&note.hash)
    {
        return Ok(Outcome::Unchanged(page.freshness, note.clone()));
    }
    let freshness = page.freshness;
    let received = page.received;
    let permit = extracting.acquire_owned().await.ok();
    let source = given.source.clone();
    let extracted = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        to_article(&page, &given, language.as_deref()).map_err(SourceError::Extract)
    })
    .await;
    let article = extracted.unwrap_or_else(|e| {
        Err(SourceError::Crashed {
            source_name: source,
            reason: e.to_string(),
        })
    });
    Ok(Outcome::Extracted(freshness, received, article))
}

/// The article of a fetched page: its id and URL are the page's canonical
/// URL (else where the URL led), its source the URL as given, and its date
/// the page's publication date, else the sitemap's `<lastmod>`; `language`
/// is the default
/// for a page that does not say its own.
fn to_article(page: &Page, given: &Given, language: Option<&str>) -> Result<Article, ExtractError> {
    let id = match page.format {
        Format::Html => canonical(page),
        _ => None,
    }
    .unwrap_or_else(|| page.final_url.clone())
    .to_string();
    let input = Input {
        id: &id,
        source: &given.source,
        url: Some(&id),
        date: given.lastmod.as_deref(),
        language,
        format: page.format,
        bytes: page.body.as_bytes(),
    };
    rubric_extract::extract(&input)
}

/// The page's `<link rel=canonical>`, resolved against where it was served
/// from; `None` when it has none or it is not an http(s) URL.
fn canonical(page: &Page) -> Option<Url> {
    // Parsing the page twice costs; most pages say "canonical" or nothing.
    if !page.body.to_ascii_lowercase().contains("canonical") {
        return None;
    }
    let href = rubric_extract::canonical_url(&page.body)?;
    rubric_fetch::resolve(&page.final_url, &href).ok()
}

/// Counts and applies one page's outcome, in the order the pages were given.
fn take(
    run: &mut Run<'_>,
    fetcher: &Fetcher,
    given: &Given,
    outcome: Result<Outcome, FetchError>,
    ids: &mut HashSet<String>,
) -> Result<(), IngestError> {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) if e.is_skip() => {
            match e {
                FetchError::Robots { .. } => run.summary.web.skipped_robots += 1,
                _ => run.summary.web.skipped_type += 1,
            }
            run.summary.skipped += 1;
            run.reporter.skipped(&Skipped::Page(&e));
            return Ok(());
        }
        Err(e) => {
            fail(run, SourceError::Fetch(e));
            return Ok(());
        }
    };
    let freshness = match &outcome {
        Outcome::Unchanged(f, _) | Outcome::Extracted(f, _, _) => *f,
    };
    let web = &mut run.summary.web;
    match freshness {
        Freshness::Fetched => web.fetched += 1,
        Freshness::NotModified | Freshness::Unchanged => web.not_modified += 1,
        Freshness::Offline => web.from_cache += 1,
    }
    match outcome {
        Outcome::Unchanged(_, note) => {
            if !ids.insert(note.id.clone()) {
                run.summary.web.duplicates += 1;
                return Ok(());
            }
            run.seen.insert(note.id.clone(), given.source.clone());
            run.summary.articles += 1;
            run.summary.sections += note.sections;
            run.plan.unchanged(&note.id);
        }
        Outcome::Extracted(_, received, Err(error)) => {
            run.summary.web.bytes += received;
            *run.summary
                .web
                .failed
                .entry("extraction".into())
                .or_default() += 1;
            run.fail(error);
        }
        Outcome::Extracted(_, received, Ok(article)) => {
            run.summary.web.bytes += received;
            if !ids.insert(article.id().to_string()) {
                tracing::info!(
                    "{}: the same page as an earlier URL ({}): ingested once",
                    given.source,
                    article.id()
                );
                run.summary.web.duplicates += 1;
                return Ok(());
            }
            run.accept(&article, crate::plan::WEB)?;
            run.target.flush(run.reporter, false)?;
            fetcher.note_article(
                &given.url,
                ArticleNote {
                    id: article.id().to_string(),
                    hash: article.hash().to_string(),
                    sections: article.sections().len(),
                },
            );
        }
    }
    Ok(())
}

/// A web source that failed: counted by reason, and as a failed source.
fn fail(run: &mut Run<'_>, error: SourceError) {
    let reason = match &error {
        SourceError::Fetch(e) => e.reason(),
        SourceError::UrlList { .. } | SourceError::UrlLine { .. } => "invalid URL".to_string(),
        _ => "extraction".to_string(),
    };
    *run.summary.web.failed.entry(reason).or_default() += 1;
    run.fail(error);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        let mut web = WebSources::default();
        let paths = web.split_sources(&[
            PathBuf::from("corpus"),
            PathBuf::from("https://e.org/a"),
            PathBuf::from("http.txt"),
        ]);
        assert_eq!(paths, [PathBuf::from("corpus"), PathBuf::from("http.txt")]);
        assert_eq!(web.urls, ["https://e.org/a"]);
    }

    #[test]
    fn url_lists_among_found_files_are_taken_out_of_the_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("site.urls");
        std::fs::write(&list, "https://e.org/a\nnot a url\n").unwrap();
        let mut skipped = vec![list, dir.path().join("notes.csv")];
        let mut pages = Pages::default();
        pages.add_url_lists(&mut skipped);
        assert_eq!(skipped.len(), 1);
        assert_eq!(pages.pages.len(), 1);
        assert_eq!(pages.errors.len(), 1);
        assert!(pages.errors[0].to_string().ends_with("site.urls:2"));
    }
}
