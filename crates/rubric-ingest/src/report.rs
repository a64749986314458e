//! What a run tells its caller: the [`Reporter`] it calls as it goes
//! (progress, failures, the articles of a dry run) and the [`Summary`] it
//! ends with. The library only counts and calls; how any of it is shown
//! (progress bars, messages, JSON) is the binary's.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rubric_core::Article;
use rubric_extract::ExtractError;
use rubric_fetch::FetchError;

use crate::{SourceError, Stale, VectorSummary};

/// Hears about a run as it goes. Every method has a default that does
/// nothing, so a test (or a quiet caller) implements none of them.
pub trait Reporter {
    /// `files` files holding `bytes` bytes will be read (files unchanged
    /// since the last run are not counted: they are not read); `done` counts
    /// the bytes extracted so far as the threads doing it go (a large JSON
    /// Lines file part by part), for a bar that moves between calls of
    /// [`Reporter::read`].
    fn reading(&mut self, files: usize, bytes: u64, done: &BytesDone) {
        let _ = (files, bytes, done);
    }

    /// A file was read and extracted.
    fn read(&mut self, path: &Path, bytes: u64) {
        let _ = (path, bytes);
    }

    /// `pages` web pages will be fetched: called as soon as the URLs given
    /// are known, and again as each sitemap adds its pages.
    fn fetching(&mut self, pages: usize) {
        let _ = pages;
    }

    /// A web page was done with; `web` is the tally so far.
    fn fetched(&mut self, web: &WebSummary) {
        let _ = web;
    }

    /// `sections` more sections will be embedded (their passages are new).
    /// Counted as sources are read, so the total grows while a run goes.
    fn embedding(&mut self, sections: usize) {
        let _ = sections;
    }

    /// `sections` sections were embedded.
    fn embedded(&mut self, sections: usize) {
        let _ = sections;
    }

    /// A source failed; the run goes on without it.
    fn failed(&mut self, error: &SourceError) {
        let _ = error;
    }

    /// A source was passed over on purpose (a page with nothing to index,
    /// a page robots.txt refuses).
    fn skipped(&mut self, skipped: &Skipped<'_>) {
        let _ = skipped;
    }

    /// Sections handed to a remote engine's sink so far (`queued`) and how
    /// many of them the engine has accepted (`sent`); called after each
    /// article and once more when the last batch went (`--sink`).
    fn sending(&mut self, sent: usize, queued: usize) {
        let _ = (sent, queued);
    }

    /// An article of a dry run (`Target::DryRun`), in source order. An error
    /// (the output went away) stops the run.
    fn article(&mut self, article: &Article) -> std::io::Result<()> {
        let _ = article;
        Ok(())
    }
}

/// Bytes of files extracted so far, counted by the threads doing it.
#[derive(Debug, Clone, Default)]
pub struct BytesDone(Arc<AtomicU64>);

impl BytesDone {
    /// The bytes counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// A source passed over on purpose, and why.
#[derive(Debug)]
pub enum Skipped<'a> {
    /// Read, but with nothing to index (a table of contents, a lone title).
    Empty(&'a ExtractError),
    /// A web page not to be ingested: refused by robots.txt, or of a content
    /// type Rubric does not read.
    Page(&'a FetchError),
}

/// A reporter that hears nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Reporter for Silent {}

/// What happened to the articles of a run, for the closing summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    /// Articles extracted in this run (files skipped unread not counted).
    pub articles: usize,
    /// Their sections.
    pub sections: usize,
    /// Articles new to the index.
    pub added: usize,
    /// Articles whose content changed.
    pub updated: usize,
    /// Articles as the index holds them.
    pub unchanged: usize,
    /// Articles removed because their source is gone.
    pub pruned: usize,
    /// Articles of files not read again whose URL changed with the site URL
    /// (their sections re-linked, nothing extracted).
    pub relinked: usize,
    /// Everything passed over: `other_formats` + `empty` + web pages skipped.
    pub skipped: usize,
    /// Files of formats `ingest` never reads (not opened).
    pub other_formats: usize,
    /// Articles read but with nothing to index (a table of contents, a lone
    /// title).
    pub empty: usize,
    /// Entries of the folders left out whole: hidden ones (names starting
    /// with `.`) and Sphinx `_sources/` folders. Files left out by ignore
    /// files or globs are not counted.
    pub left_out: usize,
    /// Sources (files, records or URLs) that could not be read or extracted.
    pub failed: usize,
    /// Wall time of the run.
    pub seconds: f64,
    /// Web sources: fetched, not modified, skipped, failed by reason.
    #[serde(skip_serializing_if = "WebSummary::is_empty")]
    pub web: WebSummary,
    /// Section vectors, when the index holds them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vectors: Option<VectorSummary>,
    /// What was sent to a remote engine (`--sink`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<SinkSummary>,
    /// What was written to an export file (`--export`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportSummary>,
}

/// What a run wrote to an export file.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ExportSummary {
    /// The file.
    pub path: String,
    /// Sections (documents) written.
    pub sections: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// What a run sent to a remote engine.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SinkSummary {
    /// The endpoint (`quickwit://HOST:PORT/INDEX`).
    pub engine: String,
    /// Sections the engine accepted.
    pub sections: usize,
    /// Sections handed to the sink (accepted or refused).
    pub queued: usize,
    /// Bytes of documents it accepted.
    pub bytes: u64,
    /// Requests that sent documents.
    pub requests: usize,
    /// Articles whose older sections were asked to be deleted.
    pub deleted: usize,
    /// Delete requests (Quickwit delete tasks, `_delete_by_query`).
    pub delete_requests: usize,
}

/// What the web part of a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
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

    /// Failures of every reason.
    pub fn failures(&self) -> usize {
        self.failed.values().sum()
    }
}

/// How a run ended: the summary, and for `--check` the stale articles.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// The counts.
    pub summary: Summary,
    /// Every article the index does not hold as its source says (added,
    /// changed, removed), in the order found. Empty for a dry run.
    pub stale: Vec<Stale>,
    /// With `--check`, when the index was placed under another site URL:
    /// the one it was placed under and the one of this run ("" none).
    pub site_changed: Option<(String, String)>,
}

impl Outcome {
    /// True when the index matches the sources and nothing failed (what
    /// `--check` passes on).
    pub fn is_current(&self) -> bool {
        self.stale.is_empty() && self.summary.failed == 0 && self.site_changed.is_none()
    }
}
