//! [`Catalog`]: what the index holds, article by article, and where each
//! article came from — kept with the index and committed with it.
//!
//! The catalog maps article id → source, content hash and the URL its
//! source gives, and source file → size, modification time and the articles
//! it produced; it also keeps the site URL the articles' pages were placed
//! under (opaque here: `rubric-ingest` says what it means), so a run with
//! another site URL knows to re-link them. It answers the
//! questions an incremental run asks ([`Catalog::change`]: is this article
//! new, changed or as indexed? [`Catalog::file`]: was this file read as it
//! is now?) and [`IndexWriter`](crate::IndexWriter) keeps it in step with
//! what it writes. A remote target (`rubric-ingest` sending sections to a
//! distributed engine) keeps its own catalog in a file of its own
//! ([`Catalog::read_from`], [`Catalog::write_to`]) and changes it through
//! the same few methods ([`Catalog::insert_article`], ...). `search` never
//! reads it.
//!
//! Atomicity: the catalog is written to its own file
//! (`rubric-catalog-HASH.bin`, temp file + fsync + rename) *before* the
//! Tantivy commit, and the commit's payload names that file (with the counts
//! and time that [`IndexReader::stats`](crate::IndexReader::stats) reports).
//! A run killed at any point leaves the last commit naming the last catalog,
//! so the two can never disagree; a file written by a run that never
//! committed is an orphan that the next writer removes when it opens.
//!
//! Encoding: postcard (compact binary serde): the catalog is read on every
//! run, including the no-op re-run CI does on each push. Postcard is not
//! self-describing, so each layout has its own file name: this one's end in
//! `.v2.bin`. Catalogs written by earlier builds (`rubric-catalog-*.bin`
//! without the URLs and the site, `rubric-manifest-*.bin` with three fields
//! since dropped, or `.json`) are still read.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::IndexError;
use crate::vectors::VectorModel;

/// File names of catalogs start with this.
const PREFIX: &str = "rubric-catalog-";

/// File names of catalogs of this layout end with this.
const SUFFIX: &str = ".v2.bin";

/// File names of catalogs written by earlier builds start with this.
const OLD_PREFIX: &str = "rubric-manifest-";

/// What an article's content hash says about it, against the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Not in the index yet.
    Added,
    /// In the index with another content hash.
    Updated,
    /// In the index as it is.
    Unchanged,
    /// In the index, but its source is gone.
    Removed,
}

impl Change {
    /// The word `ingest --check` prints (`added`, `changed`, `unchanged`,
    /// `removed`).
    pub fn word(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Updated => "changed",
            Change::Unchanged => "unchanged",
            Change::Removed => "removed",
        }
    }
}

/// What the index holds and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The extractor version that produced the articles.
    extractor: String,
    /// Article id → its entry.
    articles: BTreeMap<String, ArticleEntry>,
    /// Source file (absolute path) → what it looked like when last read.
    files: BTreeMap<String, FileStamp>,
    /// The site URL the articles' pages were placed under ("" none).
    site: String,
}

/// One indexed article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleEntry {
    /// The path as given or the URL.
    pub source: String,
    /// The article's content hash.
    pub hash: String,
    /// The URL its source gives (`Article::own_url`), to place it again
    /// under another site URL without reading it.
    pub url: Option<String>,
}

/// A source file as it was when last read in full.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0: read it
    /// again next time, whatever it looks like).
    pub mtime_ns: u128,
    /// The ids of the articles it produced.
    pub articles: Vec<String>,
}

impl FileStamp {
    /// The size and modification time of `meta`, with no articles yet.
    pub fn of(meta: &fs::Metadata) -> FileStamp {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        FileStamp {
            size: meta.len(),
            mtime_ns,
            articles: Vec::new(),
        }
    }

    /// True when size and modification time are the same (articles aside).
    pub fn same_file(&self, other: &FileStamp) -> bool {
        self.size == other.size && self.mtime_ns == other.mtime_ns && self.mtime_ns != 0
    }
}

/// How big a catalog is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatalogStats {
    /// Articles in the index.
    pub articles: usize,
    /// Source files they came from.
    pub files: usize,
}

impl Catalog {
    /// The catalog of the last commit of the index at `dir`, read-only and
    /// without the writer lock (for `ingest --check`). An index with no
    /// catalog yet gives an empty one; no index gives
    /// [`IndexError::Missing`].
    pub fn load(dir: &Path) -> Result<Catalog, IndexError> {
        let (index, _) = crate::schema::open(dir)?;
        load_committed(&index, dir)
    }

