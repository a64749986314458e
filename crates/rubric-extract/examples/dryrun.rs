//! Prints the articles of files or folders as JSON Lines, like
//! `ingest --dry-run --json`, without the CLI: `cargo run -p rubric-extract
//! --example dryrun -- PATH...`. Useful when working on an extractor alone.

use std::path::Path;

use rubric_extract::{Format, Input, extract_all};

fn visit(path: &Path, root: &Path) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            visit(&e, root);
        }
        return;
    }
    let Some(kind) = Format::from_path(path) else {
        return;
    };
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let id = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let source = path.to_string_lossy();
    let input = Input::new(&id, &source, kind, &bytes);
    for result in extract_all(&input) {
        match result {
            Ok(article) => match serde_json::to_string(&article) {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("{source}: {e}"),
            },
            Err(e) => eprintln!("{e}"),
        }
    }
}

fn main() {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let root = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(path)
        };
        visit(path, root);
    }
}
