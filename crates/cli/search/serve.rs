//! `search --serve`: the section index over HTTP/1.1, and the search page.
//!
//! Owns the listener and its connections (hyper's HTTP/1.1 server on a small
//! Tokio runtime; no TLS, no HTTP/2, no client), the routes, validating
//! parameters, the limits, CORS, the access log, picking up new commits and
//! graceful shutdown:
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
//! flight and a time-out. A background task watches the index's `meta.json`
//! and reloads on each new commit, reopening the index when it was rebuilt;
//! when that fails the last good reader keeps answering.
//!
//! Ranking, query parsing, snippets and a hit's JSON are `rubric-index`'s.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rubric_index::{IndexError, IndexReader, IndexStats, SearchRequest};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tracing::{debug, info, warn};

/// The address `--serve` binds when given none: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7700";

/// The search page, served at `/`.
const PAGE: &str = include_str!("page.html");

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
    let reader = IndexReader::open(&config.index)
        .with_context(|| format!("cannot open the index at {}", config.index.display()))?;
    let stats = reader
        .stats()
        .with_context(|| format!("cannot read the index at {}", config.index.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(config.limits.searches + 2)
        .thread_name("search-serve")
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(serve(config, reader, stats))?;
    Ok(ExitCode::SUCCESS)
}

/// What requests share.
struct Shared {
    config: Config,
    reader: RwLock<Arc<IndexReader>>,
    stats: RwLock<IndexStats>,
    in_flight: Semaphore,
    searches: Arc<Semaphore>,
}

async fn serve(config: Config, reader: IndexReader, stats: IndexStats) -> anyhow::Result<()> {
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
        stats: RwLock::new(stats),
        in_flight: Semaphore::new(config.limits.in_flight),
        searches: Arc::new(Semaphore::new(config.limits.searches)),
        reader: RwLock::new(Arc::new(reader)),
        config,
    });
    let reloader = tokio::spawn(watch_commits(shared.clone()));
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
            service_fn(move |req| handle(req, shared.clone(), peer))
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

// ---------------------------------------------------------------------------
// The reader and reloading

/// Checks for a new commit every [`Limits::reload_every`] until the server stops.
async fn watch_commits(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.config.limits.reload_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let shared = shared.clone();
        let _ = tokio::task::spawn_blocking(move || refresh(&shared)).await;
    }
}

/// Reloads when there is a new commit: the same reader when it can reload,
/// a new one when the index was rebuilt under it (requests that hold the
/// old one finish on it). On failure the last good reader goes on answering
/// and the next tick tries again.
fn refresh(shared: &Shared) {
    let reader = current(shared);
    match reader.reload_if_changed() {
        Ok(false) => return,
        Ok(true) => {}
        Err(err) => {
            debug!("reload failed ({err}); reopening the index");
            match IndexReader::open(&shared.config.index) {
                Ok(new) => {
                    *shared
                        .reader
                        .write()
                        .unwrap_or_else(PoisonError::into_inner) = Arc::new(new)
                }
                Err(err) => {
                    warn!("cannot reload the index (answering from the last commit seen): {err}");
                    return;
                }
            }
        }
    }
    match current(shared).stats() {
        Ok(stats) => {
            info!(
                "picked up a new commit: {} sections, {} articles",
                stats.sections, stats.articles
            );
            *shared.stats.write().unwrap_or_else(PoisonError::into_inner) = stats;
        }
        Err(err) => warn!("cannot read the index's counts: {err}"),
    }
}

