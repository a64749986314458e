//! Regressions from hostile use (issue 13), through the public API: each
//! test is named for what broke, with the input that broke it.

#![allow(clippy::unwrap_used)]

use rubric_core::{Article, Draft, Format, SectionBuilder};
use rubric_index::{IndexReader, IndexWriter, SearchRequest};
use tempfile::TempDir;

const HEAP: usize = 30_000_000;

/// An article read from `source` with one `## heading` section of `text`.
fn article(id: &str, source: &str, heading: &str, text: &str, tags: &[&str]) -> Article {
    let mut outline = SectionBuilder::new();
    outline.push_heading(2, heading, None);
    outline.push_text(text);
    let mut draft = Draft::new(id, source, Format::Markdown, id, outline.finish());
    draft.metadata.tags = tags.iter().map(|t| t.to_string()).collect();
    draft.finish()
}

fn index(articles: &[Article]) -> (TempDir, IndexReader) {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = IndexWriter::open(dir.path(), HEAP).unwrap();
    for a in articles {
        writer.upsert(a).unwrap();
    }
    writer.commit().unwrap();
    let reader = IndexReader::open(dir.path()).unwrap();
    (dir, reader)
}

/// (id, score) of every hit of `query` with `filters`.
fn hits(reader: &IndexReader, query: &str, filters: &[&str]) -> Vec<(String, f32)> {
    let request = SearchRequest {
        limit: 100,
        filters: filters.iter().map(|f| f.to_string()).collect(),
        suggest: false,
        ..SearchRequest::new(query)
    };
    let response = reader.search(&request).unwrap();
    assert_eq!(response.total, response.hits.len(), "{query}: all shown");
    response.hits.into_iter().map(|h| (h.id, h.score)).collect()
}

fn skin_corpus() -> (TempDir, IndexReader) {
    index(&[
        article(
            "acne.md",
            "corpus/acne.md",
            "Acne",
            "Acne and the gut.",
            &["skin"],
        ),
        article(
            "eczema.md",
            "corpus/eczema.md",
            "Eczema",
            "Eczema flares.",
            &["skin"],
        ),
        article(
            "bones.md",
            "other/bones.md",
            "Bones",
            "Acne is not here; calcium is.",
            &[],
        ),
    ])
}

/// `search 'xylophone source:corpus/'` answered every section under
/// `corpus/` (the filter was required, the word became optional), while
/// `--filter source:corpus/` answered none.
#[test]
fn a_filter_typed_in_the_query_does_not_make_its_words_optional() {
    let (_dir, reader) = skin_corpus();
    for (query, filter) in [
        ("xylophone source:corpus/", "source:corpus/"),
        ("xylophone tag:skin", "tag:skin"),
    ] {
        assert_eq!(hits(&reader, query, &[]), [], "{query}");
        assert_eq!(
            hits(&reader, "xylophone", &[filter]),
            [],
            "--filter {filter}"
        );
    }
    for query in ["acne source:corpus/", "acne tag:skin", "tag:skin acne"] {
        let found = hits(&reader, query, &[]);
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["acne.md#acne"], "{query}");
        assert!(
            found.iter().all(|(_, score)| *score > 0.0),
            "{query}: {found:?}"
        );
        let flag = hits(
            &reader,
            "acne",
            &[query.split(' ').find(|w| w.contains(':')).unwrap()],
        );
        assert_eq!(found, flag, "{query} means what --filter means");
    }
    // A filter inside a group filters that group, and a filter alone lists.
    assert_eq!(
        hits(&reader, "(xylophone source:corpus/) OR calcium", &[])
            .into_iter()
            .map(|(id, _)| id)
            .collect::<Vec<_>>(),
        ["bones.md#bones"]
    );
    assert_eq!(hits(&reader, "source:corpus/", &[]).len(), 2);
    assert_eq!(hits(&reader, "-eczema source:corpus/", &[]).len(), 1);
}
