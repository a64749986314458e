//! Deciding what a run changes: which files can be skipped unread (same size
//! and modification time as in the catalog, and the same article id), which
//! articles are added, updated or unchanged (content hash), and which are
//! gone (their file was removed under a root, or a re-read file no longer
//! yields them).
//!
//! The same sources give the same index whatever ran before: a file whose
//! article id would differ from the one recorded (it was first found under
//! another root) is read again, and when several files yield one id the
//! last of them in the run's order holds it, as in a fresh index. A file
//! skipped unread that must hold such an id again (its rival was deleted,
//! changed or stopped yielding it) is read in a second pass
//! ([`Plan::rereads`]). A root that could not be read prunes nothing.
//!
//! The same bookkeeping serves writing (each decision is applied to the
//! [`Target`]) and `--check` (each is only counted), so the two cannot
//! disagree about what "stale" means.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use rubric_core::{Article, Format};
use rubric_index::{Catalog, Change, FileStamp};

use crate::sources::{self, SourceFile};
use crate::{IngestError, Reporter, Target};

/// Counts per kind of change, and the stale articles for `--check`.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Everything that is not unchanged.
    pub stale: Vec<Stale>,
}

/// An article the index does not hold as its source says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stale {
    /// What would change.
    #[serde(serialize_with = "change_word")]
    pub change: Change,
    /// The article id.
    pub id: String,
    /// Where it comes from (or came from).
    pub source: String,
}

fn change_word<S: serde::Serializer>(change: &Change, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(change.word())
}

impl Tally {
    pub(crate) fn count(&mut self, change: Change, id: &str, source: &str) {
        match change {
            Change::Added => self.added += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
            Change::Removed => self.removed += 1,
        }
        if change != Change::Unchanged {
            self.stale.push(Stale {
                change,
                id: id.to_string(),
                source: source.to_string(),
            });
        }
    }
}

/// A file that must be read, with what its stamp is now.
#[derive(Debug)]
pub(crate) struct ToRead {
    pub file: SourceFile,
    pub stamp: FileStamp,
    /// Its place among the files found in this run.
    pub order: usize,
}

/// Who yields an article id in this run.
#[derive(Debug, Clone, Copy)]
struct Claim {
    /// The last file in the run's order that yields it (web pages come
    /// after every file).
    last: usize,
    /// True when that file was read in this run (its article applied).
    last_read: bool,
    /// True when some source yielding it was read in this run.
    any_read: bool,
    /// True when, besides the last file, a source that yields it was read
    /// in this run or stopped yielding it (a pruned file, a re-read file
    /// that no longer has it): the last file's article must be the one in
    /// the index, whatever held it before.
    contested: bool,
}

/// The order given to web pages' claims: after every file.
pub(crate) const WEB: usize = usize::MAX;

/// The bookkeeping of one run against the catalog of the target.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// True when the extractor changed since: no file may be skipped unread.
    reextract: bool,
    /// Keys (absolute paths) of the files found under the roots in this run.
    found: HashSet<String>,
    /// Article id → who yields it in this run (read or skipped unread).
    claims: HashMap<String, Claim>,
    /// Files skipped unread, by order, in case one must be read after all.
    unread: HashMap<usize, ToRead>,
    /// Article ids added or changed in this run.
    pub written: HashSet<String>,
    /// What changed.
    pub tally: Tally,
}

impl Plan {
    /// Starts a run against `catalog` (none for a dry run) with the
    /// extraction `extractor` names ([`crate::extraction_version`]).
    pub(crate) fn new(catalog: Option<&Catalog>, extractor: &str) -> Plan {
        let reextract = catalog.is_some_and(|c| c.extractor() != extractor);
        if let Some(catalog) = catalog
            && reextract
            && catalog.stats().articles > 0
        {
            tracing::info!(
                "the extractor changed ({} -> {extractor}): reading every source again",
                catalog.extractor()
            );
        }
        Plan {
            reextract,
            ..Plan::default()
        }
    }

    /// Splits `files` into those that must be read and those whose size and
    /// modification time match the catalog and that yield the id they did
    /// (their articles are unchanged and they are not read at all). Without
    /// a catalog every file is read.
    pub(crate) fn files_to_read(
        &mut self,
        catalog: Option<&Catalog>,
        files: Vec<SourceFile>,
    ) -> Vec<ToRead> {
        let mut to_read = Vec::with_capacity(files.len());
        for (order, file) in files.into_iter().enumerate() {
            let stamp = file.stamp.clone();
            let item = ToRead { file, stamp, order };
            if let Some(catalog) = catalog {
                self.found.insert(item.file.key.clone());
                if let Some(old) = catalog.file(&item.file.key)
                    && !self.reextract
                    && old.same_file(&item.stamp)
                    && same_ids(&item.file, old)
                {
                    self.tally.unchanged += old.articles.len();
                    for id in &old.articles {
                        self.claim(id, order, false);
                    }
                    self.unread.insert(order, item);
                    continue;
                }
            }
            to_read.push(item);
        }
        to_read
    }

