//! Web sources for `ingest`: URLs among the SOURCES, `--urls FILE` lists,
//! `corpus/*.urls` files (read as lists) and `--sitemap URL`. This module
//! owns the flags, the plan of pages, running `rubric-fetch` on a Tokio
//! runtime, turning fetched pages into articles (the article id is the
//! page's `<link rel=canonical>` when it has one, else where the URL led;
//! the same canonical page reached through two URLs is ingested once), the
//! web part of the progress bar and of the closing summary.
//!
//! Fetching rules, the HTTP cache and conditional requests are
//! `rubric-fetch`'s; reading HTML is `rubric-extract`'s; what an article
//! changes in the index is `incremental`'s. A page whose server answers 304
//! (or sends the same body) and whose article the index holds as it was is
//! counted unchanged without being extracted again.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rubric_extract::{Article, ExtractError, Input, Kind};
use rubric_fetch::{
    ArticleNote, ContentKind, FetchError, Fetcher, Freshness, HttpCache, Options, Page, Url,
};
use rubric_index::IndexWriter;

use crate::incremental::Sync;
use crate::{Args, Summary};

/// The flags of web sources.
#[derive(Debug, Clone, clap::Args)]
pub struct WebArgs {
    /// A file of URLs to ingest, one per line (`#` comments, blank lines
    /// allowed); `*.urls` files found among the SOURCES are read the same way.
    #[arg(help_heading = "Web sources", long = "urls", value_name = "FILE")]
    pub urls: Vec<PathBuf>,
    /// A sitemap (or sitemap index, gzipped or not) whose pages to ingest;
    /// `<lastmod>` becomes the article's date.
    #[arg(help_heading = "Web sources", long, value_name = "URL")]
    pub sitemap: Vec<String>,
    /// Time between the starts of two requests to one host, in ms
    /// (robots.txt `Crawl-delay` raises it).
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "MS",
        default_value_t = 250
    )]
    pub delay: u64,
    /// Time-out of one request, in seconds (connecting is also capped at 10 s).
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "SECS",
        default_value_t = 30.0
    )]
    pub timeout: f64,
    /// Retries of a request that timed out, lost its connection or got 429 or 5xx.
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "N",
        default_value_t = 3
    )]
    pub retries: u32,
    /// Pages larger than this many MB are refused with an error.
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "MB",
        default_value_t = 10
    )]
    pub max_page_mb: u64,
    /// Make no request: re-index web pages from the HTTP cache kept in the
    /// index folder (what earlier runs fetched).
    #[arg(help_heading = "Web sources", long)]
    pub offline: bool,
}

/// What the web part of a run did, for the closing summary.
#[derive(Debug, Default, serde::Serialize)]
pub struct WebSummary {
    /// Pages to ingest (URLs, list entries and sitemap pages, each once).
    pub pages: usize,
    /// Sitemap documents read.
    pub sitemaps: usize,
    /// Pages fetched new or changed.
    pub fetched: usize,
    /// Pages the server said were not modified (304), or sent unchanged.
    pub not_modified: usize,
    /// Pages read from the cache with `--offline`.
    pub from_cache: usize,
    /// Pages whose canonical page was already ingested in this run.
    pub duplicates: usize,
    /// Pages skipped for their content type.
    pub skipped_type: usize,
    /// Pages refused by robots.txt.
    pub skipped_robots: usize,
    /// Failures by reason (`HTTP 404`, `time-out`, `too large`, ...).
    pub failed: BTreeMap<String, usize>,
    /// Body bytes received.
    pub bytes: u64,
}

impl WebSummary {
    /// True when the run had no web sources.
    pub fn is_empty(&self) -> bool {
        self.pages == 0 && self.sitemaps == 0 && self.failed.is_empty()
    }

