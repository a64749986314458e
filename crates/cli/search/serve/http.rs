//! One request's plumbing, around the handlers: the bound on requests in
//! flight, routing by method and path, the body check, CORS (the preflight
//! and the allow-origin header), the headers every answer carries, the
//! access log, and the response builders (JSON, HTML with its
//! Content-Security-Policy, and the `{"error": …, "status": …}` error).
//!
//! It does not know what a route answers ([`super::handlers`]) or how
//! parameters are read ([`super::params`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tracing::{info, warn};

use super::params::{self, ParamError};
use super::{Shared, handlers, shorten};

pub(super) type Body = Full<Bytes>;

/// Answers one request and writes its access-log line. Never fails: every
/// problem is an HTTP status.
pub(super) async fn handle(
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
        hyper::body::Body::size_hint(response.body()).exact().unwrap_or(0),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}

/// Routes by method and path, after the checks every route shares.
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
    match route(shared, path, query).await {
        Ok(response) => response,
        // The one place a bad parameter becomes a response.
        Err(err) => error(StatusCode::BAD_REQUEST, &err.to_string()),
    }
}

/// The handler for `path`, given the query string's parameters.
async fn route(shared: &Shared, path: &str, query: &str) -> Result<Response<Body>, ParamError> {
    let params = params::parse_params(query)?;
    Ok(match path {
        "/" | "/index.html" => handlers::page(),
        "/health" => handlers::health(shared, &params)?,
        "/search" => handlers::search(shared, &params).await?,
        _ => match path.strip_prefix("/articles/") {
            Some(id) => handlers::article(shared, id, &params).await?,
            None => error(
                StatusCode::NOT_FOUND,
                "no such page: try /, /search, /articles/{id} or /health",
            ),
        },
    })
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

/// The answer to a CORS preflight (`OPTIONS`), when `--cors` is given.
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

/// `value` as JSON, never cached.
pub(super) fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
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
pub(super) fn error(status: StatusCode, message: &str) -> Response<Body> {
    let body: Value = json!({ "error": message, "status": status.as_u16() });
    json_response(status, &body)
}

/// An HTML page of ours (an article view or its 404): no script at all,
/// inline styles only, nothing loaded from elsewhere, never cached.
pub(super) fn html_response(status: StatusCode, body: String) -> Response<Body> {
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
pub(super) fn html_with_policy(
    status: StatusCode,
    body: Body,
    policy: &'static str,
) -> Response<Body> {
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

/// Why a `--cors` value was refused.
#[derive(Debug, thiserror::Error)]
pub enum BadOrigin {
    #[error("{0:?} is not an origin: give `*` or scheme://host[:port], e.g. https://example.org")]
    NotAnOrigin(String),
    #[error("{0:?} cannot be a header value")]
    NotAHeader(String),
}

/// Parses `--cors ORIGIN`: `*`, or `scheme://host[:port]` with no path.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, BadOrigin> {
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
        return Err(BadOrigin::NotAnOrigin(origin.into()));
    }
    HeaderValue::from_str(origin).map_err(|_| BadOrigin::NotAHeader(origin.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