    /// The catalog of the last commit of the index at `dir` whatever its
    /// schema version, to tell what rebuilding an index of another version
    /// would drop. No index gives [`IndexError::Missing`].
    pub fn load_any_version(dir: &Path) -> Result<Catalog, IndexError> {
        let shown = dir.display().to_string();
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Missing(shown));
        }
        let directory = crate::directory::IndexDirectory::open(dir)
            .map_err(|e| IndexError::tantivy(&shown, tantivy::TantivyError::from(e)))?;
        let index = tantivy::Index::open(directory).map_err(|e| IndexError::tantivy(&shown, e))?;
        load_committed(&index, dir)
    }

    /// The extractor version that produced the articles (see
    /// `rubric_extract::EXTRACTOR_VERSION`): when it is not this build's,
    /// every source must be read again.
    pub fn extractor(&self) -> &str {
        &self.extractor
    }

    /// The site URL the articles' pages were placed under, as the caller
    /// recorded it ("" none).
    pub fn site(&self) -> &str {
        &self.site
    }

    /// The entry of article `id`.
    pub fn article(&self, id: &str) -> Option<&ArticleEntry> {
        self.articles.get(id)
    }

    /// Every article id with its entry, in id order.
    pub fn articles(&self) -> impl Iterator<Item = (&str, &ArticleEntry)> {
        self.articles.iter().map(|(id, e)| (id.as_str(), e))
    }

    /// What the file `key` (an absolute path) looked like when last read.
    pub fn file(&self, key: &str) -> Option<&FileStamp> {
        self.files.get(key)
    }

    /// Every source file with its stamp, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &FileStamp)> {
        self.files.iter().map(|(key, stamp)| (key.as_str(), stamp))
    }

    /// What indexing an article with this id and content hash would change:
    /// [`Change::Added`], [`Change::Updated`] or [`Change::Unchanged`].
    pub fn change(&self, id: &str, hash: &str) -> Change {
        match self.articles.get(id) {
            None => Change::Added,
            Some(entry) if entry.hash != hash => Change::Updated,
            Some(_) => Change::Unchanged,
        }
    }

    /// How many articles and files it holds.
    pub fn stats(&self) -> CatalogStats {
        CatalogStats {
            articles: self.articles.len(),
            files: self.files.len(),
        }
    }

    /// Records article `id` as indexed with `entry`'s source and hash.
    pub fn insert_article(&mut self, id: &str, entry: ArticleEntry) {
        self.articles.insert(id.to_string(), entry);
    }

    /// Forgets article `id` (it is no longer indexed).
    pub fn remove_article(&mut self, id: &str) {
        self.articles.remove(id);
    }

    /// Records `key`'s stamp; false when it was recorded as it is already.
    pub fn record_file(&mut self, key: &str, stamp: FileStamp) -> bool {
        if self.files.get(key) == Some(&stamp) {
            return false;
        }
        self.files.insert(key.to_string(), stamp);
        true
    }

    /// Forgets the file `key`; false when it was not recorded.
    pub fn forget_file(&mut self, key: &str) -> bool {
        self.files.remove(key).is_some()
    }

    /// The catalog kept in the file at `path` (by [`Catalog::write_to`]);
    /// an empty one when there is no such file.
    pub fn read_from(path: &Path) -> Result<Catalog, IndexError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::default()),
            Err(e) => return Err(IndexError::io(path.display(), e)),
        };
        postcard::from_bytes(&bytes).map_err(|e| IndexError::Corrupt {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Writes the catalog to `path` durably and atomically (a temporary
    /// file beside it, synced, then renamed over it): a reader of `path`
    /// sees the old catalog or the new one, never a mix.
    pub fn write_to(&self, path: &Path) -> Result<(), IndexError> {
        let body = postcard::to_stdvec(self)
            .map_err(|e| IndexError::io(path.display(), std::io::Error::other(e)))?;
        write_atomically(path, &body)
    }

    /// Records the site URL; false when it is recorded already.
    pub(crate) fn set_site(&mut self, site: &str) -> bool {
        if self.site == site {
            return false;
        }
        self.site = site.to_string();
        true
    }

    /// Records the extractor version; false when it is recorded already.
    pub fn set_extractor(&mut self, version: &str) -> bool {
        if self.extractor == version {
            return false;
        }
        self.extractor = version.to_string();
        true
    }
}

/// The payload of a Tantivy commit made by Rubric: the catalog's file name
/// (the key keeps its old name), and what the commit holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Payload {
    /// The catalog file.
    pub manifest: String,
    /// Articles in the commit.
    #[serde(default)]
    pub articles: Option<usize>,
    /// When it was made, seconds since the Unix epoch.
    #[serde(default)]
    pub committed_at: Option<u64>,
    /// The model of the commit's vectors (none in an index without them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vectors: Option<VectorModel>,
}

impl Payload {
    /// The payload of a Tantivy commit; `None` when it has none (an empty
    /// index).
    pub(crate) fn of(
        metas: &tantivy::IndexMeta,
        dir: &Path,
    ) -> Result<Option<Payload>, IndexError> {
        let Some(payload) = &metas.payload else {
            return Ok(None);
        };
        let payload: Payload = serde_json::from_str(payload).map_err(|e| IndexError::Corrupt {
            path: dir.display().to_string(),
            reason: format!("the last commit's payload is not Rubric's: {e}"),
        })?;
        if !is_catalog_name(&payload.manifest) {
            return Err(IndexError::Corrupt {
                path: dir.display().to_string(),
                reason: format!(
                    "the last commit names {:?}, not a catalog file",
                    payload.manifest
                ),
            });
        }
        Ok(Some(payload))
    }
}

/// The catalog named by the last commit of `index` (empty when none).
pub(crate) fn load_committed(index: &tantivy::Index, dir: &Path) -> Result<Catalog, IndexError> {
    load_committed_named(index, dir).map(|(catalog, _)| catalog)
}

/// The catalog named by the last commit of `index` (empty when none), with
/// its file name (none when no commit names one).
pub(crate) fn load_committed_named(
    index: &tantivy::Index,
    dir: &Path,
) -> Result<(Catalog, Option<String>), IndexError> {
    let shown = dir.display().to_string();
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::tantivy(&shown, e))?;
    let Some(payload) = Payload::of(&metas, dir)? else {
        return Ok((Catalog::default(), None));
    };
    let name = payload.manifest;
    read_file(dir, &name).map(|catalog| (catalog, Some(name)))
}

