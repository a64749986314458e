//! `search`: the small query binary. It opens the section index, answers one
//! query (or a file of `qid<TAB>query` lines) and prints the matching
//! sections, or with `--group` the matching articles with their sections, as
//! text, JSON or TREC run lines; `--serve` answers over HTTP instead. When
//! the index holds section vectors, ranking is hybrid (`semantic`: the query
//! is embedded by the model kept in the index). It links `rubric-index` and
//! `rubric-embed` only: no HTML parser and no HTTP client, and an index
//! without vectors loads no model, so it starts fast. With `--engine
//! quickwit://HOST:PORT/INDEX` the query goes to a distributed engine
//! instead (`rubric-remote`: hyper's plain HTTP/1.1 client, the same hyper
//! as the server, no TLS; lexical only, it holds no vectors) and prints the
//! same way. Exit status: 0 hits, 1 none, 2 error (an empty query is one).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use rubric_index::{IndexReader, SearchRequest, SearchResponse};

#[path = "../common.rs"]
mod common;
// Each binary reads the keys it needs (`[serve]` is search's, the rest ingest's).
#[allow(dead_code)]
#[path = "../config.rs"]
mod config;
mod render;
mod semantic;
mod serve;

/// Searches the section index and prints the best sections first.
///
/// Query language: words (any may match; sections with all rank first),
/// "exact phrases", +required, -excluded, AND / OR / NOT, ( groups ),
/// title: heading: path: text: to search one field, tag: and source: to
/// filter. Misspelt words of 4+ letters also match close spellings; when a
/// query finds nothing (or only such close spellings), "Did you mean: …?"
/// offers the corrected query.
#[derive(Debug, Parser)]
#[command(name = "search", version, about)]
struct Args {
    /// The query (several arguments are joined with spaces).
    #[arg(required_unless_present_any = ["queries", "serve"])]
    query: Vec<String>,
    /// Index folder to read [default: `index` of rubric.toml, else index].
    #[arg(long)]
    index: Option<PathBuf>,
    /// The configuration file [default: rubric.toml, when there is one].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Search a distributed engine's index instead of the local one:
    /// quickwit://HOST:PORT/INDEX (filled by `ingest --sink`; plain HTTP).
    /// Not with --group or --explain; with --serve, the server answers
    /// from the engine.
    #[arg(long, value_name = "URL", conflicts_with_all = ["group", "explain"])]
    engine: Option<String>,
    /// How many sections (with --group: articles) to return.
    #[arg(long, short = 'n', default_value_t = 10)]
    limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// One entry per article, with every matching section under it.
    #[arg(long)]
    group: bool,
    /// Show the parts of each hit's score (field, term, kind).
    #[arg(long)]
    explain: bool,
    /// Only hits that also match FILTER (`tag:skin`, `source:corpus/`,
    /// `heading:acne`); repeatable; does not change scores.
    #[arg(long, value_name = "FILTER")]
    filter: Vec<String>,
    /// The query's language (a tag such as `de`): analysed as that
    /// language's articles are, it finds only them. Without it a query is
    /// analysed for every language the index holds.
    #[arg(long, value_name = "CODE", value_parser = serve::params::parse_language)]
    lang: Option<String>,
    /// Snippet length in characters.
    #[arg(long, value_name = "N", default_value_t = rubric_index::DEFAULT_SNIPPET_CHARS as u64,
          value_parser = clap::value_parser!(u64).range(20..=100_000))]
    snippet_chars: u64,
    /// Rank by words alone, even when the index holds section vectors
    /// (by default such an index is searched by words and meaning together).
    #[arg(long, help_heading = "Semantic search")]
    lexical: bool,
    /// With vectors: how many of the best hits by words are reranked by
    /// fusing their scores with the query's cosine similarity.
    #[arg(long, value_name = "N", default_value_t = rubric_index::DEFAULT_CANDIDATES as u64,
          value_parser = clap::value_parser!(u64).range(1..=10_000),
          help_heading = "Semantic search")]
    candidates: u64,
    /// With vectors: how many sections nearest to the query by meaning join
    /// the candidates (a scan over every vector; 0: none). Only for queries
    /// of plain words (no phrase, operator or field).
    #[arg(long, value_name = "N", default_value_t = rubric_index::DEFAULT_RECALL as u64,
          value_parser = clap::value_parser!(u64).range(0..=10_000),
          help_heading = "Semantic search")]
    dense_recall: u64,
    /// With vectors: embed queries with the model in DIR instead of the copy
    /// kept in the index folder (it must be the same model).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "lexical",
        help_heading = "Semantic search"
    )]
    model: Option<PathBuf>,
    /// Answer each `qid<TAB>query` line of FILE (`-` for stdin), one result per line.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    queries: Option<PathBuf>,
    /// Serve the index over HTTP at ADDR (PORT, :PORT, HOST:PORT or
    /// localhost:PORT; default `addr` of rubric.toml's [serve], else
    /// 127.0.0.1:7700): the JSON API (/search, /articles/{id}, /health) and
    /// a search page at /.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, require_equals = false,
          conflicts_with_all = ["query", "queries"], help_heading = "Server",
          value_parser = serve::parse_addr)]
    serve: Option<Option<std::net::SocketAddr>>,
    /// With --serve: let pages from ORIGIN (or `*`, any) call the API; no CORS headers without it
    /// [default: `cors` of rubric.toml's [serve]].
    #[arg(long, value_name = "ORIGIN", requires = "serve", help_heading = "Server",
          value_parser = serve::parse_origin)]
    cors: Option<hyper::header::HeaderValue>,
    /// With --serve: most connections open at once (more wait to be accepted); one
    /// client address may hold an eighth of them (more are closed at once).
    #[arg(long, value_name = "N", requires = "serve", help_heading = "Server",
          default_value_t = 1_024, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    max_connections: u32,
    #[command(flatten)]
    verbosity: common::Verbosity,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For a person: trail, link, snippet.
    Text,
    /// One JSON object per query (design.md).
    Json,
    /// TREC run lines: `qid Q0 id rank score rubric`.
    Trec,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.cors.is_some() && args.serve.is_none() {
        // clap's `requires` does not hold it here (`--serve` takes an
        // optional value), so it is checked by hand, with clap's message.
        Args::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--cors needs --serve",
            )
            .exit();
    }
    args.verbosity.init_logging(&[]);
    common::report("search", run(args))
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = config::Loaded::load(args.config.as_deref())?;
    let index = loaded.index(args.index.as_deref());
    if args.engine.is_some() && args.model.is_some() {
        anyhow::bail!("--model cannot be used with --engine: a remote engine holds no vectors");
    }
    if let Some(addr) = args.serve {
        let semantic = args.semantic();
        let (addr, cors) = serve_settings(&loaded, addr, args.cors)?;
        let engine = match &args.engine {
            Some(url) => Some(engine(url)?),
            None => None,
        };
        return serve::run(serve::Config {
            addr,
            index,
            cors,
            engine,
            limits: serve::Limits::with_connections(
                usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            ),
            semantic,
        });
    }
    let format = if args.json { Format::Json } else { args.format };
    let template = SearchRequest {
        limit: args.limit,
        group: args.group,
        filters: args.filter.clone(),
        snippet_chars: usize::try_from(args.snippet_chars).unwrap_or(usize::MAX),
        explain: args.explain,
        language: args.lang.clone(),
        // A TREC run is for a scorer: no "did you mean".
        suggest: format != Format::Trec,
        ..SearchRequest::new("")
    };
    let backend = match &args.engine {
        Some(url) => Backend::Remote(rubric_remote::RemoteSearch::new(
            &engine(url)?,
            rubric_remote::HttpOptions::default(),
        )),
        None => Backend::Local(match IndexReader::open(&index) {
            Ok(reader) => reader,
            // "no index at PATH: run `ingest` first" says it all.
            Err(e @ rubric_index::IndexError::Missing(_)) => return Err(e.into()),
            Err(e) => {
                return Err(anyhow::Error::new(e))
                    .with_context(|| format!("cannot open the index at {}", index.display()));
            }
        }),
    };
    let embedder = match &backend {
        Backend::Local(reader) => semantic::Embedder::open(reader, &args.semantic())?,
        Backend::Remote(_) => None,
    };
    let searcher = Searcher {
        backend: &backend,
        embedder: embedder.as_ref(),
    };
    let mut out = anstream::stdout().lock();
    let found_any = match &args.queries {
        Some(file) => batch(&searcher, file, &template, format, &mut out)?,
        None => {
            let request = SearchRequest {
                query: args.query.join(" "),
                ..template
            };
            let response = searcher.search(request)?;
            print(&mut out, &response, None, format)?;
            !response.is_empty()
        }
    };
    out.flush()?;
    Ok(if found_any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The engine of `--engine URL`, with a note when it is one Rubric was not
/// run against.
fn engine(url: &str) -> anyhow::Result<rubric_remote::Endpoint> {
    let endpoint: rubric_remote::Endpoint = url.parse()?;
    if endpoint.engine != rubric_remote::Engine::Quickwit {
        eprintln!(
            "search: note: searching {} follows its documented API but has not been tested against a real {}",
            endpoint.engine, endpoint.engine
        );
    }
    Ok(endpoint)
}

/// Where queries are answered: the local index or a remote engine.
// One per process: boxing either side buys nothing.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Local(IndexReader),
    Remote(rubric_remote::RemoteSearch),
}