    /// The closing summary's web line, on stderr.
    pub fn print(&self) {
        if self.is_empty() {
            return;
        }
        let mut line = format!(
            "ingest: web: {}, {} sitemaps: {} fetched ({}), {} not modified",
            crate::count(self.pages, "page"),
            self.sitemaps,
            self.fetched,
            indicatif::HumanBytes(self.bytes),
            self.not_modified
        );
        if self.from_cache > 0 {
            line.push_str(&format!(", {} from the cache", self.from_cache));
        }
        if self.duplicates > 0 {
            line.push_str(&format!(", {} duplicate", self.duplicates));
        }
        line.push_str(&format!(
            "; {} skipped ({} type, {} robots.txt)",
            self.skipped_type + self.skipped_robots,
            self.skipped_type,
            self.skipped_robots
        ));
        let failed: usize = self.failed.values().sum();
        line.push_str(&format!("; {failed} failed"));
        if failed > 0 {
            let reasons: Vec<String> = self
                .failed
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect();
            line.push_str(&format!(" ({})", reasons.join(", ")));
        }
        eprintln!("{line}");
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

/// The web sources of a run, before anything is fetched.
#[derive(Debug, Default)]
pub struct Plan {
    pages: Vec<Given>,
    sitemaps: Vec<Url>,
    errors: Vec<FetchError>,
    list_errors: Vec<anyhow::Error>,
}

/// Splits the SOURCES into paths and URLs (`http://` or `https://`).
pub fn split_sources(sources: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut paths = Vec::new();
    let mut urls = Vec::new();
    for source in sources {
        match source.to_str() {
            Some(s) if rubric_fetch::is_web_url(s) => urls.push(s.to_string()),
            _ => paths.push(source.clone()),
        }
    }
    (paths, urls)
}

impl Plan {
    /// The plan of the URL arguments, `--urls` lists and `--sitemap`s.
    pub fn new(urls: Vec<String>, args: &WebArgs) -> Plan {
        let mut plan = Plan::default();
        for url in urls {
            plan.add(url, None);
        }
        for list in &args.urls {
            plan.read_list(list);
        }
        for sitemap in &args.sitemap {
            match rubric_fetch::normalize(sitemap) {
                Ok(url) => plan.sitemaps.push(url),
                Err(e) => plan.errors.push(e),
            }
        }
        plan
    }

    /// Takes the `*.urls` files out of the files found under the SOURCES
    /// (where they count as skipped) and reads them as URL lists.
    pub fn add_url_lists(&mut self, skipped: &mut Vec<PathBuf>) {
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
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
            && self.sitemaps.is_empty()
            && self.errors.is_empty()
            && self.list_errors.is_empty()
    }

    fn add(&mut self, text: String, lastmod: Option<String>) {
        match rubric_fetch::normalize(&text) {
            Ok(url) => self.pages.push(Given {
                source: text,
                url,
                lastmod,
            }),
            Err(e) => self.errors.push(e),
        }
    }

    fn read_list(&mut self, path: &PathBuf) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                self.list_errors.push(
                    anyhow::Error::new(e)
                        .context(format!("{}: cannot read the URL list", path.display())),
                );
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
                Err(e) => self
                    .list_errors
                    .push(anyhow::Error::new(e).context(format!("{}:{line}", path.display()))),
            }
        }
    }
}

/// What the rest of `ingest` lends the web part of a run.
pub struct Context<'a> {
    pub args: &'a Args,
    pub writer: Option<&'a mut IndexWriter>,
    pub sync: &'a mut Sync,
    pub summary: &'a mut Summary,
    pub seen: &'a mut HashMap<String, String>,
    pub out: &'a mut dyn Write,
}

/// What came of one page.
enum Outcome {
    /// The page did not change and the index holds its article as it was.
    Unchanged(Freshness, ArticleNote),
    /// The page was extracted.
    Extracted(Freshness, u64, Result<Article, ExtractError>),
}

/// Fetches the planned pages (after reading the sitemaps), extracts and
/// indexes them. Only an index write error stops the run.
pub fn run(plan: Plan, cx: Context<'_>) -> anyhow::Result<()> {
    let args = cx.args;
    let w = &args.web;
    let writable = !(args.dry_run || args.check);
    let cache = HttpCache::open(&args.index, writable);
    let options = Options {
        jobs: args.jobs.map_or(8, usize::from),
        delay: Duration::from_millis(w.delay),
        timeout: Duration::try_from_secs_f64(w.timeout)
            .context("--timeout must be a positive number of seconds")?,
        connect_timeout: Duration::from_secs(10),
        retries: w.retries,
        max_body: w.max_page_mb.saturating_mul(1_000_000),
        offline: w.offline,
        ..Options::default()
    };
    let fetcher = Fetcher::new(options, cache)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(run_async(plan, &fetcher, cx));
    if writable && let Err(e) = fetcher.save_cache() {
        tracing::warn!("the HTTP cache was not saved: {e}");
    }
    result
}

