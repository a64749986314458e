//! Reading one source file and extracting its articles: the work each
//! pipeline job does. Owns reading files safely (regular files only, never
//! more than the size limit plus one byte), decoding UTF-16 text that has a
//! byte-order mark, splitting a large JSON Lines file so its records are
//! extracted on every job (in order, with error line numbers counted in the
//! file, its bytes counted part by part for the progress bar), and placing
//! each article (`site`). What the bytes mean is `rubric-extract`'s.

use std::io::Read;
use std::path::Path;

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
/// places them under `site` (`language`: the default language, `--lang`); its bytes are added to `done`.
pub(crate) fn extract_file(
    file: &SourceFile,
    jobs: usize,
    max_bytes: u64,
    language: Option<&str>,
    site: Option<&SiteUrl>,
    done: &BytesDone,
) -> FileOutcome {
    let outcome = extract_placed(file, jobs, max_bytes, language, site, done);
    if !matches!(file.format, Format::Jsonl) || outcome.is_err() {
        done.add(file.stamp.size);
    }
    outcome
}

fn extract_placed(
    file: &SourceFile,
    jobs: usize,
    max_bytes: u64,
    language: Option<&str>,
    site: Option<&SiteUrl>,
    done: &BytesDone,
) -> FileOutcome {
    let path = &file.path;
    let bytes = read_limited(path, max_bytes)?;
    let bytes = decode_utf16(bytes);
    let source = path.to_string_lossy();
    let input = Input {
        language,
        ..Input::new(&file.id, &source, file.format, &bytes)
    };
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

/// The bytes of the regular file at `path`, at most `max_bytes` of them.
///
/// Anything else is refused by name before it is opened: a FIFO would
/// block the open until a writer came, and a device (`/dev/zero`, a link
/// to it) has no size and no end. The file is opened without blocking and
/// checked again through its handle (it may have been swapped since), and
/// at most `max_bytes + 1` bytes are read whatever its metadata said, so a
/// file that grows while it is read is refused too.
fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, SourceError> {
    let read_error = |source| SourceError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    regular(&meta).map_err(read_error)?;
    let too_large = |size| SourceError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_bytes,
    };
    if meta.len() > max_bytes {
        return Err(too_large(meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    regular(&meta).map_err(read_error)?;
    let capacity = usize::try_from(meta.len().min(max_bytes)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity.saturating_add(1));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(meta.len().max(bytes.len() as u64)));
    }
    Ok(bytes)
}

/// An error unless `meta` is a regular file's, naming what it is instead.
fn regular(meta: &std::fs::Metadata) -> std::io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "a folder"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() {
                "a FIFO"
            } else if kind.is_char_device() {
                "a character device"
            } else if kind.is_block_device() {
                "a block device"
            } else if kind.is_socket() {
                "a socket"
            } else {
                "a special file"
            }
        }
        #[cfg(not(unix))]
        "a special file"
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a regular file ({what})"),
    ))
}

/// UTF-16 text with a byte-order mark, as UTF-8 (with a UTF-8 BOM the
/// extractors drop); other bytes as they are. Notepad and PowerShell
/// write UTF-16 this way, and its NUL bytes would otherwise make it look
/// binary.
fn decode_utf16(bytes: Vec<u8>) -> Vec<u8> {
    match encoding_rs::Encoding::for_bom(&bytes) {
        Some((encoding, _)) if encoding != encoding_rs::UTF_8 => {
            let (text, _, _) = encoding.decode(&bytes);
            text.into_owned().into_bytes()
        }
        _ => bytes,
    }
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

    /// The size limit was checked from the metadata and then the whole file
    /// read: a file that says 0 bytes but holds more (as `/proc` files do,
    /// or one that grows while it is read) passed.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_longer_than_its_metadata_says_is_cut_at_the_limit() {
        let path = Path::new("/proc/self/maps");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        match read_limited(path, 100) {
            Err(SourceError::TooLarge { size, limit, .. }) => {
                assert_eq!((size, limit), (101, 100));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn utf16_with_a_bom_becomes_utf8_and_other_bytes_stay() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("Hé".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_utf16(le), "Hé".as_bytes());
        let mut be = vec![0xFE, 0xFF];
        be.extend("Hé".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode_utf16(be), "Hé".as_bytes());
        let utf8 = b"\xEF\xBB\xBFplain".to_vec();
        assert_eq!(decode_utf16(utf8.clone()), utf8);
        assert_eq!(decode_utf16(b"\0\x01bin".to_vec()), b"\0\x01bin");
    }

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
