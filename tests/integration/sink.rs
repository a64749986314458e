//! `ingest --sink quickwit://…` and `search --engine quickwit://…` against
//! a fake Quickwit on 127.0.0.1 (`fake_quickwit`): what is sent, what the
//! remote index ends up holding after incremental runs, and the error
//! paths (429/5xx retried, an engine that keeps failing, one that is not
//! there, a refused document).

use rubric_test_site::Reply;
use serde_json::{Value, json};

use crate::fake_quickwit::FakeQuickwit;
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
fn a_sink_run_fills_the_remote_index_and_incremental_runs_keep_it_equal_to_the_sources() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    docs(&case);
    let url = qw.url(INDEX);
    let run = case.ingest(&["--sink", &url, "docs"]).expect_code(0);
    assert!(run.stderr.contains("created the index"), "{}", run.stderr);
    assert!(run.stderr.contains("sent 4 sections"), "{}", run.stderr);
    // No progress bar when stderr is not a terminal.
    assert!(!run.stderr.contains("sections sent"), "{}", run.stderr);
    assert_eq!(qw.ids(), ["a.md", "a.md#stripes", "b.md", "c.md"]);
    {
        let state = qw.state.lock().unwrap();
        // The index was created with the config `--sink-config` prints.
        let printed = case
            .ingest(&["--sink-config", "quickwit"])
            .expect_code(0)
            .json();
        let (id, config) = &state.indexes[0];
        assert_eq!(id, INDEX);
        assert_eq!(config["doc_mapping"], printed["doc_mapping"]);
        // One request; it asks for refusals in detail and commits.
        assert_eq!(state.ingests.len(), 1);
        assert!(state.ingests[0].0.contains("detailed_response=true"));
        assert!(state.ingests[0].0.contains("commit=force"));
        // The documents carry Rubric's analysed copies.
        let lead = state.docs.iter().find(|d| d["id"] == "a.md").unwrap();
        assert_eq!(lead["text_norm"], "alpha lead about zebra");
        assert_eq!(lead["url"], "docs/a.md");
    }
    // Nothing was written to a local index: the books are under sinks/.
    assert!(!case.index().join("rubric.json").exists());
    case.ingest(&["--check", "--sink", &url, "docs"])
        .expect_code(0);

    // Change a, remove c: --check sees it, --prune applies it.
    case.write(
        "docs/a.md",
        "# Alpha\n\nAlpha lead about zebras.\n\n## Manes\n\nZebras have manes.\n",
    );
    std::fs::remove_file(case.path("docs/c.md")).unwrap();
    let check = case
        .ingest(&["--check", "--sink", &url, "docs"])
        .expect_code(1);
    assert!(check.stdout.contains("changed\ta.md"), "{}", check.stdout);
    assert!(check.stdout.contains("removed\tc.md"), "{}", check.stdout);
    let run = case
        .ingest(&["--prune", "--sink", &url, "docs"])
        .expect_code(0);
    assert!(
        run.stderr.contains("1 updated, 1 unchanged, 1 pruned"),
        "{}",
        run.stderr
    );
    assert_eq!(qw.ids(), ["a.md", "a.md#manes", "b.md"]);
    {
        let state = qw.state.lock().unwrap();
        // Only a's two sections were sent again; one delete task for both
        // articles, by article id (and a's new hash kept).
        assert_eq!(state.ingests[1].1, 2);
        assert_eq!(state.delete_queries.len(), 1);
        let q = &state.delete_queries[0];
        assert!(q.starts_with("(+article:\"a.md\" -hash:\""), "{q}");
        assert!(q.ends_with("article:IN [\"c.md\"]"), "{q}");
    }
    case.ingest(&["--check", "--sink", &url, "docs"])
        .expect_code(0);
    // A run with nothing to do sends nothing.
    case.ingest(&["--sink", &url, "docs"]).expect_code(0);
    assert_eq!(qw.state.lock().unwrap().ingests.len(), 2);
}

