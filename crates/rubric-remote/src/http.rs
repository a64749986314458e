//! The HTTP client every engine call goes through: hyper's HTTP/1.1 client
//! (plain HTTP, pooled keep-alive connections), one time-out per request,
//! and retries with back-off on 429 and 5xx (honouring `Retry-After`) and on
//! a connection that could not be made or broke. It knows nothing of the
//! engines' APIs; [`Reply::ambiguous`] tells a caller that an earlier
//! attempt may have been applied before it failed (a 5xx other than 503, a
//! time-out, a connection lost after the request was sent), which matters
//! to an engine without document ids.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::{Endpoint, RemoteError};

/// How requests are made: time-out, retries, back-off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HttpOptions {
    /// Time-out of one attempt (connect, send, answer).
    pub timeout: Duration,
    /// Attempts after the first, on 429, 5xx and lost connections.
    pub retries: u32,
    /// The first back-off; it doubles with each retry (with jitter), unless
    /// the engine says `Retry-After`.
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(60),
            retries: 5,
            backoff: Duration::from_millis(500),
        }
    }
}

/// One request.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// Path and query, from the first `/`.
    pub path: String,
    /// `application/json`, `application/x-ndjson`, or none (no body).
    pub content_type: Option<&'static str>,
    pub body: Bytes,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            content_type: None,
            body: Bytes::new(),
        }
    }

    pub fn json(method: Method, path: impl Into<String>, body: impl Into<Bytes>) -> Call {
        Call {
            method,
            path: path.into(),
            content_type: Some("application/json"),
            body: body.into(),
        }
    }

    pub fn ndjson(path: impl Into<String>, body: impl Into<Bytes>) -> Call {
        Call {
            method: Method::POST,
            path: path.into(),
            content_type: Some("application/x-ndjson"),
            body: body.into(),
        }
    }

    /// `POST /api/v1/x/ingest` (the path without its query), for messages.
    pub fn what(&self) -> String {
        let path = self.path.split('?').next().unwrap_or("");
        format!("{} {path}", self.method)
    }
}

/// An answer (any status: the caller reads the engine's message).
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Bytes,
    /// An earlier attempt of this call may have been applied by the engine.
    pub ambiguous: bool,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON.
    pub fn json(&self, engine: &'static str, what: &str) -> Result<serde_json::Value, RemoteError> {
        serde_json::from_slice(&self.body).map_err(|e| RemoteError::Protocol {
            engine,
            what: what.to_string(),
            reason: format!("not JSON ({e})"),
        })
    }

    /// The engine's own error message: Quickwit's `message`, Elasticsearch's
    /// `error.reason` (or `error` when it is a string), else the body.
    pub fn message(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let parsed: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let found = parsed.as_ref().and_then(|v| {
            v["message"]
                .as_str()
                .or_else(|| v["error"]["reason"].as_str())
                .or_else(|| v["error"].as_str())
                .map(str::to_string)
        });
        let message = found.unwrap_or_else(|| text.trim().to_string());
        match message.char_indices().nth(500) {
            Some((cut, _)) => format!("{}…", &message[..cut]),
            None => message,
        }
    }
}

/// The client of one endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    endpoint: Endpoint,
    options: HttpOptions,
}

/// How one attempt failed.
enum Failed {
    /// Could not connect: nothing was sent.
    Connect(hyper_util::client::legacy::Error),
    /// The connection broke after the request may have been sent.
    Broken(Box<dyn std::error::Error + Send + Sync>),
    TimedOut,
}

