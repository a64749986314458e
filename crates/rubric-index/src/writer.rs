//! [`IndexWriter`]: adds, replaces and deletes whole articles, and commits.
//!
//! An article is the unit of change: [`IndexWriter::upsert`] deletes every
//! section of the article id and adds the new ones, so a changed article
//! never leaves old sections behind. Nothing is visible to readers before
//! [`IndexWriter::commit`], and a run that dies before it leaves the last
//! commit whole. The writer keeps the [`Catalog`] in step with what it
//! writes and commits it with the index (see `catalog`): the only way the
//! catalog changes. This module owns the Tantivy writer and its lock; the
//! fields come from `schema`, queries live in `search`.
//!
//! An index may hold a vector per section ([`IndexWriter::set_vector_model`],
//! then [`IndexWriter::upsert_with_vectors`]): then every section has one,
//! all made by the one model the commit records. The vector of a passage
//! that did not change can be found again ([`IndexWriter::known_vector`]) in
//! the last commit (even after its article was replaced in this run) or
//! among the sections added in this run, so it is not made twice.
//!
//! Leftovers: a run killed or failed before its commit leaves files that no
//! commit names (partial segments, its catalog, temporary files). A writer
//! removes them when it opens, before it writes anything (so an index on a
//! full disk can take a small update again), and a writer dropped with
//! changes it did not commit (or whose commit failed) removes its own at
//! once, after the indexing threads Tantivy let run on have closed their
//! files (see `directory`).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rubric_core::Article;
use tantivy::Directory;
use tantivy::directory::{INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::index::SegmentComponent;
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::AllQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocSet, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::IndexError;
use crate::analysis::Analysis;
use crate::catalog::{self, ArticleEntry, Catalog, Change, FileStamp};
use crate::directory::OpenWrites;
use crate::schema::{self, Fields};
use crate::vectors::{self, VectorModel};

/// Tantivy's smallest memory budget per indexing thread (15 MB).
pub const MIN_HEAP_PER_THREAD: usize = 15_000_000;

/// Tantivy's largest memory budget per indexing thread (just under 4 GB).
const MAX_HEAP_PER_THREAD: usize = u32::MAX as usize - 1_000_000;

/// At most this many indexing threads, whatever the budget.
const MAX_THREADS: usize = 2;

/// How long a writer that gives up waits for the files still being written
/// (by indexing threads a failed commit left running) before it cleans up.
const WRITES_SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// An open index for writing. Holds the index's writer lock until dropped;
/// dropping it without [`IndexWriter::commit`] discards the changes.
pub struct IndexWriter {
    /// Tantivy's writer; taken by [`IndexWriter::commit`].
    writer: Option<tantivy::IndexWriter>,
    fields: Fields,
    path: String,
    dir: std::path::PathBuf,
    catalog: Catalog,
    /// The catalog file the last commit names (none before the first).
    committed: Option<String>,
    /// True once anything was changed since the last commit.
    dirty: bool,
    /// The last commit, to read sections back from ([`IndexWriter::relink`]).
    relinking: Option<tantivy::IndexReader>,
    /// The model of the vectors the next commit holds (none: no vectors).
    vectors: Option<VectorModel>,
    /// The last commit's vectors and a searcher of that commit, to find the
    /// vectors of passages that did not change.
    committed_vectors: Option<(VectorModel, Searcher)>,
    /// Vectors added through this writer, by passage key.
    added: HashMap<String, Vec<u8>>,
    /// The index's files open for writing, by any thread.
    writes: OpenWrites,
}

impl std::fmt::Debug for IndexWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl IndexWriter {
    /// Opens the index at `dir` for writing, creating the folder and an empty
    /// index when there is none, with a memory budget of `heap_bytes` (raised
    /// to 15 MB per indexing thread; one or two threads).
    ///
    /// Fails with [`IndexError::Locked`] when another writer holds the index,
    /// and [`IndexError::Version`] when it was written by another schema.
    pub fn open(dir: &Path, heap_bytes: usize) -> Result<IndexWriter, IndexError> {
        let (index, fields, writes) = schema::open_or_create(dir)?;
        let path = dir.display().to_string();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = (heap_bytes / MIN_HEAP_PER_THREAD).clamp(1, MAX_THREADS.min(cores));
        let per_thread = (heap_bytes / threads).clamp(MIN_HEAP_PER_THREAD, MAX_HEAP_PER_THREAD);
        let options = IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(per_thread)
            .num_merge_threads(1)
            .build();
        let writer = index
            .writer_with_options(options)
            .map_err(|e| IndexError::tantivy(&path, e))?;
        tracing::debug!(index = %path, threads, per_thread, "opened index writer");
        let (catalog, committed) = catalog::load_committed_named(&index, dir)?;
        let vectors = catalog::committed_vectors(&index, dir)?;
        let committed_vectors = match &vectors {
            Some(model) => {
                let reader: tantivy::IndexReader = index
                    .reader_builder()
                    .reload_policy(ReloadPolicy::Manual)
                    .try_into()
                    .map_err(|e| IndexError::tantivy(&path, e))?;
                Some((model.clone(), reader.searcher()))
            }
            None => None,
        };
        let writer = IndexWriter {
            writer: Some(writer),
            fields,
            path,
            dir: dir.to_path_buf(),
            catalog,
            committed,
            dirty: false,
            relinking: None,
            vectors,
            committed_vectors,
            added: HashMap::new(),
            writes,
        };
        writer.remove_leftovers();
        Ok(writer)
    }

    /// Removes what no commit names: index files the last commit does not
    /// name ([`remove_uncommitted`]; only called when this writer holds no
    /// uncommitted segment: at open, and after a rollback), catalog files
    /// other than the committed one, and temporary files. Failures only
    /// cost disk space: they are logged.
    fn remove_leftovers(&self) {
        if let Some(writer) = &self.writer {
            remove_uncommitted(&mut writer.index().clone(), &self.path);
        }
        catalog::remove_others(&self.dir, self.committed.as_deref().unwrap_or(""));
        remove_temp_files(&self.dir);
        if let Err(e) = crate::extend::remove_next(&self.dir) {
            tracing::debug!("{e}");
        }
    }

    /// Tantivy's writer (there until [`IndexWriter::commit`] takes it).
    fn inner(&mut self) -> Result<&mut tantivy::IndexWriter, IndexError> {
        let path = &self.path;
        self.writer.as_mut().ok_or_else(|| IndexError::Corrupt {
            path: path.clone(),
            reason: "the writer was used after its commit".into(),
        })
    }

    /// Opens the index at `dir` to be rebuilt: at the next commit every
    /// article in it is gone except those upserted through this writer, so
    /// a rebuild killed before it commits leaves the old index whole. An
    /// index of another schema version, which [`IndexWriter::open`] refuses,
    /// is removed first (only the files Tantivy and Rubric keep in `dir`).
    pub fn rebuild(dir: &Path, heap_bytes: usize) -> Result<IndexWriter, IndexError> {
        let mut writer = match IndexWriter::open(dir, heap_bytes) {
            Err(IndexError::Version { found, .. }) => {
                tracing::info!(index = %dir.display(), %found, "removing an index of another schema version");
                remove_index_files(dir)?;
                IndexWriter::open(dir, heap_bytes)?
            }
            other => other?,
        };
        let path = writer.path.clone();
        writer
            .inner()?
            .delete_query(Box::new(AllQuery))
            .map_err(|e| IndexError::tantivy(&path, e))?;
        writer.catalog = Catalog::default();
        writer.vectors = None;
        writer.dirty = true;
        Ok(writer)
    }

    /// Indexes `article` unless the catalog holds it as it is: replaces
    /// every section of its id with its sections when it is new or changed.
    /// Returns what it changed ([`Change::Added`], [`Change::Updated`] or
    /// [`Change::Unchanged`]).
    pub fn apply(&mut self, article: &Article) -> Result<Change, IndexError> {
        let change = self.catalog.change(article.id(), article.hash());
        if change != Change::Unchanged {
            self.upsert(article)?;
        }
        Ok(change)
    }

    /// Replaces every section of `article.id()` with the article's sections
    /// (one document each), and records it in the catalog with its source
    /// and hash. An article with no sections ends up absent from the index
    /// but present in the catalog. An index that holds vectors refuses it:
    /// use [`IndexWriter::upsert_with_vectors`].
    ///
    /// Fails with [`IndexError::NewLanguage`], changing nothing, when the
    /// article's language needs text fields the index does not have yet
    /// (so does [`IndexWriter::upsert_with_vectors`]).
    pub fn upsert(&mut self, article: &Article) -> Result<(), IndexError> {
        if let Some(model) = &self.vectors {
            return Err(IndexError::Vectors {
                path: self.path.clone(),
                reason: format!(
                    "it holds a vector of {} for every section: {} must have them too",
                    model.name,
                    article.id()
                ),
            });
        }
        self.replace(article, None)
    }

    /// [`IndexWriter::upsert`] for an index that holds vectors: `vectors`
    /// has one vector per section, in order, in the stored form
    /// ([`VectorModel::encode`], or as [`IndexWriter::known_vector`] gave it).
    pub fn upsert_with_vectors(
        &mut self,
        article: &Article,
        vectors: &[Vec<u8>],
    ) -> Result<(), IndexError> {
        let Some(model) = &self.vectors else {
            return Err(IndexError::Vectors {
                path: self.path.clone(),
                reason: "it holds no vectors: set the model first".to_string(),
            });
        };
        let expected = model.encoded_len();
        if vectors.len() != article.sections().len() || vectors.iter().any(|v| v.len() != expected)
        {
            return Err(IndexError::Vectors {
                path: self.path.clone(),
                reason: format!(
                    "{} has {} sections but was given {} vectors (each must be {expected} bytes)",
                    article.id(),
                    article.sections().len(),
                    vectors.len()
                ),
            });
        }
        self.replace(article, Some(vectors))
    }

    fn replace(
        &mut self,
        article: &Article,
        vectors: Option<&[Vec<u8>]>,
    ) -> Result<(), IndexError> {
        let language = article.metadata().language.as_deref();
        if !self.fields.has(Analysis::of_language(language)) {
            return Err(IndexError::NewLanguage {
                path: self.path.clone(),
                language: language.unwrap_or_default().to_string(),
            });
        }
        self.delete(article.id())?;
        self.catalog.insert_article(
            article.id(),
            ArticleEntry {
                source: article.source().to_string(),
                hash: article.hash().to_string(),
                url: article.own_url().map(str::to_string),
            },
        );
        for (i, section) in article.sections().iter().enumerate() {
            let mut doc = self.document(article, section);
            if let Some(vector) = vectors.and_then(|v| v.get(i)) {
                let key = vectors::passage_key(&vectors::passage(article, section));
                doc.add_bytes(self.fields.vector, vector.as_slice());
                doc.add_text(self.fields.passage, &key);
                self.added.insert(key, vector.clone());
            }
            self.add(doc)?;
        }
        Ok(())
    }

    /// The model of the vectors the index holds (from the last commit, or
    /// set through this writer); none when it holds none.
    pub fn vector_model(&self) -> Option<&VectorModel> {
        self.vectors.as_ref()
    }

    /// Makes the index hold `model`'s vectors from the next commit on; the
    /// same model again is fine (its folder may have moved). Refused when
    /// the index holds sections without vectors or another model's
    /// vectors: those must be rebuilt ([`IndexWriter::rebuild`]).
    pub fn set_vector_model(&mut self, model: VectorModel) -> Result<(), IndexError> {
        let refuse = |reason: String| IndexError::Vectors {
            path: self.path.clone(),
            reason,
        };
        match &self.vectors {
            Some(current) if !current.same_vectors(&model) => {
                return Err(refuse(format!(
                    "its vectors were made by {} ({} tokens, fingerprint {}), not by {} ({} tokens, fingerprint {}); rebuild it to change the model",
                    current.name,
                    current.max_tokens,
                    short(&current.fingerprint),
                    model.name,
                    model.max_tokens,
                    short(&model.fingerprint)
                )));
            }
            None if self.catalog.stats().articles > 0 => {
                return Err(refuse(format!(
                    "it holds {} articles without vectors; rebuild it to add vectors of {}",
                    self.catalog.stats().articles,
                    model.name
                )));
            }
            _ => {}
        }
        if self.vectors.as_ref() != Some(&model) {
            self.vectors = Some(model);
            self.dirty = true;
        }
        Ok(())
    }

    /// The stored vector of a section whose passage has the key `key`
    /// ([`vectors::passage_key`]), when this writer added one or the last
    /// commit holds one made by the same model; none otherwise.
    pub fn known_vector(&self, key: &str) -> Result<Option<Vec<u8>>, IndexError> {
        if let Some(vector) = self.added.get(key) {
            return Ok(Some(vector.clone()));
        }
        let (Some(model), Some((committed, searcher))) = (&self.vectors, &self.committed_vectors)
        else {
            return Ok(None);
        };
        if !model.same_vectors(committed) {
            return Ok(None);
        }
        let err = |e: tantivy::TantivyError| IndexError::tantivy(&self.path, e);
        let term = Term::from_field_text(self.fields.passage, key);
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.passage).map_err(err)?;
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(|e| err(e.into()))?
            else {
                continue;
            };
            let Some(column) = segment.fast_fields().bytes("vector").map_err(err)? else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != tantivy::TERMINATED {
                if !segment.is_deleted(doc)
                    && let Some(ord) = column.ords().first(doc)
                {
                    let mut bytes = Vec::new();
                    if column
                        .ord_to_bytes(ord, &mut bytes)
                        .map_err(|e| err(e.into()))?
                        && bytes.len() == model.encoded_len()
                    {
                        return Ok(Some(bytes));
                    }
                }
                doc = postings.advance();
            }
        }
        Ok(None)
    }

    /// Deletes every section of the article `id` (nothing when it is absent)
    /// and its catalog entry.
    pub fn delete(&mut self, id: &str) -> Result<(), IndexError> {
        self.catalog.remove_article(id);
        let term = Term::from_field_text(self.fields.article, id);
        self.inner()?.delete_term(term);
        self.dirty = true;
        Ok(())
    }

    /// Gives every section of the indexed article `id` the URL `url` (and
    /// the link that goes with it; `None`: the link is its source), reading
    /// them back from the last commit: nothing is extracted again and its
    /// catalog entry stays as it is. Returns how many sections it rewrote (0
    /// when their URL was `url` already). Only for an article not upserted
    /// through this writer: its new sections are not read back.
    pub fn relink(&mut self, id: &str, url: Option<&str>) -> Result<usize, IndexError> {
        let f = self.fields;
        if self.relinking.is_none() {
            let reader = self
                .inner()?
                .index()
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
            self.relinking = Some(reader);
        }
        let Some(reader) = &self.relinking else {
            return Ok(0);
        };
        let searcher = reader.searcher();
        let term = Term::from_field_text(f.article, id);
        let query = tantivy::query::TermQuery::new(term.clone(), IndexRecordOption::Basic);
        let found = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| IndexError::tantivy(&self.path, e))?;
        let mut docs = Vec::with_capacity(found.len());
        for address in found {
            let old: TantivyDocument = searcher
                .doc(address)
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
            let text = |field| {
                old.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            if text(f.url).as_deref() == url {
                return Ok(0);
            }
            let source = text(f.source).unwrap_or_default();
            let anchor = text(f.anchor).unwrap_or_default();
            let mut doc = TantivyDocument::new();
            for (field, value) in old.field_values() {
                if field != f.url && field != f.link {
                    doc.add_field_value(field, value);
                }
            }
            if let Some(url) = url {
                doc.add_text(f.url, url);
            }
            doc.add_text(f.link, rubric_core::section_link(url, &source, &anchor));
            // The vector is a fast field, not stored: read it from its column.
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .bytes("vector")
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
            if let Some(column) = column
                && let Some(ord) = column.ords().first(address.doc_id)
            {
                let mut bytes = Vec::new();
                if column
                    .ord_to_bytes(ord, &mut bytes)
                    .map_err(|e| IndexError::tantivy(&self.path, tantivy::TantivyError::from(e)))?
                {
                    doc.add_bytes(f.vector, bytes.as_slice());
                }
            }
            docs.push(doc);
        }
        let sections = docs.len();
        self.inner()?.delete_term(term);
        self.dirty |= sections > 0;
        for doc in docs {
            self.add(doc)?;
        }
        Ok(sections)
    }

    /// Adds one document to the index.
    fn add(&mut self, doc: TantivyDocument) -> Result<(), IndexError> {
        match self.inner()?.add_document(doc) {
            Ok(_) => Ok(()),
            Err(error) => Err(self.add_failed(error)),
        }
    }

    /// The error to report for a document Tantivy refused. When one of its
    /// indexing threads died (a disk error), all Tantivy says is that the
    /// writer was killed; joining the threads, which preparing a commit does
    /// first, gives the thread's own error (`Input/output error`, `No space
    /// left on device`). Nothing is committed: a commit so prepared is
    /// aborted, and the caller gives the writer up.
    fn add_failed(&mut self, error: tantivy::TantivyError) -> IndexError {
        if matches!(error, tantivy::TantivyError::ErrorInThread(_))
            && let Some(writer) = self.writer.as_mut()
        {
            match writer.prepare_commit() {
                Err(cause) => return IndexError::tantivy(&self.path, cause),
                Ok(prepared) => {
                    if let Err(e) = prepared.abort() {
                        tracing::debug!(index = %self.path, "abort failed: {e}");
                    }
                }
            }
        }
        IndexError::tantivy(&self.path, error)
    }

    /// Records the site URL the articles' pages are placed under (see
    /// [`Catalog::site`]).
    pub fn set_site(&mut self, site: &str) {
        self.dirty |= self.catalog.set_site(site);
    }

    /// Records what the source file `key` (an absolute path) looks like now
    /// and which articles it yielded, so an unchanged file can be skipped
    /// unread next time.
    pub fn record_file(&mut self, key: &str, stamp: FileStamp) {
        self.dirty |= self.catalog.record_file(key, stamp);
    }

    /// Forgets the source file `key` (its articles are deleted separately).
    pub fn forget_file(&mut self, key: &str) {
        self.dirty |= self.catalog.forget_file(key);
    }

    /// Records the extractor version that produced the articles.
    pub fn set_extractor(&mut self, version: &str) {
        self.dirty |= self.catalog.set_extractor(version);
    }

    /// The catalog as of the last commit plus the changes made through this
    /// writer.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// True when something changed since the last commit, so there is
    /// something to commit.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Commits the changes and the catalog together, then waits for merges
    /// to finish; readers opened from now on see the changes. The catalog
    /// file is durable before the commit that names it, so a crash at any
    /// point leaves the last commit and its catalog in step.
    ///
    /// A commit that fails (a full disk) removes what it wrote before it
    /// returns the error, so the last commit is all the index holds.
    pub fn commit(mut self) -> Result<(), IndexError> {
        let path = self.path.clone();
        let mut writer = self.writer.take().ok_or_else(|| IndexError::Corrupt {
            path: path.clone(),
            reason: "the writer was committed twice".into(),
        })?;
        let committed = (|| {
            let payload = catalog::write(&self.dir, &self.catalog, self.vectors.as_ref())?;
            let mut prepared = writer
                .prepare_commit()
                .map_err(|e| IndexError::tantivy(&path, e))?;
            prepared.set_payload(&payload);
            prepared
                .commit()
                .map_err(|e| IndexError::tantivy(&path, e))?;
            Ok::<_, IndexError>(payload)
        })();
        let payload = match committed {
            Ok(payload) => payload,
            Err(error) => {
                self.writer = Some(writer);
                self.discard();
                return Err(error);
            }
        };
        catalog::remove_others(&self.dir, &catalog::named(&payload));
        vectors::remove_other_models(&self.dir, self.vectors.as_ref());
        let index = writer.index().clone();
        writer
            .wait_merging_threads()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        remove_merged_away(index, &path);
        tracing::debug!(index = %path, "committed");
        Ok(())
    }

    /// Drops every change since the last commit and removes the files they
    /// left: Tantivy's rollback forgets the uncommitted segments, and the
    /// collection after it deletes their files. A commit that
    /// failed in one indexing thread leaves the others running detached, so
    /// the clean-up waits until no file of the index is open for writing,
    /// then removes whatever the last commit does not name.
    fn discard(&mut self) {
        self.dirty = false;
        if let Some(writer) = &mut self.writer
            && let Err(e) = writer.rollback()
        {
            tracing::debug!(index = %self.path, "rollback failed: {e}");
        }
        if !self.writes.wait_for_none(WRITES_SETTLE_LIMIT) {
            tracing::debug!(
                index = %self.path,
                open = self.writes.count(),
                "files still being written; the next run removes them"
            );
        }
        self.remove_leftovers();
    }

    /// Builds the Tantivy document of one section: its text in the fields
    /// of its article's language's analysis.
    fn document(&self, article: &Article, section: &rubric_core::Section) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, rubric_core::section_id(article.id(), &section.anchor));
        doc.add_text(f.article, article.id());
        doc.add_text(f.anchor, &section.anchor);
        doc.add_text(f.source, article.source());
        doc.add_text(f.format, article.format().as_str());
        if let Some(url) = article.url() {
            doc.add_text(f.url, url);
        }
        doc.add_text(f.link, article.link(&section.anchor));
        doc.add_text(f.hash, article.hash());
        for tag in &article.metadata().tags {
            doc.add_text(f.tags, tag);
        }
        let language = article.metadata().language.as_deref();
        let analysis = Analysis::of_language(language);
        if let Some(language) = language {
            doc.add_text(f.language, language);
        }
        doc.add_text(f.analysis, analysis.code());
        let t = f.text_fields(analysis);
        doc.add_text(t.title, article.title());
        if let Some(heading) = &section.heading {
            doc.add_text(t.heading, heading);
        }
        for ancestor in &section.path {
            doc.add_text(t.path, ancestor);
        }
        doc.add_text(t.text, &section.text);
        doc.add_u64(f.level, u64::from(section.level));
        doc.add_u64(f.ordinal, u64::from(section.ordinal));
        doc
    }
}

