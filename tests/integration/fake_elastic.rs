//! A fake Elasticsearch / OpenSearch on 127.0.0.1 for the sink and
//! `search --engine` tests. No real engine of either kind could be run
//! where this was written: it answers in the shapes of their documented
//! REST API (index create/describe/delete, `_bulk` with its per-item
//! results, `_delete_by_query`, `_search`), and keeps documents by `_id`
//! as the engines do (an `index` action replaces), applying the delete
//! queries the sink writes at once. A test can make it refuse documents.

use std::sync::{Arc, Mutex};

use rubric_test_site::{Reply, Seen, Site};
use serde_json::{Value, json};

/// The engine's state.
#[derive(Default)]
pub struct State {
    /// The body each index was created with (`PUT /INDEX`), by name.
    pub indexes: Vec<(String, Value)>,
    /// Documents held, by `_id`, in first-arrival order.
    pub docs: Vec<(String, Value)>,
    /// Every `_bulk` request: its query string and its lines, parsed.
    pub bulks: Vec<(String, Vec<Value>)>,
    /// Every `_delete_by_query`: its query string and body.
    pub deletes: Vec<(String, Value)>,
    /// Documents whose text contains this are refused (item status 400).
    pub refuse_text: Option<String>,
    /// The next answers of `_search`.
    pub search_replies: Vec<Reply>,
    /// Bodies of the `_search` requests.
    pub searches: Vec<(String, Value)>,
}

/// A running fake.
pub struct FakeElastic {
    pub site: Site,
    pub state: Arc<Mutex<State>>,
}

impl FakeElastic {
    pub fn start() -> FakeElastic {
        let site = Site::start();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        site.fallback(move |seen| answer(&mut shared.lock().unwrap(), seen));
        FakeElastic { site, state }
    }

    /// `SCHEME://127.0.0.1:PORT/INDEX` (`elasticsearch`, `opensearch`).
    pub fn url(&self, scheme: &str, index: &str) -> String {
        format!("{scheme}://{}/{index}", self.site.addr())
    }

    /// The ids of the documents held, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state
            .lock()
            .unwrap()
            .docs
            .iter()
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }
}

fn reply(status: u16, body: Value) -> Reply {
    let mut reply = Reply::with_type(
        "application/json",
        serde_json::to_vec_pretty(&body).unwrap(),
    );
    reply.status = status;
    reply
}

fn no_index(index: &str) -> Reply {
    reply(
        404,
        json!({"error": {"root_cause": [{"type": "index_not_found_exception", "reason": format!("no such index [{index}]")}],
               "type": "index_not_found_exception", "reason": format!("no such index [{index}]")},
               "status": 404}),
    )
}

fn answer(state: &mut State, seen: &Seen) -> Reply {
    let path = seen.path.as_str();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let exists = |state: &State, index: &str| state.indexes.iter().any(|(i, _)| i == index);
    match (seen.method.as_str(), parts.as_slice()) {
        ("GET", [index, "_mapping"]) => match state.indexes.iter().find(|(i, _)| i == index) {
            Some((_, body)) => reply(200, json!({ *index: {"mappings": body["mappings"]} })),
            None => no_index(index),
        },
        ("PUT", [index]) => {
            if exists(state, index) {
                return reply(
                    400,
                    json!({"error": {"type": "resource_already_exists_exception",
                                     "reason": format!("index [{index}] already exists")}, "status": 400}),
                );
            }
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            state.indexes.push((index.to_string(), body));
            reply(
                200,
                json!({"acknowledged": true, "shards_acknowledged": true, "index": index}),
            )
        }
        ("DELETE", [index]) => {
            if !exists(state, index) {
                return no_index(index);
            }
            state.indexes.retain(|(i, _)| i != index);
            state.docs.clear();
            reply(200, json!({"acknowledged": true}))
        }
        ("POST", [index, "_bulk"]) => bulk(state, index, seen),
        ("POST", [index, "_delete_by_query"]) => {
            if !exists(state, index) {
                return no_index(index);
            }
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            let before = state.docs.len();
            state.docs.retain(|(_, doc)| !matches(&body["query"], doc));
            let deleted = before - state.docs.len();
            state.deletes.push((seen.query.clone(), body));
            reply(
                200,
                json!({"took": 3, "timed_out": false, "total": deleted, "deleted": deleted,
                       "batches": 1, "version_conflicts": 0, "noops": 0,
                       "retries": {"bulk": 0, "search": 0}, "throttled_millis": 0,
                       "requests_per_second": -1.0, "throttled_until_millis": 0, "failures": []}),
            )
        }
        ("POST", [index, "_search"]) => {
            if !exists(state, index) {
                return no_index(index);
            }
            let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
            state.searches.push((seen.path.clone(), body));
            if state.search_replies.is_empty() {
                return reply(500, json!({"error": "the fake has no search answer"}));
            }
            state.search_replies.remove(0)
        }
        _ => reply(
            404,
            json!({"error": format!("no handler found for uri [{path}] and method [{}]", seen.method)}),
        ),
    }
}

