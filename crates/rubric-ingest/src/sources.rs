//! Source discovery: turning the paths a run is given into the list of
//! files to read. Folders are walked recursively with the `ignore` crate
//! (ripgrep's own walker), in a stable order, honouring the rules a
//! publisher already keeps:
//!
//! - `.gitignore` (in a git repository or not), `.ignore` and
//!   `.rubricignore` files, in the folder walked and its parents, with
//!   gitignore syntax; a `.rubricignore` wins over the others;
//! - hidden entries (names starting with `.`) are left out, counted and
//!   named at `-v`;
//! - a Sphinx build's `_sources/` (the folder next to its `objects.inv` or
//!   `searchindex.js`, holding the reST every page was built from) is left
//!   out, so its `.txt` copies do not duplicate the pages;
//! - `--glob GLOB` keeps only matching files (when given; it only narrows,
//!   never bringing back a file an ignore file leaves out), `--exclude GLOB`
//!   leaves matching files and folders out (gitignore-style globs, as
//!   ripgrep's `-g` and `-g '!GLOB'`).
//!
//! Each file of a known format gets its article id (its path relative to
//! the root it was found under, with `/`) and its key in the catalog (its
//! absolute path). Files of other formats are never opened: they are only
//! counted (so a dangling link to a `.js` file is no error, while one to a
//! `.md` file is). A path given as an argument is taken as it is, whatever
//! the rules say. Reading files is `pipeline`'s; deciding whether they
//! changed is `plan`'s.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::overrides::{Override, OverrideBuilder};
use rubric_core::Format;
use rubric_index::FileStamp;

use crate::SourceError;

/// The custom ignore file Rubric reads (gitignore syntax), besides
/// `.gitignore` and `.ignore`.
pub const IGNORE_FILE: &str = ".rubricignore";

/// Which files of the folders walked are taken, beyond their format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only files matching one of these gitignore-style globs are taken
    /// (none given: every file).
    pub globs: Vec<String>,
    /// Files and folders matching one of these are left out.
    pub excludes: Vec<String>,
}

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

/// Why an entry of a folder was left out before its format was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    /// Its name starts with `.`.
    Hidden,
    /// A Sphinx build's `_sources/` folder.
    SphinxSources,
}

/// Files found under the arguments, plus what was passed over.
#[derive(Debug, Default)]
pub struct Found {
    /// Files to read, in a stable order.
    pub files: Vec<SourceFile>,
    /// Files of no known format (not `.txt`, `.md`, `.html`, `.jsonl`, ...):
    /// never opened.
    pub skipped: Vec<PathBuf>,
    /// Entries left out whole (hidden ones, Sphinx sources), in the order met.
    pub left_out: Vec<(PathBuf, LeftOut)>,
    /// Arguments or folder entries that could not be read at all.
    pub errors: Vec<SourceError>,
}

/// Walks `roots`: a file is taken as it is (its id is its file name), a folder
/// is walked recursively (ids relative to the folder) under the ignore rules
/// and `filter`.
pub fn find(roots: &[PathBuf], filter: &Filter) -> Found {
    let mut found = Found::default();
    for root in roots {
        match std::fs::metadata(root) {
            Err(source) => found.errors.push(SourceError::Read {
                path: root.clone(),
                source,
            }),
            Ok(meta) if meta.is_dir() => walk(root, filter, &mut found),
            Ok(meta) => {
                let base = root.parent().unwrap_or(Path::new(""));
                match Format::from_path(root) {
                    Some(format) => add(root, base, &absolute(base), format, &meta, &mut found),
                    None => found.skipped.push(root.clone()),
                }
            }
        }
    }
    found
}

/// The matchers of one root: `--exclude` (given to the walker, so a folder
/// left out is not entered) and `--glob` (asked of each file the walker
/// yields, so it only narrows: a file an ignore file leaves out stays out,
/// where ripgrep's `-g` would bring it back).
fn matchers(root: &Path, filter: &Filter) -> Result<(Override, Override), ignore::Error> {
    let mut excludes = OverrideBuilder::new(root);
    for glob in &filter.excludes {
        let glob = glob.strip_prefix('!').unwrap_or(glob);
        excludes.add(&format!("!{glob}"))?;
    }
    let mut globs = OverrideBuilder::new(root);
    for glob in &filter.globs {
        globs.add(glob)?;
    }
    Ok((excludes.build()?, globs.build()?))
}

