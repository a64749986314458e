//! The index end to end through its public API: hand-made articles go in
//! through `IndexWriter`, queries come out of `IndexReader`. Each case gets
//! its own temporary folder.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use rubric_core::{Article, Format, Section};
use rubric_index::{Catalog, IndexError, IndexReader, IndexWriter, SearchRequest, SearchResponse};
use tempfile::TempDir;

const HEAP: usize = 30_000_000;

/// A section; the lead when `heading` is `None`.
fn section(heading: Option<&str>, path: &[&str], text: &str) -> Section {
    Section {
        anchor: heading.map(rubric_core::slug).unwrap_or_default(),
        heading: heading.map(str::to_string),
        level: if heading.is_some() {
            2 + path.len() as u8
        } else {
            1
        },
        path: path.iter().map(|p| p.to_string()).collect(),
        text: text.to_string(),
        ordinal: 0,
    }
}

/// An article from `corpus/{id}` with ordinals set.
fn article(id: &str, title: &str, mut sections: Vec<Section>) -> Article {
    for (i, s) in sections.iter_mut().enumerate() {
        s.ordinal = i as u32;
    }
    Article::new(id, format!("corpus/{id}"), Format::Text, title, sections)
}

fn write(dir: &Path, articles: &[Article]) {
    let mut writer = IndexWriter::open(dir, HEAP).unwrap();
    for a in articles {
        writer.upsert(a).unwrap();
    }
    writer.commit().unwrap();
}

/// A fresh index holding `articles`, and a reader on it.
fn index(articles: &[Article]) -> (TempDir, IndexReader) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), articles);
    let reader = IndexReader::open(dir.path()).unwrap();
    (dir, reader)
}

fn search(reader: &IndexReader, text: &str) -> SearchResponse {
    reader.search(&SearchRequest::new(text)).unwrap()
}

fn sections(reader: &IndexReader) -> u64 {
    reader.stats().unwrap().sections
}

/// The ids of the hits for `text`, best first.
fn ids(reader: &IndexReader, text: &str) -> Vec<String> {
    search(reader, text)
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn gut_skin() -> Article {
    article(
        "gut-skin.txt",
        "The Gut-Skin Axis",
        vec![
            section(None, &[], "How the gut talks to the skin."),
            section(Some("Skin Conditions"), &[], ""),
            section(
                Some("2. Eczema (Atopic Dermatitis)"),
                &["Skin Conditions"],
                "Eczema flares often follow changes in diet.\nA leaky gut may play a part.",
            ),
            section(
                Some("Probiotics"),
                &[],
                "Probiotic foods such as yogurt help. Vitamin A supports the skin barrier.",
            ),
        ],
    )
}

#[test]
fn a_word_finds_its_section_with_trail_link_and_snippet() {
    let (_dir, reader) = index(&[gut_skin()]);
    let results = search(&reader, "dermatitis");
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.id, "gut-skin.txt#2-eczema-atopic-dermatitis");
    assert_eq!(hit.article, "gut-skin.txt");
    assert_eq!(hit.title, "The Gut-Skin Axis");
    assert_eq!(
        hit.heading.as_deref(),
        Some("2. Eczema (Atopic Dermatitis)")
    );
    assert_eq!(hit.level, 3);
    assert_eq!(hit.path, ["Skin Conditions"]);
    assert_eq!(hit.url, "corpus/gut-skin.txt#2-eczema-atopic-dermatitis");
    assert_eq!(hit.ordinal, 2);
    assert!(hit.score > 0.0);
}

#[test]
fn the_lead_links_to_the_bare_location_and_urls_win_over_sources() {
    let mut a = gut_skin().into_draft();
    a.url = Some("https://example.org/gut-skin".into());
    let (_dir, reader) = index(&[a.finish()]);
    let hits = search(&reader, "talks").hits;
    assert_eq!(hits[0].id, "gut-skin.txt");
    assert_eq!(hits[0].heading, None);
    assert_eq!(hits[0].url, "https://example.org/gut-skin");
    let hits = search(&reader, "yogurt").hits;
    assert_eq!(hits[0].url, "https://example.org/gut-skin#probiotics");
}

#[test]
fn json_has_the_contract_fields_only() {
    let (_dir, reader) = index(&[gut_skin()]);
    let hit = &search(&reader, "eczema").hits[0];
    let json = serde_json::to_value(hit).unwrap();
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    let expected = [
        "article", "heading", "id", "language", "level", "path", "score", "snippet", "title", "url",
    ];
    assert_eq!(keys, expected);
}

