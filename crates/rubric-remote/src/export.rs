//! [`Export`]: the documents a sink would send, written to a file instead
//! (`ingest --export ndjson FILE`), for a user's own bulk loader.
//!
//! - [`ExportFormat::Ndjson`]: one [`Document`] per line, byte for byte the
//!   lines the Quickwit sink sends to `/api/v1/INDEX/ingest` (and the
//!   `_source` of what the Elasticsearch sink sends).
//! - [`ExportFormat::Bulk`]: the Elasticsearch / OpenSearch `_bulk` body the
//!   sink sends: each document preceded by its `{"index":{"_id":ID}}`
//!   action, so loading the file twice replaces rather than duplicates.
//!
//! An export is a full snapshot of the articles of one run: it holds every
//! section of every article read and carries no deletes (it keeps no books
//! of what an earlier export or an engine holds). Loading it into an empty
//! index gives what `ingest --sink` would have built; to refresh an index
//! loaded from an older export, empty it first (or, with the `bulk` format,
//! load over it: ids are the section ids, but sections that disappeared are
//! not deleted).
//!
//! Two sources yielding the same article id: the last one wins, as in
//! Rubric's own index and in the engine a sink fills (the earlier one's
//! lines are left out of the file when it is put in place).
//!
//! The file is written beside its final name and renamed over it when the
//! run ends, so a run that fails leaves any earlier export as it was.

use std::collections::HashMap;
use std::fs;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rubric_core::Article;
use rubric_index::Analysis;

use crate::RemoteError;
use crate::doc::Document;

/// The layout of an export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One document per line (Quickwit's ingest body).
    Ndjson,
    /// Action line + document per section (Elasticsearch / OpenSearch
    /// `_bulk` body).
    Bulk,
}

