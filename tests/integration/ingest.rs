//! `ingest`: sources, the dry-run JSON contract, re-ingesting, bad input.

use crate::harness::{Case, fixture, repo};

#[test]
fn dry_run_json_prints_the_contract_and_writes_nothing() {
    let case = Case::new();
    let corpus = repo().join("corpus");
    let run = case
        .ingest(&["--dry-run", "--json", corpus.to_str().unwrap()])
        .expect_code(0);
    assert!(!case.index().exists(), "--dry-run must not create an index");
    let articles = run.json_lines();
    assert_eq!(articles.len(), 1);
    let a = &articles[0];
    assert_eq!(a["id"], "gut-skin-axis.txt");
    assert!(
        a["source"]
            .as_str()
            .unwrap()
            .ends_with("corpus/gut-skin-axis.txt")
    );
    assert!(a["url"].is_null());
    assert_eq!(a["format"], "text");
    assert_eq!(a["hash"].as_str().unwrap().len(), 64);
    let sections = a["sections"].as_array().unwrap();
    assert_eq!(sections[0]["heading"], serde_json::Value::Null);
    assert_eq!(sections[0]["anchor"], "");
    let eczema = sections
        .iter()
        .find(|s| s["heading"] == "2. Eczema (Atopic Dermatitis)")
        .expect("the eczema section");
    assert_eq!(eczema["anchor"], "2-eczema-atopic-dermatitis");
    assert_eq!(eczema["level"], 3);
    assert_eq!(
        eczema["path"],
        serde_json::json!(["Skin Conditions Linked to Gut Health"])
    );
    assert!(
        eczema["text"]
            .as_str()
            .unwrap()
            .starts_with("Eczema is frequently associated")
    );
}

#[test]
fn a_folder_is_walked_and_unknown_files_are_skipped() {
    let case = Case::new();
    let mixed = case.copy_fixture("mixed");
    let run = case
        .ingest(&["--dry-run", "--json", mixed.to_str().unwrap()])
        .expect_code(0);
    let mut ids: Vec<String> = run
        .json_lines()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "guides/hydration.html",
            "guides/sleep.md",
            "gut-skin-axis.txt"
        ]
    );
    assert!(
        run.stderr.contains("skipped 1 file of other formats"),
        "summary counts notes.csv: {}",
        run.stderr
    );
}

#[test]
fn ingest_then_search_finds_sections_of_every_format() {
    let case = Case::new();
    let mixed = case.copy_fixture("mixed");
    let run = case.ingest(&[mixed.to_str().unwrap()]).expect_code(0);
    assert!(run.stderr.contains("3 articles read"), "{}", run.stderr);
    assert_eq!(
        case.hit_ids("eczema probiotics")[0],
        "gut-skin-axis.txt#2-eczema-atopic-dermatitis"
    );
    assert_eq!(
        case.hit_ids("memory consolidates")[0],
        "guides/sleep.md#why"
    );
    assert_eq!(
        case.hit_ids("potassium")[0],
        "guides/hydration.html#electrolytes"
    );
    assert!(
        case.hit_ids("newsletter").is_empty(),
        "the footer is not indexed"
    );
    assert!(
        case.hit_ids("zanzibar").is_empty(),
        "HTML comments are not indexed"
    );
}

#[test]
fn a_second_run_on_unchanged_sources_changes_nothing() {
    let case = Case::new();
    let mixed = case.copy_fixture("mixed");
    case.ingest(&[mixed.to_str().unwrap()]).expect_code(0);
    let run = case
        .ingest(&["--json", mixed.to_str().unwrap()])
        .expect_code(0);
    let summary = run.json();
    assert_eq!(summary["unchanged"], 3);
    assert_eq!(summary["added"], 0);
    assert_eq!(summary["updated"], 0);
}

#[test]
fn a_changed_article_replaces_all_its_old_sections() {
    let case = Case::new();
    case.write(
        "docs/plants.md",
        "# Plants\n\n## Ferns\n\nFerns love shade.\n\n## Cacti\n\nCacti store water.\n",
    );
    case.ingest(&["docs"]).expect_code(0);
    assert_eq!(case.hit_ids("ferns"), ["plants.md#ferns"]);
    case.write(
        "docs/plants.md",
        "# Plants\n\n## Orchids\n\nOrchids need humidity.\n",
    );
    let run = case.ingest(&["--json", "docs"]).expect_code(0);
    assert_eq!(run.json()["updated"], 1);
    assert!(case.hit_ids("ferns").is_empty(), "old sections are gone");
    assert!(case.hit_ids("cacti").is_empty(), "old sections are gone");
    assert_eq!(case.hit_ids("orchids"), ["plants.md#orchids"]);
}

