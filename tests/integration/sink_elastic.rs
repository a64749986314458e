//! `ingest --sink elasticsearch://…` / `opensearch://…` and `search
//! --engine elasticsearch://…` against a fake engine on 127.0.0.1
//! (`fake_elastic`, in the documented shapes of their REST API: neither
//! engine could be run here). What is sent: the index created with the
//! mapping `--sink-config` prints, `_bulk` index actions keyed by section
//! id, `_delete_by_query` by article and hash for changed and removed
//! articles; and `_search` answers printed as Rubric's hits.

use rubric_test_site::Reply;
use serde_json::{Value, json};

use crate::fake_elastic::FakeElastic;
use crate::harness::Case;

const INDEX: &str = "rubric-test";

fn docs(case: &Case) {
    case.write(
        "docs/a.md",
        "# Alpha\n\nAlpha lead about zebras.\n\n## Stripes\n\nWhy zebras have stripes.\n",
    );
    case.write("docs/b.md", "# Beta\n\nBeta text about giraffes.\n");
    case.write("docs/c.md", "# Gamma\n\nGamma text about lions.\n");
}

#[test]
fn bulk_index_actions_keyed_by_section_id_and_deletes_by_query_keep_the_engine_equal_to_the_sources()
 {
    for scheme in ["elasticsearch", "opensearch"] {
        let es = FakeElastic::start();
        let case = Case::new();
        docs(&case);
        let url = es.url(scheme, INDEX);
        let run = case.ingest(&["--sink", &url, "docs"]).expect_code(0);
        assert!(run.stderr.contains("sent 4 sections"), "{}", run.stderr);
        assert_eq!(es.ids(), ["a.md", "a.md#stripes", "b.md", "c.md"]);
        {
            let state = es.state.lock().unwrap();
            // The index was created with exactly the printed definition.
            let printed = case
                .ingest(&["--sink-config", scheme])
                .expect_code(0)
                .json();
            assert_eq!(state.indexes, [(INDEX.to_string(), printed)]);
            // One _bulk request: an index action keyed by the section id
            // before each document; the last request waits for a refresh.
            assert_eq!(state.bulks.len(), 1);
            let (query, lines) = &state.bulks[0];
            assert_eq!(query, "refresh=wait_for");
            assert_eq!(lines.len(), 8);
            for pair in lines.chunks(2) {
                assert_eq!(pair[0], json!({"index": {"_id": pair[1]["id"]}}));
            }
            let lead = &lines[1];
            assert_eq!(lead["id"], "a.md");
            assert_eq!(lead["text_norm"], "alpha lead about zebra");
        }
        // Sending the same sections again (books lost) replaces them: ids
        // are section ids, so the engine still holds each once.
        std::fs::remove_dir_all(case.index().join("sinks")).unwrap();
        case.ingest(&["--sink", &url, "docs"]).expect_code(0);
        assert_eq!(es.state.lock().unwrap().bulks.len(), 2);
        assert_eq!(es.ids(), ["a.md", "a.md#stripes", "b.md", "c.md"]);

        // Change a (a section renamed), remove c: one delete-by-query for
        // both, by article and the new hash, then the engine holds exactly
        // the sources' sections.
        case.write(
            "docs/a.md",
            "# Alpha\n\nAlpha lead about zebras.\n\n## Manes\n\nZebras have manes.\n",
        );
        std::fs::remove_file(case.path("docs/c.md")).unwrap();
        let check = case
            .ingest(&["--check", "--sink", &url, "docs"])
            .expect_code(1);
        assert!(check.stdout.contains("changed\ta.md"), "{}", check.stdout);
        case.ingest(&["--prune", "--sink", &url, "docs"])
            .expect_code(0);
        assert_eq!(es.ids(), ["a.md", "a.md#manes", "b.md"]);
        let state = es.state.lock().unwrap();
        let new_hash = state
            .docs
            .iter()
            .find(|(id, _)| id == "a.md#manes")
            .unwrap()
            .1["hash"]
            .clone();
        assert_eq!(state.bulks[2].1.len(), 4, "only a's two sections again");
        assert_eq!(state.deletes.len(), 1);
        let (query, body) = &state.deletes[0];
        assert_eq!(query, "conflicts=proceed&refresh=true");
        assert_eq!(
            body,
            &json!({"query": {"bool": {"minimum_should_match": 1, "should": [
                {"bool": {"filter": [{"term": {"article": "a.md"}}],
                          "must_not": [{"term": {"hash": new_hash}}]}},
                {"terms": {"article": ["c.md"]}},
            ]}}})
        );
        drop(state);
        case.ingest(&["--check", "--sink", &url, "docs"])
            .expect_code(0);
    }
}