impl Backend {
    fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResponse> {
        Ok(match self {
            Backend::Local(reader) => reader.search(request)?,
            Backend::Remote(remote) => remote.search_blocking(request, true)?,
        })
    }
}

/// Where `--serve` listens and whom it lets call it: the flags', else
/// rubric.toml's `[serve]` (checked as the flags are, naming the file), else
/// loopback and no CORS.
fn serve_settings(
    loaded: &config::Loaded,
    addr: Option<std::net::SocketAddr>,
    cors: Option<hyper::header::HeaderValue>,
) -> anyhow::Result<(std::net::SocketAddr, Option<hyper::header::HeaderValue>)> {
    let file = || {
        loaded
            .file
            .as_deref()
            .map_or_else(String::new, |f| f.display().to_string())
    };
    let addr = match (addr, &loaded.config.serve.addr) {
        (Some(addr), _) => addr,
        (None, Some(addr)) => {
            serve::parse_addr(addr).with_context(|| format!("{}: [serve] addr", file()))?
        }
        (None, None) => serve::DEFAULT_ADDR,
    };
    let cors = match (cors, &loaded.config.serve.cors) {
        (Some(cors), _) => Some(cors),
        (None, Some(cors)) => {
            Some(serve::parse_origin(cors).with_context(|| format!("{}: [serve] cors", file()))?)
        }
        (None, None) => None,
    };
    Ok((addr, cors))
}