async fn run_async(plan: Plan, fetcher: &Fetcher, mut cx: Context<'_>) -> anyhow::Result<()> {
    let quiet = cx.args.verbosity.quiet;
    for err in plan.list_errors {
        crate::print_source_error(&err);
        cx.summary.failed += 1;
        *cx.summary
            .web
            .failed
            .entry("invalid URL".into())
            .or_default() += 1;
    }
    for err in plan.errors {
        fail(&mut cx, &err);
    }
    let mut pages = plan.pages;
    for sitemap in &plan.sitemaps {
        let found = fetcher.sitemap(sitemap).await;
        cx.summary.web.sitemaps += found.sitemaps;
        for err in &found.errors {
            fail(&mut cx, err);
        }
        pages.extend(found.pages.into_iter().map(|p| Given {
            source: p.loc,
            url: p.url,
            lastmod: p.lastmod,
        }));
    }
    let mut urls = HashSet::new();
    pages.retain(|p| urls.insert(p.url.to_string()));
    cx.summary.web.pages = pages.len();

    // The index's articles as of the last commit, so that tasks can tell a
    // page whose article needs no extraction.
    let held: Arc<HashMap<String, String>> = Arc::new(match &cx.writer {
        Some(w) => w
            .manifest()
            .articles
            .iter()
            .map(|(id, e)| (id.clone(), e.hash.clone()))
            .collect(),
        None => HashMap::new(),
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let extracting = Arc::new(tokio::sync::Semaphore::new(cores));
    let window = fetcher.options().jobs.max(1) * 4;
    let bar = progress_bar(pages.len() as u64, quiet);
    let mut ids: HashSet<String> = HashSet::new();
    let mut todo = pages.into_iter();
    let mut running = VecDeque::new();
    loop {
        while running.len() < window {
            let Some(given) = todo.next() else { break };
            let task = page_task(
                fetcher.clone(),
                given.clone(),
                held.clone(),
                extracting.clone(),
            );
            running.push_back((given, tokio::spawn(task)));
        }
        let Some((given, task)) = running.pop_front() else {
            break;
        };
        let outcome = task
            .await
            .with_context(|| format!("{}: the fetch task failed", given.source))?;
        bar.inc(1);
        take(&mut cx, fetcher, &given, outcome, &mut ids, &bar)?;
    }
    bar.finish_and_clear();
    Ok(())
}

/// Fetches one page and, unless its article is held unchanged, extracts it
/// (on a blocking thread, at most one per core).
async fn page_task(
    fetcher: Fetcher,
    given: Given,
    held: Arc<HashMap<String, String>>,
    extracting: Arc<tokio::sync::Semaphore>,
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
        to_article(&page, &given)
    })
    .await;
    let article = extracted.unwrap_or_else(|e| {
        Err(ExtractError::Unsupported {
            source_name: source,
            reason: format!("the extractor failed: {e}"),
        })
    });
    Ok(Outcome::Extracted(freshness, received, article))
}

/// The article of a fetched page: its id and URL are the page's canonical
/// URL (else where the URL led), its source the URL as given, and its date
/// the sitemap's `<lastmod>` when there is one.
fn to_article(page: &Page, given: &Given) -> Result<Article, ExtractError> {
    let kind = match page.kind {
        ContentKind::Html | ContentKind::Xml => Kind::Html,
        ContentKind::Text => Kind::Text,
        ContentKind::Markdown => Kind::Markdown,
    };
    let id = match kind {
        Kind::Html => canonical(page),
        _ => None,
    }
    .unwrap_or_else(|| page.final_url.clone())
    .to_string();
    let input = Input {
        id: &id,
        source: &given.source,
        url: Some(&id),
        kind,
        bytes: page.body.as_bytes(),
    };
    let mut article = rubric_extract::extract(&input)?;
    if let Some(lastmod) = &given.lastmod {
        article.metadata.date = Some(lastmod.clone());
        article.rehash();
    }
    Ok(article)
}

/// The page's `<link rel=canonical>`, resolved against where it was served
/// from; `None` when it has none or it is not an http(s) URL.
fn canonical(page: &Page) -> Option<Url> {
    // Parsing the page twice costs; most pages say "canonical" or nothing.
    if !page.body.to_ascii_lowercase().contains("canonical") {
        return None;
    }
    let href = rubric_extract::html::canonical_url(&page.body)?;
    rubric_fetch::resolve(&page.final_url, &href).ok()
}

