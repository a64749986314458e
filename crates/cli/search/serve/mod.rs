//! `search --serve`: the section index over HTTP/1.1, and the search page.
//!
//! - `GET /search?q=…&limit=…&offset=…&group=…&filter=…&snippet=…&lang=…` answers
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
//! With `--engine URL` the server sits in front of a distributed engine
//! instead of a local index (`rubric-remote`'s [`RemoteSearch`]): `/search`
//! answers the same JSON from the engine (no `group`, no suggestions), the
//! article routes answer 404 (an engine holds sections, not outlines), and
//! `/health` names the engine. An engine that fails answers 502 with no
//! detail (the detail is logged).
//!
//! Bad parameters get a 400 with `{"error": …, "status": 400}`; nothing a
//! client sends makes a 500 or a panic. Searches run on Tokio's blocking pool,
//! a few at a time ([`Limits::searches`]), behind a bound on requests in
//! flight and a time-out.
//!
//! This module owns the server's life: its [`Config`], the
//! runtime, the listener and its connections (hyper's HTTP/1.1 server; no
//! TLS, no HTTP/2, no client), and graceful shutdown. The rest is by job:
//!
//! - [`addr`]: the address to listen on, as a person writes it;
//! - [`limits`]: the bounds on what a client may ask ([`Limits`]);
//! - [`conn`]: the share of connections one address may hold, and the
//!   send time-out (slow clients cannot take the server from others);
//! - [`reload`]: the index reader, picking up new commits;
//! - [`http`]: one request's plumbing: routing, CORS, common headers, the
//!   access log, the body check, JSON and HTML responses, errors;
//! - [`handlers`]: what each route answers;
//! - [`params`]: the query string and each route's checked parameters;
//! - [`public`]: what is shown of where an article came from (file
//!   sources relative to the folder they were ingested from, never the
//!   machine's absolute paths);
//! - [`view`]: the HTML view of an article.
//!
//! Ranking, query parsing, snippets and a hit's JSON are `rubric-index`'s.

mod addr;
mod conn;
mod handlers;
mod http;
mod limits;
pub(crate) mod params;
mod public;
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
pub use limits::Limits;
use limits::shorten;
use reload::Live;
use rubric_remote::{Endpoint, RemoteSearch};

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
    /// Hybrid ranking: the model is loaded once, at start, when the index
    /// holds vectors (and `--lexical` is not given).
    pub semantic: crate::semantic::Settings,
    /// A distributed engine to answer from instead of the index folder.
    pub engine: Option<Endpoint>,
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub fn run(config: Config) -> anyhow::Result<ExitCode> {
    let live = match &config.engine {
        Some(_) => None,
        None => Some(Live::open(config.index.clone())?),
    };
    let embedder = match &live {
        Some(live) => {
            crate::semantic::Embedder::open(&live.reader(), &config.semantic)?.map(Arc::new)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.limits.searches + 2)
        .thread_name("search-serve")
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(serve(config, live, embedder))?;
    Ok(ExitCode::SUCCESS)
}

/// What requests share.
struct Shared {
    config: Config,
    /// The local index (none with an engine).
    index: Option<Arc<Live>>,
    /// The engine (`--engine`).
    engine: Option<RemoteSearch>,
    in_flight: Semaphore,
    searches: Arc<Semaphore>,
    /// Embeds queries when the index holds vectors.
    embedder: Option<Arc<crate::semantic::Embedder>>,
}

async fn serve(
    config: Config,
    live: Option<Live>,
    embedder: Option<Arc<crate::semantic::Embedder>>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let bound = listener.local_addr().context("no local address")?;
    // The one line on stdout: tests and scripts read the port from it.
    match &config.engine {
        Some(engine) => println!("search: serving http://{bound}/ (engine {engine})"),
        None => println!(
            "search: serving http://{bound}/ (index {})",
            config.index.display()
        ),
    }
    let shared = Arc::new(Shared {
        index: live.map(Arc::new),
        engine: config
            .engine
            .as_ref()
            .map(|e| RemoteSearch::new(e, rubric_remote::HttpOptions::default())),
        in_flight: Semaphore::new(config.limits.in_flight),
        searches: Arc::new(Semaphore::new(config.limits.searches)),
        embedder,
        config,
    });
    let reloader = shared
        .index
        .clone()
        .map(|index| tokio::spawn(index.watch(shared.config.limits.reload_every)));
    let connections = Arc::new(Semaphore::new(shared.config.limits.connections));
    let per_client = conn::PerClient::new(shared.config.limits.per_client);
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
        let Some(admitted) = per_client.admit(peer.ip()) else {
            debug!("{peer}: too many connections from this address; closed");
            continue;
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
            .serve_connection(
                TokioIo::new(conn::with_send_timeout(stream, limits.send_timeout)),
                service,
            );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                debug!("connection from {peer}: {err}");
            }
            drop((permit, admitted));
        });
    }
    info!("shutting down: no new connections; waiting for requests in flight");
    if let Some(reloader) = reloader {
        reloader.abort();
    }
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
