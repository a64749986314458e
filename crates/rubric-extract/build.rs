//! Computes `EXTRACTOR_VERSION`: the crate version plus a hash of this
//! crate's and rubric-core's sources. Any change to the code that shapes an
//! article changes it, so `ingest` re-reads every source after an upgrade
//! without being asked (content hashes then decide what is re-indexed).

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let roots = [
        manifest_dir.join("src"),
        manifest_dir.join("../rubric-core/src"),
    ];
    let mut files = Vec::new();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", root.display());
        rust_files(root, &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        if let Ok(bytes) = std::fs::read(file) {
            hasher.write(&bytes);
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=RUBRIC_EXTRACTOR_VERSION={version}+{:016x}",
        hasher.finish()
    );
}
