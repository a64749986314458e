//! What `ingest` shows while it runs: the [`Terminal`] reporter draws the
//! progress bars on stderr (only when stderr is a terminal and not `-q`):
//! for files, a bar filled by bytes (a large JSON Lines file moves it part
//! by part) with the files done beside it; for web pages, one with the URL
//! count from the start, growing as sitemaps add pages; with `--sink`, a
//! second bar below of the sections the engine has accepted out of those
//! handed to the sink so far. They tick steadily and take the terminal's
//! width. It prints each failed source, and writes
//! the articles of a dry run to stdout (JSON Lines with `--json`, one line
//! each without). When sections get vectors, a second bar shows the
//! sections embedded, their rate and the time left.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use rubric_core::Article;
use rubric_ingest::{BytesDone, Reporter, Skipped, SourceError, WebSummary};

use crate::common;

/// How often the bar redraws (its spinner and clock never stand still).
const TICK: Duration = Duration::from_millis(100);

/// The reporter of the `ingest` binary.
pub struct Terminal<W: Write> {
    out: W,
    json: bool,
    quiet: bool,
    /// Draws the bars together on stderr (hidden when they are).
    bars: indicatif::MultiProgress,
    bar: indicatif::ProgressBar,
    /// Sections sent to a remote engine (`--sink`), once there are any.
    sink: Option<indicatif::ProgressBar>,
    /// Sections embedded of those known so far (another line).
    embedding: Option<indicatif::ProgressBar>,
    /// Files read so far and to read, shown beside the bytes.
    files: (usize, usize),
    /// Every failure, as printed, for `--check` to name them again.
    failures: Vec<String>,
}

impl<W: Write> Terminal<W> {
    /// Dry-run articles go to `out` (as JSON with `json`); bars and
    /// messages to stderr unless `quiet`.
    pub fn new(out: W, json: bool, quiet: bool) -> Terminal<W> {
        Terminal {
            out,
            json,
            quiet,
            bars: indicatif::MultiProgress::new(),
            bar: indicatif::ProgressBar::hidden(),
            embedding: None,
            sink: None,
            files: (0, 0),
            failures: Vec::new(),
        }
    }

    /// Clears the bar and hands back the output and the failures.
    pub fn finish(self) -> (W, Vec<String>) {
        self.bar.finish_and_clear();
        if let Some(bar) = &self.embedding {
            bar.finish_and_clear();
        }
        if let Some(sink) = &self.sink {
            sink.finish_and_clear();
        }
        (self.out, self.failures)
    }

    /// A new bar of `len`, drawn with `template`, in place of the last one;
    /// hidden when stderr is not a terminal or with `-q`.
    fn start(&mut self, len: u64, template: &str) -> bool {
        self.bar.finish_and_clear();
        match self.new_bar(len, template) {
            Some(bar) => {
                self.bar = bar;
                true
            }
            None => false,
        }
    }

    /// A bar of `len` drawn with `template` among the others; none when
    /// stderr is not a terminal or with `-q`.
    fn new_bar(&self, len: u64, template: &str) -> Option<indicatif::ProgressBar> {
        if self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = self.bars.add(indicatif::ProgressBar::new(len));
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(TICK);
        Some(bar)
    }
}

impl<W: Write> Reporter for Terminal<W> {
    fn reading(&mut self, files: usize, bytes: u64, done: &BytesDone) {
        self.files = (0, files);
        // Bytes, not files, fill the bar, so one large file moves it too;
        // `wide_bar` takes what the terminal's width leaves.
        let template = "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {prefix}";
        if !self.start(bytes, template) {
            return;
        }
        self.bar.set_prefix(format!("0/{files} files"));
        // A large JSON Lines file is counted part by part on the workers'
        // threads: follow their count between files.
        let bar = self.bar.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            while !bar.is_finished() {
                bar.set_position(done.get().min(bar.length().unwrap_or(u64::MAX)));
                std::thread::sleep(TICK);
            }
        });
    }

    fn read(&mut self, _path: &Path, _bytes: u64) {
        self.files.0 += 1;
        self.bar
            .set_prefix(format!("{}/{} files", self.files.0, self.files.1));
    }

    fn fetching(&mut self, pages: usize) {
        // Called again as sitemaps add pages: the same bar grows.
        if self.bar.is_hidden() || self.bar.is_finished() || self.bar.prefix() != "pages" {
            let template = "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len} {prefix} {msg}";
            if !self.start(pages as u64, template) {
                return;
            }
            self.bar.set_prefix("pages");
        }
        self.bar.set_length(pages as u64);
    }

    fn fetched(&mut self, web: &WebSummary) {
        self.bar.inc(1);
        self.bar.set_message(format!(
            "{}, {} failed",
            indicatif::HumanBytes(web.bytes),
            web.failures()
        ));
    }

    fn embedding(&mut self, sections: usize) {
        if self.embedding.is_none() && !self.quiet && std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(0);
            let template = "  embedding [{wide_bar}] {pos}/{len} sections, {per_sec}, {eta} left";
            if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> ").with_key(
                    "per_sec",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1}/s", state.per_sec());
                    },
                ));
            }
            self.embedding = Some(self.bars.add(bar));
        }
        if let Some(bar) = &self.embedding {
            bar.inc_length(sections as u64);
        }
    }

    fn embedded(&mut self, sections: usize) {
        if let Some(bar) = &self.embedding {
            bar.inc(sections as u64);
        }
    }

    fn failed(&mut self, error: &SourceError) {
        let message = common::chain(error);
        self.bars.suspend(|| eprintln!("ingest: error: {message}"));
        self.failures.push(message);
    }

    fn skipped(&mut self, skipped: &Skipped<'_>) {
        // Web pages passed over are worth a line; empty files are logged.
        if let Skipped::Page(why) = skipped
            && !self.quiet
        {
            self.bars.suspend(|| eprintln!("ingest: skipped: {why}"));
        }
    }

    fn sending(&mut self, sent: usize, queued: usize) {
        if self.sink.is_none() {
            let template = "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len} sections sent";
            self.sink = self.new_bar(queued as u64, template);
        }
        if let Some(bar) = &self.sink {
            bar.set_length(queued as u64);
            bar.set_position(sent as u64);
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
