//! What `ingest` shows while it runs: the [`Terminal`] reporter draws the
//! progress bars on stderr (only when stderr is a terminal and not `-q`),
//! prints each failed source, and writes the articles of a dry run to
//! stdout (JSON Lines with `--json`, one line each without).

use std::io::{IsTerminal, Write};
use std::path::Path;

use rubric_core::Article;
use rubric_ingest::{Reporter, Skipped, SourceError, WebSummary};

use crate::common;

/// The reporter of the `ingest` binary.
pub struct Terminal<W: Write> {
    out: W,
    json: bool,
    quiet: bool,
    bar: indicatif::ProgressBar,
}

impl<W: Write> Terminal<W> {
    /// Dry-run articles go to `out` (as JSON with `json`); bars and
    /// messages to stderr unless `quiet`.
    pub fn new(out: W, json: bool, quiet: bool) -> Terminal<W> {
        Terminal {
            out,
            json,
            quiet,
            bar: indicatif::ProgressBar::hidden(),
        }
    }

    /// Clears the bar and hands back the output.
    pub fn finish(self) -> W {
        self.bar.finish_and_clear();
        self.out
    }

    /// A new bar of `len` `unit`s, in place of the last one.
    fn start(&mut self, len: usize, unit: &str) {
        self.bar.finish_and_clear();
        if self.quiet || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        let template =
            format!("{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} {{msg}}");
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        self.bar = bar;
    }
}

impl<W: Write> Reporter for Terminal<W> {
    fn reading(&mut self, files: usize, _bytes: u64) {
        self.start(files, "files");
    }

    fn read(&mut self, _path: &Path, _bytes: u64) {
        self.bar.inc(1);
    }

    fn fetching(&mut self, pages: usize) {
        self.start(pages, "pages");
    }

    fn fetched(&mut self, web: &WebSummary) {
        self.bar.inc(1);
        self.bar.set_message(format!(
            "{}, {} failed",
            indicatif::HumanBytes(web.bytes),
            web.failures()
        ));
    }

    fn failed(&mut self, error: &SourceError) {
        self.bar
            .suspend(|| eprintln!("ingest: error: {}", common::chain(error)));
    }

    fn skipped(&mut self, skipped: &Skipped<'_>) {
        // Web pages passed over are worth a line; empty files are logged.
        if let Skipped::Page(why) = skipped
            && !self.quiet
        {
            self.bar.suspend(|| eprintln!("ingest: skipped: {why}"));
        }
    }

    fn article(&mut self, article: &Article) -> std::io::Result<()> {
        if self.json {
            serde_json::to_writer(&mut self.out, article)?;
            return self.out.write_all(b"\n");
        }
        let headings = article
            .sections()
            .iter()
            .filter(|s| s.heading.is_some())
            .count();
        writeln!(
            self.out,
            "{}\t{}\t{} sections, {} headings",
            article.id(),
            article.title(),
            article.sections().len(),
            headings
        )
    }
}
