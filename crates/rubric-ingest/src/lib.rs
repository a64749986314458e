//! The ingest pipeline: from the sources a run is given to the articles in
//! the index.
//!
//! [`run`] finds the files under the roots (`sources`, under the ignore
//! rules and the [`Filter`]), decides which must be read at all (`plan`,
//! against the index's [`Catalog`](rubric_index::Catalog)), reads and
//! extracts them in parallel while consuming the results in a stable order
//! (`pipeline`, `read`), places each file's article on the publisher's site
//! (`site`, [`SiteUrl`]), fetches web pages (`web`, through `rubric-fetch`),
//! applies each article to the [`Target`] — the index, the catalog alone
//! for `--check`, or nothing for `--dry-run` — re-links the articles not
//! read again when the site URL changed, prunes the articles whose sources
//! are gone, and commits. When the index holds section vectors, the
//! [`Embedder`] (`embed`) makes those of the new and changed passages before
//! their articles are written. It tells a [`Reporter`] as it goes and ends
//! with an [`Outcome`].
//!
//! One bad source never stops a run: it is reported ([`SourceError`]) and
//! counted, and the others go on. Only an error of the index or the output
//! stops it ([`IngestError`]).
//!
//! The crate does not parse arguments, print, or draw progress bars: the
//! `ingest` binary does, through [`Reporter`].
//!
//! ```
//! use rubric_ingest::{Options, Silent, Target, run};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let docs = tempfile::tempdir()?;
//! std::fs::write(docs.path().join("skin.md"), "# Skin\n\n## Eczema\n\nItchy.\n")?;
//! let options = Options::new(vec![docs.path().to_path_buf()]);
//! let outcome = run(&options, || Ok(Target::DryRun), &mut Silent)?;
//! assert_eq!(outcome.summary.articles, 1);
//! assert_eq!(outcome.summary.sections, 1);
//! # Ok(())
//! # }
//! ```

mod embed;
mod error;
mod pipeline;
mod plan;
mod read;
mod remote;
mod report;
mod site;
mod sources;
mod target;
mod web;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use rubric_core::Article;
use rubric_extract::ExtractError;

pub use embed::{BATCH, DEFAULT_MODEL_DIR, DEFAULT_WINDOW, Embedder, Semantic, VectorSummary};
pub use error::{IngestError, SourceError};
pub use plan::Stale;
pub use remote::{RemoteOpened, RemoteTarget, sink_catalog, sink_dir};
pub use report::{
    BytesDone, ExportSummary, Outcome, Reporter, Silent, SinkSummary, Skipped, Summary, WebSummary,
};
pub use rubric_extract::language;
pub use site::{SiteUrl, SiteUrlError};
pub use sources::{Filter, IGNORE_FILE, LeftOut};
pub use target::{Opened, Target, open_index};
pub use web::WebSources;

use plan::{Plan, ToRead};
use read::FileOutcome;

/// What a run reads and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files and folders to read (folders are walked recursively).
    pub roots: Vec<PathBuf>,
    /// Web pages to fetch.
    pub web: WebSources,
    /// How to fetch them.
    pub fetch: rubric_fetch::Options,
    /// The index folder, where the HTTP cache is kept.
    pub index_dir: PathBuf,
    /// Threads extracting files at once.
    pub jobs: usize,
    /// Files larger than this are refused.
    pub max_file_bytes: u64,
    /// Delete the articles that came from the roots but whose files are
    /// gone (always counted for `--check`).
    pub prune: bool,
    /// Which files of the folders walked are taken (`--glob`, `--exclude`).
    pub filter: Filter,
    /// Where the roots are published: file articles open at their page
    /// there (`--site-url`).
    pub site: Option<SiteUrl>,
    /// The language of articles that do not say theirs and are too short
    /// to tell (`--lang`): a tag such as `de`.
    pub language: Option<String>,
}

impl Options {
    /// Reading `roots` with the defaults: no web pages, one job per core,
    /// files up to 256 MB, no pruning, the index folder `index`.
    pub fn new(roots: Vec<PathBuf>) -> Options {
        Options {
            roots,
            web: WebSources::default(),
            fetch: rubric_fetch::Options::default(),
            index_dir: PathBuf::from("index"),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_file_bytes: 256_000_000,
            prune: false,
            filter: Filter::default(),
            site: None,
            language: None,
        }
    }
}

/// What made the articles of a run, as the catalog records it: the
/// extractor's version, and the default language when there is one (a
/// run with another `--lang` reads every source again, since the
/// articles that fell back to it change).
pub fn extraction_version(language: Option<&str>) -> String {
    match language {
        Some(code) => format!("{} lang={code}", rubric_extract::EXTRACTOR_VERSION),
        None => rubric_extract::EXTRACTOR_VERSION.to_string(),
    }
}