/// Reads the catalog file `name` in `dir`, in whichever encoding its name
/// says.
fn read_file(dir: &Path, name: &str) -> Result<Catalog, IndexError> {
    let path = dir.join(name);
    let bytes = fs::read(&path).map_err(|e| IndexError::io(path.display(), e))?;
    let bad = |reason: String| IndexError::Corrupt {
        path: path.display().to_string(),
        reason,
    };
    if name.ends_with(SUFFIX) {
        postcard::from_bytes(&bytes).map_err(|e| bad(e.to_string()))
    } else if name.ends_with(".json") {
        serde_json::from_slice::<legacy::Manifest>(&bytes)
            .map(Catalog::from)
            .map_err(|e| bad(e.to_string()))
    } else if name.starts_with(OLD_PREFIX) {
        postcard::from_bytes::<legacy::Manifest>(&bytes)
            .map(Catalog::from)
            .map_err(|e| bad(e.to_string()))
    } else {
        postcard::from_bytes::<legacy::CatalogV1>(&bytes)
            .map(Catalog::from)
            .map_err(|e| bad(e.to_string()))
    }
}

/// The model of the vectors of the last commit of `index` (none when it
/// holds none).
pub(crate) fn committed_vectors(
    index: &tantivy::Index,
    dir: &Path,
) -> Result<Option<VectorModel>, IndexError> {
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::tantivy(&dir.display().to_string(), e))?;
    Ok(Payload::of(&metas, dir)?.and_then(|p| p.vectors))
}

/// Writes `catalog` durably to its own file in `dir` and returns the
/// commit payload that names it (and records the model of the commit's
/// vectors).
pub(crate) fn write(
    dir: &Path,
    catalog: &Catalog,
    vectors: Option<&VectorModel>,
) -> Result<String, IndexError> {
    let body = postcard::to_stdvec(catalog)
        .map_err(|e| IndexError::io(dir.display(), std::io::Error::other(e)))?;
    let name = format!("{PREFIX}{}{SUFFIX}", &blake3::hash(&body).to_hex()[..16]);
    // Durable before the commit that names it.
    write_atomically(&dir.join(&name), &body)?;
    let committed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .ok();
    let payload = Payload {
        manifest: name,
        articles: Some(catalog.articles.len()),
        committed_at,
        vectors: vectors.cloned(),
    };
    serde_json::to_string(&payload)
        .map_err(|e| IndexError::io(dir.display(), std::io::Error::other(e)))
}

