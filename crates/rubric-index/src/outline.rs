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
    /// True when only the first sections are listed: the article has more
    /// than [`MAX_OUTLINE_SECTIONS`], or more text than was asked for
    /// ([`IndexReader::outline_within`]; the last one listed may then have
    /// only the beginning of its text).
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
        self.outline_within(id, with_text, usize::MAX)
    }

    /// [`IndexReader::outline`] holding at most `max_bytes` of headings,
    /// paths and (with `with_text`) text: sections past that are left out,
    /// the one that reaches it has its text cut at a character boundary,
    /// and [`Outline::truncated`] says so. The lead is always listed. Only
    /// the sections listed are read from the store, so a huge article costs
    /// what is answered, not its size.
    pub fn outline_within(
        &self,
        id: &str,
        with_text: bool,
        max_bytes: usize,
    ) -> Result<Option<Outline>, IndexError> {
        let searcher = self.reader.searcher();
        let err = |e| IndexError::tantivy(&self.path, e);
        let query = TermQuery::new(
            Term::from_field_text(self.fields.article, id),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &DocSetCollector).map_err(err)?;
        // Ordinals from the fast field: the order is known before any
        // stored document is read.
        let mut columns = std::collections::HashMap::new();
        let mut order = Vec::with_capacity(addresses.len());
        for address in addresses {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .u64("ordinal")
                        .map_err(err)?,
                ),
            };
            order.push((column.first(address.doc_id).unwrap_or(0), address));
        }
        order.sort_by_key(|(ordinal, address)| (*ordinal, *address));
        let mut truncated = order.len() > MAX_OUTLINE_SECTIONS;
        order.truncate(MAX_OUTLINE_SECTIONS);
        let f = &self.fields;
        let text_of = |doc: &TantivyDocument, field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let all_of = |doc: &TantivyDocument, field| {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let mut outline: Option<Outline> = None;
        let mut left = max_bytes;
        for (ordinal, address) in order {
            let doc: TantivyDocument = searcher.doc(address).map_err(err)?;
            let outline = outline.get_or_insert_with(|| {
                let language = text_of(&doc, f.language);
                let t = f.text_fields(Analysis::of_language(language.as_deref()));
                Outline {
                    article: id.to_string(),
                    title: text_of(&doc, t.title).unwrap_or_default(),
                    source: text_of(&doc, f.source).unwrap_or_default(),
                    url: text_of(&doc, f.url).filter(|u| !u.is_empty()),
                    format: text_of(&doc, f.format).unwrap_or_default(),
                    tags: all_of(&doc, f.tags),
                    language,
                    sections: Vec::new(),
                    truncated: false,
                }
            });
            let t = f.text_fields(Analysis::of_language(outline.language.as_deref()));
            let heading = text_of(&doc, t.heading);
            let path = all_of(&doc, t.path);
            let outline_bytes = heading.as_ref().map_or(0, String::len)
                + path.iter().map(String::len).sum::<usize>();
            if outline_bytes > left && !outline.sections.is_empty() {
                truncated = true;
                break;
            }
            left = left.saturating_sub(outline_bytes);
            let mut text = with_text.then(|| text_of(&doc, t.text).unwrap_or_default());
            let mut full = true;
            if let Some(text) = &mut text {
                if text.len() > left {
                    text.truncate(text.floor_char_boundary(left));
                    full = false;
                }
                left -= text.len();
            }
            let level = doc.get_first(f.level).and_then(|v| v.as_u64()).unwrap_or(0);
            let anchor = text_of(&doc, f.anchor).unwrap_or_default();
            let url = rubric_core::section_link(outline.url.as_deref(), &outline.source, &anchor);
            outline.sections.push(OutlineSection {
                id: rubric_core::section_id(id, &anchor),
                anchor,
                heading,
                level: u8::try_from(level).unwrap_or(u8::MAX),
                path,
                url,
                ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
                text,
            });
            if !full {
                truncated = true;
                break;
            }
        }
        Ok(outline.map(|mut outline| {
            outline.truncated = truncated;
            outline
        }))
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
    /// `/articles/huge.txt?text=1` answered all 200 MB of a one-line file:
    /// a bounded outline lists sections until the budget, cuts the text of
    /// the one that reaches it, and says it is truncated.
    #[test]
    fn an_outline_within_a_budget_lists_the_beginning_and_says_truncated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = IndexWriter::open(dir.path(), 50_000_000).expect("writer");
        let mut outline = SectionBuilder::new();
        outline.push_text("Lead text.");
        for h in ["One", "Two", "Three"] {
            outline.push_heading(2, h, None);
            outline.push_text(&"é".repeat(1_000));
        }
        let article = Article::new(
            "big.md",
            "big.md",
            Format::Markdown,
            "Big",
            outline.finish(),
        );
        writer.upsert(&article).expect("upsert");
        writer.commit().expect("commit");
        let reader = IndexReader::open(dir.path()).expect("open");

        let whole = reader
            .outline("big.md", true)
            .expect("read")
            .expect("found");
        assert_eq!(whole.sections.len(), 4);
        assert!(!whole.truncated);

        // The lead's 10 bytes, "One" and its 2,000, "Two": 1,985 bytes are
        // left for Two's text, cut to 1,984 (a character boundary).
        let cut = reader
            .outline_within("big.md", true, 4_001)
            .expect("read")
            .expect("found");
        assert!(cut.truncated);
        let texts: Vec<usize> = cut
            .sections
            .iter()
            .map(|s| s.text.as_deref().map_or(0, str::len))
            .collect();
        assert_eq!(texts, [10, 2_000, 1_984]);
        let total: usize = cut
            .sections
            .iter()
            .map(|s| {
                s.text.as_deref().map_or(0, str::len) + s.heading.as_deref().map_or(0, str::len)
            })
            .sum();
        assert!(total <= 4_001, "{total}");

        // Without text, the same budget holds every heading.
        let headings = reader
            .outline_within("big.md", false, 4_001)
            .expect("read")
            .expect("found");
        assert_eq!(headings.sections.len(), 4);
        assert!(!headings.truncated);
        // A budget of nothing still lists the lead, cut.
        let none = reader
            .outline_within("big.md", true, 0)
            .expect("read")
            .expect("found");
        assert_eq!(none.sections.len(), 1);
        assert_eq!(none.sections[0].text.as_deref(), Some(""));
        assert!(none.truncated);
    }
}
