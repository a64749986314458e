//! The index definitions Rubric's documents need, generated: Quickwit's
//! index config ([`quickwit_index_config`]) and the Elasticsearch /
//! OpenSearch index body with its mapping ([`elastic_index_body`]).
//! `ingest --sink-config ENGINE` prints them; a sink creates its index with
//! them when the index does not exist yet.
//!
//! The fields are [`crate::doc::FIELDS`]. Raw text fields are stored for
//! display; `text` is also indexed for the engine's highlighter (Quickwit's
//! `default` tokenizer, Elasticsearch's `english` analyzer). The `_norm`
//! copies are what queries score: split on whitespace only, with positions
//! (phrases) and field norms (BM25's length normalisation), not stored.
//! Quickwit 0.9 has no stemming tokenizer at all (`en_stem` is refused), so
//! Rubric's own analysis is what gives it stems, spellings and Greek letters.

use serde_json::{Value, json};

use crate::Engine;

/// Seconds Quickwit waits before it commits what it was sent (a new split).
pub const QUICKWIT_COMMIT_TIMEOUT_SECS: u64 = 30;

/// How long a new Quickwit split may still be merged. Quickwit applies
/// delete tasks only to mature splits, so this also bounds how long the old
/// sections of a changed or removed article stay searchable (plus the
/// janitor's 1-minute polling and the split's rewrite).
pub const QUICKWIT_MATURATION: &str = "10m";

/// The index definition for `engine`: [`quickwit_index_config`] or
/// [`elastic_index_body`].
pub fn index_definition(engine: Engine, index: &str) -> Value {
    match engine {
        Engine::Quickwit => quickwit_index_config(index),
        Engine::Elasticsearch | Engine::OpenSearch => elastic_index_body(),
    }
}

/// Quickwit's index config (`POST /api/v1/indexes`) for the index `index`.
pub fn quickwit_index_config(index: &str) -> Value {
    let raw = |name: &str| json!({"name": name, "type": "text", "tokenizer": "raw"});
    let stored = |name: &str, kind: &str| json!({"name": name, "type": kind, "indexed": false});
    let norm = |name: &str, kind: &str| {
        json!({
            "name": name, "type": kind, "tokenizer": "whitespace",
            "record": "position", "fieldnorms": true, "stored": false
        })
    };
    json!({
        "version": "0.9",
        "index_id": index,
        "doc_mapping": {
            "mode": "strict",
            "field_mappings": [
                {"name": "id", "type": "text", "tokenizer": "raw", "fast": true},
                {"name": "article", "type": "text", "tokenizer": "raw", "fast": true},
                raw("hash"),
                stored("title", "text"),
                stored("heading", "text"),
                stored("path", "array<text>"),
                {"name": "text", "type": "text", "tokenizer": "default", "record": "basic"},
                stored("level", "u64"),
                {"name": "ordinal", "type": "u64", "indexed": false, "fast": true},
                stored("url", "text"),
                raw("source"),
                {"name": "tags", "type": "array<text>", "tokenizer": "raw"},
                raw("date"),
                raw("language"),
                norm("title_norm", "text"),
                norm("heading_norm", "text"),
                norm("path_norm", "array<text>"),
                norm("text_norm", "text"),
            ]
        },
        "search_settings": {"default_search_fields": ["text_norm"]},
        "indexing_settings": {
            "commit_timeout_secs": QUICKWIT_COMMIT_TIMEOUT_SECS,
            "merge_policy": {"type": "stable_log", "maturation_period": QUICKWIT_MATURATION}
        }
    })
}

/// The Elasticsearch / OpenSearch index body (`PUT /INDEX`): no settings of
/// its own (shards and replicas are the cluster's defaults) and a strict
/// mapping of Rubric's fields.
pub fn elastic_index_body() -> Value {
    let english = json!({"type": "text", "analyzer": "english"});
    let stored = |kind: &str| json!({"type": kind, "index": false});
    let norm = json!({"type": "text", "analyzer": "whitespace"});
    json!({
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": {"type": "keyword"},
                "article": {"type": "keyword"},
                "hash": {"type": "keyword"},
                "title": stored("text"),
                "heading": stored("text"),
                "path": stored("text"),
                "text": english,
                "level": stored("integer"),
                "ordinal": {"type": "integer"},
                "url": stored("keyword"),
                "source": {"type": "keyword"},
                "tags": {"type": "keyword"},
                "date": {"type": "keyword"},
                "language": {"type": "keyword"},
                "title_norm": norm,
                "heading_norm": norm,
                "path_norm": norm,
                "text_norm": norm,
            }
        }
    })
}

/// The fields a Quickwit index config (as `GET /api/v1/indexes/INDEX`
/// returns it) or an Elasticsearch mapping (`GET /INDEX/_mapping`) lacks,
/// of the ones Rubric's documents have.
pub(crate) fn missing_fields(engine: Engine, described: &Value) -> Vec<&'static str> {
    let names: Vec<&str> = match engine {
        Engine::Quickwit => described["index_config"]["doc_mapping"]["field_mappings"]
            .as_array()
            .map(|fields| fields.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default(),
        Engine::Elasticsearch | Engine::OpenSearch => described
            .as_object()
            .and_then(|indexes| indexes.values().next())
            .and_then(|index| index["mappings"]["properties"].as_object())
            .map(|props| props.keys().map(String::as_str).collect())
            .unwrap_or_default(),
    };
    crate::doc::FIELDS
        .iter()
        .copied()
        .filter(|f| !names.contains(f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::FIELDS;

    #[test]
    fn both_definitions_declare_every_document_field_and_no_other() {
        let qw = quickwit_index_config("rubric");
        let names: Vec<&str> = qw["doc_mapping"]["field_mappings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, FIELDS);
        let es = elastic_index_body();
        let mut props: Vec<&str> = es["mappings"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = FIELDS.to_vec();
        props.sort_unstable();
        fields.sort_unstable();
        assert_eq!(props, fields);
    }

    #[test]
    fn a_described_index_without_a_field_is_noticed() {
        let mut described = json!({"index_config": quickwit_index_config("rubric")});
        assert!(missing_fields(Engine::Quickwit, &described).is_empty());
        described["index_config"]["doc_mapping"]["field_mappings"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["name"] != "text_norm");
        assert_eq!(missing_fields(Engine::Quickwit, &described), ["text_norm"]);
        let es = json!({"rubric": elastic_index_body()});
        assert!(missing_fields(Engine::Elasticsearch, &es).is_empty());
    }
}
