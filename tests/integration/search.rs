//! `search`: the example article's queries, JSON contract, batches, exit codes,
//! and what the binary links.

use crate::harness::{Case, repo};

fn indexed_example() -> Case {
    let case = Case::new();
    let corpus = repo().join("corpus");
    case.ingest(&[corpus.to_str().unwrap()]).expect_code(0);
    case
}

#[test]
fn eczema_probiotics_puts_the_eczema_section_first() {
    let case = indexed_example();
    let run = case.search(&["--json", "eczema probiotics"]).expect_code(0);
    let v = run.json();
    assert_eq!(v["query"], "eczema probiotics");
    assert!(v["total"].as_u64().unwrap() >= 1);
    assert!(v["took_ms"].is_number());
    let top = &v["hits"][0];
    assert_eq!(top["id"], "gut-skin-axis.txt#2-eczema-atopic-dermatitis");
    assert_eq!(top["article"], "gut-skin-axis.txt");
    assert_eq!(top["heading"], "2. Eczema (Atopic Dermatitis)");
    assert_eq!(top["level"], 3);
    assert_eq!(
        top["path"],
        serde_json::json!(["Skin Conditions Linked to Gut Health"])
    );
    assert!(
        top["url"]
            .as_str()
            .unwrap()
            .ends_with("gut-skin-axis.txt#2-eczema-atopic-dermatitis")
    );
    assert!(top["score"].as_f64().unwrap() > 0.0);
    assert!(
        top["snippet"].as_str().unwrap().contains("<mark>"),
        "{}",
        top["snippet"]
    );
}

#[test]
fn text_output_shows_trail_location_and_snippet() {
    let case = indexed_example();
    let run = case.search(&["eczema", "probiotics"]).expect_code(0);
    let first: Vec<&str> = run.stdout.lines().take(3).collect();
    assert!(
        first[0].starts_with(" 1. ")
            && first[0]
                .ends_with("Skin Conditions Linked to Gut Health › 2. Eczema (Atopic Dermatitis)"),
        "{}",
        run.stdout
    );
    assert!(
        first[1]
            .trim()
            .ends_with("gut-skin-axis.txt#2-eczema-atopic-dermatitis"),
        "{}",
        run.stdout
    );
    assert!(
        first[2].contains("Eczema") && !first[2].contains("<mark>") && !first[2].contains('\x1b'),
        "plain when piped: {}",
        first[2]
    );
}

#[test]
fn no_hits_exit_1_and_missing_index_exit_2() {
    let case = indexed_example();
    case.search(&["zzyzx"]).expect_code(1);
    let other = Case::new();
    let run = other.search(&["eczema"]).expect_code(2);
    assert!(run.stderr.contains("index"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn malformed_queries_answer_with_their_words() {
    let case = indexed_example();
    for q in ["\"leaky gut", "(rosacea OR", "heading:", "nosuchfield:acne"] {
        let run = case.search(&["--json", q]);
        assert!(run.code == 0 || run.code == 1, "{q}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{q}: {}", run.stderr);
    }
    let run = case.search(&["--json", "(rosacea OR"]).expect_code(0);
    assert_eq!(run.json()["hits"][0]["heading"], "4. Rosacea");
}

#[test]
fn an_empty_query_is_a_clear_error() {
    let case = indexed_example();
    let run = case.search(&["   "]).expect_code(2);
    assert!(run.stderr.contains("query"), "{}", run.stderr);
}

#[test]
fn a_batch_of_queries_answers_each_with_its_qid() {
    let case = indexed_example();
    case.write(
        "queries.tsv",
        "q1\teczema probiotics\nq2\tzzyzx\nq3\trosacea\n",
    );
    let run = case
        .search(&["--queries", "queries.tsv", "--json", "--limit", "3"])
        .expect_code(0);
    let lines = run.json_lines();
    let qids: Vec<_> = lines.iter().map(|l| l["qid"].as_str().unwrap()).collect();
    assert_eq!(qids, ["q1", "q2", "q3"]);
    assert_eq!(
        lines[0]["hits"][0]["heading"],
        "2. Eczema (Atopic Dermatitis)"
    );
    assert_eq!(lines[1]["hits"].as_array().unwrap().len(), 0);
    assert!(lines[0]["hits"].as_array().unwrap().len() <= 3);
}

/// `search --serve` links hyper's *server*, so "hyper" alone is no longer
/// a sign of a client. The client side is reqwest and its TLS (rustls) and
/// robots parser: none of them may be in the query binary. (hyper's own
/// client modules are not checked by name: the two binaries share one
/// package, so its features are unified and the debug build's symbol tables
/// name them even where no client code is called.)
#[test]
fn the_search_binary_links_no_html_parser_and_no_http_client() {
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_search")).unwrap();
    let html = ["html5ever", "scraper", "pulldown_cmark"];
    let client = ["reqwest", "rustls", "texting_robots"];
    for name in html.iter().chain(&client) {
        let found = memchr::memmem::find(&bytes, name.as_bytes()).is_some();
        assert!(!found, "the search binary contains {name}");
    }
    let ingest = std::fs::read(env!("CARGO_BIN_EXE_ingest")).unwrap();
    for name in ["html5ever", "reqwest", "rustls"] {
        assert!(
            memchr::memmem::find(&ingest, name.as_bytes()).is_some(),
            "the check can see a linked crate ({name} in ingest)"
        );
    }
}
