//! The HTTP cache kept with the index: per URL, the validators the server
//! sent (`ETag`, `Last-Modified`), the content hash, where it ended up after
//! redirects, what kind of content it is, and a note the caller leaves about
//! the article it made (id, hash, section count); plus the body itself, so a
//! `304 Not Modified` or an offline run can still read it.
//!
//! Pages a run passed over on purpose (refused by robots.txt, or of a
//! content type Rubric does not read) are remembered too, so an offline run
//! passes over them again instead of failing on a page it has no copy of.
//!
//! Layout in the index folder: `http-cache.json` (the entries, one JSON
//! object) and `http-cache/` (one body file per URL, named by a hash of the
//! URL). Both are written through a temp file and a rename, so a killed run
//! leaves either the old or the new file, never half of one. A body whose
//! hash does not match its entry is treated as absent. The cache is a
//! convenience: a missing or unreadable `http-cache.json` only means a run
//! fetches everything again.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{FetchError, Format};

/// The file name of the entries, in the index folder.
pub const CACHE_FILE: &str = "http-cache.json";
/// The folder of bodies, in the index folder.
pub const BODY_DIR: &str = "http-cache";
const VERSION: u32 = 1;

/// What the caller made of a page, remembered so that an unchanged page
/// needs no extraction: if the index still holds `id` with `hash`, nothing
/// is to be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleNote {
    /// The article id (the canonical URL).
    pub id: String,
    /// The article's content hash.
    pub hash: String,
    /// How many sections it had.
    pub sections: usize,
}

/// One cached URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Where the URL led after redirects.
    pub final_url: String,
    /// The format of a page's body; `None` for a sitemap (XML, stored as
    /// `"xml"`).
    #[serde(alias = "kind", with = "stored_format")]
    pub format: Option<Format>,
    /// The `ETag` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// BLAKE3 of the stored body (UTF-8 text for pages, raw bytes for sitemaps).
    pub hash: String,
    /// The caller's note about the article made from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleNote>,
}

/// Why a URL was passed over on purpose, remembered for offline runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Skip {
    /// robots.txt refused it.
    Robots,
    /// Its content type is not one Rubric reads.
    ContentType {
        /// The type the server sent.
        content_type: String,
    },
}

impl Skip {
    /// What it was for `url`, as [`FetchError::Robots`] or
    /// [`FetchError::UnsupportedType`]; `None` for any other error.
    pub fn of(error: &FetchError) -> Option<Skip> {
        match error {
            FetchError::Robots { .. } => Some(Skip::Robots),
            FetchError::UnsupportedType { content_type, .. } => Some(Skip::ContentType {
                content_type: content_type.clone(),
            }),
            _ => None,
        }
    }

