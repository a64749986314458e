//! `search`'s query language, ranking and result views end to end: the
//! example article's queries in order, parser edge cases, filters,
//! `--group`, `--explain`, `--format trec` and `--snippet-chars`.

use crate::harness::{Case, repo};

const ART: &str = "gut-skin-axis.txt";

fn indexed_example() -> Case {
    let case = Case::new();
    let corpus = repo().join("corpus");
    case.ingest(&[corpus.to_str().unwrap()]).expect_code(0);
    case
}

/// `gut-skin-axis.txt#anchor`, or the lead for `""`.
fn id(anchor: &str) -> String {
    if anchor.is_empty() {
        ART.to_string()
    } else {
        format!("{ART}#{anchor}")
    }
}

#[test]
fn the_example_article_answers_in_the_order_a_reader_expects() {
    let case = indexed_example();
    let eczema = id("2-eczema-atopic-dermatitis");
    let street = id("the-gut-skin-axis-a-two-way-street");

    assert_eq!(case.hit_ids("eczema probiotics")[0], eczema);
    assert_eq!(case.hit_ids("gut skin axis")[0], street);
    assert_eq!(case.hit_ids("\"leaky gut\""), [street]);
    assert_eq!(case.hit_ids("heading:rosacea"), [id("4-rosacea")]);
    // The Acne section mentions probiotics: excluded; the lead names acne.
    assert_eq!(case.hit_ids("acne -probiotics"), [id("")]);
    assert_eq!(case.hit_ids("eczama")[0], eczema);
    assert_eq!(case.hit_ids("eczama probiotcs")[0], eczema);

    let mut probiotic = case.hit_ids("probiotic");
    probiotic.sort();
    let mut want = [
        id("1-acne"),
        eczema,
        id("how-to-support-your-gutand-your-skin"),
    ];
    want.sort();
    assert_eq!(probiotic, want, "singular finds every plural mention");
}

#[test]
fn sections_with_all_the_words_rank_first() {
    let case = indexed_example();
    let ids = case.hit_ids("rosacea helicobacter diet");
    assert_eq!(ids[0], id("4-rosacea"));
}

#[test]
fn exact_spellings_rank_above_fuzzy_ones() {
    let case = indexed_example();
    // "acne" exists: no fuzzy "acne" → "acn…" neighbours outrank it.
    assert_eq!(case.hit_ids("acne")[0], id("1-acne"));
    // A misspelling of 3 letters is not corrected.
    assert_eq!(case.hit_ids("gtu").len(), 0);
}

#[test]
fn stop_words_and_short_words_stay_searchable() {
    let case = indexed_example();
    case.search(&["to be or not to be"]).expect_code(0);
    let run = case.search(&["--json", "vitamin a"]).expect_code(0);
    assert_eq!(
        run.json()["hits"][0]["id"],
        id("the-gut-skin-axis-a-two-way-street")
    );
}

#[test]
fn spelling_variants_and_greek_letters_find_each_other() {
    let case = Case::new();
    let uk = case.write(
        "docs/uk.md",
        "# Diet\n\n## Fibre and tumours\n\nA fibre-rich diet, tumours and randomised trials of \
         oestrogen in paediatric anaemia, with β-carotene.\n",
    );
    let us = case.write(
        "docs/us.md",
        "# Colon\n\n## Signaling\n\nThe colorful center of hemoglobin signaling and TNF-alpha.\n",
    );
    case.ingest(&[uk.to_str().unwrap(), us.to_str().unwrap()])
        .expect_code(0);
    for query in [
        "fiber-rich",
        "tumor",
        "randomized trial",
        "estrogen",
        "pediatric anemia",
        "beta-carotene",
    ] {
        let run = case.search(&["--json", query]).expect_code(0);
        let hit = &run.json()["hits"][0];
        assert_eq!(hit["article"], "uk.md", "{query}");
        assert!(
            hit["snippet"].as_str().unwrap_or("").contains("<mark>"),
            "{query}: {hit}"
        );
    }
    for query in ["colourful centre", "haemoglobin", "signalling", "TNF-α"] {
        assert_eq!(case.hit_ids(query)[0], "us.md#signaling", "{query}");
    }
}