/// The first characters of a fingerprint, for messages.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

impl Drop for IndexWriter {
    /// A writer given up with changes it did not commit (a run that failed
    /// part way) removes the files those changes left, then lets go of the
    /// lock.
    fn drop(&mut self) {
        if self.dirty && self.writer.is_some() {
            self.discard();
        }
    }
}

/// Removes the files of segments the merges after a commit replaced.
/// Tantivy collects them at the end of each merge, but tests/faults/run
/// found a segment merged away that outlived that collection now and then
/// (its files stayed until the next run): so once every merge is done, what
/// the last commit does not name is removed, under the writer lock (skipped
/// when another writer has it by then).
fn remove_merged_away(mut index: tantivy::Index, path: &str) {
    let Ok(_lock) = index.directory().acquire_lock(&INDEX_WRITER_LOCK) else {
        return;
    };
    remove_uncommitted(&mut index, path);
}

/// Removes every file of the index's managed directory that its last
/// commit does not name. Tantivy's own collection spares the segments any
/// thread still holds in memory, and an indexing thread that a failed commit
/// left running holds its finished segment for a moment after its files are
/// closed; this one goes by the commit on disk alone. Only for a caller
/// that holds the writer lock and has no uncommitted segment.
fn remove_uncommitted(index: &mut tantivy::Index, path: &str) {
    let metas = match index.load_metas() {
        Ok(metas) => metas,
        Err(e) => {
            tracing::debug!(index = %path, "cannot read the commit to collect: {e}");
            return;
        }
    };
    let mut living: std::collections::HashSet<std::path::PathBuf> = metas
        .segments
        .iter()
        .flat_map(|segment| {
            [
                SegmentComponent::Postings,
                SegmentComponent::Positions,
                SegmentComponent::FastFields,
                SegmentComponent::FieldNorms,
                SegmentComponent::Terms,
                SegmentComponent::Store,
                SegmentComponent::Delete,
            ]
            .map(|component| segment.relative_path(component))
        })
        .collect();
    living.insert(std::path::PathBuf::from("meta.json"));
    match index.directory_mut().garbage_collect(move || living) {
        Ok(result) if !result.deleted_files.is_empty() => tracing::debug!(
            index = %path,
            files = result.deleted_files.len(),
            "removed files the last commit does not name"
        ),
        Ok(_) => {}
        Err(e) => tracing::debug!(index = %path, "garbage collection failed: {e}"),
    }
}