#[test]
fn export_ndjson_writes_the_documents_the_sink_sends_one_line_per_section() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    docs(&case);
    case.ingest(&["--sink", &qw.url(INDEX), "docs"])
        .expect_code(0);
    let out = case.path("out.ndjson");
    let file = out.to_str().unwrap();
    let listing = |dir: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    };
    let books = listing(&case.index());
    let run = case
        .ingest(&["--export", "ndjson", file, "docs"])
        .expect_code(0);
    assert!(run.stderr.contains("exported 4 sections"), "{}", run.stderr);
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // The very documents the sink sent, in the same order.
    let lines = read();
    assert_eq!(lines, qw.state.lock().unwrap().docs);
    // Every field is one the index config declares.
    let config = case
        .ingest(&["--sink-config", "quickwit"])
        .expect_code(0)
        .json();
    let declared: Vec<&str> = config["doc_mapping"]["field_mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for line in &lines {
        for key in line.as_object().unwrap().keys() {
            assert!(declared.contains(&key.as_str()), "{key} not declared");
        }
    }
    // An export writes no index and keeps no books.
    assert_eq!(listing(&case.index()), books);
    // A full snapshot: after a change and a removal, the next export holds
    // exactly the sources' sections (it carries no deletes).
    case.write(
        "docs/a.md",
        "# Alpha\n\nAlpha lead about zebras.\n\n## Manes\n\nZebras have manes.\n",
    );
    std::fs::remove_file(case.path("docs/c.md")).unwrap();
    case.ingest(&["--export", "ndjson", file, "docs"])
        .expect_code(0);
    let ids: Vec<Value> = read().iter().map(|d| d["id"].clone()).collect();
    assert_eq!(ids, [json!("a.md"), json!("a.md#manes"), json!("b.md")]);
    // A format it does not know is refused before anything is read.
    let bad = case
        .ingest(&["--export", "csv", file, "docs"])
        .expect_code(2);
    assert!(
        bad.stderr
            .contains("unknown format \"csv\" (ndjson or bulk)"),
        "{}",
        bad.stderr
    );
}

#[test]
fn documents_go_in_requests_bounded_in_bytes() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    let mut md = String::from("# Big\n\n");
    for i in 0..300 {
        md.push_str(&format!(
            "## Part {i}\n\n{}\n\n",
            "words about zebras ".repeat(500)
        ));
    }
    case.write("docs/big.md", md);
    let url = qw.url(INDEX);
    case.ingest(&["--sink", &url, "--sink-batch-mb", "1", "docs"])
        .expect_code(0);
    let state = qw.state.lock().unwrap();
    assert_eq!(state.docs.len(), 300);
    assert!(state.ingests.len() >= 4, "{} requests", state.ingests.len());
    for (query, _, bytes) in &state.ingests {
        assert!(*bytes <= 1_000_000, "{bytes} bytes in one request");
        let last = std::ptr::eq(query, &state.ingests.last().unwrap().0);
        assert_eq!(query.contains("commit=force"), last, "{query}");
    }
}

fn failing(status: u16, body: &str) -> Reply {
    let mut reply =
        Reply::with_type("application/json", body.to_string()).header("retry-after", "0");
    reply.status = status;
    reply
}