#[test]
fn malformed_queries_fall_back_to_words_with_a_note() {
    let case = indexed_example();
    for q in [
        "\"leaky gut",
        "(rosacea OR",
        "acne)",
        "rosacea AND",
        "tips:acne",
    ] {
        let run = case.search(&["--json", q]).expect_code(0);
        assert!(run.stderr.contains("note:"), "{q}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{q}: {}", run.stderr);
        assert!(!run.json()["hits"].as_array().unwrap().is_empty(), "{q}");
    }
}

#[test]
fn queries_that_cannot_mean_anything_are_clear_errors() {
    let case = indexed_example();
    for q in ["", "   ", "()", "AND", "!!! ---"] {
        let run = case.search(&[q]).expect_code(2);
        assert!(run.stderr.contains("query"), "{q:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{q:?}: {}", run.stderr);
    }
}

#[test]
fn a_10000_character_query_answers() {
    let case = indexed_example();
    let long = "eczema (probiotics \"gut ".repeat(500);
    assert!(long.len() >= 10_000);
    let run = case.search(&["--json", &long[..10_000]]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let deep = format!("{}acne{}", "(".repeat(5_000), ")".repeat(5_000));
    let run = case.search(&["--json", &deep]).expect_code(0);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn boolean_operators_and_groups() {
    let case = indexed_example();
    assert_eq!(case.hit_ids("acne AND pylori").len(), 0);
    assert_eq!(case.hit_ids("rosacea AND pylori"), [id("4-rosacea")]);
    let either = case.hit_ids("heading:(acne OR psoriasis)");
    assert_eq!(either.len(), 2, "{either:?}");
    // The Psoriasis section says "autoimmune"; the lead only names psoriasis.
    assert_eq!(case.hit_ids("+psoriasis NOT autoimmune"), [id("")]);
}

#[test]
fn filters_by_source_and_tag_and_the_filter_flag() {
    let case = Case::new();
    case.write(
        "notes.jsonl",
        concat!(
            r#"{"id": "a", "title": "Skin", "tags": ["skin"], "text": "Eczema and diet."}"#,
            "\n",
            r#"{"id": "b", "title": "Gut", "tags": ["gut"], "text": "Eczema and the gut."}"#,
            "\n"
        ),
    );
    case.ingest(&["notes.jsonl"]).expect_code(0);
    assert_eq!(case.hit_ids("eczema tag:skin"), ["a"]);
    let run = case
        .search(&["--json", "--filter", "tag:gut", "eczema"])
        .expect_code(0);
    assert_eq!(run.json()["hits"][0]["id"], "b");
    assert_eq!(run.json()["hits"].as_array().unwrap().len(), 1);
    assert_eq!(case.hit_ids("eczema source:notes").len(), 2);
    case.search(&["eczema source:elsewhere"]).expect_code(1);
}

#[test]
fn group_lists_each_article_once_with_all_its_sections() {
    let case = indexed_example();
    let run = case.search(&["--json", "--group", "gut"]).expect_code(0);
    let v = run.json();
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["article"], ART);
    let sections = groups[0]["sections"].as_array().unwrap();
    assert!(sections.len() > 3, "not capped at 3: {}", sections.len());
    assert_eq!(v["hits"].as_array().unwrap().len(), sections.len());
    let text = case.search(&["--group", "gut"]).expect_code(0).stdout;
    assert!(text.contains("sections)"), "{text}");
}

#[test]
fn explain_shows_fields_and_terms() {
    let case = indexed_example();
    let run = case
        .search(&["--json", "--explain", "eczema probiotics"])
        .expect_code(0);
    let parts = run.json()["hits"][0]["explain"].clone();
    let parts = parts.as_array().unwrap();
    assert!(
        parts
            .iter()
            .any(|p| p["field"] == "heading" && p["terms"] == "eczema"),
        "{parts:?}"
    );
    assert!(parts.iter().all(|p| p["score"].as_f64().unwrap() > 0.0));
    let plain = case.search(&["--json", "eczema"]).expect_code(0);
    assert!(plain.json()["hits"][0].get("explain").is_none());
}

#[test]
fn trec_format_prints_run_lines() {
    let case = indexed_example();
    let run = case
        .search(&["--format", "trec", "-n", "3", "probiotics"])
        .expect_code(0);
    let lines: Vec<Vec<&str>> = run.stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 3);
    for (i, cols) in lines.iter().enumerate() {
        assert_eq!(cols.len(), 6, "{cols:?}");
        assert_eq!((cols[0], cols[1], cols[5]), ("1", "Q0", "rubric"));
        assert_eq!(cols[3], (i + 1).to_string());
    }
    case.write("q.tsv", "q7\tacne\n");
    let run = case
        .search(&["--format", "trec", "--group", "--queries", "q.tsv"])
        .expect_code(0);
    let line = run.stdout.trim();
    assert!(line.starts_with(&format!("q7 Q0 {ART} 1 ")), "{line}");
    assert!(line.ends_with(" rubric") && !line.contains('\n'), "{line}");
}