    /// Decides what `article`, read from the file at `order`, changes and
    /// applies it to the target.
    pub(crate) fn article(
        &mut self,
        target: &mut Target,
        article: &Article,
        order: usize,
        reporter: &mut dyn Reporter,
    ) -> Result<Change, IngestError> {
        let change = target.apply(article, reporter)?;
        self.tally.count(change, article.id(), article.source());
        if matches!(change, Change::Added | Change::Updated) {
            self.written.insert(article.id().to_string());
        }
        self.claim(article.id(), order, true);
        Ok(change)
    }

    /// Counts an article whose page was not even extracted again: the
    /// catalog holds it as it is.
    pub(crate) fn unchanged(&mut self, id: &str) {
        self.tally.unchanged += 1;
        self.claim(id, WEB, true);
    }

    /// Records that the source at `order` yields `id`.
    fn claim(&mut self, id: &str, order: usize, read: bool) {
        match self.claims.get_mut(id) {
            None => {
                self.claims.insert(
                    id.to_string(),
                    Claim {
                        last: order,
                        last_read: read,
                        any_read: read,
                        contested: false,
                    },
                );
            }
            Some(claim) => {
                // Two files skipped unread hold what they held: only a
                // read one can change who holds the id.
                claim.contested |= claim.last != order && (read || claim.any_read);
                claim.any_read |= read;
                if order >= claim.last {
                    claim.last = order;
                    claim.last_read = read;
                }
            }
        }
    }

    /// For `--check`: an article this run found unchanged whose URL would
    /// change with the site URL is counted changed instead (stale). One this
    /// run did not find is left to [`Plan::prune`] (gone) or to a run over
    /// its own sources.
    pub(crate) fn relinked(&mut self, id: &str, source: &str) {
        if !self.claims.contains_key(id) || self.written.contains(id) {
            return;
        }
        self.tally.unchanged = self.tally.unchanged.saturating_sub(1);
        self.tally.count(Change::Updated, id, source);
    }

    /// Closes a file that was read. `ids` are the articles it yielded;
    /// `complete` is false when the file or any record failed, in which case
    /// nothing of it is removed and it will be read again next time.
    pub(crate) fn file_done(
        &mut self,
        target: &mut Target,
        read: &ToRead,
        ids: Vec<String>,
        complete: bool,
        reporter: &mut dyn Reporter,
    ) -> Result<(), IngestError> {
        let previous: Vec<String> = target
            .catalog()
            .and_then(|c| c.file(&read.file.key))
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
            self.remove(target, id, reporter)?;
        }
        target.record_file(&read.file.key, stamp);
        Ok(())
    }

    /// Files under `roots` that the catalog knows but this run did not
    /// find: their articles are gone. When writing they are deleted
    /// (`--prune`); when checking, only counted. Nothing is pruned under a
    /// path in `unreadable` (a root or folder that could not be read: its
    /// files are not known to be gone).
    pub(crate) fn prune(
        &mut self,
        target: &mut Target,
        roots: &[PathBuf],
        unreadable: &[PathBuf],
        reporter: &mut dyn Reporter,
    ) -> Result<(), IngestError> {
        let absolute = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|r| sources::absolute(r).to_string_lossy().into_owned())
                .collect()
        };
        let unreadable = absolute(unreadable);
        let roots: Vec<String> = absolute(roots)
            .into_iter()
            .filter(|root| !unreadable.iter().any(|bad| under(root, bad)))
            .collect();
        let Some(catalog) = target.catalog() else {
            return Ok(());
        };
        let gone: Vec<(String, Vec<String>)> = catalog
            .files()
            .filter(|(key, _)| {
                !self.found.contains(*key)
                    && roots.iter().any(|r| under(key, r))
                    && !unreadable.iter().any(|bad| under(key, bad))
            })
            .map(|(key, stamp)| (key.to_string(), stamp.articles.clone()))
            .collect();
        for (key, ids) in gone {
            for id in &ids {
                self.remove(target, id, reporter)?;
            }
            target.forget_file(&key);
        }
        Ok(())
    }

    /// Files skipped unread that must be read after all: each is the last
    /// in the run's order to yield an id whose holder changed in this run
    /// (another file yielding it was read, pruned, or stopped yielding it),
    /// so the index may hold another file's article under that id. In the
    /// run's order; each once.
    pub(crate) fn rereads(&mut self) -> Vec<ToRead> {
        let mut orders: Vec<usize> = self
            .claims
            .values()
            .filter(|c| c.contested && !c.last_read && c.last != WEB)
            .map(|c| c.last)
            .collect();
        orders.sort_unstable();
        orders.dedup();
        orders
            .into_iter()
            .filter_map(|order| self.unread.remove(&order))
            .collect()
    }

    /// Removes an article whose source is gone, unless another source
    /// yields the same id in this run (then that source's article is the
    /// one to hold it: see [`Plan::rereads`]).
    fn remove(
        &mut self,
        target: &mut Target,
        id: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<(), IngestError> {
        if let Some(claim) = self.claims.get_mut(id) {
            claim.contested = true;
            return Ok(());
        }
        let source = target
            .catalog()
            .and_then(|c| c.article(id))
            .map(|e| e.source.clone())
            .unwrap_or_default();
        self.tally.count(Change::Removed, id, &source);
        target.delete(id, reporter)
    }
}

