//! Deciding what a run changes: which files can be skipped unread (same size
//! and modification time as in the manifest), which articles are added,
//! updated or unchanged (content hash), and which are gone (their file was
//! removed under a root, or a re-read file no longer yields them).
//!
//! The same bookkeeping serves `ingest` (which applies each decision to the
//! [`IndexWriter`]) and `ingest --check` (which only lists them), so the two
//! cannot disagree about what "stale" means.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use rubric_extract::{Article, EXTRACTOR_VERSION};
use rubric_index::{FileStamp, IndexError, IndexWriter, Manifest};

use crate::sources::{self, SourceFile};

/// What happened, or would happen, to one article.
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
    /// The word `--check` prints.
    pub fn word(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Updated => "changed",
            Change::Unchanged => "unchanged",
            Change::Removed => "removed",
        }
    }
}

/// Counts per kind of change, and the stale articles for `--check`.
#[derive(Debug, Default)]
pub struct Tally {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// `(change, article id, source)` of everything that is not unchanged.
    pub stale: Vec<(Change, String, String)>,
}

impl Tally {
    fn count(&mut self, change: Change, id: &str, source: &str) {
        match change {
            Change::Added => self.added += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
            Change::Removed => self.removed += 1,
        }
        if change != Change::Unchanged {
            self.stale
                .push((change, id.to_string(), source.to_string()));
        }
    }

    /// True when nothing would change.
    pub fn is_current(&self) -> bool {
        self.stale.is_empty()
    }
}

/// The bookkeeping of one run against the manifest of the last commit.
///
/// Decisions are made against the writer's manifest when there is a writer
/// (the last commit plus this run's changes, which never touch an entry
/// before it has been decided on, so no copy is needed), and against the
/// manifest loaded read-only for `--check`.
#[derive(Debug)]
pub struct Sync {
    /// The manifest of the last commit, for `--check` (empty with a writer).
    old: Manifest,
    /// True when the extractor changed since: no file may be skipped unread.
    reextract: bool,
    /// Absolute paths of the files found under the roots in this run.
    found: HashSet<String>,
    /// Article ids some file yielded in this run (read or skipped unread).
    seen: HashSet<String>,
    /// What changed.
    pub tally: Tally,
    /// True once anything was written (articles or manifest entries).
    pub dirty: bool,
}

/// A file that must be read, with what its stamp is now.
#[derive(Debug)]
pub struct ToRead {
    pub file: SourceFile,
    pub stamp: FileStamp,
}

impl Sync {
    /// Starts a run: against the writer's manifest when there is a writer,
    /// else against `old` (`--check`).
    pub fn new(writer: Option<&IndexWriter>, old: Manifest) -> Sync {
        let base = writer.map_or(&old, |w| w.manifest());
        let reextract = base.extractor != EXTRACTOR_VERSION;
        if reextract && !base.articles.is_empty() {
            tracing::info!(
                "the extractor changed ({} -> {EXTRACTOR_VERSION}): reading every source again",
                base.extractor
            );
        }
        Sync {
            old,
            reextract,
            found: HashSet::new(),
            seen: HashSet::new(),
            tally: Tally::default(),
            dirty: false,
        }
    }

    /// Splits `files` into those that must be read and those whose size and
    /// modification time match the manifest (their articles are unchanged
    /// and they are not read at all).
    pub fn plan(&mut self, writer: Option<&IndexWriter>, files: Vec<SourceFile>) -> Vec<ToRead> {
        let base = writer.map_or(&self.old, |w| w.manifest());
        let mut to_read = Vec::with_capacity(files.len());
        for file in files {
            self.found.insert(file.key.clone());
            let stamp = file.stamp.clone();
            match base.files.get(&file.key) {
                Some(old) if !self.reextract && old.same_file(&stamp) => {
                    self.tally.unchanged += old.articles.len();
                    self.seen.extend(old.articles.iter().cloned());
                }
                _ => to_read.push(ToRead { file, stamp }),
            }
        }
        to_read
    }

    /// Decides what `article` changes and, with a writer, applies it.
    pub fn article(
        &mut self,
        writer: Option<&mut IndexWriter>,
        article: &Article,
    ) -> Result<Change, IndexError> {
        let base = writer.as_deref().map_or(&self.old, |w| w.manifest());
        let change = match base.articles.get(&article.id) {
            None => Change::Added,
            Some(entry) if entry.hash != article.hash => Change::Updated,
            Some(_) => Change::Unchanged,
        };
        self.tally.count(change, &article.id, &article.source);
        self.seen.insert(article.id.clone());
        if let Some(writer) = writer
            && change != Change::Unchanged
        {
            writer.upsert(article)?;
            self.dirty = true;
        }
        Ok(change)
    }