#[test]
fn bad_files_are_named_counted_and_the_rest_is_indexed() {
    let case = Case::new();
    case.write(
        "docs/good.md",
        "# Good\n\n## Tomatoes\n\nTomatoes ripen in the sun.\n",
    );
    case.write(
        "docs/binary.txt",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
    );
    case.write("docs/latin1.txt", b"Caf\xe9 cr\xe8me, served warm.\n");
    case.write(
        "docs/records.jsonl",
        "{\"_id\": \"r1\", \"title\": \"Basil\", \"text\": \"Basil grows fast in warm weather.\"}\n{not json\n{\"title\": \"no id\", \"text\": \"x\"}\n",
    );
    let run = case.ingest(&["docs"]).expect_code(1);
    assert!(run.stderr.contains("binary.txt"), "{}", run.stderr);
    assert!(
        run.stderr.contains("latin1.txt") && run.stderr.contains("UTF-8"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("records.jsonl:2"), "{}", run.stderr);
    assert!(run.stderr.contains("records.jsonl:3"), "{}", run.stderr);
    assert!(run.stderr.contains("4 failed"), "{}", run.stderr);
    assert_eq!(case.hit_ids("tomatoes"), ["good.md#tomatoes"]);
    assert_eq!(case.hit_ids("basil"), ["r1"]);
}

#[test]
fn a_missing_source_fails_but_the_others_are_indexed() {
    let case = Case::new();
    case.write("a.md", "# A\n\nApples are crisp.\n");
    let run = case.ingest(&["a.md", "does-not-exist"]).expect_code(1);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
    assert_eq!(case.hit_ids("apples"), ["a.md"]);
}

#[test]
fn usage_errors_exit_2() {
    let case = Case::new();
    case.ingest(&["--no-such-flag"]).expect_code(2);
}

#[test]
fn beir_style_jsonl_records_are_articles() {
    let case = Case::new();
    case.write(
        "corpus.jsonl",
        concat!(
            "{\"_id\": \"4983\", \"title\": \"Microstructural development\", \"text\": \"Alterations of the architecture of cerebral white matter.\"}\n",
            "{\"_id\": 5836, \"title\": \"Induction of myelodysplasia\", \"text\": \"Myelodysplastic syndromes are blood disorders.\"}\n",
        ),
    );
    let run = case
        .ingest(&["--dry-run", "--json", "corpus.jsonl"])
        .expect_code(0);
    let ids: Vec<_> = run.json_lines().iter().map(|a| a["id"].clone()).collect();
    assert_eq!(ids, [serde_json::json!("4983"), serde_json::json!("5836")]);
    case.ingest(&["corpus.jsonl"]).expect_code(0);
    assert_eq!(case.hit_ids("myelodysplastic"), ["5836"]);
}

#[test]
fn the_default_corpus_is_read_when_no_source_is_given() {
    let case = Case::new();
    std::fs::create_dir_all(case.path("corpus")).unwrap();
    std::fs::copy(
        fixture("mixed").join("gut-skin-axis.txt"),
        case.path("corpus/gut-skin-axis.txt"),
    )
    .unwrap();
    let run = case
        .run(env!("CARGO_BIN_EXE_ingest"), &[], false)
        .expect_code(0);
    assert!(run.stderr.contains("1 article read"), "{}", run.stderr);
    assert!(
        case.path("index").join("meta.json").exists(),
        "default index is ./index"
    );
    let search = case
        .run(env!("CARGO_BIN_EXE_search"), &["eczema probiotics"], false)
        .expect_code(0);
    assert!(
        search.stdout.contains("2. Eczema (Atopic Dermatitis)"),
        "{}",
        search.stdout
    );
}

#[test]
fn an_article_with_nothing_to_index_is_skipped_not_failed() {
    let case = Case::new();
    case.write(
        "docs/toc.html",
        "<html><head><title>Contents</title></head><body><h1>Contents</h1></body></html>",
    );
    case.write("docs/real.md", "# Real\n\n## Part\n\nSome words here.\n");
    let run = case.ingest(&["--json", "docs"]).expect_code(0);
    let summary = run.json();
    assert_eq!(summary["skipped"], 1);
    assert_eq!(summary["failed"], 0);
    assert_eq!(case.hit_ids("words"), ["real.md#part"]);
}

#[test]
fn a_page_read_by_a_fallback_says_which_at_v() {
    // Every block of the page is marked as furniture by its class, so the
    // usual rules keep nothing; the body minus the header is read instead.
    let case = Case::new();
    case.write(
        "web/marked.html",
        r#"<html><body><header><a href="/">Site name</a></header>
        <div class="promo-box">How to sew a round tablecloth in seven steps.</div>
        <div class="sidebar">Measure the table first.</div>
        <div class="meta">Cut the fabric with a margin.</div></body></html>"#,
    );
    let run = case
        .ingest(&["--dry-run", "--json", "-v", "web"])
        .expect_code(0);
    let articles = run.json_lines();
    assert_eq!(
        articles[0]["sections"][0]["text"],
        "How to sew a round tablecloth in seven steps.\nMeasure the table first.\nCut the fabric with a margin."
    );
    assert!(
        run.stderr.contains("read from the body minus chrome")
            && run.stderr.contains("marked.html"),
        "{}",
        run.stderr
    );
    let quiet = case.ingest(&["--dry-run", "--json", "web"]).expect_code(0);
    assert!(
        !quiet.stderr.contains("body minus chrome"),
        "{}",
        quiet.stderr
    );
}
