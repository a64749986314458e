//! `ingest`'s flags, and turning them with the configuration file's
//! settings (`config`) into what the run needs: the
//! [`rubric_ingest::Options`] and the [`Mode`]. Checked here, before any
//! source is read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::{common, config};

/// The token windows `--semantic-tokens` may ask for.
const TOKENS: std::ops::RangeInclusive<i64> = 8..=8192;

/// Reads articles (plain text, Markdown, HTML, JSON Lines) from files and
/// folders, finds their sections and indexes one document per section.
///
/// Settings come from the flags, then `rubric.toml` (or --config FILE),
/// then the defaults.
#[derive(Debug, Parser)]
#[command(name = "ingest", version, about)]
pub struct Args {
    /// Files or folders to read (folders are walked recursively), or http(s)
    /// URLs of pages [default: `sources` of rubric.toml, else corpus]
    pub sources: Vec<PathBuf>,
    /// Index folder to write [default: `index` of rubric.toml, else index].
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// The configuration file [default: rubric.toml, when there is one].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// Files larger than this many MB are refused with an error [default: 256].
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_file_mb: Option<u64>,
    /// The language (a tag such as `de` or `pt-BR`) of articles that do not
    /// say theirs (`<html lang>`, front matter or a record's `lang`) and
    /// whose text is too short to tell [default: `lang` in rubric.toml];
    /// without it such articles have no language and are analysed as
    /// English.
    #[arg(long, value_name = "CODE")]
    pub lang: Option<String>,
    #[command(flatten)]
    pub files: FileArgs,
    /// Semantic search: give every section a vector made by a local
    /// sentence-transformers model (BERT family), copied into the index
    /// folder the first time [default MODEL_DIR: the index's own model, else
    /// models/all-MiniLM-L6-v2]. An index that holds vectors keeps getting
    /// them without the flag.
    #[arg(long, value_name = "MODEL_DIR", num_args = 0..=1, require_equals = true,
          default_missing_value = "", conflicts_with = "dry_run", help_heading = "Semantic search",
          value_parser = clap::value_parser!(std::ffi::OsString))]
    // OsString, not PathBuf: clap's PathBuf parser refuses the empty value
    // a bare `--semantic` stands for.
    pub semantic: Option<std::ffi::OsString>,
    /// Tokens of each section the model reads (title, headings, then text)
    /// [default: 128 (the model's own window if shorter), or what the index
    /// was built with].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(TOKENS),
          help_heading = "Semantic search")]
    pub semantic_tokens: Option<u16>,
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
        id = "sink_config",
        long = "sink-config",
        value_name = "ENGINE",
        value_parser = ["quickwit", "elasticsearch", "opensearch"]
    )]
    pub config: Option<String>,
    /// Write every section of the sources to FILE exactly as a sink would
    /// send it, for your own bulk loader: `ndjson` (one document per line,
    /// Quickwit's ingest body) or `bulk` (Elasticsearch/OpenSearch `_bulk`
    /// body: an index action keyed by section id before each document). A
    /// full snapshot of this run: nothing is compared, deleted or kept.
    #[arg(
        help_heading = "Remote sink",
        long = "export",
        num_args = 2,
        value_names = ["FORMAT", "FILE"],
        conflicts_with_all = ["dry_run", "check", "prune", "rebuild", "url"]
    )]
    pub export: Option<Vec<String>>,
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

/// Which files are taken, and where their pages are published.
#[derive(Debug, Clone, clap::Args)]
pub struct FileArgs {
    /// The URL the sources are published at: a file's hits link to its
    /// page there (`a/b.html` -> URL/a/b.html, `a/index.html` -> URL/a/,
    /// `a/b.md` -> URL/a/b/); front matter `url`/`permalink`/`slug` and a
    /// record's `url` win.
    #[arg(help_heading = "Files", long, value_name = "URL")]
    pub site_url: Option<String>,
    /// With --site-url: HTML pages are served without their extension
    /// (`a/b.html` -> URL/a/b/).
    #[arg(help_heading = "Files", long)]
    pub pretty_urls: bool,
    /// Take only files matching GLOB (gitignore syntax, as ripgrep's -g;
    /// repeatable). .gitignore, .ignore and .rubricignore files are always
    /// honoured, and hidden files left out.
    #[arg(help_heading = "Files", long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
    /// Leave out files and folders matching GLOB (repeatable).
    #[arg(help_heading = "Files", long, value_name = "GLOB")]
    pub exclude: Vec<String>,
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
    /// (robots.txt `Crawl-delay` raises it) [default: 250].
    #[arg(help_heading = "Web sources", long, value_name = "MS")]
    pub delay: Option<u64>,
    /// Time-out of one request, in seconds (connecting is also capped at
    /// 10 s) [default: 30].
    #[arg(help_heading = "Web sources", long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Retries of a request that timed out, lost its connection or got 429
    /// or 5xx [default: 3].
    #[arg(help_heading = "Web sources", long, value_name = "N")]
    pub retries: Option<u32>,
    /// Pages larger than this many MB are refused with an error [default: 10].
    #[arg(help_heading = "Web sources", long, value_name = "MB",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_page_mb: Option<u64>,
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