impl Http {
    pub fn new(endpoint: &Endpoint, options: HttpOptions) -> Http {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(options.timeout.min(Duration::from_secs(10))));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Http {
            client,
            endpoint: endpoint.clone(),
            options,
        }
    }

    pub fn engine(&self) -> &'static str {
        self.endpoint.engine.name()
    }

    /// Makes `call`, retrying on 429, 5xx and lost connections; returns the
    /// last answer whatever its status, or why there was none.
    pub async fn call(&self, call: &Call) -> Result<Reply, RemoteError> {
        let mut ambiguous = false;
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let result = self.once(call).await;
            let retryable = match &result {
                Ok((status, _, _)) => *status == 429 || *status >= 500,
                Err(_) => true,
            };
            tracing::debug!(
                target: "rubric_remote::http",
                "{} {} -> {} in {:.1} ms",
                self.engine(),
                call.what(),
                match &result {
                    Ok((status, _, _)) => status.to_string(),
                    Err(Failed::Connect(_)) => "no connection".into(),
                    Err(Failed::Broken(_)) => "connection lost".into(),
                    Err(Failed::TimedOut) => "time-out".into(),
                },
                started.elapsed().as_secs_f64() * 1e3
            );
            if !retryable || attempt >= self.options.retries {
                return match result {
                    Ok((status, body, _)) => Ok(Reply {
                        status,
                        body,
                        ambiguous,
                    }),
                    Err(failed) => Err(self.error(call, failed)),
                };
            }
            let mut wait = backoff(self.options.backoff, attempt);
            match &result {
                Ok((status, _, retry_after)) => {
                    ambiguous |= !matches!(status, 429 | 503);
                    if let Some(after) = retry_after {
                        wait = (*after).min(Duration::from_secs(60));
                    }
                    tracing::info!(
                        "{} answered {} with HTTP {status}: retrying in {:.1} s",
                        self.engine(),
                        call.what(),
                        wait.as_secs_f64()
                    );
                }
                Err(Failed::Connect(_)) => {}
                Err(Failed::Broken(_) | Failed::TimedOut) => ambiguous = true,
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: status, body and `Retry-After`.
    async fn once(&self, call: &Call) -> Result<(u16, Bytes, Option<Duration>), Failed> {
        let uri = format!("http://{}{}", self.endpoint.address(), call.path);
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(uri)
            .header(
                header::USER_AGENT,
                concat!("Rubric/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(ct) = call.content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        if let Some(auth) = &self.endpoint.authorization
            && let Ok(value) = HeaderValue::from_str(auth)
        {
            request = request.header(header::AUTHORIZATION, value);
        }
        let request = request
            .body(Full::new(call.body.clone()))
            .map_err(|e| Failed::Broken(Box::new(e)))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                if e.is_connect() {
                    Failed::Connect(e)
                } else {
                    Failed::Broken(Box::new(e))
                }
            })?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Failed::Broken(Box::new(e)))?
                .to_bytes();
            Ok((status, body, retry_after))
        };
        match tokio::time::timeout(self.options.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Failed::TimedOut),
        }
    }

    fn error(&self, call: &Call, failed: Failed) -> RemoteError {
        let engine = self.engine();
        let address = self.endpoint.address();
        match failed {
            Failed::Connect(e) => RemoteError::Unreachable {
                engine,
                address,
                source: Box::new(e),
            },
            Failed::Broken(source) => RemoteError::Unreachable {
                engine,
                address,
                source,
            },
            Failed::TimedOut => RemoteError::TimedOut {
                engine,
                address,
                what: call.what(),
                secs: self.options.timeout.as_secs(),
            },
        }
    }
}

/// `base * 2^attempt`, times a factor in [0.5, 1.5), at most a minute.
fn backoff(base: Duration, attempt: u32) -> Duration {
    use std::hash::BuildHasher;
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let factor = 0.5 + (random >> 11) as f64 / (1u64 << 53) as f64;
    base.saturating_mul(1u32 << attempt.min(16))
        .mul_f64(factor)
        .min(Duration::from_secs(60))
}

/// A current-thread Tokio runtime for the blocking callers (`ingest`'s sink,
/// one `search` query).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, RemoteError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RemoteError::Runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds() {
        let base = Duration::from_millis(100);
        for attempt in 0..5 {
            let d = backoff(base, attempt);
            let nominal = base * (1 << attempt);
            assert!(d >= nominal / 2 && d < nominal * 3 / 2, "{attempt}: {d:?}");
        }
        assert!(backoff(base, 30) <= Duration::from_secs(60));
    }

    #[test]
    fn engine_messages_are_read_from_either_dialect() {
        let reply = |body: &str| Reply {
            status: 400,
            body: Bytes::from(body.to_string()),
            ambiguous: false,
        };
        assert_eq!(
            reply(r#"{"message": "index `x` not found"}"#).message(),
            "index `x` not found"
        );
        assert_eq!(
            reply(r#"{"error": {"type": "x", "reason": "bad mapping"}, "status": 400}"#).message(),
            "bad mapping"
        );
        assert_eq!(reply("plain text\n").message(), "plain text");
    }
}
