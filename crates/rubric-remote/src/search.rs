//! [`RemoteSearch`]: answers a [`SearchRequest`] from an engine with the
//! same [`SearchResponse`] a local index gives (the `--json` contract), so
//! `search --engine` prints what `search` prints.
//!
//! Quickwit: its search API (`/api/v1/INDEX/search`) gives the documents,
//! the exact count and its highlighter's snippets but no scores; its
//! Elasticsearch-compatible `_search` gives scores but ignores `highlight`.
//! Both get the same query (in Quickwit's query language, `query_string`
//! for the second) and the same order (by score: Quickwit cannot sort on a text field, so ties keep its own order), are sent
//! at once, and are joined by section id. A search that some splits failed
//! to answer is an error, not a partial answer (Quickwit answers it with
//! 200 and `_shards.failed`). Elasticsearch / OpenSearch: one `_search`
//! with the query DSL and `highlight`.

use std::collections::HashMap;
use std::time::Instant;

use hyper::Method;
use rubric_index::query::{self, Node};
use rubric_index::{Analysis, Excerpt, Hit, SearchRequest, SearchResponse};
use serde_json::{Value, json};

use crate::http::{Call, Http, HttpOptions};
use crate::snippet;
use crate::translate;
use crate::{Endpoint, Engine, RemoteError};

/// The stored fields a hit needs (everything but the text).
const HIT_FIELDS: &str = "id,article,title,heading,level,path,url,ordinal";

/// Searches one engine index.
#[derive(Debug)]
pub struct RemoteSearch {
    endpoint: Endpoint,
    http: Http,
    /// The runtime of [`RemoteSearch::search_blocking`], made at its first
    /// call and kept (pooled connections belong to it).
    runtime: std::sync::OnceLock<tokio::runtime::Runtime>,
}

/// A query after translation.
struct Compiled {
    quickwit: Option<String>,
    elastic: Option<Value>,
    highlight: Vec<String>,
    notes: Vec<String>,
}

impl RemoteSearch {
    /// A client of `endpoint` (nothing is sent until the first search).
    pub fn new(endpoint: &Endpoint, options: HttpOptions) -> RemoteSearch {
        RemoteSearch {
            endpoint: endpoint.clone(),
            http: Http::new(endpoint, options),
            runtime: std::sync::OnceLock::new(),
        }
    }

    /// The endpoint searched.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Answers `request` as [`rubric_index::IndexReader::search`] does:
    /// best hits first, each with its snippet from the engine's highlighter
    /// (none when `snippets` is false, which saves Quickwit a request).
    /// `group`, `explain` and suggestions are not available from an engine
    /// and are ignored; a query with nothing to search for is a
    /// [`RemoteError::Query`].
    pub async fn search(
        &self,
        request: &SearchRequest,
        snippets: bool,
    ) -> Result<SearchResponse, RemoteError> {
        let started = Instant::now();
        let compiled = self.compile(request)?;
        let mut response = SearchResponse {
            query: request.query.clone(),
            offset: request.offset,
            limit: request.limit,
            notes: compiled.notes.clone(),
            ..SearchResponse::default()
        };
        match self.endpoint.engine {
            Engine::Quickwit => {
                self.quickwit(request, &compiled, snippets, &mut response)
                    .await?
            }
            Engine::Elasticsearch | Engine::OpenSearch => {
                self.elastic(request, &compiled, snippets, &mut response)
                    .await?
            }
        }
        response.took_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        Ok(response)
    }

    /// Answers with a runtime of its own (for a caller that is not async).
    pub fn search_blocking(
        &self,
        request: &SearchRequest,
        snippets: bool,
    ) -> Result<SearchResponse, RemoteError> {
        let runtime = match self.runtime.get() {
            Some(runtime) => runtime,
            None => {
                let made = crate::http::runtime()?;
                self.runtime.get_or_init(|| made)
            }
        };
        runtime.block_on(self.search(request, snippets))
    }

