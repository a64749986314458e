//! [`RemoteTarget`]: a run's articles sent to a distributed engine
//! (`ingest --sink quickwit://HOST:PORT/INDEX`) instead of the local index,
//! with the same incremental bookkeeping.
//!
//! The catalog (what is indexed, which file gave which articles) stays
//! local, in a folder of its own under the index folder
//! (`sinks/ENGINE-HOST-PORT-INDEX/`: `catalog.bin`, the sink's `journal`
//! and `sink.json`, the settings it was made with), so the plan decides
//! added / changed / unchanged / removed exactly as it does for the local
//! index, and `--check` and `--prune` work the same. The sending, batching,
//! retrying and deleting is `rubric_remote::Sink`'s.
//!
//! The catalog is changed as articles are handed to the sink and saved at
//! the end of the run, after the sink has sent everything. An article the
//! engine refused, or may hold twice, is forgotten by the catalog and its
//! files are marked to be read again, so the next run sends it again. A run
//! that dies leaves the sink's journal: the next one deletes every section
//! of the articles it names and forgets them the same way.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rubric_core::Article;
use rubric_index::{ArticleEntry, Catalog, Change, FileStamp};
use rubric_remote::{DOCUMENT_VERSION, Endpoint, Event, Sink, SinkOptions};
use serde::{Deserialize, Serialize};

use crate::{IngestError, SourceError};

/// The catalog file in a sink's folder.
const CATALOG: &str = "catalog.bin";
/// The journal file in a sink's folder.
const JOURNAL: &str = "journal";
/// The settings file in a sink's folder.
const SETTINGS: &str = "sink.json";

/// What the sink's folder records about how its remote index was filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Settings {
    /// The endpoint, without any password.
    endpoint: String,
    /// [`DOCUMENT_VERSION`] of the documents it holds.
    document_version: u32,
}

/// The local folder that keeps the books of the sink to `endpoint`.
pub fn sink_dir(index_dir: &Path, endpoint: &Endpoint) -> PathBuf {
    index_dir.join("sinks").join(endpoint.slug())
}

/// The catalog of the sink to `endpoint` as its last run saved it (empty
/// when there was none): what `--check` compares with.
pub fn sink_catalog(index_dir: &Path, endpoint: &Endpoint) -> Result<Catalog, IngestError> {
    let path = sink_dir(index_dir, endpoint).join(CATALOG);
    Ok(Catalog::read_from(&path)?)
}

/// Articles sent to a remote index, with the catalog that describes it.
#[derive(Debug)]
pub struct RemoteTarget {
    sink: Sink,
    catalog: Catalog,
    dir: PathBuf,
}

/// How [`RemoteTarget::open`] found the remote index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOpened {
    /// The remote index did not exist and was created.
    pub created: bool,
    /// Articles left unfinished by a run that died, deleted from the
    /// engine and to be sent again.
    pub recovered: usize,
    /// The catalog said articles were there but the index was new: all of
    /// them are sent again.
    pub forgotten: usize,
}

impl RemoteTarget {
    /// Opens the sink to `endpoint` with its books under `index_dir`:
    /// from empty with `rebuild` (the remote index is deleted and created
    /// again), else as the last run left it, finishing what a run that died
    /// left undone.
    pub fn open(
        index_dir: &Path,
        endpoint: &Endpoint,
        mut options: SinkOptions,
        rebuild: bool,
    ) -> Result<(RemoteTarget, RemoteOpened), IngestError> {
        let dir = sink_dir(index_dir, endpoint);
        std::fs::create_dir_all(&dir).map_err(|source| IngestError::SinkBooks {
            path: dir.clone(),
            source,
        })?;
        let settings_path = dir.join(SETTINGS);
        let settings = Settings {
            endpoint: endpoint.to_string(),
            document_version: DOCUMENT_VERSION,
        };
        let mut catalog = if rebuild {
            remove_if_present(&dir.join(JOURNAL))?;
            Catalog::default()
        } else {
            if let Some(found) = read_settings(&settings_path)?
                && found.document_version != DOCUMENT_VERSION
            {
                return Err(IngestError::SinkVersion {
                    endpoint: endpoint.to_string(),
                    found: found.document_version,
                    expected: DOCUMENT_VERSION,
                });
            }
            Catalog::read_from(&dir.join(CATALOG))?
        };
        options.journal = dir.join(JOURNAL);
        options.rebuild = rebuild;
        let (mut sink, opening) = Sink::open(endpoint, options)?;
        let mut opened = RemoteOpened {
            created: opening.created,
            ..RemoteOpened::default()
        };
        if opening.created && catalog.stats().articles > 0 {
            // The books describe an index that is gone: send everything.
            opened.forgotten = catalog.stats().articles;
            catalog = Catalog::default();
        }
        if !opening.unfinished.is_empty() {
            sink.recover(&opening.unfinished)?;
            forget(&mut catalog, opening.unfinished.iter().map(String::as_str));
            opened.recovered = opening.unfinished.len();
        }
        write_settings(&settings_path, &settings)?;
        let mut target = RemoteTarget { sink, catalog, dir };
        if opened.recovered > 0 || opened.forgotten > 0 || rebuild {
            target.save()?;
        }
        Ok((target, opened))
    }

    /// What the sink has sent so far.
    pub fn progress(&self) -> rubric_remote::Progress {
        self.sink.progress()
    }