/// Writes `body` to `target` through a synced temporary file renamed over
/// it, then syncs the folder so the rename itself is durable.
fn write_atomically(target: &Path, body: &[u8]) -> Result<(), IndexError> {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = target.with_file_name(name);
    let io = |path: &Path, e| IndexError::io(path.display(), e);
    let mut file = fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    file.write_all(body).map_err(|e| io(&tmp, e))?;
    file.sync_all().map_err(|e| io(&tmp, e))?;
    drop(file);
    fs::rename(&tmp, target).map_err(|e| io(target, e))?;
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty());
    if let Ok(d) = fs::File::open(dir.unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The catalog file a commit payload (as [`write`] made it) names.
pub(crate) fn named(payload: &str) -> String {
    serde_json::from_str::<Payload>(payload)
        .map(|p| p.manifest)
        .unwrap_or_default()
}

/// Removes catalog files (and temp files) in `dir` other than `keep` (the
/// one the last commit names; `""` when none does). Failures only cost
/// disk space, so they are logged.
pub(crate) fn remove_others(dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if (name.starts_with(PREFIX) || name.starts_with(OLD_PREFIX))
            && name != keep
            && let Err(e) = fs::remove_file(entry.path())
        {
            tracing::debug!("cannot remove old catalog {name}: {e}");
        }
    }
}

fn is_catalog_name(name: &str) -> bool {
    (name.starts_with(PREFIX) || name.starts_with(OLD_PREFIX))
        && (name.ends_with(".bin") || name.ends_with(".json"))
        && !name.contains(['/', '\\'])
}

/// The catalog as builds before it was named so wrote it (postcard is not
/// self-describing, so the dropped fields must be read to be skipped).
mod legacy {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::{ArticleEntry, Catalog, FileStamp};

    /// `rubric-catalog-*.bin` before the URLs and the site were kept.
    #[derive(Deserialize)]
    pub(super) struct CatalogV1 {
        extractor: String,
        articles: BTreeMap<String, EntryV1>,
        files: BTreeMap<String, FileStamp>,
    }

    #[derive(Deserialize)]
    struct EntryV1 {
        source: String,
        hash: String,
    }

    /// A catalog of an older layout in today's: entries with no URL of
    /// their own, no site URL.
    fn upgraded(
        extractor: String,
        articles: impl Iterator<Item = (String, String, String)>,
        files: BTreeMap<String, FileStamp>,
    ) -> Catalog {
        Catalog {
            extractor,
            articles: articles
                .map(|(id, source, hash)| {
                    let entry = ArticleEntry {
                        source,
                        hash,
                        url: None,
                    };
                    (id, entry)
                })
                .collect(),
            files,
            site: String::new(),
        }
    }

    impl From<CatalogV1> for Catalog {
        fn from(old: CatalogV1) -> Catalog {
            upgraded(
                old.extractor,
                old.articles
                    .into_iter()
                    .map(|(id, e)| (id, e.source, e.hash)),
                old.files,
            )
        }
    }

    #[derive(Deserialize)]
    pub(super) struct Manifest {
        extractor: String,
        articles: BTreeMap<String, Entry>,
        files: BTreeMap<String, FileStamp>,
    }

    #[derive(Deserialize)]
    struct Entry {
        source: String,
        hash: String,
        #[serde(rename = "fetched_at", default)]
        _fetched_at: Option<String>,
        #[serde(rename = "etag", default)]
        _etag: Option<String>,
        #[serde(rename = "last_modified", default)]
        _last_modified: Option<String>,
    }