    /// What `--semantic` (else `semantic` of the file) asks for, and the
    /// window `--semantic-tokens` (else `semantic-tokens`) gives.
    pub fn semantic(
        &self,
        loaded: &config::Loaded,
    ) -> anyhow::Result<(rubric_ingest::Semantic, Option<usize>)> {
        use rubric_ingest::Semantic;
        let file = &loaded.config;
        let semantic = match (&self.semantic, &file.semantic) {
            (Some(dir), _) if dir.is_empty() => Semantic::On(None),
            (Some(dir), _) => Semantic::On(Some(PathBuf::from(dir))),
            (None, Some(config::Semantic::On(true))) => Semantic::On(None),
            (None, Some(config::Semantic::Model(dir))) => Semantic::On(Some(loaded.path(dir))),
            (None, Some(config::Semantic::On(false)) | None) => Semantic::AsIndexed,
        };
        if semantic != Semantic::AsIndexed {
            let other = if self.sink.url.is_some() {
                Some("--sink")
            } else if self.sink.export.is_some() {
                Some("--export")
            } else {
                None
            };
            if let Some(other) = other {
                let from = if self.semantic.is_some() {
                    "--semantic".to_string()
                } else {
                    format!("`semantic` in {}", config::FILE)
                };
                anyhow::bail!(
                    "{from} cannot be used with {other}: section vectors are kept in a local index only, a remote engine or an export gets none"
                );
            }
        }
        let tokens = self.semantic_tokens.or(file.semantic_tokens);
        if let Some(tokens) = tokens {
            if !TOKENS.contains(&i64::from(tokens)) {
                anyhow::bail!(
                    "semantic-tokens must be within {}..={}, not {tokens}",
                    TOKENS.start(),
                    TOKENS.end()
                );
            }
            if semantic == Semantic::AsIndexed {
                anyhow::bail!(
                    "--semantic-tokens needs --semantic (or `semantic` in {})",
                    config::FILE
                );
            }
        }
        Ok((semantic, tokens.map(usize::from)))
    }

    /// The run's options, checked, with the configuration file's settings
    /// under the flags': the sources split into paths and URLs (`corpus`
    /// when none is given anywhere), limits in bytes, the fetch settings.
    pub fn options(&self, loaded: &config::Loaded) -> anyhow::Result<rubric_ingest::Options> {
        let file = &loaded.config;
        // Paths in the file are relative to it; URLs are URLs.
        let paths = |list: &Option<Vec<PathBuf>>| -> Vec<PathBuf> {
            list.iter()
                .flatten()
                .map(|p| match p.to_str() {
                    Some(s) if rubric_fetch::is_web_url(s) => p.clone(),
                    _ => loaded.path(p),
                })
                .collect()
        };
        let sources = if self.sources.is_empty() {
            paths(&file.sources)
        } else {
            self.sources.clone()
        };
        let lists = if self.web.urls.is_empty() {
            paths(&file.web.urls)
        } else {
            self.web.urls.clone()
        };
        let sitemaps = if self.web.sitemap.is_empty() {
            file.web.sitemap.clone().unwrap_or_default()
        } else {
            self.web.sitemap.clone()
        };
        let mut web = rubric_ingest::WebSources {
            lists,
            sitemaps,
            ..Default::default()
        };
        let mut roots = web.split_sources(&sources);
        if sources.is_empty() && web.is_empty() {
            roots.push(loaded.path(Path::new("corpus")));
        }
        let timeout = self.web.timeout.or(file.web.timeout_secs).unwrap_or(30.0);
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .context("--timeout must be a positive number of seconds")?;
        let max_page_mb = self.web.max_page_mb.or(file.web.max_page_mb).unwrap_or(10);
        let max_file_mb = self.max_file_mb.or(file.max_file_mb).unwrap_or(256);
        if max_page_mb == 0 || max_file_mb == 0 {
            anyhow::bail!("max-file-mb and max-page-mb must be at least 1");
        }
        let fetch = rubric_fetch::Options {
            jobs: self.jobs.or(file.web.jobs).map_or(8, usize::from),
            delay: Duration::from_millis(self.web.delay.or(file.web.delay_ms).unwrap_or(250)),
            timeout,
            connect_timeout: Duration::from_secs(10),
            retries: self.web.retries.or(file.web.retries).unwrap_or(3),
            max_body: max_page_mb.saturating_mul(1_000_000),
            offline: self.web.offline,
            ..rubric_fetch::Options::default()
        };
        let mut options = rubric_ingest::Options::new(roots);
        options.web = web;
        options.fetch = fetch;
        options.index_dir = loaded.index(self.index.as_deref());
        if let Some(jobs) = self.jobs {
            options.jobs = usize::from(jobs);
        }
        options.max_file_bytes = max_file_mb.saturating_mul(1_000_000);
        options.prune = self.prune;
        options.filter = rubric_ingest::Filter {
            globs: pick(&self.files.glob, &file.glob),
            excludes: pick(&self.files.exclude, &file.exclude),
        };
        let site_url = self.files.site_url.as_ref().or(file.site_url.as_ref());
        let pretty = self.files.pretty_urls || file.pretty_urls.unwrap_or(false);
        options.site = match site_url {
            Some(url) => Some(rubric_ingest::SiteUrl::new(url, pretty)?),
            None if self.files.pretty_urls => anyhow::bail!("--pretty-urls needs --site-url"),
            None => None,
        };
        let lang = match (&self.lang, &file.lang) {
            (Some(lang), _) => Some((lang, "--lang".to_string())),
            (None, Some(lang)) => {
                let shown = loaded.file.as_deref().unwrap_or(Path::new(config::FILE));
                Some((lang, format!("lang in {}", shown.display())))
            }
            (None, None) => None,
        };
        if let Some((lang, said)) = lang {
            let code = rubric_ingest::language::normalize_tag(lang).with_context(|| {
                format!("{said}: {lang:?} is not a language tag (such as en, de or pt-BR)")
            })?;
            options.language = Some(code);
        }
        Ok(options)
    }
}

