//! [`Limits`]: the bounds on what a client may ask of `search --serve` and
//! on what it is answered, with the defaults the binary uses; and
//! [`shorten`], which keeps what the server repeats of a request short.
//!
//! It enforces nothing itself: the listener, [`super::http`],
//! [`super::params`] and [`super::handlers`] apply each bound. It needs
//! nothing but `std` and `rubric-index`, so the fuzz target for the query
//! string (`fuzz/fuzz_targets/serve_params.rs`) compiles it with
//! [`super::params`].

use std::time::Duration;

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
    /// Most bytes of headings, paths and text in one `/articles/{id}`
    /// answer (JSON or HTML); past that the article is cut and says so.
    pub article_bytes: usize,
    /// Largest request head (request line and headers), in bytes.
    pub head_bytes: usize,
    /// Largest request body, in bytes (the API takes none).
    pub body_bytes: u64,
    /// Open connections at most; more wait to be accepted.
    pub connections: usize,
    /// Open connections from one address at most; more are closed at once.
    pub per_client: usize,
    /// Requests in flight at most; more get a 503 at once.
    pub in_flight: usize,
    /// Searches running at once; more wait their turn (within the time-out).
    pub searches: usize,
    /// Longest a request may wait and run before it gets a 503.
    pub request_timeout: Duration,
    /// Longest a client may take to send a request head (also how long an
    /// idle keep-alive connection stays open).
    pub head_timeout: Duration,
    /// Longest a write to a client may make no progress (a client that
    /// stops reading) before its connection is closed.
    pub send_timeout: Duration,
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
            article_bytes: 4 * 1024 * 1024,
            head_bytes: 16 * 1024,
            body_bytes: 0,
            connections: 1_024,
            per_client: 1_024 / 8,
            in_flight: 512,
            searches: cores.max(2),
            request_timeout: Duration::from_secs(10),
            head_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(15),
            reload_every: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// At most `max` characters of `s`, with `…` when cut (for messages and the
/// access log).
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}

impl Limits {
    /// The defaults with at most `connections` open at once, an eighth of
    /// them (at least one) from any one address.
    pub fn with_connections(connections: usize) -> Limits {
        let connections = connections.max(1);
        Limits {
            connections,
            per_client: (connections / 8).max(1),
            ..Limits::default()
        }
    }
}
