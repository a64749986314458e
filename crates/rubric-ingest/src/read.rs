//! Reading one source file and extracting its articles: the work each
//! pipeline job does. Owns the size limit and splitting a large JSON Lines
//! file so its records are extracted on every job (in order, with error
//! line numbers counted in the file). What the bytes mean is
//! `rubric-extract`'s.

use rubric_core::{Article, Format};
use rubric_extract::{ExtractError, Input, extract_all};

use crate::SourceError;
use crate::sources::SourceFile;

/// What came out of one file: its articles (each may have failed on its own,
/// as JSON Lines records do), or an error that stopped the whole file.
pub(crate) type FileOutcome = Result<Vec<Result<Article, ExtractError>>, SourceError>;

/// JSON Lines files at least this large are extracted on all jobs.
const PARALLEL_JSONL_BYTES: usize = 1 << 20;

/// Reads one file (refusing one larger than `max_bytes`) and extracts its
/// articles, using up to `jobs` threads for a large JSON Lines file.
pub(crate) fn extract_file(
    file: &SourceFile,
    jobs: usize,
    max_bytes: u64,
    language: Option<&str>,
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
    let input = Input {
        language,
        ..Input::new(&file.id, &source, file.format, &bytes)
    };
    if file.format == Format::Jsonl && jobs > 1 && bytes.len() >= PARALLEL_JSONL_BYTES {
        return Ok(extract_jsonl_parts(&input, jobs));
    }
    Ok(extract_all(&input))
}

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
                            result.map_err(|mut err| {
                                err.line = err.line.map(|line| line + offset);
                                err
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
        for parts in [2, 3, 7, 64] {
            assert_eq!(
                show(extract_jsonl_parts(&input, parts)),
                whole,
                "{parts} parts"
            );
        }
    }
}