#[test]
fn a_heading_match_ranks_above_a_mention_in_text() {
    let (_dir, reader) = index(&[
        article(
            "a.txt",
            "Diet",
            vec![section(
                Some("Breakfast"),
                &[],
                "Oats, fruit and some yogurt; eczema sufferers may avoid dairy.",
            )],
        ),
        article(
            "b.txt",
            "Skin",
            vec![section(
                Some("Eczema"),
                &[],
                "A chronic condition of the skin.",
            )],
        ),
    ]);
    assert_eq!(ids(&reader, "eczema"), ["b.txt#eczema", "a.txt#breakfast"]);
}

#[test]
fn upserting_a_changed_article_replaces_all_its_sections() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[gut_skin()]);
    let changed = article(
        "gut-skin.txt",
        "The Gut-Skin Axis",
        vec![section(Some("Rosacea"), &[], "Redness of the face.")],
    );
    write(dir.path(), &[changed]);
    let reader = IndexReader::open(dir.path()).unwrap();
    assert_eq!(sections(&reader), 1);
    assert_eq!(search(&reader, "eczema").total, 0);
    assert_eq!(ids(&reader, "rosacea"), ["gut-skin.txt#rosacea"]);
}

#[test]
fn upserting_twice_in_one_run_keeps_one_copy() {
    let (_dir, reader) = index(&[gut_skin(), gut_skin()]);
    assert_eq!(sections(&reader), 4);
}

#[test]
fn delete_removes_every_section_of_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let other = article(
        "other.txt",
        "Other",
        vec![section(None, &[], "Eczema again.")],
    );
    write(dir.path(), &[gut_skin(), other]);
    let mut writer = IndexWriter::open(dir.path(), HEAP).unwrap();
    writer.delete("gut-skin.txt").unwrap();
    writer.delete("never-indexed.txt").unwrap();
    writer.commit().unwrap();
    let reader = IndexReader::open(dir.path()).unwrap();
    assert_eq!(sections(&reader), 1);
    assert_eq!(ids(&reader, "eczema"), ["other.txt"]);
}

#[test]
fn the_catalog_reads_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let a = gut_skin();
    write(dir.path(), std::slice::from_ref(&a));
    let mut writer = IndexWriter::open(dir.path(), HEAP).unwrap();
    let hashes = Catalog::load(dir.path()).unwrap();
    assert_eq!(hashes.stats().articles, 1);
    assert_eq!(hashes.article("gut-skin.txt").unwrap().hash, a.hash());
    writer.delete("gut-skin.txt").unwrap();
    assert_eq!(
        Catalog::load(dir.path()).unwrap().stats().articles,
        1,
        "not committed yet"
    );
    writer.commit().unwrap();
    let _writer = IndexWriter::open(dir.path(), HEAP).unwrap();
    assert_eq!(Catalog::load(dir.path()).unwrap().stats().articles, 0);
}

#[test]
fn a_reader_sees_the_last_commit_while_a_writer_works() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[gut_skin()]);
    let mut writer = IndexWriter::open(dir.path(), HEAP).unwrap();
    writer.delete("gut-skin.txt").unwrap();
    let reader = IndexReader::open(dir.path()).unwrap();
    assert_eq!(search(&reader, "eczema").total, 1);
    drop(writer);
}

#[test]
fn a_missing_index_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("absent")] {
        let err = IndexReader::open(&path).unwrap_err();
        assert!(matches!(err, IndexError::Missing(_)), "{err}");
        assert!(err.to_string().contains("run `ingest` first"), "{err}");
    }
}

#[test]
fn an_index_of_another_schema_version_must_be_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[gut_skin()]);
    std::fs::write(dir.path().join("rubric.json"), r#"{"schema_version": 999}"#).unwrap();
    let err = IndexReader::open(dir.path()).unwrap_err();
    assert!(
        matches!(&err, IndexError::Version { found, expected, .. }
            if found == "999" && *expected == rubric_index::SCHEMA_VERSION),
        "{err}"
    );
    assert!(err.to_string().contains("rebuild"), "{err}");
    let err = IndexWriter::open(dir.path(), HEAP).unwrap_err();
    assert!(matches!(err, IndexError::Version { .. }), "{err}");
}

#[test]
fn rebuild_replaces_an_index_of_another_version() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[gut_skin()]);
    std::fs::write(dir.path().join("rubric.json"), r#"{"schema_version": 999}"#).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not ours").unwrap();
    let mut writer = IndexWriter::rebuild(dir.path(), HEAP).unwrap();
    writer
        .upsert(&article(
            "new.txt",
            "New",
            vec![section(None, &[], "Eczema.")],
        ))
        .unwrap();
    writer.commit().unwrap();
    let reader = IndexReader::open(dir.path()).unwrap();
    assert_eq!(ids(&reader, "eczema"), ["new.txt"]);
    assert!(
        dir.path().join("notes.txt").exists(),
        "other files are left alone"
    );
}

