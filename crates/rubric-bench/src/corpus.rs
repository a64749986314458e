//! The corpora, prepared once in the cache folder (never in the repository):
//! Debian's `linux-doc-6.12` package unpacked, its HTML manual (the `.html`
//! pages, without Sphinx's `_static`/`_sources`/... folders) and its reST
//! sources (`_sources/**/*.rst.txt`, plain text with underlined headings),
//! replicas of either at 4× and 16× (copies in `r0/`, `r1/`, ... so every
//! article id differs; hard links where the file system allows), and the
//! tools of the floor: tantivy-cli (`cargo install`) and Pagefind (`npm`).
//!
//! This module does not measure anything (see `main`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Debian's package of the kernel's HTML documentation.
const PACKAGE: &str = "linux-doc-6.12";

/// The prepared base corpora.
#[derive(Debug, Clone)]
pub struct Corpora {
    pub html: PathBuf,
    pub text: PathBuf,
}

/// Downloads (`apt-get download`) and unpacks the package into `cache`
/// unless that was done before.
pub fn prepare(cache: &Path) -> anyhow::Result<Corpora> {
    let base = cache.join("linux-doc");
    let corpora = Corpora {
        html: base.join("html"),
        text: base.join("text"),
    };
    if base.join(".done").is_file() {
        return Ok(corpora);
    }
    std::fs::create_dir_all(cache).with_context(|| format!("creating {}", cache.display()))?;
    let deb = match find_deb(cache)? {
        Some(deb) => deb,
        None => {
            eprintln!(
                "rubric-bench: downloading {PACKAGE} (apt-get download) into {}",
                cache.display()
            );
            let status = Command::new("apt-get")
                .args(["download", PACKAGE])
                .current_dir(cache)
                .status()
                .context("running apt-get (is this Debian or Ubuntu?)")?;
            match find_deb(cache)? {
                Some(deb) if status.success() || deb.is_file() => deb,
                _ => bail!(
                    "apt-get download {PACKAGE} failed ({status}); run `apt-get update` first, or put the .deb in {}",
                    cache.display()
                ),
            }
        }
    };
    let unpacked = cache.join("pkg");
    if !unpacked.is_dir() {
        eprintln!("rubric-bench: unpacking {}", deb.display());
        let tmp = cache.join("pkg.tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        let status = Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(&tmp)
            .status()
            .context("running dpkg-deb")?;
        if !status.success() {
            bail!("dpkg-deb -x {} failed: {status}", deb.display());
        }
        std::fs::rename(&tmp, &unpacked)?;
    }
    let manual = unpacked.join(format!("usr/share/doc/{PACKAGE}/html"));
    if !manual.is_dir() {
        bail!("{} is missing from the package", manual.display());
    }
    let _ = std::fs::remove_dir_all(&base);
    let html = copy_tree(&manual, &corpora.html, |rel| {
        rel.extension().is_some_and(|e| e == "html")
            && !rel
                .components()
                .next()
                .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with('_'))
    })?;
    let text = copy_tree(&manual.join("_sources"), &corpora.text, |rel| {
        rel.to_string_lossy().ends_with(".rst.txt")
    })?;
    eprintln!(
        "rubric-bench: {html} HTML pages and {text} reST sources in {}",
        base.display()
    );
    std::fs::write(base.join(".done"), b"")?;
    Ok(corpora)
}

fn find_deb(cache: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut debs: Vec<PathBuf> = std::fs::read_dir(cache)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{PACKAGE}_")))
                && p.extension().is_some_and(|e| e == "deb")
        })
        .collect();
    debs.sort();
    Ok(debs.pop())
}

/// Copies the files under `from` that `keep` accepts (by relative path) to
/// `to`, as hard links where possible; returns how many.
fn copy_tree(from: &Path, to: &Path, keep: impl Fn(&Path) -> bool) -> anyhow::Result<usize> {
    let mut n = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(from)?;
        if !keep(rel) {
            continue;
        }
        let dest = to.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::hard_link(entry.path(), &dest).is_err() {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
        n += 1;
    }
    Ok(n)
}

