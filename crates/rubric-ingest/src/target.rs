//! [`Target`]: where a run's articles go — the index (write), a remote
//! engine (`--sink`, see `remote`), an export file (`--export`), the index's catalog (compare only,
//! `--check`) or nowhere but the reporter (`--dry-run`). One type, so the run has no optional writer and no mode
//! flags; what each mode does with an article, a file and the end of the run
//! is decided here and nowhere else. When the index holds vectors, the
//! articles to write wait for theirs in the [`Embedder`]'s queue.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rubric_core::Article;
use rubric_index::{Catalog, Change, FileStamp, IndexError, IndexWriter};

use crate::embed::{Embedder, VectorSummary};
use crate::remote::RemoteTarget;
use crate::report::SinkSummary;
use crate::{IngestError, Reporter, SourceError};

/// Where a run's articles go.
#[derive(Debug)]
pub enum Target {
    /// Into the index: added, replaced and deleted, committed at the end;
    /// with an [`Embedder`] when the sections get vectors.
    Index(Box<IndexWriter>, Option<Box<Embedder>>),
    /// Into a remote engine's index, with the catalog kept locally (no
    /// vectors: `--semantic` is refused with `--sink`).
    Remote(Box<RemoteTarget>),
    /// Every section written to a file as the sink would send it
    /// (`ingest --export`); no catalog, nothing compared or deleted.
    Export(Box<rubric_remote::Export>),
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
            Target::Remote(remote) => Some(remote.catalog()),
            Target::Check(catalog) => Some(catalog),
            Target::Export(_) | Target::DryRun => None,
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
            Target::Remote(remote) => remote.apply(article),
            Target::Check(catalog) => Ok(catalog.change(article.id(), article.hash())),
            Target::Export(export) => {
                export.write(article)?;
                Ok(Change::Added)
            }
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
            Target::Remote(remote) => remote.delete(id),
            Target::Check(_) | Target::Export(_) | Target::DryRun => Ok(()),
        }
    }

    /// Records a file read in full (when writing).
    pub(crate) fn record_file(&mut self, key: &str, stamp: FileStamp) {
        match self {
            Target::Index(writer, _) => writer.record_file(key, stamp),
            Target::Remote(remote) => remote.record_file(key, stamp),
            Target::Check(_) | Target::Export(_) | Target::DryRun => {}
        }
    }

    /// Forgets a file that is gone (when writing).
    pub(crate) fn forget_file(&mut self, key: &str) {
        match self {
            Target::Index(writer, _) => writer.forget_file(key),
            Target::Remote(remote) => remote.forget_file(key),
            Target::Check(_) | Target::Export(_) | Target::DryRun => {}
        }
    }

    /// Ends the run: when writing, writes what is queued, records the
    /// extraction that made the articles (`extractor`, see
    /// [`crate::extraction_version`]) and commits whatever changed; a remote
    /// target sends what is left. What a remote engine refused is returned,
    /// to be reported, and what the vectors cost, when there were any.
    pub(crate) fn finish(
        mut self,
        extractor: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<Finish, IngestError> {
        self.flush(reporter, true)?;
        match self {
            Target::Index(mut writer, embedder) => {
                writer.set_extractor(extractor);
                if writer.is_dirty() {
                    (*writer).commit()?;
                }
                Ok(Finish {
                    vectors: embedder.map(|e| e.summary()),
                    ..Finish::default()
                })
            }
            Target::Remote(remote) => {
                let finished = remote.finish(extractor)?;
                Ok(Finish {
                    refused: finished.refused,
                    sink: Some(finished.sent),
                    ..Finish::default()
                })
            }
            Target::Export(export) => {
                let path = export.path().display().to_string();
                let written = export.finish()?;
                Ok(Finish {
                    export: Some(crate::report::ExportSummary {
                        path,
                        sections: written.sections,
                        bytes: written.bytes,
                    }),
                    ..Finish::default()
                })
            }
            Target::Check(_) | Target::DryRun => Ok(Finish::default()),
        }
    }
}

/// What the end of a run gave beyond the commit.
#[derive(Debug, Default)]
pub(crate) struct Finish {
    /// Articles a remote engine refused.
    pub refused: Vec<SourceError>,
    /// What was sent to a remote engine.
    pub sink: Option<SinkSummary>,
    /// What was written to an export file.
    pub export: Option<crate::report::ExportSummary>,
    /// What the section vectors cost, when the index holds them.
    pub vectors: Option<VectorSummary>,
}