/// True when skipping `file` unread keeps the ids it yielded: a JSON Lines
/// file's records name their own, any other file's article id is its path
/// relative to the root it was found under, which must be the one recorded.
fn same_ids(file: &SourceFile, old: &FileStamp) -> bool {
    file.format == Format::Jsonl || old.articles.iter().all(|id| *id == file.id)
}

/// True when `key` is `root` or inside it.
pub(crate) fn under(key: &str, root: &str) -> bool {
    key == root
        || key
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with(std::path::MAIN_SEPARATOR))
}

/// The paths of the roots and folders that could not be read at all.
pub(crate) fn unreadable(errors: &[crate::SourceError]) -> Vec<PathBuf> {
    errors
        .iter()
        .filter_map(|e| match e {
            crate::SourceError::Read { path, .. } | crate::SourceError::Walk { path, .. } => {
                Some(path.clone())
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Silent;
    use rubric_core::{Format, SectionBuilder};
    use rubric_index::IndexWriter;

    #[test]
    fn under_is_by_path_component() {
        assert!(under("/a/corpus/x.md", "/a/corpus"));
        assert!(under("/a/corpus", "/a/corpus"));
        assert!(!under("/a/corpus2/x.md", "/a/corpus"));
    }

    fn article(id: &str, text: &str) -> Article {
        let mut b = SectionBuilder::new();
        b.push_text(text);
        Article::new(id, format!("docs/{id}"), Format::Markdown, id, b.finish())
    }

    /// A file under `root` as discovery would give it.
    fn file(root: &std::path::Path, name: &str, size: u64, mtime_ns: u128) -> SourceFile {
        let key = sources::absolute(root).join(name);
        SourceFile {
            path: root.join(name),
            id: name.to_string(),
            format: Format::Markdown,
            key: key.to_string_lossy().into_owned(),
            stamp: FileStamp {
                size,
                mtime_ns,
                articles: Vec::new(),
            },
        }
    }

    /// One run over `files` (each yielding the one article of its text):
    /// what was read, and the tally.
    fn run(
        target: &mut Target,
        root: &std::path::Path,
        files: &[(&str, u64, u128, &str)],
        prune: bool,
    ) -> (Vec<String>, Tally) {
        let mut plan = Plan::new(target.catalog(), rubric_extract::EXTRACTOR_VERSION);
        let found = files
            .iter()
            .map(|(name, size, mtime, _)| file(root, name, *size, *mtime))
            .collect();
        let to_read = plan.files_to_read(target.catalog(), found);
        let mut read = Vec::new();
        for item in &to_read {
            let text = files
                .iter()
                .find(|f| f.0 == item.file.id)
                .map(|f| f.3)
                .unwrap_or_default();
            let a = article(&item.file.id, text);
            plan.article(target, &a, item.order, &mut Silent).unwrap();
            plan.file_done(target, item, vec![a.id().to_string()], true, &mut Silent)
                .unwrap();
            read.push(item.file.id.clone());
        }
        if prune {
            plan.prune(target, &[root.to_path_buf()], &[], &mut Silent)
                .unwrap();
        }
        (read, plan.tally)
    }

    #[test]
    fn a_second_run_reads_only_what_changed_and_prunes_what_is_gone() {
        let index = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let files = [("a.md", 1, 10, "one"), ("b.md", 1, 10, "two")];
        let mut target = Target::Index(
            Box::new(IndexWriter::open(index.path(), 20_000_000).unwrap()),
            None,
        );
        let (read, tally) = run(&mut target, root.path(), &files, true);
        assert_eq!(read, ["a.md", "b.md"]);
        assert_eq!((tally.added, tally.updated, tally.unchanged), (2, 0, 0));
        target
            .finish(rubric_extract::EXTRACTOR_VERSION, &mut Silent)
            .unwrap();

        // b.md touched but the same text, c.md new, a.md gone.
        let files = [("b.md", 1, 20, "two"), ("c.md", 1, 10, "three")];
        let mut target = Target::Index(
            Box::new(IndexWriter::open(index.path(), 20_000_000).unwrap()),
            None,
        );
        let (read, tally) = run(&mut target, root.path(), &files, true);
        assert_eq!(read, ["b.md", "c.md"]);
        assert_eq!(
            (tally.added, tally.updated, tally.unchanged, tally.removed),
            (1, 0, 1, 1)
        );
        let stale: Vec<_> = tally
            .stale
            .iter()
            .map(|s| (s.change.word(), s.id.as_str()))
            .collect();
        assert_eq!(stale, [("added", "c.md"), ("removed", "a.md")]);
        target
            .finish(rubric_extract::EXTRACTOR_VERSION, &mut Silent)
            .unwrap();

        // Nothing changed: nothing is read, and --check agrees.
        let catalog = Catalog::load(index.path()).unwrap();
        let mut check = Target::Check(catalog);
        let (read, tally) = run(&mut check, root.path(), &files, true);
        assert!(read.is_empty(), "{read:?}");
        assert_eq!(tally.unchanged, 2);
        assert!(tally.stale.is_empty(), "{:?}", tally.stale);
    }

    #[test]
    fn check_reports_changes_and_writes_nothing() {
        let index = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let mut target = Target::Index(
            Box::new(IndexWriter::open(index.path(), 20_000_000).unwrap()),
            None,
        );
        run(&mut target, root.path(), &[("a.md", 1, 10, "one")], false);
        target
            .finish(rubric_extract::EXTRACTOR_VERSION, &mut Silent)
            .unwrap();

        let mut check = Target::Check(Catalog::load(index.path()).unwrap());
        let (read, tally) = run(&mut check, root.path(), &[("a.md", 2, 20, "uno")], true);
        assert_eq!(read, ["a.md"]);
        assert_eq!(tally.updated, 1);
        check
            .finish(rubric_extract::EXTRACTOR_VERSION, &mut Silent)
            .unwrap();
        let catalog = Catalog::load(index.path()).unwrap();
        let hash = article("a.md", "one").hash().to_string();
        assert_eq!(
            catalog.article("a.md").map(|e| e.hash.as_str()),
            Some(hash.as_str())
        );
    }

    #[test]
    fn a_dry_run_reads_everything_and_counts_nothing() {
        let root = tempfile::tempdir().unwrap();
        let mut target = Target::DryRun;
        let mut plan = Plan::new(target.catalog(), rubric_extract::EXTRACTOR_VERSION);
        let to_read = plan.files_to_read(target.catalog(), vec![file(root.path(), "a.md", 1, 1)]);
        assert_eq!(to_read.len(), 1);
        plan.prune(&mut target, &[root.path().to_path_buf()], &[], &mut Silent)
            .unwrap();
        assert!(plan.tally.stale.is_empty());
    }

    #[test]
    fn an_article_yielded_by_another_file_is_not_removed_with_the_first() {
        let index = tempfile::tempdir().unwrap();
        let mut target = Target::Index(
            Box::new(IndexWriter::open(index.path(), 20_000_000).unwrap()),
            None,
        );
        let root = tempfile::tempdir().unwrap();
        let mut plan = Plan::new(target.catalog(), rubric_extract::EXTRACTOR_VERSION);
        let to_read =
            plan.files_to_read(target.catalog(), vec![file(root.path(), "x.jsonl", 1, 1)]);
        let a = article("same", "text");
        plan.article(&mut target, &a, 0, &mut Silent).unwrap();
        plan.file_done(
            &mut target,
            &to_read[0],
            vec!["same".into()],
            true,
            &mut Silent,
        )
        .unwrap();
        // A second file also yields "same"; the first no longer does.
        plan.file_done(&mut target, &to_read[0], vec![], true, &mut Silent)
            .unwrap();
        assert_eq!(plan.tally.removed, 0, "seen in this run");
    }
}