/// Runs one ingest: finds and reads the sources, applies their articles to
/// the target that `open` gives (opened while the sources are walked, both
/// take a while on a big corpus), prunes and commits.
pub fn run(
    options: &Options,
    open: impl FnOnce() -> Result<Target, IngestError>,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, IngestError> {
    let started = Instant::now();
    let (found, target) = std::thread::scope(|scope| {
        let walking = std::thread::Builder::new()
            .name("walk".into())
            .spawn_scoped(scope, || sources::find(&options.roots, &options.filter));
        let target = open();
        let found = match walking {
            Ok(handle) => handle.join().map_err(|_| IngestError::Runtime {
                what: "walk of the sources",
                source: std::io::Error::other("the walk panicked"),
            }),
            Err(source) => Err(IngestError::Runtime {
                what: "walk of the sources",
                source,
            }),
        };
        (found, target)
    });
    let mut found = found?;
    let target = target?;
    tracing::debug!(
        "found {} files, opened the target at {:?}",
        found.files.len(),
        started.elapsed()
    );
    let mut pages = web::Pages::new(&options.web);
    pages.add_url_lists(&mut found.skipped);
    let extractor = extraction_version(options.language.as_deref());
    let plan = Plan::new(target.catalog(), &extractor);
    let mut run = Run {
        target,
        plan,
        summary: Summary::default(),
        seen: HashMap::new(),
        reporter,
    };
    run.summary.other_formats = found.skipped.len();
    run.summary.skipped = found.skipped.len();
    for path in &found.skipped {
        tracing::info!("{}: skipped (not a format ingest reads)", path.display());
    }
    run.summary.left_out = found.left_out.len();
    for (path, why) in &found.left_out {
        let why = match why {
            LeftOut::Hidden => "hidden",
            LeftOut::SphinxSources => "a Sphinx build's sources",
        };
        tracing::info!("{}: left out ({why})", path.display());
    }
    let unreadable = plan::unreadable(&found.errors);
    for error in found.errors {
        run.fail(error);
    }
    let to_read = run.plan.files_to_read(run.target.catalog(), found.files);
    tracing::debug!(
        "{} files to read (the others unchanged) at {:?}",
        to_read.len(),
        started.elapsed()
    );
    let bytes = to_read.iter().map(|r| r.stamp.size).sum();
    let done = BytesDone::default();
    run.reporter.reading(to_read.len(), bytes, &done);
    let site = options.site.as_ref();
    run.read_all(&to_read, options, &done)?;
    if !pages.is_empty() {
        web::run(pages, options, &mut run)?;
    }
    let site_changed = run.relink(site)?;
    if options.prune || matches!(run.target, Target::Check(_)) {
        run.plan.prune(
            &mut run.target,
            &options.roots,
            &unreadable,
            &mut *run.reporter,
        )?;
    }
    // Files skipped unread that must hold an article id again after all
    // (another file yielding it changed or is gone).
    let rereads = run.plan.rereads();
    if !rereads.is_empty() {
        tracing::debug!("{} files read again for ids they share", rereads.len());
        run.read_all(&rereads, options, &done)?;
    }
    let Run {
        target,
        plan,
        mut summary,
        reporter,
        ..
    } = run;
    let finish = target.finish(&extractor, reporter)?;
    for refused in finish.refused {
        summary.failed += 1;
        reporter.failed(&refused);
    }
    if let Some(sink) = &finish.sink {
        reporter.sending(sink.sections, sink.queued);
    }
    summary.sink = finish.sink;
    summary.export = finish.export;
    summary.vectors = finish.vectors;
    let tally = plan.tally;
    summary.added = tally.added;
    summary.updated = tally.updated;
    summary.unchanged = tally.unchanged;
    summary.pruned = tally.removed;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(Outcome {
        summary,
        stale: tally.stale,
        site_changed,
    })
}

/// The state of a run that files and pages both feed.
struct Run<'a> {
    target: Target,
    plan: Plan,
    summary: Summary,
    /// Article id → the source that gave it in this run.
    seen: HashMap<String, String>,
    reporter: &'a mut dyn Reporter,
}

