//! `ingest`'s flags, and turning them into what the run needs: the
//! [`rubric_ingest::Options`] and the [`Mode`]. Checked here, before any I/O.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::common;

/// Reads articles (plain text, Markdown, HTML, JSON Lines) from files and
/// folders, finds their sections and indexes one document per section.
#[derive(Debug, Parser)]
#[command(name = "ingest", version, about)]
pub struct Args {
    /// Files or folders to read (folders are walked recursively), or http(s)
    /// URLs of pages [default: corpus]
    pub sources: Vec<PathBuf>,
    /// Index folder to write.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// Extract only: write no index.
    #[arg(long, conflicts_with_all = ["check", "prune", "rebuild"])]
    pub dry_run: bool,
    /// Write nothing; list what is stale (added, changed, removed) and exit
    /// 1 when the index does not match the sources, 0 when it does.
    #[arg(long, conflicts_with_all = ["prune", "rebuild"])]
    pub check: bool,
    /// Delete the articles that came from the given roots but whose files
    /// are gone.
    #[arg(long)]
    pub prune: bool,
    /// Start from an empty index: everything not read in this run is gone.
    #[arg(long)]
    pub rebuild: bool,
    /// Machine-readable output on stdout: with --dry-run, one JSON object per
    /// article (JSON Lines); otherwise the closing summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Parallel work: extraction threads for files [default: the number of
    /// cores] and requests in flight for web pages [default: 8].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(16..=4096))]
    pub heap_mb: u32,
    /// Files larger than this many MB are refused with an error.
    #[arg(long, default_value_t = 256)]
    pub max_file_mb: u64,
    #[command(flatten)]
    pub sink: SinkArgs,
    #[command(flatten)]
    pub web: WebArgs,
    #[command(flatten)]
    pub verbosity: common::Verbosity,
}

/// The flags of a remote sink.
#[derive(Debug, Clone, clap::Args)]
pub struct SinkArgs {
    /// Send the sections to a distributed engine's index instead of the
    /// local one: quickwit://HOST:PORT/INDEX (plain HTTP). The catalog of
    /// what was sent stays under the index folder (sinks/), so incremental
    /// runs, --prune and --check work as they do locally.
    #[arg(
        help_heading = "Remote sink",
        long = "sink",
        value_name = "URL",
        conflicts_with = "dry_run"
    )]
    pub url: Option<String>,
    /// Print the index definition a sink needs (Quickwit's index config)
    /// and exit; the sink creates it when the index does not exist.
    #[arg(
        help_heading = "Remote sink",
        long = "sink-config",
        value_name = "ENGINE",
        value_parser = ["quickwit", "elasticsearch", "opensearch"]
    )]
    pub config: Option<String>,
    /// Documents are sent in requests of at most this many MB.
    #[arg(
        help_heading = "Remote sink",
        long = "sink-batch-mb",
        value_name = "MB",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub batch_mb: u32,
    /// Retries of a request the engine answered with 429 or 5xx, or that
    /// could not connect or lost its connection (waits double from 0.5 s,
    /// or as the engine's Retry-After says).
    #[arg(
        help_heading = "Remote sink",
        id = "sink_retries",
        long = "sink-retries",
        value_name = "N",
        default_value_t = 5
    )]
    pub retries: u32,
}

/// The flags of web sources.
#[derive(Debug, Clone, clap::Args)]
pub struct WebArgs {
    /// A file of URLs to ingest, one per line (`#` comments, blank lines
    /// allowed); `*.urls` files found among the SOURCES are read the same way.
    #[arg(help_heading = "Web sources", long = "urls", value_name = "FILE")]
    pub urls: Vec<PathBuf>,
    /// A sitemap (or sitemap index, gzipped or not) whose pages to ingest;
    /// `<lastmod>` becomes the article's date.
    #[arg(help_heading = "Web sources", long, value_name = "URL")]
    pub sitemap: Vec<String>,
    /// Time between the starts of two requests to one host, in ms
    /// (robots.txt `Crawl-delay` raises it).
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "MS",
        default_value_t = 250
    )]
    pub delay: u64,
    /// Time-out of one request, in seconds (connecting is also capped at 10 s).
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "SECS",
        default_value_t = 30.0
    )]
    pub timeout: f64,
    /// Retries of a request that timed out, lost its connection or got 429 or 5xx.
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "N",
        default_value_t = 3
    )]
    pub retries: u32,
    /// Pages larger than this many MB are refused with an error.
    #[arg(
        help_heading = "Web sources",
        long,
        value_name = "MB",
        default_value_t = 10
    )]
    pub max_page_mb: u64,
    /// Make no request: re-index web pages from the HTTP cache kept in the
    /// index folder (what earlier runs fetched).
    #[arg(help_heading = "Web sources", long)]
    pub offline: bool,
}

/// What the run does with the articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write them to the index (from empty with `rebuild`).
    Write { rebuild: bool },
    /// Compare them with the index (`--check`).
    Check,
    /// Print them (`--dry-run`).
    DryRun,
}

impl Args {
    /// The mode the flags ask for.
    pub fn mode(&self) -> Mode {
        if self.dry_run {
            Mode::DryRun
        } else if self.check {
            Mode::Check
        } else {
            Mode::Write {
                rebuild: self.rebuild,
            }
        }
    }

    /// The run's options, checked: the sources split into paths and URLs
    /// (`corpus` when none is given), limits in bytes, the fetch settings.
    pub fn options(&self) -> anyhow::Result<rubric_ingest::Options> {
        let mut web = rubric_ingest::WebSources {
            lists: self.web.urls.clone(),
            sitemaps: self.web.sitemap.clone(),
            ..Default::default()
        };
        let mut roots = web.split_sources(&self.sources);
        if self.sources.is_empty() && web.is_empty() {
            roots.push(PathBuf::from("corpus"));
        }
        let timeout = Duration::try_from_secs_f64(self.web.timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .context("--timeout must be a positive number of seconds")?;
        let fetch = rubric_fetch::Options {
            jobs: self.jobs.map_or(8, usize::from),
            delay: Duration::from_millis(self.web.delay),
            timeout,
            connect_timeout: Duration::from_secs(10),
            retries: self.web.retries,
            max_body: self.web.max_page_mb.saturating_mul(1_000_000),
            offline: self.web.offline,
            ..rubric_fetch::Options::default()
        };
        let mut options = rubric_ingest::Options::new(roots);
        options.web = web;
        options.fetch = fetch;
        options.index_dir = self.index.clone();
        if let Some(jobs) = self.jobs {
            options.jobs = usize::from(jobs);
        }
        options.max_file_bytes = self.max_file_mb.saturating_mul(1_000_000);
        options.prune = self.prune;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `--sink-retries` and `--retries` once shared clap's id
    /// `retries`, and every run failed with "the following required
    /// argument was not provided: retries".
    #[test]
    fn every_flag_has_its_own_id() {
        use clap::CommandFactory;
        Args::command().debug_assert();
        let args =
            Args::try_parse_from(["ingest", "--sink-retries", "1", "--retries", "2", "docs"])
                .expect("both flags parse");
        assert_eq!((args.sink.retries, args.web.retries), (1, 2));
        Args::try_parse_from(["ingest", "docs"]).expect("no flag is required");
    }
}
