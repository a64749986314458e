//! [`Article`] and [`Section`]: the records that flow from extraction to the
//! index, with the JSON shape of `ingest --dry-run --json` (design.md).

use serde::{Deserialize, Serialize};

/// The format an article was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text: headings are inferred from bare lines.
    Text,
    /// Markdown (CommonMark + GFM).
    Markdown,
    /// HTML.
    Html,
}

impl Format {
    /// The lower-case name used in JSON and in the index (`text`, `markdown`, `html`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Optional metadata an article may carry (front matter, JSONL fields, sitemaps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Tags or keywords, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A date as the source gave it (ISO 8601 where the source was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A language tag such as `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Metadata {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.date.is_none() && self.language.is_none()
    }
}

/// One section: a heading and the text under it up to the next heading of the
/// same or a higher level. The lead section (text before the first heading)
/// has no heading and the anchor `""`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Fragment that lands on this section: the element's own id where the
    /// source has one, else a unique GitHub-style slug of the heading.
    pub anchor: String,
    /// The heading text; `None` for the lead section.
    pub heading: Option<String>,
    /// Outline depth: the article title is 1, so `##` / `<h2>` is 2.
    pub level: u8,
    /// Headings of the ancestors, outermost first, without the title and
    /// without this section's own heading.
    pub path: Vec<String>,
    /// Paragraphs and list items as plain text, one per line.
    pub text: String,
    /// Position in the article, from 0.
    #[serde(default)]
    pub ordinal: u32,
}

/// An article read from one source, split into sections in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the canonical URL for web pages, the path relative to the
    /// ingest root (with `/`) for files, the record id for JSON Lines.
    pub id: String,
    /// Where it was read from: the path as given, or the URL.
    pub source: String,
    /// Where a reader opens it, if anywhere.
    pub url: Option<String>,
    /// The article's title.
    pub title: String,
    /// The format it was read from.
    pub format: Format,
    /// Content hash of the extracted article (see [`content_hash`]).
    pub hash: String,
    /// Tags, date, language.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
    /// Sections in document order.
    pub sections: Vec<Section>,
}

impl Article {
    /// Builds an article and computes its hash from title and sections.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        format: Format,
        title: impl Into<String>,
        sections: Vec<Section>,
    ) -> Article {
        let mut article = Article {
            id: id.into(),
            source: source.into(),
            url: None,
            title: title.into(),
            format,
            hash: String::new(),
            metadata: Metadata::default(),
            sections,
        };
        article.rehash();
        article
    }

    /// Recomputes [`Article::hash`] after fields were changed.
    pub fn rehash(&mut self) {
        self.hash = content_hash(self);
    }

    /// The link for a section: `url#anchor` when the article has a URL, else
    /// `source#anchor`; the bare location for the lead section.
    pub fn link(&self, anchor: &str) -> String {
        let base = self.url.as_deref().unwrap_or(&self.source);
        if anchor.is_empty() {
            base.to_string()
        } else {
            format!("{base}#{anchor}")
        }
    }
}

/// Content hash of what an article would put in the index: title, url,
/// format, metadata and every section field. Hex BLAKE3, stable across runs
/// and machines. The source path is not part of it, so moving a root does not
/// change the hash.
pub fn content_hash(article: &Article) -> String {
    let mut h = blake3::Hasher::new();
    let mut field = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&article.title);
    field(article.url.as_deref().unwrap_or(""));
    field(article.format.as_str());
    for tag in &article.metadata.tags {
        field(tag);
    }
    field(article.metadata.date.as_deref().unwrap_or(""));
    field(article.metadata.language.as_deref().unwrap_or(""));
    for s in &article.sections {
        field(&s.anchor);
        field(s.heading.as_deref().unwrap_or("\u{0}"));
        field(&s.level.to_string());
        for p in &s.path {
            field(p);
        }
        field("\u{1}");
        field(&s.text);
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(text: &str) -> Section {
        Section {
            anchor: String::new(),
            heading: None,
            level: 1,
            path: vec![],
            text: text.into(),
            ordinal: 0,
        }
    }

    #[test]
    fn hash_changes_with_text_and_not_with_source() {
        let a = Article::new("a", "x/a.txt", Format::Text, "A", vec![lead("one")]);
        let b = Article::new("a", "y/a.txt", Format::Text, "A", vec![lead("one")]);
        let c = Article::new("a", "x/a.txt", Format::Text, "A", vec![lead("two")]);
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, c.hash);
        assert_eq!(a.hash.len(), 64);
    }

    #[test]
    fn json_shape_matches_the_contract() {
        let a = Article::new("a.txt", "corpus/a.txt", Format::Text, "A", vec![lead("x")]);
        let v: serde_json::Value = serde_json::to_value(&a).unwrap();
        assert_eq!(v["format"], "text");
        assert!(v["url"].is_null());
        assert!(v["sections"][0]["heading"].is_null());
        assert_eq!(v["sections"][0]["anchor"], "");
        assert!(v.get("metadata").is_none(), "empty metadata is left out");
    }

    #[test]
    fn link_prefers_url() {
        let mut a = Article::new("a", "corpus/a.txt", Format::Text, "A", vec![]);
        assert_eq!(a.link("x"), "corpus/a.txt#x");
        a.url = Some("https://e.org/a".into());
        assert_eq!(a.link("x"), "https://e.org/a#x");
        assert_eq!(a.link(""), "https://e.org/a");
    }
}