fn current(shared: &Shared) -> Arc<IndexReader> {
    shared
        .reader
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

// ---------------------------------------------------------------------------
// Requests

type Body = Full<Bytes>;

/// Answers one request and writes its access-log line. Never fails: every
/// problem is an HTTP status.
async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    peer: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let mut response = match shared.in_flight.try_acquire() {
        Ok(_permit) => respond(&req, &shared).await,
        Err(_) => {
            let mut r = error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy: try again",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(origin) = &shared.config.cors {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    info!(
        target: "search::access",
        "{peer} \"{} {} {:?}\" {} {}B {:.1}ms",
        req.method(),
        shorten(&req.uri().to_string(), 300),
        req.version(),
        response.status().as_u16(),
        response.body().size_hint_exact(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}

/// The exact body length, for the access log.
trait SizeHint {
    fn size_hint_exact(&self) -> u64;
}

impl SizeHint for Body {
    fn size_hint_exact(&self) -> u64 {
        hyper::body::Body::size_hint(self).exact().unwrap_or(0)
    }
}

async fn respond(req: &Request<Incoming>, shared: &Shared) -> Response<Body> {
    let limits = &shared.config.limits;
    match *req.method() {
        Method::GET | Method::HEAD => {}
        Method::OPTIONS if shared.config.cors.is_some() => return preflight(),
        _ => {
            let mut r = error(
                StatusCode::METHOD_NOT_ALLOWED,
                "only GET and HEAD are served",
            );
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return r;
        }
    }
    if let Err(r) = check_body(req, limits.body_bytes) {
        return *r;
    }
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or("");
    let params = match parse_params(query) {
        Ok(params) => params,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    match path {
        "/" | "/index.html" => page(),
        "/health" => health(shared, &params),
        "/search" => search(shared, &params).await,
        _ => match path.strip_prefix("/articles/") {
            Some(id) => article(shared, id, &params).await,
            None => error(
                StatusCode::NOT_FOUND,
                "no such page: try /, /search, /articles/{id} or /health",
            ),
        },
    }
}

/// A request with a body is refused: the API takes none.
fn check_body(req: &Request<Incoming>, max: u64) -> Result<(), Box<Response<Body>>> {
    let headers = req.headers();
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return Err(Box::new(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "requests take no body",
        )));
    }
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>());
    match length {
        None => Ok(()),
        Some(Ok(n)) if n <= max => Ok(()),
        Some(_) => Err(Box::new(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "requests take no body",
        ))),
    }
}