    /// The error an online run gave for `url`.
    pub fn error(&self, url: &str) -> FetchError {
        match self {
            Skip::Robots => FetchError::Robots {
                url: url.to_string(),
            },
            Skip::ContentType { content_type } => FetchError::UnsupportedType {
                url: url.to_string(),
                content_type: content_type.clone(),
            },
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: BTreeMap<String, Entry>,
    /// URLs passed over on purpose (older caches have none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    skipped: BTreeMap<String, Skip>,
}

/// The cache of one index folder.
#[derive(Debug)]
pub struct HttpCache {
    dir: Option<PathBuf>,
    entries: BTreeMap<String, Entry>,
    skipped: BTreeMap<String, Skip>,
    writable: bool,
    dirty: bool,
}

impl HttpCache {
    /// A cache that starts empty and is never saved.
    pub fn in_memory() -> HttpCache {
        HttpCache {
            dir: None,
            entries: BTreeMap::new(),
            skipped: BTreeMap::new(),
            writable: true,
            dirty: false,
        }
    }

    /// Opens the cache kept in `index_dir` (empty if there is none yet).
    /// With `writable` false, bodies and entries are read but never written
    /// (as `ingest --dry-run` needs).
    pub fn open(index_dir: &Path, writable: bool) -> HttpCache {
        let path = index_dir.join(CACHE_FILE);
        let file = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<CacheFile>(&bytes) {
                Ok(file) if file.version == VERSION => file,
                Ok(file) => {
                    tracing::info!(path = %path.display(), version = file.version, "HTTP cache of another version: starting afresh");
                    CacheFile::default()
                }
                Err(e) => {
                    tracing::warn!(
                        "{}: unreadable HTTP cache, starting afresh: {e}",
                        path.display()
                    );
                    CacheFile::default()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CacheFile::default(),
            Err(e) => {
                tracing::warn!(
                    "{}: cannot read the HTTP cache, starting afresh: {e}",
                    path.display()
                );
                CacheFile::default()
            }
        };
        HttpCache {
            dir: Some(index_dir.to_path_buf()),
            entries: file.entries,
            skipped: file.skipped,
            writable,
            dirty: false,
        }
    }

    /// How many URLs are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of a (normalised) URL.
    pub fn get(&self, url: &str) -> Option<&Entry> {
        self.entries.get(url)
    }

    /// The entry of `url` and its body, if both are there and agree.
    pub fn get_with_body(&self, url: &str) -> Option<(Entry, Vec<u8>)> {
        let entry = self.entries.get(url)?;
        let path = self.body_path(url)?;
        let body = std::fs::read(&path).ok()?;
        if blake3::hash(&body).to_hex().as_str() != entry.hash {
            tracing::debug!(%url, "cached body does not match its hash: ignored");
            return None;
        }
        Some((entry.clone(), body))
    }

    /// Remembers `url`'s entry and (unless the body is already stored under
    /// this hash) writes its body.
    pub fn put(&mut self, url: &str, entry: Entry, body: &[u8]) -> Result<(), FetchError> {
        if !self.writable {
            return Ok(());
        }
        let unchanged_body = self
            .entries
            .get(url)
            .is_some_and(|old| old.hash == entry.hash);
        if let (false, Some(path)) = (unchanged_body, self.body_path(url)) {
            write_atomically(&path, body)?;
        }
        self.entries.insert(url.to_string(), entry);
        self.dirty = true;
        Ok(())
    }

    /// Why `url` was passed over on purpose by the last run that asked for
    /// it, if it was.
    pub fn skipped(&self, url: &str) -> Option<&Skip> {
        self.skipped.get(url)
    }

    /// Remembers that `url` was passed over on purpose (`Some`), or that it
    /// no longer is (`None`).
    pub fn set_skipped(&mut self, url: &str, skip: Option<Skip>) {
        if !self.writable || self.skipped.get(url) == skip.as_ref() {
            return;
        }
        match skip {
            Some(skip) => self.skipped.insert(url.to_string(), skip),
            None => self.skipped.remove(url),
        };
        self.dirty = true;
    }

    /// Updates the validators of a URL that answered 304.
    pub fn refresh(&mut self, url: &str, etag: Option<String>, last_modified: Option<String>) {
        if let Some(entry) = self.entries.get_mut(url) {
            if etag.is_some() && entry.etag != etag {
                entry.etag = etag;
                self.dirty = true;
            }
            if last_modified.is_some() && entry.last_modified != last_modified {
                entry.last_modified = last_modified;
                self.dirty = true;
            }
        }
    }

    /// Leaves the caller's note about the article made from `url`.
    pub fn note_article(&mut self, url: &str, note: ArticleNote) {
        if let Some(entry) = self.entries.get_mut(url)
            && entry.article.as_ref() != Some(&note)
        {
            entry.article = Some(note);
            self.dirty = true;
        }
    }

    /// Writes `http-cache.json` if anything changed (temp file + rename).
    pub fn save(&mut self) -> Result<(), FetchError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        if !self.writable || !self.dirty {
            return Ok(());
        }
        let file = CacheFile {
            version: VERSION,
            entries: std::mem::take(&mut self.entries),
            skipped: std::mem::take(&mut self.skipped),
        };
        let json = serde_json::to_vec(&file);
        self.entries = file.entries;
        self.skipped = file.skipped;
        let path = dir.join(CACHE_FILE);
        let json = json.map_err(|e| FetchError::Cache {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        write_atomically(&path, &json)?;
        self.dirty = false;
        Ok(())
    }

    fn body_path(&self, url: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let name = blake3::hash(url.as_bytes()).to_hex();
        Some(dir.join(BODY_DIR).join(&name.as_str()[..32]))
    }
}

/// Writes `bytes` to `path` through a temp file in the same folder and a
/// rename, creating the folder when needed.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let err = |source| FetchError::Cache {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

/// An entry's format on disk: the format's name, or `"xml"` for a sitemap.
mod stored_format {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::Format;

    pub fn serialize<S: Serializer>(format: &Option<Format>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(format.map_or("xml", Format::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Format>, D::Error> {
        let name = String::deserialize(d)?;
        if name == "xml" {
            return Ok(None);
        }
        // Format names are also extensions (`text`, `markdown`, `html`).
        Format::from_extension(&name)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown format {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_format_on_disk_and_sitemaps_are_xml() {
        let mut page = entry("h");
        page.format = Some(Format::Markdown);
        let json = serde_json::to_string(&page).unwrap();
        assert!(json.contains(r#""format":"markdown""#), "{json}");
        assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), page);
        let sitemap = Entry {
            format: None,
            ..entry("s")
        };
        let json = serde_json::to_string(&sitemap).unwrap();
        assert!(json.contains(r#""format":"xml""#), "{json}");
        assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), sitemap);
        // Caches written before the field was renamed.
        let old = json.replace(r#""format":"xml""#, r#""kind":"xml""#);
        assert_eq!(serde_json::from_str::<Entry>(&old).unwrap(), sitemap);
    }

    fn entry(hash: &str) -> Entry {
        Entry {
            final_url: "https://e.org/a".into(),
            format: Some(Format::Html),
            etag: Some("\"v1\"".into()),
            last_modified: None,
            hash: hash.into(),
            article: None,
        }
    }

    #[test]
    fn entries_and_bodies_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"<h1>A</h1>";
        let hash = blake3::hash(body).to_hex().to_string();
        let mut cache = HttpCache::open(dir.path(), true);
        cache.put("https://e.org/a", entry(&hash), body).unwrap();
        cache.note_article(
            "https://e.org/a",
            ArticleNote {
                id: "https://e.org/a".into(),
                hash: "h".into(),
                sections: 2,
            },
        );
        cache.save().unwrap();

        let cache = HttpCache::open(dir.path(), false);
        let (e, b) = cache.get_with_body("https://e.org/a").unwrap();
        assert_eq!(b, body);
        assert_eq!(e.etag.as_deref(), Some("\"v1\""));
        assert_eq!(e.article.unwrap().sections, 2);
    }

    #[test]
    fn skips_survive_a_save_and_older_caches_have_none() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = HttpCache::open(dir.path(), true);
        let pdf = Skip::ContentType {
            content_type: "application/pdf".into(),
        };
        cache.set_skipped("https://e.org/a.pdf", Some(pdf.clone()));
        cache.set_skipped("https://e.org/private", Some(Skip::Robots));
        cache.set_skipped("https://e.org/private", None);
        cache.save().unwrap();
        let cache = HttpCache::open(dir.path(), false);
        assert_eq!(cache.skipped("https://e.org/a.pdf"), Some(&pdf));
        assert_eq!(cache.skipped("https://e.org/private"), None);
        let old = r#"{"version":1,"entries":{}}"#;
        std::fs::write(dir.path().join(CACHE_FILE), old).unwrap();
        assert!(HttpCache::open(dir.path(), false).skipped.is_empty());
    }

    #[test]
    fn a_body_that_does_not_match_its_hash_is_absent() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = HttpCache::open(dir.path(), true);
        cache
            .put("https://e.org/a", entry("not the hash"), b"x")
            .unwrap();
        assert!(cache.get_with_body("https://e.org/a").is_none());
    }

    #[test]
    fn a_broken_cache_file_starts_afresh_and_read_only_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CACHE_FILE), b"{not json").unwrap();
        let mut cache = HttpCache::open(dir.path(), false);
        assert!(cache.is_empty());
        cache.put("https://e.org/a", entry("h"), b"x").unwrap();
        cache.save().unwrap();
        assert!(!dir.path().join(BODY_DIR).exists());
        assert_eq!(
            std::fs::read(dir.path().join(CACHE_FILE)).unwrap(),
            b"{not json"
        );
    }
}
