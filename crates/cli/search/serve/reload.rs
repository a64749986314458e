//! The index as the server sees it: the current [`IndexReader`] and its
//! counts, and a background task that picks up each new commit (reloading
//! the reader, or reopening the index when it was rebuilt under it).
//!
//! It does not search, answer requests or decide what `/health` says; it
//! only keeps the reader and the counts current. When a reload fails the
//! last good reader goes on answering.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use anyhow::Context;
use rubric_index::{IndexReader, IndexStats};
use tracing::{debug, info, warn};

/// The index folder, its current reader and that reader's counts.
pub(super) struct Live {
    path: PathBuf,
    reader: RwLock<Arc<IndexReader>>,
    stats: RwLock<IndexStats>,
}

impl Live {
    /// Opens the index at `path` and reads its counts.
    pub fn open(path: PathBuf) -> anyhow::Result<Live> {
        let reader = IndexReader::open(&path)
            .with_context(|| format!("cannot open the index at {}", path.display()))?;
        let stats = reader
            .stats()
            .with_context(|| format!("cannot read the index at {}", path.display()))?;
        Ok(Live {
            path,
            reader: RwLock::new(Arc::new(reader)),
            stats: RwLock::new(stats),
        })
    }

    /// The reader to answer a request with (it stays usable for the request
    /// even when a newer one replaces it).
    pub fn reader(&self) -> Arc<IndexReader> {
        self.reader
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The counts of the last commit seen.
    pub fn stats(&self) -> IndexStats {
        *self.stats.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks for a new commit every `every`, until the task is aborted.
    pub async fn watch(self: Arc<Self>, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let live = self.clone();
            let _ = tokio::task::spawn_blocking(move || live.refresh()).await;
        }
    }

    /// Reloads when there is a new commit: the same reader when it can
    /// reload, a new one when the index was rebuilt under it (requests that
    /// hold the old one finish on it). On failure the last good reader goes
    /// on answering and the next tick tries again.
    fn refresh(&self) {
        match self.reader().reload_if_changed() {
            Ok(false) => return,
            Ok(true) => {}
            Err(err) => {
                debug!("reload failed ({err}); reopening the index");
                match IndexReader::open(&self.path) {
                    Ok(new) => {
                        *self.reader.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(new)
                    }
                    Err(err) => {
                        warn!(
                            "cannot reload the index (answering from the last commit seen): {err}"
                        );
                        return;
                    }
                }
            }
        }
        match self.reader().stats() {
            Ok(stats) => {
                info!(
                    "picked up a new commit: {} sections, {} articles",
                    stats.sections, stats.articles
                );
                *self.stats.write().unwrap_or_else(PoisonError::into_inner) = stats;
            }
            Err(err) => warn!("cannot read the index's counts: {err}"),
        }
    }
}