impl ExportFormat {
    /// The format called `name` (`ndjson`, `bulk`).
    pub fn named(name: &str) -> Option<ExportFormat> {
        match name {
            "ndjson" => Some(ExportFormat::Ndjson),
            "bulk" => Some(ExportFormat::Bulk),
            _ => None,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exported {
    /// Sections (documents) written.
    pub sections: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// An export file being written.
#[derive(Debug)]
pub struct Export {
    path: PathBuf,
    tmp: PathBuf,
    format: ExportFormat,
    out: Option<BufWriter<fs::File>>,
    analysis: Analysis,
    written: Exported,
    /// Where each article's lines are in the file, and their sections.
    spans: HashMap<String, (u64, u64, usize)>,
    /// Spans of articles written again later: left out at the end.
    superseded: Vec<(u64, u64)>,
}

impl Export {
    /// Starts an export to `path` (written in full when [`Export::finish`]
    /// is called; until then `path` is left as it was).
    pub fn create(path: &Path, format: ExportFormat) -> Result<Export, RemoteError> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".tmp");
        let tmp = path.with_file_name(name);
        let file = fs::File::create(&tmp).map_err(|e| export_error(&tmp, e))?;
        Ok(Export {
            path: path.to_path_buf(),
            tmp,
            format,
            out: Some(BufWriter::new(file)),
            analysis: Analysis::new(),
            written: Exported::default(),
            spans: HashMap::new(),
            superseded: Vec::new(),
        })
    }

    /// The file the export goes to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the documents of every section of `article`.
    pub fn write(&mut self, article: &Article) -> Result<(), RemoteError> {
        let docs = Document::of_article(article, &mut self.analysis);
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let start = self.written.bytes;
        for doc in &docs {
            let line = match self.format {
                ExportFormat::Ndjson => doc.to_line(),
                ExportFormat::Bulk => crate::sink::bulk_lines(doc),
            };
            out.write_all(&line)
                .map_err(|e| export_error(&self.tmp, e))?;
            self.written.bytes += line.len() as u64;
        }
        self.written.sections += docs.len();
        let span = (start, self.written.bytes, docs.len());
        if let Some((from, to, sections)) = self.spans.insert(article.id().to_string(), span) {
            self.superseded.push((from, to));
            self.written.sections -= sections;
            self.written.bytes -= to - from;
        }
        Ok(())
    }

    /// Flushes and syncs the file and puts it in place.
    pub fn finish(mut self) -> Result<Exported, RemoteError> {
        let Some(out) = self.out.take() else {
            return Ok(self.written);
        };
        let file = out
            .into_inner()
            .map_err(|e| export_error(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| export_error(&self.tmp, e))?;
        drop(file);
        if !self.superseded.is_empty() {
            self.leave_out_superseded()?;
        }
        fs::rename(&self.tmp, &self.path).map_err(|e| export_error(&self.path, e))?;
        Ok(self.written)
    }
}

impl Export {
    /// Copies the temporary file without the superseded spans.
    fn leave_out_superseded(&mut self) -> Result<(), RemoteError> {
        self.superseded.sort_unstable();
        let mut name = self.tmp.file_name().unwrap_or_default().to_os_string();
        name.push("2");
        let copy = self.tmp.with_file_name(name);
        let result = (|| -> std::io::Result<()> {
            let mut from = BufReader::new(fs::File::open(&self.tmp)?);
            let mut to = BufWriter::new(fs::File::create(&copy)?);
            let mut at = 0u64;
            for &(start, end) in &self.superseded {
                std::io::copy(&mut (&mut from).take(start - at), &mut to)?;
                std::io::copy(&mut (&mut from).take(end - start), &mut std::io::sink())?;
                at = end;
            }
            std::io::copy(&mut from, &mut to)?;
            to.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&copy, &self.tmp)
        })();
        result.map_err(|e| {
            let _ = fs::remove_file(&copy);
            export_error(&self.tmp, e)
        })
    }
}

impl Drop for Export {
    /// An export not finished leaves no temporary file behind.
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn export_error(path: &Path, source: std::io::Error) -> RemoteError {
    RemoteError::Export {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_core::{Format, SectionBuilder};

    fn article(id: &str, text: &str) -> Article {
        let mut b = SectionBuilder::new();
        b.push_text(&format!("Lead {text}."));
        b.push_heading(2, "Part", None);
        b.push_text(&format!("The tumour {text}."));
        Article::new(id, id, Format::Markdown, "Title", b.finish())
    }

    #[test]
    fn ndjson_lines_are_the_documents_and_the_file_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        let mut export = Export::create(&path, ExportFormat::Ndjson).unwrap();
        export.write(&article("a.md", "one")).unwrap();
        assert!(!path.exists(), "not in place before finish");
        let written = export.finish().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(written.sections, 2);
        assert_eq!(written.bytes, text.len() as u64);
        let docs: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs[0]["id"], "a.md");
        assert_eq!(docs[1]["id"], "a.md#part");
        assert_eq!(docs[1]["text_norm"], "the tumor one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file");
    }

    #[test]
    fn bulk_puts_an_index_action_keyed_by_section_id_before_each_document() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bulk");
        let mut export = Export::create(&path, ExportFormat::Bulk).unwrap();
        export.write(&article("a.md", "one")).unwrap();
        export.finish().unwrap();
        let lines: Vec<serde_json::Value> = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], serde_json::json!({"index": {"_id": "a.md"}}));
        assert_eq!(lines[1]["id"], "a.md");
        assert_eq!(lines[2], serde_json::json!({"index": {"_id": "a.md#part"}}));
    }

    #[test]
    fn an_article_id_written_twice_keeps_only_the_last_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        let mut export = Export::create(&path, ExportFormat::Ndjson).unwrap();
        export.write(&article("a.md", "first")).unwrap();
        export.write(&article("b.md", "other")).unwrap();
        export.write(&article("a.md", "second")).unwrap();
        let written = export.finish().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(
            ids,
            [r#""b.md""#, r#""b.md#part""#, r#""a.md""#, r#""a.md#part""#]
        );
        assert!(text.contains("second") && !text.contains("first"), "{text}");
        assert_eq!(written.sections, 4);
        assert_eq!(written.bytes, text.len() as u64);
    }

    #[test]
    fn an_export_dropped_unfinished_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.ndjson");
        fs::write(&path, "old\n").unwrap();
        let mut export = Export::create(&path, ExportFormat::Ndjson).unwrap();
        export.write(&article("a.md", "one")).unwrap();
        drop(export);
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_that_does_not_exist_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.ndjson");
        let error = Export::create(&path, ExportFormat::Ndjson).unwrap_err();
        assert!(error.to_string().contains("out.ndjson"), "{error}");
    }
}
