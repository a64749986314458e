//! [`add_language`]: gives an index the text fields of one more language's
//! analysis, keeping every section it holds.
//!
//! An index is created with English's text fields only (see `schema`); the
//! first article of another analysis makes the writer refuse it with
//! [`IndexError::NewLanguage`]. Tantivy fixes an index's schema when it is
//! created, so the fields are added by copying: a new Tantivy index with the
//! longer schema is built in a folder inside the index folder from the
//! stored fields of every live section of the last commit (every field is
//! stored but `vector`, a fast field only, which is copied from its column;
//! the new fields come after the old ones, so the old fields keep their
//! numbers), committed with the same payload (the same catalog), and
//! then made the index's commit:
//!
//! 1. its segment files are added to the index's `.managed.json` (Tantivy's
//!    list of the files it may delete),
//! 2. moved into the index folder (new names, nothing of the old commit is
//!    touched),
//! 3. its `meta.json` renamed over the index's, the one atomic step.
//!
//! A run killed before step 3 leaves the old commit whole (the files it
//! moved are removed by the next writer's garbage collection, the folder by
//! the next `add_language`); after it, the old segments are what the next
//! writer removes. Readers see the new commit at their next reload (the
//! schema grew, so `IndexReader::reload_if_changed` asks to be opened
//! again). The writer lock is held throughout, so no ingest writes meanwhile.
//!
//! The copy costs about what indexing the sections' text did, once per
//! language an index ever gets. This module does not decide when to call it
//! (the ingest binary does, when a run meets an article it is told about).

use std::fs;
use std::path::Path;

use tantivy::directory::{INDEX_WRITER_LOCK, MmapDirectory};
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Directory, DocAddress, Index, IndexSettings, TantivyDocument};

use crate::IndexError;
use crate::analysis::Analysis;
use crate::schema;

/// The folder, inside the index folder, the longer index is built in.
pub(crate) const NEXT_DIR: &str = ".rubric-next";

/// Tantivy's list of the files it manages, in the index folder.
const MANAGED_FILE: &str = ".managed.json";

/// Memory for the copy's single indexing thread.
const COPY_HEAP_BYTES: usize = 50_000_000;

