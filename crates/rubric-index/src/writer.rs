//! [`IndexWriter`]: adds, replaces and deletes whole articles, and commits.
//!
//! An article is the unit of change: [`IndexWriter::upsert`] deletes every
//! section of the article id and adds the new ones, so a changed article
//! never leaves old sections behind. Nothing is visible to readers before
//! [`IndexWriter::commit`], and a run that dies before it leaves the last
//! commit whole. The writer keeps the [`Manifest`] in step with what it
//! writes and commits it with the index (see `manifest`). This module owns the Tantivy writer and its lock; the
//! fields come from `schema`, queries live in `search`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rubric_core::Article;
use tantivy::Directory;
use tantivy::directory::{INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::AllQuery;
use tantivy::{Index, ReloadPolicy, TantivyDocument, Term};

use crate::IndexError;
use crate::manifest::{self, ArticleEntry, Manifest};
use crate::schema::{self, Fields};

/// Tantivy's smallest memory budget per indexing thread (15 MB).
pub const MIN_HEAP_PER_THREAD: usize = 15_000_000;

/// Tantivy's largest memory budget per indexing thread (just under 4 GB).
const MAX_HEAP_PER_THREAD: usize = u32::MAX as usize - 1_000_000;

/// At most this many indexing threads, whatever the budget.
const MAX_THREADS: usize = 2;

/// An open index for writing. Holds the index's writer lock until dropped;
/// dropping it without [`IndexWriter::commit`] discards the changes.
pub struct IndexWriter {
    index: Index,
    writer: tantivy::IndexWriter,
    fields: Fields,
    path: String,
    dir: std::path::PathBuf,
    manifest: Manifest,
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
        let (index, fields) = schema::open_or_create(dir)?;
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
        let manifest = manifest::load_committed(&index, dir)?;
        Ok(IndexWriter {
            index,
            writer,
            fields,
            path,
            dir: dir.to_path_buf(),
            manifest,
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
        writer
            .writer
            .delete_query(Box::new(AllQuery))
            .map_err(|e| IndexError::tantivy(&writer.path, e))?;
        writer.manifest = Manifest::default();
        Ok(writer)
    }

    /// Replaces every section of `article.id` with the article's sections
    /// (one document each), and records it in the manifest with its source
    /// and hash (other [`ArticleEntry`] fields are the caller's to fill in
    /// through [`IndexWriter::manifest_mut`]). An article with no sections
    /// ends up absent from the index but present in the manifest.
    pub fn upsert(&mut self, article: &Article) -> Result<(), IndexError> {
        self.delete(&article.id)?;
        self.manifest.articles.insert(
            article.id.clone(),
            ArticleEntry {
                source: article.source.clone(),
                hash: article.hash.clone(),
                ..ArticleEntry::default()
            },
        );
        for section in &article.sections {
            let doc = self.document(article, section);
            self.writer
                .add_document(doc)
                .map_err(|e| IndexError::tantivy(&self.path, e))?;
        }
        Ok(())
    }

    /// Deletes every section of the article `id` (nothing when it is absent)
    /// and its manifest entry.
    pub fn delete(&mut self, id: &str) -> Result<(), IndexError> {
        self.manifest.articles.remove(id);
        self.writer
            .delete_term(Term::from_field_text(self.fields.article, id));
        Ok(())
    }

    /// Article id → content hash of every article in the last commit (not
    /// counting changes made since through this writer), so a caller can skip
    /// unchanged articles and find the ones whose sources are gone.
    pub fn article_hashes(&self) -> Result<HashMap<String, String>, IndexError> {
        let err = |e| IndexError::tantivy(&self.path, e);
        let reader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        let searcher = reader.searcher();
        let mut out = HashMap::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(articles), Some(hashes)) = (
                fast.str("article").map_err(err)?,
                fast.str("hash").map_err(err)?,
            ) else {
                continue;
            };
            let mut seen = std::collections::HashSet::new();
            let mut bytes = Vec::new();
            for doc in segment.doc_ids_alive() {
                let Some(article_ord) = articles.ords().first(doc) else {
                    continue;
                };
                if !seen.insert(article_ord) {
                    continue;
                }
                let Some(hash_ord) = hashes.ords().first(doc) else {
                    continue;
                };
                bytes.clear();
                articles
                    .dictionary()
                    .ord_to_term(article_ord, &mut bytes)
                    .map_err(|e| err(e.into()))?;
                let article = String::from_utf8_lossy(&bytes).into_owned();
                bytes.clear();
                hashes
                    .dictionary()
                    .ord_to_term(hash_ord, &mut bytes)
                    .map_err(|e| err(e.into()))?;
                out.insert(article, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok(out)
    }

    /// The manifest as of the last commit plus the changes made through this
    /// writer.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest, to record file stamps, validators and the extractor
    /// version; it is committed with the index.
    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Commits the changes and the manifest together, then waits for merges
    /// to finish; readers opened from now on see the changes. The manifest
    /// file is durable before the commit that names it, so a crash at any
    /// point leaves the last commit and its manifest in step.
    pub fn commit(mut self) -> Result<(), IndexError> {
        let path = self.path;
        let payload = manifest::write(&self.dir, &self.manifest)?;
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        manifest::remove_others(&self.dir, &payload);
        self.writer
            .wait_merging_threads()
            .map_err(|e| IndexError::tantivy(&path, e))?;
        tracing::debug!(index = %path, "committed");
        Ok(())
    }

    /// Builds the Tantivy document of one section.
    fn document(&self, article: &Article, section: &rubric_core::Section) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        let id = if section.anchor.is_empty() {
            article.id.clone()
        } else {
            format!("{}#{}", article.id, section.anchor)
        };
        doc.add_text(f.id, id);
        doc.add_text(f.article, &article.id);
        doc.add_text(f.anchor, &section.anchor);
        doc.add_text(f.source, &article.source);
        doc.add_text(f.format, article.format.as_str());
        if let Some(url) = &article.url {
            doc.add_text(f.url, url);
        }
        doc.add_text(f.link, article.link(&section.anchor));
        doc.add_text(f.hash, &article.hash);
        for tag in &article.metadata.tags {
            doc.add_text(f.tags, tag);
        }
        doc.add_text(f.title, &article.title);
        if let Some(heading) = &section.heading {
            doc.add_text(f.heading, heading);
        }
        for ancestor in &section.path {
            doc.add_text(f.path, ancestor);
        }
        doc.add_text(f.text, &section.text);
        doc.add_u64(f.level, u64::from(section.level));
        doc.add_u64(f.ordinal, u64::from(section.ordinal));
        doc
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
