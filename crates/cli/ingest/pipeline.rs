//! Parallel extraction with bounded memory: worker threads read and extract
//! files while the caller's thread consumes the results in the files' order
//! (so `--dry-run --json` output and index writes are deterministic).
//!
//! Workers never run more than a fixed window ahead of the consumer, so a
//! corpus is never buffered whole, and one slow file only stalls that window.
//! A large JSON Lines file, which would otherwise keep one core busy while
//! the others wait, is cut at line boundaries into one part per job and its
//! records are extracted on all of them (in order; error line numbers are
//! the file's).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

use anyhow::Context;
use rubric_extract::{Article, ExtractError, Input, Kind, extract_all};

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
                    if tx
                        .send((i, extract_file(&file.file, jobs, limits)))
                        .is_err()
                    {
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
fn extract_file(file: &SourceFile, jobs: usize, limits: Limits) -> FileOutcome {
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
    if file.kind == Kind::Jsonl && jobs > 1 && bytes.len() >= PARALLEL_JSONL_BYTES {
        return Ok(extract_jsonl_parts(&input, jobs));
    }
    Ok(extract_all(&input))
}

/// JSON Lines files at least this large are extracted on all jobs.
const PARALLEL_JSONL_BYTES: usize = 1 << 20;

/// Extracts the records of a JSON Lines input on `parts` threads, each
/// taking a run of whole lines; the results come back in the file's order,
/// with record errors numbered by the file's lines.
fn extract_jsonl_parts(input: &Input<'_>, parts: usize) -> Vec<Result<Article, ExtractError>> {
    let bytes = input.bytes;
    // Cut points just after a newline, so every part holds whole lines.
    let mut cuts = vec![0];
    for k in 1..parts {
        let from = (bytes.len() * k / parts).max(cuts[cuts.len() - 1]);
        match bytes[from..].iter().position(|&b| b == b'\n') {
            Some(at) if from + at + 1 < bytes.len() => cuts.push(from + at + 1),
            _ => break,
        }
    }
    cuts.push(bytes.len());
    let mut lines_before = 0;
    let chunks: Vec<(usize, &[u8])> = cuts
        .windows(2)
        .map(|w| {
            let chunk = &bytes[w[0]..w[1]];
            let offset = lines_before;
            lines_before += chunk.iter().filter(|&&b| b == b'\n').count();
            (offset, chunk)
        })
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|(offset, chunk)| {
                scope.spawn(move || {
                    let part = Input {
                        bytes: chunk,
                        ..*input
                    };
                    extract_all(&part)
                        .into_iter()
                        .map(|result| {
                            result.map_err(|err| match err {
                                ExtractError::Record {
                                    source_name,
                                    line,
                                    reason,
                                } => ExtractError::Record {
                                    source_name,
                                    line: line + offset,
                                    reason,
                                },
                                other => other,
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_parts_match_one_pass_with_file_line_numbers() {
        let mut body = String::from("\u{feff}");
        for i in 0..40 {
            match i {
                7 => body.push_str("not json\n"),
                12 => body.push('\n'),
                _ => body.push_str(&format!(
                    "{{\"id\": \"r{i}\", \"title\": \"Record {i}\", \"text\": \"Body of record {i}.\"}}\n"
                )),
            }
        }
        let input = Input::new("x.jsonl", "x.jsonl", Kind::Jsonl, body.as_bytes());
        let show = |results: Vec<Result<Article, ExtractError>>| {
            results
                .into_iter()
                .map(|r| r.map(|a| (a.id, a.hash)).map_err(|e| e.to_string()))
                .collect::<Vec<_>>()
        };
        let whole = show(extract_all(&input));
        assert_eq!(whole.len(), 39);
        assert!(whole[7].as_ref().is_err_and(|e| e.contains("x.jsonl:8:")));
        for parts in [2, 3, 7, 64] {
            assert_eq!(
                show(extract_jsonl_parts(&input, parts)),
                whole,
                "{parts} parts"
            );
        }
    }
}