fn preflight() -> Response<Body> {
    let mut r = Response::new(Body::default());
    *r.status_mut() = StatusCode::NO_CONTENT;
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

/// The search page: its script and styles are inline, and it may only
/// call this server.
fn page() -> Response<Body> {
    html_with_policy(
        StatusCode::OK,
        Body::from(PAGE),
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
         connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
    )
}

fn health(shared: &Shared, params: &Params) -> Response<Body> {
    if let Err(message) = params.only(&[]) {
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let stats = *shared.stats.read().unwrap_or_else(PoisonError::into_inner);
    let last_commit = stats.committed_at;
    json_response(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "index": shared.config.index.display().to_string(),
            "articles": stats.articles,
            "sections": stats.sections,
            "last_commit": last_commit.map(rfc3339),
            "version": env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// `/search`: validates every parameter first, then searches.
async fn search(shared: &Shared, params: &Params) -> Response<Body> {
    let limits = &shared.config.limits;
    let request = match search_request(params, limits) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    run_blocking(shared, move |reader| {
        let response = reader.search(&request)?;
        Ok(json_response(StatusCode::OK, &response))
    })
    .await
}

/// `/articles/{id}`: the id is the rest of the path, percent-decoded (so
/// `guides/a.md` and `guides%2Fa.md` are the same article).
async fn article(shared: &Shared, raw_id: &str, params: &Params) -> Response<Body> {
    let limits = &shared.config.limits;
    if raw_id.len() > limits.id_bytes * 3 {
        return error(StatusCode::BAD_REQUEST, "the article id is too long");
    }
    let id = match percent_decode(raw_id, false) {
        Ok(id) if id.is_empty() => {
            return error(
                StatusCode::BAD_REQUEST,
                "give an article id: /articles/{id}",
            );
        }
        Ok(id) if id.len() > limits.id_bytes => {
            return error(StatusCode::BAD_REQUEST, "the article id is too long");
        }
        Ok(id) => id,
        Err(message) => return error(StatusCode::BAD_REQUEST, &format!("article id: {message}")),
    };
    if let Err(message) = params.only(&["text", "format"]) {
        return error(StatusCode::BAD_REQUEST, &message);
    }
    let with_text = match params.flag("text") {
        Ok(flag) => flag,
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    let html = match params.one("format") {
        Ok(None | Some("json")) => false,
        Ok(Some("html")) => true,
        Ok(Some(other)) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("format must be json or html, not {:?}", shorten(other, 20)),
            );
        }
        Err(message) => return error(StatusCode::BAD_REQUEST, &message),
    };
    run_blocking(shared, move |reader| {
        let outline = reader.outline(&id, with_text || html)?;
        Ok(match (outline, html) {
            (Some(outline), false) => json_response(StatusCode::OK, &outline),
            (Some(outline), true) => html_response(StatusCode::OK, view::article(&outline)),
            (None, false) => error(
                StatusCode::NOT_FOUND,
                &format!("the index has no article {:?}", shorten(&id, 200)),
            ),
            (None, true) => html_response(StatusCode::NOT_FOUND, view::not_found(&id)),
        })
    })
    .await
}

/// An HTML page of ours (an article view or its 404): no script at all,
/// inline styles only, nothing loaded from elsewhere, never cached.
fn html_response(status: StatusCode, body: String) -> Response<Body> {
    let mut r = html_with_policy(
        status,
        Body::from(body),
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An HTML response with its Content-Security-Policy and no referrer.
fn html_with_policy(status: StatusCode, body: Body, policy: &'static str) -> Response<Body> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// The readable view of an article at `/articles/{id}?format=html`, for
/// articles with no web page of their own (read from files): the search
/// page links their hits here, `#anchor` landing on the section.
mod view {
    use rubric_index::Outline;

    /// The article: its title, where it came from, and each section's
    /// heading (`id` = its anchor) with its paragraphs and list items. All
    /// text from the index is escaped.
    pub fn article(outline: &Outline) -> String {
        let title = if outline.title.trim().is_empty() {
            outline.article.as_str()
        } else {
            outline.title.as_str()
        };
        let mut body = String::with_capacity(4096);
        body.push_str("<article>\n<header><h1>");
        body.push_str(&escape(title));
        body.push_str("</h1>\n<p class=\"source\">");
        match outline.url.as_deref() {
            Some(url) if is_web(url) => {
                body.push_str("Original: <a href=\"");
                body.push_str(&escape(url));
                body.push_str("\" rel=\"noreferrer\">");
                body.push_str(&escape(url));
                body.push_str("</a>");
            }
            _ => {
                body.push_str("Source: <code>");
                body.push_str(&escape(&outline.source));
                body.push_str("</code>");
            }
        }
        body.push_str("</p>\n</header>\n");
        for section in &outline.sections {
            body.push_str("<section>\n");
            if let Some(heading) = &section.heading {
                let level = section.level.clamp(2, 6);
                body.push_str(&format!("<h{level}"));
                if !section.anchor.is_empty() {
                    body.push_str(" id=\"");
                    body.push_str(&escape(&section.anchor));
                    body.push('"');
                }
                body.push('>');
                body.push_str(&escape(heading));
                body.push_str(&format!("</h{level}>\n"));
            }
            blocks(&mut body, section.text.as_deref().unwrap_or(""));
            body.push_str("</section>\n");
        }
        body.push_str("</article>\n");
        if outline.truncated {
            body.push_str(&format!(
                "<p class=\"note\">Only the first {} sections are shown.</p>\n",
                rubric_index::MAX_OUTLINE_SECTIONS
            ));
        }
        page(title, &body)
    }

    /// The page for an article the index does not have.
    pub fn not_found(id: &str) -> String {
        let shown: String = id.chars().take(200).collect();
        let body = format!(
            "<h1>No such article</h1>\n<p>The index has no article <code>{}</code>. \
             It may have been removed since the search was made.</p>\n",
            escape(&shown)
        );
        page("No such article", &body)
    }

    /// A section's text (one paragraph or list item a line, list items
    /// starting `- ` or `1. `) as `<p>`, `<ul>` and `<ol>`.
    fn blocks(out: &mut String, text: &str) {
        #[derive(PartialEq)]
        enum List {
            None,
            Bullets,
            Numbers,
        }
        let mut open = List::None;
        let close = |out: &mut String, open: &List| match open {
            List::Bullets => out.push_str("</ul>\n"),
            List::Numbers => out.push_str("</ol>\n"),
            List::None => {}
        };
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (kind, item, number) = if let Some(rest) = line.strip_prefix("- ") {
                (List::Bullets, rest, None)
            } else if let Some((n, rest)) = numbered(line) {
                (List::Numbers, rest, Some(n))
            } else {
                (List::None, line, None)
            };
            if kind != open {
                close(out, &open);
                match kind {
                    List::Bullets => out.push_str("<ul>\n"),
                    List::Numbers => out.push_str("<ol>\n"),
                    List::None => {}
                }
                open = kind;
            }
            match (&open, number) {
                (List::None, _) => {
                    out.push_str("<p>");
                    out.push_str(&escape(item));
                    out.push_str("</p>\n");
                }
                (_, Some(n)) => {
                    out.push_str(&format!("<li value=\"{n}\">"));
                    out.push_str(&escape(item));
                    out.push_str("</li>\n");
                }
                (_, None) => {
                    out.push_str("<li>");
                    out.push_str(&escape(item));
                    out.push_str("</li>\n");
                }
            }
        }
        close(out, &open);
    }

    /// `12. rest` → (12, "rest").
    fn numbered(line: &str) -> Option<(u32, &str)> {
        let (n, rest) = line.split_once(". ")?;
        if n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((n.parse().ok()?, rest))
    }

    fn is_web(url: &str) -> bool {
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }

    /// Text made safe in HTML content and quoted attributes.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }

    /// The whole page around `body`, in the search page's colours (light
    /// and dark), readable on a phone.
    fn page(title: &str, body: &str) -> String {
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title} · Rubric</title>
<link rel="icon" href="data:,">
<style>
  :root {{ --bg: #fff; --fg: #1b1b1f; --muted: #5f6270; --line: #e2e3e8; --accent: #2457c5; --sel: #eef3ff; }}
  @media (prefers-color-scheme: dark) {{
    :root {{ --bg: #121316; --fg: #e6e6ea; --muted: #9da0ad; --line: #2b2d33; --accent: #8cb1ff; --sel: #1d2433; }}
  }}
  * {{ box-sizing: border-box; }}
  html {{ -webkit-text-size-adjust: 100%; }}
  body {{ margin: 0; background: var(--bg); color: var(--fg);
         font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }}
  main {{ max-width: 42rem; margin: 0 auto; padding: 1rem 1rem 4rem; overflow-wrap: anywhere; }}
  nav a, .source a {{ color: var(--accent); }}
  nav {{ font-size: .9rem; margin-bottom: 1rem; }}
  h1 {{ font-size: 1.6rem; line-height: 1.25; margin: 0 0 .25rem; }}
  h2, h3, h4, h5, h6 {{ line-height: 1.3; margin: 1.6rem -.5rem .5rem; padding: .15rem .5rem;
                        border-radius: .35rem; scroll-margin-top: 1rem; }}
  h2 {{ font-size: 1.3rem; }} h3 {{ font-size: 1.12rem; }} h4, h5, h6 {{ font-size: 1rem; }}
  :target {{ background: var(--sel); box-shadow: inset 3px 0 0 var(--accent); }}
  .source, .note {{ color: var(--muted); font-size: .9rem; margin: 0 0 1.5rem; }}
  code {{ font-size: .9em; }}
  p {{ margin: .5rem 0; }}
  ul, ol {{ padding-left: 1.4rem; margin: .5rem 0; }}
  li {{ margin: .25rem 0; }}
  header {{ border-bottom: 1px solid var(--line); margin-bottom: 1rem; }}
</style>
</head>
<body>
<main>
<nav><a href="/">← Search</a></nav>
{body}</main>
</body>
</html>
"#,
            title = escape(title),
        )
    }
}

/// Runs `work` on the blocking pool when a search slot is free, within the
/// request time-out. A query the index refuses is the client's 400; any
/// other index error is a 503 (the index is being rebuilt, say), never a 500.
async fn run_blocking<F>(shared: &Shared, work: F) -> Response<Body>
where
    F: FnOnce(&IndexReader) -> Result<Response<Body>, IndexError> + Send + 'static,
{
    let timeout = shared.config.limits.request_timeout;
    let reader = current(shared);
    let job = async {
        let Ok(slot) = shared.searches.clone().acquire_owned().await else {
            return error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
        };
        // The slot goes with the work: a search that outlives its request's
        // time-out still counts until it ends.
        let work = move || {
            let response = work(&reader);
            drop(slot);
            response
        };
        match tokio::task::spawn_blocking(work).await {
            Ok(Ok(response)) => response,
            Ok(Err(IndexError::Query { query, reason })) => error(
                StatusCode::BAD_REQUEST,
                &format!("cannot search for {query:?}: {reason}"),
            ),
            Ok(Err(err)) => {
                warn!("index error: {err}");
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the index cannot be read just now: try again",
                )
            }
            Err(err) => {
                warn!("a search task failed: {err}");
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the search failed: try again",
                )
            }
        }
    };
    match tokio::time::timeout(timeout, job).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the request took longer than {timeout:?}"),
        ),
    }
}

/// A `/search` request's parameters, checked, as the index's request.
fn search_request(params: &Params, limits: &Limits) -> Result<SearchRequest, String> {
    params.only(&["q", "limit", "offset", "group", "filter", "snippet"])?;
    let q = params
        .one("q")?
        .ok_or("give a query: /search?q=words")?
        .to_string();
    if q.trim().is_empty() {
        return Err("the query is empty: give at least one word".into());
    }
    if q.chars().count() > limits.query_chars {
        return Err(format!(
            "the query is longer than {} characters",
            limits.query_chars
        ));
    }
    let limit = params.number("limit", 1, limits.max_limit)?.unwrap_or(10);
    let offset = params.number("offset", 0, limits.max_offset)?.unwrap_or(0);
    let snippet_chars = params
        .number("snippet", 20, 2_000)?
        .unwrap_or(rubric_index::DEFAULT_SNIPPET_CHARS);
    let group = params.flag("group")?;
    let filters: Vec<String> = params.all("filter").map(str::to_string).collect();
    if filters.len() > limits.max_filters {
        return Err(format!("at most {} filters", limits.max_filters));
    }
    if let Some(long) = filters.iter().find(|f| f.chars().count() > 200) {
        return Err(format!(
            "the filter {:?} is longer than 200 characters",
            shorten(long, 40)
        ));
    }
    if filters.iter().any(|f| f.trim().is_empty()) {
        return Err("a filter is empty".into());
    }
    Ok(SearchRequest {
        limit,
        offset,
        group,
        filters,
        snippet_chars,
        ..SearchRequest::new(q)
    })
}

/// The decoded query string: each name with its values, in order.
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

/// Query strings longer than this are refused (hyper's head limit is the
/// outer bound; this one keeps parameter lists short).
const MAX_PARAMS: usize = 32;

fn parse_params(query: &str) -> Result<Params, String> {
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        if out.len() == MAX_PARAMS {
            return Err(format!("more than {MAX_PARAMS} parameters"));
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name, true)?;
        let value = percent_decode(value, true).map_err(|e| format!("parameter {name}: {e}"))?;
        out.push((name, value));
    }
    Ok(Params(out))
}

impl Params {
    /// Refuses a parameter not in `known`.
    fn only(&self, known: &[&str]) -> Result<(), String> {
        match self
            .0
            .iter()
            .find(|(name, _)| !known.contains(&name.as_str()))
        {
            None => Ok(()),
            Some((name, _)) if known.is_empty() => Err(format!(
                "unknown parameter {:?}: this takes none",
                shorten(name, 40)
            )),
            Some((name, _)) => Err(format!(
                "unknown parameter {:?}: expected one of {}",
                shorten(name, 40),
                known.join(", ")
            )),
        }
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter given at most once.
    fn one<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, String> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(format!("{name} is given more than once"));
        }
        Ok(first)
    }

    /// A whole number in `min..=max`.
    fn number(&self, name: &str, min: usize, max: usize) -> Result<Option<usize>, String> {
        let Some(value) = self.one(name)? else {
            return Ok(None);
        };
        let bad = || {
            format!(
                "{name} must be a whole number from {min} to {max}, not {:?}",
                shorten(value, 20)
            )
        };
        let n: usize = value.trim().parse().map_err(|_| bad())?;
        if n < min || n > max {
            return Err(bad());
        }
        Ok(Some(n))
    }

    /// `1`/`true`/`yes`/empty (present) or `0`/`false`/`no`; absent is false.
    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.one(name)? {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(format!(
                "{name} must be 1 or 0 (true or false), not {:?}",
                shorten(other, 20)
            )),
        }
    }
}