#[test]
fn the_printed_mapping_is_strict_and_holds_every_document_field() {
    let case = Case::new();
    let es = case
        .ingest(&["--sink-config", "elasticsearch"])
        .expect_code(0)
        .json();
    let os = case
        .ingest(&["--sink-config", "opensearch"])
        .expect_code(0)
        .json();
    assert_eq!(es, os, "one mapping for both engines");
    let mapping = &es["mappings"];
    assert_eq!(mapping["dynamic"], "strict");
    let mut names: Vec<&str> = mapping["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    let mut fields = [
        "id",
        "article",
        "hash",
        "title",
        "heading",
        "path",
        "text",
        "level",
        "ordinal",
        "url",
        "source",
        "tags",
        "date",
        "language",
        "title_norm",
        "heading_norm",
        "path_norm",
        "text_norm",
    ];
    fields.sort_unstable();
    assert_eq!(names, fields);
    // The analysed copies are split on whitespace only (Rubric analysed
    // them); ids, articles and hashes are exact keywords.
    assert_eq!(mapping["properties"]["text_norm"]["analyzer"], "whitespace");
    for keyword in ["id", "article", "hash"] {
        assert_eq!(mapping["properties"][keyword]["type"], "keyword");
    }
}

#[test]
fn a_document_the_engine_refuses_is_reported_and_its_accepted_sections_deleted() {
    let es = FakeElastic::start();
    let case = Case::new();
    docs(&case);
    case.write(
        "docs/r.md",
        "# Refused\n\nA fine lead.\n\n## Bad\n\nThe engine refuses THIS.\n",
    );
    es.state.lock().unwrap().refuse_text = Some("refuses THIS".into());
    let url = es.url("elasticsearch", INDEX);
    let run = case.ingest(&["--sink", &url, "docs"]).expect_code(1);
    assert!(
        run.stderr.contains(
            "r.md: refused by elasticsearch: r.md#bad: [1:42] failed to parse field [level]"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(es.ids(), ["a.md", "a.md#stripes", "b.md", "c.md"]);
    let state = es.state.lock().unwrap();
    let should = &state.deletes[0].1["query"]["bool"]["should"][0]["bool"]["filter"];
    assert_eq!(should[0], json!({"term": {"article": "r.md"}}));
    assert!(should[1]["term"]["hash"].is_string(), "{should}");
}

#[test]
fn search_engine_elasticsearch_sends_the_query_dsl_and_prints_the_json_contract() {
    let es = FakeElastic::start();
    let case = Case::new();
    docs(&case);
    let url = es.url("elasticsearch", INDEX);
    // The index must exist: fill it first.
    case.ingest(&["--sink", &url, "docs"]).expect_code(0);
    let source = |id: &str, heading: &str| {
        json!({"id": id, "article": "a.md", "title": "Alpha", "heading": heading, "level": 2,
               "path": ["Alpha"], "url": format!("docs/{id}"), "ordinal": 1})
    };
    // The documented `_search` answer: `_score` null when sorting, the
    // score as the first sort value; one highlighted fragment of `text`.
    es.state
        .lock()
        .unwrap()
        .search_replies
        .push(Reply::with_type(
            "application/json",
            json!({"took": 4, "timed_out": false,
               "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
               "hits": {"total": {"value": 7, "relation": "eq"}, "max_score": null, "hits": [
                   {"_index": INDEX, "_id": "a.md#stripes", "_score": null,
                    "_source": source("a.md#stripes", "Stripes"), "sort": [4.5, "a.md#stripes"],
                    "highlight": {"text": ["Why <b>zebras</b> have stripes &amp; manes."]}},
                   {"_index": INDEX, "_id": "a.md#manes", "_score": 2.25,
                    "_source": source("a.md#manes", "Manes"), "sort": [2.25, "a.md#manes"],
                    "highlight": {"text": ["Zebras have manes."]}}]}})
            .to_string(),
        ));
    let run = case
        .run(
            env!("CARGO_BIN_EXE_search"),
            &["--engine", &url, "--json", "Zebras -heading:lions"],
            false,
        )
        .expect_code(0);
    let out = run.json();
    assert_eq!(out["total"], 7);
    let ids: Vec<&str> = out["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a.md#stripes", "a.md#manes"]);
    assert_eq!(out["hits"][0]["score"], 4.5);
    assert_eq!(out["hits"][1]["score"], 2.25);
    assert_eq!(out["hits"][0]["heading"], "Stripes");
    assert_eq!(out["hits"][0]["url"], "docs/a.md#stripes");
    assert_eq!(
        out["hits"][0]["snippet"],
        "Why <mark>zebras</mark> have stripes &amp; manes."
    );
    let state = es.state.lock().unwrap();
    let (path, body) = &state.searches[0];
    assert_eq!(path, &format!("/{INDEX}/_search"));
    let query = &body["query"]["bool"];
    // Rubric's analysis (zebras → zebra) on the analysed fields with its
    // weights; the excluded heading word as a must_not.
    let text = query.to_string();
    assert!(
        text.contains(r#"{"term":{"heading_norm":{"boost":2.0,"value":"zebra"}}}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"{"term":{"heading_norm":{"boost":1.0,"value":"lion"}}}"#),
        "{text}"
    );
    assert!(query["must_not"].is_array(), "{text}");
    assert_eq!(body["size"], 10);
    assert_eq!(body["track_total_hits"], true);
    assert_eq!(body["sort"][0], json!({"_score": {"order": "desc"}}));
    assert_eq!(
        body["highlight"]["fields"]["text"]["highlight_query"],
        json!({"match": {"text": {"query": "zebras"}}})
    );
}

#[test]
fn search_engine_elasticsearch_on_a_missing_index_says_to_fill_it_first() {
    let es = FakeElastic::start();
    let case = Case::new();
    let run = case
        .run(
            env!("CARGO_BIN_EXE_search"),
            &["--engine", &es.url("opensearch", INDEX), "zebras"],
            false,
        )
        .expect_code(2);
    assert!(
        run.stderr.contains(&format!(
            "opensearch has no index \"{INDEX}\": send sections to it with `ingest --sink` first"
        )),
        "{}",
        run.stderr
    );
}

/// The `_bulk` body `ingest --export bulk` writes is the one the sink sends.
#[test]
fn export_bulk_writes_the_bulk_body_the_sink_sends() {
    let es = FakeElastic::start();
    let case = Case::new();
    docs(&case);
    case.ingest(&["--sink", &es.url("elasticsearch", INDEX), "docs"])
        .expect_code(0);
    let out = case.path("out.bulk");
    case.ingest(&["--export", "bulk", out.to_str().unwrap(), "docs"])
        .expect_code(0);
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, es.state.lock().unwrap().bulks[0].1);
}

/// Found on the real Quickwit cluster with linux-doc: a section over 64 KiB
/// is split into parts that share its id (issue 13), so keyed by the section
/// id alone the later parts replaced the earlier ones in the engine.
#[test]
fn the_parts_of_a_split_section_are_all_kept_by_the_engine() {
    let es = FakeElastic::start();
    let case = Case::new();
    let words: Vec<String> = (0..30_000).map(|i| format!("w{i}")).collect();
    case.write(
        "big/abi.md",
        format!("# ABI\n\n## Symbols\n\n{}\n", words.join(" ")),
    );
    let url = es.url("elasticsearch", INDEX);
    case.ingest(&["--sink", &url, "big"]).expect_code(0);
    let articles = case
        .ingest(&["--dry-run", "--json", "big"])
        .expect_code(0)
        .json_lines();
    let parts = articles[0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["anchor"] == "symbols")
        .count();
    assert!(parts >= 3, "the section is split: {parts} parts");
    let ids = es.ids();
    let symbols: Vec<&String> = ids
        .iter()
        .filter(|id| id.starts_with("abi.md#symbols"))
        .collect();
    assert_eq!(symbols.len(), parts, "every part is kept: {ids:?}");
    assert_eq!(symbols[0], "abi.md#symbols");
    assert_eq!(symbols[1], "abi.md#symbols~1");
    // Sent again, each part replaces itself: nothing doubles.
    std::fs::remove_dir_all(case.index().join("sinks")).unwrap();
    case.ingest(&["--sink", &url, "big"]).expect_code(0);
    assert_eq!(es.ids(), ids);
}