#[test]
fn rebuild_drops_articles_not_upserted_again_only_at_commit() {
    let dir = tempfile::tempdir().unwrap();
    let other = article(
        "other.txt",
        "Other",
        vec![section(None, &[], "Eczema again.")],
    );
    write(dir.path(), &[gut_skin(), other.clone()]);
    let mut writer = IndexWriter::rebuild(dir.path(), HEAP).unwrap();
    writer.upsert(&other).unwrap();
    assert_eq!(sections(&IndexReader::open(dir.path()).unwrap()), 5);
    writer.commit().unwrap();
    let reader = IndexReader::open(dir.path()).unwrap();
    assert_eq!(sections(&reader), 1);
    assert_eq!(ids(&reader, "eczema"), ["other.txt"]);
}

#[test]
fn a_second_writer_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let _first = IndexWriter::open(dir.path(), HEAP).unwrap();
    let err = IndexWriter::open(dir.path(), HEAP).unwrap_err();
    assert!(matches!(err, IndexError::Locked(_)), "{err}");
}

#[test]
fn a_tiny_heap_is_raised_to_the_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = IndexWriter::open(dir.path(), 1).unwrap();
    writer.upsert(&gut_skin()).unwrap();
    writer.commit().unwrap();
}

#[test]
fn snippets_mark_terms_and_escape_markup() {
    let (_dir, reader) = index(&[article(
        "xss.html",
        "Markup",
        vec![section(
            Some("Tags"),
            &[],
            "Never trust <script>alert('gut')</script> & co.",
        )],
    )]);
    let hit = &search(&reader, "script").hits[0];
    assert_eq!(
        hit.snippet,
        "Never trust &lt;<mark>script</mark>&gt;alert(&#39;gut&#39;)&lt;/<mark>script</mark>&gt; &amp; co."
    );
    let marked: Vec<_> = hit.excerpt.pieces().filter(|p| p.1).map(|p| p.0).collect();
    assert_eq!(marked, ["script", "script"]);
    assert!(!hit.snippet.contains("<b>"));
}

#[test]
fn long_text_snippets_are_cut_with_ellipses() {
    let filler = "word ".repeat(100);
    let text = format!("{filler}the eczema part {filler}");
    let (_dir, reader) = index(&[article("long.txt", "Long", vec![section(None, &[], &text)])]);
    let request = SearchRequest {
        snippet_chars: 60,
        ..SearchRequest::new("eczema")
    };
    let hit = &reader.search(&request).unwrap().hits[0];
    assert!(hit.excerpt.text.starts_with('…'), "{}", hit.excerpt.text);
    assert!(hit.excerpt.text.ends_with('…'), "{}", hit.excerpt.text);
    assert!(
        hit.excerpt.text.chars().count() <= 62,
        "{}",
        hit.excerpt.text
    );
    assert!(hit.snippet.contains("<mark>eczema</mark>"));
    let marked: Vec<_> = hit.excerpt.pieces().filter(|p| p.1).map(|p| p.0).collect();
    assert_eq!(marked, ["eczema"]);
}

#[test]
fn when_only_the_heading_matches_the_snippet_is_the_start_of_the_text() {
    let text = "Fermented foods ".repeat(30);
    let (_dir, reader) = index(&[article(
        "a.txt",
        "A",
        vec![section(Some("Kefir"), &[], &text)],
    )]);
    let hit = &search(&reader, "kefir").hits[0];
    assert!(
        hit.snippet.starts_with("Fermented foods Fermented"),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.ends_with("foods…") || hit.snippet.ends_with("Fermented…"));
    assert!(!hit.snippet.contains("<mark>"));
    assert!(hit.excerpt.highlights.is_empty());
}

#[test]
fn a_phrase_matches_only_the_words_in_order() {
    let (_dir, reader) = index(&[
        gut_skin(),
        article(
            "b.txt",
            "B",
            vec![section(None, &[], "The gut is not leaky here.")],
        ),
    ]);
    assert_eq!(
        ids(&reader, "\"leaky gut\""),
        ["gut-skin.txt#2-eczema-atopic-dermatitis"]
    );
    assert_eq!(
        search(&reader, "leaky gut").total,
        5,
        "OR without quotes (and the title has gut)"
    );
}

#[test]
fn stemming_matches_singular_and_plural() {
    let (_dir, reader) = index(&[gut_skin()]);
    let probiotic = ids(&reader, "probiotic");
    assert_eq!(probiotic, ids(&reader, "probiotics"));
    assert_eq!(probiotic, ["gut-skin.txt#probiotics"]);
    let hit = &search(&reader, "probiotic").hits[0];
    assert!(
        hit.snippet.starts_with("<mark>Probiotic</mark> foods"),
        "{}",
        hit.snippet
    );
}