/// Gives the index at `dir` the text fields of `language`'s analysis (a tag
/// such as `de`), copying every section into an index with the longer
/// schema (see the module docs). Returns how many sections were copied; 0,
/// touching nothing, when the index has those fields already.
///
/// Fails with [`IndexError::Missing`] when there is no index,
/// [`IndexError::Version`] for an index of another schema version and
/// [`IndexError::Locked`] while an ingest run writes to it.
pub fn add_language(dir: &Path, language: &str) -> Result<usize, IndexError> {
    let shown = dir.display().to_string();
    let tantivy_err = |e| IndexError::tantivy(&shown, e);
    let analysis = Analysis::of_language(Some(language));
    let directory =
        MmapDirectory::open(dir).map_err(|e| tantivy_err(tantivy::TantivyError::from(e)))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| tantivy_err(tantivy::TantivyError::LockFailure(e, None)))?;
    let (old, fields) = schema::open(dir)?;
    if fields.has(analysis) {
        return Ok(0);
    }
    let old_schema = old.schema();
    let mut extra = schema::extra_analyses(&old_schema);
    extra.push(analysis);
    let (new_schema, new_fields) = schema::build(&extra);
    let payload = old.load_metas().map_err(tantivy_err)?.payload;

    let next = dir.join(NEXT_DIR);
    remove_next(dir)?;
    fs::create_dir(&next).map_err(|e| IndexError::io(next.display(), e))?;
    let next_dir =
        MmapDirectory::open(&next).map_err(|e| tantivy_err(tantivy::TantivyError::from(e)))?;
    let index = Index::create(next_dir, new_schema.clone(), IndexSettings::default())
        .map_err(tantivy_err)?;
    schema::register_analyzers(&index);
    let options = IndexWriterOptions::builder()
        .num_worker_threads(1)
        .memory_budget_per_thread(COPY_HEAP_BYTES)
        .num_merge_threads(1)
        .build();
    let mut writer: tantivy::IndexWriter<TantivyDocument> =
        index.writer_with_options(options).map_err(tantivy_err)?;
    let reader = old
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map_err(tantivy_err)?;
    let searcher = reader.searcher();
    let mut copied = 0;
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(ordinal).unwrap_or(u32::MAX);
        // The vectors are a fast field only (not stored), so they are read
        // from the column and copied beside the stored fields.
        let vectors = segment.fast_fields().bytes("vector").map_err(tantivy_err)?;
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = searcher
                .doc(DocAddress::new(segment_ord, doc_id))
                .map_err(tantivy_err)?;
            let mut copy = TantivyDocument::new();
            for (field, value) in doc.field_values() {
                // By name: the same number today, but say what is meant.
                if let Ok(to) = new_schema.get_field(old_schema.get_field_name(field)) {
                    copy.add_field_value(to, value);
                }
            }
            if let Some(column) = &vectors
                && let Some(ord) = column.ords().first(doc_id)
            {
                let mut bytes = Vec::new();
                if column
                    .ord_to_bytes(ord, &mut bytes)
                    .map_err(|e| tantivy_err(e.into()))?
                {
                    copy.add_bytes(new_fields.vector, bytes.as_slice());
                }
            }
            writer.add_document(copy).map_err(tantivy_err)?;
            copied += 1;
        }
    }
    let mut prepared = writer.prepare_commit().map_err(tantivy_err)?;
    if let Some(payload) = &payload {
        prepared.set_payload(payload);
    }
    prepared.commit().map_err(tantivy_err)?;
    writer.wait_merging_threads().map_err(tantivy_err)?;
    drop(reader);

    drop(index);
    // The segment files: every file but the commit and Tantivy's own
    // bookkeeping (whose names start with a dot).
    let mut files: Vec<String> = Vec::new();
    for entry in fs::read_dir(&next).map_err(|e| IndexError::io(next.display(), e))? {
        let entry = entry.map_err(|e| IndexError::io(next.display(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "meta.json" && !name.starts_with('.') && entry.path().is_file() {
            files.push(name);
        }
    }
    // 1. Tantivy may delete them from now on (whatever happens next).
    let managed_path = dir.join(MANAGED_FILE);
    let mut managed: Vec<String> = match fs::read(&managed_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    managed.extend(files.iter().cloned());
    managed.sort();
    managed.dedup();
    let body = serde_json::to_vec(&managed).map_err(|e| IndexError::io(&shown, e.into()))?;
    let tmp = dir.join(format!("{MANAGED_FILE}.tmp"));
    fs::write(&tmp, body).map_err(|e| IndexError::io(tmp.display(), e))?;
    fs::rename(&tmp, &managed_path).map_err(|e| IndexError::io(managed_path.display(), e))?;
    // 2. The new segments beside the old ones.
    for file in &files {
        let to = dir.join(file);
        fs::rename(next.join(file), &to).map_err(|e| IndexError::io(to.display(), e))?;
    }
    directory
        .sync_directory()
        .map_err(|e| IndexError::io(&shown, e))?;
    // 3. The commit.
    let meta = dir.join("meta.json");
    fs::rename(next.join("meta.json"), &meta).map_err(|e| IndexError::io(meta.display(), e))?;
    directory
        .sync_directory()
        .map_err(|e| IndexError::io(&shown, e))?;
    if let Err(e) = remove_next(dir) {
        tracing::debug!("{e}");
    }
    tracing::info!(
        index = %shown,
        analysis = analysis.code(),
        sections = copied,
        "added the text fields of a language"
    );
    Ok(copied)
}

/// Removes the folder a copy is built in (left by a run killed during
/// [`add_language`]), if there is one.
pub(crate) fn remove_next(dir: &Path) -> Result<(), IndexError> {
    let next = dir.join(NEXT_DIR);
    match fs::remove_dir_all(&next) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(IndexError::io(next.display(), e)),
    }
}

#[cfg(test)]
mod tests {
    use rubric_core::{Article, Draft, Format, SectionBuilder};

    use super::*;
    use crate::{IndexReader, IndexWriter, SearchRequest};

    fn article(id: &str, language: Option<&str>, heading: &str, text: &str) -> Article {
        let mut outline = SectionBuilder::new();
        outline.push_heading(2, heading, None);
        outline.push_text(text);
        let mut draft = Draft::new(id, id, Format::Markdown, id, outline.finish());
        draft.metadata.language = language.map(str::to_string);
        draft.finish()
    }

    fn ids(reader: &IndexReader, query: &str) -> Vec<String> {
        let response = reader.search(&SearchRequest::new(query)).unwrap();
        response.hits.into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn a_new_language_is_refused_then_added_keeping_every_section() {
        let dir = tempfile::tempdir().unwrap();
        let english = article(
            "gut.md",
            Some("en"),
            "Children",
            "Inflammations in children.",
        );
        let german = article("darm.md", Some("de"), "Kinder", "Entzündungen bei Kindern.");
        let mut writer = IndexWriter::open(dir.path(), 50_000_000).unwrap();
        writer.upsert(&english).unwrap();
        writer.commit().unwrap();
        let reader = IndexReader::open(dir.path()).unwrap();

        let mut writer = IndexWriter::open(dir.path(), 50_000_000).unwrap();
        let err = writer.upsert(&german).unwrap_err();
        assert!(
            matches!(&err, IndexError::NewLanguage { language, .. } if language == "de"),
            "{err}"
        );
        // Busy while a writer holds the index.
        let busy = add_language(dir.path(), "de").unwrap_err();
        assert!(matches!(busy, IndexError::Locked(_)), "{busy}");
        drop(writer);

        let sections = reader.stats().unwrap().sections;
        assert_eq!(add_language(dir.path(), "de").unwrap() as u64, sections);
        assert_eq!(
            add_language(dir.path(), "de-AT").unwrap(),
            0,
            "there already"
        );
        assert!(!dir.path().join(NEXT_DIR).exists());
        // The reader opened before must be opened again.
        assert!(matches!(
            reader.reload_if_changed(),
            Err(IndexError::FieldsChanged(_))
        ));
        let reader = IndexReader::open(dir.path()).unwrap();
        assert_eq!(ids(&reader, "inflammation child"), ["gut.md#children"]);
        assert_eq!(reader.stats().unwrap().articles, 1, "the same catalog");

        let mut writer = IndexWriter::open(dir.path(), 50_000_000).unwrap();
        writer.upsert(&german).unwrap();
        writer.commit().unwrap();
        assert!(reader.reload_if_changed().unwrap());
        assert_eq!(ids(&reader, "Entzündung Kind"), ["darm.md#kinder"]);
        assert_eq!(ids(&reader, "inflammation child"), ["gut.md#children"]);
        // The old commit's segments are gone once a writer has opened.
        drop(IndexWriter::open(dir.path(), 50_000_000).unwrap());
        let segments = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".store"))
            .count();
        assert!(segments <= 2, "{segments} stores left");
    }

    /// Regression: `vector` is a fast field only (not stored), so a copy of
    /// the stored fields alone left every section its passage key but no
    /// vector, and the next run with the same model found none to keep.
    #[test]
    fn adding_a_language_keeps_the_sections_vectors() {
        use crate::vectors::{self, PASSAGE_VERSION, VectorEncoding, VectorModel};
        let dir = tempfile::tempdir().unwrap();
        let model = VectorModel {
            name: "m".into(),
            dimensions: 8,
            max_tokens: 16,
            fingerprint: "f".into(),
            source_fingerprint: "0123456789abcdef".into(),
            folder: vectors::model_folder("0123456789abcdef"),
            encoding: VectorEncoding::Int8,
            passage: PASSAGE_VERSION,
        };
        let english = article(
            "gut.md",
            Some("en"),
            "Children",
            "Inflammations in children.",
        );
        let vector = model.encode(&[0.5, -0.25, 0.0, 1.0, -1.0, 0.125, 0.75, -0.5]);
        let key = vectors::passage_key(&vectors::passage(&english, &english.sections()[0]));
        let mut writer = IndexWriter::open(dir.path(), 50_000_000).unwrap();
        writer.set_vector_model(model.clone()).unwrap();
        writer
            .upsert_with_vectors(&english, std::slice::from_ref(&vector))
            .unwrap();
        writer.commit().unwrap();

        assert_eq!(add_language(dir.path(), "de").unwrap(), 1);
        let writer = IndexWriter::open(dir.path(), 50_000_000).unwrap();
        assert_eq!(writer.vector_model(), Some(&model));
        assert_eq!(writer.known_vector(&key).unwrap(), Some(vector));
    }
}