impl Run<'_> {
    /// Reads and extracts `files` on the run's jobs and takes their
    /// articles in order. Only an error of the target stops it.
    fn read_all(
        &mut self,
        files: &[ToRead],
        options: &Options,
        done: &BytesDone,
    ) -> Result<(), IngestError> {
        let jobs = options.jobs.max(1);
        let site = options.site.as_ref();
        let mut fatal = None;
        pipeline::ordered(
            files,
            jobs,
            |item| {
                let language = options.language.as_deref();
                let max = options.max_file_bytes;
                read::extract_file(&item.file, jobs, max, language, site, done)
            },
            |item, outcome| {
                if fatal.is_none()
                    && let Err(error) = self.file(item, outcome)
                {
                    fatal = Some(error);
                }
            },
        );
        fatal.map_or(Ok(()), Err)
    }

    /// Takes one file's articles, in order, and closes the file.
    fn file(&mut self, item: &ToRead, outcome: FileOutcome) -> Result<(), IngestError> {
        self.reporter.read(&item.file.path, item.stamp.size);
        let mut ids = Vec::new();
        let mut complete = true;
        match outcome {
            Ok(articles) => {
                // Record id → its line, to name both lines of a duplicate.
                let mut lines: HashMap<String, usize> = HashMap::new();
                for (i, result) in articles.results.into_iter().enumerate() {
                    match result {
                        Ok(article) => {
                            let line = articles.lines.get(i).copied();
                            let first =
                                line.and_then(|line| lines.insert(article.id().to_string(), line));
                            match (first, line) {
                                (Some(first), Some(line)) => tracing::warn!(
                                    "{}: lines {first} and {line} both have the id {:?}: the last one wins",
                                    item.file.path.display(),
                                    article.id()
                                ),
                                _ => ids.push(article.id().to_string()),
                            }
                            self.accept(&article, item.order)?;
                        }
                        Err(error) => complete &= self.extract_failed(error),
                    }
                }
            }
            Err(error) => {
                self.fail(error);
                complete = false;
            }
        }
        if self.target.keeps_books() {
            self.plan
                .file_done(&mut self.target, item, ids, complete, &mut *self.reporter)?;
        }
        self.target.flush(&mut *self.reporter, false)
    }

    /// Takes one article, from the file at `order` among those found (or
    /// [`plan::WEB`]): counts it and applies it to the target (or hands it
    /// to the reporter in a dry run).
    fn accept(&mut self, article: &Article, order: usize) -> Result<(), IngestError> {
        if let Some(previous) = self
            .seen
            .insert(article.id().to_string(), article.source().to_string())
            && previous != article.source()
        {
            tracing::warn!(
                "article id {:?} comes from both {previous} and {}: the last one wins",
                article.id(),
                article.source()
            );
        }
        self.summary.articles += 1;
        self.summary.sections += article.sections().len();
        if self.target.keeps_books() {
            self.plan
                .article(&mut self.target, article, order, &mut *self.reporter)?;
            if let Target::Remote(remote) = &self.target {
                let progress = remote.progress();
                self.reporter.sending(progress.sent, progress.queued);
            }
        } else {
            self.reporter
                .article(article)
                .map_err(IngestError::Output)?;
        }
        Ok(())
    }

    /// An extraction error: a source with nothing to index is skipped, any
    /// other fails. True when it was only skipped.
    fn extract_failed(&mut self, error: ExtractError) -> bool {
        if error.is_empty() {
            tracing::info!("{error}: skipped");
            self.summary.skipped += 1;
            self.summary.empty += 1;
            self.reporter.skipped(&Skipped::Empty(&error));
            return true;
        }
        self.fail(SourceError::Extract(error));
        false
    }

    /// A source that failed: counted and reported.
    fn fail(&mut self, error: SourceError) {
        self.summary.failed += 1;
        self.reporter.failed(&error);
    }

    /// When the index was placed under another site URL than `site`: when
    /// writing, gives every article not written in this run its new URL from
    /// its stored sections (nothing is read or extracted again) and records
    /// the new site URL; when checking, counts each article whose URL would
    /// change as changed and returns the two site URLs.
    fn relink(&mut self, site: Option<&SiteUrl>) -> Result<Option<(String, String)>, IngestError> {
        let key = site.map(SiteUrl::key).unwrap_or_default();
        let Some(catalog) = self.target.catalog() else {
            return Ok(None);
        };
        if catalog.site() == key {
            return Ok(None);
        }
        let old_key = catalog.site().to_string();
        let old = SiteUrl::from_key(&old_key);
        let written: &HashSet<String> = &self.plan.written;
        let moved: Vec<(String, String, Option<String>)> = catalog
            .articles()
            .filter(|(id, _)| !written.contains(*id))
            .filter_map(|(id, entry)| {
                let kind = site::Kind::of(&entry.source);
                let own = entry.url.as_deref();
                let before = site::url_of(kind, id, &entry.source, own, old.as_ref());
                let after = site::url_of(kind, id, &entry.source, own, site);
                (before != after).then(|| (id.to_string(), entry.source.clone(), after))
            })
            .collect();
        match &mut self.target {
            Target::Index(writer, _) => {
                if !moved.is_empty() {
                    tracing::info!(
                        "the site URL changed ({old_key:?} -> {key:?}): re-linking {} articles",
                        moved.len()
                    );
                }
                for (id, _, url) in &moved {
                    writer.relink(id, url.as_deref())?;
                }
                self.summary.relinked = moved.len();
                writer.set_site(&key);
                Ok(None)
            }
            Target::Check(_) => {
                for (id, source, _) in &moved {
                    self.plan.relinked(id, source);
                }
                Ok(Some((old_key, key)))
            }
            // No catalog: returned above.
            Target::Export(_) | Target::DryRun => Ok(None),
            // The sink's catalog records no site URL, so this is reached
            // only when one is given: the engine's links would need sending
            // again, which is not built.
            Target::Remote(_) => Err(IngestError::Options(
                "--site-url (or `site_url` in rubric.toml) cannot be used with --sink yet".into(),
            )),
        }
    }
}
