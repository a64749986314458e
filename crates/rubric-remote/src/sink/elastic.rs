//! The sink's requests to Elasticsearch 8 / OpenSearch 2, written from
//! their documentation (neither could be run where this was built): the
//! index (`GET /INDEX/_mapping`, `PUT /INDEX`, `DELETE /INDEX`), `_bulk`
//! `index` actions keyed by section id (re-sending replaces, so a repeated
//! request is harmless) and `_delete_by_query` for older versions (by
//! article and hash, `conflicts=proceed`: a section re-indexed meanwhile is
//! skipped, not an error).
//!
//! Tested end to end against a fake engine in the documented shapes
//! (`tests/integration/sink_elastic.rs`), never against a real
//! Elasticsearch or OpenSearch. Quickwit's Elasticsearch-compatible API
//! accepts the `_mapping` and `_bulk` requests but has no
//! `_delete_by_query` (and keeps no `_id`): it is not a stand-in.

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use super::{Sent, Sink, Stale};
use crate::doc::Document;
use crate::http::Call;
use crate::{RemoteError, config};

/// Checks, creates or recreates the index; true when it was created.
pub(super) fn prepare(sink: &mut Sink, create: bool, rebuild: bool) -> Result<bool, RemoteError> {
    let engine = sink.endpoint.engine.name();
    let index = sink.endpoint.index.clone();
    if rebuild {
        let call = Call {
            method: Method::DELETE,
            path: format!("/{index}"),
            content_type: None,
            body: Bytes::new(),
        };
        let reply = sink.call(&call)?;
        if !reply.is_success() && reply.status != 404 {
            return Err(sink.status_error(&call, &reply));
        }
    }
    let describe = Call::get(format!("/{index}/_mapping"));
    let reply = sink.call(&describe)?;
    match reply.status {
        200 => {
            let described = reply.json(engine, &describe.what())?;
            let missing = config::missing_fields(sink.endpoint.engine, &described);
            if !missing.is_empty() {
                return Err(RemoteError::Mapping {
                    engine,
                    index,
                    reason: format!(
                        "no field {} (print the mapping Rubric needs with `ingest --sink-config {engine}`)",
                        missing.join(", ")
                    ),
                });
            }
            Ok(false)
        }
        404 if create => {
            let body = serde_json::to_vec(&config::elastic_index_body()).unwrap_or_default();
            let call = Call::json(Method::PUT, format!("/{index}"), body);
            let reply = sink.call(&call)?;
            if !reply.is_success() {
                return Err(sink.status_error(&call, &reply));
            }
            tracing::info!("created the {engine} index {index}");
            Ok(true)
        }
        404 => Err(RemoteError::NoIndex { engine, index }),
        _ => Err(sink.status_error(&describe, &reply)),
    }
}

/// A document's two `_bulk` lines: the `index` action keyed by its key (the
/// section id; a split section's later parts add `~PART`), then the
/// document.
pub(crate) fn bulk_lines(doc: &Document) -> Vec<u8> {
    let action = json!({"index": {"_id": doc.key()}});
    let mut out = serde_json::to_vec(&action).unwrap_or_default();
    out.push(b'\n');
    out.extend_from_slice(&doc.to_line());
    out
}

/// Sends one `_bulk` request.
pub(super) fn send(
    sink: &mut Sink,
    body: Bytes,
    docs: &[(String, String)],
    last: bool,
) -> Result<Sent, RemoteError> {
    let engine = sink.endpoint.engine.name();
    let refresh = if last { "?refresh=wait_for" } else { "" };
    let call = Call::ndjson(format!("/{}/_bulk{refresh}", sink.endpoint.index), body);
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
    let answer = reply.json(engine, &call.what())?;
    let mut refused = Vec::new();
    if answer["errors"].as_bool() == Some(true) {
        let items = answer["items"].as_array().cloned().unwrap_or_default();
        if items.len() != docs.len() {
            return Err(RemoteError::Protocol {
                engine,
                what: call.what(),
                reason: format!("{} items for {} documents", items.len(), docs.len()),
            });
        }
        for (item, (section, _)) in items.iter().zip(docs) {
            let result = item
                .as_object()
                .and_then(|o| o.values().next())
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(error) = result.get("error").filter(|e| !e.is_null()) {
                let reason = error["reason"]
                    .as_str()
                    .or_else(|| error["type"].as_str())
                    .unwrap_or("refused");
                refused.push((section.clone(), reason.to_string()));
            }
        }
    }
    Ok(Sent {
        refused,
        unsure: false,
    })
}

/// One `_delete_by_query` for `stale`.
pub(super) fn delete(sink: &mut Sink, stale: &[Stale]) -> Result<(), RemoteError> {
    let engine = sink.endpoint.engine.name();
    let body = serde_json::to_vec(&json!({"query": delete_query(stale)})).unwrap_or_default();
    let call = Call::json(
        Method::POST,
        format!(
            "/{}/_delete_by_query?conflicts=proceed&refresh=true",
            sink.endpoint.index
        ),
        body,
    );
    let reply = sink.call(&call)?;
    if !reply.is_success() {
        return Err(sink.status_error(&call, &reply));
    }
    let answer = reply.json(engine, &call.what())?;
    if let Some(failure) = answer["failures"].as_array().and_then(|f| f.first()) {
        return Err(RemoteError::Status {
            engine,
            what: call.what(),
            status: reply.status,
            message: failure["cause"]["reason"]
                .as_str()
                .unwrap_or("a delete failed")
                .to_string(),
        });
    }
    Ok(())
}

/// Older versions by article and hash; whole articles as one `terms`.
pub(crate) fn delete_query(stale: &[Stale]) -> Value {
    let mut should = Vec::new();
    let mut whole = Vec::new();
    for s in stale {
        match s {
            Stale::Others { article, keep } => should.push(json!({"bool": {
                "filter": [{"term": {"article": article}}],
                "must_not": [{"term": {"hash": keep}}],
            }})),
            Stale::Only { article, hash } => should.push(json!({"bool": {
                "filter": [{"term": {"article": article}}, {"term": {"hash": hash}}],
            }})),
            Stale::All { article } => whole.push(article.clone()),
        }
    }
    if !whole.is_empty() {
        should.push(json!({"terms": {"article": whole}}));
    }
    json!({"bool": {"should": should, "minimum_should_match": 1}})
}