/// Decodes `%XX` escapes (and `+` as a space in a query string); the result
/// must be UTF-8.
fn percent_decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("a % is not followed by two hex digits")?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "not valid UTF-8".to_string())
}

fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    let body = match serde_json::to_vec(value) {
        Ok(body) => body,
        Err(err) => {
            warn!("cannot write JSON: {err}");
            br#"{"error":"cannot write the answer","status":503}"#.to_vec()
        }
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `{"error": message, "status": code}` with that status.
fn error(status: StatusCode, message: &str) -> Response<Body> {
    let body: Value = json!({ "error": message, "status": status.as_u16() });
    json_response(status, &body)
}

/// At most `max` characters of `s`, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}

/// `2024-05-01T12:00:00Z` (UTC, whole seconds).
fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// Parses `--cors ORIGIN`: `*`, or `scheme://host[:port]` with no path.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, String> {
    let ok = origin == "*"
        || origin.split_once("://").is_some_and(|(scheme, rest)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !rest.contains(['/', '?', '#', ' '])
        });
    if !ok {
        return Err(format!(
            "{origin:?} is not an origin: give `*` or scheme://host[:port], e.g. https://example.org"
        ));
    }
    HeaderValue::from_str(origin).map_err(|_| format!("{origin:?} cannot be a header value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        parse_params(q).expect("parses")
    }

    fn request(q: &str) -> Result<SearchRequest, String> {
        search_request(&params(q), &Limits::default())
    }

    #[test]
    fn query_strings_decode_plus_and_percent() {
        let p = params("q=eczema+probiotics&filter=tag%3Askin&group");
        assert_eq!(p.one("q"), Ok(Some("eczema probiotics")));
        assert_eq!(p.one("filter"), Ok(Some("tag:skin")));
        assert_eq!(p.flag("group"), Ok(true));
        assert!(parse_params("q=%zz").is_err());
        assert!(parse_params("q=%ff%fe").is_err());
        assert!(parse_params("q=%4").is_err());
    }

    #[test]
    fn search_parameters_are_checked_before_searching() {
        let r = request("q=acne&limit=5&offset=10&group=1").expect("valid");
        assert_eq!((r.limit, r.offset, r.group), (5, 10, true));
        for bad in [
            "",
            "q=",
            "q=+++",
            "q=a&q=b",
            "q=a&limit=0",
            "q=a&limit=101",
            "q=a&limit=-1",
            "q=a&limit=ten",
            "q=a&offset=99999999999999999999999",
            "q=a&group=maybe",
            "q=a&sort=date",
            "q=a&snippet=5",
            "q=a&filter=",
        ] {
            assert!(request(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("q={}", "a".repeat(rubric_index::MAX_QUERY_CHARS + 1));
        assert!(request(&long).is_err());
    }

    #[test]
    fn commit_times_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn cors_origins_are_checked() {
        assert!(parse_origin("*").is_ok());
        assert!(parse_origin("https://example.org").is_ok());
        assert!(parse_origin("http://127.0.0.1:8080").is_ok());
        for bad in [
            "example.org",
            "https://example.org/path",
            "https://",
            "a b://c",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
