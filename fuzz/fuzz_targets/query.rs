//! The query language and the search built on it: the parser on the raw
//! bytes (never panics, whatever the nesting), then the query searched in a
//! small index made once per process. Every snippet's only markup is
//! `<mark>…</mark>` around text (the text itself escaped), has no control
//! character, and every hit id names an article of the index.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rubric_core::{Draft, Format, SectionBuilder};
use rubric_index::{IndexReader, IndexWriter, SearchRequest};

struct Fixture {
    _dir: tempfile::TempDir,
    reader: IndexReader,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = IndexWriter::open(dir.path(), 20_000_000).expect("index");
        let docs: &[(&str, &[(&str, &str)], &[&str])] = &[
            ("gut-skin.txt", &[("Eczema (Atopic Dermatitis)", "Eczema & the <gut> \"microbiome\"; probiotics help."), ("Acne", "Acne vulgaris and diet: 1 < 2.")], &["skin"]),
            ("faq#1?.md", &[("Café au lait", "Crème brûlée, β-carotene and TNF-α."), ("Tumours", "Tumour fibre colour.")], &["food", "x y"]),
            ("long.md", &[("Long", "word ")], &[]),
        ];
        for (id, sections, tags) in docs {
            let mut b = SectionBuilder::new();
            b.push_text("Lead text before headings.");
            for (heading, text) in *sections {
                b.push_heading(2, heading, None);
                b.push_text(&text.repeat(if *id == "long.md" { 5_000 } else { 1 }));
            }
            let mut draft = Draft::new(*id, format!("corpus/{id}"), Format::Markdown, *id, b.finish());
            draft.metadata.tags = tags.iter().map(|t| t.to_string()).collect();
            writer.upsert(&draft.finish()).expect("upsert");
        }
        writer.commit().expect("commit");
        Fixture {
            reader: IndexReader::open(dir.path()).expect("reader"),
            _dir: dir,
        }
    })
}

/// Panics unless `html` is escaped text with `<mark>`/`</mark>` only.
fn only_marks(html: &str) {
    let rest = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!rest.contains(['<', '>', '"']), "markup in snippet {html:?}");
    rubric_fuzz::assert_no_controls(html, false);
    assert_eq!(html.matches("<mark>").count(), html.matches("</mark>").count());
}

fuzz_target!(|data: &[u8]| {
    let text = rubric_fuzz::text(data);
    let _ = rubric_index::fuzzing::parse(&text);
    let (query, filter) = text.split_once('\u{1}').unwrap_or((&text, ""));
    let request = SearchRequest {
        limit: 5,
        filters: if filter.is_empty() { vec![] } else { vec![filter.to_string()] },
        ..SearchRequest::new(query)
    };
    let f = fixture();
    let Ok(response) = f.reader.search(&request) else {
        return;
    };
    assert!(response.hits.len() <= 5 && response.hits.len() <= response.total);
    for hit in &response.hits {
        only_marks(&hit.snippet);
        assert!(
            ["gut-skin.txt", "faq#1?.md", "long.md"].contains(&hit.article.as_str()),
            "{}",
            hit.article
        );
        assert!(hit.id.starts_with(&*rubric_core::text::escape_id(&hit.article)));
    }
    if let Some(suggestion) = &response.suggestion {
        assert!(!suggestion.is_empty());
    }
});