/// Counts and applies one page's outcome, in the order the pages were given.
fn take(
    cx: &mut Context<'_>,
    fetcher: &Fetcher,
    given: &Given,
    outcome: Result<Outcome, FetchError>,
    ids: &mut HashSet<String>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) if e.is_skip() => {
            match e {
                FetchError::Robots { .. } => cx.summary.web.skipped_robots += 1,
                _ => cx.summary.web.skipped_type += 1,
            }
            cx.summary.skipped += 1;
            if !cx.args.verbosity.quiet {
                bar.suspend(|| eprintln!("ingest: skipped: {e}"));
            }
            return Ok(());
        }
        Err(e) => {
            bar.suspend(|| fail(cx, &e));
            update_bar(bar, &cx.summary.web);
            return Ok(());
        }
    };
    let freshness = match &outcome {
        Outcome::Unchanged(f, _) | Outcome::Extracted(f, _, _) => *f,
    };
    match freshness {
        Freshness::Fetched => cx.summary.web.fetched += 1,
        Freshness::NotModified | Freshness::Unchanged => cx.summary.web.not_modified += 1,
        Freshness::Offline => cx.summary.web.from_cache += 1,
    }
    match outcome {
        Outcome::Unchanged(_, note) => {
            if !ids.insert(note.id.clone()) {
                cx.summary.web.duplicates += 1;
                return Ok(());
            }
            cx.seen.insert(note.id.clone(), given.source.clone());
            cx.summary.articles += 1;
            cx.summary.sections += note.sections;
            cx.sync.tally.unchanged += 1;
        }
        Outcome::Extracted(_, received, Err(e)) => {
            cx.summary.web.bytes += received;
            bar.suspend(|| crate::print_source_error(&anyhow::Error::new(e)));
            cx.summary.failed += 1;
            *cx.summary
                .web
                .failed
                .entry("extraction".into())
                .or_default() += 1;
        }
        Outcome::Extracted(_, received, Ok(article)) => {
            cx.summary.web.bytes += received;
            if !ids.insert(article.id.clone()) {
                tracing::info!(
                    "{}: the same page as an earlier URL ({}): ingested once",
                    given.source,
                    article.id
                );
                cx.summary.web.duplicates += 1;
                return Ok(());
            }
            if let Some(previous) = cx.seen.insert(article.id.clone(), article.source.clone()) {
                tracing::warn!(
                    "article id {:?} comes from both {previous} and {}: the last one wins",
                    article.id,
                    article.source
                );
            }
            cx.summary.articles += 1;
            cx.summary.sections += article.sections.len();
            if cx.args.dry_run {
                crate::emit_json(&mut cx.out, &article, cx.args.json)?;
            } else {
                cx.sync
                    .article(cx.writer.as_deref_mut(), &article)
                    .with_context(|| format!("{}: {}", given.source, article.id))?;
            }
            fetcher.note_article(
                &given.url,
                ArticleNote {
                    id: article.id.clone(),
                    hash: article.hash.clone(),
                    sections: article.sections.len(),
                },
            );
        }
    }
    update_bar(bar, &cx.summary.web);
    Ok(())
}

/// Reports a failed URL and counts it by reason.
fn fail(cx: &mut Context<'_>, err: &FetchError) {
    eprintln!("ingest: error: {err}");
    cx.summary.failed += 1;
    *cx.summary.web.failed.entry(err.reason()).or_default() += 1;
}

fn update_bar(bar: &indicatif::ProgressBar, web: &WebSummary) {
    let failed: usize = web.failed.values().sum();
    bar.set_message(format!(
        "{}, {failed} failed",
        indicatif::HumanBytes(web.bytes)
    ));
}

fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} pages {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        let (paths, urls) = split_sources(&[
            PathBuf::from("corpus"),
            PathBuf::from("https://e.org/a"),
            PathBuf::from("http.txt"),
        ]);
        assert_eq!(paths, [PathBuf::from("corpus"), PathBuf::from("http.txt")]);
        assert_eq!(urls, ["https://e.org/a"]);
    }

    #[test]
    fn url_lists_among_found_files_are_taken_out_of_the_skipped() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let list = dir.path().join("site.urls");
        std::fs::write(&list, "https://e.org/a\nnot a url\n").unwrap_or_else(|e| panic!("{e}"));
        let mut skipped = vec![list, dir.path().join("notes.csv")];
        let mut plan = Plan::default();
        plan.add_url_lists(&mut skipped);
        assert_eq!(skipped.len(), 1);
        assert_eq!(plan.pages.len(), 1);
        assert_eq!(plan.list_errors.len(), 1);
        assert!(plan.list_errors[0].to_string().ends_with("site.urls:2"));
    }
}
