//! Parallel extraction with bounded memory: worker threads read and extract
//! files while the caller's thread consumes the results in the files' order
//! (so `--dry-run --json` output and index writes are deterministic).
//!
//! Workers never run more than a fixed window ahead of the consumer, so a
//! corpus is never buffered whole, and one slow file only stalls that window.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

use anyhow::Context;
use rubric_extract::{Article, ExtractError, Input, extract_all};

use crate::sources::SourceFile;

use crate::incremental::ToRead;

/// What came out of one file: its articles (each may have failed on its own,
/// as JSON Lines records do), or an error that stopped the whole file.
pub type FileOutcome = anyhow::Result<Vec<Result<Article, ExtractError>>>;

/// Reading limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Files larger than this are refused with an error.
    pub max_file_bytes: u64,
}

/// Extracts `files` on `jobs` threads and calls `consume` with each file's
/// outcome, in the order of `files`, on the calling thread.
pub fn run(
    files: &[ToRead],
    jobs: usize,
    limits: Limits,
    mut consume: impl FnMut(&ToRead, FileOutcome),
) {
    let jobs = jobs.clamp(1, files.len().max(1));
    let window = jobs * 4;
    let next = AtomicUsize::new(0);
    let delivered = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::sync_channel::<(usize, FileOutcome)>(window);

    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, delivered) = (&next, &delivered);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    wait_for_window(delivered, i, window);
                    if tx.send((i, extract_file(&file.file, limits))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        let mut pending = BTreeMap::new();
        let mut want = 0;
        for (i, outcome) in rx {
            pending.insert(i, outcome);
            while let Some(outcome) = pending.remove(&want) {
                consume(&files[want], outcome);
                want += 1;
                let (lock, cvar) = &delivered;
                if let Ok(mut n) = lock.lock() {
                    *n = want;
                }
                cvar.notify_all();
            }
        }
    });
}

/// Blocks until item `i` is within `window` of the last delivered item.
fn wait_for_window(delivered: &(Mutex<usize>, Condvar), i: usize, window: usize) {
    let (lock, cvar) = delivered;
    let Ok(mut n) = lock.lock() else { return };
    while i >= *n + window {
        match cvar.wait(n) {
            Ok(guard) => n = guard,
            Err(_) => return,
        }
    }
}

/// Reads one file and extracts its articles.
fn extract_file(file: &SourceFile, limits: Limits) -> FileOutcome {
    let path = &file.path;
    let size = std::fs::metadata(path)
        .with_context(|| format!("{}: cannot read", path.display()))?
        .len();
    if size > limits.max_file_bytes {
        anyhow::bail!(
            "{}: too large ({} MB, the limit is {} MB; see --max-file-mb)",
            path.display(),
            size / 1_000_000,
            limits.max_file_bytes / 1_000_000
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let source = path.to_string_lossy();
    let input = Input::new(&file.id, &source, file.kind, &bytes);
    Ok(extract_all(&input))
}