#[test]
fn answers_429_and_503_are_retried_and_the_run_succeeds() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    docs(&case);
    {
        let mut state = qw.state.lock().unwrap();
        state
            .failures
            .push_back(failing(429, r#"{"message": "too many requests"}"#));
        state.failures.push_back(failing(
            503,
            r#"{"message": "no available searcher nodes"}"#,
        ));
    }
    case.ingest(&["--sink", &qw.url(INDEX), "docs"])
        .expect_code(0);
    assert_eq!(qw.ids().len(), 4);
}

#[test]
fn an_engine_that_keeps_failing_stops_the_run_with_its_own_message() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    docs(&case);
    {
        let mut state = qw.state.lock().unwrap();
        for _ in 0..3 {
            state
                .failures
                .push_back(failing(500, r#"{"message": "internal error: disk full"}"#));
        }
    }
    let run = case
        .ingest(&["--sink", &qw.url(INDEX), "--sink-retries", "2", "docs"])
        .expect_code(2);
    assert!(
        run.stderr.contains(&format!(
            "quickwit answered GET /api/v1/indexes/{INDEX} with HTTP 500: internal error: disk full"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreachable_engine_is_named_in_the_error() {
    let case = Case::new();
    docs(&case);
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("quickwit://127.0.0.1:{port}/{INDEX}");
    let run = case
        .ingest(&["--sink", &url, "--sink-retries", "0", "docs"])
        .expect_code(2);
    assert!(
        run.stderr.contains(&format!(
            "cannot reach quickwit at 127.0.0.1:{port} (is it running?)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_refused_document_is_reported_deleted_and_sent_again_by_the_next_run() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    docs(&case);
    case.write(
        "docs/r.md",
        "# Refused\n\nA fine lead.\n\n## Bad\n\nThe engine refuses THIS.\n",
    );
    qw.state.lock().unwrap().refuse_text = Some("refuses THIS".into());
    let url = qw.url(INDEX);
    let run = case.ingest(&["--sink", &url, "docs"]).expect_code(1);
    assert!(
        run.stderr
            .contains("r.md: refused by quickwit: r.md#bad: the field `level` could not be parsed"),
        "{}",
        run.stderr
    );
    // Its lead was accepted, then deleted again with that version's hash:
    // the engine holds nothing of r.md, as the catalog says.
    assert_eq!(qw.ids(), ["a.md", "a.md#stripes", "b.md", "c.md"]);
    let q = qw.state.lock().unwrap().delete_queries[0].clone();
    assert!(q.starts_with("(+article:\"r.md\" +hash:\""), "{q}");
    let check = case
        .ingest(&["--check", "--sink", &url, "docs"])
        .expect_code(1);
    assert!(check.stdout.contains("added\tr.md"), "{}", check.stdout);
    qw.state.lock().unwrap().refuse_text = None;
    case.ingest(&["--sink", &url, "docs"]).expect_code(0);
    assert_eq!(
        qw.ids(),
        ["a.md", "a.md#stripes", "b.md", "c.md", "r.md", "r.md#bad"]
    );
}

/// A hit as Quickwit stores it (the search API's `hits[]`).
fn stored(id: &str, heading: &str, text: &str) -> Value {
    json!({"article": "a.md", "heading": heading, "id": id, "level": 2, "ordinal": 1,
           "path": ["Alpha"], "text": text, "title": "Alpha", "url": format!("docs/{id}")})
}

#[test]
fn search_engine_translates_the_query_and_prints_the_json_contract() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    {
        let mut state = qw.state.lock().unwrap();
        let hits = [
            stored("a.md#stripes", "Stripes", "Why zebras have stripes."),
            stored(
                "a.md#manes",
                "Manes",
                "Zebras have manes, says the zebra keeper.",
            ),
        ];
        // Shapes of the recorded 20-search-get and 30d-es-search-bool-working.
        state.rest_replies.push_back(Reply::with_type(
            "application/json",
            json!({"num_hits": 2, "hits": hits,
                   "snippets": [{"text": ["Why <b>zebras</b> have stripes."]}, {"text": []}],
                   "elapsed_time_micros": 3000, "errors": []})
            .to_string(),
        ));
        state.es_replies.push_back(Reply::with_type(
            "application/json",
            json!({"took": 3, "timed_out": false, "_shards": {"total": 2, "successful": 2, "skipped": 0, "failed": 0},
                   "hits": {"total": {"value": 2, "relation": "eq"}, "hits": [
                       {"_index": INDEX, "_source": hits[0], "sort": [4.5]},
                       {"_index": INDEX, "_source": hits[1], "sort": [2.25]}]}})
            .to_string(),
        ));
    }
    let url = qw.url(INDEX);
    let run = case
        .run(
            env!("CARGO_BIN_EXE_search"),
            &["--engine", &url, "--json", "Zebras -heading:lions"],
            false,
        )
        .expect_code(0);
    let out = run.json();
    assert_eq!(out["total"], 2);
    assert_eq!(out["hits"][0]["id"], "a.md#stripes");
    assert_eq!(out["hits"][0]["score"], 4.5);
    assert_eq!(out["hits"][0]["heading"], "Stripes");
    assert_eq!(out["hits"][0]["url"], "docs/a.md#stripes");
    assert_eq!(
        out["hits"][0]["snippet"],
        "Why <mark>zebras</mark> have stripes."
    );
    // No fragment from the engine: the start of the text, unmarked.
    assert_eq!(
        out["hits"][1]["snippet"],
        "Zebras have manes, says the zebra keeper."
    );
    let state = qw.state.lock().unwrap();
    let (_, rest) = state
        .searches
        .iter()
        .find(|(p, _)| p.ends_with("/search"))
        .unwrap();
    let query = rest["query"].as_str().unwrap();
    // Rubric's analysis (zebras → zebra) on the analysed fields, with its
    // weights; the exclusion kept; the words as typed for the highlighter.
    assert!(query.contains("heading_norm:zebra^2"), "{query}");
    assert!(query.contains("text_norm:zebra"), "{query}");
    assert!(query.contains("-heading_norm:lion"), "{query}");
    assert!(query.contains("(text:zebras)^0"), "{query}");
    assert_eq!(rest["sort_by"], "_score");
    assert_eq!(rest["snippet_fields"], "text");
    let (_, es) = state
        .searches
        .iter()
        .find(|(p, _)| p.contains("_elastic"))
        .unwrap();
    assert_eq!(es["query"]["query_string"]["query"], query);
}

#[test]
fn search_engine_refuses_an_answer_with_failed_splits() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    {
        let mut state = qw.state.lock().unwrap();
        state.rest_replies.push_back(Reply::with_type(
            "application/json",
            json!({"num_hits": 0, "hits": [], "snippets": [], "elapsed_time_micros": 1, "errors": []}).to_string(),
        ));
        // The recorded 30a-es-search-bool-sorted: HTTP 200, one split failed.
        state.es_replies.push_back(Reply::with_type(
            "application/json",
            r#"{"took": 4, "timed_out": false, "terminated_early": null, "fields": {}, "_shards": {"total": 2, "successful": 1, "skipped": 0, "failed": 1}, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}"#,
        ));
    }
    let run = case
        .run(
            env!("CARGO_BIN_EXE_search"),
            &["--engine", &qw.url(INDEX), "zebras"],
            false,
        )
        .expect_code(2);
    assert!(
        run.stderr
            .contains("quickwit: 1 of 2 shards (splits) failed to answer the search"),
        "{}",
        run.stderr
    );
}

#[test]
fn search_engine_on_a_missing_index_says_to_fill_it_first() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    {
        let mut state = qw.state.lock().unwrap();
        let missing = |_: ()| {
            let mut r = Reply::with_type(
                "application/json",
                r#"{"message": "index `rubric-test` not found"}"#,
            );
            r.status = 404;
            r
        };
        state.rest_replies.push_back(missing(()));
        state.es_replies.push_back(missing(()));
    }
    let run = case
        .run(
            env!("CARGO_BIN_EXE_search"),
            &["--engine", &qw.url(INDEX), "zebras"],
            false,
        )
        .expect_code(2);
    assert!(
        run.stderr.contains(
            "quickwit has no index \"rubric-test\": send sections to it with `ingest --sink` first"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn search_serve_answers_from_the_engine() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    {
        let mut state = qw.state.lock().unwrap();
        let hits = [stored(
            "a.md#stripes",
            "Stripes",
            "Why zebras have stripes.",
        )];
        state.rest_replies.push_back(Reply::with_type(
            "application/json",
            json!({"num_hits": 1, "hits": hits,
                   "snippets": [{"text": ["Why <b>zebras</b> have stripes."]}],
                   "elapsed_time_micros": 3000, "errors": []})
            .to_string(),
        ));
        state.es_replies.push_back(Reply::with_type(
            "application/json",
            json!({"took": 3, "timed_out": false, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                   "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [
                       {"_index": INDEX, "_source": hits[0], "sort": [4.5]}]}})
            .to_string(),
        ));
    }
    let url = qw.url(INDEX);
    // No local index at all: the server answers from the engine alone.
    let server = crate::serve::Server::spawn(&case, &["--serve", "127.0.0.1:0", "--engine", &url]);
    let found = server.get("/search?q=zebras");
    assert_eq!(found.status, 200, "{}", found.body);
    let out = found.json();
    assert_eq!(out["total"], 1);
    assert_eq!(out["hits"][0]["id"], "a.md#stripes");
    assert_eq!(out["hits"][0]["score"], 4.5);
    assert_eq!(
        out["hits"][0]["snippet"],
        "Why <mark>zebras</mark> have stripes."
    );
    let health = server.get("/health").json();
    assert_eq!(health["engine"], url);
    assert_eq!(server.get("/articles/a.md").status, 404);
    assert_eq!(server.get("/search?q=zebras&group=1").status, 400);
    // The engine failing is a 502 that names neither the engine nor its
    // message; the detail goes to the log.
    {
        let mut state = qw.state.lock().unwrap();
        for _ in 0..2 {
            state
                .failures
                .push_back(failing(400, r#"{"message": "secret detail"}"#));
        }
    }
    let failed = server.get("/search?q=zebras");
    assert_eq!(failed.status, 502, "{}", failed.body);
    assert!(!failed.body.contains("secret"), "{}", failed.body);
    assert!(!failed.body.contains("127.0.0.1"), "{}", failed.body);
}

/// Two sources giving one article id in one run: the last one wins, in the
/// engine as in a local index, and in an export.
#[test]
fn an_article_id_given_twice_in_a_run_leaves_only_the_last_version_in_the_engine() {
    let qw = FakeQuickwit::start();
    let case = Case::new();
    case.write(
        "docs/records.jsonl",
        concat!(
            "{\"_id\": \"dup\", \"title\": \"One\", \"text\": \"The first version.\"}\n",
            "{\"_id\": \"other\", \"title\": \"Other\", \"text\": \"Another record.\"}\n",
            "{\"_id\": \"dup\", \"title\": \"Two\", \"text\": \"The second version.\"}\n",
        ),
    );
    case.ingest(&["--sink", &qw.url(INDEX), "docs"])
        .expect_code(0);
    let texts: Vec<Value> = qw
        .state
        .lock()
        .unwrap()
        .docs
        .iter()
        .map(|d| json!([d["id"], d["text"]]))
        .collect();
    assert_eq!(
        texts,
        [
            json!(["other", "Another record."]),
            json!(["dup", "The second version."])
        ]
    );
    let out = case.path("out.ndjson");
    case.ingest(&["--export", "ndjson", out.to_str().unwrap(), "docs"])
        .expect_code(0);
    let exported: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            json!([d["id"], d["text"]])
        })
        .collect();
    assert_eq!(exported, texts);
}
