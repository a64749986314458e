//! [`Document`]: one section as an engine stores it — the same fields for
//! every engine, written as one line of JSON. Every sink writes these lines
//! with [`Document::to_line`], and `ingest --export ndjson` writes the same
//! lines to a file ([`crate::Export`]).
//!
//! Each text field is sent twice: as written (`title`, `heading`, `path`,
//! `text`: stored, for display and the engine's highlighter) and as
//! Rubric's analysis of it (`title_norm`, …: the terms of
//! [`rubric_index::Analysis`] — folded, Greek letters spelt out, American
//! spelling, stemmed — one space apart, which the engine splits on
//! whitespace and scores). So "tumour" finds "tumor" in the engine as it
//! does in Rubric's own index, whatever stemmers the engine has.
//!
//! `hash` is the article's content hash: a sink deletes an article's older
//! versions by it (every section whose hash is not the new one), which needs
//! no document ids and no ordering between deletes and writes.

use rubric_core::{Article, Section};
use rubric_index::Analysis;
use serde::Serialize;

/// The fields of a [`Document`], in the order they are written: the index
/// definitions (`config`) declare exactly these.
pub const FIELDS: &[&str] = &[
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

/// One section as an engine stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// `article#anchor`, or the article id for the lead section.
    pub id: String,
    /// Which part of its section this is: a section over 64 KiB is split
    /// into parts that share its id and anchor (0 for the first or only
    /// part). Not sent; it makes the engine's document key unique
    /// ([`Document::key`]).
    #[serde(skip)]
    pub part: u32,
    /// The article id.
    pub article: String,
    /// The article's content hash.
    pub hash: String,
    /// The article title.
    pub title: String,
    /// The section heading (absent for the lead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The headings above the section, outermost first.
    pub path: Vec<String>,
    /// The section text.
    pub text: String,
    /// The outline level.
    pub level: u8,
    /// The section's position in its article, from 0.
    pub ordinal: u32,
    /// Where the section opens (`Article::link`): the hit's `url`.
    pub url: String,
    /// Where the article was read from.
    pub source: String,
    /// The article's tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The article's date, as its source gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The article's language tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Rubric's analysis of the title.
    pub title_norm: String,
    /// Rubric's analysis of the heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading_norm: Option<String>,
    /// Rubric's analysis of each heading above.
    pub path_norm: Vec<String>,
    /// Rubric's analysis of the text.
    pub text_norm: String,
}

impl Document {
    /// The documents of every section of `article`, in order.
    pub fn of_article(article: &Article, analysis: &mut Analysis) -> Vec<Document> {
        let title_norm = analysis.normalise(article.title());
        let mut parts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        article
            .sections()
            .iter()
            .map(|section| {
                let part = parts.entry(section.anchor.as_str()).or_insert(0);
                let mut doc = Document::of_section(article, section, &title_norm, analysis);
                doc.part = *part;
                *part += 1;
                doc
            })
            .collect()
    }

    /// The key of the document in an engine that keys documents
    /// (Elasticsearch's `_id`): its section id, with `~PART` for the second
    /// and later parts of a split section, so parts do not replace each
    /// other and re-sending a section replaces exactly its own documents.
    pub fn key(&self) -> String {
        if self.part == 0 {
            self.id.clone()
        } else {
            format!("{}~{}", self.id, self.part)
        }
    }

    fn of_section(
        article: &Article,
        section: &Section,
        title_norm: &str,
        analysis: &mut Analysis,
    ) -> Document {
        let meta = article.metadata();
        Document {
            id: section_id(article.id(), &section.anchor),
            part: 0,
            article: article.id().to_string(),
            hash: article.hash().to_string(),
            title: article.title().to_string(),
            heading: section.heading.clone(),
            path: section.path.clone(),
            text: section.text.clone(),
            level: section.level,
            ordinal: section.ordinal,
            url: article.link(&section.anchor),
            source: article.source().to_string(),
            tags: meta.tags.clone(),
            date: meta.date.clone(),
            language: meta.language.clone(),
            title_norm: title_norm.to_string(),
            heading_norm: section.heading.as_deref().map(|h| analysis.normalise(h)),
            path_norm: section.path.iter().map(|p| analysis.normalise(p)).collect(),
            text_norm: analysis.normalise(&section.text),
        }
    }

    /// The document as one line of JSON, with its newline.
    pub fn to_line(&self) -> Vec<u8> {
        // Serializing plain strings and numbers cannot fail.
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.push(b'\n');
        line
    }
}

/// A section's id: `article#anchor`, or the article id for the lead (as in
/// Rubric's own index and its `--json` hits).
pub fn section_id(article: &str, anchor: &str) -> String {
    if anchor.is_empty() {
        article.to_string()
    } else {
        format!("{article}#{anchor}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rubric_core::{Format, SectionBuilder};

    fn article() -> Article {
        let mut b = SectionBuilder::new();
        b.push_text("Tumours of the gut.");
        b.push_heading(2, "Probiotics & β-carotene", None);
        b.push_text("Randomised trials of fibre.");
        Article::new(
            "skin.md",
            "docs/skin.md",
            Format::Markdown,
            "Gut Health",
            b.finish(),
        )
    }

    #[test]
    fn documents_carry_the_raw_text_and_rubrics_analysis_of_it() {
        let docs = Document::of_article(&article(), &mut Analysis::new());
        assert_eq!(docs.len(), 2);
        let lead = &docs[0];
        assert_eq!(
            (lead.id.as_str(), lead.heading.as_deref()),
            ("skin.md", None)
        );
        assert_eq!(lead.text_norm, "tumor of the gut");
        assert_eq!(lead.title_norm, "gut health");
        let second = &docs[1];
        assert_eq!(second.id, "skin.md#probiotics--β-carotene");
        assert_eq!(second.url, "docs/skin.md#probiotics--β-carotene");
        assert_eq!(second.heading_norm.as_deref(), Some("probiot beta caroten"));
        assert_eq!(second.text_norm, "random trial of fiber");
        assert_eq!(second.ordinal, 1);
    }

    #[test]
    fn a_line_is_one_json_object_with_the_declared_fields_in_order() {
        let docs = Document::of_article(&article(), &mut Analysis::new());
        let line = docs[1].to_line();
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        let text = String::from_utf8(line).unwrap();
        let mut at = 0;
        for field in FIELDS
            .iter()
            .filter(|f| !matches!(**f, "tags" | "date" | "language"))
        {
            let found = text[at..]
                .find(&format!("\"{field}\":"))
                .unwrap_or_else(|| panic!("{field} in {text}"));
            at += found;
        }
        assert!(
            !text.contains("\"tags\""),
            "empty tags are left out: {text}"
        );
    }
}
