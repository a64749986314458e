//! Computes `EXTRACTOR_VERSION`: the crate version plus a BLAKE3 hash of the
//! code that shapes an article — this crate's and rubric-core's sources read
//! as Rust tokens, with comments, doc comments and `#[cfg(test)]` items left
//! out (`build/fingerprint.rs`) — and of the locked versions of the parsers
//! they use. Editing a test, a comment or the formatting changes nothing; any
//! change to the code or to a parser's version does, and `ingest` then
//! re-reads every source without being asked (content hashes decide what is
//! re-indexed).

use std::path::{Path, PathBuf};

#[path = "build/fingerprint.rs"]
mod fingerprint;

/// The parsers whose output is the extraction's: a new version of one may
/// change what an article holds.
const PARSERS: &[&str] = &[
    "pulldown-cmark",
    "scraper",
    "html5ever",
    "markup5ever",
    "selectors",
    "serde_json",
    "whatlang",
];

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
    let mut hasher = blake3::Hasher::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        hasher.update(name.unwrap_or_default().as_bytes());
        fingerprint::hash_source(&mut hasher, &text);
    }
    let lock = manifest_dir.join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    if let Ok(lock) = std::fs::read_to_string(&lock) {
        for (name, version) in locked_packages(&lock) {
            if PARSERS.contains(&name) {
                hasher.update(format!("{name} {version}\n").as_bytes());
            }
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=RUBRIC_EXTRACTOR_VERSION={version}+{}",
        &hasher.finalize().to_hex()[..16]
    );
}

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

/// `(name, version)` of each `[[package]]` in a Cargo.lock.
fn locked_packages(lock: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"'));
        } else if let Some(value) = line.strip_prefix("version = ")
            && let Some(name) = name.take()
        {
            out.push((name, value.trim_matches('"')));
        }
    }
    out
}
