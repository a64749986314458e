//! The sink's requests to Quickwit 0.9: the index (`GET`/`POST`/`DELETE
//! /api/v1/indexes`), NDJSON ingest with `detailed_response=true` (without
//! it, refused documents still get a 200 and only a count), and delete
//! tasks (`POST /api/v1/INDEX/delete-tasks`) in its query language.

use bytes::Bytes;
use hyper::Method;
use serde_json::json;

use super::{Sent, Sink, Stale};
use crate::http::Call;
use crate::translate::escape_quoted;
use crate::{RemoteError, config};

const ENGINE: &str = "quickwit";

/// Checks, creates or recreates the index; true when it was created.
pub(super) fn prepare(sink: &mut Sink, create: bool, rebuild: bool) -> Result<bool, RemoteError> {
    let index = sink.endpoint.index.clone();
    if rebuild {
        let call = Call {
            method: Method::DELETE,
            path: format!("/api/v1/indexes/{index}"),
            content_type: None,
            body: Bytes::new(),
        };
        let reply = sink.call(&call)?;
        if !reply.is_success() && reply.status != 404 {
            return Err(sink.status_error(&call, &reply));
        }
    }
    let describe = Call::get(format!("/api/v1/indexes/{index}"));
    let reply = sink.call(&describe)?;
    match reply.status {
        200 => {
            let described = reply.json(ENGINE, &describe.what())?;
            let missing = config::missing_fields(sink.endpoint.engine, &described);
            if !missing.is_empty() {
                return Err(RemoteError::Mapping {
                    engine: ENGINE,
                    index,
                    reason: format!(
                        "no field {} (print the config Rubric needs with `ingest --sink-config quickwit`)",
                        missing.join(", ")
                    ),
                });
            }
            if let Some(secs) =
                described["index_config"]["indexing_settings"]["commit_timeout_secs"].as_u64()
            {
                sink.commit_timeout = std::time::Duration::from_secs(secs);
            }
            Ok(false)
        }
        404 if create => {
            let body =
                serde_json::to_vec(&config::quickwit_index_config(&index)).unwrap_or_default();
            let call = Call::json(Method::POST, "/api/v1/indexes", body);
            let reply = sink.call(&call)?;
            if !reply.is_success() {
                return Err(sink.status_error(&call, &reply));
            }
            tracing::info!("created the Quickwit index {index}");
            Ok(true)
        }
        404 => Err(RemoteError::NoIndex {
            engine: ENGINE,
            index,
        }),
        _ => Err(sink.status_error(&describe, &reply)),
    }
}

/// Ingests one batch of NDJSON documents.
pub(super) fn send(
    sink: &mut Sink,
    body: Bytes,
    docs: &[(String, String)],
    last: bool,
) -> Result<Sent, RemoteError> {
    let commit = if last { "&commit=force" } else { "" };
    let call = Call::ndjson(
        format!(
            "/api/v1/{}/ingest?detailed_response=true{commit}",
            sink.endpoint.index
        ),
        body,
    );
    let reply = sink.call(&call)?;
    if reply.status == 413 && docs.len() == 1 {
        return Ok(Sent {
            refused: vec![(
                docs[0].0.clone(),
                "too large for the engine (HTTP 413)".into(),
            )],
            unsure: false,
        });
    }
    if !reply.is_success() {
        return Err(sink.status_error(&call, &reply));
    }
    let answer = reply.json(ENGINE, &call.what())?;
    let rejected = answer["num_rejected_docs"].as_u64().unwrap_or(0) as usize;
    let mut refused = Vec::new();
    for failure in answer["parse_failures"].as_array().into_iter().flatten() {
        let reason = failure["message"].as_str().unwrap_or("refused").to_string();
        let section = failure["document"]
            .as_str()
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .and_then(|d| d["id"].as_str().map(str::to_string));
        match section {
            Some(id) => refused.push((id, reason)),
            None => refused.push((String::new(), reason)),
        }
    }
    let accounted = refused.iter().filter(|(id, _)| !id.is_empty()).count();
    if rejected > accounted || refused.iter().any(|(id, _)| id.is_empty()) {
        // Refusals that name no document: every article of the batch is
        // in doubt, so all of them are treated as refused.
        let reason = refused.iter().find(|(id, _)| id.is_empty()).map_or_else(
            || format!("{rejected} documents refused"),
            |(_, r)| r.clone(),
        );
        refused = docs
            .iter()
            .map(|(id, _)| (id.clone(), reason.clone()))
            .collect();
    }
    Ok(Sent {
        refused,
        unsure: reply.ambiguous,
    })
}

/// One delete task for `stale`.
pub(super) fn delete(sink: &mut Sink, stale: &[Stale]) -> Result<(), RemoteError> {
    let body = serde_json::to_vec(&json!({"query": delete_query(stale)})).unwrap_or_default();
    let call = Call::json(
        Method::POST,
        format!("/api/v1/{}/delete-tasks", sink.endpoint.index),
        body,
    );
    let reply = sink.call(&call)?;
    if !reply.is_success() {
        return Err(sink.status_error(&call, &reply));
    }
    Ok(())
}

/// The delete task's query: each article's older versions by hash, whole
/// articles as one term set.
pub(crate) fn delete_query(stale: &[Stale]) -> String {
    let quote = |s: &str| format!("\"{}\"", escape_quoted(s));
    let mut parts = Vec::new();
    let mut whole = Vec::new();
    for s in stale {
        match s {
            Stale::Others { article, keep } => {
                parts.push(format!(
                    "(+article:{} -hash:{})",
                    quote(article),
                    quote(keep)
                ));
            }
            Stale::Only { article, hash } => {
                parts.push(format!(
                    "(+article:{} +hash:{})",
                    quote(article),
                    quote(hash)
                ));
            }
            Stale::All { article } => whole.push(quote(article)),
        }
    }
    if !whole.is_empty() {
        parts.push(format!("article:IN [{}]", whole.join(" ")));
    }
    parts.join(" OR ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_by_hash_and_by_article_in_one_query() {
        let q = delete_query(&[
            Stale::Others {
                article: "a.md".into(),
                keep: "h1".into(),
            },
            Stale::All {
                article: "b \"q\".md".into(),
            },
            Stale::All {
                article: "c".into(),
            },
            Stale::Only {
                article: "d".into(),
                hash: "h2".into(),
            },
        ]);
        assert_eq!(
            q,
            r#"(+article:"a.md" -hash:"h1") OR (+article:"d" +hash:"h2") OR article:IN ["b \"q\".md" "c"]"#
        );
    }
}