fn walk(root: &Path, filter: &Filter, found: &mut Found) {
    let (overrides, globs) = match matchers(root, filter) {
        Ok(o) => o,
        Err(source) => {
            found.errors.push(SourceError::Walk {
                path: root.to_path_buf(),
                source,
            });
            return;
        }
    };
    let absolute_root = absolute(root);
    let first = found.files.len();
    let left_out = Arc::new(Mutex::new(Vec::new()));
    let noted = Arc::clone(&left_out);
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .overrides(overrides)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let why = if entry.file_name().as_encoded_bytes().starts_with(b".") {
                LeftOut::Hidden
            } else if is_sphinx_sources(entry) {
                LeftOut::SphinxSources
            } else {
                return true;
            };
            noted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((entry.path().to_path_buf(), why));
            false
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                let path = entry.path();
                if !globs.is_empty() && !globs.matched(path, false).is_whitelist() {
                    continue;
                }
                let Some(format) = Format::from_path(path) else {
                    found.skipped.push(entry.into_path());
                    continue;
                };
                match entry.metadata() {
                    Ok(meta) => add(path, root, &absolute_root, format, &meta, found),
                    Err(source) => found.errors.push(SourceError::Walk {
                        path: path.to_path_buf(),
                        source,
                    }),
                }
            }
            Ok(_) => {}
            Err(source) => match error_path(&source) {
                // A link to a file Rubric would never open (a Sphinx build's
                // `_static/*.js` pointing into a package not installed) is
                // as good as any other file of that type: passed over.
                Some(path) if !is_dir_like(path) && Format::from_path(path).is_none() => {
                    found.skipped.push(path.to_path_buf());
                }
                path => {
                    let path = path.unwrap_or(root).to_path_buf();
                    found.errors.push(SourceError::Walk { path, source });
                }
            },
        }
    }
    found.left_out.extend(std::mem::take(
        &mut *left_out.lock().unwrap_or_else(PoisonError::into_inner),
    ));
    // A stable order (by article id) whatever order the file system lists
    // entries in; sorting plain strings once is far cheaper than asking the
    // walker to sort every folder by file name.
    found.files[first..].sort_unstable_by(|a, b| a.id.cmp(&b.id));
}

/// True for a folder `_sources` next to a Sphinx build's `objects.inv` or
/// `searchindex.js`.
fn is_sphinx_sources(entry: &ignore::DirEntry) -> bool {
    entry.file_name() == "_sources"
        && entry.file_type().is_some_and(|t| t.is_dir())
        && entry.path().parent().is_some_and(|build| {
            build.join("objects.inv").is_file() || build.join("searchindex.js").is_file()
        })
}

/// True when a path that could not be followed names a folder (no
/// extension), so its failure is always worth an error.
fn is_dir_like(path: &Path) -> bool {
    path.extension().is_none()
}

/// The path an error of the walk is about, when it says.
fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::Partial(errors) => errors.iter().find_map(error_path),
        _ => None,
    }
}

fn add(
    path: &Path,
    base: &Path,
    absolute_base: &Path,
    format: Format,
    meta: &std::fs::Metadata,
    found: &mut Found,
) {
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

    fn tree(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
        }
        dir
    }

    fn ids(found: &Found) -> Vec<&str> {
        found.files.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn ids_are_relative_with_slashes() {
        assert_eq!(article_id(Path::new("a/b.md")), "a/b.md");
        assert_eq!(article_id(Path::new("x.txt")), "x.txt");
    }

    #[test]
    fn folders_are_walked_in_id_order_with_keys_and_stamps() {
        let dir = tree(&["b.md", "a/z.txt", "a/y.html", "c.pdf", ".hidden/x.md"]);
        let found = find(&[dir.path().to_path_buf()], &Filter::default());
        assert_eq!(ids(&found), ["a/y.html", "a/z.txt", "b.md"]);
        assert_eq!(found.skipped.len(), 1, "c.pdf");
        assert_eq!(found.left_out.len(), 1);
        assert_eq!(found.left_out[0].1, LeftOut::Hidden);
        let key = &found.files[2].key;
        assert!(
            Path::new(key).is_absolute() && key.ends_with("b.md"),
            "{key}"
        );
        assert_eq!(found.files[2].stamp.size, 1);
    }

    #[test]
    fn ignore_files_and_globs_leave_files_out() {
        let dir = tree(&[
            "keep.md",
            "drafts/wip.md",
            "build/out.html",
            "notes/a.txt",
            "notes/b.md",
            "private.md",
        ]);
        std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
        std::fs::write(dir.path().join(".ignore"), "private.md\n").unwrap();
        std::fs::write(dir.path().join(IGNORE_FILE), "drafts/\n").unwrap();
        let root = [dir.path().to_path_buf()];
        let found = find(&root, &Filter::default());
        assert_eq!(ids(&found), ["keep.md", "notes/a.txt", "notes/b.md"]);
        let filter = Filter {
            globs: vec!["*.md".into()],
            excludes: vec!["notes/b.md".into()],
        };
        assert_eq!(ids(&find(&root, &filter)), ["keep.md"]);
    }

    #[test]
    fn a_sphinx_builds_sources_are_left_out() {
        let dir = tree(&["index.html", "objects.inv", "_sources/index.rst.txt"]);
        let found = find(&[dir.path().to_path_buf()], &Filter::default());
        assert_eq!(ids(&found), ["index.html"]);
        assert_eq!(found.left_out[0].1, LeftOut::SphinxSources);
        // Without the build's marker files, `_sources` is an ordinary folder.
        let dir = tree(&["index.html", "_sources/notes.txt"]);
        let found = find(&[dir.path().to_path_buf()], &Filter::default());
        assert_eq!(ids(&found), ["_sources/notes.txt", "index.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_an_error_only_for_a_format_that_is_read() {
        let dir = tree(&["page.html"]);
        std::fs::create_dir(dir.path().join("_static")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/x.js", dir.path().join("_static/x.js")).unwrap();
        let found = find(&[dir.path().to_path_buf()], &Filter::default());
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert_eq!(found.skipped.len(), 1);
        std::os::unix::fs::symlink("/nonexistent/y.md", dir.path().join("y.md")).unwrap();
        let found = find(&[dir.path().to_path_buf()], &Filter::default());
        assert_eq!(found.errors.len(), 1);
        assert!(
            found.errors[0].to_string().contains("y.md"),
            "{}",
            found.errors[0]
        );
    }
}
