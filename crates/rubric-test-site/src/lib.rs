//! A small HTTP/1.1 site on 127.0.0.1 for Rubric's web tests and benchmarks.
//!
//! It owns serving canned replies (fixed, a sequence, or computed by a
//! handler), answering conditional requests with 304 for replies that carry
//! validators, and recording every request it saw so a test can assert on
//! headers. It does not own any fetching logic: that is `rubric-fetch`, which
//! must never depend on this crate except in its tests.
//!
//! The site runs on its own thread with its own Tokio runtime, so it serves
//! synchronous tests (which run the `ingest` binary) and async tests alike,
//! and stops when the [`Site`] is dropped.
//!
//! ```
//! use rubric_test_site::{Reply, Site};
//!
//! let site = Site::start();
//! site.route("/a", Reply::html("<h1>A</h1>"));
//! assert!(site.url("/a").starts_with("http://127.0.0.1:"));
//! ```

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// A computed reply: gets the request as seen, returns what to answer.
pub type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// One request the site received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string (without `?`), empty when there is none.
    pub query: String,
    /// Header names (lower case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The request body (empty when there is none).
    pub body: Vec<u8>,
}

impl Seen {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Wait this long before answering (a hang, when longer than the
    /// client's time-out).
    pub delay: Option<Duration>,
    /// When set, the reply carries `ETag` and the site answers a request
    /// whose `If-None-Match` matches with 304.
    pub etag: Option<String>,
    /// When set, the reply carries `Last-Modified` and the site answers a
    /// request whose `If-Modified-Since` equals it with 304.
    pub last_modified: Option<String>,
}

impl Reply {
    /// A 200 reply with a content type.
    pub fn with_type(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
            etag: None,
            last_modified: None,
        }
    }

    /// A 200 `text/html; charset=utf-8` reply.
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_type("text/html; charset=utf-8", body)
    }

    /// A 200 `text/plain; charset=utf-8` reply.
    pub fn text(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_type("text/plain; charset=utf-8", body)
    }

    /// A 200 `application/xml` reply.
    pub fn xml(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_type("application/xml", body)
    }

    /// A 200 `application/gzip` reply holding `body` gzipped (a `.xml.gz` file).
    pub fn gzip_file(body: &[u8]) -> Reply {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let bytes = match enc.write_all(body) {
            Ok(()) => enc.finish().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        Reply::with_type("application/gzip", bytes)
    }

    /// An empty reply with this status.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            etag: None,
            last_modified: None,
        }
    }

    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Reply {
        Reply::status(302).header("location", location)
    }

    /// A reply that never comes (within any test's time-out).
    pub fn hang() -> Reply {
        let mut r = Reply::text("late");
        r.delay = Some(Duration::from_secs(120));
        r
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Adds validators: `ETag` and `Last-Modified`, and 304 on a match.
    pub fn validators(mut self, etag: &str, last_modified: &str) -> Reply {
        self.etag = Some(etag.to_string());
        self.last_modified = Some(last_modified.to_string());
        self
    }
}

#[derive(Debug)]
enum Route {
    /// Replies in turn; the last one repeats.
    Replies(VecDeque<Reply>),
    Handler(HandlerBox),
}

struct HandlerBox(Handler);

impl std::fmt::Debug for HandlerBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler")
    }
}

#[derive(Debug, Default)]
struct State {
    routes: Mutex<HashMap<String, Route>>,
    fallback: Mutex<Option<HandlerBox>>,
    log: Mutex<Vec<Seen>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    fn reply_for(&self, seen: &Seen) -> Reply {
        {
            let mut routes = lock(&self.routes);
            match routes.get_mut(&seen.path) {
                Some(Route::Replies(queue)) => {
                    let reply = if queue.len() > 1 {
                        queue.pop_front()
                    } else {
                        queue.front().cloned()
                    };
                    return reply.unwrap_or_else(|| Reply::status(404));
                }
                Some(Route::Handler(h)) => {
                    let h = h.0.clone();
                    drop(routes);
                    return h(seen);
                }
                None => {}
            }
        }
        let fallback = lock(&self.fallback).as_ref().map(|h| h.0.clone());
        match fallback {
            Some(h) => h(seen),
            None => Reply::status(404),
        }
    }

    async fn respond(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(_) => Vec::new(),
        };
        let seen = Seen {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or_default().to_string(),
            body,
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        };
        lock(&self.log).push(seen.clone());
        let reply = self.reply_for(&seen);
        if let Some(delay) = reply.delay {
            tokio::time::sleep(delay).await;
        }
        let not_modified = reply.status == 200
            && (matches!((&reply.etag, seen.header("if-none-match")), (Some(e), Some(v)) if v.split(',').any(|t| t.trim() == e))
                || matches!((&reply.last_modified, seen.header("if-modified-since")), (Some(l), Some(v)) if v == l));
        let status = if not_modified { 304 } else { reply.status };
        let mut builder = Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        for (k, v) in &reply.headers {
            builder = builder.header(k, v);
        }
        if let Some(etag) = &reply.etag {
            builder = builder.header("etag", etag);
        }
        if let Some(lm) = &reply.last_modified {
            builder = builder.header("last-modified", lm);
        }
        let body = if not_modified {
            Bytes::new()
        } else {
            Bytes::from(reply.body)
        };
        builder
            .body(Full::new(body))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

/// A running site; stops when dropped.
#[derive(Debug)]
pub struct Site {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Site {
    /// Starts a site on 127.0.0.1 with a free port. Panics when it cannot
    /// (this is test support).
    pub fn start() -> Site {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test site runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let state = served.clone();
                            tokio::spawn(async move {
                                let svc = service_fn(move |req| {
                                    let state = state.clone();
                                    async move { Ok::<_, Infallible>(state.respond(req).await) }
                                });
                                let _ = http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), svc)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        Site {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The address the site listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers `path` with `reply`, every time.
    pub fn route(&self, path: &str, reply: Reply) {
        self.sequence(path, vec![reply]);
    }

    /// Answers `path` with `replies` in turn; the last one repeats.
    pub fn sequence(&self, path: &str, replies: Vec<Reply>) {
        lock(&self.state.routes).insert(path.to_string(), Route::Replies(replies.into()));
    }

    /// Answers `path` with whatever `handler` computes.
    pub fn handle(&self, path: &str, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) {
        lock(&self.state.routes).insert(
            path.to_string(),
            Route::Handler(HandlerBox(Arc::new(handler))),
        );
    }

    /// Answers every path that has no route with `handler` (else 404).
    pub fn fallback(&self, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) {
        *lock(&self.state.fallback) = Some(HandlerBox(Arc::new(handler)));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        lock(&self.state.log).clone()
    }

    /// The requests received for `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Seen> {
        lock(&self.state.log)
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
