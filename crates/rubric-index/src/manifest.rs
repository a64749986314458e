//! [`Manifest`]: what the index holds, article by article, and where each
//! article came from — kept with the index and committed with it.
//!
//! The manifest maps article id → source, content hash and (for web pages)
//! HTTP validators, and source file → size, modification time and the
//! articles it produced. `ingest` uses it to skip unchanged files without
//! reading them, to find articles whose sources are gone (`--prune`), and to
//! tell CI whether the index is stale (`--check`).
//!
//! Atomicity: the manifest is written to its own file
//! (`rubric-manifest-HASH.bin`, temp file + fsync + rename) *before* the
//! Tantivy commit, and the commit's payload names that file. A run killed
//! at any point leaves the last commit naming the last manifest, so the two
//! can never disagree; a file written by a run that never committed is an
//! orphan that the next commit removes. `search` never reads the manifest.
//!
//! Encoding: postcard (compact binary serde). The manifest is read on every
//! run, including the no-op re-run CI does on each push, and parsing it as
//! JSON was the largest part of that run; manifests written as JSON by
//! earlier builds are still read.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::IndexError;

/// File names of manifests start with this.
const PREFIX: &str = "rubric-manifest-";

/// The payload of a Tantivy commit made by Rubric.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    manifest: String,
}

/// What the index holds and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The extractor version that produced the articles (see
    /// `rubric_extract::EXTRACTOR_VERSION`): when it changes, every source is
    /// read again.
    #[serde(default)]
    pub extractor: String,
    /// Article id → its entry.
    #[serde(default)]
    pub articles: BTreeMap<String, ArticleEntry>,
    /// Source file (absolute path) → what it looked like when last read.
    #[serde(default)]
    pub files: BTreeMap<String, FileStamp>,
}

/// One indexed article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleEntry {
    /// The path as given or the URL.
    pub source: String,
    /// The article's content hash.
    pub hash: String,
    /// When it was fetched (RFC 3339), for web sources.
    #[serde(default)]
    pub fetched_at: Option<String>,
    /// The HTTP `ETag` it was served with.
    #[serde(default)]
    pub etag: Option<String>,
    /// The HTTP `Last-Modified` it was served with.
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// A source file as it was when last read in full.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
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

impl Manifest {
    /// The manifest of the last commit of the index at `dir`, read-only and
    /// without the writer lock. An index with no manifest yet gives an empty
    /// one; no index gives [`IndexError::Missing`].
    pub fn load(dir: &Path) -> Result<Manifest, IndexError> {
        let (index, _) = crate::schema::open(dir)?;
        load_committed(&index, dir)
    }
}

/// The manifest named by the last commit of `index` (empty when none).
pub(crate) fn load_committed(index: &tantivy::Index, dir: &Path) -> Result<Manifest, IndexError> {
    let shown = dir.display().to_string();
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::tantivy(&shown, e))?;
    let Some(payload) = metas.payload else {
        return Ok(Manifest::default());
    };
    let name = serde_json::from_str::<Payload>(&payload)
        .map_err(|e| {
            IndexError::io(
                &shown,
                std::io::Error::other(format!("commit payload: {e}")),
            )
        })?
        .manifest;
    if !is_manifest_name(&name) {
        return Err(IndexError::io(
            &shown,
            std::io::Error::other(format!("commit payload names {name:?}, not a manifest")),
        ));
    }
    let path = dir.join(&name);
    let bytes = fs::read(&path).map_err(|e| IndexError::io(path.display(), e))?;
    let bad = |e: String| IndexError::io(path.display(), std::io::Error::other(e));
    if name.ends_with(".json") {
        serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))
    } else {
        postcard::from_bytes(&bytes).map_err(|e| bad(e.to_string()))
    }
}

/// Writes `manifest` durably to its own file in `dir` and returns the
/// commit payload that names it.
pub(crate) fn write(dir: &Path, manifest: &Manifest) -> Result<String, IndexError> {
    let body = postcard::to_stdvec(manifest)
        .map_err(|e| IndexError::io(dir.display(), std::io::Error::other(e)))?;
    let name = format!("{PREFIX}{}.bin", &blake3::hash(&body).to_hex()[..16]);
    let target = dir.join(&name);
    let tmp = dir.join(format!("{name}.tmp"));
    let io = |path: &Path, e| IndexError::io(path.display(), e);
    let mut file = fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    file.write_all(&body).map_err(|e| io(&tmp, e))?;
    file.sync_all().map_err(|e| io(&tmp, e))?;
    drop(file);
    fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    if let Ok(d) = fs::File::open(dir) {
        // Make the rename durable before the commit that names it.
        let _ = d.sync_all();
    }
    serde_json::to_string(&Payload { manifest: name })
        .map_err(|e| IndexError::io(dir.display(), std::io::Error::other(e)))
}

/// Removes manifest files (and temp files) in `dir` other than the one
/// named by `payload`. Failures only cost disk space, so they are logged.
pub(crate) fn remove_others(dir: &Path, payload: &str) {
    let keep = serde_json::from_str::<Payload>(payload)
        .map(|p| p.manifest)
        .unwrap_or_default();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(PREFIX)
            && name != keep
            && let Err(e) = fs::remove_file(entry.path())
        {
            tracing::debug!("cannot remove old manifest {name}: {e}");
        }
    }
}

fn is_manifest_name(name: &str) -> bool {
    name.starts_with(PREFIX)
        && (name.ends_with(".bin") || name.ends_with(".json"))
        && !name.contains(['/', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut m = Manifest {
            extractor: "0.1.0+abc".into(),
            ..Manifest::default()
        };
        m.articles.insert(
            "a.md".into(),
            ArticleEntry {
                source: "docs/a.md".into(),
                hash: "h".repeat(64),
                etag: Some("\"x\"".into()),
                ..ArticleEntry::default()
            },
        );
        m.files.insert(
            "/abs/docs/a.md".into(),
            FileStamp {
                size: 10,
                mtime_ns: 1_700_000_000_123_456_789,
                articles: vec!["a.md".into()],
            },
        );
        m
    }

    #[test]
    fn written_manifests_read_back_and_old_json_ones_too() {
        let dir = tempfile::tempdir().unwrap();
        let payload = write(dir.path(), &sample()).unwrap();
        let name = serde_json::from_str::<Payload>(&payload).unwrap().manifest;
        assert!(name.ends_with(".bin") && is_manifest_name(&name), "{name}");
        let bytes = fs::read(dir.path().join(&name)).unwrap();
        assert_eq!(postcard::from_bytes::<Manifest>(&bytes).unwrap(), sample());
        let json = serde_json::to_vec(&sample()).unwrap();
        assert_eq!(serde_json::from_slice::<Manifest>(&json).unwrap(), sample());
    }

    #[test]
    fn other_manifests_are_removed_after_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let old = write(dir.path(), &Manifest::default()).unwrap();
        let new = write(dir.path(), &sample()).unwrap();
        assert_ne!(old, new);
        remove_others(dir.path(), &new);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let keep = serde_json::from_str::<Payload>(&new).unwrap().manifest;
        assert_eq!(left, [keep]);
    }
}
