//! Source discovery: turning the paths a run is given into the list of
//! files to read. Folders are walked recursively in a stable order, each
//! file gets its article id (its path relative to the root it was found
//! under, with `/`) and its key in the catalog (its absolute path), and
//! files of no known format are passed over. Reading them is
//! `pipeline`'s; deciding whether they changed is `plan`'s.

use std::path::{Path, PathBuf};

use rubric_core::Format;
use rubric_index::FileStamp;

use crate::SourceError;

/// One file to extract.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as reached from the argument (what `Article::source` says).
    pub path: PathBuf,
    /// The article id: relative to the ingest root, `/`-separated.
    pub id: String,
    /// What the file holds.
    pub format: Format,
    /// Its absolute path (the root's symlinks resolved): the key of its
    /// entry in the index manifest, the same from any working directory.
    pub key: String,
    /// Its size and modification time when it was found.
    pub stamp: FileStamp,
}

/// Files found under the arguments, plus what was passed over.
#[derive(Debug, Default)]
pub struct Found {
    /// Files to read, in a stable order.
    pub files: Vec<SourceFile>,
    /// Files of no known format (not `.txt`, `.md`, `.html`, `.jsonl`, ...).
    pub skipped: Vec<PathBuf>,
    /// Arguments or folder entries that could not be read at all.
    pub errors: Vec<SourceError>,
}

/// Walks `roots`: a file is taken as it is (its id is its file name), a folder
/// is walked recursively (ids relative to the folder). Hidden entries inside
/// folders (names starting with `.`) are left out.
pub fn find(roots: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for root in roots {
        match std::fs::metadata(root) {
            Err(source) => found.errors.push(SourceError::Read {
                path: root.clone(),
                source,
            }),
            Ok(meta) if meta.is_dir() => walk(root, &mut found),
            Ok(meta) => {
                let base = root.parent().unwrap_or(Path::new(""));
                add(root, base, &absolute(base), &meta, &mut found);
            }
        }
    }
    found
}

fn walk(root: &Path, found: &mut Found) {
    let absolute_root = absolute(root);
    let first = found.files.len();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => match entry.metadata() {
                Ok(meta) => add(entry.path(), root, &absolute_root, &meta, found),
                Err(source) => found.errors.push(SourceError::Walk {
                    path: entry.path().to_path_buf(),
                    source,
                }),
            },
            Ok(_) => {}
            Err(source) => {
                let path = source.path().unwrap_or(root).to_path_buf();
                found.errors.push(SourceError::Walk { path, source });
            }
        }
    }
    // A stable order (by article id) whatever order the file system lists
    // entries in; sorting plain strings once is far cheaper than asking the
    // walker to sort every folder by file name.
    found.files[first..].sort_unstable_by(|a, b| a.id.cmp(&b.id));
}

fn add(
    path: &Path,
    base: &Path,
    absolute_base: &Path,
    meta: &std::fs::Metadata,
    found: &mut Found,
) {
    let Some(format) = Format::from_path(path) else {
        found.skipped.push(path.to_path_buf());
        return;
    };
    let rel = path.strip_prefix(base).unwrap_or(path);
    found.files.push(SourceFile {
        path: path.to_path_buf(),
        id: article_id(rel),
        format,
        key: absolute_base.join(rel).to_string_lossy().into_owned(),
        stamp: FileStamp::of(meta),
    });
}

/// `path` made absolute with its symlinks resolved (as far as it exists),
/// once per root rather than once per file.
pub fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// The article id of a path relative to its root: `/`-separated.
fn article_id(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_relative_with_slashes() {
        assert_eq!(article_id(Path::new("a/b.md")), "a/b.md");
        assert_eq!(article_id(Path::new("x.txt")), "x.txt");
    }

    #[test]
    fn folders_are_walked_in_id_order_with_keys_and_stamps() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["b.md", "a/z.txt", "a/y.html", "c.pdf", ".hidden/x.md"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        let found = find(&[dir.path().to_path_buf()]);
        let ids: Vec<&str> = found.files.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["a/y.html", "a/z.txt", "b.md"]);
        assert_eq!(found.skipped.len(), 1, "c.pdf");
        let key = &found.files[2].key;
        assert!(
            Path::new(key).is_absolute() && key.ends_with("b.md"),
            "{key}"
        );
        assert_eq!(found.files[2].stamp.size, 1);
    }
}
