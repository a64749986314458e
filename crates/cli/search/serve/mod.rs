//! `search --serve`: the section index over HTTP/1.1, and the search page.
//!
//! - `GET /search?q=…&limit=…&offset=…&group=…&filter=…&snippet=…` answers
//!   with the JSON object of design.md, plus `offset`, `limit`, (with
//!   `group=1`) `articles` and `groups`, and `suggestion` ("did you mean")
//!   when the query found nothing or only close spellings;
//! - `GET /articles/{id}` answers with the article's outline (`?text=1` adds
//!   each section's text); `?format=html` is a readable page of the article
//!   (headings with their anchors as ids, so `#anchor` lands on a section),
//!   where the search page links hits of articles with no web page;
//! - `GET /health` answers `ok` with the index's article and section counts
//!   and the time of its last commit;
//! - `GET /` is the search page (`page.html`, self-contained).
//!
//! Bad parameters get a 400 with `{"error": …, "status": 400}`; nothing a
//! client sends makes a 500 or a panic. Searches run on Tokio's blocking pool,
//! a few at a time ([`Limits::searches`]), behind a bound on requests in
//! flight and a time-out.
//!
//! This module owns the server's life: its [`Config`] and [`Limits`], the
//! runtime, the listener and its connections (hyper's HTTP/1.1 server; no
//! TLS, no HTTP/2, no client), and graceful shutdown. The rest is by job:
//!
//! - [`addr`]: the address to listen on, as a person writes it;
//! - [`reload`]: the index reader, picking up new commits;
//! - [`http`]: one request's plumbing: routing, CORS, common headers, the
//!   access log, the body check, JSON and HTML responses, errors;
//! - [`handlers`]: what each route answers;
//! - [`params`]: the query string and each route's checked parameters;
//! - [`view`]: the HTML view of an article.
//!
//! Ranking, query parsing, snippets and a hit's JSON are `rubric-index`'s.

mod addr;
mod handlers;
mod http;
mod params;
mod reload;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tracing::{debug, info, warn};

pub use addr::parse_addr;
pub use http::parse_origin;
use reload::Live;

/// The address `--serve` binds when given none: loopback only.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 7700);

/// What `search --serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (port 0: any free port; the bound address is printed).
    pub addr: SocketAddr,
    /// The index folder.
    pub index: PathBuf,
    /// The one origin allowed to call the API from a browser (`*` for any);
    /// `None`: no CORS headers.
    pub cors: Option<HeaderValue>,
    /// The bounds on what a client may ask.
    pub limits: Limits,
}

/// The bounds on requests. [`Limits::default`] is what the binary uses.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest `q`, in characters.
    pub query_chars: usize,
    /// Largest `limit`.
    pub max_limit: usize,
    /// Largest `offset`.
    pub max_offset: usize,
    /// Most `filter` parameters, and the longest one in characters.
    pub max_filters: usize,
    /// Longest article id in `/articles/{id}`, in bytes.
    pub id_bytes: usize,
    /// Largest request head (request line and headers), in bytes.
    pub head_bytes: usize,
    /// Largest request body, in bytes (the API takes none).
    pub body_bytes: u64,
    /// Open connections at most; more wait to be accepted.
    pub connections: usize,
    /// Requests in flight at most; more get a 503 at once.
    pub in_flight: usize,
    /// Searches running at once; more wait their turn (within the time-out).
    pub searches: usize,
    /// Longest a request may wait and run before it gets a 503.
    pub request_timeout: Duration,
    /// Longest a client may take to send a request head.
    pub head_timeout: Duration,
    /// How often the index is checked for a new commit.
    pub reload_every: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            // A search box needs far less than the index's own cut-off.
            query_chars: 2_000.min(rubric_index::MAX_QUERY_CHARS),
            max_limit: 100,
            max_offset: 10_000,
            max_filters: 8,
            id_bytes: 2_048,
            head_bytes: 16 * 1024,
            body_bytes: 0,
            connections: 1_024,
            in_flight: 512,
            searches: cores.max(2),
            request_timeout: Duration::from_secs(10),
            head_timeout: Duration::from_secs(10),
            reload_every: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub fn run(config: Config) -> anyhow::Result<ExitCode> {
    let live = Live::open(config.index.clone())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.limits.searches + 2)
        .thread_name("search-serve")
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(serve(config, live))?;
    Ok(ExitCode::SUCCESS)
}

/// What requests share.
struct Shared {
    config: Config,
    index: Arc<Live>,
    in_flight: Semaphore,
    searches: Arc<Semaphore>,
}

async fn serve(config: Config, live: Live) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let bound = listener.local_addr().context("no local address")?;
    // The one line on stdout: tests and scripts read the port from it.
    println!(
        "search: serving http://{bound}/ (index {})",
        config.index.display()
    );
    let shared = Arc::new(Shared {
        index: Arc::new(live),
        in_flight: Semaphore::new(config.limits.in_flight),
        searches: Arc::new(Semaphore::new(config.limits.searches)),
        config,
    });
    let reloader = tokio::spawn(
        shared
            .index
            .clone()
            .watch(shared.config.limits.reload_every),
    );
    let connections = Arc::new(Semaphore::new(shared.config.limits.connections));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit?,
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait, go on.
                    warn!("accept: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = {
            let shared = shared.clone();
            service_fn(move |req| http::handle(req, shared.clone(), peer))
        };
        let limits = &shared.config.limits;
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.head_timeout)
            .max_buf_size(limits.head_bytes.max(8192))
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                debug!("connection from {peer}: {err}");
            }
            drop(permit);
        });
    }
    info!("shutting down: no new connections; waiting for requests in flight");
    reloader.abort();
    let grace = shared.config.limits.shutdown_grace;
    tokio::select! {
        () = graceful.shutdown() => info!("all connections closed"),
        () = tokio::time::sleep(grace) => warn!("some connections still open after {grace:?}; closing"),
    }
    eprintln!("search: stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            warn!("cannot listen for Ctrl-C: {err}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// At most `max` characters of `s`, with `…` when cut (for messages and the
/// access log).
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}