#[test]
fn snippets_mark_phrases_and_typos_and_respect_the_length() {
    let case = indexed_example();
    let run = case.search(&["--json", "\"leaky gut\""]).expect_code(0);
    let snippet = run.json()["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(snippet.contains("<mark>leaky gut</mark>"), "{snippet}");
    let run = case.search(&["--json", "eczama"]).expect_code(0);
    let snippet = run.json()["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(snippet.contains("<mark>Eczema</mark>"), "{snippet}");
    let run = case
        .search(&["--json", "--snippet-chars", "60", "psoriasis"])
        .expect_code(0);
    let snippet = run.json()["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(plain.chars().count() <= 64, "{plain}");
    assert!(plain.ends_with('…'), "{plain}");
}

#[test]
fn a_misspelt_query_gets_a_did_you_mean() {
    let case = indexed_example();
    // No hits as typed: the JSON carries the corrected query, the text says
    // "Did you mean" after the usual message, and the exit status is 1.
    let run = case.search(&["--json", "exzcema"]).expect_code(1);
    let v = run.json();
    assert_eq!(v["total"], 0);
    assert_eq!(v["suggestion"], "eczema", "{v}");
    let run = case.search(&["exzcema"]).expect_code(1);
    assert_eq!(run.stdout, "no sections match\nDid you mean: eczema?\n");
    let run = case
        .search(&["--json", "heading:dermatitus -acne"])
        .expect_code(1);
    assert_eq!(run.json()["suggestion"], "heading:dermatitis -acne");
    let run = case.search(&["--group", "supplementaton"]).expect_code(1);
    assert!(
        run.stdout
            .ends_with("no sections match\nDid you mean: supplementation?\n"),
        "{}",
        run.stdout
    );

    // Hits that only close spellings found: offered too, after the hits.
    let run = case.search(&["--json", "probitoics"]).expect_code(0);
    assert_eq!(run.json()["suggestion"], "probiotics");
    let run = case.search(&["probitoics"]).expect_code(0);
    assert!(run.stdout.starts_with(" 1. "), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("Did you mean: probiotics?\n"),
        "{}",
        run.stdout
    );

    // Correct words, a known word among typos, nothing close: no field.
    for q in ["eczema", "eczema probitoics", "zzyzxqq"] {
        let run = case.search(&["--json", q]);
        assert!(
            run.json().get("suggestion").is_none(),
            "{q}: {}",
            run.stdout
        );
        assert!(!case.search(&[q]).stdout.contains("Did you mean"), "{q}");
    }
    // Batches carry it per query; TREC lines stay as they are.
    case.write("q.tsv", "q1\texzcema\nq2\teczema\n");
    let lines = case
        .search(&["--json", "--queries", "q.tsv"])
        .expect_code(0)
        .json_lines();
    assert_eq!(lines[0]["suggestion"], "eczema");
    assert!(lines[1].get("suggestion").is_none());
    let trec = case.search(&["--format", "trec", "exzcema"]).expect_code(1);
    assert_eq!(trec.stdout, "");
}