#[test]
fn accents_are_folded() {
    let (_dir, reader) = index(&[article(
        "cafe.txt",
        "Coffee",
        vec![section(
            Some("Café culture"),
            &[],
            "Crème brûlée at the café.",
        )],
    )]);
    assert_eq!(ids(&reader, "cafe"), ["cafe.txt#café-culture"]);
    assert_eq!(ids(&reader, "CAFÉ"), ["cafe.txt#café-culture"]);
    assert_eq!(search(&reader, "creme brulee").total, 1);
}

#[test]
fn short_words_are_not_stop_words() {
    let (_dir, reader) = index(&[gut_skin()]);
    assert_eq!(ids(&reader, "\"vitamin a\""), ["gut-skin.txt#probiotics"]);
    assert!(search(&reader, "vitamin a").total >= 1);
}

#[test]
fn malformed_queries_still_answer_with_their_words() {
    let (_dir, reader) = index(&[gut_skin()]);
    for q in [
        "\"dermatitis unbalanced",
        "(eczema OR",
        "eczema)",
        "eczema AND",
        "tips:eczema",
    ] {
        let results = search(&reader, q);
        assert!(results.total >= 1, "{q:?} found nothing");
        assert_eq!(
            results.hits[0].id, "gut-skin.txt#2-eczema-atopic-dermatitis",
            "{q:?}"
        );
    }
    assert!(search(&reader, "(a OR").total >= 1);
}

#[test]
fn an_empty_query_is_an_error() {
    let (_dir, reader) = index(&[gut_skin()]);
    for q in ["", "   \t"] {
        let err = reader.search(&SearchRequest::new(q)).unwrap_err();
        assert!(matches!(err, IndexError::Query { .. }), "{err}");
        assert!(err.to_string().contains("empty"), "{err}");
    }
}

#[test]
fn equal_scores_are_ordered_by_article_then_section() {
    // Identical sections score the same; the order must not depend on the
    // order of indexing or on segments.
    let twin = |id: &str| {
        article(
            id,
            "Twin",
            vec![
                section(Some("One"), &[], "same words here"),
                section(Some("Two"), &[], "same words here"),
            ],
        )
    };
    let articles = [twin("c.txt"), twin("a.txt"), twin("b.txt")];
    let expected = [
        "a.txt#one",
        "a.txt#two",
        "b.txt#one",
        "b.txt#two",
        "c.txt#one",
        "c.txt#two",
    ];
    let (_d1, forward) = index(&articles);
    assert_eq!(ids(&forward, "words"), expected);

    // Another build, in another order and over several commits (segments).
    let dir = tempfile::tempdir().unwrap();
    for a in articles.iter().rev() {
        write(dir.path(), std::slice::from_ref(a));
    }
    let backward = IndexReader::open(dir.path()).unwrap();
    assert_eq!(ids(&backward, "words"), expected);

    let page = SearchRequest {
        limit: 2,
        offset: 3,
        ..SearchRequest::new("words")
    };
    let results = backward.search(&page).unwrap();
    assert_eq!(results.total, 6);
    let page_ids: Vec<_> = results.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(page_ids, ["b.txt#two", "c.txt#one"]);
}

#[test]
fn limit_zero_only_counts() {
    let (_dir, reader) = index(&[gut_skin()]);
    let results = reader
        .search(&SearchRequest {
            limit: 0,
            ..SearchRequest::new("skin")
        })
        .unwrap();
    assert!(results.total >= 2);
    assert!(results.hits.is_empty());
}

#[test]
fn grouped_search_counts_articles_across_segments() {
    let with_diet = |id: &str, n: usize| {
        let sections = (0..n)
            .map(|i| {
                section(
                    Some(&format!("Part {i}")),
                    &[],
                    "Diet matters for the skin.",
                )
            })
            .collect();
        article(id, id, sections)
    };
    let dir = tempfile::tempdir().unwrap();
    // Two commits: two segments, each with its own article dictionary.
    write(dir.path(), &[with_diet("a.txt", 3), with_diet("b.txt", 2)]);
    write(
        dir.path(),
        &[
            with_diet("c.txt", 4),
            article("d.txt", "d.txt", vec![section(None, &[], "No match here.")]),
        ],
    );
    // A third commit replaces b.txt: its old sections are deleted ones.
    write(dir.path(), &[with_diet("b.txt", 1)]);
    let reader = IndexReader::open(dir.path()).unwrap();
    let grouped = reader
        .search(&SearchRequest {
            group: true,
            ..SearchRequest::new("diet")
        })
        .unwrap();
    assert_eq!(grouped.total, 3 + 1 + 4);
    assert_eq!(grouped.articles, Some(3));
    assert_eq!(grouped.groups.map(|g| g.len()), Some(3));
}
