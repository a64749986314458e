//! [`Target`]: where a run's articles go — the index (write), the index's
//! catalog (compare only, `--check`) or nowhere but the reporter
//! (`--dry-run`). One type, so the run has no optional writer and no mode
//! flags; what each mode does with an article, a file and the end of the run
//! is decided here and nowhere else. When the index holds vectors, the
//! articles to write wait for theirs in the [`Embedder`]'s queue.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rubric_core::Article;
use rubric_extract::EXTRACTOR_VERSION;
use rubric_index::{Catalog, Change, FileStamp, IndexError, IndexWriter};

use crate::embed::{Embedder, VectorSummary};
use crate::{IngestError, Reporter};

/// Where a run's articles go.
#[derive(Debug)]
pub enum Target {
    /// Into the index: added, replaced and deleted, committed at the end;
    /// with an [`Embedder`] when the sections get vectors.
    Index(Box<IndexWriter>, Option<Box<Embedder>>),
    /// Compared with the catalog of the index's last commit; nothing is
    /// written (`ingest --check`).
    Check(Catalog),
    /// Nowhere: every article is handed to the reporter (`ingest --dry-run`).
    DryRun,
}

/// How [`open_index`] found the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// As it was (or new and empty).
    AsItWas,
    /// Written by another schema version, so it was started afresh.
    Rebuilt {
        /// The version found.
        found: String,
        /// The version this build writes.
        expected: u32,
    },
}

/// Opens the index at `dir` for writing with a memory budget of
/// `heap_bytes`: empty with `rebuild`, and started afresh without being asked
/// when it was written by another schema version (the [`Opened`] says so) —
/// but only when the run reads every source it holds articles of: files
/// under `roots`, and web pages when the run has `web` sources. Otherwise
/// it is refused with [`IngestError::RebuildWouldDrop`], which names what
/// would be lost.
///
/// Refusing, rather than re-reading the other sources the catalog knows,
/// is deliberate: the catalog knows files by absolute path but not the root
/// each was found under (which an article id is relative to), web pages
/// would have to be fetched again, and a source left out of a run may have
/// been left out on purpose. `ingest --rebuild` (or giving every source)
/// says what the user wants.
pub fn open_index(
    dir: &Path,
    heap_bytes: usize,
    rebuild: bool,
    roots: &[PathBuf],
    web: bool,
) -> Result<(IndexWriter, Opened), IngestError> {
    if rebuild {
        return Ok((IndexWriter::rebuild(dir, heap_bytes)?, Opened::AsItWas));
    }
    match IndexWriter::open(dir, heap_bytes) {
        Err(IndexError::Version {
            found, expected, ..
        }) => {
            let dropped = would_drop(dir, roots, web);
            if !dropped.is_empty() {
                return Err(IngestError::RebuildWouldDrop {
                    index: dir.to_path_buf(),
                    found,
                    expected,
                    articles: dropped.values().sum(),
                    sources: dropped.into_keys().collect(),
                });
            }
            Ok((
                IndexWriter::rebuild(dir, heap_bytes)?,
                Opened::Rebuilt { found, expected },
            ))
        }
        other => Ok((other?, Opened::AsItWas)),
    }
}

/// The sources of the index at `dir` (of any schema version) that a run
/// over `roots` (and web pages, with `web`) does not read, with how many
/// articles each gave. An index whose catalog cannot be read holds
/// nothing this can name.
fn would_drop(dir: &Path, roots: &[PathBuf], web: bool) -> BTreeMap<String, usize> {
    let catalog = match Catalog::load_any_version(dir) {
        Ok(catalog) => catalog,
        Err(e) => {
            tracing::info!("cannot read the catalog of {}: {e}", dir.display());
            return BTreeMap::new();
        }
    };
    let roots: Vec<String> = roots
        .iter()
        .map(|r| crate::sources::absolute(r).to_string_lossy().into_owned())
        .collect();
    let mut covered = std::collections::HashSet::new();
    for (key, stamp) in catalog.files() {
        if roots.iter().any(|root| crate::plan::under(key, root)) {
            covered.extend(stamp.articles.iter().map(String::as_str));
        }
    }
    let mut dropped = BTreeMap::new();
    for (id, entry) in catalog.articles() {
        let from_web = entry.source.starts_with("http://") || entry.source.starts_with("https://");
        let read_again = covered.contains(id) || (web && from_web);
        if !read_again {
            *dropped.entry(entry.source.clone()).or_insert(0) += 1;
        }
    }
    dropped
}

impl Target {
    /// The catalog decisions are made against: the last commit plus this
    /// run's changes when writing, the last commit for `--check`, none for a
    /// dry run (every file is read).
    pub fn catalog(&self) -> Option<&Catalog> {
        match self {
            Target::Index(writer, _) => Some(writer.catalog()),
            Target::Check(catalog) => Some(catalog),
            Target::DryRun => None,
        }
    }

    /// True when articles are written (or compared), not only printed.
    pub(crate) fn keeps_books(&self) -> bool {
        !matches!(self, Target::DryRun)
    }

    /// What `article` changes: written when writing (queued for its
    /// vectors when the index holds them), only decided when checking. A
    /// dry run changes nothing.
    pub(crate) fn apply(
        &mut self,
        article: &Article,
        reporter: &mut dyn Reporter,
    ) -> Result<Change, IngestError> {
        match self {
            Target::Index(writer, None) => Ok(writer.apply(article)?),
            Target::Index(writer, Some(embedder)) => {
                let change = writer.catalog().change(article.id(), article.hash());
                if change != Change::Unchanged {
                    embedder.queue(writer, article, reporter)?;
                }
                Ok(change)
            }
            Target::Check(catalog) => Ok(catalog.change(article.id(), article.hash())),
            Target::DryRun => Ok(Change::Unchanged),
        }
    }

    /// Embeds and writes the queued articles: all of them with `all`, else
    /// the full batches.
    pub(crate) fn flush(
        &mut self,
        reporter: &mut dyn Reporter,
        all: bool,
    ) -> Result<(), IngestError> {
        if let Target::Index(writer, Some(embedder)) = self {
            embedder.flush(writer, reporter, all)?;
        }
        Ok(())
    }

    /// Deletes an article whose source is gone (when writing), after the
    /// queued articles are written.
    pub(crate) fn delete(
        &mut self,
        id: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<(), IngestError> {
        self.flush(reporter, true)?;
        match self {
            Target::Index(writer, _) => Ok(writer.delete(id)?),
            Target::Check(_) | Target::DryRun => Ok(()),
        }
    }

    /// Records a file read in full (when writing).
    pub(crate) fn record_file(&mut self, key: &str, stamp: FileStamp) {
        if let Target::Index(writer, _) = self {
            writer.record_file(key, stamp);
        }
    }

    /// Forgets a file that is gone (when writing).
    pub(crate) fn forget_file(&mut self, key: &str) {
        if let Target::Index(writer, _) = self {
            writer.forget_file(key);
        }
    }

    /// Ends the run: when writing, writes what is queued, records this
    /// build's extractor version and commits whatever changed. Returns what
    /// the vectors cost, when there were any.
    pub(crate) fn finish(
        mut self,
        reporter: &mut dyn Reporter,
    ) -> Result<Option<VectorSummary>, IngestError> {
        self.flush(reporter, true)?;
        match self {
            Target::Index(mut writer, embedder) => {
                writer.set_extractor(EXTRACTOR_VERSION);
                if writer.is_dirty() {
                    (*writer).commit()?;
                }
                Ok(embedder.map(|e| e.summary()))
            }
            Target::Check(_) | Target::DryRun => Ok(None),
        }
    }
}