    impl From<Manifest> for Catalog {
        fn from(old: Manifest) -> Catalog {
            upgraded(
                old.extractor,
                old.articles
                    .into_iter()
                    .map(|(id, e)| (id, e.source, e.hash)),
                old.files,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalog {
        let mut c = Catalog {
            extractor: "0.1.0+abc".into(),
            ..Catalog::default()
        };
        c.insert_article(
            "a.md",
            ArticleEntry {
                source: "docs/a.md".into(),
                hash: "h".repeat(64),
                url: Some("/a/".into()),
            },
        );
        c.record_file(
            "/abs/docs/a.md",
            FileStamp {
                size: 10,
                mtime_ns: 1_700_000_000_123_456_789,
                articles: vec!["a.md".into()],
            },
        );
        c
    }

    #[test]
    fn written_catalogs_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let payload = write(dir.path(), &sample(), None).unwrap();
        let payload: Payload = serde_json::from_str(&payload).unwrap();
        assert!(payload.manifest.starts_with(PREFIX) && is_catalog_name(&payload.manifest));
        assert!(payload.manifest.ends_with(SUFFIX));
        assert_eq!(payload.articles, Some(1));
        let bytes = fs::read(dir.path().join(&payload.manifest)).unwrap();
        assert_eq!(postcard::from_bytes::<Catalog>(&bytes).unwrap(), sample());
    }

    #[test]
    fn catalogs_of_earlier_builds_are_read() {
        #[derive(Serialize)]
        struct OldEntry<'a> {
            source: &'a str,
            hash: &'a str,
            fetched_at: Option<String>,
            etag: Option<String>,
            last_modified: Option<String>,
        }
        #[derive(Serialize)]
        struct OldManifest<'a> {
            extractor: &'a str,
            articles: BTreeMap<&'a str, OldEntry<'a>>,
            files: &'a BTreeMap<String, FileStamp>,
        }
        let new = sample();
        let hash = "h".repeat(64);
        let old = OldManifest {
            extractor: "0.1.0+abc",
            articles: BTreeMap::from([(
                "a.md",
                OldEntry {
                    source: "docs/a.md",
                    hash: &hash,
                    fetched_at: None,
                    etag: Some("\"x\"".into()),
                    last_modified: None,
                },
            )]),
            files: &new.files,
        };
        let bytes = postcard::to_stdvec(&old).unwrap();
        let read = Catalog::from(postcard::from_bytes::<legacy::Manifest>(&bytes).unwrap());
        let mut expected = new.clone();
        expected.articles.values_mut().for_each(|e| e.url = None);
        assert_eq!(read, expected);

        #[derive(Serialize)]
        struct V1Entry<'a> {
            source: &'a str,
            hash: &'a str,
        }
        #[derive(Serialize)]
        struct V1<'a> {
            extractor: &'a str,
            articles: BTreeMap<&'a str, V1Entry<'a>>,
            files: &'a BTreeMap<String, FileStamp>,
        }
        let v1 = V1 {
            extractor: "0.1.0+abc",
            articles: BTreeMap::from([(
                "a.md",
                V1Entry {
                    source: "docs/a.md",
                    hash: &hash,
                },
            )]),
            files: &new.files,
        };
        let bytes = postcard::to_stdvec(&v1).unwrap();
        let read = Catalog::from(postcard::from_bytes::<legacy::CatalogV1>(&bytes).unwrap());
        assert_eq!(read, expected);
    }

    #[test]
    fn other_catalogs_are_removed_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let old = write(dir.path(), &Catalog::default(), None).unwrap();
        std::fs::write(dir.path().join(format!("{OLD_PREFIX}0123.bin")), b"x").unwrap();
        let new = write(dir.path(), &sample(), None).unwrap();
        assert_ne!(old, new);
        remove_others(dir.path(), &named(&new));
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let keep = serde_json::from_str::<Payload>(&new).unwrap().manifest;
        assert_eq!(left, [keep]);
    }

    #[test]
    fn a_catalog_written_to_a_file_reads_back_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.bin");
        assert_eq!(Catalog::read_from(&path).unwrap(), Catalog::default());
        sample().write_to(&path).unwrap();
        assert_eq!(Catalog::read_from(&path).unwrap(), sample());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        fs::write(&path, b"\xff\xff\xff").unwrap();
        assert!(matches!(
            Catalog::read_from(&path),
            Err(IndexError::Corrupt { .. })
        ));
    }

    #[test]
    fn changes_by_hash() {
        let c = sample();
        let hash = "h".repeat(64);
        assert_eq!(c.change("a.md", &hash), Change::Unchanged);
        assert_eq!(c.change("a.md", "other"), Change::Updated);
        assert_eq!(c.change("b.md", &hash), Change::Added);
    }
}