/// `times` copies of `base` in `r0/`, `r1/`, ... next to it (`html-x4`), so
/// every article id differs; `base` itself when `times` is 1.
pub fn replica(base: &Path, times: usize) -> anyhow::Result<PathBuf> {
    if times <= 1 {
        return Ok(base.to_path_buf());
    }
    let name = base
        .file_name()
        .map_or("corpus".into(), |n| n.to_string_lossy());
    let dir = base.with_file_name(format!("{name}-x{times}"));
    if dir.join(".done").is_file() {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    for i in 0..times {
        copy_tree(base, &dir.join(format!("r{i}")), |_| true)?;
    }
    std::fs::write(dir.join(".done"), b"")?;
    Ok(dir)
}

/// Files and bytes under `dir` (the `.done` marker aside).
pub fn size(dir: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() && entry.file_name() != ".done" {
            files += 1;
            bytes += entry.metadata().map_or(0, |m| m.len());
        }
    }
    (files, bytes)
}

/// Writes the floor's records from `ingest --dry-run --json` output: to
/// `sections` one JSON Lines record per section (`id` = `article#anchor`,
/// `title` = the heading or the article title, `text`), which tantivy-cli
/// indexes as documents; to `articles` one record per article with its
/// sections already cut (`sections: [{heading, level, anchor, text}]`), which
/// `ingest` indexes as given — the same sections, so both build the same
/// documents. Returns the number of sections.
pub fn floor_jsonl(dry_run: &str, sections: &Path, articles: &Path) -> anyhow::Result<usize> {
    use std::io::Write;
    let mut by_section = std::io::BufWriter::new(std::fs::File::create(sections)?);
    let mut by_article = std::io::BufWriter::new(std::fs::File::create(articles)?);
    let mut n = 0;
    for line in dry_run.lines().filter(|l| !l.trim().is_empty()) {
        let article: serde_json::Value =
            serde_json::from_str(line).context("reading ingest --dry-run --json output")?;
        let id = article["id"].as_str().unwrap_or_default();
        let title = article["title"].as_str().unwrap_or_default();
        let mut cut = Vec::new();
        for section in article["sections"].as_array().into_iter().flatten() {
            let anchor = section["anchor"].as_str().unwrap_or_default();
            let text = section["text"].as_str().unwrap_or_default();
            let record = serde_json::json!({
                "id": if anchor.is_empty() { id.to_string() } else { format!("{id}#{anchor}") },
                "title": section["heading"].as_str().unwrap_or(title),
                "text": text,
            });
            serde_json::to_writer(&mut by_section, &record)?;
            by_section.write_all(b"\n")?;
            cut.push(serde_json::json!({
                "heading": section["heading"],
                "level": section["level"],
                "anchor": anchor,
                "text": text,
            }));
            n += 1;
        }
        let record = serde_json::json!({"id": id, "title": title, "sections": cut});
        serde_json::to_writer(&mut by_article, &record)?;
        by_article.write_all(b"\n")?;
    }
    by_section.flush()?;
    by_article.flush()?;
    Ok(n)
}

/// The tantivy-cli release the floor is measured against. Installed without
/// `--locked`: its lock file pins an old `traitobject` that no longer builds
/// on today's Rust.
pub const TANTIVY_CLI_VERSION: &str = "0.24.0";

/// tantivy-cli's binary: on PATH, else installed into `cache/tools` with
/// `cargo install tantivy-cli --version TANTIVY_CLI_VERSION` (a few minutes,
/// once).
pub fn tantivy_cli(cache: &Path) -> anyhow::Result<PathBuf> {
    let installed = cache.join("tools/bin/tantivy");
    if installed.is_file() {
        return Ok(installed);
    }
    if let Some(found) = on_path("tantivy") {
        return Ok(found);
    }
    eprintln!(
        "rubric-bench: cargo install tantivy-cli {TANTIVY_CLI_VERSION} (once, into {})",
        cache.join("tools").display()
    );
    let status = Command::new("cargo")
        .args([
            "install",
            "tantivy-cli",
            "--version",
            TANTIVY_CLI_VERSION,
            "--root",
        ])
        .arg(cache.join("tools"))
        .status()
        .context("running cargo install")?;
    if !status.success() || !installed.is_file() {
        bail!("cargo install tantivy-cli failed: {status}");
    }
    Ok(installed)
}

/// Pagefind's binary: installed into `cache/tools` with `npm install pagefind`.
pub fn pagefind(cache: &Path) -> anyhow::Result<PathBuf> {
    let tools = cache.join("tools");
    let bin = tools.join("node_modules/.bin/pagefind");
    if bin.is_file() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&tools)?;
    eprintln!(
        "rubric-bench: npm install pagefind (once, into {})",
        tools.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "pagefind"])
        .current_dir(&tools)
        .status()
        .context("running npm (is Node.js installed?)")?;
    if !status.success() || !bin.is_file() {
        bail!("npm install pagefind failed: {status}");
    }
    Ok(bin)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
