//! Reading one source file and extracting its articles: the work each
//! pipeline job does. Owns the size limit, splitting a large JSON Lines
//! file so its records are extracted on every job (in order, with error
//! line numbers counted in the file, its bytes counted part by part for the
//! progress bar), and placing each article (`site`). What the bytes mean is
//! `rubric-extract`'s.

use rubric_core::{Article, Format};
use rubric_extract::{ExtractError, Input, extract_all};

use crate::sources::SourceFile;
use crate::{BytesDone, SiteUrl, SourceError, site};

/// What came out of one file: its articles (each may have failed on its own,
/// as JSON Lines records do), or an error that stopped the whole file.
pub(crate) type FileOutcome = Result<FileArticles, SourceError>;

/// The articles of one file, in order.
#[derive(Debug, Default)]
pub(crate) struct FileArticles {
    /// Each article, or why it failed.
    pub results: Vec<Result<Article, ExtractError>>,
    /// For a JSON Lines file, the 1-based line of each result.
    pub lines: Vec<usize>,
}

/// JSON Lines files at least this large are extracted on all jobs.
const PARALLEL_JSONL_BYTES: usize = 1 << 20;

/// A large JSON Lines file is counted done in pieces of about this size.
const PIECE_BYTES: usize = 4 << 20;

/// Reads one file (refusing one larger than `max_bytes`), extracts its
/// articles, using up to `jobs` threads for a large JSON Lines file, and
/// places them under `site`; its bytes are added to `done`.
pub(crate) fn extract_file(
    file: &SourceFile,
    jobs: usize,
    max_bytes: u64,
    site: Option<&SiteUrl>,
    done: &BytesDone,
) -> FileOutcome {
    let outcome = extract_placed(file, jobs, max_bytes, site, done);
    if !matches!(file.format, Format::Jsonl) || outcome.is_err() {
        done.add(file.stamp.size);
    }
    outcome
}

fn extract_placed(
    file: &SourceFile,
    jobs: usize,
    max_bytes: u64,
    site: Option<&SiteUrl>,
    done: &BytesDone,
) -> FileOutcome {
    let path = &file.path;
    let read_error = |source| SourceError::Read {
        path: path.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > max_bytes {
        return Err(SourceError::TooLarge {
            path: path.clone(),
            size,
            limit: max_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    let source = path.to_string_lossy();
    let input = Input::new(&file.id, &source, file.format, &bytes);
    let results = if file.format == Format::Jsonl {
        let threads = if bytes.len() >= PARALLEL_JSONL_BYTES {
            jobs
        } else {
            1
        };
        extract_jsonl_parts(&input, threads, done)
    } else {
        extract_all(&input)
    };
    let lines = if file.format == Format::Jsonl {
        record_lines(&bytes)
    } else {
        Vec::new()
    };
    let results = results
        .into_iter()
        .map(|r| r.map(|a| site::place(a, file, site)))
        .collect();
    Ok(FileArticles { results, lines })
}

/// The 1-based numbers of the non-blank lines of a JSON Lines file: the
/// line of each of its records, in order.
fn record_lines(bytes: &[u8]) -> Vec<usize> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(i, _)| i + 1)
        .collect()
}

/// Extracts the records of a JSON Lines input on `threads` threads, each
/// taking a run of whole lines in pieces of about [`PIECE_BYTES`] (added to
/// `done` as each is finished); the results come back in the file's order,
/// with record errors numbered by the file's lines.
fn extract_jsonl_parts(
    input: &Input<'_>,
    threads: usize,
    done: &BytesDone,
) -> Vec<Result<Article, ExtractError>> {
    let bytes = input.bytes;
    let threads = threads.max(1);
    let parts = threads.max(bytes.len().div_ceil(PIECE_BYTES));
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
    let extract_chunk = |(offset, chunk): (usize, &[u8])| {
        let part = Input {
            bytes: chunk,
            ..*input
        };
        let out = extract_all(&part)
            .into_iter()
            .map(|result| {
                result.map_err(|mut err| {
                    err.line = err.line.map(|line| line + offset);
                    err
                })
            })
            .collect::<Vec<_>>();
        done.add(chunk.len() as u64);
        out
    };
    // Each thread takes a run of consecutive pieces, so their results are
    // in the file's order when joined thread by thread.
    let per_thread = chunks.len().div_ceil(threads);
    let mut runs = Vec::new();
    let mut rest = chunks;
    while !rest.is_empty() {
        let tail = rest.split_off(per_thread.min(rest.len()));
        runs.push(rest);
        rest = tail;
    }
    if runs.len() == 1 {
        return runs
            .pop()
            .unwrap_or_default()
            .into_iter()
            .flat_map(extract_chunk)
            .collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| {
                scope.spawn(move || run.into_iter().flat_map(extract_chunk).collect::<Vec<_>>())
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
        let input = Input::new("x.jsonl", "x.jsonl", Format::Jsonl, body.as_bytes());
        let show = |results: Vec<Result<Article, ExtractError>>| {
            results
                .into_iter()
                .map(|r| {
                    r.map(|a| (a.id().to_string(), a.hash().to_string()))
                        .map_err(|e| e.to_string())
                })
                .collect::<Vec<_>>()
        };
        let whole = show(extract_all(&input));
        assert_eq!(whole.len(), 39);
        assert!(whole[7].as_ref().is_err_and(|e| e.contains("x.jsonl:8:")));
        for parts in [1, 2, 3, 7, 64] {
            let done = BytesDone::default();
            assert_eq!(
                show(extract_jsonl_parts(&input, parts, &done)),
                whole,
                "{parts} parts"
            );
            assert_eq!(done.get(), body.len() as u64, "every byte counted");
        }
        let lines = record_lines(body.as_bytes());
        assert_eq!(lines.len(), 39);
        assert_eq!(lines[7], 8, "the bad line");
        assert_eq!(lines[12], 14, "after the blank line 13");
    }
}