impl Args {
    /// What the semantic flags ask for.
    fn semantic(&self) -> semantic::Settings {
        semantic::Settings {
            lexical: self.lexical,
            model: self.model.clone(),
            candidates: usize::try_from(self.candidates).unwrap_or(usize::MAX),
            recall: usize::try_from(self.dense_recall).unwrap_or(usize::MAX),
        }
    }
}

/// The index (or engine) and, when the index holds vectors, the model that
/// embeds queries.
struct Searcher<'a> {
    backend: &'a Backend,
    embedder: Option<&'a semantic::Embedder>,
}

impl Searcher<'_> {
    /// Answers `request`, by hybrid ranking when there is a model (the time
    /// to embed the query is part of `took_ms`).
    fn search(&self, mut request: SearchRequest) -> anyhow::Result<SearchResponse> {
        let mut embed_ms = 0.0;
        if let Some(embedder) = self.embedder {
            let (dense, ms) = embedder.dense(&request.query)?;
            request.dense = Some(dense);
            embed_ms = ms;
        }
        let mut response = self.backend.search(&request)?;
        response.took_ms = ((response.took_ms + embed_ms) * 1e3).round() / 1e3;
        Ok(response)
    }
}

/// Prints one answer; notes on how a malformed query was read go to stderr.
fn print(
    out: &mut impl Write,
    response: &SearchResponse,
    qid: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    for note in &response.notes {
        let note = rubric_core::text::escape_controls(note);
        match qid {
            Some(qid) => eprintln!("search: note: query {qid}: {note}"),
            None => eprintln!("search: note: {note}"),
        }
    }
    match format {
        Format::Json => render::json(out, response),
        Format::Trec => render::trec(out, qid.unwrap_or("1"), response),
        Format::Text => render::text(out, response),
    }
}

/// Answers every `qid<TAB>query` line; a query that fails is reported on
/// stderr and answered with no hits, so one bad line does not stop the batch.
fn batch(
    searcher: &Searcher<'_>,
    file: &Path,
    template: &SearchRequest,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let input: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file)
            .with_context(|| format!("cannot read queries from {}", file.display()))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut found_any = false;
    for (n, line) in input.lines().enumerate() {
        let at = || format!("{}:{}", file.display(), n + 1);
        let line = line.with_context(|| format!("{}: cannot read", at()))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, text)) = line.split_once('\t') else {
            eprintln!("search: {}: expected `qid<TAB>query`, skipped", at());
            continue;
        };
        if format == Format::Text {
            let (qid, text) = (
                rubric_core::text::escape_controls(qid),
                rubric_core::text::escape_controls(text),
            );
            writeln!(out, "# {qid}\t{text}")?;
        }
        let request = SearchRequest {
            query: text.to_string(),
            ..template.clone()
        };
        let mut response = match searcher.search(request.clone()) {
            Ok(response) => response,
            Err(err) => {
                eprintln!("search: {}: {}", at(), common::chain(err.as_ref()));
                // Still one line per query in JSON, so qids stay aligned.
                if format != Format::Json {
                    continue;
                }
                SearchResponse::empty(&request)
            }
        };
        response.qid = Some(qid.to_string());
        found_any |= !response.is_empty();
        print(out, &response, Some(qid), format)?;
    }
    Ok(found_any)
}