    /// Closes a file that was read. `ids` are the articles it yielded;
    /// `complete` is false when the file or any record failed, in which case
    /// nothing of it is removed and it will be read again next time.
    pub fn file_done(
        &mut self,
        mut writer: Option<&mut IndexWriter>,
        read: &ToRead,
        ids: Vec<String>,
        complete: bool,
    ) -> Result<(), IndexError> {
        let base = writer.as_deref().map_or(&self.old, |w| w.manifest());
        let previous: Vec<String> = base
            .files
            .get(&read.file.key)
            .map(|s| s.articles.clone())
            .unwrap_or_default();
        let now: BTreeSet<&String> = ids.iter().collect();
        let mut stamp = read.stamp.clone();
        let mut vanished = Vec::new();
        if complete {
            vanished = previous
                .iter()
                .filter(|id| !now.contains(id))
                .cloned()
                .collect();
            stamp.articles = ids;
        } else {
            // Never skip it unread next time, and keep track of everything
            // it ever yielded.
            stamp.mtime_ns = 0;
            let mut all: BTreeSet<String> = previous.into_iter().collect();
            all.extend(ids);
            stamp.articles = all.into_iter().collect();
        }
        for id in &vanished {
            self.remove(writer.as_deref_mut_opt(), id)?;
        }
        if let Some(writer) = writer {
            let manifest = writer.manifest_mut();
            if manifest.files.get(&read.file.key) != Some(&stamp) {
                manifest.files.insert(read.file.key.clone(), stamp);
                self.dirty = true;
            }
        }
        Ok(())
    }

    /// Files under `roots` that the manifest knows but this run did not
    /// find: their articles are gone. With a writer they are deleted
    /// (`--prune`); without, only counted (`--check`).
    pub fn prune(
        &mut self,
        mut writer: Option<&mut IndexWriter>,
        roots: &[PathBuf],
    ) -> Result<(), IndexError> {
        let roots: Vec<String> = roots
            .iter()
            .map(|r| sources::absolute(r).to_string_lossy().into_owned())
            .collect();
        let base = writer.as_deref().map_or(&self.old, |w| w.manifest());
        let gone: Vec<(String, Vec<String>)> = base
            .files
            .iter()
            .filter(|(key, _)| !self.found.contains(*key) && roots.iter().any(|r| under(key, r)))
            .map(|(key, stamp)| (key.clone(), stamp.articles.clone()))
            .collect();
        for (key, ids) in gone {
            for id in &ids {
                self.remove(writer.as_deref_mut_opt(), id)?;
            }
            if let Some(w) = writer.as_deref_mut_opt() {
                w.manifest_mut().files.remove(&key);
                self.dirty = true;
            }
        }
        Ok(())
    }

    /// Records the extractor version in the manifest to be committed.
    pub fn finish(&mut self, writer: &mut IndexWriter) {
        let manifest = writer.manifest_mut();
        if manifest.extractor != EXTRACTOR_VERSION {
            manifest.extractor = EXTRACTOR_VERSION.to_string();
            self.dirty = true;
        }
    }

    /// Removes an article whose source is gone, unless another source
    /// yielded the same id in this run.
    fn remove(&mut self, writer: Option<&mut IndexWriter>, id: &str) -> Result<(), IndexError> {
        if self.seen.contains(id) {
            return Ok(());
        }
        let base = writer.as_deref().map_or(&self.old, |w| w.manifest());
        let source = base
            .articles
            .get(id)
            .map(|e| e.source.clone())
            .unwrap_or_default();
        self.tally.count(Change::Removed, id, &source);
        if let Some(writer) = writer {
            writer.delete(id)?;
            self.dirty = true;
        }
        Ok(())
    }
}

/// `Option<&mut T>` reborrowed for one call.
trait AsDerefMutOpt<T> {
    fn as_deref_mut_opt(&mut self) -> Option<&mut T>;
}

impl<T> AsDerefMutOpt<T> for Option<&mut T> {
    fn as_deref_mut_opt(&mut self) -> Option<&mut T> {
        self.as_mut().map(|w| &mut **w)
    }
}

/// True when `key` is `root` or inside it.
fn under(key: &str, root: &str) -> bool {
    key == root
        || key
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with(std::path::MAIN_SEPARATOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_is_by_path_component() {
        assert!(under("/a/corpus/x.md", "/a/corpus"));
        assert!(under("/a/corpus", "/a/corpus"));
        assert!(!under("/a/corpus2/x.md", "/a/corpus"));
    }
}