/// The flags' list when given, else the file's.
fn pick(flags: &[String], file: &Option<Vec<String>>) -> Vec<String> {
    if flags.is_empty() {
        file.clone().unwrap_or_default()
    } else {
        flags.to_vec()
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
        assert_eq!((args.sink.retries, args.web.retries), (1, Some(2)));
        Args::try_parse_from(["ingest", "docs"]).expect("no flag is required");
    }

    /// Regression: `--semantic` alone was refused by clap ("a value is
    /// required for '--semantic[=<MODEL_DIR>]'"): the PathBuf parser
    /// refuses the empty value a bare flag stands for.
    #[test]
    fn a_bare_semantic_flag_means_the_default_model() {
        let loaded = config::Loaded::default();
        let args = Args::try_parse_from(["ingest", "--semantic", "docs"]).unwrap();
        let (semantic, _) = args.semantic(&loaded).unwrap();
        assert_eq!(semantic, rubric_ingest::Semantic::On(None));
        let args = Args::try_parse_from(["ingest", "--semantic=m", "docs"]).unwrap();
        let (semantic, _) = args.semantic(&loaded).unwrap();
        assert_eq!(
            semantic,
            rubric_ingest::Semantic::On(Some(PathBuf::from("m")))
        );
    }

    #[test]
    fn semantic_is_refused_with_a_sink_or_an_export() {
        let loaded = config::Loaded::default();
        for extra in [
            &["--sink", "quickwit://127.0.0.1:7280/rubric"][..],
            &["--export", "ndjson", "out.ndjson"][..],
        ] {
            let mut argv = vec!["ingest", "--semantic"];
            argv.extend_from_slice(extra);
            argv.push("docs");
            let args = Args::try_parse_from(argv).unwrap();
            let err = args.semantic(&loaded).unwrap_err().to_string();
            assert!(
                err.contains("--semantic cannot be used with")
                    && err.contains(extra[0])
                    && err.contains("local index only"),
                "{err}"
            );
        }
        let args = Args::try_parse_from([
            "ingest",
            "--sink",
            "quickwit://127.0.0.1:7280/rubric",
            "docs",
        ])
        .unwrap();
        assert!(args.semantic(&loaded).is_ok());
    }

    #[test]
    fn export_takes_a_format_and_a_file_and_refuses_a_sink_beside_it() {
        let args = Args::try_parse_from(["ingest", "--export", "ndjson", "out.ndjson", "docs"])
            .expect("parses");
        assert_eq!(
            args.sink.export.as_deref(),
            Some(&["ndjson".to_string(), "out.ndjson".to_string()][..])
        );
        assert_eq!(args.sources, [PathBuf::from("docs")]);
        assert!(
            Args::try_parse_from([
                "ingest",
                "--export",
                "ndjson",
                "o",
                "--sink",
                "quickwit://h/i"
            ])
            .is_err()
        );
        assert!(Args::try_parse_from(["ingest", "--export", "ndjson"]).is_err());
    }
}