/// Removes temporary files in `dir`: Tantivy's atomic writes (`.tmpXXXXXX`)
/// and Rubric's (`*.tmp`) that a killed run left. Only called while the
/// writer lock is held, so no other run is writing them.
fn remove_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if (name.starts_with(".tmp") || name.ends_with(".tmp"))
            && entry.file_type().is_ok_and(|t| t.is_file())
            && let Err(e) = fs::remove_file(entry.path())
        {
            tracing::debug!("cannot remove the temporary file {name}: {e}");
        }
    }
}

/// Removes the index files in `dir` (Tantivy's `meta.json` first, then the
/// files its `.managed.json` lists, then Rubric's `rubric.json`), holding the
/// writer lock so no other writer is working there. Other files are left.
fn remove_index_files(dir: &Path) -> Result<(), IndexError> {
    let shown = dir.display().to_string();
    let directory = MmapDirectory::open(dir)
        .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::from(e)))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::LockFailure(e, None)))?;
    let managed: Vec<String> = fs::read(dir.join(".managed.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let names = std::iter::once("meta.json")
        .chain(managed.iter().map(String::as_str))
        .chain([".managed.json", schema::META_FILE]);
    for name in names {
        // Only plain file names: never anything outside `dir`.
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with("..") {
            continue;
        }
        let path = dir.join(name);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(IndexError::io(path.display(), e)),
        }
    }
    Ok(())
}
