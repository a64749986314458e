//! What each route answers: the search page (`/`), `/health`, `/search` and
//! `/articles/{id}` (its outline as JSON, or its HTML view), and running
//! index work on the blocking pool within the search slots and the request
//! time-out.
//!
//! Parameters arrive parsed ([`super::params`]); routing, the common
//! headers and the response builders are [`super::http`]'s, the HTML of the
//! article view [`super::view`]'s.

use std::time::{SystemTime, UNIX_EPOCH};

use hyper::{Response, StatusCode};
use rubric_index::{IndexError, IndexReader};
use serde_json::json;
use tracing::warn;

use super::http::{Body, error, html_response, html_with_policy, json_response};
use super::params::{ArticleRequest, ParamError, Params, article_request, search_request};
use super::{Shared, public, shorten, view};

/// The search page, served at `/`.
const PAGE: &str = include_str!("../page.html");

/// The search page: its script and styles are inline, and it may only
/// call this server.
pub(super) fn page() -> Response<Body> {
    html_with_policy(
        StatusCode::OK,
        Body::from(PAGE),
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
         connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
    )
}

/// `/health`: the index's name, counts and last commit.
pub(super) fn health(shared: &Shared, params: &Params) -> Result<Response<Body>, ParamError> {
    params.only(&[])?;
    let (Some(index), None) = (&shared.index, &shared.config.engine) else {
        let engine = shared.config.engine.as_ref().map(ToString::to_string);
        return Ok(json_response(
            StatusCode::OK,
            &json!({"status": "ok", "engine": engine, "version": env!("CARGO_PKG_VERSION")}),
        ));
    };
    let stats = index.stats();
    let last_commit = stats.committed_at;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "status": "ok",
            // The folder's name, not where it is on this machine.
            "index": shared
                .config
                .index
                .file_name()
                .map(|name| name.to_string_lossy().into_owned()),
            "articles": stats.articles,
            "sections": stats.sections,
            "last_commit": last_commit.map(rfc3339),
            "version": env!("CARGO_PKG_VERSION"),
        }),
    ))
}

/// `/search`: checks every parameter first, then searches.
pub(super) async fn search(shared: &Shared, params: &Params) -> Result<Response<Body>, ParamError> {
    let mut request = search_request(params, &shared.config.limits)?;
    if let Some(engine) = &shared.engine {
        return Ok(remote_search(shared, engine, request).await);
    }
    let embedder = shared.embedder.clone();
    let index = shared.config.index.display().to_string();
    Ok(run_blocking(shared, move |reader| {
        // Embedding is CPU work: it runs here, within the search slots.
        let mut embed_ms = 0.0;
        if let Some(embedder) = &embedder {
            let (dense, ms) = embedder
                .dense(&request.query)
                .map_err(|e| IndexError::Vectors {
                    path: index,
                    reason: format!("{e:#}"),
                })?;
            request.dense = Some(dense);
            embed_ms = ms;
        }
        let mut response = reader.search(&request)?;
        response.took_ms = ((response.took_ms + embed_ms) * 1e3).round() / 1e3;
        public::response(&mut response);
        Ok(json_response(StatusCode::OK, &response))
    })
    .await)
}

/// `/articles/{id}`: the article's outline as JSON, or its HTML view, at
/// most [`super::Limits::article_bytes`] of it (`truncated` says when cut),
/// its source shown as [`public`] says.
pub(super) async fn article(
    shared: &Shared,
    raw_id: &str,
    params: &Params,
) -> Result<Response<Body>, ParamError> {
    let ArticleRequest { id, text, html } = article_request(raw_id, params, &shared.config.limits)?;
    let max_bytes = shared.config.limits.article_bytes;
    if shared.engine.is_some() {
        let message = "no article view with --engine: the engine holds sections, not outlines";
        return Ok(error(StatusCode::NOT_FOUND, message));
    }
    Ok(run_blocking(shared, move |reader| {
        let mut outline = reader.outline_within(&id, text || html, max_bytes)?;
        if let Some(outline) = &mut outline {
            public::outline(outline);
        }
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
    .await)
}

/// `/search` answered by the engine, within the search slots and the
/// request time-out. `group` is refused (an engine cannot group); a query
/// with nothing to search for is the client's 400; an engine that fails is
/// a 502 whose detail (the engine's address and message) is only logged.
async fn remote_search(
    shared: &Shared,
    engine: &rubric_remote::RemoteSearch,
    request: rubric_index::SearchRequest,
) -> Response<Body> {
    if request.group {
        return error(
            StatusCode::BAD_REQUEST,
            "group is not available with --engine",
        );
    }
    let timeout = shared.config.limits.request_timeout;
    let job = async {
        let Ok(_slot) = shared.searches.acquire().await else {
            return error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
        };
        let snippets = request.snippet_chars > 0;
        match engine.search(&request, snippets).await {
            Ok(mut response) => {
                public::response(&mut response);
                json_response(StatusCode::OK, &response)
            }
            Err(rubric_remote::RemoteError::Query { query, reason }) => error(
                StatusCode::BAD_REQUEST,
                &format!("cannot search for {:?}: {reason}", shorten(&query, 200)),
            ),
            Err(err) => {
                warn!("engine error: {err}");
                error(
                    StatusCode::BAD_GATEWAY,
                    "the search engine did not answer: try again",
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

/// Runs `work` on the blocking pool when a search slot is free, within the
/// request time-out. A query the index refuses is the client's 400; any
/// other index error is a 503 (the index is being rebuilt, say), never a 500.
async fn run_blocking<F>(shared: &Shared, work: F) -> Response<Body>
where
    F: FnOnce(&IndexReader) -> Result<Response<Body>, IndexError> + Send + 'static,
{
    let timeout = shared.config.limits.request_timeout;
    let Some(index) = &shared.index else {
        return error(StatusCode::NOT_FOUND, "no local index is served");
    };
    let reader = index.reader();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn commit_times_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
    }
}
