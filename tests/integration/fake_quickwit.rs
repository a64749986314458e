//! A fake Quickwit 0.9 on 127.0.0.1 for the sink and `search --engine`
//! tests: the endpoints Rubric uses, answering in the shapes recorded from
//! the real engine (/work/scratch/quickwit/fixtures/exchanges: 03 create,
//! 05 describe, 13 ingest into no index, 41/92 delete tasks, 90 ingest with
//! `detailed_response`, 20/30 searches). It keeps the documents it was sent
//! and applies delete tasks at once (the real engine takes minutes), for
//! the forms of query the sink writes; a test can make it refuse documents
//! or answer with an error status a number of times.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use rubric_test_site::{Reply, Seen, Site};
use serde_json::{Value, json};

/// The engine's state.
#[derive(Default)]
pub struct State {
    /// The index config it was given, by index id.
    pub indexes: Vec<(String, Value)>,
    /// Documents held, in arrival order.
    pub docs: Vec<Value>,
    /// Every delete task's query.
    pub delete_queries: Vec<String>,
    /// Every ingest request's query string, line count and body size.
    pub ingests: Vec<(String, usize, usize)>,
    /// Replies to give before behaving normally (any request).
    pub failures: VecDeque<Reply>,
    /// Documents whose text contains this are refused.
    pub refuse_text: Option<String>,
    /// The next answers of the search API.
    pub rest_replies: VecDeque<Reply>,
    /// The next answers of the Elasticsearch-compatible `_search`.
    pub es_replies: VecDeque<Reply>,
    /// Bodies of the search requests.
    pub searches: Vec<(String, Value)>,
}

/// A running fake.
pub struct FakeQuickwit {
    pub site: Site,
    pub state: Arc<Mutex<State>>,
}

impl FakeQuickwit {
    pub fn start() -> FakeQuickwit {
        let site = Site::start();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        site.fallback(move |seen| {
            let mut state = shared.lock().unwrap();
            if let Some(reply) = state.failures.pop_front() {
                return reply;
            }
            answer(&mut state, seen)
        });
        FakeQuickwit { site, state }
    }

    /// `quickwit://127.0.0.1:PORT/INDEX`.
    pub fn url(&self, index: &str) -> String {
        format!("quickwit://{}/{index}", self.site.addr())
    }

    /// The ids of the documents held, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state
            .lock()
            .unwrap()
            .docs
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }
}

fn message(status: u16, text: &str) -> Reply {
    let mut reply = Reply::with_type(
        "application/json",
        serde_json::to_vec_pretty(&json!({ "message": text })).unwrap(),
    );
    reply.status = status;
    reply
}

fn ok(body: Value) -> Reply {
    Reply::with_type(
        "application/json",
        serde_json::to_vec_pretty(&body).unwrap(),
    )
}

fn answer(state: &mut State, seen: &Seen) -> Reply {
    let path = seen.path.as_str();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (seen.method.as_str(), parts.as_slice()) {
        ("GET", ["api", "v1", "indexes", index]) => {
            match state.indexes.iter().find(|(id, _)| id == index) {
                Some((_, config)) => ok(json!({
                    "index_config": config,
                    "index_uid": format!("{index}:01M9950AMCW6R1C31ZY4V444QE"),
                    "version": "0.9",
                })),
                None => message(404, &format!("index `{index}` not found")),
            }
        }
        ("POST", ["api", "v1", "indexes"]) => {
            let config: Value = serde_json::from_slice(&seen.body).unwrap();
            let id = config["index_id"].as_str().unwrap().to_string();
            if state.indexes.iter().any(|(i, _)| *i == id) {
                return message(
                    400,
                    &format!("metastore error `index `{id}` already exist(s)`"),
                );
            }
            state.indexes.push((id.clone(), config.clone()));
            ok(
                json!({"version": "0.9", "index_uid": format!("{id}:01M9950AMCW6R1C31ZY4V444QE"), "index_config": config}),
            )
        }
        ("POST", ["api", "v1", index, "ingest"]) => ingest(state, index, seen),
        ("POST", ["api", "v1", index, "delete-tasks"]) => {
            let body: Value = serde_json::from_slice(&seen.body).unwrap();
            let query = body["query"].as_str().unwrap().to_string();
            let matcher = parse_delete(&query)
                .unwrap_or_else(|| panic!("the fake cannot read the delete query {query}"));
            state.docs.retain(|d| !matcher.iter().any(|m| m.matches(d)));
            state.delete_queries.push(query);
            let _ = index;
            ok(
                json!({"create_timestamp": 1796677325, "opstamp": state.delete_queries.len(),
                      "delete_query": {"index_uid": "x", "query_ast": "{}"}}),
            )
        }
        ("POST", ["api", "v1", "_elastic", _, "_search"]) => {
            let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
            state
                .searches
                .push((format!("{}?{}", seen.path, seen.query), body));
            state
                .es_replies
                .pop_front()
                .unwrap_or_else(|| message(500, "the fake has no search answer"))
        }
        ("POST", ["api", "v1", _, "search"]) => {
            let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
            state.searches.push((seen.path.clone(), body));
            state
                .rest_replies
                .pop_front()
                .unwrap_or_else(|| message(500, "the fake has no search answer"))
        }
        _ => message(
            404,
            &format!("the fake has no route for {} {path}", seen.method),
        ),
    }
}

