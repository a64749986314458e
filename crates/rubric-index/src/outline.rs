//! [`IndexReader::outline`]: one article's outline, read back from the
//! index — its sections in document order with their anchors, headings,
//! levels, paths and links, and their text only when asked.
//!
//! It looks an article up by its raw `article` field (a term query, no
//! analysis, no scoring) and orders the sections by their stored ordinal;
//! ranking and text search live in `search`. It reads the reader's current
//! commit, so it works while a writer runs.

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::analysis::Analysis;
use crate::{IndexError, IndexReader};

/// At most this many sections of one article are returned (an article with
/// more is cut, and [`Outline::truncated`] says so).
pub const MAX_OUTLINE_SECTIONS: usize = 10_000;

/// An article and its sections, in document order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outline {
    /// Article id.
    pub article: String,
    /// Article title.
    pub title: String,
    /// Where the article was read from (path as given, or URL).
    pub source: String,
    /// The article's URL, when it has one.
    pub url: Option<String>,
    /// `text`, `markdown` or `html`.
    pub format: String,
    /// The article's tags.
    pub tags: Vec<String>,
    /// The article's language (a tag such as `de`), when it has one.
    pub language: Option<String>,
    /// Every section, lead first, in document order.
    pub sections: Vec<OutlineSection>,
    /// True when the article has more than [`MAX_OUTLINE_SECTIONS`] sections
    /// and only the first ones are listed.
    pub truncated: bool,
}

/// One section of an [`Outline`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutlineSection {
    /// `article#anchor` (just `article` for the lead).
    pub id: String,
    /// The section's anchor (`""` for the lead).
    pub anchor: String,
    /// Section heading (`None` for the lead).
    pub heading: Option<String>,
    /// Outline level.
    pub level: u8,
    /// Ancestor headings, outermost first.
    pub path: Vec<String>,
    /// Where the section opens (`url#anchor`, as a hit's `url`).
    pub url: String,
    /// Position in the article, from 0.
    pub ordinal: u32,
    /// The section's text, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl IndexReader {
    /// The outline of the article `id`, or `None` when the index has no
    /// such article. With `with_text`, each section carries its text.
    pub fn outline(&self, id: &str, with_text: bool) -> Result<Option<Outline>, IndexError> {
        let searcher = self.reader.searcher();
        let err = |e| IndexError::tantivy(&self.path, e);
        let query = TermQuery::new(
            Term::from_field_text(self.fields.article, id),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &DocSetCollector).map_err(err)?;
        let f = &self.fields;
        let mut docs = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(err)?;
            let ordinal = doc
                .get_first(f.ordinal)
                .and_then(|v| v.as_u64())
                .unwrap_or(0);
            docs.push((ordinal, doc));
        }
        docs.sort_by_key(|(ordinal, _)| *ordinal);
        let truncated = docs.len() > MAX_OUTLINE_SECTIONS;
        docs.truncate(MAX_OUTLINE_SECTIONS);
        let Some((_, first)) = docs.first() else {
            return Ok(None);
        };
        let text_of = |doc: &TantivyDocument, field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let all_of = |doc: &TantivyDocument, field| {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let language = text_of(first, f.language);
        let t = f.text_fields(Analysis::of_language(language.as_deref()));
        let mut outline = Outline {
            article: id.to_string(),
            title: text_of(first, t.title).unwrap_or_default(),
            source: text_of(first, f.source).unwrap_or_default(),
            url: text_of(first, f.url).filter(|u| !u.is_empty()),
            format: text_of(first, f.format).unwrap_or_default(),
            tags: all_of(first, f.tags),
            language,
            sections: Vec::with_capacity(docs.len()),
            truncated,
        };
        for (ordinal, doc) in &docs {
            let level = doc.get_first(f.level).and_then(|v| v.as_u64()).unwrap_or(0);
            outline.sections.push(OutlineSection {
                id: text_of(doc, f.id).unwrap_or_default(),
                anchor: text_of(doc, f.anchor).unwrap_or_default(),
                heading: text_of(doc, t.heading),
                level: u8::try_from(level).unwrap_or(u8::MAX),
                path: all_of(doc, t.path),
                url: text_of(doc, f.link).unwrap_or_default(),
                ordinal: u32::try_from(*ordinal).unwrap_or(u32::MAX),
                text: if with_text {
                    Some(text_of(doc, t.text).unwrap_or_default())
                } else {
                    None
                },
            });
        }
        Ok(Some(outline))
    }
}

#[cfg(test)]
mod tests {
    use rubric_core::{Article, Format, SectionBuilder};

    use crate::{IndexReader, IndexWriter};

    fn article(id: &str, headings: &[&str]) -> Article {
        let mut outline = SectionBuilder::new();
        outline.push_text("Lead text.");
        for h in headings {
            outline.push_heading(2, h, None);
            outline.push_text(&format!("About {h}."));
        }
        Article::new(
            id,
            format!("notes/{id}"),
            Format::Markdown,
            "Skin",
            outline.finish(),
        )
    }

    #[test]
    fn an_outline_lists_sections_in_order_and_text_only_when_asked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = IndexWriter::open(dir.path(), 50_000_000).expect("writer");
        writer
            .upsert(&article("skin.md", &["Eczema", "Acne", "Rosacea"]))
            .expect("upsert");
        writer
            .upsert(&article("other.md", &["Gut"]))
            .expect("upsert");
        writer.commit().expect("commit");

        let reader = IndexReader::open(dir.path()).expect("open");
        let outline = reader
            .outline("skin.md", false)
            .expect("read")
            .expect("found");
        let headings: Vec<_> = outline.sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(
            headings,
            [
                None,
                Some("Eczema".into()),
                Some("Acne".into()),
                Some("Rosacea".into())
            ]
        );
        assert_eq!(outline.sections[1].anchor, "eczema");
        assert_eq!(outline.sections[1].url, "notes/skin.md#eczema");
        assert!(outline.sections.iter().all(|s| s.text.is_none()));
        assert!(!outline.truncated);

        let with_text = reader
            .outline("skin.md", true)
            .expect("read")
            .expect("found");
        assert_eq!(with_text.sections[2].text.as_deref(), Some("About Acne."));
        assert_eq!(reader.outline("nothing.md", false).expect("read"), None);
    }
}