    fn compile(&self, request: &SearchRequest) -> Result<Compiled, RemoteError> {
        let cut: String = request
            .query
            .chars()
            .take(rubric_index::MAX_QUERY_CHARS)
            .collect();
        let parsed = query::parse(&cut);
        let mut notes = parsed.notes;
        let mut filters: Vec<Node> = Vec::new();
        for filter in &request.filters {
            let f = query::parse(filter);
            notes.extend(
                f.notes
                    .into_iter()
                    .map(|n| format!("filter {filter:?}: {n}")),
            );
            filters.push(f.node);
        }
        let mut analysis = Analysis::new();
        let nothing = || RemoteError::Query {
            query: request.query.clone(),
            reason: "nothing to search for".to_string(),
        };
        let (quickwit, elastic, highlight) = match self.endpoint.engine {
            Engine::Quickwit => {
                let t =
                    translate::quickwit(&parsed.node, &filters, &request.ranking, &mut analysis)
                        .ok_or_else(nothing)?;
                (Some(t.query), None, t.highlight)
            }
            Engine::Elasticsearch | Engine::OpenSearch => {
                let t = translate::elastic(&parsed.node, &filters, &request.ranking, &mut analysis)
                    .ok_or_else(nothing)?;
                (None, Some(t.query), t.highlight)
            }
        };
        Ok(Compiled {
            quickwit,
            elastic,
            highlight,
            notes,
        })
    }