fn ingest(state: &mut State, index: &str, seen: &Seen) -> Reply {
    let Some((_, config)) = state.indexes.iter().find(|(id, _)| id == index) else {
        return message(404, &format!("index `{index}` not found"));
    };
    let fields: Vec<String> = config["doc_mapping"]["field_mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    let text = String::from_utf8(seen.body.clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let mut failures = Vec::new();
    let mut accepted = Vec::new();
    for line in &lines {
        let doc: Value = match serde_json::from_str(line) {
            Ok(doc) => doc,
            Err(_) => {
                failures.push(json!({"message": "failed to parse JSON document", "document": line, "reason": "invalid_json"}));
                continue;
            }
        };
        if let Some(unknown) = doc
            .as_object()
            .unwrap()
            .keys()
            .find(|k| !fields.contains(k))
        {
            failures.push(json!({"message": format!("the document contains a field that is not declared in the schema: {unknown:?}"), "document": line, "reason": "invalid_schema"}));
            continue;
        }
        if let Some(bad) = &state.refuse_text
            && doc["text"]
                .as_str()
                .is_some_and(|t| t.contains(bad.as_str()))
        {
            failures.push(json!({"message": "the field `level` could not be parsed: failed to coerce JSON string `\"x\"` to u64", "document": line, "reason": "invalid_schema"}));
            continue;
        }
        accepted.push(doc);
    }
    state
        .ingests
        .push((seen.query.clone(), lines.len(), seen.body.len()));
    let mut body = json!({
        "num_docs_for_processing": lines.len(),
        "num_ingested_docs": accepted.len(),
        "num_rejected_docs": failures.len(),
    });
    if seen.query.contains("detailed_response=true") && !failures.is_empty() {
        body["parse_failures"] = Value::Array(failures);
    }
    state.docs.extend(accepted);
    ok(body)
}

/// One alternative of a delete query.
enum Delete {
    /// `(+article:"a" -hash:"h")`
    OthersOf(String, String),
    /// `(+article:"a" +hash:"h")`
    Only(String, String),
    /// `article:IN ["a" "b"]`
    All(Vec<String>),
}

impl Delete {
    fn matches(&self, doc: &Value) -> bool {
        let article = doc["article"].as_str().unwrap_or_default();
        let hash = doc["hash"].as_str().unwrap_or_default();
        match self {
            Delete::OthersOf(a, h) => article == a && hash != h,
            Delete::Only(a, h) => article == a && hash == h,
            Delete::All(ids) => ids.iter().any(|id| id == article),
        }
    }
}

/// Reads the delete queries the sink writes (and nothing else).
fn parse_delete(query: &str) -> Option<Vec<Delete>> {
    let mut out = Vec::new();
    let mut rest = query;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("(+article:") {
            let (article, after) = quoted(after)?;
            let (keep, after) = if let Some(a) = after.strip_prefix(" -hash:") {
                (true, a)
            } else {
                (false, after.strip_prefix(" +hash:")?)
            };
            let (hash, after) = quoted(after)?;
            rest = after.strip_prefix(')')?;
            out.push(if keep {
                Delete::OthersOf(article, hash)
            } else {
                Delete::Only(article, hash)
            });
        } else if let Some(after) = rest.strip_prefix("article:IN [") {
            let mut ids = Vec::new();
            let mut inner = after;
            loop {
                inner = inner.trim_start();
                if let Some(a) = inner.strip_prefix(']') {
                    rest = a;
                    break;
                }
                let (id, a) = quoted(inner)?;
                ids.push(id);
                inner = a;
            }
            out.push(Delete::All(ids));
        } else {
            return None;
        }
        rest = rest.trim_start();
        if rest.is_empty() {
            return Some(out);
        }
        rest = rest.strip_prefix("OR")?;
    }
}

/// A `"…"` term with `\` escapes, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let s = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    None
}