/// `_bulk`: pairs of action and document lines; each `index` action
/// replaces the document of its `_id`.
fn bulk(state: &mut State, index: &str, seen: &Seen) -> Reply {
    if !state.indexes.iter().any(|(i, _)| i == index) {
        return no_index(index);
    }
    let text = String::from_utf8(seen.body.clone()).unwrap();
    assert!(text.ends_with('\n'), "a _bulk body ends with a newline");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut items = Vec::new();
    let mut errors = false;
    for pair in lines.chunks(2) {
        let [action, doc] = pair else {
            panic!("an action without its document: {pair:?}");
        };
        let id = action["index"]["_id"].as_str().unwrap().to_string();
        let refused = state
            .refuse_text
            .as_ref()
            .is_some_and(|bad| doc["text"].as_str().unwrap_or("").contains(bad.as_str()));
        if refused {
            errors = true;
            items.push(json!({"index": {"_index": index, "_id": id, "status": 400,
                "error": {"type": "document_parsing_exception",
                          "reason": "[1:42] failed to parse field [level] of type [integer] in document with id 'x'"}}}));
            continue;
        }
        let result = match state.docs.iter_mut().find(|(i, _)| *i == id) {
            Some(held) => {
                held.1 = doc.clone();
                "updated"
            }
            None => {
                state.docs.push((id.clone(), doc.clone()));
                "created"
            }
        };
        let status = if result == "created" { 201 } else { 200 };
        items.push(json!({"index": {"_index": index, "_id": id, "_version": 1,
                                    "result": result, "status": status}}));
    }
    state.bulks.push((seen.query.clone(), lines));
    reply(200, json!({"took": 7, "errors": errors, "items": items}))
}

/// Evaluates the forms of query the sink's deletes use: `bool` with
/// `should` / `filter` / `must_not` (and `minimum_should_match`), `term`
/// and `terms` on keyword fields.
fn matches(query: &Value, doc: &Value) -> bool {
    if let Some(b) = query.get("bool") {
        let all = |key: &str| {
            b[key]
                .as_array()
                .is_none_or(|qs| qs.iter().all(|q| matches(q, doc)))
        };
        let none = b["must_not"]
            .as_array()
            .is_none_or(|qs| !qs.iter().any(|q| matches(q, doc)));
        let should = b["should"]
            .as_array()
            .is_none_or(|qs| qs.is_empty() || qs.iter().any(|q| matches(q, doc)));
        return all("filter") && all("must") && none && should;
    }
    if let Some(term) = query.get("term").and_then(Value::as_object) {
        return term.iter().all(|(field, value)| doc[field] == *value);
    }
    if let Some(terms) = query.get("terms").and_then(Value::as_object) {
        return terms.iter().all(|(field, values)| {
            values
                .as_array()
                .unwrap()
                .iter()
                .any(|value| doc[field] == *value)
        });
    }
    panic!("the fake cannot read the delete query {query}");
}