    /// The catalog as of this run.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// What `article` changes; its sections are queued for the engine when
    /// it is new or changed.
    pub(crate) fn apply(&mut self, article: &Article) -> Result<Change, IngestError> {
        let change = self.catalog.change(article.id(), article.hash());
        if change != Change::Unchanged {
            self.sink.index(article, change == Change::Updated)?;
            self.catalog.insert_article(
                article.id(),
                ArticleEntry {
                    source: article.source().to_string(),
                    hash: article.hash().to_string(),
                    url: article.own_url().map(str::to_string),
                },
            );
        }
        Ok(change)
    }

    /// Queues the deletion of every section of article `id`.
    pub(crate) fn delete(&mut self, id: &str) -> Result<(), IngestError> {
        self.catalog.remove_article(id);
        self.sink.delete(id)?;
        Ok(())
    }

    /// Records a file read in full.
    pub(crate) fn record_file(&mut self, key: &str, stamp: FileStamp) {
        self.catalog.record_file(key, stamp);
    }

    /// Forgets a file that is gone.
    pub(crate) fn forget_file(&mut self, key: &str) {
        self.catalog.forget_file(key);
    }

    /// Sends what is left, forgets what the engine refused (each refusal is
    /// returned, to be reported), and saves the catalog with the extraction
    /// that made the articles (`extractor`, see [`crate::extraction_version`]).
    pub(crate) fn finish(mut self, extractor: &str) -> Result<Finished, IngestError> {
        self.sink.finish()?;
        let mut refused = Vec::new();
        let mut again = Vec::new();
        for event in self.sink.take_events() {
            match event {
                Event::Done(_) => {}
                Event::Refused { article, reason } => {
                    refused.push(SourceError::Refused {
                        engine: self.sink.endpoint().engine.name(),
                        article: article.clone(),
                        reason,
                    });
                    again.push(article);
                }
                Event::Unsure(article) => {
                    tracing::warn!(
                        "{article}: a request holding its sections may have been applied twice; the next run sends it again"
                    );
                    again.push(article);
                }
            }
        }
        forget(&mut self.catalog, again.iter().map(String::as_str));
        self.catalog.set_extractor(extractor);
        self.save()?;
        let progress = self.sink.progress();
        Ok(Finished {
            refused,
            sent: crate::report::SinkSummary {
                engine: self.sink.endpoint().to_string(),
                sections: progress.sent,
                queued: progress.queued,
                bytes: progress.bytes,
                requests: progress.requests,
                deleted: progress.deleted,
                delete_requests: progress.delete_requests,
            },
        })
    }

    /// Saves the catalog, then lets the sink drop from its journal what the
    /// catalog now records.
    fn save(&mut self) -> Result<(), IngestError> {
        self.catalog.write_to(&self.dir.join(CATALOG))?;
        self.sink.checkpointed()?;
        Ok(())
    }
}

/// What a remote run ended with.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Articles the engine refused.
    pub refused: Vec<SourceError>,
    /// What was sent.
    pub sent: crate::report::SinkSummary,
}

/// Forgets `ids` and marks every file that gave one of them to be read
/// again (as a file that failed is), so the next run sends them again.
fn forget<'a>(catalog: &mut Catalog, ids: impl Iterator<Item = &'a str>) {
    let ids: HashSet<&str> = ids.collect();
    if ids.is_empty() {
        return;
    }
    for id in &ids {
        catalog.remove_article(id);
    }
    let files: Vec<(String, FileStamp)> = catalog
        .files()
        .filter(|(_, stamp)| stamp.articles.iter().any(|a| ids.contains(a.as_str())))
        .map(|(key, stamp)| (key.to_string(), stamp.clone()))
        .collect();
    for (key, mut stamp) in files {
        stamp.mtime_ns = 0;
        catalog.record_file(&key, stamp);
    }
}

fn read_settings(path: &Path) -> Result<Option<Settings>, IngestError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IngestError::SinkBooks {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write_settings(path: &Path, settings: &Settings) -> Result<(), IngestError> {
    let mut body = serde_json::to_vec_pretty(settings).unwrap_or_default();
    body.push(b'\n');
    std::fs::write(path, body).map_err(|source| IngestError::SinkBooks {
        path: path.to_path_buf(),
        source,
    })
}

fn remove_if_present(path: &Path) -> Result<(), IngestError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(IngestError::SinkBooks {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_an_article_makes_its_file_read_again_and_leaves_the_others() {
        let mut catalog = Catalog::default();
        for id in ["a", "b", "c"] {
            catalog.insert_article(
                id,
                ArticleEntry {
                    source: format!("{id}.jsonl"),
                    hash: "h".into(),
                    url: None,
                },
            );
        }
        let stamp = |articles: &[&str]| FileStamp {
            size: 10,
            mtime_ns: 99,
            articles: articles.iter().map(|s| s.to_string()).collect(),
        };
        catalog.record_file("/x/ab.jsonl", stamp(&["a", "b"]));
        catalog.record_file("/x/c.jsonl", stamp(&["c"]));
        forget(&mut catalog, ["b"].into_iter());
        assert!(catalog.article("b").is_none());
        assert!(catalog.article("a").is_some());
        let ab = catalog.file("/x/ab.jsonl").unwrap();
        assert_eq!((ab.mtime_ns, ab.articles.len()), (0, 2));
        assert_eq!(catalog.file("/x/c.jsonl").unwrap().mtime_ns, 99);
    }
}