    async fn quickwit(
        &self,
        request: &SearchRequest,
        compiled: &Compiled,
        snippets: bool,
        response: &mut SearchResponse,
    ) -> Result<(), RemoteError> {
        let engine = self.http.engine();
        let index = &self.endpoint.index;
        let query = compiled.quickwit.clone().unwrap_or_default();
        // The search API: documents, exact count, snippets (no scores).
        let rest_body = json!({
            "query": query,
            "max_hits": request.limit,
            "start_offset": request.offset,
            "sort_by": "_score",
            "snippet_fields": "text",
        });
        let rest_call = Call::json(
            Method::POST,
            format!("/api/v1/{index}/search"),
            serde_json::to_vec(&rest_body).unwrap_or_default(),
        );
        // The Elasticsearch dialect: the scores.
        let es_body = json!({
            "query": {"query_string": {"query": query}},
            "from": request.offset,
            "size": request.limit,
            "sort": ["_score"],
            "track_total_hits": true,
        });
        let es_call = Call::json(
            Method::POST,
            format!("/api/v1/_elastic/{index}/_search?_source_includes={HIT_FIELDS}"),
            serde_json::to_vec(&es_body).unwrap_or_default(),
        );
        let need_rest = snippets || request.limit == 0;
        let need_es = request.limit > 0;
        let (rest, es) = tokio::join!(
            async {
                match need_rest {
                    true => Some(self.http.call(&rest_call).await),
                    false => None,
                }
            },
            async {
                match need_es {
                    true => Some(self.http.call(&es_call).await),
                    false => None,
                }
            }
        );
        let rest = rest
            .transpose()?
            .map(|reply| self.checked(reply, &rest_call))
            .transpose()?;
        let es = es
            .transpose()?
            .map(|reply| self.checked(reply, &es_call))
            .transpose()?;
        let mut by_id: HashMap<String, (Value, Option<String>)> = HashMap::new();
        if let Some(rest) = &rest {
            if let Some(errors) = rest["errors"].as_array().filter(|e| !e.is_empty()) {
                return Err(RemoteError::Protocol {
                    engine,
                    what: rest_call.what(),
                    reason: format!(
                        "the search reported errors: {}",
                        Value::Array(errors.clone())
                    ),
                });
            }
            response.total = rest["num_hits"].as_u64().unwrap_or(0) as usize;
            let hits = rest["hits"].as_array().cloned().unwrap_or_default();
            let snippets = rest["snippets"].as_array().cloned().unwrap_or_default();
            for (i, doc) in hits.into_iter().enumerate() {
                let fragment = snippets
                    .get(i)
                    .and_then(|s| s["text"].as_array())
                    .and_then(|fragments| fragments.first())
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(id) = doc["id"].as_str() {
                    by_id.insert(id.to_string(), (doc.clone(), fragment));
                }
            }
        }
        let Some(es) = es else {
            return Ok(());
        };
        shards_ok(engine, &es)?;
        if rest.is_none() {
            response.total = es["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
        }
        for hit in es["hits"]["hits"].as_array().into_iter().flatten() {
            let source = &hit["_source"];
            let score = hit["sort"][0].as_f64().unwrap_or(0.0) as f32;
            let id = source["id"].as_str().unwrap_or_default();
            let (doc, fragment) = match by_id.get(id) {
                Some((doc, fragment)) => (doc, fragment.as_deref()),
                None => (source, None),
            };
            let text = doc["text"].as_str().unwrap_or("");
            let excerpt = if snippets {
                snippet::from_fragment(fragment, text, "<b>", "</b>", request.snippet_chars)
            } else {
                Excerpt::default()
            };
            response.hits.push(make_hit(source, score, excerpt));
        }
        Ok(())
    }

    async fn elastic(
        &self,
        request: &SearchRequest,
        compiled: &Compiled,
        snippets: bool,
        response: &mut SearchResponse,
    ) -> Result<(), RemoteError> {
        let engine = self.http.engine();
        let mut body = json!({
            "query": compiled.elastic.clone().unwrap_or(Value::Null),
            "from": request.offset,
            "size": request.limit,
            // The score is the first sort value (`track_scores` is not
            // needed with `_score` in the sort, and Quickwit's dialect
            // refuses it).
            "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
            "track_total_hits": true,
            "_source": HIT_FIELDS.split(',').collect::<Vec<_>>(),
        });
        if snippets {
            let words = compiled.highlight.join(" ");
            body["highlight"] = json!({
                "pre_tags": ["<b>"],
                "post_tags": ["</b>"],
                "encoder": "html",
                "fields": {"text": {
                    "type": "unified",
                    "number_of_fragments": 1,
                    "fragment_size": request.snippet_chars,
                    "no_match_size": request.snippet_chars,
                    "highlight_query": {"match": {"text": {"query": words}}},
                }},
            });
        }
        let call = Call::json(
            Method::POST,
            format!("/{}/_search", self.endpoint.index),
            serde_json::to_vec(&body).unwrap_or_default(),
        );
        let reply = self.http.call(&call).await?;
        let es = self.checked(reply, &call)?;
        shards_ok(engine, &es)?;
        response.total = es["hits"]["total"]["value"].as_u64().unwrap_or(0) as usize;
        for hit in es["hits"]["hits"].as_array().into_iter().flatten() {
            let source = &hit["_source"];
            let score = hit["_score"]
                .as_f64()
                .or_else(|| hit["sort"][0].as_f64())
                .unwrap_or(0.0) as f32;
            let excerpt = if snippets {
                let fragment = hit["highlight"]["text"][0].as_str();
                snippet::from_fragment(fragment, "", "<b>", "</b>", request.snippet_chars)
            } else {
                Excerpt::default()
            };
            response.hits.push(make_hit(source, score, excerpt));
        }
        Ok(())
    }

    /// The JSON of a successful answer; the engine's message otherwise
    /// (a missing index says so).
    fn checked(&self, reply: crate::http::Reply, call: &Call) -> Result<Value, RemoteError> {
        let engine = self.http.engine();
        if reply.status == 404 {
            return Err(RemoteError::NoIndex {
                engine,
                index: self.endpoint.index.clone(),
            });
        }
        if !reply.is_success() {
            return Err(RemoteError::Status {
                engine,
                what: call.what(),
                status: reply.status,
                message: reply.message(),
            });
        }
        reply.json(engine, &call.what())
    }
}

/// An error when any shard or split failed to answer.
fn shards_ok(engine: &'static str, es: &Value) -> Result<(), RemoteError> {
    let failed = es["_shards"]["failed"].as_u64().unwrap_or(0);
    if failed > 0 {
        return Err(RemoteError::ShardsFailed {
            engine,
            failed,
            total: es["_shards"]["total"].as_u64().unwrap_or(0),
        });
    }
    Ok(())
}

/// A [`Hit`] from a stored document.
fn make_hit(doc: &Value, score: f32, excerpt: Excerpt) -> Hit {
    let text = |name: &str| doc[name].as_str().unwrap_or_default().to_string();
    let path = doc["path"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Hit {
        id: text("id"),
        article: text("article"),
        title: text("title"),
        heading: doc["heading"].as_str().map(str::to_string),
        level: doc["level"]
            .as_u64()
            .map_or(0, |l| l.min(u64::from(u8::MAX)) as u8),
        path,
        url: text("url"),
        score,
        language: doc["language"].as_str().map(str::to_string),
        snippet: excerpt.to_html(),
        excerpt,
        ordinal: doc["ordinal"]
            .as_u64()
            .map_or(0, |o| o.min(u64::from(u32::MAX)) as u32),
        explain: None,
        hybrid: None,
    }
}
